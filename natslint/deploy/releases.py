"""Where a release of the NATS chart gets its values: a helmfile release (`values:` files and
inline maps, `set:`), an Argo CD Application (`helm.values` as a string, `valuesObject`,
`valueFiles`, `parameters`), a Flux HelmRelease (`values`, `valuesFrom` a ConfigMap in the
tree).  Each gives the values sources in helm's order, the release name and namespace, and
the Kubernetes cluster it is installed into when it names one.

A source natslint cannot read (a `--set` given on a command line, a values file or a Secret
not in the tree) leaves the release's values unknown: the release is read with what is there
and the gap is said, never filled with the chart's default.
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass, field
from typing import Mapping

from natslint.deploy.yamlfiles import as_list, as_map, key_span, value_span
from natslint.span import Span


@dataclass(slots=True)
class ValuesSource:
    """One values document: where it is written, and how its lines lie in that file (a YAML
    string inside a manifest starts further down and further right)."""

    path: str
    doc: Mapping
    line_shift: int = 0
    col_shift: int = 0
    fixed: Span | None = None  # every value of it written at one place (a `set:` entry)

    def span(self, span: Span) -> Span:
        if self.fixed is not None:
            return self.fixed
        if not self.line_shift and not self.col_shift:
            return span
        return Span(self.path, 0, 0, span.line + self.line_shift, span.col + self.col_shift,
                    span.end_line + self.line_shift, span.end_col + self.col_shift)


@dataclass(slots=True)
class ChartRelease:
    name: str | None
    namespace: str | None
    chart: str  # the chart's own name: `nats` for `nats/nats` or `oci://.../nats`
    declared: str  # the file that declares it
    where: Span  # the release's declaration
    sources: list[ValuesSource] = field(default_factory=list)
    values_files: list[str] = field(default_factory=list)  # the values files of the tree it reads
    reads: list[str] = field(default_factory=list)  # other files its values come from (a ConfigMap's manifest)
    unknown: list[tuple[Span, str]] = field(default_factory=list)  # sources natslint cannot read
    cluster: str | None = None  # the Kubernetes cluster it is installed into, when named
    version: str | None = None  # the chart version it pins, when it pins one


def known_version(version: str | None) -> bool:
    """A NATS chart version whose templates natslint renders: 1.x and 2.x (a range such as
    `1.3.x` or `~1.2` counts by its major); no pin is the latest natslint knows."""
    if version is None:
        return True
    major = version.lstrip("v=~^>< ").split(".", 1)[0]
    return major in ("1", "2")


def chart_name(ref: object) -> str:
    """`nats/nats`, `oci://ghcr.io/nats-io/charts/nats`, `./charts/nats` -> `nats`."""
    text = str(ref or "").rstrip("/")
    return text.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0] if text else ""


def _set_map(name: str, value: object) -> dict:
    """`config.jetstream.enabled` -> {"config": {"jetstream": {"enabled": value}}} (helm's --set
    path; `\\.` keeps a dot in a key)."""
    parts = [p.replace("\0", ".") for p in name.replace("\\.", "\0").split(".")]
    out: dict = {}
    node = out
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value
    return out


def helmfile_releases(path: str, doc: Mapping, files: dict[str, list]) -> list[ChartRelease]:
    out = []
    where = posixpath.dirname(path)
    for r in as_list(doc.get("releases")):
        if not isinstance(r, Mapping) or not isinstance(r.get("name"), str):
            continue
        rel = ChartRelease(r["name"], r.get("namespace") if isinstance(r.get("namespace"), str) else None,
                           chart_name(r.get("chart")), path, key_span(path, r, "name"),
                           version=str(r["version"]) if r.get("version") is not None else None)
        values = r.get("values")
        for i, v in enumerate(as_list(values)):
            if isinstance(v, str):
                _file(rel, posixpath.normpath(posixpath.join(where, v)), files, value_span(path, values, i))
            elif isinstance(v, Mapping):
                rel.sources.append(ValuesSource(path, v))
        sets = r.get("set")
        for i, s in enumerate(as_list(sets)):
            if isinstance(s, Mapping) and isinstance(s.get("name"), str) and "value" in s:
                rel.sources.append(ValuesSource(path, _set_map(s["name"], s["value"]),
                                                fixed=value_span(path, s, "value")))
        out.append(rel)
    return out


def _file(rel: ChartRelease, target: str, files: dict[str, list], span: Span) -> None:
    docs = files.get(target)
    if docs is None:
        rel.unknown.append((span, f"values file {target} is not in the checked files"))
    elif docs and isinstance(docs[0], Mapping):
        rel.sources.append(ValuesSource(target, docs[0]))
        rel.values_files.append(target)


def argo_releases(path: str, doc: Mapping, files: dict[str, list], text: str = "") -> list[ChartRelease]:
    """An Argo CD Application: one release per Helm source; `$values` refs of another source
    name files of the tree by their path in that source's repository."""
    spec, meta = as_map(doc.get("spec")), as_map(doc.get("metadata"))
    destination = as_map(spec.get("destination"))
    cluster = destination.get("name") or destination.get("server")
    sources = [as_map(spec.get("source"))] if spec.get("source") else [as_map(s) for s in as_list(spec.get("sources"))]
    out = []
    for src in sources:
        helm = src.get("helm")
        if not isinstance(helm, Mapping) and not src.get("chart"):
            continue
        helm = as_map(helm)
        name = helm.get("releaseName") or meta.get("name")
        ns = destination.get("namespace")
        rel = ChartRelease(str(name) if name else None, ns if isinstance(ns, str) else None,
                           chart_name(src.get("chart") or src.get("path")), path, key_span(path, src),
                           cluster=str(cluster) if cluster else None,
                           version=str(src["targetRevision"]) if src.get("chart") and src.get("targetRevision") else None)
        for i, v in enumerate(as_list(helm.get("valueFiles"))):
            if isinstance(v, str):
                rel_path = v.split("/", 1)[1] if v.startswith("$") else posixpath.join(str(src.get("path") or ""), v)
                found = [c for c in files if c == posixpath.normpath(rel_path) or c.endswith("/" + posixpath.normpath(rel_path))]
                if found:
                    _file(rel, sorted(found)[0], files, value_span(path, helm["valueFiles"], i))
                else:
                    rel.unknown.append((value_span(path, helm["valueFiles"], i),
                                        f"values file {v} is not in the checked files"))
        if isinstance(helm.get("values"), str):
            _inline_string(rel, path, helm, "values", text)
        if isinstance(helm.get("valuesObject"), Mapping):
            rel.sources.append(ValuesSource(path, helm["valuesObject"]))
        for p in as_list(helm.get("parameters")):
            if isinstance(p, Mapping) and isinstance(p.get("name"), str) and "value" in p:
                rel.sources.append(ValuesSource(path, _set_map(p["name"], p["value"]), fixed=value_span(path, p, "value")))
        out.append(rel)
    return out


def _inline_string(rel: ChartRelease, path: str, parent: Mapping, key: str, text: str) -> None:
    """Values written as a YAML string (`values: |`): parsed, and located in the manifest."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    values = parent[key]
    try:
        doc = YAML().load(io.StringIO(values))
    except YAMLError as exc:
        rel.unknown.append((value_span(path, parent, key), f"its values are no YAML: {str(exc).splitlines()[0]}"))
        return
    if not isinstance(doc, Mapping):
        return
    try:
        line, col = parent.lc.value(key)
    except (AttributeError, KeyError, TypeError):
        line, col = 0, 0
    # a block scalar starts on the line after its `|`, indented like its first line
    first = next((ln for ln in values.split("\n") if ln.strip()), "")
    indent = next((len(ln) - len(ln.lstrip()) for ln in text.split("\n")[line + 1:] if ln.strip()), None)
    rel.sources.append(ValuesSource(path, doc, line_shift=line + 1, col_shift=indent - (len(first) - len(first.lstrip()))
                                    if indent is not None else col))


def flux_release(path: str, doc: Mapping, files: dict[str, list], config_maps: dict) -> ChartRelease | None:
    """A Flux HelmRelease: `spec.values`, then `valuesFrom` (a ConfigMap of the tree, or
    unknown), `releaseName` (Flux's default `[<targetNamespace>-]<name>`), `targetNamespace`."""
    spec, meta = as_map(doc.get("spec")), as_map(doc.get("metadata"))
    chart_spec = as_map(as_map(as_map(spec.get("chart")).get("spec")))
    target_ns = spec.get("targetNamespace")
    name = spec.get("releaseName") or (f"{target_ns}-{meta.get('name')}" if target_ns else meta.get("name"))
    ns = target_ns or meta.get("namespace")
    rel = ChartRelease(str(name) if name else None, ns if isinstance(ns, str) else None,
                       chart_name(chart_spec.get("chart")), path, key_span(path, doc),
                       version=str(chart_spec["version"]) if chart_spec.get("version") is not None else None)
    for i, ref in enumerate(as_list(spec.get("valuesFrom"))):
        ref = as_map(ref)
        span = value_span(path, spec["valuesFrom"], i)
        if ref.get("kind") == "ConfigMap":
            key = str(ref.get("valuesKey") or "values.yaml")
            cm = config_maps.get((rel.namespace or "default", str(ref.get("name"))))
            entry = cm.entries.get(key) if cm is not None else None
            if entry is not None and entry.value is not None:
                from ruamel.yaml import YAML

                loaded = YAML().load(io.StringIO(entry.value))
                if isinstance(loaded, Mapping):
                    rel.sources.append(ValuesSource(path, loaded, fixed=entry.span))
                    rel.reads.append(cm.path)
                continue
        if not ref.get("optional"):
            rel.unknown.append((span, f"values from {ref.get('kind', '?')} {ref.get('name')!r}, which natslint "
                                      "cannot see"))
    if isinstance(spec.get("values"), Mapping):
        rel.sources.append(ValuesSource(path, spec["values"]))
    return rel


def chart_of(values: str, files: dict[str, list]) -> tuple[str | None, dict[str, str]]:
    """The chart whose values these are (a Chart.yaml beside them), and its dependencies'
    keys: alias (or name) -> chart name."""
    chart = files.get(posixpath.normpath(posixpath.join(posixpath.dirname(values), "Chart.yaml"))) or [{}]
    doc = chart[0] if isinstance(chart[0], dict) else {}
    aliases = {str(d.get("alias") or d.get("name")): str(d.get("name")) for d in as_list(doc.get("dependencies"))
               if isinstance(d, dict) and d.get("name")}
    return (str(doc["name"]) if isinstance(doc.get("name"), str) else None), aliases
