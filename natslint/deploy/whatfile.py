"""What a YAML file is, for `natslint dump`: a compose file, Kubernetes manifests, values of a
chart natslint reads (for the NATS chart: the config it renders), or none of these."""

from __future__ import annotations

from dataclasses import dataclass

from natslint.deploy.charts import _is_nats0, _is_nats1, looks_like_values
from natslint.deploy.compose import looks_like_compose
from natslint.deploy.yamlfiles import load_yaml


@dataclass(slots=True)
class YamlKind:
    what: str  # a sentence: what the file is
    rendered: dict | None = None  # the NATS chart's config, for its values


def describe_yaml(path: str, text: str) -> YamlKind:
    docs, error = load_yaml(text)
    if error:
        return YamlKind(f"{path} is no NATS config and {error}")
    if len(docs) == 1 and looks_like_compose(docs[0]):
        return YamlKind(f"{path} is a compose file: `natslint check` reads the NATS servers, hosts and wadm it runs")
    if any(isinstance(d, dict) and "kind" in d and "apiVersion" in d for d in docs):
        kinds = sorted({str(d["kind"]) for d in docs if isinstance(d, dict) and "kind" in d})
        return YamlKind(f"{path} holds Kubernetes manifests ({', '.join(kinds)}): `natslint check` reads the "
                        "workloads and ConfigMaps in them")
    doc = docs[0] if len(docs) == 1 else None
    if isinstance(doc, dict) and _is_nats1(doc):
        return YamlKind(f"{path} holds values of the NATS Helm chart: the config the chart renders from them "
                        "(with its defaults; `<< $SERVER_NAME >>` is each pod's name)", _render(path, doc))
    if isinstance(doc, dict) and _is_nats0(doc):
        return YamlKind(f"{path} holds values of the NATS Helm chart 0.x, which natslint reads by shape only")
    if isinstance(doc, dict) and looks_like_values(doc):
        return YamlKind(f"{path} holds Helm values of a wasmCloud chart (or a chart holding the NATS chart): "
                        "`natslint check` reads them with their release")
    return YamlKind(f"{path} is YAML natslint does not read as a deployment, and no NATS config")


def _render(path: str, doc: dict) -> dict:
    from natslint.deploy.natschart import fullname, layered, names_of, render_config

    values = layered([(path, doc)])
    config, _ = render_config(values, names_of(values, fullname(values, "nats", "release-name") or "release-name"),
                              None)
    return config
