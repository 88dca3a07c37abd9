"""The package's shape: layers that only point down, no import cycles, front ends apart, every module placed;
small modules and functions; one code table that the docs and the README agree with."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from natslint.codes import CODES
from natslint.rules.change_registry import CHANGE_RULES
from natslint.rules.registry import RULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "natslint"

# The layers, lowest first: a module imports only from its own layer or the ones before it.
LAYERS: list[tuple[str, list[str]]] = [
    ("base", ["natslint", "natslint.span", "natslint.paths", "natslint.findings", "natslint.codes",
              "natslint.defaults", "natslint.crash", "natslint.sources", "natslint.resources", "natslint.parallel",
              "natslint.words", "natslint.redact", "natslint.gitignored", "natslint.natsjwt"]),
    ("syntax", ["natslint.syntax.*", "natslint.options"]),
    ("model", ["natslint.deploy.*", "natslint.fleet.*", "natslint.discover", "natslint.since",
               "natslint.since.reload", "natslint.since.pairing", "natslint.since.changes", "natslint.since.context"]),
    ("rules", ["natslint.rules.*", "natslint.selection", "natslint.ruledocs", "natslint.custom.*"]),
    ("pipeline", ["natslint.memo", "natslint.gather", "natslint.check", "natslint.engine", "natslint.changed", "natslint.baseline", "natslint.fixing",
                  "natslint.since.gitref", "natslint.since.compare"]),
    ("report", ["natslint.report.*"]),
    ("prove", ["natslint.prove.*"]),
    ("workspace", ["natslint.config", "natslint.workspace"]),
    ("front ends", ["natslint.cli.*", "natslint.lsp.*"]),
    ("program", ["natslint.program", "natslint.__main__"]),
]
# Packages of one layer that never import each other: the command line and the editor both
# stand on the workspace, and only the program puts them under one name.
APART = [("natslint.cli", "natslint.lsp")]


def layer_of(module: str) -> int | None:
    for i, (_, patterns) in enumerate(LAYERS):
        for p in patterns:
            if module == p or (p.endswith(".*") and (module == p[:-2] or module.startswith(p[:-1]))):
                return i
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(module: str, source: str) -> set[str]:
    """natslint modules imported anywhere in the source, `if TYPE_CHECKING:` included: a
    circle drawn for the type checker alone is still two modules that need each other."""
    tree = ast.parse(source)
    package = module if source and module.count(".") == 0 else module.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("natslint"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("natslint"):
                continue
            for a in node.names:  # `from natslint.syntax import lexer` imports the module lexer
                out.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
    return {m for m in out if m != module}


MODULES = {module_name(p): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def violations(modules: dict[str, str]) -> list[str]:
    problems = []
    graph = {m: imports_of(m, src) & set(modules) for m, src in modules.items()}
    for m in modules:
        if layer_of(m) is None:
            problems.append(f"{m} is in no layer")
    for m, deps in graph.items():
        for d in sorted(deps):
            lm, ld = layer_of(m), layer_of(d)
            if lm is not None and ld is not None and ld > lm:
                problems.append(f"{m} ({LAYERS[lm][0]}) imports {d} ({LAYERS[ld][0]}): an upward import")
    for a, b in APART:
        for m, deps in graph.items():
            for here, there in ((a, b), (b, a)):
                if _within(m, here) and any(_within(d, there) for d in deps):
                    hit = sorted(d for d in deps if _within(d, there))[0]
                    problems.append(f"{m} imports {hit}: {here} and {there} never import each other")
    # cycles: depth-first search for a back edge
    state: dict[str, int] = {}
    for start in graph:
        stack = [(start, iter(sorted(graph[start])))]
        state[start] = state.get(start, 0) or 1
        path = [start]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt, 0) == 1 and nxt in path:
                problems.append("import cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            elif state.get(nxt, 0) == 0:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(graph[nxt]))))
                path.append(nxt)
    return sorted(set(problems))


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_layers_point_down_and_nothing_cycles():
    assert violations(MODULES) == []


def test_the_layer_test_catches_an_upward_import_a_cycle_and_an_unplaced_module():
    planted = dict(MODULES)
    planted["natslint.span"] = MODULES["natslint.span"] + "\nfrom natslint.check import Result\n"
    planted["natslint.paths"] = MODULES["natslint.paths"] + "\nimport natslint.sources\n"
    planted["natslint.stray"] = "import os\n"
    planted["natslint.lsp.first"] = MODULES["natslint.lsp.first"] + "\nfrom natslint.cli.check import check\n"
    planted["natslint.cli.dump"] = MODULES["natslint.cli.dump"] + "\nimport natslint.lsp.wire\n"
    # the circle issue 30 cut: the builder typed its loader by importing the parser's Loader
    planted["natslint.syntax.builder"] = MODULES["natslint.syntax.builder"] + (
        "\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from natslint.syntax.parser import Loader\n")
    got = violations(planted)
    assert "natslint.span (base) imports natslint.check (pipeline): an upward import" in got
    assert any(g.startswith("import cycle:") and "natslint.paths" in g and "natslint.sources" in g for g in got)
    assert "natslint.stray is in no layer" in got
    assert "natslint.lsp.first imports natslint.cli.check: natslint.lsp and natslint.cli never import each other" in got
    assert "natslint.cli.dump imports natslint.lsp.wire: natslint.cli and natslint.lsp never import each other" in got
    assert any(g.startswith("import cycle:") and "natslint.syntax.builder" in g and "natslint.syntax.parser" in g
               for g in got)


def test_modules_and_functions_stay_small():
    too_long = [f"{m}: {len(src.splitlines())} lines" for m, src in MODULES.items()
                if len(src.splitlines()) > 450 and m != "natslint.syntax.lexer"]  # the lexer: a port of lex.go
    long_functions = []
    for m, src in MODULES.items():
        for node in ast.walk(ast.parse(src)):
            # the body: a command's signature is its option list, a declaration
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.body[0].lineno >= 60:
                long_functions.append(f"{m}.{node.name}: {node.end_lineno - node.body[0].lineno + 1} lines of body")
    assert too_long == [] and long_functions == []


# -- the code table ------------------------------------------------------------------------

def test_codes_are_unique_kebab_case_and_every_rule_is_registered_once():
    assert len({c.code for c in CODES}) == len(CODES)
    assert len({c.name for c in CODES}) == len(CODES)
    assert all(re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", c.name) for c in CODES)
    assert all(re.fullmatch(r"NL\d{3}", c.code) for c in CODES)
    rule_codes = [r.code.code for r in RULES]
    assert len(rule_codes) == len(set(rule_codes))
    # every code is either a rule or an input problem / NL901, which the pipeline emits itself
    change_codes = [r.code.code for r in CHANGE_RULES]
    assert not set(rule_codes) & set(change_codes) and len(change_codes) == len(set(change_codes))
    assert all(code.startswith("NL5") for code in change_codes)
    # every code is a rule, a change rule, or an input problem / NL901, which the pipeline emits itself
    assert {c.code for c in CODES} - set(rule_codes) - set(change_codes) == \
        {c.code for c in CODES if c.code[2] == "0"} | {"NL901"}
    assert all(c.severity == c.severities[0] and c.default_severity is c.severity for c in CODES)


def _header(doc: str) -> dict[str, str]:
    """`Severity: ... · Scope: ... · Since: ... · Fix: ...`: the paragraph under the title."""
    para = doc.split("\n\n", 2)[1].replace("\n", " ")
    return dict(part.split(": ", 1) for part in para.split(" · "))


@pytest.mark.parametrize("code", CODES, ids=lambda c: c.code)
def test_each_doc_header_agrees_with_the_code_table(code):
    (path,) = (ROOT / "rules").glob(f"{code.code}-*.md")
    assert path.stem == f"{code.code}-{code.name}"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# {code.code} {code.name}\n")
    head = _header(text)
    said = re.findall(r"\b(error|warning|info)\b", head["Severity"])
    assert said and said[0] == str(code.default_severity)
    assert set(said) == {str(s) for s in code.severities}
    assert head["Scope"] == code.scope
    assert head["Since"] == code.since


def test_readme_rule_table_is_generated_from_the_code_table():
    from natslint.report.rule_table import with_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme) == readme, "run: python -m natslint.report.rule_table"
    proc = subprocess.run([sys.executable, "-m", "natslint.report.rule_table", "--check"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
