"""Whatever bytes or YAML a file holds, loading ends in a report, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ownbook.model.load import load_model
from ownbook.model.problems import OwnbookError

from tests.conftest import BASE, TODAY

pytestmark = pytest.mark.slow

# Example counts come from the profile (tests/conftest.py; `--hypothesis-profile=deep`).
SETTINGS = settings(deadline=1000, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(
    [
        "handbook",
        "teams",
        "stages",
        "activities",
        "faqs",
        "glossary",
        "id",
        "name",
        "raci",
        "responsible",
        "accountable",
        "stages",
        "lifecycle",
        "title",
        "summary",
        "parent",
        "roles",
        "loop",
        "reviewed",
        "links",
        "url",
        "<<",
    ]
) | st.text(max_size=8)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.dates()
    | st.text(max_size=20)
    | st.sampled_from(["sales", "marketing/data-analyst", "awareness", "no", "2026-02-30"])
)

DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


def _load(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in files.items():
            (root / name).write_bytes(data)
        try:
            checked = load_model(root, today=TODAY)
        except OwnbookError:  # pragma: no cover - load_model reports instead of raising
            return
        for problem in checked.problems:
            assert problem.format()


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    _load({"model.yaml": data, "base.yaml": BASE.encode()})


@SETTINGS
@given(DOCUMENTS)
def test_random_yaml_documents_never_crash(doc: Any) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    _load({"model.yaml": text.encode("utf-8"), "base.yaml": BASE.encode()})


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["teams", "stages", "activities", "faqs", "glossary", "handbook"]),
        DOCUMENTS,
        min_size=1,
        max_size=3,
    )
)
def test_random_model_shaped_documents_never_crash(doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True)
    _load({"model.yaml": text.encode("utf-8"), "base.yaml": BASE.encode()})


@SETTINGS
@given(st.integers(min_value=0, max_value=len(BASE) - 1), st.text(min_size=1, max_size=6))
def test_edits_of_a_valid_model_never_crash(at: int, insert: str) -> None:
    mutated = BASE[:at] + insert + BASE[at:]
    _load({"base.yaml": mutated.encode("utf-8", "surrogatepass")})
