"""No secret reaches any output: frames, messages, JSON, SARIF, annotations, summary, graph, dump."""

from __future__ import annotations

from typer.testing import CliRunner

from natslint.cli import check as _check  # noqa: F401
from natslint.cli import dump as _dump  # noqa: F401
from natslint.cli import graph as _graph  # noqa: F401
from natslint.cli.app import app

SECRETS = ["2m30sHunter", "tok$EN_abc1234", "LeafPw123", "EnvPw456", "eyJhbGciOi.secretjwt",
           "SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY", "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.ywEDQu"]
FLEET = {
    "hub.conf": "server_name: hub\nleafnodes { port: 7422 }\n",
    "edge.conf": (
        "server_name: edge\n"
        "authorization {\n"
        "  user: admin\n"
        "  password: 2m30sHunter\n"
        "  token: \"tok$EN_abc1234\"\n"
        "}\n"
        "accounts { A { users: [ { user: b, password: \"$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.ywEDQu\" } ] } }\n"
        "leafnodes { remotes: [ { url: \"nats-leaf://u:LeafPw123@hub:7999\" } ] }\n"),
    "host.env": ("WASMCLOUD_NATS_HOST=edge\nWASMCLOUD_NATS_PASSWORD=EnvPw456\n"
                 "WASMCLOUD_CTL_SEED=SUAMK2FG4MI6UE3ACF3FK3OIQBCEIEZV7NSWFFEW63UXMRLFM2XLAXK4GY\n"
                 "WASMCLOUD_JS_DOMAIN=nowhere\n"),
    "compose.yaml": ("services:\n  wadm:\n    image: ghcr.io/wasmcloud/wadm:v0.21.0\n    environment:\n"
                     "      WADM_NATS_JWT: eyJhbGciOi.secretjwt\n      WADM_JS_DOMAIN: core\n"),
}


def test_planted_secrets_reach_no_output(tmp_path, monkeypatch):
    for name, body in FLEET.items():
        (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    runner = CliRunner()
    outputs = {}
    for fmt in ("text", "json", "sarif", "github"):
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        result = runner.invoke(app, ["check", "-f", fmt, "--fail-on", "info", "."])
        outputs[fmt] = result.stdout + result.stderr
    outputs["summary"] = summary.read_text()
    for fmt in ("mermaid", "dot", "text"):
        outputs[f"graph-{fmt}"] = runner.invoke(app, ["graph", "-f", fmt, "."]).stdout
    outputs["dump"] = runner.invoke(app, ["dump", "edge.conf"]).stdout
    codes = outputs["json"]
    for code in ("NL006", "NL402", "NL301", "NL305"):  # findings sit on the secret lines
        assert code in codes, code
    leaks = [(name, s) for name, text in outputs.items() for s in SECRETS if s in text]
    assert leaks == []
    assert "••••" in outputs["text"] and "••••" in outputs["dump"]
    assert "2m30sHunter" in runner.invoke(app, ["dump", "--show-secrets", "edge.conf"]).stdout  # asked for
