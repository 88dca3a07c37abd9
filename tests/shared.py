"""Access to the read-only reference material in ../shared (absent in a user's clone)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NoReturn

import pytest

SHARED = Path(os.environ.get("NATSLINT_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))


def missing(reason: str) -> NoReturn:
    """Skip with the reason; under CI=true, fail: CI must never pass by running less."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: required)", pytrace=False)
    pytest.skip(reason)


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        missing(f"reference material {path} is absent (it lives beside the repo in ../shared)")
    return path


def shared_json(*parts: str) -> dict:
    return json.loads(shared_path(*parts).read_text(encoding="utf-8"))


def load_json_if_present(*parts: str) -> dict | None:
    path = SHARED.joinpath(*parts)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write each `relative path: text` under ``root`` (folders made as needed); returns root."""
    for name, body in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return root
