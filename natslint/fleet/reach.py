"""JetStream reachability: for a client in account A on server S, which JetStream(s) answer
``$JS.API`` and ``$JS.<d>.API``?  Every domain rule is computed from this one function.

It implements the server's per-connection decision (nats-server `leafnode.go`, verified live by
`natslint prove`):
- a JetStream is a cluster's JetStream-enabled servers, plus leaf servers that properly
  extend it over a shared system account (hub clustered; leaf clustered or `will_extend`);
- the plain API never crosses an app-account leaf link (the client JS denies);
- the domain-prefixed API crosses leaf links, is answered by the first JetStream on the
  path that carries that domain, and goes no further (the outgoing domain block);
- several answering JetStreams mean a split (more than one reply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from natslint.fleet.extension import Extension, extension_of
from natslint.fleet.groups import Groups
from natslint.fleet.twins import leaderless, unrouted_twin
from natslint.fleet.model import GLOBAL_ACCOUNT, UNKNOWN_ACCOUNT, Cluster, Fleet, Host, Remote, Server
from natslint.fleet.subjects import denies, imported_api, imports_plain_api


def same_account(a: str, b: str) -> bool:
    return a == b or a == UNKNOWN_ACCOUNT or b == UNKNOWN_ACCOUNT


@dataclass(slots=True, eq=False)
class JetStream:
    """One JetStream: a meta group, named by the servers that run it."""

    id: int
    clusters: list[Cluster]
    servers: list[Server] = field(default_factory=list)  # its JetStream-enabled servers
    domains: set = field(default_factory=set)  # the domains they carry (None: unset)

    def seal(self) -> None:
        """Fix the derived lists once the clusters are all in (they never change after)."""
        self.servers = [s for c in self.clusters for s in c.servers if s.js_enabled.value and not s.refuses]
        self.domains = {s.domain.value for s in self.servers}

    @property
    def label(self) -> str:
        return f"the JetStream of {self.short_label}"

    @property
    def short_label(self) -> str:
        """Whose JetStream it is: `server `x``, `cluster `hub` (a, b, c)`, or its servers."""
        servers = self.servers
        if len(servers) == 1:
            return servers[0].label
        names = ", ".join(str(s.server_name.value or s.id) for s in servers[:4]) + \
            (", ..." if len(servers) > 4 else "")
        named = next((c.name for c in self.clusters if c.name), None)
        return f"cluster `{named}` ({names})" if named else names


def short_labels(js_list: list[JetStream], empty: str) -> str:
    """`a + b`, for a list of JetStreams; ``empty`` when there is none."""
    return " + ".join(js.short_label for js in js_list) or empty


@dataclass(slots=True)
class Linked:
    """What rules ask of a set of clusters joined by leaf links."""

    external: list[Remote]  # leaf remotes to servers outside the checked tree
    carried: set  # every domain set on any of their servers (None: unset)
    domains: set[str]  # the domains of their JetStream-enabled servers


# What a JetStream API request gets back: one enum for what the model predicts and what a
# live server answers (natslint prove).
REPLY_CLASSES = ("no_responders", "jetstream", "error_reply", "several", "timeout")


@dataclass(slots=True)
class Prediction:
    """What a `$JS.API` request from one place gets back: which JetStream answers, or none."""

    kind: str  # one of REPLY_CLASSES
    jetstreams: list[JetStream] = field(default_factory=list)  # jetstream: one; several: all
    error_from: Server | None = None  # error_reply: the server that answers with the error
    # error_reply: 10039 `JetStream not enabled for account`, or 10008 `JetStream system
    # temporarily unavailable` (a JetStream whose meta group never elects a leader)
    err_code: int = 10039
    # the request leaves over parallel leaf links into one cluster and account (NL409): the
    # JetStream gets it once per link, and may answer each time
    repeated: bool = False
    # jetstreams[1:] handle the request too: a system-account link the server treats as an
    # extension joins standalone JetStreams, so each runs every API request of the other
    # (assets on both, one reply or two: see Reach.mirrors)
    mirrored: bool = False
    loosely: bool = False  # mirrored, but which of them answer, and what each holds, varies
    # nats-server's own behaviour varies: the request may also time out (a member that shares
    # its name with another and that no route leads to: its routes are kept or refused by
    # whichever twin the others met first)
    may_time_out: bool = False


class Reach:
    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self._of_host: dict[int, list[JetStream]] = {}  # host_jetstreams, asked by several rules
        self.extensions: list[Extension] = []
        groups = Groups(c.id for c in fleet.clusters)
        mirrored: list[tuple[int, int, bool]] = []  # clusters whose JetStreams run each other's requests
        self.edges: dict[int, list[tuple[str, int, str, Remote]]] = {c.id: [] for c in fleet.clusters}
        # server -> (its account, the server across a leaf link, that side's account, subjects
        # the link will not carry in this direction: the remote's deny_exports or deny_imports)
        self.server_edges: dict[str, list[tuple[str, Server, str, list[str]]]] = {}
        for s in fleet.servers:
            for r in s.remotes:
                hub = r.hub
                if hub is None or not s.link_comes_up(r):
                    continue
                cl, ch = fleet.cluster_of[s.id].id, fleet.cluster_of[hub.id].id
                self.edges[cl].append((r.account, ch, r.hub_account, r))
                self.edges[ch].append((r.hub_account, cl, r.account, r))
                self.server_edges.setdefault(s.id, []).append((r.account, hub, r.hub_account, r.deny_exports))
                self.server_edges.setdefault(hub.id, []).append((r.hub_account, s, r.account, r.deny_imports))
                ext = extension_of(fleet, s, r, hub)
                if ext is not None:
                    self.extensions.append(ext)
                    if ext.valid:
                        groups.join(cl, ch)
                    elif ext.mirrors:
                        mirrored.append((cl, ch, ext.mirrors == "some"))
        for s in fleet.servers:  # a super-cluster (gateways) is one JetStream meta group
            for t in s.gateway_targets:
                groups.join(fleet.cluster_of[s.id].id, fleet.cluster_of[t.id].id)
        self.js_by_root: dict[int, JetStream] = {}
        self.js_of_cluster: dict[int, JetStream] = {}
        for c in fleet.clusters:
            root = groups.find(c.id)
            js = self.js_by_root.setdefault(root, JetStream(root, []))
            js.clusters.append(c)
            self.js_of_cluster[c.id] = js
        for root, js in list(self.js_by_root.items()):
            js.seal()
            if not js.servers:
                del self.js_by_root[root]
        self._mirrors = self._mirror_groups(mirrored)
        self._leaderless: dict[int, bool] = {}  # JetStream id -> it never elects a meta leader
        self._claims: dict[str, list[JetStream]] = {}
        for js in self.js_by_root.values():
            for d in js.domains:
                if d:
                    self._claims.setdefault(d, []).append(js)
        self._answers: dict[tuple[str, str, str | None], list[JetStream]] = {}
        self._linked_sets: dict[int, Linked] | None = None  # cluster id -> its linked clusters
        self._servers = {s.id: s for s in fleet.servers}
        self._next: dict[tuple[str, str], list[tuple[str, str, bool]]] = {}
        self._closures: dict[str, dict[tuple, frozenset[int]]] = {}

    def _mirror_groups(self, pairs: list[tuple[int, int, bool]]) -> dict[int, list[JetStream]]:
        joined = Groups(self.js_by_root)
        self._loose: set[int] = set()  # JetStreams of a group where what answers varies
        for a, b, loose in pairs:
            ja, jb = self.js_of_cluster[a], self.js_of_cluster[b]
            if ja.id in self.js_by_root and jb.id in self.js_by_root:
                joined.join(ja.id, jb.id)
                self._loose |= {ja.id, jb.id} if loose else set()
        out: dict[int, list[JetStream]] = {}
        for i in self.js_by_root:
            out.setdefault(joined.find(i), []).append(self.js_by_root[i])
        return {js.id: group for group in out.values() if len(group) > 1 for js in group}

    def leaderless(self, js: JetStream) -> bool:
        known = self._leaderless.get(js.id)
        if known is None:
            known = self._leaderless[js.id] = leaderless(js.clusters, js.servers)
        return known

    def mirrors(self, js: JetStream) -> list[JetStream]:
        """The other JetStreams that run every API request ``js`` gets, and it theirs: standalone
        servers whose system-account link the server treats as an extension (decision table
        row 6, verified live): a request is handled on both sides, a create makes the asset on
        both, and the client gets one reply or two."""
        return [j for j in self._mirrors.get(js.id, ()) if j is not js]

    def loosely_mirrored(self, js: JetStream) -> bool:
        """A clustered hub, a standalone leaf without `will_extend` (row 5, live): which requests each runs varies."""
        return js.id in self._loose

    # -- the question -------------------------------------------------------------------------

    def jetstream_of(self, server: Server) -> JetStream | None:
        js = self.js_of_cluster.get(self.fleet.cluster_of[server.id].id)
        return js if js is not None and js.servers else None

    def answers(self, server: Server, account: str, domain: str | None) -> list[JetStream]:
        """The JetStreams that answer `$JS.API` (domain None) or `$JS.<domain>.API`.

        The plain API is answered inside the client's cluster (its API interest travels over
        routes).  A domain request is answered through a domain mapping, and the server applies
        mappings only to messages from clients and leaf connections, never to messages from a
        route: so it is answered where it enters a server that carries the domain, at the
        client's own server or across a leaf link, and cluster peers only carry it on to their
        own leaf links.  Verified live by `natslint prove` on every fixture.
        """
        if server.refuses:
            return []  # it never starts: nothing answers its clients
        key = (server.id, account, domain)
        cached = self._answers.get(key)
        if cached is None:
            cached = self._answers[key] = self._answer(server, account, domain)
        return list(cached)

    def predict(self, server: Server, account: str, domain: str | None) -> Prediction:
        """The reply class of a request from a client in `account` on `server`, as the live
        servers showed it:
        - the JetStreams that answer (one, or several);
        - else an error reply (503, err_code 10039 `JetStream not enabled for account`) when
          the client's own server runs JetStream and the account has none: for the plain API
          and for the server's own domain; but no reply at all (a timeout) when a leaf link is
          bound to that account on that server;
        - else a timeout when the request crosses a leaf link into an account without
          JetStream on a server that carries the domain (that server has interest, and drops it);
        - else no responders."""
        js = self.answers(server, account, domain)
        if js:
            if len(js) == 1 and self.leaderless(js[0]):
                return Prediction("error_reply", js, err_code=10008)
            if len(js) == 1 and self.mirrors(js[0]):
                return Prediction("jetstream", js + self.mirrors(js[0]), mirrored=True,
                                  loosely=self.loosely_mirrored(js[0]))
            return Prediction("jetstream" if len(js) == 1 else "several", js,
                              repeated=self._parallel_links(server, account), may_time_out=unrouted_twin(self.fleet.cluster_of[server.id], server))
        if server.js_enabled.value and account != UNKNOWN_ACCOUNT and not server.account_has_js(account) \
                and (domain is None or domain == server.domain.value) and not imports_plain_api(server, account):
            # with a leaf link bound to that account, the server sends no error (live: nothing comes back)
            linked = any(same_account(account, acc) for acc, _, _, _ in self.server_edges.get(server.id, ()))
            return Prediction("timeout") if linked else Prediction("error_reply", [], server)
        if domain is not None and self._swallowed(server, account, domain):
            return Prediction("timeout")
        return Prediction("no_responders")

    def _parallel_links(self, server: Server, account: str) -> bool:
        seen: set[tuple[int, str]] = set()
        for r in server.remotes:
            if r.hub is None or not same_account(account, r.account) or not server.link_comes_up(r):
                continue
            key = (id(self.fleet.cluster_of[r.hub.id]), r.hub_account)
            if key in seen:
                return True
            seen.add(key)
        return False

    def _swallowed(self, server: Server, account: str, domain: str) -> bool:
        start = (server.id, account, True)
        seen, todo = {start}, [start]
        while todo:
            state = todo.pop()
            at = self._servers[state[0]]
            if state is not start and state[2] and at.domain.value == domain and at.js_enabled.value \
                    and state[1] != UNKNOWN_ACCOUNT and not at.account_has_js(state[1]):
                return True
            for nxt in self._step(state, domain)[1]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    def _answer(self, server: Server, account: str, domain: str | None) -> list[JetStream]:
        imported = imported_api(server, account, domain)
        if imported is not None:  # a service import hands the request to the exporting account
            other, other_domain = imported
            return self.answers(server, other, other_domain) if other != account else []
        if domain is None:
            mapped = server.default_js_domain.get(account)
            if mapped:
                return self.answers(server, account, mapped)
            js = self.js_of_cluster.get(self.fleet.cluster_of[server.id].id)
            if js is not None and js.servers and any(s.account_has_js(account) for s in js.servers):
                return [js]
            return []
        if domain not in self._carried(server):
            return []  # no server a request from here can travel to carries this domain
        ids = self._closure((server.id, account, True), domain)
        return [self.js_by_root[i] for i in sorted(ids)]

    # A request travels as states (server, account, entered over a leaf link or as a client?).
    # It stops where such an entry maps the domain; otherwise it goes on to the server's
    # cluster peers (over routes: never mapped) and over its leaf links.  The answer is every
    # JetStream where it stops.  Each strongly connected set of states has one answer, so
    # Tarjan's algorithm finds it once per domain for all of them: a walk per question
    # would cross a whole star of leaves for each of its thousands of hosts.

    def _step(self, state: tuple[str, str, bool], domain: str) -> tuple[tuple[int, ...], list]:
        """(JetStreams the request stops at here, the states it goes on to)."""
        sid, acc, entry = state
        at = self._servers[sid]
        if entry and self._maps(at, acc, domain):
            js = self.jetstream_of(at)
            return ((js.id,) if js is not None else ()), []
        key = (sid, acc)
        nxt = self._next.get(key)
        if nxt is None:
            nxt = [((p.id, acc, False), ()) for p in self.fleet.cluster_of[sid].servers if p is not at]
            nxt += [((other.id, other_acc, True), deny)
                    for local_acc, other, other_acc, deny in self.server_edges.get(sid, ())
                    if same_account(acc, local_acc)]
            self._next[key] = nxt
        return (), [state for state, deny in nxt if not deny or not denies(deny, domain)]

    def _closure(self, start: tuple[str, str, bool], domain: str) -> frozenset[int]:
        done = self._closures.setdefault(domain, {})
        if start in done:
            return done[start]
        own, nxt = self._step(start, domain)
        if all(w in done for w in nxt):  # the usual case after the first host of a site
            answer = frozenset(own).union(*(done[w] for w in nxt))
            done[start] = answer
            return answer
        index: dict[tuple, int] = {}
        low: dict[tuple, int] = {}
        found: dict[tuple, set[int]] = {}
        stack: list[tuple] = []
        on_stack: set[tuple] = set()
        work: list[tuple[tuple, Iterator | None]] = [(start, None)]
        while work:
            v, successors = work[-1]
            if successors is None:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
                own, nxt = self._step(v, domain)
                found[v] = set(own)
                successors = iter(nxt)
                work[-1] = (v, successors)
            descended = False
            for w in successors:
                if w in done:
                    found[v] |= done[w]
                elif w not in index:
                    work.append((w, None))
                    descended = True
                    break
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            work.pop()
            if low[v] == index[v]:  # v roots a strongly connected set: its answer is final
                members, total = [], set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    members.append(w)
                    total |= found[w]
                    if w == v:
                        break
                answer = frozenset(total)
                for w in members:
                    done[w] = answer
            if work:
                u = work[-1][0]
                if v in done:
                    found[u] |= done[v]
                else:
                    low[u] = min(low[u], low[v])
        return done[start]

    def _maps(self, s: Server, account: str, domain: str) -> bool:
        """Does `s` map `$JS.<domain>.API` to a JetStream for this account?"""
        if s.domain.value != domain:
            return False
        js = self.jetstream_of(s)
        if js is None:
            return False
        return s.account_has_js(account) or (not s.js_enabled.value and
                                             any(x.account_has_js(account) for x in js.servers))

    def _linked(self, server: Server) -> Linked:
        """The clusters leaf links join this server's cluster to (either direction, whether
        or not JetStream extends over them), with what rules ask of them; found once per run."""
        if self._linked_sets is None:
            self._linked_sets = {}
            clusters = {c.id: c for c in self.fleet.clusters}
            for c in self.fleet.clusters:
                if c.id in self._linked_sets:
                    continue
                members, todo = [c], [c.id]
                seen = {c.id}
                while todo:
                    for _, other, _, _ in self.edges[todo.pop()]:
                        if other not in seen:
                            seen.add(other)
                            members.append(clusters[other])
                            todo.append(other)
                servers = [x for m in members for x in m.servers]
                linked = Linked(
                    external=[r for x in servers for r in x.remotes if r.hub is None],
                    carried={x.domain.value for x in servers},
                    domains={x.domain.value for x in servers if x.js_enabled.value
                             and isinstance(x.domain.value, str) and x.domain.value})
                for cid in seen:
                    self._linked_sets[cid] = linked
        return self._linked_sets[self.fleet.cluster_of[server.id].id]

    def external_links(self, server: Server) -> list[Remote]:
        """Unresolved leaf remotes anywhere in this server's linked clusters, its own
        cluster's first: past them, the fleet is not known, so "unreachable" cannot be claimed."""
        own = [r for s in self.fleet.cluster_of[server.id].servers for r in s.remotes if r.hub is None]
        mine = {id(r) for r in own}
        return own + [r for r in self._linked(server).external if id(r) not in mine]

    def _carried(self, server: Server) -> set:
        """Every domain set on any server of this server's linked clusters (whether or not
        its JetStream is on): the only domains a request from here can be mapped to.
        Without this, each host asking for a domain nobody near has would walk its whole
        region (quadratic in a star of leaves that all carry one typo)."""
        return self._linked(server).carried

    def linked_domains(self, server: Server) -> set[str]:
        """The domains set by JetStream servers in this server's linked clusters."""
        return self._linked(server).domains

    def claims(self, domain: str) -> list[JetStream]:
        return list(self._claims.get(domain, ()))

    def host_account(self, host: Host) -> str:
        s = host.server
        if s is None:
            return UNKNOWN_ACCOUNT
        if any(k.endswith(("_CREDS", "_JWT", "_SEED")) and ("CTL" in k or "NATS" in k)
               for k in host.env_names):
            return UNKNOWN_ACCOUNT
        if s.no_auth_account:
            return s.no_auth_account
        return GLOBAL_ACCOUNT if not s.app_accounts else UNKNOWN_ACCOUNT

    def host_jetstreams(self, host: Host) -> list[JetStream]:
        """The JetStream(s) a host's (or wadm's) bucket requests land on."""
        if host.server is None:
            return []
        hit = self._of_host.get(id(host))
        if hit is None:
            domain = host.domain.value if isinstance(host.domain.value, str) and host.domain.value else None
            hit = self._of_host[id(host)] = self.answers(host.server, self.host_account(host), domain)
        return hit
