"""NL110 unknown-flag: a flag nats-server does not define stops the server at startup."""

from __future__ import annotations

from typing import Iterator

from natslint.codes import UNKNOWN_FLAG
from natslint.deploy.flags import BY_NAME
from natslint.findings import Finding
from natslint.rules.base import Rule
from natslint.rules.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    for s in [*ctx.fleet.servers, *ctx.fleet.unseen]:  # flags are read even when the config is not
        for word, span, closest in s.unknown_flags:
            if word.lstrip("-").split("=")[0] in BY_NAME:  # a known flag that needs a value
                said = f"the flag `{word}` needs a value (\"flag needs an argument\")"
                fix = f"give `{word}` its value"
            else:
                said = f"nats-server does not define the flag `{word}` (\"flag provided but not defined\")"
                fix = f"did you mean `{closest}`?" if closest else "see `nats-server --help`"
            yield UNKNOWN_FLAG.at(span, said, f"{s.label} prints its usage and exits without starting", fix=fix)


RULE = Rule(UNKNOWN_FLAG, check)
