"""`natslint check PATH...`: the main job."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from natslint.cli.app import app
from natslint.cli.check_options import (
    AlsoOpt,
    BaselineOpt,
    ColorOpt,
    ConfigOpt,
    DiffOpt,
    ExitZeroOpt,
    ExtendSelectOpt,
    FailOnOpt,
    FixOnlyOpt,
    FixOpt,
    FleetsOfOpt,
    ForceExcludeOpt,
    Format,
    FormatOpt,
    IgnoreOpt,
    IsolatedOpt,
    MaxFileSizeOpt,
    NoIgnoresOpt,
    OutputOpt,
    PathsArg,
    PruneBaselineOpt,
    QuietOpt,
    SelectOpt,
    ShowFilesOpt,
    ShowSettingsOpt,
    SinceOpt,
    StatisticsOpt,
    UnsafeFixesOpt,
    WatchOpt,
    WriteBaselineOpt,
)
from natslint.cli.options import (
    DebugOpt,
    EnvFileOpt,
    EnvOpt,
    NatsVersionOpt,
    ProcessEnvOpt,
    debugging,
    fail,
    reported_errors,
)
from natslint.defaults import DEFAULT_MAX_BYTES


def use_color(stream, mode: str = "auto") -> bool:
    """--color always/never win; under auto, NO_COLOR and FORCE_COLOR, then a terminal."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def text_width(stream) -> int | None:
    """The width to fold text to: COLUMNS when set, else the terminal's; a pipe or a file gets
    lines whole, as a program reading them expects."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if hasattr(stream, "isatty") and stream.isatty():
        import shutil

        return shutil.get_terminal_size().columns
    return None


def _progress():
    """A one-line progress display on a terminal, for large trees only."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int, total: int) -> None:
        if total >= 300 and (done % 50 == 0 or done == total):
            end = "\n" if done == total else ""
            sys.stderr.write(f"\rnatslint: parsed {done}/{total} configs{end}")
            sys.stderr.flush()

    return show


@app.command()
def check(
    paths: PathsArg = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    also: AlsoOpt = None,
    exit_zero: ExitZeroOpt = False,
    fail_on: FailOnOpt = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    no_ignores: NoIgnoresOpt = False,
    show_settings: ShowSettingsOpt = False,
    env: EnvOpt = None,
    env_file: EnvFileOpt = None,
    use_process_env: ProcessEnvOpt = False,
    max_file_size: MaxFileSizeOpt = DEFAULT_MAX_BYTES,
    show_files: ShowFilesOpt = False,
    force_exclude: ForceExcludeOpt = False,
    nats_version: NatsVersionOpt = None,  # type: ignore[assignment]
    color: ColorOpt = "auto",
    fleets_of: FleetsOfOpt = False,
    since: SinceOpt = None,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = None,
    prune_baseline: PruneBaselineOpt = False,
    fix: FixOpt = False,
    unsafe_fixes: UnsafeFixesOpt = False,
    diff: DiffOpt = False,
    fix_only: FixOnlyOpt = False,
    watch: WatchOpt = False,
    quiet: QuietOpt = False,
    statistics: StatisticsOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Check every NATS config under PATHS and report findings with file:line:col."""
    changed = _changes(paths or []) if fleets_of else None
    paths = ["."] if fleets_of else paths or ["."]
    from natslint.cli.settings import describe
    from natslint.workspace import engine_for, run_check, settings_for

    _usable(color, output, also or [])  # before any work
    if since is not None and watch:
        raise fail("--since and --watch do not go together: a change is checked once")
    with reported_errors(debug):
        settings, resolver = settings_for(
            paths, config=config, isolated=isolated, env=env, env_file=env_file, use_process_env=use_process_env,
            fail_on=fail_on.value if fail_on else None, select=select, ignore=ignore, no_ignores=no_ignores,
            extend_select=extend_select, nats_version=nats_version, max_bytes=max_file_size, debug=debugging(debug))
        engine = engine_for(paths, resolver, force_exclude, _progress()) if watch else None
        result = engine.check() if engine else run_check(paths, settings, resolver, force_exclude,
                                                         progress=_progress(), since=since)
        if show_settings:
            typer.echo(describe(result, resolver))
            raise typer.Exit(0)
    if result.discovery.missing:
        raise fail("no such file or folder: " + ", ".join(result.discovery.missing))
    if show_files:
        _show_files(result, paths)
        raise typer.Exit(0)
    if fix or diff or fix_only:
        result = _fixed(result, resolver, paths, force_exclude, unsafe_fixes, "diff" if diff else
                        "only" if fix_only else "fix")
        if engine is not None:  # the fixes changed files before --watch listens: checked whole
            result = engine.check()
    if changed is not None:
        result = _touched(result, *changed)
    result = _baselined(result, resolver, paths, baseline, write_baseline, prune_baseline)
    _write_outputs(result, fmt, output, also or [], (color, quiet, statistics))
    if watch:
        def narrow(r):
            r = only_fleets_of(r, *changed) if changed is not None else r
            return _baselined(r, resolver, paths, baseline, None, False)

        from natslint.changed import only_fleets_of

        _watch(paths, engine, result, narrow,
               lambda r: _write_outputs(r, fmt, output, also or [], (color, quiet, statistics)))
    raise typer.Exit(1 if result.failed(settings.fail_on) and not exit_zero else 0)


def _fixed(result, resolver, paths: list[str], force_exclude: bool, unsafe: bool, mode: str):
    """--diff prints the fixes; --fix and --fix-only make them; --fix then checks the tree again."""
    from natslint.fixing import plan, unified_diff, write
    from natslint.words import count

    outcome = plan(result, unsafe, resolver)
    for f, why in outcome.refused:
        typer.echo(f"natslint: fix refused: {f.code} at {f.span.path}:{f.span.line}:{f.span.col}: {why}", err=True)
    for a, b in outcome.conflicts:
        typer.echo(f"natslint: conflicting fixes dropped: {a.code} at {a.span.path}:{a.span.line}:{a.span.col} and "
                   f"{b.code} at {b.span.path}:{b.span.line}:{b.span.col} edit one place", err=True)
    if mode == "diff":
        sys.stdout.write(unified_diff(outcome))
        if not outcome.files:  # as ruff: say that nothing would change, and what --unsafe-fixes would add
            more = sum(1 for f in result.findings if f.autofix is not None and not f.autofix.safe) if not unsafe else 0
            typer.echo("No fixes would be applied" +
                       (f" ({more} available with `--unsafe-fixes`)." if more else "."), err=True)
        raise typer.Exit(1 if outcome.files else 0)
    try:
        write(outcome, result.sources.root)
    except OSError as exc:
        raise fail(f"cannot write the fixes to {exc.filename or 'a file'}: {exc.strerror or exc}")
    fixed = count(len(outcome.applied) if outcome.files else 0, "finding")
    if mode == "only":
        typer.echo(f"Fixed {fixed}.")
        raise typer.Exit(0)
    typer.echo(f"Fixed {fixed}.", err=True)
    if not outcome.files:
        return result
    from natslint.workspace import first_folder, run_check

    return run_check(paths, resolver(first_folder(paths)), resolver, force_exclude, progress=_progress())


def _watch(paths: list[str], engine, result, narrow, show) -> None:
    """Check again after every change under ``paths`` (as ruff's --watch), until interrupted.
    The engine is told which files changed: an edit of configs rechecks only their fleets; a
    change to natslint.toml (read again) or any other file plans the fleets anew. Each result
    is narrowed as the first was (``narrow``: --fleets-of, the baseline)."""
    import time

    import watchfiles

    from natslint.words import count

    def said(result) -> None:
        typer.echo(f"[{time.strftime('%H:%M:%S')}] {count(len(result.findings), 'finding')}. "
                   "Watching for file changes.")
        sys.stdout.flush()

    said(result)
    for changes in watchfiles.watch(*paths, debounce=50, step=20, raise_interrupt=False):
        result = narrow(engine.check(changed=[path for _, path in changes]))
        if sys.stdout.isatty():  # as ruff --watch: each run on a clean screen
            sys.stdout.write("\x1b[2J\x1b[H")
        show(result)
        said(result)
        engine.collect()  # what the check left, freed after its output is out
    raise typer.Exit(0)


def _baselined(result, resolver, paths: list[str], given: Path | None, write_to: Path | None, prune: bool):
    """--write-baseline records the findings; --baseline (or the config's `baseline`) keeps the new ones."""
    from natslint.workspace import first_folder
    from natslint.words import count

    file = None if write_to is not None else \
        str(given) if given else resolver.with_project(first_folder(paths))[1].baseline
    if write_to is None and file is None:
        if prune:
            raise fail("--prune-baseline needs a baseline: --baseline FILE, or `baseline` in the config")
        return result
    from natslint.baseline import BaselineError, compare, write  # loaded with a baseline only (it hashes)
    from natslint.baseline import prune as prune_file

    try:
        if write_to is not None:
            _writable(str(write_to))
            n = write(result, str(write_to))
            typer.echo(f"Wrote {count(n, 'finding')} to the baseline {write_to}.")
            raise typer.Exit(0)
        result = compare(result, file)
        if prune:
            n = prune_file(result.baseline)
            typer.echo(f"Pruned {count(n, 'fixed finding')} from the baseline {file}.", err=True)
    except BaselineError as exc:
        raise fail(str(exc))
    return result


def _changes(paths: list[str]) -> tuple[list[str], list[str]]:
    """--fleets-of: the changed files, and those gone (named but missing, or staged deletions)."""
    from natslint.changed import staged_deletions

    changed = [p for p in paths if os.path.exists(p)]
    deleted = [p for p in paths if not os.path.exists(p)] + staged_deletions(os.getcwd())
    if not changed and not deleted:
        typer.echo("No changed file: nothing to check.")
        raise typer.Exit(0)
    return changed, deleted


def _touched(result, changed: list[str], deleted: list[str]):
    from natslint.changed import only_fleets_of, outside_fleets
    from natslint.words import count

    for path in outside_fleets(result, changed):
        typer.echo(f"natslint: {path} belongs to no fleet: no NATS config or deployment the check reads",
                   err=True)
    result = only_fleets_of(result, changed, deleted)
    if not result.fleets and not result.findings:
        typer.echo(f"No fleet holds the {count(len(changed) + len(deleted), 'changed file')}: nothing to check.")
        raise typer.Exit(0)
    return result


def _usable(color: str, output: Path | None, also: list[str]) -> None:
    """Options that cannot work are a usage error, said in one line before any work."""
    if color not in ("auto", "always", "never"):
        raise fail(f"--color {color!r}: use auto, always or never")
    for target in [output, *(item.partition(":")[2] for item in also)]:
        _writable(target)


def _writable(target) -> None:
    """Exit 2 with one line when an output file cannot be written (a folder, a missing folder)."""
    if not target:
        return
    path = Path(target)
    if path.is_dir():
        raise fail(f"cannot write {target}: it is a folder")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise fail(f"cannot write {target}: the folder {parent} does not exist")


def _write_file(target: Path | str, text: str) -> None:
    """Write a report, or stop with one line and exit 2 (a full disk, a read-only or forbidden
    path, a file of /proc): never a traceback, never the exit code of findings."""
    try:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise fail(f"cannot write {target}: {exc.strerror or exc}") from None


def _write_outputs(result, fmt: Format | None, output: Path | None, also: list[str],
                   text_options: tuple[str, bool, bool] = ("auto", False, False)) -> None:
    """The chosen format to stdout or --output, each --also to its file, and the job summary."""
    from natslint.report import render

    if fmt is None:
        fmt = Format.github if os.environ.get("GITHUB_ACTIONS") == "true" else Format.text
    extra: list[tuple[str, str]] = []
    for item in also:
        kind, _, target = item.partition(":")
        if kind not in {f.value for f in Format} or not target:
            raise fail(f"--also {item!r}: expected FORMAT:FILE with FORMAT one of "
                       f"{', '.join(f.value for f in Format)}")
        extra.append((kind, target))
    mode, quiet, statistics = text_options
    if output:
        _write_file(output, render(fmt.value, result, quiet=quiet, statistics=statistics, width=None))
    else:
        sys.stdout.write(render(fmt.value, result, color=fmt == Format.text and use_color(sys.stdout, mode),
                                quiet=quiet, statistics=statistics, width=text_width(sys.stdout)))
    for kind, target in extra:
        _write_file(target, render(kind, result))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == Format.github and summary:
        from natslint.report.github import summary_markdown
        from natslint.report.graph import render_mermaid

        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(summary_markdown(result, render_mermaid(result) if result.fleet.servers else None))


def _show_files(result, paths: list[str]) -> None:
    """What was read (and whether an include reached outside the checked tree), what was skipped."""
    roots = [os.path.abspath(p) for p in paths]
    for path in sorted({*result.documents, *result.deployment_files}):
        inside = any(os.path.abspath(path) == r or os.path.abspath(path).startswith(r + os.sep) for r in roots)
        typer.echo(f"read     {path}" + ("" if inside else "  (outside the checked tree: reached by an include)"))
    for s in result.skipped:
        typer.echo(f"skipped  {s.path}  ({s.reason})")
    for fc in result.fleets:  # flags nats-server accepts that do not change the fleet's shape
        for server in fc.fleet.servers:
            for word, span in server.unmodelled_flags:
                typer.echo(f"flag     {word}  ({span.path}:{span.line}, {server.label}: accepted, not modelled)")
    for fc in result.fleets:  # what the rules read of a config a chart renders, and where it was written
        for server in fc.fleet.servers:
            if result.sources.line_spans(server.path) is not None:
                for what, value, span in _rendered_values(server):
                    where = "the chart's default" if span is None or type(span).__name__ == "ChartDefault" \
                        else f"{span.path}:{span.line}"
                    typer.echo(f"rendered {server.label}: {what} = {value}  ({where})")


def _rendered_values(server) -> list[tuple[str, object, object]]:
    """(setting, value, span) of the settings the rules read, for a server a chart renders."""
    out = [("jetstream", bool(server.js_enabled.value), server.js_enabled.span),
           ("domain", server.domain.value, server.domain.span),
           ("cluster name", server.cluster_name.value, server.cluster_name.span)]
    out += [(f"{li.kind} port", li.port, li.span) for li in server.listeners]
    out += [("route", r.url, r.span) for r in server.routes]
    out += [("leaf remote", url, span) for remote in server.remotes for url, span in remote.urls]
    return [(what, value, span) for what, value, span in out if value not in (None, False)]
