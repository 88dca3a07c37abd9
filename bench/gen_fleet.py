"""Write a realistic fleet of N NATS servers (the same N and seed always give the same bytes).

    python bench/gen_fleet.py N OUT [--seed S] [--connected]

Per region: a 3-node hub cluster (JetStream domain `region-<r>`, leafnode listener); then edge
leaves, half with their own JetStream domain, half without; one shared accounts include and one
shared TLS include used by every server; `$VARS` from natslint.toml; an env file per host.  A few
mistakes are planted so the rules do real work: a leaf that reuses its hub's domain (NL202), a
host with a typo in its domain (NL301), a leaf remote aimed at a client port (NL401).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

LEAVES_PER_REGION = 47  # + 3 hubs = 50 servers a region


def a_leaf(out: Path) -> Path:
    """The leaf config the edit benchmarks edit: the first of region 3 (of the first region in a
    smaller workspace)."""
    return (sorted(out.glob("region-003/edge/*.conf")) or sorted(out.glob("region-*/edge/*.conf")))[0]


def edit_bench_args() -> argparse.Namespace:
    """The options the edit benchmarks share (bench_engine.py, bench_live.py)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=11)
    ap.add_argument("--connected", action="store_true", help="one super-cluster with its leaves (gen_fleet --connected)")
    return ap.parse_args()


def generate(n: int, out: Path, seed: int = 7, connected: bool = False) -> dict[str, int]:
    """``connected``: every region's hub cluster joins the others over gateways, so the whole
    workspace is one super-cluster (one JetStream domain, `hub`) with its leaves: one fleet."""
    rnd = random.Random(seed)
    regions = -(-n // (LEAVES_PER_REGION + 3))
    out.mkdir(parents=True, exist_ok=True)
    (out / "shared").mkdir(exist_ok=True)
    (out / "shared" / "accounts.inc").write_text(
        "# Accounts of every server in the fleet.\n"
        "accounts {\n"
        "  SYS { users: [ { user: sys, password: $SYS_PASS } ] }\n"
        "  APP {\n    jetstream: enabled\n    users: [ { user: leaf, password: $LEAF_PASS } ]\n  }\n"
        "}\nsystem_account: SYS\nno_auth_user: leaf\n")
    (out / "shared" / "limits.inc").write_text(
        "max_payload: 1MB\nmax_connections: 64K\nping_interval: \"30s\"\nwrite_deadline: \"10s\"\n")
    (out / "natslint.toml").write_text('[env]\nSYS_PASS = "s"\nLEAF_PASS = "l"\n')
    planted = {"NL202": 0, "NL301": 0, "NL401": 0}
    servers = 0
    region = 0
    while servers < n:
        r = region
        rdir = out / f"region-{r:03d}"
        (rdir / "hub").mkdir(parents=True, exist_ok=True)
        (rdir / "edge").mkdir(exist_ok=True)
        (rdir / "hosts").mkdir(exist_ok=True)
        hubs = [f"hub-{r}-{i}" for i in (1, 2, 3)]
        hub_domain = "hub" if connected else f"region-{r}"
        gateways = "" if not connected else (
            f"gateway {{\n  name: region-{r}\n  port: 7222\n  gateways: [\n" + "".join(
                f"    {{ name: region-{x}, urls: [ \"nats://hub-{x}-1:7222\" ] }}\n"
                for x in range(regions) if x != r) + "  ]\n}\n\n")
        for name in hubs:
            if servers >= n:
                break
            routes = "\n".join(f"    nats://{h}:6222" for h in hubs)
            (rdir / "hub" / f"{name}.conf").write_text(
                f"# Region {r} hub node.\nserver_name: {name}\nport: 4222\nhttp_port: 8222\n"
                f"include ../../shared/accounts.inc\ninclude ../../shared/limits.inc\n\n"
                f"jetstream {{\n  domain: {hub_domain}\n  store_dir: /data/jetstream\n  max_file_store: 100GB\n}}\n\n"
                f"cluster {{\n  name: region-{r}\n  port: 6222\n  routes: [\n{routes}\n  ]\n}}\n\n"
                f"{gateways}leafnodes {{\n  port: 7422\n}}\n")
            servers += 1
        for i in range(LEAVES_PER_REGION):
            if servers >= n:
                break
            name = f"edge-{r}-{i}"
            hub = hubs[i % 3]
            with_js = rnd.random() < 0.5
            domain = f"edge-{r}-{i}"
            if servers % 97 == 50 and with_js:
                domain = hub_domain  # planted: the leaf copies its hub's domain
                planted["NL202"] += 1
            port = 7422
            if servers % 389 == 200:
                port = 4222  # planted: the remote aims at the hub's client port
                planted["NL401"] += 1
            js = f"jetstream {{\n  domain: {domain}\n  store_dir: /var/lib/nats\n}}\n" if with_js else ""
            (rdir / "edge" / f"{name}.conf").write_text(
                f"# Edge site {i} of region {r}.\nserver_name: {name}\nport: 4222\n"
                f"include ../../shared/accounts.inc\ninclude ../../shared/limits.inc\n{js}"
                f"leafnodes {{\n  remotes: [\n    {{ url: \"nats-leaf://{hub}:{port}\", account: APP }}\n  ]\n}}\n")
            host_domain = hub_domain
            if servers % 131 == 60:
                host_domain = f"regoin-{r}"  # planted: a typo
                planted["NL301"] += 1
            (rdir / "hosts" / f"{name}.env").write_text(
                f"# wasmCloud host at edge site {i}\nWASMCLOUD_LATTICE=region-{r}\n"
                f"WASMCLOUD_NATS_HOST={name}\nWASMCLOUD_JS_DOMAIN={host_domain}\n")
            servers += 1
        region += 1
    return {"servers": servers, "regions": region, **planted}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--connected", action="store_true", help="one super-cluster over gateways: one fleet")
    args = ap.parse_args()
    print(generate(args.n, args.out, args.seed, args.connected))


if __name__ == "__main__":
    main()
