"""Whether the two sides of a leaf link agree on TLS, as the live servers showed it (nats-server
2.15.1, a private CA made by the tests):
- the accepting side's `leafnodes.tls` turns TLS on for every leaf that connects; a remote that
  has no `tls` of its own verifies the hub with the system's roots, so a private CA fails
  (`x509: certificate signed by unknown authority`), and the leaf's own `leafnodes.tls` is not
  used for it (nats-server#2868);
- `handshake_first: true` on one side only never connects: the hub waits for a TLS handshake
  while the leaf waits for INFO (`TLS leafnode handshake error: EOF`), or the leaf starts TLS
  while the hub sends INFO (`connection reset by peer`); a duration on the accepting side waits
  that long for TLS and then falls back, so it suits both (nats-server#4119);
- a remote with a `tls` block dialing a hub without TLS never connects (the hub logs
  `authentication error`); a `tls://` URL alone does connect to it;
- a hub whose `leafnodes.tls` verifies clients (`verify: true`) refuses a remote that presents no
  certificate (`tls: client didn't provide a certificate`).
"""

from __future__ import annotations

from dataclasses import dataclass

from natslint.fleet.model import Remote, Server


@dataclass(frozen=True, slots=True)
class Mismatch:
    """Why a leaf link's TLS settings cannot meet, in the servers' own words."""

    headline: str
    effect: str  # what the servers log, in their words
    fix: str
    surely: bool  # an error: the link never comes up; else a warning (a public CA would pass)


def tls_mismatch(leaf: Server, r: Remote, hub: Server) -> Mismatch | None:
    """Why the TLS of leaf remote ``r`` and of the leafnode listener of ``hub`` never agree."""
    if hub.synthetic or hub.config_unseen or leaf.config_unseen:
        return None  # a side natslint has not read: unknown
    accept, dial = hub.leaf_tls, r.tls
    first_here = dial is not None and dial.handshake_first is True
    first_there = accept is not None and accept.handshake_first is True
    if first_there and not first_here:
        return Mismatch("the hub waits for a TLS handshake first (`handshake_first: true`), and this remote does not "
                        "start one", "the leaf waits for the hub's INFO and the hub logs `TLS leafnode handshake "
                        "error: EOF`", "set `handshake_first: true` in the remote's `tls` too", True)
    if first_here and accept is not None and accept.handshake_first in (None, False):
        return Mismatch("this remote starts with a TLS handshake (`handshake_first: true`), and the hub sends its "
                        "INFO first", "the hub logs `TLS leafnode handshake error: ... connection reset by peer`",
                        "set `handshake_first: true` in the hub's `leafnodes.tls`, or remove it here", True)
    if accept is not None and accept.verify and dial is not None and not dial.certificate:
        return Mismatch("the hub asks every leaf for a certificate (`verify: true`), and this remote has none",
                        "the hub logs `TLS leafnode handshake error: tls: client didn't provide a certificate`",
                        "give the remote's `tls` a `cert_file` and `key_file` the hub's CA signed", True)
    if accept is None and dial is not None:
        return Mismatch("this remote starts TLS, and the hub's leafnode listener has none",
                        "the hub logs `authentication error` for every attempt",
                        "add `tls` to the hub's `leafnodes` block, or remove the remote's `tls`", True)
    if accept is not None and dial is None:
        own = leaf.leaf_tls
        private = (own is not None and own.ca) or accept.ca
        return Mismatch("the hub's leafnode listener requires TLS, and this remote has no `tls` of its own",
                        ("`leafnodes.tls` is for the leaves that connect to this server, not for its remotes: "
                         if own is not None else "") +
                        "the remote verifies the hub's certificate with the system's roots, so a private CA fails "
                        "(`x509: certificate signed by unknown authority`)",
                        "give the remote its own `tls { ca_file: ... }`" +
                        (" (move it from `leafnodes.tls`)" if own is not None else ""),
                        bool(private or own is not None))
    return None
