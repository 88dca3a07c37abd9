"""`natslint graph`: the topology in mermaid, dot and text, with findings marked."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from natslint.cli import graph as _graph  # noqa: F401
from natslint.cli.app import app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "compose-leaf-reuses-domain"
runner = CliRunner()


def graph(fmt: str, monkeypatch) -> str:
    monkeypatch.chdir(FIXTURE)
    result = runner.invoke(app, ["graph", "-f", fmt, "."])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_mermaid(monkeypatch):
    out = graph("mermaid", monkeypatch).splitlines()
    assert out[0] == "flowchart LR"
    assert '  subgraph C0["cluster hub"]' in out
    assert '  S4["leaf-b<br/>domain hub"]' in out
    assert '  S4 -->|"leaf $G"| S0' in out
    assert '  H1 -.->|"JS hub: server leaf-b"| S4' in out
    assert out[-1] == "  class H1,S4 finding"  # the leaf that reuses the domain, and the host it misleads


def test_dot(monkeypatch):
    out = graph("dot", monkeypatch)
    assert out.startswith("digraph natslint {") and out.rstrip().endswith("}")
    assert 'S4 [label="leaf-b\\ndomain hub", color=red, penwidth=2];' in out
    assert "S3 -> S0 [label=\"leaf $G\"];" in out


def test_text_tree(monkeypatch):
    out = graph("text", monkeypatch).splitlines()
    assert out[:2] == ["cluster hub", "  ├─ hub-1 (domain hub)"]
    assert "leaf-b (domain hub) ⚠" in out
    assert "host `host-b` → leaf-b, domain hub ⇒ server `leaf-b` ⚠" in out
