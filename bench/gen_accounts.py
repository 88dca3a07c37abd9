"""Write one config of N accounts, each with users, an export and an import (operators with
thousands of accounts in one file exist):

    python bench/gen_accounts.py N OUT.conf
"""

from __future__ import annotations

import sys


def config(n: int) -> str:
    out = ["server_name: accounts-hub", "port: 4222", "jetstream { store_dir: /data/js, domain: hub }", "accounts {"]
    for i in range(n):
        other = (i + 1) % n
        out.append(
            f"  ACC_{i:06d}: {{\n"
            f"    jetstream: enabled\n"
            f"    users: [ {{ user: u{i}, password: \"p-{i:06d}-secret\" }}, {{ user: svc{i}, password: \"s-{i:06d}\" }} ]\n"
            f"    exports: [ {{ stream: \"acc.{i}.events.>\" }}, {{ service: \"acc.{i}.api\" }} ]\n"
            f"    imports: [ {{ stream: {{ account: ACC_{other:06d}, subject: \"acc.{other}.events.>\" }} }} ]\n"
            "  }")
    out += ["}", "system_account: ACC_000000", ""]
    return "\n".join(out)


if __name__ == "__main__":
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        fh.write(config(int(sys.argv[1])))
