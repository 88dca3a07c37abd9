"""Rules of your own: Python plugins (the `natslint.rules` entry point group) and declarative
rules in natslint.toml (`[[rules.custom]]`).  Both report through the normal pipeline: codes,
located findings, suppressions, baselines and every output format.  A custom code is letters
then digits (`ACME001`) and never an `NL` code.
"""

from __future__ import annotations

import re

from natslint.codes import all_codes

CODE = re.compile(r"[A-Z]{2,}[0-9]+")
NAME = re.compile(r"[a-z]+(-[a-z0-9]+)*")


def code_problem(code: str, name: str) -> str | None:
    """Why a custom rule's code or name cannot be used, or None."""
    if not CODE.fullmatch(code or ""):
        return f"code `{code}`: a custom code is capital letters then digits, such as ACME001"
    if code.startswith("NL"):
        return f"code `{code}`: NL codes are natslint's own; choose a prefix of your own, such as ACME001"
    if not NAME.fullmatch(name or ""):
        return f"name `{name}`: a rule's name is kebab-case, such as leaf-denies-hub-api"
    taken = next((c for c in all_codes() if c.name == name and c.code != code), None)
    if taken is not None:
        return f"name `{name}` is taken by {taken.code}"
    return None
