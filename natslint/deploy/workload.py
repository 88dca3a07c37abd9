"""The workload model: what a deployment file says about one process."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from natslint.discover import Skipped
from natslint.findings import Finding
from natslint.span import Span

T = TypeVar("T")


def folder(path: str) -> str:
    """The folder of a deployment file, as deployment units are named (``.`` at the top)."""
    return posixpath.dirname(path) or "."


@dataclass(slots=True)
class Located(Generic[T]):
    """A value read from a deployment file, with where it was written."""

    value: T
    span: Span


@dataclass(slots=True)
class EnvVar:
    """One environment variable of a workload, as its deployment sets it."""

    name: str
    value: str | None  # None: set, but the value comes from outside the repository
    span: Span
    field: str | None = None  # Kubernetes `valueFrom.fieldRef.fieldPath`: known per pod
    template: str | None = None  # Kubernetes `$(VAR)` text over a value known only per pod
    origin: tuple[str, Span] | None = None  # compose `${VAR}`: the `.env` line that sets VAR
    mapped: bool = False  # written `KEY: value` (a compose `environment:` map), not `KEY=value`


@dataclass(slots=True)
class HostConfigSpec:
    """The fields of a WasmCloudHostConfig that natslint reads, each where it is written."""

    span: Span  # the spec (or the resource, without one)
    jetstream_domain: Located[object] | None = None
    leaf_node_domain: Located[object] | None = None
    nats_address: Located[object] | None = None
    nats_leafnode_port: Located[object] | None = None
    nats_client_port: Located[object] | None = None
    lattice: Located[object] | None = None
    secret_name: Located[object] | None = None
    version: Located[object] | None = None


@dataclass(slots=True)
class ChartSpec:
    """What the NATS Helm chart renders from its values."""

    jetstream: Located[bool] | None = None
    domain: Located[str] | None = None
    leafnodes_port: Located[int] | None = None
    client_port: Located[int] | None = None
    replicas: Located[int] | None = None  # cluster.enabled: that many pods in one cluster
    fullname: str | None = None  # its Services' base name; None: the release name is not known
    release: object = None  # the Release declared for it (natslint.deploy.charts), if any


@dataclass(slots=True)
class Workload:
    """One thing a deployment runs: a compose service, a pod, a unit, a host's .env."""

    id: str
    kind: str  # compose | k8s | whc | systemd | envfile | helm-nats
    path: str
    span: Span
    names: set[str] = field(default_factory=set)
    netns: str = ""
    env: dict[str, EnvVar] = field(default_factory=dict)
    image: str | None = None
    command: list[tuple[str, Span]] = field(default_factory=list)
    config_paths: list[tuple[str, Span]] = field(default_factory=list)  # NATS configs it runs
    # it runs a config natslint cannot read (a Secret, a ConfigMap not in the tree): why, and where
    config_unknown: tuple[str, Span] | None = None
    other_configs: list[str] = field(default_factory=list)  # files it reads that are no NATS server's config
    # where its folders really live: (path in the container, the host folder or named volume)
    storage: list[tuple[str, str]] = field(default_factory=list)
    # volumes mounted inside the config's folder, as paths beside the file natslint parses:
    # (folder or file, data key -> the path holding it | why its content is unknown)
    mounts: list[tuple[str, dict[str, str | None] | str]] = field(default_factory=list)
    runs_nats: bool = False
    # what applies a changed config to the running server without a restart (a config-reloader
    # sidecar, a unit's ExecReload): it reports success even when nats-server refuses the reload
    reloader: str | None = None
    host_config: HostConfigSpec | None = None  # kind whc
    chart: ChartSpec | None = None  # kind helm-nats
    opaque_env: list[str] = field(default_factory=list)  # env sources natslint cannot read
    # the deployment unit it belongs to: a compose project, a kustomization root, a folder of
    # manifests or units, a chart release (fleets are built from units)
    replicas: int | None = 1  # how many processes it starts; None: not known (a DaemonSet)
    instance_names: list[set[str]] = field(default_factory=list)  # per replica: its own DNS names
    bundled_config: bool = False  # the official nats image with no command: its own nats-server.conf
    pod_name: str | None = None  # a StatefulSet's name: its pods are `<name>-0`, `<name>-1`, ...
    namespace: str | None = None
    kube_cluster: str | None = None  # the Kubernetes cluster a release is installed into, when named
    release: str = ""  # the chart release whose pods these are (natslint.deploy.chartrelease)
    any_namespace: bool = False  # a chart release whose namespace is not known: its Services answer in any
    unnamed_release: str = ""  # the chart of a Helm release whose name (so its Services') is not known
    rendered: dict[str, "Embedded"] = field(default_factory=dict)  # configs a chart renders for it
    unit: str = ""
    project: str = ""  # compose: the project's first file (service names are scoped to it)
    published: list = field(default_factory=list)  # compose: the host ports it publishes (deploy.ports)
    profiles: tuple[str, ...] = ()  # compose: started only when one of these profiles is
    # what is read from this workload alone (its host), kept as long as the workload: a
    # long-running engine keeps the deployments an edit of configs does not touch
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_host(self) -> bool:
        return any(k.startswith("WASMCLOUD_") for k in self.env) or "wasmcloud/wasmcloud" in (self.image or "") \
            or self.kind == "whc"

    @property
    def is_wadm(self) -> bool:
        return any(k.startswith("WADM_") for k in self.env) or bool(
            self.image and re.search(r"(^|/)wadm(:|$)", self.image))


class ChartDefault(Span):
    """Where a value a chart writes itself (no values line) is shown: the release's first
    values key, or its declaration."""

    __slots__ = ()


@dataclass(slots=True)
class Embedded:
    """A config held in a ConfigMap's data: parsed from ``text`` at the virtual path it is
    registered under; its spans lie in ``file``.  A config a chart renders is no text of any
    file: ``lines`` gives, for each of its lines, where the value on it was written."""

    text: str
    file: str
    lines: list[Span] | None = None


@dataclass(slots=True)
class ReadResult:
    """What reading the deployment files gave: workloads, findings about the files
    themselves, the env files compose used as interpolation input, and what was skipped."""

    workloads: list[Workload] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    env_files_used: set[str] = field(default_factory=set)  # real paths
    skipped: list[Skipped] = field(default_factory=list)
    unit_files: dict[str, set[str]] = field(default_factory=dict)  # unit -> the files that describe it
    unit_env_files: dict[str, set[str]] = field(default_factory=dict)  # compose unit -> env files it read
    # configs written inside ConfigMaps: virtual path -> its text, laid out where it stands
    embedded: dict[str, Embedded] = field(default_factory=dict)
    wanted: set[str] = field(default_factory=set)  # embedded configs to parse (run, or NATS by their key)
    config_maps: dict[str, dict] = field(default_factory=dict)  # unit -> (namespace, name) -> ConfigMap
    secret_spans: list[Span] = field(default_factory=list)  # secret values the readers located
    host_env: dict[str, "Workload | None"] = field(default_factory=dict)  # `.env` file -> the host it is, if any
    # values file -> what reading it took from other files (its release, the chart beside it and
    # its dependencies' keys, whether a declared release renders its NATS values): an edit of
    # the file alone reads it again with them (natslint.engine)
    values_inputs: dict[str, tuple] = field(default_factory=dict)


def image_name(image: str | None) -> str:
    """`docker.io/library/nats:2.10-alpine@sha256:...` -> `nats`."""
    return (image or "").split("@")[0].rsplit("/", 1)[-1].split(":")[0]


def runs_nats_image(image: str | None) -> bool:
    return image_name(image) in ("nats", "nats-server")
