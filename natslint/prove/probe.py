"""One probe: a JetStream API request from a client in one account on one server, what the
model predicts for it and what the live server answered, in the reply classes of
:data:`natslint.fleet.reach.REPLY_CLASSES`; and how a probe logs in and makes its marker."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from natslint.fleet.model import GLOBAL_ACCOUNT, UNKNOWN_ACCOUNT, Server
from natslint.fleet.reach import Prediction
from natslint.prove.render import LOOPBACK

MARKER = "NATSLINT_J"  # the name of the stream that tells which JetStream answered


@dataclass(slots=True)
class Observed:
    """What came back to one probe, in the reply classes of :data:`REPLY_CLASSES`."""

    kind: str
    jetstreams: list[int] = field(default_factory=list)  # JetStream ids, by their marker streams
    errors: list[dict] = field(default_factory=list)  # {"code", "err_code", "description"}
    replies: int = 0  # replies other than "no responders"
    unmarked: int = 0  # replies that list no marker stream: from a JetStream prove did not mark


@dataclass(slots=True)
class Probe:
    who: str  # host/wadm label, or server label
    server: Server
    account: str
    domain: str | None
    predicted: Prediction
    observed: Observed | None = None  # None: not probed (note says why)
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.observed is None:
            return None
        seen, want = self.observed, self.predicted
        if want.may_time_out and seen.kind == "timeout":
            return True  # where nats-server's own answer varies (Prediction.may_time_out)
        if want.mirrored and want.loosely:
            # which of them answer, and which markers each holds, varies from run to run
            ids = {j.id for j in want.jetstreams}
            return seen.kind in ("jetstream", "several") and seen.replies >= 1 and \
                bool(seen.jetstreams) and set(seen.jetstreams) <= ids and seen.replies <= len(ids)
        if want.mirrored:
            # every JetStream of the group ran each marker's create, so any reply lists them all;
            # one of them answers, or more (live: usually one)
            return seen.kind in ("jetstream", "several") and not seen.errors and \
                sorted(seen.jetstreams) == sorted(j.id for j in want.jetstreams) and \
                1 <= seen.replies <= len(want.jetstreams)
        if want.repeated and want.kind == "jetstream" and seen.kind in ("jetstream", "several"):
            # one JetStream, once per parallel link: how many of its answers arrive varies
            return not seen.errors and sorted(set(seen.jetstreams)) == [want.jetstreams[0].id]
        if seen.kind != want.kind:
            return False
        if want.kind == "error_reply":
            return any(e.get("err_code") == want.err_code for e in seen.errors)
        if want.kind in ("jetstream", "several"):
            return sorted(seen.jetstreams) == sorted(j.id for j in want.jetstreams) and \
                seen.replies == len(want.jetstreams)
        return True


def classify(statuses: int, bodies: list[dict]) -> Observed:
    """The reply class of what a request got back: ``statuses`` "no responders" statuses,
    ``bodies`` the JSON replies."""
    errors = [b["error"] for b in bodies if isinstance(b.get("error"), dict)]
    answers = [b for b in bodies if not isinstance(b.get("error"), dict)]
    ids = sorted({int(n[len(MARKER):].split("_")[0]) for b in answers for n in (b.get("streams") or [])
                  if str(n).startswith(MARKER)})
    total = len(bodies)
    kind = ("no_responders" if statuses else "timeout") if total == 0 else \
        ("jetstream" if answers else "error_reply") if total == 1 else "several"
    unmarked = sum(1 for b in answers if not any(str(n).startswith(MARKER) for n in (b.get("streams") or [])))
    return Observed(kind, ids, [{k: e.get(k) for k in ("code", "err_code", "description")} for e in errors],
                    len(answers), unmarked)


def login_for(server: Server, account: str, documents: dict, creds: dict[str, str] | None = None) -> dict | None:
    """Connect options for a client in `account` on `server` (a user with a plain password in
    its config, as this instance reads it; in operator mode, a creds file of the tree whose user
    belongs to the account); {} when the server asks for no login; None when natslint has no way
    in (bcrypt or nkey users, JWTs without creds)."""
    if server.operator_mode and (creds or {}).get(account):
        import os

        return {"user_credentials": os.path.abspath(creds[account])}  # type: ignore[index]
    if server.no_auth_account == account:
        return {}  # an anonymous client lands in that account (`no_auth_user`)
    if account in (GLOBAL_ACCOUNT, UNKNOWN_ACCOUNT) and not server.app_accounts:
        top = _users(_config(server, documents), None)
        return {} if not top else next((u for u in top if u), None)
    users = _users(_config(server, documents), account)
    return next((u for u in users if u), None)


def _config(server: Server, documents: dict) -> dict:
    from natslint.syntax.model import plain

    doc = server.document or documents.get(server.path)
    root = getattr(doc, "root", None)
    cfg = plain(root) if root is not None else {}
    return cfg if isinstance(cfg, dict) else {}


def _users(cfg: dict, account: str | None) -> list[dict | None]:
    """The logins of an account's users (None for one natslint cannot use); ``account`` None:
    the top-level `authorization` users."""
    def get(d: object, key: str) -> object:
        return next((v for k, v in d.items() if str(k).lower() == key.lower()), None) if isinstance(d, dict) else None

    holder = get(get(get(cfg, "accounts"), account), "users") if account is not None else \
        get(get(cfg, "authorization"), "users")
    out: list[dict | None] = []
    for u in holder if isinstance(holder, list) else []:
        user, password = (get(u, "user"), get(u, "password")) if isinstance(u, dict) else (None, None)
        ok = isinstance(user, str) and isinstance(password, str) and not password.startswith("$2")
        out.append({"user": user, "password": password} if ok else None)
    if account is None:
        auth = get(cfg, "authorization")
        user, password = get(auth, "user"), get(auth, "password")
        if isinstance(user, str):
            out.append({"user": user, "password": password} if isinstance(password, str)
                       and not password.startswith("$2") else None)
    return out


async def _quiet(exc: Exception) -> None:
    """nats-py prints connection errors itself; the proof reports them in its table."""


async def request_replies(port: int, login: dict, subject: str, window: float) -> tuple[int, list[dict]]:
    """("no responders" statuses, JSON replies) to one request, collected for ``window`` s."""
    import nats

    nc = await nats.connect(servers=[f"nats://{LOOPBACK}:{port}"], allow_reconnect=False,
                            connect_timeout=2, error_cb=_quiet, **login)
    try:
        inbox = nc.new_inbox()
        sub = await nc.subscribe(inbox)
        await nc.publish(subject, b"", reply=inbox)
        statuses, out = 0, []
        end = time.monotonic() + window
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            try:
                msg = await sub.next_msg(timeout=left)
            except Exception:  # nats.errors.TimeoutError
                break
            if msg.headers and msg.headers.get("Status") == "503":
                statuses += 1
                continue
            try:
                body = json.loads(msg.data or b"{}")
            except ValueError:
                continue
            out.append(body if isinstance(body, dict) else {})
        return statuses, out
    finally:
        await nc.close()


async def create_marker(port: int, login: dict, js_id: int, account: str, deadline: float) -> bool:
    import nats

    name = f"{MARKER}{js_id}_{abs(hash(account)) % 10**6}"
    storage = "memory"
    while time.monotonic() < deadline:
        body = json.dumps({"name": name, "subjects": [f"natslint.probe.{name}"], "storage": storage,
                           "num_replicas": 1}).encode()
        try:
            nc = await nats.connect(servers=[f"nats://{LOOPBACK}:{port}"], allow_reconnect=False,
                                    connect_timeout=2, error_cb=_quiet, **login)
            try:
                msg = await nc.request(f"$JS.API.STREAM.CREATE.{name}", body, timeout=2)
                reply = json.loads(msg.data or b"{}")
                if "error" not in reply or reply["error"].get("err_code") == 10058:  # exists
                    return True
                if reply["error"].get("err_code") in (10028, 10047):  # no memory store: `max_memory_store: 0`, the NATS chart's default
                    storage = "file" if storage == "memory" else "memory"
            finally:
                await nc.close()
        except Exception:
            pass
        await asyncio.sleep(0.3)
    return False
