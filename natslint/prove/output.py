"""What `natslint prove` prints: a table per fleet (text), or one JSON document that
`output.schema.json` describes; and the exit code of the whole run."""

from __future__ import annotations

import json
from pathlib import Path

from natslint import __version__
from natslint.fleet.reach import JetStream, Prediction
from natslint.prove.probe import Observed, Probe
from natslint.prove.run import Proof, same_refusal
from natslint.redact import mask_urls
from natslint.words import count, verb

SCHEMA = Path(__file__).with_name("output.schema.json")


def exit_code(proofs: list[Proof]) -> int:
    """1 when any probe disagrees (even if a proof is also incomplete), else 3 when any proof
    is incomplete, else 0."""
    codes = [p.exit_code for p in proofs]
    return 1 if 1 in codes else 3 if 3 in codes else 0


def exit_reason(proofs: list[Proof]) -> str:
    bad = sum(p.mismatches for p in proofs)
    gaps = sum(len(p.incomplete) for p in proofs)
    if bad:
        return f"{count(bad, 'probe')} {verb(bad, 'disagrees', 'disagree')} with the model" + (f"; the proof is also incomplete ({gaps})" if gaps else "")
    if gaps:
        return f"the proof is incomplete: {count(gaps, 'part')} of the model {verb(gaps, 'was', 'were')} not tested"
    return "every probe agrees with the model, and the proof covers it all"


# -- reply classes ----------------------------------------------------------------------------

def _js(js: JetStream) -> str:
    return js.short_label


def predicted_dict(p: Prediction) -> dict:
    out: dict = {"class": p.kind}
    if p.kind == "jetstream":
        out["jetstream"] = _js(p.jetstreams[0])
        if p.repeated:
            out["repeated"] = True  # once per parallel leaf link (NL409)
        if p.may_time_out:
            out["or_timeout"] = True  # nats-server's own answer varies here
        if p.mirrored:
            out["mirrored"] = [_js(j) for j in p.jetstreams[1:]]  # they run each request too
            if p.loosely:
                out["loosely"] = True  # some requests, varying
    elif p.kind == "several":
        out["count"] = len(p.jetstreams)
        out["jetstreams"] = [_js(j) for j in p.jetstreams]
    elif p.kind == "error_reply":
        if p.error_from is not None or p.jetstreams:
            out["server"] = p.error_from.label if p.error_from is not None else p.jetstreams[0].label
        out["err_code"] = p.err_code
    return out


def observed_dict(o: Observed, probe: Probe, names: dict[int, str] | None = None) -> dict:
    """``names``: every JetStream of the fleet by id (its markers' number), so that a reply from
    one the probe did not predict is named too."""
    names = {**(names or {}), **{j.id: _js(j) for j in probe.predicted.jetstreams}}
    out: dict = {"class": o.kind, "replies": o.replies}
    if o.kind == "jetstream":
        out["jetstream"] = names.get(o.jetstreams[0], f"J{o.jetstreams[0]}") if o.jetstreams else "unmarked"
        if len(o.jetstreams) > 1:  # one reply that lists the markers of several JetStreams
            out["jetstreams"] = [names.get(i, f"J{i}") for i in o.jetstreams]
    elif o.kind == "several":
        out["count"] = o.replies + len(o.errors)
        out["jetstreams"] = [names.get(i, f"J{i}") for i in o.jetstreams]
    elif o.kind == "error_reply" and o.errors:
        out.update({k: v for k, v in o.errors[0].items() if v is not None})
    return out


def _say(d: dict) -> str:
    kind = d["class"]
    if kind == "jetstream" and len(d.get("jetstreams") or ()) > 1:
        return f"one reply, with the streams of {' + '.join(d['jetstreams'])}"
    if kind == "jetstream":
        return d["jetstream"] + "".join(f" + {m} ({'partly ' if d.get('loosely') else ''}mirrored)"
                                        for m in d.get("mirrored", ())) + \
            (" or timeout" if d.get("or_timeout") else "")
    if kind == "several":
        return f"{d['count']} replies: {', '.join(d.get('jetstreams') or [])}"
    if kind == "error_reply":
        return f"error {d.get('err_code', '?')}" + (f" from {d['server']}" if "server" in d else "")
    return kind.replace("_", " ")


# -- text -----------------------------------------------------------------------------------

def text_output(proofs: list[Proof]) -> str:
    out: list[str] = []
    for proof in proofs:
        if len(proofs) > 1:
            out.append(f"fleet {proof.name}:")
        rows = [("who", "domain", "predicted", "observed", "")]
        for p in proof.probes:
            mark = "✔" if p.ok else "✘" if p.ok is False else "-"
            seen = p.note if p.observed is None else _say(observed_dict(p.observed, p, proof.names))
            rows.append((f"{p.who} [{p.account}]", p.domain or "(none)", _say(predicted_dict(p.predicted)), seen, mark))
        # cells are never cut: a log or a CI page has no terminal width, and a cut name misleads
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4] for r in rows]
        out += [f"incomplete: {mask_urls(x)}" for x in proof.incomplete]
        out += [f"not proven: {mask_urls(x)}" for x in proof.not_proven]
        out += [f"mismatch: {mask_urls(x)}" for x in proof.startup_mismatches]
        out += [f"exits as predicted: {p.server.label}: {p.exited}" for p in proof.plans
                if p.exited and p.server.refuses and same_refusal(p.exited, p.server.refuses)]
        out += [f"note: {p.server.label}: {mask_urls(n)}" for p in proof.plans for n in p.notes]
        out += [f"note: {p.who} [{p.account}] {p.domain or '(none)'}: {p.note}" for p in proof.probes
                if p.observed is not None and p.note]
        verdict = count(proof.mismatches, "mismatch") + (", proof incomplete" if proof.incomplete else "")
        out.append(f"{count(len(proof.probes), 'probe')}, {verdict}, {count(len(proof.pids), 'server')} started and stopped, "
                   f"{proof.seconds:.1f} s")
    code = exit_code(proofs)
    out.append(f"exit {code}: {exit_reason(proofs)}")
    return "\n".join(out) + "\n"


# -- json -----------------------------------------------------------------------------------

def _verdict(p: Probe) -> str:
    return "not_run" if p.ok is None else "agrees" if p.ok else "disagrees"


def proof_dict(proof: Proof) -> dict:
    return {
        "fleet": proof.name,
        "servers": [{"name": p.server.label, "instance": p.server.id, "pid": p.pid,
                     "started": p.pid is not None and p.exited is None and not p.skipped,
                     **({"why_not": p.skipped} if p.skipped else {}),
                     **({"log": p.exited} if p.exited else {}),
                     **({"predicted_exit": p.server.refuses} if p.server.refuses else {})} for p in proof.plans],
        "links": [{"server": p.server.label, "kind": kind, "url": mask_urls(url), "carried": carried,
                   **({"why": why} if why else {})} for p in proof.plans for kind, url, carried, why in p.links],
        "probes": [{"who": p.who, "account": p.account, "domain": p.domain,
                    "predicted": predicted_dict(p.predicted),
                    "observed": observed_dict(p.observed, p, proof.names) if p.observed is not None else None,
                    "verdict": _verdict(p), **({"note": p.note} if p.note else {})} for p in proof.probes],
        "incomplete": [mask_urls(x) for x in proof.incomplete],
        "not_proven": [mask_urls(x) for x in proof.not_proven],
        "startup_mismatches": [mask_urls(x) for x in proof.startup_mismatches],
        "mismatches": proof.mismatches,
        "seconds": round(proof.seconds, 3),
    }


def json_output(proofs: list[Proof]) -> str:
    code = exit_code(proofs)
    doc = {"natslint": __version__, "fleets": [proof_dict(p) for p in proofs],
           "exit": {"code": code, "reason": exit_reason(proofs)}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
