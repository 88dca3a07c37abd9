"""The JSON Schema of natslint's own settings (natslint/data/natslint.schema.json), shipped in the
wheel for editors and SchemaStore: it agrees with what natslint's config reader accepts."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from natslint.config import KNOWN_KEYS, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "natslint" / "data" / "natslint.schema.json").read_text(encoding="utf-8"))
SETTINGS = sorted(p for name in ("natslint.toml", ".natslint.toml") for p in (ROOT / "fixtures").rglob(name))


def test_the_schema_is_a_valid_schema_with_every_setting():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert set(SCHEMA["properties"]) == KNOWN_KEYS


@pytest.mark.parametrize("path", SETTINGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fixture_settings_file_validates(path):
    jsonschema.validate(tomllib.loads(path.read_text(encoding="utf-8")), SCHEMA)
    load_config(path)  # and natslint reads it


def test_there_are_settings_to_validate():
    assert len(SETTINGS) >= 10


@pytest.mark.parametrize("text", [
    'fail-on = "fatal"\n',
    'select = ["NL2", 3]\n',
    'unknown-key = 1\n',
    '[severity]\nNL202 = "critical"\n',
    '[[fleets]]\nname = "edge"\n',
    '[[fleets]]\nname = "edge"\ninclude = ["a"]\ncolour = "red"\n',
    'require-resolved = "yes"\n',
])
def test_what_the_schema_refuses_natslint_refuses_too(text, tmp_path):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(tomllib.loads(text), SCHEMA)
    (tmp_path / "natslint.toml").write_text(text)
    with pytest.raises(ConfigError):
        load_config(tmp_path / "natslint.toml")


def test_house_rules_validate_and_a_bad_one_does_not():
    text = (ROOT / "fixtures" / "house-rules" / "natslint.toml").read_text(encoding="utf-8")
    jsonschema.validate(tomllib.loads(text), SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(tomllib.loads(text.replace('"ACME001"', '"NL999"')), SCHEMA)
