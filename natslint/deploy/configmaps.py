"""ConfigMaps as a pod sees them: the ones written in manifests (their data embedded in the
YAML) and the ones a kustomization generates (``configMapGenerator``), each key with the text
it holds and the file natslint parses for it.

An embedded config is parsed where it stands: its text is the manifest with every character
outside the block scalar blanked (newlines kept), so each token of the config keeps the line,
column and offset it has in the manifest, and a finding points inside the block.  Its
document path is virtual, ``<manifest>#ConfigMap/<name>/<key>``, so an ``include`` resolves
against the other keys of the same ConfigMap, as in the folder the ConfigMap is mounted as.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from natslint.deploy.envfile import read_env_file
from natslint.deploy.workload import Embedded
from natslint.deploy.yamlfiles import as_list, as_map, key_span, value_span
from natslint.paths import TooLarge
from natslint.sources import SourceCache
from natslint.span import Span

Key = tuple[str, str]  # (namespace, name)


@dataclass(slots=True)
class Entry:
    """One data key of a ConfigMap."""

    value: str | None  # None: not readable (a generator file that is missing)
    span: Span  # where the value is written
    config: str | None = None  # the path natslint parses when a pod runs this key as its config


@dataclass(slots=True)
class ConfigMap:
    name: str
    namespace: str
    path: str  # the manifest or kustomization that defines it
    span: Span
    entries: dict[str, Entry] = field(default_factory=dict)
    generated: bool = False  # from a configMapGenerator
    behavior: str = "create"  # a generator's: create, merge (into a base's) or replace


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(text: str) -> str:
    """Spaces for every character but newlines: offsets, lines and columns stay as they were."""
    return _NOT_NEWLINE.sub(" ", text)


def virtual_path(manifest: str, name: str, key: str) -> str:
    return f"{manifest}#ConfigMap/{name}/{key}"


def positioned(text: str, value: str, line: int, col: int) -> str:
    """``value``, written in ``text`` at 0-based ``line``/``col`` (a YAML scalar), laid out at
    its place: for a literal block (``|``, ``|-``, ``|+``, with or without an indentation
    indicator) the manifest with all but the block's lines blanked, so every offset, line and
    column is the manifest's; for another style, the value alone starting at its line and
    column (positions inside it are then close, not exact)."""
    lines = text.split("\n")
    header = lines[line] if line < len(lines) else ""
    wanted = value.rstrip("\n").split("\n") if value.strip("\n") else []
    if header[col:col + 1] == "|" and wanted:
        block = lines[line + 1: line + 1 + len(wanted)]
        first = next((i for i, v in enumerate(wanted) if v.strip()), None)
        if len(block) == len(wanted) and first is not None and block[first].endswith(wanted[first]):
            indent = len(block[first]) - len(wanted[first])
            if all((not v.strip() and not b.strip()) or b[indent:] == v and not b[:indent].strip(" ")
                   for b, v in zip(block, wanted)):
                keep_from = sum(len(x) + 1 for x in lines[: line + 1])
                keep_to = keep_from + sum(len(b) + 1 for b in block)
                return _blank(text[:keep_from]) + text[keep_from:keep_to] + _blank(text[keep_to:])
    quoted = header[col:col + 1] in ("'", '"')
    return "\n" * line + " " * (col + (1 if quoted else 0)) + value


def manifest_config_maps(path: str, text: str, docs: list) -> tuple[list[ConfigMap], dict[str, Embedded]]:
    """The ConfigMaps written in one manifest file, and the embedded text of every key."""
    maps: list[ConfigMap] = []
    embedded: dict[str, Embedded] = {}
    for doc in docs:
        if not isinstance(doc, dict) or doc.get("kind") != "ConfigMap":
            continue
        meta = as_map(doc.get("metadata"))
        cm = ConfigMap(str(meta.get("name", "")), str(meta.get("namespace", "") or ""), path, key_span(path, doc))
        data = as_map(doc.get("data"))
        for k, v in data.items():
            if not isinstance(v, (str, int, float, bool)):
                continue
            value = str(v)
            vpath = virtual_path(path, cm.name, str(k))
            try:
                line, col = data.lc.value(k)
                embedded[vpath] = Embedded(positioned(text, value, line, col), path)
            except (AttributeError, KeyError, TypeError):
                embedded[vpath] = Embedded(value, path)
            cm.entries[str(k)] = Entry(value, value_span(path, data, k), vpath)
        maps.append(cm)
    return maps, embedded


# -- kustomize -------------------------------------------------------------------------------

@dataclass(slots=True)
class Naming:
    """What the kustomizations above a manifest do to the names it defines: the outermost
    ``namespace:`` wins; prefixes and suffixes add up, the outer ones outside."""

    prefix: str = ""
    suffix: str = ""
    namespace: str | None = None

    def name(self, name: str) -> str:
        return f"{self.prefix}{name}{self.suffix}"

    def ns(self, written: str | None) -> str:
        return self.namespace or (str(written) if written else "default")

    def inside(self, doc: dict) -> "Naming":
        """The naming of a kustomization's own resources, ``self`` being its parents'."""
        ns = doc.get("namespace")
        return Naming(f"{self.prefix}{doc.get('namePrefix') or ''}", f"{doc.get('nameSuffix') or ''}{self.suffix}",
                      self.namespace or (str(ns) if isinstance(ns, str) and ns else None))


def generated_config_maps(path: str, doc: dict, naming: Naming, sources: SourceCache
                          ) -> tuple[list[ConfigMap], list[tuple[Span, str]], set[str]]:
    """The ConfigMaps a kustomization's ``configMapGenerator`` makes, in order (``behavior``
    is applied by :func:`merge_generated`), the files it names that cannot be read, and the
    env files it reads (input, not hosts of their own).  A ``files:`` key runs as a config
    straight from the file in the tree."""
    where = posixpath.dirname(path)
    out: list[ConfigMap] = []
    problems: list[tuple[Span, str]] = []
    env_files: set[str] = set()
    for gen in as_list(doc.get("configMapGenerator")):
        if not isinstance(gen, dict) or not isinstance(gen.get("name"), str):
            continue
        cm = ConfigMap(gen["name"], naming.ns(gen.get("namespace")), path, key_span(path, gen),
                       generated=True, behavior=str(gen.get("behavior") or "create"))
        files = as_list(gen.get("files"))
        for j, item in enumerate(files):
            if not isinstance(item, str):
                continue
            key, _, file = item.partition("=") if "=" in item else (posixpath.basename(item), "", item)
            target = posixpath.normpath(posixpath.join(where, file))
            try:
                value: str | None = sources.text(target)
            except (OSError, ValueError, TooLarge):
                value = None
                problems.append((value_span(path, files, j), f"configMapGenerator {gen['name']!r} names {file}, "
                                                             "which natslint cannot read"))
            cm.entries[key] = Entry(value, value_span(path, files, j), target if value is not None else None)
        literals = as_list(gen.get("literals"))
        for j, item in enumerate(literals):
            if isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1]
                cm.entries[key] = Entry(value, value_span(path, literals, j))
        for item in [*as_list(gen.get("envs")), *([gen["env"]] if isinstance(gen.get("env"), str) else [])]:
            if isinstance(item, str):
                target = posixpath.normpath(posixpath.join(where, item))
                env_files.add(target)
                for var in read_env_file(sources, target):
                    cm.entries[var.name] = Entry(var.value, var.span)
        out.append(cm)
    return out, problems, env_files


def merge_generated(maps: dict[Key, ConfigMap], new: ConfigMap) -> None:
    """A generated ConfigMap joins the ones already built (the bases'): ``create`` adds it,
    ``merge`` adds and overrides keys, ``replace`` swaps the data."""
    key = (new.namespace, new.name)
    old = maps.get(key)
    if old is not None and new.behavior == "merge":
        old.entries.update(new.entries)
    else:
        maps[key] = new
