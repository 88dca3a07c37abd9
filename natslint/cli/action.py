"""The GitHub Action's run step: its inputs (INPUT_* variables) to a `natslint check` command line.

`args` and `path` are split as a POSIX shell splits words (quotes group, backslashes escape),
never evaluated. The SARIF file's folder is created first, for the upload step that reads it.
`since` (by default the pull request's base commit) is fetched when a shallow checkout lacks
it. The exit code goes to the step's `exit-code` output and is the step's own.
"""

from __future__ import annotations

import os
import shlex
import sys


def command_line(env: dict[str, str]) -> list[str]:
    """The `natslint` arguments the inputs ask for; ValueError names an input that does not split."""
    args = ["check", "--format", "github", "--fail-on", env.get("INPUT_FAIL_ON") or "warning"]
    sarif = env.get("INPUT_SARIF_FILE", "")
    if sarif:
        args += ["--also", f"sarif:{sarif}"]
    if env.get("INPUT_BASELINE"):
        args += ["--baseline", env["INPUT_BASELINE"]]
    since = env.get("INPUT_SINCE", "").strip()
    if since and since != "none":
        args += ["--since", since]
    words = {}
    for name in ("args", "path"):
        try:
            words[name] = shlex.split(env.get(f"INPUT_{name.upper()}", ""))
        except ValueError as exc:
            raise ValueError(f"the `{name}` input does not split into words: {exc}") from None
    return [*args, *words["args"], *(words["path"] or ["."])]


def fetch_if_missing(ref: str) -> bool:
    """actions/checkout fetches one commit by default: the base a pull request starts from is
    fetched on its own (one commit deep), so that `--since` can read its tree.  False when it
    still cannot be read (a private repository checked out without credentials, say)."""
    import subprocess

    def known() -> bool:
        return subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], capture_output=True).returncode == 0

    try:
        if not known():
            subprocess.run(["git", "fetch", "--no-tags", "--quiet", "--depth=1", "origin", ref], capture_output=True,
                           timeout=300)
        return known()
    except (OSError, subprocess.SubprocessError):
        return False


def main() -> int:
    env = dict(os.environ)
    try:
        argv = command_line(env)
    except ValueError as exc:
        print(f"::error title=natslint::{exc}")
        code = 2
    else:
        sarif = env.get("INPUT_SARIF_FILE", "")
        if sarif:
            os.makedirs(os.path.dirname(sarif) or ".", exist_ok=True)
        if "--since" in argv:
            at = argv.index("--since")
            if not fetch_if_missing(argv[at + 1]):
                # the tree is still checked; what the change does to running servers is not
                print(f"::warning title=natslint::cannot read commit {argv[at + 1]} to compare with (`since`), so "
                      "NL5xx are not checked: give actions/checkout `fetch-depth: 0`, or set `since: none`")
                del argv[at:at + 2]
        if env.get("INPUT_SUMMARY", "true") != "true":
            os.environ.pop("GITHUB_STEP_SUMMARY", None)
        import subprocess

        # the installed entry point, in this interpreter: the same Python the action set up
        code = subprocess.run([sys.executable, "-m", "natslint", *argv]).returncode
    output = env.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"exit-code={code}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
