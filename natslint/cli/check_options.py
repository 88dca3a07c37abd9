"""The options of `natslint check`, declared once so the command reads as what it does."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Format(str, Enum):
    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


class Level(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"



PathsArg = Annotated[Optional[list[str]], typer.Argument(metavar="PATHS", help="Files and folders to check (default: .).")]
FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", metavar="FORMAT",
    help="Output format: text, concise, json, sarif or github (default: text; github when GITHUB_ACTIONS=true).")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")]
AlsoOpt = Annotated[Optional[list[str]], typer.Option(
    "--also", metavar="FORMAT:FILE", help="Also write FORMAT to FILE (e.g. sarif:natslint.sarif). Repeatable.")]
ExitZeroOpt = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even with findings (SARIF-only jobs).")]
FailOnOpt = Annotated[Optional[Level], typer.Option(
    "--fail-on", metavar="LEVEL", help="error, warning or info: the lowest severity that fails (exit 1); default: the config's fail-on, else warning.")]
SelectOpt = Annotated[Optional[list[str]], typer.Option(
    "--select", metavar="CODES", help="Only these codes, prefixes or names (comma lists; ALL).")]
ExtendSelectOpt = Annotated[Optional[list[str]], typer.Option(
    "--extend-select", metavar="CODES", help="Add these to the selection (comma lists).")]
IgnoreOpt = Annotated[Optional[list[str]], typer.Option("--ignore", metavar="CODES", help="Never these codes, prefixes or names.")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", metavar="FILE", help="Use this config file.")]
IsolatedOpt = Annotated[bool, typer.Option("--isolated", help="Ignore every config file.")]
NoIgnoresOpt = Annotated[bool, typer.Option("--no-ignores", help="Show findings that comments suppress.")]
ShowSettingsOpt = Annotated[bool, typer.Option("--show-settings", help="Print the settings in effect, then exit.")]
MaxFileSizeOpt = Annotated[int, typer.Option(
    "--max-file-size", metavar="BYTES", help="Files larger than this are skipped (NL005).")]
ShowFilesOpt = Annotated[bool, typer.Option("--show-files", help="List the files read and skipped, then exit.")]
ForceExcludeOpt = Annotated[bool, typer.Option(
    "--force-exclude", help="Apply `exclude` to paths named on the command line too.")]
ColorOpt = Annotated[str, typer.Option(
    "--color", metavar="<auto|always|never>", help="Color the text output: auto (a terminal), always or never.")]
FleetsOfOpt = Annotated[bool, typer.Option(
    "--fleets-of", help="PATHS are changed files: check the tree (.) and report only the fleets that hold "
    "them, or held them (staged deletions too).")]
SinceOpt = Annotated[Optional[str], typer.Option(
    "--since", metavar="REF", help="Also check what the change from git REF does to running servers (NL5xx): "
    "REF's tree, read from git, against the files now. In pre-commit, `--since HEAD` compares the staged tree.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print the findings without the summary.")]
StatisticsOpt = Annotated[bool, typer.Option("--statistics", help="Print the count of each code, then exit.")]
BaselineOpt = Annotated[Optional[Path], typer.Option(
    "--baseline", metavar="FILE", help="Report only findings not in this baseline (default: the config's `baseline`).")]
WriteBaselineOpt = Annotated[Optional[Path], typer.Option(
    "--write-baseline", metavar="FILE", help="Record the current findings in FILE, then exit.")]
PruneBaselineOpt = Annotated[bool, typer.Option(
    "--prune-baseline", help="Remove the findings that are gone from the baseline file.")]
FixOpt = Annotated[bool, typer.Option("--fix", help="Apply the safe fixes, then report what remains.")]
UnsafeFixesOpt = Annotated[bool, typer.Option("--unsafe-fixes", help="With --fix or --diff, the unsafe fixes too.")]
DiffOpt = Annotated[bool, typer.Option("--diff", help="Print the fixes as a unified diff; change nothing (exit 1 if any).")]
FixOnlyOpt = Annotated[bool, typer.Option("--fix-only", help="Apply the fixes and report nothing else (exit 0).")]
WatchOpt = Annotated[bool, typer.Option("--watch", "-w", help="Check again whenever a file under PATHS changes.")]
