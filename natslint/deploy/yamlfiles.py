"""YAML as the deployment readers see it: loaded once, safely, with positions kept."""

from __future__ import annotations

import re

from natslint.span import Span

MAX_YAML_BYTES = 5 * 1024 * 1024
MAX_YAML_ALIASES = 1000  # bounds alias expansion: no billion laughs
_ALIAS = re.compile(r"(?<![\w*])\*[\w-]+")


class YamlError(str):
    """Why a file is no YAML, in ruamel's words, with where it noticed (1-based line and column)."""

    line: int = 1
    col: int = 1

    @classmethod
    def of(cls, exc) -> "YamlError":
        problem = getattr(exc, "problem", None)
        context, mark = getattr(exc, "context", None), getattr(exc, "problem_mark", None)
        context_mark = getattr(exc, "context_mark", None)
        text = problem or str(exc).splitlines()[0]
        if context:
            text += f" ({context}" + (f" that starts on line {context_mark.line + 1}" if context_mark else "") + ")"
        out = cls(f"not valid YAML: {text}")
        if mark is not None:
            out.line, out.col = mark.line + 1, mark.column + 1
        return out


def load_yaml(text: str) -> tuple[list, str | None]:
    """(documents, error): round-trip loading keeps line and column marks; nothing is
    constructed from tags, and duplicate keys are read (the last wins, as in Kubernetes)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if len(text) > MAX_YAML_BYTES:
        return [], f"over the {MAX_YAML_BYTES}-byte limit for YAML files"
    if text.count("*") > MAX_YAML_ALIASES and len(_ALIAS.findall(text)) > MAX_YAML_ALIASES:
        return [], f"more than {MAX_YAML_ALIASES} YAML aliases (an alias bomb?)"
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    try:
        return [d for d in yaml.load_all(text) if d is not None], None
    except YAMLError as exc:
        return [], YamlError.of(exc)
    except RecursionError:
        return [], "YAML nested too deeply"


def as_map(value) -> dict:
    """A YAML mapping, or an empty one when the file has something else there."""
    return value if isinstance(value, dict) else {}


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def key_span(path: str, node, key=None) -> Span:
    """A span from ruamel's line/column marks (0-based) for a map key, or for the node."""
    line = col = 0
    try:
        if key is not None:
            line, col = node.lc.key(key) if hasattr(node, "lc") else (0, 0)
        elif hasattr(node, "lc"):
            line, col = node.lc.line, node.lc.col
    except (KeyError, AttributeError, TypeError, IndexError):
        pass
    return Span(path, 0, 0, line + 1, col + 1, line + 1, col + 1)


def value_span(path: str, parent, key) -> Span:
    """The span of the value under ``key`` (a map key or a list index)."""
    try:
        line, col = parent.lc.value(key) if not isinstance(key, int) else parent.lc.item(key)
        text = parent[key]
        width = len(str(text)) if not isinstance(text, (dict, list)) else 1
        return Span(path, 0, 0, line + 1, col + 1, line + 1, col + 1 + width)
    except (KeyError, AttributeError, TypeError, IndexError):
        return key_span(path, parent)
