"""The fleet: servers, their listeners and links, and the wasmCloud hosts that use them.

Everything here is plain data with spans; :mod:`natslint.fleet.build` fills it in from the
parsed documents and the deployment files, and :mod:`natslint.fleet.reach` answers the one
question the domain rules ask: which JetStream answers a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable

from natslint.defaults import (  # noqa: F401 - the model's defaults, named where it is read
    DEFAULT_CLIENT_PORT,
    DEFAULT_LEAF_PORT,
    DEFAULT_NATS_VERSION,
    DEFAULT_SYSTEM_ACCOUNT,
    GLOBAL_ACCOUNT,
)
from natslint.span import Span

UNKNOWN_ACCOUNT = "?"  # bound through credentials natslint cannot see


@dataclass(slots=True, eq=False)
class Listener:
    """A port a server listens on, for one kind of connection."""

    kind: str  # client | cluster | leafnode | gateway | websocket | monitor
    host: str  # "" = every address
    port: int
    span: Span | None = None


def leaf_port_kind(url: str) -> str:
    """The listener a leaf remote URL speaks to: `ws://` and `wss://` a websocket port (leafnode
    connections over websocket), any other scheme the leafnode port."""
    return "websocket" if url.lower().startswith(("ws://", "wss://")) else "leafnode"


def serves_leaf(url: str, li: "Listener | None", hub: "Server | None" = None) -> bool:
    """Whether the listener ``li`` of ``hub`` a remote URL reached answers it as a leaf connection
    (live: `nats-leaf://` at a websocket port and `ws://` at a leafnode port never come up, and
    a websocket port takes leaf connections only on a server with a leafnodes listener too:
    `Not configured to accept leaf node connections`)."""
    if li is None or li.kind != leaf_port_kind(url):
        return False
    return li.kind != "websocket" or hub is None or hub.listener("leafnode") is not None


@dataclass(frozen=True, slots=True)
class LeafTLS:
    """A `tls` block of a leaf connection: a remote's own (the side that dials) or `leafnodes.tls`
    (the side that accepts; it also turns TLS on for every leaf that connects)."""

    span: Span  # the `tls` key
    handshake_first: object = None  # True, False, or a duration: accept TLS first, then INFO after it
    ca: bool = False  # a ca_file: a private CA
    verify: bool = False  # `verify` (or `verify_and_map`): the accepting side asks for a certificate
    certificate: bool = False  # a certificate of its own to present (`cert_file`, `cert_store`)


@dataclass(slots=True)
class Creds:
    """A leaf remote's creds file as the leaf and the hub read it (its seed is never kept)."""

    path: str  # the file in the tree
    written: str  # the path as the config writes it, as the server's log names it
    account: str | None = None  # the account its user belongs to (issuer, or issuer_account)
    issuer: str | None = None  # the key that signed the user: the account's or a signing key
    problem: str | None = None  # why the link never logs in, in the server's words
    malformed: bool = False  # the leaf itself cannot use the file (else the hub refuses it)


@dataclass(slots=True, eq=False)
class Remote:
    """One `leafnodes.remotes[]` entry: this server solicits a hub."""

    urls: list[tuple[str, Span]]
    account: str  # the local account bound to the link
    span: Span
    credentials: bool = False  # creds, nkey or a URL user: the hub account is decided there
    account_span: Span | None = None  # where `account:` is written
    creds_file: Creds | None = None  # its creds file, when it is in the tree (operator mode)
    creds_span: Span | None = None  # where `credentials:` is written
    refused: str | None = None  # why the hub refuses the link's user, when the model knows it
    tls: LeafTLS | None = None  # the remote's own `tls`
    # why the TLS of the two sides never agree (NL411), when the model knows: the link never comes up
    tls_failure: str | None = None
    hub: "Server | None" = None  # resolved target
    hub_account: str = UNKNOWN_ACCOUNT
    resolved_url: tuple[str, Span] | None = None
    resolved_listener: Listener | None = None
    targets: list[tuple[str, Span, "Server", Listener | None]] = field(default_factory=list)  # every URL resolved
    # subjects the leaf will not receive from the hub (`deny_imports`) or send to it (`deny_exports`)
    deny_imports: list[str] = field(default_factory=list)
    deny_exports: list[str] = field(default_factory=list)

    @property
    def creds_account(self) -> str | None:
        """The account its creds file's user JWT belongs to."""
        return self.creds_file.account if self.creds_file is not None else None

    @property
    def creds_path(self) -> str | None:
        return self.creds_file.path if self.creds_file is not None else None


@dataclass(slots=True, eq=False)
class Route:
    """A cluster route a server dials, and what it resolved to."""

    url: str
    span: Span
    host: str
    port: int | None
    target: "Server | None" = None  # the server whose cluster listener it reaches
    reaches: "Server | None" = None  # whatever server it reaches, on any listener
    how: str = ""  # how it was resolved, or why not
    unseen: bool = False  # it reaches a server whose config natslint could not read


@dataclass(slots=True)
class Value:
    """A setting as the server sees it, with where it was written (None: not set)."""

    value: object
    span: Span | None = None


@dataclass(slots=True, eq=False)
class Server:
    """One nats-server as it starts: its config's options, listeners, links and names."""

    id: str  # display path of its config, or a synthesized name
    path: str
    span: Span  # where the server is defined (the file's start, or the deploying service)
    names: set[str] = field(default_factory=set)  # global DNS names: server_name, k8s, aliases
    file_names: set[str] = field(default_factory=set)  # its config file's name: weak, used last
    scoped_names: dict[str, set[str]] = field(default_factory=dict)  # compose project -> names
    scope: str = ""  # the compose project it runs in: where its own URLs are resolved
    server_name: Value = field(default_factory=lambda: Value(None))
    netns: str = ""  # network namespace: 127.0.0.1 reaches the servers that share it
    listeners: list[Listener] = field(default_factory=list)
    cluster_name: Value = field(default_factory=lambda: Value(None))
    cluster_listen: Listener | None = None
    routes: list[Route] = field(default_factory=list)
    gateway_name: Value = field(default_factory=lambda: Value(None))
    gateway_urls: list[tuple[str, Span]] = field(default_factory=list)
    gateway_targets: list["Server"] = field(default_factory=list)
    js_enabled: Value = field(default_factory=lambda: Value(False))
    domain: Value = field(default_factory=lambda: Value(None))  # None unset, "" empty
    domain_unknown: bool = False  # set from a variable whose value natslint does not see
    storage: list[tuple[str, str]] = field(default_factory=list)  # its container's mounts (deploy.workload)
    extension_hint: Value = field(default_factory=lambda: Value(None))
    store_dir: Value = field(default_factory=lambda: Value(None))
    accounts: dict[str, Span | None] = field(default_factory=dict)
    js_accounts: set[str] = field(default_factory=set)  # accounts with JetStream
    account_names: dict[str, str] = field(default_factory=dict)  # operator mode: public key -> the JWT's name
    untrusted_accounts: dict[str, tuple[Span, str]] = field(default_factory=dict)  # preloaded, not the operator's
    # operator mode: whether every account it holds is read (a MEMORY resolver's preloads, a
    # resolver directory in the tree), and the keys that may sign each account's users
    accounts_known: bool = False
    account_signers: dict[str, set[str]] = field(default_factory=dict)
    # account -> the JetStream API subjects it imports as a service: (its local subject, the
    # exporting account, the exported subject)
    service_imports: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    system_account: str = DEFAULT_SYSTEM_ACCOUNT
    no_auth_account: str | None = None
    no_auth_with_operator: Span | None = None  # `no_auth_user` beside an operator: nats-server exits
    leaf_users: dict[str, str] = field(default_factory=dict)  # leafnode user -> account
    leaf_default_account: str | None = None
    leaf_tls: LeafTLS | None = None  # `leafnodes.tls`: the accepting side's TLS
    # clients: whether they must log in, and the accounts they can log into (None: not known,
    # an auth callout or a listener's own authentication decides); accounts that trade
    # messages with others through imports and exports
    auth_required: bool = False
    client_logins: frozenset[str] | None = None
    shared_accounts: set[str] = field(default_factory=set)
    remotes: list[Remote] = field(default_factory=list)
    default_js_domain: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False  # built from a deployment (operator sidecar, CLI flags)
    display: str | None = None  # how messages name a synthesized server
    # from its command line: flags nats-server rejects (as written, where, the closest real
    # one), and flags it accepts that natslint does not model
    instance_of: str = ""  # the deployment that starts it (several: one server each)
    count_known: bool = True  # False for an instance of a replica count natslint cannot see
    config_unseen: bool = False  # it runs a config natslint could not read: its settings are unknown
    config_unseen_why: str = ""  # where that config lives, as a message says it
    operator_mode: bool = False  # accounts come from JWTs (operator/resolver), not the file
    # why nats-server exits at startup, when the model knows it will (a config that does not
    # parse, a flag it does not define, a leaf remote bound to an undefined account): such a
    # server carries no JetStream and no link
    refuses: str | None = None
    nats_version: str = DEFAULT_NATS_VERSION  # as its config is read (`--nats-version`)
    reloader: str | None = None  # what sends it a reload when its config changes (deploy.workload)
    image_version: str | None = None  # the version its image tag names (`nats:2.10-alpine`), when it does
    # (the config root they were read from, what validateOptions refuses in it): read once, for
    # `refuses` and for NL113 (fleet.startup.refusals_of); a copy reads its own
    refusals: tuple | None = None
    # a Helm release: its Service names hold in whatever namespace it is installed into
    any_namespace: bool = False
    unnamed_release: str = ""  # the chart of a Helm release whose name (so its Services') is not known
    kube_cluster: str | None = None  # the Kubernetes cluster it runs in, when a release names it
    js_by_flag: bool = False  # JetStream turned on by `-js` on a command line the tree writes
    release: str = ""  # the chart release it is a pod of
    # the config as this instance reads it (its own environment), when that differs from the file's plain read
    document: object = None
    unknown_flags: list[tuple[str, Span, str | None]] = field(default_factory=list)
    unmodelled_flags: list[tuple[str, Span]] = field(default_factory=list)

    def fresh(self) -> "Server":
        """A copy to link and adjust on its own: every set, list and dict, every listener,
        remote and route is its own (a document's server is read once and copied for each
        server that runs it, in this run and the engine's later ones).  Only for a server not
        linked yet: it refers to no other server."""
        return _copy_server(self)

    def store_place(self) -> tuple[str, str] | None:
        """Where its store_dir really is: the host folder or named volume mounted there, else
        the path on its own machine; None without a store_dir."""
        path = self.store_dir.value
        if not isinstance(path, str):
            return None
        for target, where in sorted(self.storage, key=lambda m: -len(m[0])):
            t = target.rstrip("/")
            if path == t or path.startswith(t + "/"):
                return where, path[len(t):]
        return self.filesystem, path

    @property
    def filesystem(self) -> str:
        """The filesystem its paths are on: its machine's, or its container's own (even when the
        container shares another's network)."""
        return self.netns if self.netns.startswith("machine:") else f"own:{self.id}"

    def listener(self, kind: str) -> Listener | None:
        return next((li for li in self.listeners if li.kind == kind), None)

    @property
    def app_accounts(self) -> list[str]:
        """Its configured accounts other than the system account."""
        return [a for a in self.accounts if a != self.system_account]

    def link_comes_up(self, r: Remote) -> bool:
        """Whether leaf remote ``r`` of this server connects: it reached the listener its URL's
        scheme speaks to, and the hub does not reject it for presenting the hub's own cluster name."""
        if r.hub is None or r.resolved_url is None or not serves_leaf(r.resolved_url[0], r.resolved_listener, r.hub):
            return False
        if self.refuses or r.hub.refuses or r.refused or r.tls_failure or \
                (r.creds_file is not None and r.creds_file.problem):
            return False  # one side never starts, the hub refuses the link's user, or TLS never agrees
        return not (self.effective_cluster_name and self.effective_cluster_name == r.hub.cluster_name.value)

    @property
    def label(self) -> str:
        name = self.server_name.value
        if isinstance(name, str) and name and not self.unnamed_release:  # else: a name under helm's placeholder
            return f"server `{name}`"
        return self.display or f"server {self.id}"

    @property
    def effective_cluster_name(self) -> str | None:
        """The name a leaf presents to its hub: cluster.name, else server_name when standalone."""
        if isinstance(self.cluster_name.value, str) and self.cluster_name.value:
            return self.cluster_name.value
        if self.remotes and isinstance(self.server_name.value, str):
            return self.server_name.value
        return None

    def account_has_js(self, account: str) -> bool:
        if not self.js_enabled.value:
            return False
        if account == UNKNOWN_ACCOUNT:
            return True  # never guess a negative: the credentials may well grant it
        return account in self.js_accounts


@dataclass(slots=True, eq=False)
class Host:
    """A wasmCloud host or a wadm instance, and where its settings come from."""

    kind: str  # host | wadm
    id: str
    path: str
    span: Span
    netns: str = ""
    scope: str = ""
    lattice: Value = field(default_factory=lambda: Value("default"))
    domain: Value = field(default_factory=lambda: Value(None))  # None unset, "" empty
    endpoint_host: Value = field(default_factory=lambda: Value("127.0.0.1"))
    endpoint_port: Value = field(default_factory=lambda: Value(DEFAULT_CLIENT_PORT))
    env_names: dict[str, Span] = field(default_factory=dict)
    version: str | None = None  # from the image tag, when it says
    server: Server | None = None
    unresolved: bool = False
    display: str | None = None
    opaque_env: list[str] = field(default_factory=list)  # env sources natslint cannot read
    instance_of: str = ""  # set when its deployment starts several (host replicas)
    domain_setting: str = ""  # where its domain is set, as the user edits it (spec.jetstreamDomain, ...)
    domain_origin: tuple[str, Span] | None = None  # the `.env` line its domain is interpolated from
    env_mapped: bool = False  # its environment is written `KEY: value` (a compose map)

    def fresh(self) -> "Host":
        """A copy to link on its own (a workload's host is read once, copied for each use)."""
        return _copy_host(self)

    @property
    def label(self) -> str:
        if self.display:
            return self.display
        return f"{'wadm' if self.kind == 'wadm' else 'host'} `{short_name(self.id)}`"


def short_name(workload_id: str) -> str:
    """A deployed process by its service, pod or unit, not by a file path (an env file or a
    unit stands for itself)."""
    return workload_id.rsplit("#", 1)[-1] if "#" in workload_id else workload_id.rsplit("/", 1)[-1]


@dataclass(slots=True, eq=False)
class Cluster:
    """Servers joined by routes: one NATS cluster of the fleet."""

    id: int
    servers: list[Server]
    name: str | None

    @property
    def label(self) -> str:
        if len(self.servers) == 1:
            return self.servers[0].label
        return f"cluster {self.name!r} ({len(self.servers)} servers)"


@dataclass(slots=True)
class Fleet:
    """Every server and host of one fleet, with their links resolved by build.link."""

    servers: list[Server] = field(default_factory=list)
    hosts: list[Host] = field(default_factory=list)
    # servers whose config natslint could not read (a Secret, a file outside the tree): no rule
    # judges them, and a link that reaches one is unknown, never resolved to empty settings
    unseen: list[Server] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    cluster_of: dict[str, Cluster] = field(default_factory=dict)  # server id -> cluster
    # (where, headline, notes, fix, whether the domain rules need that link)
    # (where, what, notes, fix, needed by the domain rules, severity when it is surely a mistake)
    unresolved: list[tuple[Span, str, tuple[str, ...], str, bool, "Severity | None"]] = field(default_factory=list)
    # link kind (leaf_links, routes, gateways, hosts, wadm) -> total, resolved, external,
    # ambiguous, unresolved
    coverage: dict = field(default_factory=dict)
    # what a config lacks in the environment of an instance that runs it (NL004), per instance
    instance_findings: list = field(default_factory=list)
    # compose: the host ports each service publishes, (service, project, profiles, deploy.ports.Published)
    published: list[tuple[str, str, tuple[str, ...], object]] = field(default_factory=list)

    def instance_labels(self) -> list[str]:
        """How messages name the servers and hosts that are one of several instances."""
        return [x.label for x in [*self.servers, *self.hosts] if x.display and x.instance_of]



def _twin(li: Listener, twins: dict[int, Listener]) -> Listener:
    """A listener's copy; the same listener twice (in ``listeners`` and as ``cluster_listen``) is
    one copy."""
    hit = twins.get(id(li))
    if hit is None:
        hit = twins[id(li)] = Listener(li.kind, li.host, li.port, li.span)
    return hit


def _copy_of(link):
    """A remote or route, with lists of its own."""
    kind = type(link)
    out = object.__new__(kind)
    for f in _LINK_FIELDS[kind]:
        v = getattr(link, f)
        setattr(out, f, list(v) if type(v) is list else v)
    return out


def _copier(cls: type) -> Callable:
    """A copy of a ``cls`` not linked yet, written out field by field once (as dataclasses
    writes __init__): every set and list its own, every dict copied a level deep (dicts of sets
    or lists), every listener, route and remote its own.  A loop of getattr and setattr is three
    times slower, and a large fleet copies each of its thousands of servers and hosts per edit."""
    lines = ["def copy(s):", "    o = new(cls)", "    twins = {}"]
    for f in fields(cls):
        n = f.name
        if n == "listeners":
            lines.append("    o.listeners = [twin(li, twins) for li in s.listeners]")
        elif n == "cluster_listen":
            lines.append("    o.cluster_listen = None if s.cluster_listen is None else twin(s.cluster_listen, twins)")
        elif n in ("routes", "remotes"):
            lines.append(f"    o.{n} = [copy_link(x) for x in s.{n}]")
        elif n == "refusals":
            lines.append("    o.refusals = None")  # read from the copy's own settings, once they differ
        elif f.default_factory in (set, list):
            lines.append(f"    o.{n} = {f.default_factory.__name__}(s.{n})")
        elif f.default_factory is dict:
            lines.append(f"    o.{n} = {{k: v.copy() if isinstance(v, (set, list, dict)) else v "
                         f"for k, v in s.{n}.items()}} if s.{n} else {{}}")
        else:
            lines.append(f"    o.{n} = s.{n}")
    lines.append("    return o")
    scope = {"new": object.__new__, "cls": cls, "twin": _twin, "copy_link": _copy_of}
    exec("\n".join(lines), scope)  # noqa: S102 - our own field names, nothing from input
    return scope["copy"]


_copy_server = _copier(Server)
_copy_host = _copier(Host)
_LINK_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in (Remote, Route)}
