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


# Secrets where they stand, and nowhere else: short secrets that equal readable words, a token
# in a URL, a misspelled secret key, secret env names in every input kind, flags.
MASKED_FLEET = {
    "hub.conf": ("server_name: local\n"
                 "jetstream { domain: wadm, store_dir: /data/wadm }\n"
                 "authorization { user: admin, password: wadm }\n"
                 "leafnodes { port: 7422, authorization { user: leaf, pasword: Sup3rS3cret } }\n"),
    "edge.conf": ("server_name: edge\n"
                  "leafnodes { remotes: [ { url: \"nats://s3cr3tT0ken@hub:7422\" },\n"
                  "                        { url: \"nats://app:app_password@hub:7422\" } ] }\n"),
    ".env": "NATS_PASS=local\nWASMCLOUD_JS_DOMAIN=wadm\nWASMCLOUD_NATS_HOST=hub\n",
    "compose.yaml": ("services:\n  hub:\n    image: nats:2.11\n    command: [\"-c\", \"/etc/nats/hub.conf\", "
                     "\"--pass\", \"FlagPw77\"]\n    volumes: [\"./hub.conf:/etc/nats/hub.conf\"]\n"
                     "  host:\n    image: ghcr.io/wasmcloud/wasmcloud:1.6.0\n    environment:\n"
                     "      WASMCLOUD_NATS_HOST: hub\n      WASMCLOUD_JS_DOMAIN: wadmm\n"
                     "      WASMCLOUD_API_KEY: KeyVal99\n"),
    "k8s/host.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: host}\nspec:\n  template:\n"
                      "    spec:\n      containers:\n        - name: host\n"
                      "          image: ghcr.io/wasmcloud/wasmcloud:1.6.0\n          env:\n"
                      "            - name: WASMCLOUD_JS_DOMAIN\n              value: nowhere\n"
                      "            - name: WASMCLOUD_NATS_PASSWORD\n              value: K8sPw11\n"
                      "            - name: WASMCLOUD_NATS_HOST\n              value: hub\n"),
    "unit/nats.service": ("[Service]\nEnvironment=NATS_TOKEN=UnitTok55\n"
                          "ExecStart=/usr/bin/nats-server --auth UnitAuth66 -c /etc/nats/edge.conf\n"),
}
LEAKS = ["Sup3rS3cret", "s3cr3tT0ken", "app_password", "FlagPw77", "KeyVal99", "UnitTok55", "UnitAuth66", "K8sPw11"]


def test_secrets_are_masked_where_they_stand_and_nowhere_else(tmp_path, monkeypatch):
    for name, body in MASKED_FLEET.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    outputs = {fmt: runner.invoke(app, ["check", "-f", fmt, "--fail-on", "info", "."]).stdout
               for fmt in ("text", "json", "sarif", "github")}
    for fmt in ("mermaid", "dot", "text"):
        outputs[f"graph-{fmt}"] = runner.invoke(app, ["graph", "-f", fmt, "."]).stdout
    outputs["dump"] = runner.invoke(app, ["dump", "hub.conf"]).stdout
    assert [(name, s) for name, text in outputs.items() for s in LEAKS if s in text] == []
    text = outputs["text"]
    # readable words that a short secret happens to equal: the domain, the server name, paths
    assert "domain `wadm`" in text or "`wadmm`" in text
    assert "did you mean `password`?" in text  # help is never masked
    # the misspelled key's value is masked in its frame, and the carets sit under the mask
    frame = text.split("NL101")[1].split("\n")
    src = next(line for line in frame if "pasword" in line and " | " in line)
    carets = frame[frame.index(src) + 1]
    assert "Sup3rS3cret" not in src and "pasword: ••••" in src
    assert src.index("pasword") == carets.index("^")


def test_mask_line_maps_columns_onto_the_masked_line():
    from natslint.redact import MASK, mask_line

    line = 'url: "nats://u:LongPassword99@hub:7422", token: abc'
    masked, column = mask_line(line)
    assert masked == f'url: "nats://u:{MASK}@hub:7422", token: {MASK}'
    assert masked[column(line.index("@hub"))] == "@" and masked[column(line.index("token"))] == "t"
    assert mask_line("domain: wadm, store_dir: /data/wadm, $PASS")[0] == "domain: wadm, store_dir: /data/wadm, $PASS"


def test_a_kubernetes_env_secret_is_masked_in_a_frame_by_its_span(tmp_path):
    from natslint.check import Settings, check_paths
    from natslint.codes import UNRESOLVED_ADDRESS
    from natslint.report.text import code_frame
    from natslint.span import Span

    (tmp_path / "host.yaml").write_text(MASKED_FLEET["k8s/host.yaml"])
    result = check_paths(["."], Settings(), root=str(tmp_path))
    lines = result.lines("host.yaml")
    n = next(i for i, line in enumerate(lines, 1) if "K8sPw11" in line)
    finding = UNRESOLVED_ADDRESS.at(Span("host.yaml", 0, 0, n, 22, n, 29), "a finding on the secret's line")
    frame = code_frame(lines, finding, False, secrets=result.secrets.get("host.yaml"))
    assert frame[1].endswith("value: ••••") and "K8sPw11" not in "\n".join(frame)
    assert frame[2].index("^") == frame[1].index("••••")
