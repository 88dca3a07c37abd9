"""Derive natslint/data/nats_options.json from ../shared/spec/nats-options.json.

Only facts are kept (block and key names, aliases, value kinds and types, nested blocks, the
server's exact error texts); the prose is not.  Run `python tests/options_table.py` after the
spec changes; tests/test_options_table.py checks that the shipped table is up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "natslint" / "data" / "nats_options.json"
SPEC = ROOT.parent / "shared" / "spec" / "nats-options.json"
KEY_FIELDS = ("aliases", "kind", "types", "warn_types", "block", "items", "values", "values_case_sensitive",
              "type_error", "range")


def derive(spec: dict) -> dict:
    blocks = {}
    for name, b in sorted(spec["blocks"].items()):
        unknown = b.get("unknown_key", {})
        blocks[name] = {
            "match": b.get("match"),
            "unknown": {k: unknown.get(k) for k in ("result", "message", "variable_exempt", "stops_block")},
            "keys": {k: {f: v[f] for f in KEY_FIELDS if f in v} for k, v in sorted(b.get("keys", {}).items())},
        }
    return {"source_commit": spec["_meta"]["commit"], "contexts": spec["contexts"], "blocks": blocks}


if __name__ == "__main__":
    if not SPEC.exists():
        sys.exit(f"{SPEC} is absent")
    SHIPPED.write_text(json.dumps(derive(json.loads(SPEC.read_text())), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SHIPPED}")
