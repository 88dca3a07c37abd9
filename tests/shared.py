"""Access to the read-only reference material in ../shared (absent in a user's clone)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("NATSLINT_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference material {path} is absent (it lives beside the repo in ../shared)")
    return path


def shared_json(*parts: str) -> dict:
    return json.loads(shared_path(*parts).read_text(encoding="utf-8"))


def load_json_if_present(*parts: str) -> dict | None:
    path = SHARED.joinpath(*parts)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
