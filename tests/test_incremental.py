"""`serve` re-renders only what an edit touched; the handbook must not notice.

A memo kept across renders (generator/render/memo.py) reuses each page, matrix section, FAQ
section and diagram whose inputs (generator/render/inputs.py) did not change. These tests
edit models at random, the way an author would (a RACI letter, a name, a role, a stage, an
FAQ, the handbook, line numbers, order, today's date), and require the memoised render to
equal a fresh render of the same model, page for page and diagram for diagram.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.synth import write_model
from generator.load import FileCache, load_model
from generator.model import Activity, Model, Raci, party_team
from generator.problems import Pos
from generator.render import RenderOptions, diagram_sources, render_pages
from generator.render.memo import Memo
from generator.svg import SvgResult
from tests.conftest import ROOT, TODAY

ROUNDS = 2

Edit = Callable[[random.Random, Model, RenderOptions], tuple[Model, RenderOptions]]


def _fake_svgs(dots: list[str]) -> dict[str, SvgResult]:
    """Stand-in SVGs that differ whenever the DOT does (drawing is not under test here)."""
    return {d: SvgResult(svg=f"<svg><!-- {len(d)} {hash(d) & 0xFFFF} --></svg>") for d in dots}


def render(model: Model, options: RenderOptions, memo: Memo | None) -> dict[str, str]:
    dots = diagram_sources(model, options, memo)
    done = dataclasses.replace(options, svgs=_fake_svgs(dots))
    pages = render_pages(model, done, memo)
    pages["diagrams.dot"] = "\n".join(dots)
    return pages


# edits -------------------------------------------------------------------------------------


def _replace_item(model: Model, kind: str, index: int, new: object) -> Model:
    items = list(getattr(model, kind))
    items[index] = new
    return dataclasses.replace(model, **{kind: tuple(items)})


def _pick(rng: random.Random, model: Model, kind: str) -> tuple[int, object]:
    items = getattr(model, kind)
    i = rng.randrange(len(items))
    return i, items[i]


def _parties(model: Model) -> list[str]:
    out = []
    for t in model.teams:
        out.append(t.id)
        out += [f"{t.id}/{r.id}" for r in t.roles]
    return out


def _moved(pos: Pos, lines: int) -> Pos:
    return pos._replace(line=pos.line + lines)


def edit_raci(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, a = _pick(rng, m, "activities")
    assert isinstance(a, Activity)
    raci = a.raci
    party = rng.choice(_parties(m))
    change = rng.choice(["inform", "consult", "uninform", "accountable", "responsible"])
    if change == "inform":
        raci = dataclasses.replace(raci, informed=(*raci.informed, party))
    elif change == "consult":
        raci = dataclasses.replace(raci, consulted=(party, *raci.consulted))
    elif change == "uninform":
        raci = dataclasses.replace(raci, informed=raci.informed[1:], consulted=raci.consulted[:-1])
    elif change == "accountable":
        raci = dataclasses.replace(raci, accountable=party)
    else:
        raci = dataclasses.replace(raci, responsible=(party,))
    return _replace_item(m, "activities", i, dataclasses.replace(a, raci=raci)), o


def edit_activity(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, a = _pick(rng, m, "activities")
    assert isinstance(a, Activity)
    stages = [s.id for s in m.lifecycle]
    changes: dict[str, object] = rng.choice(
        [
            {"name": a.name + " (renamed)"},
            {"stages": (rng.choice(stages),)},
            {"stages": tuple(rng.sample(stages, 2))},
            {"kind": "decision" if a.kind == "activity" else "activity"},
            {"reviewed": dt.date(2026, 1, 1) if a.reviewed is None else None},
            {"review_every_days": 30},
            {"escalation": rng.choice(_parties(m))},
            {"summary": "A new *summary*."},
            {"tags": ("new-tag",)},
        ]
    )
    return _replace_item(m, "activities", i, dataclasses.replace(a, **changes)), o


def edit_team(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, t = _pick(rng, m, "teams")
    others = [x.id for x in m.teams if x.id != t.id]  # type: ignore[attr-defined]
    roles = t.roles  # type: ignore[attr-defined]
    changes: dict[str, object] = rng.choice(
        [
            {"name": t.name + " Group"},  # type: ignore[attr-defined]
            {"lead": "A new lead"},
            {"parent": rng.choice(others)},
            {"parent": None},
            {"summary": "Renamed *summary*."},
        ]
    )
    if roles and rng.random() < 0.4:
        r = roles[0]
        changes = {"roles": (dataclasses.replace(r, name=r.name + " II"), *roles[1:])}
    return _replace_item(m, "teams", i, dataclasses.replace(t, **changes)), o  # type: ignore[arg-type]


def edit_stage(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, s = _pick(rng, m, "stages")
    changes = rng.choice(
        [{"name": s.name + " Phase"}, {"summary": "Changed."}, {"goals": ("A goal",)}]  # type: ignore[attr-defined]
    )
    return _replace_item(m, "stages", i, dataclasses.replace(s, **changes)), o  # type: ignore[arg-type]


def edit_faq(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, f = _pick(rng, m, "faqs")
    a = rng.choice(m.activities)
    t = rng.choice(m.teams)
    s = rng.choice(m.stages)
    changes = rng.choice(
        [
            {"question": f.question + " now?"},  # type: ignore[attr-defined]
            {"answer": "Another answer."},
            {"activities": (a.id,)},
            {"teams": (t.id,)},
            {"stages": (s.id,)},
            {"activities": (), "teams": (), "stages": ()},
        ]
    )
    return _replace_item(m, "faqs", i, dataclasses.replace(f, **changes)), o  # type: ignore[arg-type]


def edit_handbook(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    hb = m.handbook
    changes = rng.choice(
        [
            {"loop": not hb.loop},
            {"repo_url": None if hb.repo_url else "https://git.example.com/org/handbook"},
            {"edit_branch": "trunk"},
            {"review_every_days": 90},
            {"title": hb.title + " v2"},
            {"pos": _moved(hb.pos, 2)},
        ]
    )
    return dataclasses.replace(m, handbook=dataclasses.replace(hb, **changes)), o  # type: ignore[arg-type]


def shift_lines(kind: str) -> Edit:
    """A line added near the top of a file moves everything below it (a new instance each)."""

    def edit(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
        items = tuple(dataclasses.replace(x, pos=_moved(x.pos, 1)) for x in getattr(m, kind))
        return dataclasses.replace(m, **{kind: items}), o

    edit.__name__ = f"shift_lines_{kind}"
    return edit


def reread(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    """A file read again: equal values, new objects."""
    kind = rng.choice(["activities", "teams", "stages", "faqs"])
    items = tuple(dataclasses.replace(x) for x in getattr(m, kind))
    return dataclasses.replace(m, **{kind: items}), o


def reorder(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    kind = rng.choice(["activities", "teams"])
    items = list(getattr(m, kind))
    i, j = rng.sample(range(len(items)), 2)
    items[i], items[j] = items[j], items[i]
    return dataclasses.replace(m, **{kind: tuple(items)}), o


def add_or_remove(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    activities = list(m.activities)
    if rng.random() < 0.5 and len(activities) > 5:
        gone = activities.pop(rng.randrange(len(activities)))
        faqs = tuple(
            dataclasses.replace(f, activities=tuple(x for x in f.activities if x != gone.id))
            for f in m.faqs
        )
        return dataclasses.replace(m, activities=tuple(activities), faqs=faqs), o
    a = rng.choice(activities)
    new = dataclasses.replace(a, id=f"{a.id}-copy{len(activities)}", name=a.name + " copy")
    activities.insert(rng.randrange(len(activities) + 1), new)
    return dataclasses.replace(m, activities=tuple(activities)), o


def change_today(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    """Days pass while `serve` runs: reviews fall due."""
    return m, dataclasses.replace(o, today=o.today + dt.timedelta(days=rng.choice([1, 200, 400])))


def change_urls(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    return m, dataclasses.replace(o, directory_urls=not o.directory_urls)


def change_root(rng: random.Random, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    return m, dataclasses.replace(o, source_root=None if o.source_root else str(ROOT))


# Every round applies each edit once, in a random order, with random choices inside.
EDITS: list[Edit] = [
    edit_raci,
    edit_raci,
    edit_raci,
    edit_activity,
    edit_activity,
    edit_team,
    edit_stage,
    edit_faq,
    edit_handbook,
    *(shift_lines(kind) for kind in ("activities", "teams", "stages", "faqs", "glossary")),
    reread,
    reorder,
    add_or_remove,
    change_today,
    change_urls,
    change_root,
]


def _synthetic(tmp_path: Path) -> Model:
    write_model(tmp_path / "synth", stages=4, teams=12, activities=40, faqs=8, seed=7)
    checked = load_model(tmp_path / "synth", today=TODAY)
    assert checked.model is not None
    return checked.model


def _default() -> Model:
    checked = load_model(ROOT / "content", today=TODAY, display_as="content")
    assert checked.model is not None
    return checked.model


@pytest.mark.parametrize("source,seed", [("default", 1), ("default", 2), ("synthetic", 3)])
def test_memoised_render_equals_fresh_render(source: str, seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    model = _default() if source == "default" else _synthetic(tmp_path)
    options = RenderOptions(today=TODAY, source_root=str(ROOT))
    memo = Memo()
    assert render(model, options, memo) == render(model, options, None)
    schedule = [edit for _ in range(ROUNDS) for edit in rng.sample(EDITS, len(EDITS))]
    for step, edit in enumerate(schedule):
        model, options = edit(rng, model, options)
        fresh = render(model, options, None)
        kept = render(model, options, memo)
        wrong = sorted(p for p in fresh.keys() | kept.keys() if fresh.get(p) != kept.get(p))
        assert not wrong, f"step {step}, {edit.__name__}: stale {wrong[:5]}"


def test_one_raci_edit_redoes_only_the_pages_that_show_it(tmp_path: Path) -> None:
    """The benchmark's edit, through the real loader: one file changes, one party is added."""
    content = tmp_path / "content"
    write_model(content, stages=4, teams=30, activities=200, faqs=20, seed=5)
    cache = FileCache()
    options = RenderOptions(today=TODAY)
    memo = Memo()
    first = load_model(content, today=TODAY, cache=cache).model
    assert first is not None
    render(first, options, memo)
    path = content / "activities" / "stage-00.yaml"
    text = path.read_text()
    path.write_text(text.replace("      informed: [", "      informed: [team-029, ", 1))
    second = load_model(content, today=TODAY, cache=cache).model
    assert second is not None
    edited = next(
        new for old, new in zip(first.activities, second.activities, strict=True) if old != new
    )
    assert "team-029" in edited.raci.informed
    memo.hits = memo.misses = 0
    pages = render(second, options, memo)
    assert pages == render(second, options, None)
    teams = {party_team(p) for _, p, _ in edited.raci.letters()} | {"team-029"}
    # redone: that activity's page, the pages of its stages and of its teams (with their
    # diagrams), its matrix and FAQ sections, and the whole-model pages that hold no memo
    redone = 1 + 2 * len(edited.stages) + 2 * len(teams) + 2 + 2
    assert memo.misses <= redone + 2, (memo.misses, redone)
    assert memo.hits >= len(pages) - redone - 10


def test_raci_of_unrelated_objects_is_not_compared_by_position() -> None:
    """Equal values at new positions: a page that shows no source line is reused."""
    raci = Raci(responsible=("a",), accountable="a")
    assert dataclasses.replace(raci, pos=Pos("x", 9)) == raci
