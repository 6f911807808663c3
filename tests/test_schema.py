"""The JSON Schema for editors comes from the same definitions the loader decodes with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
import yaml
from ownbook.model import spec
from ownbook.model.load import find_model_files

from tests.conftest import BASE, ROOT

SCHEMA_FILE = ROOT / "generator" / "schema" / "ownbook.schema.json"
CONTENT = ROOT / "content"


def _plain(value: Any) -> Any:
    """YAML as an editor's schema checker sees it (dates as the strings typed)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_committed_schema_is_current() -> None:
    expected = json.dumps(spec.json_schema(), indent=2) + "\n"
    assert SCHEMA_FILE.read_text() == expected, (
        "generator/schema/ownbook.schema.json is stale: run "
        "`ownbook schema > generator/schema/ownbook.schema.json`"
    )


def test_schema_is_valid_draft7() -> None:
    jsonschema.Draft7Validator.check_schema(spec.json_schema())


def test_every_field_has_a_description() -> None:
    schema = spec.json_schema()
    objects = [schema, *schema["definitions"].values()]
    for obj in objects:
        assert obj["description"]
        for key, prop in obj["properties"].items():
            assert prop.get("description"), key


@pytest.mark.parametrize("object_spec", spec.OBJECTS, ids=lambda s: s.name)
def test_spec_fields_match_model_fields(object_spec: spec.ObjectSpec) -> None:
    assert object_spec.build is not None
    # derived fields (init=False, such as `Raci.letters`) are worked out, not written
    fields = {f.name for f in dataclasses.fields(object_spec.build) if f.init} - {"pos", "spans"}
    assert set(object_spec.keys) == fields


def test_base_model_validates_against_schema() -> None:
    jsonschema.validate(_plain(yaml.safe_load(BASE)), spec.json_schema())


def test_default_content_validates_against_schema() -> None:
    files = list(find_model_files(CONTENT))
    assert files
    for path, _rel in files:
        jsonschema.validate(_plain(yaml.safe_load(path.read_text())), spec.json_schema())


def test_default_content_files_name_the_schema() -> None:
    for path, rel in find_model_files(CONTENT):
        first = path.read_text().splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix), rel
        target = (path.parent / first[len(prefix) :]).resolve()
        assert target == SCHEMA_FILE, rel


@pytest.mark.parametrize(
    "change",
    [
        ("    name: Sales\n", "    nmae: Sales\n"),
        ("kind: decision", "kind: desicion"),
        ("reviewed: 2026-11-01", "reviewed: soon"),
        ("- id: sales", "- id: Sales Team"),
        ("responsible: [sales]", "responsible: []"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(change: tuple[str, str]) -> None:
    bad = _plain(yaml.safe_load(BASE.replace(*change)))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, spec.json_schema())
