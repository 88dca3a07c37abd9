"""The code table: every code natslint can report, with the data its docs and outputs show.

One table for input problems (NL0xx), rules (NL1xx-NL4xx), change rules (NL5xx) and NL901.  The codes are fixed:
users write them in configs and suppression comments.  A rule's doc in ``rules/`` repeats
the header fields (severity, scope, since) and a test holds the two together.
"""

from __future__ import annotations

from natslint import __url__
from natslint.findings import Code, Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
SINCE = "0.1.0"


def _code(code: str, name: str, severity: Severity, summary: str, *, also: tuple[Severity, ...] = (),
          scope: str, since: str = SINCE) -> Code:
    return Code(code, name, severity, summary, severities=(severity, *also), scope=scope, since=since)


# -- input problems ----------------------------------------------------------------------
INTERNAL_ERROR = _code("NL000", "internal-error", E,
                       "natslint failed on this input; the rest of the fleet was still checked", scope="any file")
SYNTAX_ERROR = _code("NL001", "syntax-error", E, "nats-server's parser rejects the file", scope="document")
INCLUDE_NOT_FOUND = _code("NL002", "include-not-found", E,
                          "an include names a file that is missing or unreadable", also=(I,), scope="document")
INCLUDE_CYCLE = _code("NL003", "include-cycle", E,
                      "a file includes itself, directly or through other files", scope="document")
UNDEFINED_VARIABLE = _code("NL004", "undefined-variable", E,
                           "a $variable is defined neither in the config nor in the environment",
                           also=(I,), scope="document")
UNREADABLE_FILE = _code("NL005", "unreadable-file", E,
                        "a file could not be read as text (binary, not UTF-8, too large, no permission)",
                        scope="document")
SURPRISING_VALUE = _code("NL006", "surprising-value", W,
                         "nats-server reads a value differently than it looks", scope="document")
QUOTED_VARIABLE = _code("NL007", "quoted-variable", W,
                        "a `$NAME` inside quotes, where NAME is a variable: the value is the literal text",
                        scope="document", since="0.2.0")
UNDEFINED_QUOTED_VARIABLE = _code("NL008", "literal-dollar-value", I,
                                  "a value that is exactly `$NAME` in quotes, NAME defined nowhere natslint can see",
                                  scope="document", since="0.2.0")

# -- one server's options (NL1xx) ----------------------------------------------------------
UNKNOWN_OPTION = _code("NL101", "unknown-option", E, "a key nats-server does not accept in that block",
                       scope="server")
DUPLICATE_KEY = _code("NL102", "duplicate-key", W,
                      "the same key twice in one map: the later silently replaces the earlier",
                      also=(E,), scope="server")
INVALID_DOMAIN = _code("NL103", "invalid-domain", E, "the JetStream domain is not a single valid subject token",
                       scope="server")
JS_CLUSTER_INCOMPLETE = _code("NL104", "jetstream-cluster-incomplete", E,
                              "clustered JetStream or routes that cannot work as written", scope="server")
INVALID_EXTENSION_HINT = _code("NL105", "invalid-extension-hint", E,
                               "extension_hint other than will_extend / no_extend", scope="server")
JS_ON_SYSTEM_ACCOUNT = _code("NL106", "jetstream-on-system-account", E, "JetStream enabled for the system account",
                             scope="server")
STORE_DIR = _code("NL107", "store-dir", E,
                  "store_dir given twice, shared by two servers (or none on one machine), or missing",
                  also=(W,), scope="server and fleet")
WRONG_VALUE_KIND = _code("NL108", "wrong-value-kind", E, "a value of the wrong kind for its option",
                         also=(W,), scope="server")
SMALL_JS_CLUSTER = _code("NL109", "small-jetstream-cluster", W,
                         "a JetStream cluster of 2 (or an even number of) servers", scope="fleet")
LEAF_ACCOUNT_UNDEFINED = _code(
    "NL111", "leaf-account-undefined", E, "a leaf remote binds an account its server does not define",
    scope="server", since="0.2.0")
JWT_INVALID = _code("NL112", "jwt-invalid", E,
                    "operator mode nats-server refuses: an operator JWT, a system account its resolver lacks, "
                    "no_auth_user, an account the operator did not sign, a leaf's creds file", also=(W,), scope="server", since="0.3.0")
STARTUP_REFUSAL = _code("NL113", "startup-refusal", E,
                        "a config `nats-server -t` accepts but the server refuses when it starts (a cluster "
                        "and gateway of different names, websocket without TLS, max_payload over max_pending, "
                        "a lame duck grace period not shorter than the duration, MQTT without a server name or JetStream, "
                        "a gateway without a name, a port or a URL)", scope="server", since="0.3.0")
OPTION_REJECTED = _code("NL114", "option-rejected", E,
                        "a value nats-server rejects as it reads its options: users that clash, names with spaces",
                        scope="server", since="0.3.0")
UNKNOWN_FLAG = _code("NL110", "unknown-flag", E,
                     "a command-line flag nats-server does not define: it prints its usage and exits",
                     scope="server", since="0.2.0")

# -- JetStream domains (NL2xx) -------------------------------------------------------------
DUPLICATE_DOMAIN_CLAIM = _code(
    "NL201", "duplicate-domain-claim", E,
    "two separate JetStreams carry the same domain and are reachable from the same account", also=(I,),
    scope="fleet")
LEAF_REUSES_DOMAIN = _code(
    "NL202", "leaf-reuses-domain", E,
    "a leaf server sets the domain of the JetStream it connects to, without a valid extension", scope="fleet")
CLUSTER_DOMAIN_MISMATCH = _code(
    "NL203", "cluster-domain-mismatch", E, "servers of one cluster have different JetStream domains",
    scope="fleet")
LEAF_JETSTREAM_WITHOUT_DOMAIN = _code(
    "NL204", "leaf-jetstream-without-domain", W,
    "a leaf runs JetStream without a domain while its hub runs JetStream too", also=(E,), scope="fleet")
HUB_JETSTREAM_WITHOUT_DOMAIN = _code(
    "NL205", "hub-jetstream-without-domain", W,
    "a JetStream that leaf-attached clients need has no domain, so no leaf can reach it", also=(E,),
    scope="fleet")

# -- wasmCloud hosts and wadm (NL3xx) --------------------------------------------------------
HOST_DOMAIN_UNKNOWN = _code(
    "NL301", "host-domain-unknown", E, "a host's or wadm's JetStream domain is claimed by no server in the fleet",
    also=(I,), scope="fleet")
HOST_DOMAIN_UNREACHABLE = _code(
    "NL302", "host-domain-unreachable", E,
    "the domain exists, but the host's server cannot reach it, or reaches another JetStream", scope="fleet")
HOST_DOMAIN_MISSING = _code(
    "NL303", "host-domain-missing", E,
    "a host behind a leaf sets no domain while its lattice's JetStream is only across the leaf", scope="fleet")
LATTICE_DOMAIN_SPLIT = _code(
    "NL304", "lattice-domain-split", E,
    "hosts of one lattice reach different JetStreams, so links and config silently split", scope="fleet")
HOST_ENV_LEGACY = _code(
    "NL305", "host-env-legacy", W, "a host or wadm setting that this version ignores, or an empty domain",
    scope="fleet")

# -- wiring (NL4xx) ----------------------------------------------------------------------------
LEAF_REMOTE_WRONG_PORT = _code(
    "NL401", "leaf-remote-wrong-port", E, "a leaf remote URL points at a client, route or gateway port",
    also=(W,), scope="fleet")
LEAF_REMOTE_NO_LISTENER = _code(
    "NL402", "leaf-remote-no-listener", E,
    "a leaf remote URL names a server that has no leafnode listener on that port", also=(W,), scope="fleet")
LEAF_CLUSTER_NAME_CLASH = _code(
    "NL403", "leaf-cluster-name-clash", E,
    "a leaf's cluster name equals its hub's, or unrouted leaves share one into the same hub account", scope="fleet")
DUPLICATE_SERVER_NAME = _code(
    "NL404", "duplicate-server-name", E, "two servers share a server_name", also=(W,), scope="fleet")
REMOTE_URLS_SPLIT = _code(
    "NL405", "remote-urls-split", E, "one leaf remote's urls reach different clusters or JetStreams",
    scope="fleet", since="0.2.0")
PORT_CONFLICT = _code(
    "NL407", "port-conflict", E, "two servers on one machine (or in one pod or service) bind the same port, or two compose services "
    "publish the same host port",
    scope="fleet", since="0.2.0")
ROUTE_MISMATCH = _code(
    "NL408", "route-mismatch", E, "a route reaches a server of another cluster, or no server of the fleet",
    also=(I,), scope="fleet", since="0.2.0")
DUPLICATE_LEAF_LINK = _code(
    "NL409", "duplicate-leaf-link", W,
    "several remotes of one server reach the same cluster and account: every message crosses each of them",
    scope="fleet", since="0.3.0")
LEAF_LINK_UNUSABLE_ACCOUNT = _code(
    "NL410", "leaf-link-unusable-account", W,
    "a leaf remote binds an account that no client of its server can log into", scope="fleet", since="0.3.0")
LEAF_TLS_MISMATCH = _code(
    "NL411", "leaf-tls-mismatch", E,
    "the two sides of a leaf link do not agree on TLS, so the link never comes up (a warning where a public CA "
    "would let it)", also=(W,), scope="fleet", since="0.3.0")
UNRESOLVED_ADDRESS = _code(
    "NL406", "unresolved-address", I,
    "an address the fleet cannot resolve (a mistyped service or a wrong port: error); that link or host is "
    "treated as external", also=(E,), scope="fleet")

# -- changes (NL5xx): what a change does to running servers (`check --since REF`) ------------
RESTART_REQUIRED = _code(
    "NL501", "restart-required", W,
    "a changed option that the server's nats-server version does not reload: it takes effect only at the next "
    "restart (a warning where a reloader will try; info otherwise)", also=(I,), scope="change", since="0.3.0")
IDENTITY_CHANGED = _code(
    "NL502", "identity-changed", E,
    "the server_name, cluster name or gateway name of a JetStream server changes", scope="change", since="0.3.0")
JETSTREAM_MOVED = _code(
    "NL503", "jetstream-moved", E,
    "a change moves a server's JetStream: a new domain, another store_dir or volume, or JetStream turned off "
    "(a warning where no stream is stranded)", also=(W,), scope="change", since="0.3.0")
ACCOUNT_MOVED = _code(
    "NL504", "account-moved", W,
    "a user or a leaf remote moves to another account: its subscriptions and streams stay behind",
    scope="change", since="0.3.0")

# -- suppressions ------------------------------------------------------------------------------
UNUSED_SUPPRESSION = _code("NL901", "unused-suppression", I,
                           "a natslint suppression comment that suppresses nothing", scope="any file")

CODES: tuple[Code, ...] = tuple(
    v for v in list(globals().values()) if isinstance(v, Code))
INPUT_CODES: tuple[Code, ...] = tuple(c for c in CODES if c.code.startswith("NL0"))
BY_CODE: dict[str, Code] = {c.code: c for c in CODES}


# Codes of custom rules (natslint.custom: plugins and `[[rules.custom]]`), registered when they
# are loaded; never an `NL` code.
_CUSTOM: dict[str, Code] = {}


def register_custom(code: Code) -> None:
    _CUSTOM[code.code] = code


def all_codes() -> tuple[Code, ...]:
    """The built-in codes and every custom code registered so far."""
    return (*CODES, *_CUSTOM.values()) if _CUSTOM else CODES


def get(code_or_name: str) -> Code | None:
    """A code by its code (``NL202``, any case) or its name (``leaf-reuses-domain``)."""
    key = code_or_name.strip().lower()
    return next((c for c in all_codes() if c.code.lower() == key or c.name == key), None)


def doc_url(code: str, name: str) -> str:
    custom = _CUSTOM.get(code)
    if custom is not None:
        return custom.url or f"{__url__}#rules-of-your-own"
    return f"{__url__}/blob/main/rules/{code}-{name}.md"
