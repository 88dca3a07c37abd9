"""The NATS chart rendered as helm renders it: the chart's own Go tests are the reference.

Each Go test in ../shared/charts/nats/test gives a values document and the `nats.conf` helm
renders from it, parsed by nats-server's parser with SERVER_NAME=nats-0.  The expected config
is read out of the Go source (the default config of DefaultResources, then the test's
assignments and deletes); natslint renders the same values, parses the text with its own
parser and must give the same map, key for key.
"""

from __future__ import annotations

import io
import re

import pytest
from ruamel.yaml import YAML

from natslint.deploy import jsonpatch
from natslint.deploy.natschart import format_config, fullname, layered, names_of, render_config
from natslint.syntax.model import plain
from natslint.syntax.parser import Loader
from shared import SHARED, shared_path

GO_TESTS = SHARED / "charts" / "nats" / "test"


# -- reading the Go tests -------------------------------------------------------------------

class GoLiteral:
    """A Go composite literal of the tests (map[string]any, []any, strings, int64(), bools)."""

    TOKEN = re.compile(r'\s*(map\[string\]any\{|\[\]any\{|"(?:[^"\\]|\\.)*"|`[^`]*`|int64\(-?\d+\)|true|false|'
                       r'[{}:,])')

    def __init__(self, text: str) -> None:
        self.tokens = [m.group(1) for m in self.TOKEN.finditer(text)]
        self.i = 0

    def next(self) -> str:
        self.i += 1
        return self.tokens[self.i - 1]

    def value(self) -> object:
        tok = self.next()
        if tok == "map[string]any{":
            out = {}
            while self.tokens[self.i] != "}":
                key = self.value()
                assert self.next() == ":"
                out[key] = self.value()
                if self.tokens[self.i] == ",":
                    self.i += 1
            self.i += 1
            return out
        if tok == "[]any{":
            items = []
            while self.tokens[self.i] != "}":
                items.append(self.value())
                if self.tokens[self.i] == ",":
                    self.i += 1
            self.i += 1
            return items
        if tok.startswith('"'):
            return bytes(tok[1:-1], "utf-8").decode("unicode_escape")
        if tok.startswith("`"):
            return tok[1:-1]
        if tok.startswith("int64("):
            return int(tok[6:-1])
        return tok == "true"


def _balanced(text: str, start: int) -> str:
    """The literal starting at ``start`` up to its matching closing brace."""
    depth, i = 0, text.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
        if depth == 0:
            return text[start:i]


def _default_conf() -> dict:
    src = (GO_TESTS / "defaults_test.go").read_text(encoding="utf-8")
    at = src.index("Conf: Resource[map[string]any]{")
    at = src.index("Value: map[string]any{", at) + len("Value: ")
    return GoLiteral(_balanced(src, at)).value()


def _functions() -> dict[str, str]:
    out = {}
    for path in sorted(GO_TESTS.glob("*_test.go")):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}", src, re.S | re.M):
            out[m.group(1)] = m.group(2)
    return out


ASSIGN = re.compile(r'^\s*expected\.Conf\.Value\["(\w+)"\] = ')
DELETE = re.compile(r'^\s*delete\(expected\.Conf\.Value, "(\w+)"\)\s*$')


def _case(body: str) -> tuple[str, dict] | None:
    """(values, expected config) of a test whose expectation is plain assignments and
    deletes of the default config; None for the others (loops, sub-tests)."""
    values = re.search(r"test\.Values = `(.*?)`", body, re.S)
    if values is None or "t.Run(" in body or "for _, " in body:
        return None
    expected = _default_conf()
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if (m := ASSIGN.match(line)) is not None:
            rest = line[m.end():]
            if rest.startswith("map[string]any{"):
                text = "\n".join([rest, *lines[i + 1:]])
                literal = _balanced(text, 0)
                i += literal.count("\n")
                expected[m.group(1)] = GoLiteral(literal).value()
            else:
                expected[m.group(1)] = GoLiteral(rest).value()
        elif (m := DELETE.match(line)) is not None:
            expected.pop(m.group(1))
        elif "Conf.Value" in line:
            return None
        i += 1
    return values.group(1), expected


def _transcribed() -> dict[str, tuple[str, dict]]:
    """The tests whose expectation is built in a loop or per sub-test, written out here
    step by step as their Go code builds it."""
    funcs = _functions()
    out = {}
    tls = re.search(r"test\.Values = `(.*?)`", funcs["TestConfigTls"], re.S).group(1)
    expected = _default_conf()
    expected["cluster"] = {"name": "nats", "no_advertise": True, "port": 6222,
                           "routes": [f"tls://nats-{i}.nats-headless:6222" for i in range(3)]}
    expected["leafnodes"] = {"port": 7422, "no_advertise": True}
    expected["websocket"] = {"port": 8080}
    expected["mqtt"] = {"port": 1883}
    expected["gateway"] = {"port": 7222, "name": "nats"}
    expected["https_port"] = expected.pop("http_port")
    for protocol in ("nats", "leafnodes", "websocket", "mqtt", "cluster", "gateway"):
        block = {"cert_file": f"/etc/nats-certs/{protocol}/tls.crt", "key_file": f"/etc/nats-certs/{protocol}/tls.key"}
        if protocol == "nats":
            block.update(ca_file="/etc/my-ca/ca.crt", verify_cert_and_check_known_urls=True, verify_and_map=True)
            expected["tls"] = block
        else:
            expected[protocol]["tls"] = block
    out["TestConfigTls"] = (tls, expected)
    for name, secret, key, folder in (("ConfigMap", False, "", ""), ("Secret", True, "my-ca.crt",
                                                                      "/etc/nats-ca-cert-custom")):
        values = "\nconfig:\n  nats:\n    tls:\n      enabled: true\n      secretName: nats-tls\ntlsCA:\n  enabled: true"
        values += "\n  secretName: nats-ca" if secret else "\n  configMapName: nats-ca"
        values += f"\n  key: {key}" if key else ""
        values += f"\n  dir: {folder}" if folder else ""
        expected = _default_conf()
        expected["tls"] = {"cert_file": "/etc/nats-certs/nats/tls.crt", "key_file": "/etc/nats-certs/nats/tls.key",
                           "ca_file": f"{folder or '/etc/nats-ca-cert'}/{key or 'ca.crt'}"}
        out[f"TestTlsCA/{name}"] = (values, expected)
    return out


def _cases() -> list[tuple[str, str, dict]]:
    if not GO_TESTS.is_dir():
        return []
    out = []
    for name, body in _functions().items():
        case = _case(body)
        if case is not None:
            out.append((name, *case))
    out += [(name, *case) for name, case in _transcribed().items()]
    return sorted(out)


# Go tests compared otherwise, and why
NOT_COMPARED_HERE = {"TestDefaultValues": "renders `{}` and reads the images: test_the_default_config"}


def _render(values_text: str, tmp_path) -> dict:
    doc = YAML().load(io.StringIO(values_text)) or {}
    values = layered([("values.yaml", doc)])
    full = fullname(values, "nats", "nats")
    config, _ = render_config(values, names_of(values, full), "nats")
    text, _ = format_config(config)
    for key, data in (values.get("configMap", "merge", "data") or {}).items():  # the ConfigMap's other keys
        (tmp_path / key).write_text(data, encoding="utf-8")
    (tmp_path / "nats.conf").write_text(text, encoding="utf-8")
    doc = Loader(env={"SERVER_NAME": "nats-0", "POD_NAME": "nats-0"}, env_visible=True).load(str(tmp_path / "nats.conf"))
    assert doc.root is not None and not [f for f in doc.findings if f.severity.name == "ERROR"], text
    return plain(doc.root)


@pytest.mark.parametrize("name,values,expected", _cases(), ids=[c[0] for c in _cases()])
def test_the_chart_renders_the_config_its_own_tests_expect(name, values, expected, tmp_path):
    shared_path("charts", "nats", "test")
    assert _render(values, tmp_path) == expected


def test_every_go_test_of_the_chart_is_compared_or_said_why_not():
    shared_path("charts", "nats", "test")
    compared = {c[0].split("/")[0] for c in _cases()}
    assert compared.isdisjoint(NOT_COMPARED_HERE)
    assert compared | set(NOT_COMPARED_HERE) == set(_functions())


def test_the_default_config(tmp_path):
    shared_path("charts", "nats", "test")
    assert _render("{}", tmp_path) == _default_conf()


# -- origins ----------------------------------------------------------------------------------

VALUES = """\
config:
  cluster:
    enabled: true
    replicas: 2
  jetstream:
    enabled: true
    merge:
      domain: edge
  leafnodes:
    enabled: true
    merge:
      remotes:
      - urls: ["nats://hub:7422"]
  patch:
  - op: add
    path: /jetstream/domain
    value: hub
"""


def test_each_rendered_value_points_at_the_values_line_that_wrote_it():
    values = layered([("values.yaml", YAML().load(io.StringIO(VALUES)))])
    config, origins = render_config(values, names_of(values, "nats"), None)
    assert config["jetstream"]["domain"] == "hub"
    assert origins[("jetstream", "domain")].line == 17  # the patch's value wins over the merge
    assert origins[("leafnodes", "remotes", 0, "urls", 0)].line == 13
    assert origins[("cluster", "routes", 1)].line == 4  # two routes, because of `replicas: 2`
    assert origins[("lame_duck_duration",)] is None  # the chart's own default
    text, pointers = format_config(config)
    line = text.split("\n").index('    "domain": "hub",')
    assert pointers[line] == ("jetstream", "domain")


def test_a_null_deletes_a_default_and_a_later_source_wins():
    first = YAML().load(io.StringIO("config:\n  monitor:\n    enabled: true\n    port: 9000\n"))
    second = YAML().load(io.StringIO("config:\n  monitor:\n    port: null\n  nats:\n    port: 4333\n"))
    values = layered([("a.yaml", first), ("b.yaml", second)])
    assert values.get("config", "monitor", "port") is None
    assert values.get("config", "nats", "port") == 4333
    assert values.origin(("config", "nats", "port")).path == "b.yaml"
    assert values.origin(("config", "monitor", "enabled")).path == "a.yaml"


def test_json_patch_moves_origins_with_the_values():
    origins = {("a",): "A", ("list",): "L", ("list", 0): "L0", ("list", 1): "L1"}
    doc = {"a": 1, "list": [10, 11]}
    out = jsonpatch.apply(doc, [{"op": "add", "path": "/list/0", "value": 9},
                                {"op": "move", "from": "/a", "path": "/b"},
                                {"op": "remove", "path": "/list/2"}],
                          origins, lambda i, sub: f"op{i}{sub}")
    assert out == {"b": 1, "list": [9, 10]} and doc == {"a": 1, "list": [10, 11]}
    assert origins == {("b",): "A", ("list",): "L", ("list", 0): "op0()", ("list", 1): "L0"}


@pytest.mark.parametrize("patch,message", [
    ([{"path": "/x", "value": 1}], "patch is missing op key"),
    ([{"op": "nope", "path": "/x"}], "patch has invalid op nope"),
    ([{"op": "add", "path": "/x"}], "patch with op add is missing value key"),
    ([{"op": "remove", "path": "/missing"}], "path /missing does not exist"),
    ([{"op": "test", "path": "/a", "value": 2}], "testing value /a failed"),
])
def test_a_patch_the_chart_refuses_is_an_error(patch, message):
    with pytest.raises(jsonpatch.PatchError, match=re.escape(message)):
        jsonpatch.apply({"a": 1}, patch, {}, lambda i, sub: None)
