"""The change rules (NL5xx): they run only under `check --since REF`, over a ChangeContext
(natslint.since.context) instead of one fleet's Context, and are imported only then."""

from __future__ import annotations

from natslint.rules import (
    nl501_restart_required,
    nl502_identity_changed,
    nl503_jetstream_moved,
    nl504_account_moved,
)
from natslint.rules.base import Rule

CHANGE_RULES: tuple[Rule, ...] = (
    nl501_restart_required.RULE,
    nl502_identity_changed.RULE,
    nl503_jetstream_moved.RULE,
    nl504_account_moved.RULE,
)
