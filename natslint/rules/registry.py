"""The rule registry: one explicit tuple, in code order."""

from __future__ import annotations

from natslint.rules import (
    nl1xx_options,
    nl2xx_domains,
    nl3xx_hosts,
    nl4xx_wiring,
    nl110_unknown_flag,
    nl111_leaf_account_undefined,
    nl112_jwt_invalid,
    nl113_startup_refusal,
    nl114_option_rejected,
    nl405_remote_urls_split,
    nl407_port_conflict,
    nl408_route_mismatch,
    nl409_duplicate_leaf_link,
    nl410_leaf_link_unusable_account,
    nl411_leaf_tls_mismatch,
)
from natslint.rules.base import Rule

RULES: tuple[Rule, ...] = (
    *nl1xx_options.RULES,
    nl110_unknown_flag.RULE,
    nl111_leaf_account_undefined.RULE,
    nl112_jwt_invalid.RULE,
    nl113_startup_refusal.RULE,
    nl114_option_rejected.RULE,
    *nl2xx_domains.RULES,
    *nl3xx_hosts.RULES,
    *nl4xx_wiring.RULES,
    nl405_remote_urls_split.RULE,
    nl407_port_conflict.RULE,
    nl408_route_mismatch.RULE,
    nl409_duplicate_leaf_link.RULE,
    nl410_leaf_link_unusable_account.RULE,
    nl411_leaf_tls_mismatch.RULE,
)
