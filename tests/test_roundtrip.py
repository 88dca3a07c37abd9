"""Hypothesis round-trips: a value tree, rendered in several NATS styles, parses back to itself.

Also: arbitrary text and bytes never raise anything; every rejection is a located finding.
"""

from __future__ import annotations

import json
import string

from hypothesis import given
from hypothesis import strategies as st

from natslint.findings import Severity
from natslint.syntax.model import plain
from natslint.syntax.parser import Loader, parse_text

KEYS = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8).filter(
    lambda k: k.lower() not in ("include", "true", "false", "yes", "no", "on", "off"))
SAFE_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .-_:/@*>", max_size=12)
SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    SAFE_TEXT,
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda f: round(f, 3)),
)


def values(depth: int = 3):
    if depth == 0:
        return SCALARS
    inner = values(depth - 1)
    return st.one_of(
        SCALARS,
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
    )


DOCS = st.dictionaries(KEYS, values(), min_size=1, max_size=6)


def scalar_text(v: object, style: str) -> str:
    if isinstance(v, bool):
        return {"json": "true" if v else "false"}.get(style, "yes" if v else "off")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        text = repr(v)
        return text if "e" not in text and "." in text else json.dumps(str(v))
    assert isinstance(v, str)
    if style == "single":
        return "'" + v + "'"
    return json.dumps(v)


def render(v: object, style: str, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(v, dict):
        if style == "json":
            return "{" + ", ".join(f"{json.dumps(k)}: {render(x, style)}" for k, x in v.items()) + "}"
        sep = {"equals": " = ", "colon": ": ", "space": " ", "single": " = ", "comments": " = "}[style]
        lines = []
        for k, x in v.items():
            line = f"{pad}  {k}{sep}{render(x, style, indent + 1)}"
            if style == "comments":
                line += "  # a comment, with } and ] and \"quotes\""
            lines.append(line)
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    if isinstance(v, list):
        # newline separators: a number right before ']' would trip the server's "[1]" bug
        return "[\n" + "\n".join(f"{pad}  {render(x, style, indent + 1)}" for x in v) + f"\n{pad}]"
    return scalar_text(v, style)


def render_doc(doc: dict, style: str) -> str:
    if style == "json":
        return render(doc, "json") + "\n"
    body = render(doc, style)
    return body[2:-2].replace("\n  ", "\n") + "\n"  # top level: no braces


@given(DOCS, st.sampled_from(["equals", "colon", "space", "json", "single", "comments"]))
def test_rendered_styles_parse_back(doc, style):
    text = render_doc(doc, style)
    parsed = parse_text(text, env={})
    assert parsed.server_error is None, text
    assert plain(parsed.root) == doc, text


@given(st.dictionaries(KEYS, st.text(alphabet=string.printable.replace("\r", "").replace("\x0b", "")
                                     .replace("\x0c", ""), max_size=40).filter(
    lambda s: not any(line == ")" for line in s.split("\n"))), min_size=1, max_size=4))
def test_block_strings_parse_back(doc):
    text = "".join(f"{k} = (\n{v}\n)\n" for k, v in doc.items())
    parsed = parse_text(text, env={})
    assert parsed.server_error is None
    assert plain(parsed.root) == {k: "\n" + v + "\n" for k, v in doc.items()}


@given(DOCS, st.integers(1, 3))
def test_includes_parse_back(tmp_path_factory, doc, parts):
    base = tmp_path_factory.mktemp("inc")
    items = list(doc.items())
    chunks = [dict(items[i::parts]) for i in range(parts)]
    main = []
    for i, chunk in enumerate(chunks):
        (base / f"part{i}.conf").write_text(render_doc(chunk, "equals") if chunk else "", encoding="utf-8")
        main.append(f"include part{i}.conf")
    (base / "main.conf").write_text("\n".join(main) + "\n", encoding="utf-8")
    parsed = Loader(env={}, env_visible=True).load(str(base / "main.conf"))
    assert parsed.server_error is None
    assert plain(parsed.root) == doc


@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text):
    doc = parse_text(text, env={})
    if doc.server_error is not None:
        errors = [f for f in doc.findings if f.severity == Severity.ERROR]
        assert errors, doc.server_error
        for f in errors:
            assert 0 <= f.span.start <= f.span.end <= len(text)
            assert f.span.line >= 1 and f.span.col >= 1


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "x.conf"
    path.write_bytes(data)
    doc = Loader(env={}, env_visible=False).load(str(path))
    assert doc.server_error is None or doc.findings
