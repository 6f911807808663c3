"""`serve` re-renders only what an edit touched; the handbook must not notice.

A memo kept across renders (generator/render/memo.py) reuses each page, matrix section, FAQ
section and diagram whose record of reads (generator/render/tracked.py) finds the same
values. These tests
edit models at random, the way an author would (a RACI letter, a name, a role, a stage, an
FAQ, the handbook, line numbers, order, today's date), and require the memoised render to
equal a fresh render of the same model, page for page and diagram for diagram.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from ownbook.model.load import FileCache, load_model
from ownbook.model.objects import Activity, Model, Raci, Team, party_team
from ownbook.model.problems import Pos
from ownbook.render import RenderOptions, derived, diagram_sources, pages, render_pages
from ownbook.render.memo import Memo, NoMemo
from ownbook.render.svg import SvgResult
from ownbook.render.tracked import same

from benchmarks.synth import write_model
from tests.conftest import ROOT, TODAY

pytestmark = pytest.mark.slow

T = TypeVar("T")


class Choices(random.Random):
    """Random choices, except which kind of edit an edit makes: the test goes through each."""

    variant = 0

    def which(self, options: list[T]) -> T:
        return options[self.variant % len(options)]


Edit = Callable[[Choices, Model, RenderOptions], tuple[Model, RenderOptions]]


def _fake_svgs(dots: list[str]) -> dict[str, SvgResult]:
    """Stand-in SVGs that differ whenever the DOT does (drawing is not under test here)."""
    return {d: SvgResult(svg=f"<svg><!-- {len(d)} {hash(d) & 0xFFFF} --></svg>") for d in dots}


def render(model: Model, options: RenderOptions, memo: Memo | None) -> dict[str, str]:
    """Pages and DOT sources as a build makes them: without a memo, one `NoMemo` for both
    calls, as the build pipeline passes."""
    memo = memo or NoMemo()
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


def _pick(rng: Choices, model: Model, kind: str) -> tuple[int, object]:
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


def edit_raci(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, a = _pick(rng, m, "activities")
    assert isinstance(a, Activity)
    raci = a.raci
    party = rng.choice(_parties(m))
    change = rng.which(["inform", "consult", "uninform", "accountable", "responsible"])
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


def edit_activity(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, a = _pick(rng, m, "activities")
    assert isinstance(a, Activity)
    stages = [s.id for s in m.lifecycle]
    changes: dict[str, object] = rng.which(
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


def _named(a: Activity) -> set[str]:
    """The teams an activity names: its letters and its escalation."""
    return {party_team(p) for _, p, _ in a.raci.letters} | (
        {party_team(a.escalation)} if a.escalation else set()
    )


def edit_team(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, t = _pick(rng, m, "teams")
    assert isinstance(t, Team)
    others = [x.id for x in m.teams if x.id != t.id]
    roles = t.roles
    changes: dict[str, object] = rng.which(
        [
            {"name": t.name + " Group"},
            {"lead": "A new lead"},
            {"parent": rng.choice(others)},
            {"parent": None},
            {"summary": "Renamed *summary*."},
            {"roles": (dataclasses.replace(roles[0], name=roles[0].name + " II"), *roles[1:])}
            if roles
            else {"lead": None},
            {"apart": True},
        ]
    )
    if "apart" in changes:
        # a parent that shares no activity with the team: only the sub-team list links them
        together = [_named(a) for a in m.activities]
        pairs = [
            (j, y.id)
            for j, x in enumerate(m.teams)
            for y in m.teams
            if x.id != y.id and not any({x.id, y.id} <= teams for teams in together)
        ]
        i, parent = rng.choice(pairs) if pairs else (i, rng.choice(others))
        t, changes = m.teams[i], {"parent": parent}
    return _replace_item(m, "teams", i, dataclasses.replace(t, **changes)), o


def edit_stage(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, s = _pick(rng, m, "stages")
    changes = rng.which(
        [{"name": s.name + " Phase"}, {"summary": "Changed."}, {"goals": ("A goal",)}]  # type: ignore[attr-defined]
    )
    return _replace_item(m, "stages", i, dataclasses.replace(s, **changes)), o  # type: ignore[arg-type]


def edit_faq(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    i, f = _pick(rng, m, "faqs")
    a = rng.choice(m.activities)
    t = rng.choice(m.teams)
    s = rng.choice(m.stages)
    changes = rng.which(
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


def edit_handbook(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    hb = m.handbook
    changes = rng.which(
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

    def edit(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
        items = tuple(dataclasses.replace(x, pos=_moved(x.pos, 1)) for x in getattr(m, kind))
        return dataclasses.replace(m, **{kind: items}), o

    edit.__name__ = f"shift_lines_{kind}"
    return edit


def reread(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    """A file read again: equal values, new objects."""
    kind = rng.which(["activities", "teams", "stages", "faqs"])
    items = tuple(dataclasses.replace(x) for x in getattr(m, kind))
    return dataclasses.replace(m, **{kind: items}), o


def reorder(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    kind = rng.which(["activities", "teams"])
    items = list(getattr(m, kind))
    i, j = rng.sample(range(len(items)), 2)
    items[i], items[j] = items[j], items[i]
    return dataclasses.replace(m, **{kind: tuple(items)}), o


def add_or_remove(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    activities = list(m.activities)
    if rng.which([True, False]) and len(activities) > 5:
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


def change_today(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    """Days pass while `serve` runs: reviews fall due."""
    return m, dataclasses.replace(o, today=o.today + dt.timedelta(days=rng.which([1, 200, 400])))


def change_urls(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    return m, dataclasses.replace(o, directory_urls=not o.directory_urls)


def change_root(rng: Choices, m: Model, o: RenderOptions) -> tuple[Model, RenderOptions]:
    return m, dataclasses.replace(o, source_root=None if o.source_root else str(ROOT))


# Each edit and how many kinds of change it makes: the test makes every one of them.
EDITS: dict[Edit, int] = {
    edit_raci: 5,
    edit_activity: 9,
    edit_team: 7,
    edit_stage: 3,
    edit_faq: 6,
    edit_handbook: 6,
    **{shift_lines(kind): 1 for kind in ("activities", "teams", "stages", "faqs", "glossary")},
    reread: 4,
    reorder: 2,
    add_or_remove: 2,
    change_today: 3,
    change_urls: 1,
    change_root: 1,
}


def _synthetic(tmp_path: Path) -> Model:
    write_model(tmp_path / "synth", stages=4, teams=12, activities=40, faqs=8, seed=7)
    checked = load_model(tmp_path / "synth", today=TODAY)
    assert checked.model is not None
    return checked.model


def _default() -> Model:
    checked = load_model(ROOT / "content", today=TODAY, display_as="content")
    assert checked.model is not None
    return checked.model


# Each run makes every kind of edit once, in an order of its seed.
@pytest.mark.parametrize("source,seed", [("default", 1), ("synthetic", 3)])
def test_memoised_render_equals_fresh_render(
    source: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = Choices(seed)
    if source == "default":
        model = _default()
    else:
        model = _synthetic(tmp_path)
        # the tables that name parties by letter, which larger models get
        monkeypatch.setattr(pages, "STAGE_TABLE_MAX_TEAMS", 4)
        monkeypatch.setattr(pages, "MATRIX_MAX_TEAMS", 6)
    options = RenderOptions(today=TODAY, source_root=str(ROOT))
    memo = Memo()
    assert render(model, options, memo) == render(model, options, None)
    # every variant of every kind of edit on the synthetic model; on the larger default
    # one, the first variant of each (its pages take three times as long to render)
    most = 1 if source == "default" else None
    schedule = [(edit, v) for edit, kinds in EDITS.items() for v in range(kinds)[:most]]
    rng.shuffle(schedule)
    for step, (edit, variant) in enumerate(schedule):
        rng.variant = variant
        model, options = edit(rng, model, options)
        fresh = render(model, options, None)
        kept = render(model, options, memo)
        wrong = sorted(p for p in fresh.keys() | kept.keys() if fresh.get(p) != kept.get(p))
        assert not wrong, f"step {step}, {edit.__name__} #{variant}: stale {wrong[:5]}"


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
    memo.hits, memo.made = 0, []
    pages = render(second, options, memo)
    assert pages == render(second, options, None)
    teams = {party_team(p) for _, p, _ in edited.raci.letters} | {"team-029"}
    made_pages = {slot[1] for slot in memo.made if slot[0] == "page"}
    assert made_pages == {
        f"activities/{edited.id}.md",
        *(f"stages/{s}.md" for s in edited.stages),
        *(f"teams/{t}.md" for t in teams),
        "teams.md",  # the organisation diagram counts shared activities
        # the home page lists the decisions with who decides each
        *(["index.md"] if edited.kind == "decision" else []),
    }
    # in the matrix, the stage tables and the FAQ only that activity's rows are redone
    assert {slot[2] for slot in memo.made if slot[0] == "row"} == {edited.id}
    assert [slot for slot in memo.made if slot[0] == "who-owns"] == [("who-owns", edited.id)]
    assert memo.hits > len(pages) - len(made_pages) - 10


def test_model_objects_compare_without_their_position() -> None:
    """Equal values at new positions compare equal (the record compares with `same`)."""
    raci = Raci(responsible=("a",), accountable="a")
    assert dataclasses.replace(raci, pos=Pos("x", 9)) == raci


def test_parent_and_sub_team_links_follow_edits(tmp_path: Path) -> None:
    """Two teams that share no activity see each other only through the team tree."""
    model = _synthetic(tmp_path)
    options = RenderOptions(today=TODAY)
    together = [_named(a) for a in model.activities]
    child, parent = next(
        (x, y)
        for x in model.teams
        for y in model.teams
        if x.id != y.id and not any({x.id, y.id} <= teams for teams in together)
    )
    memo = Memo()
    render(model, options, memo)

    def team_edit(team_id: str, **changes: object) -> Model:
        i = next(i for i, t in enumerate(model.teams) if t.id == team_id)
        return _replace_item(model, "teams", i, dataclasses.replace(model.teams[i], **changes))  # type: ignore[arg-type]

    for team_id, changes in [
        (child.id, {"parent": parent.id}),
        (parent.id, {"name": "Renamed Parent"}),
        (child.id, {"name": "Renamed Child"}),
        (child.id, {"parent": None}),
    ]:
        model = team_edit(team_id, **changes)
        fresh = render(model, options, None)
        assert render(model, options, memo) == fresh, (team_id, changes)
        assert ("Renamed Parent" in fresh[f"teams/{child.id}.md"]) == (
            model.team_by_id[child.id].parent == parent.id
            and model.team_by_id[parent.id].name == "Renamed Parent"
        )


def test_a_one_off_build_makes_each_graph_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`diagram_sources` and then `render_pages` of one model, given one `NoMemo`, share its
    graphs (the build pipeline passes one)."""
    model = _default()
    options = RenderOptions(today=TODAY)
    made: list[str] = []
    stage_graph = pages.graphs.stage_graph

    def counted(m: Model, stage_id: str, activities: object = None) -> object:
        made.append(stage_id)
        return stage_graph(m, stage_id, activities)  # type: ignore[arg-type]

    monkeypatch.setattr(pages.graphs, "stage_graph", counted)
    memo = NoMemo()
    dots = diagram_sources(model, options, memo)
    render_pages(model, dataclasses.replace(options, svgs=_fake_svgs(dots)), memo)
    assert sorted(made) == sorted(s.id for s in model.lifecycle)


_ACTIVITY_PAGE = pages._Renderer.activity


def _activity_with_lead(self: pages._Renderer, a: Activity) -> str:
    """An activity page that also names the lead of the model's last team (a module
    function: the memo refuses a closure, which could carry a value past the record)."""
    return _ACTIVITY_PAGE(self, a) + f"\nLead of the last team: {self.model.teams[-1].lead}\n"


def test_a_field_a_page_starts_to_show_is_followed_without_being_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dependency record is written by the reads themselves: activity pages made to
    show the lead of a team they do not name (nothing an activity page showed before, so a
    hand-made list of its inputs would not hold it) follow an edit of that lead."""
    model = _synthetic(tmp_path)
    options = RenderOptions(today=TODAY)
    monkeypatch.setattr(pages._Renderer, "activity", _activity_with_lead)
    memo = Memo()
    render(model, options, memo)
    last = model.teams[-1]
    a = next(a for a in model.activities if last.id not in _named(a))
    edited = _replace_item(
        model, "teams", len(model.teams) - 1, dataclasses.replace(last, lead="Ada Newlead")
    )
    memo.made = []
    kept = render(edited, options, memo)
    assert kept == render(edited, options, None)
    assert "Lead of the last team: Ada Newlead" in kept[f"activities/{a.id}.md"]
    assert ("page", f"activities/{a.id}.md") in memo.made


def test_the_memo_refuses_a_maker_that_carries_values_past_its_record() -> None:
    """A closure or a partial could hold a value read outside the part being made: the
    memo will not keep what such a maker makes."""
    model = _default()
    memo = Memo()
    render(model, RenderOptions(today=TODAY), memo)
    name = "x"
    with pytest.raises(TypeError, match="may carry values"):
        memo.get(("test",), lambda: name)
    with pytest.raises(TypeError, match="may carry values"):
        memo.get(("test",), functools.partial(str, name))


def test_values_read_are_compared_with_their_positions() -> None:
    """`==` leaves positions out; the record's comparison does not, so a page that shows a
    source line follows it when lines move."""
    raci = Raci(responsible=("a",), accountable="a")
    moved = dataclasses.replace(raci, pos=Pos("x", 9))
    assert moved == raci
    assert not same(moved, raci)
    assert same((raci, [raci]), (raci, [dataclasses.replace(raci)]))


def test_the_glossary_outlives_a_render_while_it_is_the_same(tmp_path: Path) -> None:
    """The field cache knows a glossary by its identity: an edit elsewhere keeps the very
    same glossary object (so the fields of the pages made again are not converted again),
    an edit of a term makes a new one."""
    model = _default()
    options = RenderOptions(today=TODAY)
    memo = Memo()
    render(model, options, memo)
    assert memo.sources is not None
    first = memo.sources.view(derived.glossary)
    a = model.activities[0]
    model = _replace_item(model, "activities", 0, dataclasses.replace(a, name="Renamed"))
    render(model, options, memo)
    assert memo.sources.view(derived.glossary) is first
    term = dataclasses.replace(model.glossary[0], definition="Another definition.")
    model = _replace_item(model, "glossary", 0, term)
    render(model, options, memo)
    assert memo.sources.view(derived.glossary) is not first
