"""The default content shipped in content/ is a clean, complete model."""

from __future__ import annotations

import dataclasses

from ownbook.model import spec
from ownbook.model.load import load_model

from tests.conftest import ROOT, TODAY


def test_default_content_has_no_problems() -> None:
    checked = load_model(ROOT / "content", today=TODAY)
    assert [p.format() for p in checked.problems] == []
    model = checked.model
    assert model is not None
    assert [s.id for s in model.lifecycle] == [
        "awareness",
        "consideration",
        "purchase",
        "retention",
        "advocacy",
    ]
    assert model.handbook.loop is True
    assert len(model.teams) >= 7
    assert len(model.activities) >= 30
    assert len(model.faqs) >= 15
    assert len(model.glossary) >= 15


def test_default_content_uses_every_field_of_the_format() -> None:
    model = load_model(ROOT / "content", today=TODAY).model
    assert model is not None
    by_spec = {
        "handbook": [model.handbook],
        "team": list(model.teams),
        "role": [r for t in model.teams for r in t.roles],
        "contact": [t.contact for t in model.teams if t.contact],
        "stage": list(model.stages),
        "activity": list(model.activities),
        "raci": [a.raci for a in model.activities],
        "link": [link for a in model.activities for link in a.links],
        "faq": list(model.faqs),
        "term": list(model.glossary),
    }
    for object_spec in spec.OBJECTS:
        objects = by_spec[object_spec.name]
        for f in object_spec.fields:
            given = [o for o in objects if (f.key,) in o.spans]
            assert given, f"no {object_spec.name} sets '{f.key}'"
    # a FAQ without an id exercises id derivation
    assert any(("id",) not in f.spans for f in model.faqs)
    assert all(dataclasses.is_dataclass(o) for o in by_spec["activity"])
