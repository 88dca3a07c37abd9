"""Values for the NATS Helm chart (>= 1.0): the hub the chart renders from them."""

from __future__ import annotations

from natslint.defaults import DEFAULT_LEAF_PORT
from natslint.deploy.workload import ChartSpec, Located, Workload
from natslint.deploy.yamlfiles import as_map, key_span, value_span


def looks_like_nats_chart_values(doc) -> bool:
    """`config.jetstream`, `config.leafnodes` or `config.cluster` with an `enabled` key."""
    config = doc.get("config") if isinstance(doc, dict) else None
    return isinstance(config, dict) and any(
        isinstance(config.get(k), dict) and "enabled" in config[k] for k in ("jetstream", "leafnodes", "cluster"))


def read_nats_chart_values(path: str, doc) -> Workload:
    """The chart reads the domain only from `config.jetstream.merge.domain`; its Service name
    depends on the release name, which the values do not give (declare it with an alias)."""
    config = doc["config"]
    w = Workload(path, "helm-nats", path, key_span(path, doc, "config"), runs_nats=True)
    chart = w.chart = ChartSpec()
    js = as_map(config.get("jetstream"))
    if js.get("enabled"):
        chart.jetstream = Located(True, value_span(path, js, "enabled"))
        merge = as_map(js.get("merge"))
        if "domain" in merge:
            chart.domain = Located(str(merge["domain"]), value_span(path, merge, "domain"))
    leaf = as_map(config.get("leafnodes"))
    if leaf.get("enabled"):
        chart.leafnodes_port = Located(int(leaf.get("port", DEFAULT_LEAF_PORT)), value_span(path, leaf, "enabled"))
    for key in ("fullnameOverride", "nameOverride"):
        if isinstance(doc.get(key), str):
            w.names.add(doc[key].lower())
    return w
