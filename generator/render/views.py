"""Derived views of the model that several pages share: sections, letters held, RACI rows.

Pure functions of the model; pages only format what these return.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..model import Activity, Faq, Model, Stage, Team, split_party

ACROSS_ID = "across"
ACROSS_TITLE = "Across the lifecycle"


@dataclass(frozen=True)
class Section:
    """A group of activities: one lifecycle stage, or those that span several stages."""

    id: str
    title: str
    stage: Stage | None
    activities: tuple[Activity, ...]


def sections(model: Model) -> list[Section]:
    """Activities grouped by their one stage (lifecycle order), then the multi-stage ones.

    Each activity is in exactly one section, so totals and the nav count it once.
    """
    by_stage: dict[str, list[Activity]] = defaultdict(list)
    across: list[Activity] = []
    for a in model.activities:
        if len(a.stages) == 1:
            by_stage[a.stages[0]].append(a)
        else:
            across.append(a)
    out = [Section(s.id, s.name, s, tuple(by_stage[s.id])) for s in model.lifecycle]
    if across:
        out.append(Section(ACROSS_ID, ACROSS_TITLE, None, tuple(across)))
    return out


def stage_activities(model: Model, stage_id: str) -> list[Activity]:
    return [a for a in model.activities if stage_id in a.stages]


@dataclass(frozen=True)
class Held:
    """One letter a team holds in one activity, directly or through one of its roles."""

    activity: Activity
    letter: str
    party: str
    role_id: str | None


def letters_by_team(model: Model) -> dict[str, list[Held]]:
    """Every letter each team holds (its roles' letters included), in model order."""
    out: dict[str, list[Held]] = defaultdict(list)
    for a in model.activities:
        for team_id, held in _held(a):
            out[team_id].append(held)
    return out


def _held(a: Activity) -> tuple[tuple[str, Held], ...]:
    """(team id, letter held) for one activity; kept on the (immutable) activity."""
    cached: tuple[tuple[str, Held], ...] | None = a.__dict__.get("_held")
    if cached is None:
        found = []
        for letter, party, _ in a.raci.letters():
            team_id, role_id = split_party(party)
            found.append((team_id, Held(a, letter, party, role_id)))
        cached = tuple(found)
        object.__setattr__(a, "_held", cached)
    return cached


_ORDER = {"accountable": 0, "responsible": 1, "consulted": 2, "informed": 3}


def cell_letters(a: Activity, team_id: str) -> list[tuple[str, str | None]]:
    """The letters a team holds in one activity, as (letter, role id or None), A first."""
    return letters_per_team(a).get(team_id, [])


def letters_per_team(a: Activity) -> dict[str, list[tuple[str, str | None]]]:
    """{team id: [(letter, role id or None)]} for one activity, A first; computed once."""
    cached: dict[str, list[tuple[str, str | None]]] | None = a.__dict__.get("_per_team")
    if cached is None:
        cached = defaultdict(list)
        for letter, party, _ in sorted(a.raci.letters(), key=lambda x: _ORDER[x[0]]):
            p_team, role_id = split_party(party)
            cached[p_team].append((letter, role_id))
        cached = dict(cached)
        object.__setattr__(a, "_per_team", cached)
    return cached


def teams_involved(model: Model, activities: list[Activity] | tuple[Activity, ...]) -> list[Team]:
    """The teams holding any letter in these activities, in model order."""
    involved = {split_party(party)[0] for a in activities for _letter, party, _ in a.raci.letters()}
    return [t for t in model.teams if t.id in involved]


def sub_teams(model: Model, team_id: str) -> list[Team]:
    return [t for t in model.teams if t.parent == team_id]


def team_tree(model: Model) -> list[tuple[Team, int]]:
    """Teams depth-first under their parents, as (team, depth), in model order."""
    out: list[tuple[Team, int]] = []

    def walk(team: Team, depth: int) -> None:
        out.append((team, depth))
        for child in sub_teams(model, team.id):
            walk(child, depth + 1)

    for team in model.teams:
        if team.parent is None or team.parent not in model.team_by_id:
            walk(team, 0)
    return out


def faqs_for(model: Model, *, stage: str = "", team: str = "", activity: str = "") -> list[Faq]:
    return [
        f
        for f in model.faqs
        if (stage and stage in f.stages)
        or (team and team in f.teams)
        or (activity and activity in f.activities)
    ]


def faq_groups(model: Model) -> list[tuple[Stage | None, list[Faq]]]:
    """Authored FAQs, each once, under the first of its stages in lifecycle order."""
    order = {s.id: i for i, s in enumerate(model.lifecycle)}
    groups: dict[str | None, list[Faq]] = defaultdict(list)
    for f in model.faqs:
        known = sorted((s for s in f.stages if s in order), key=order.__getitem__)
        groups[known[0] if known else None].append(f)
    out: list[tuple[Stage | None, list[Faq]]] = [
        (s, groups[s.id]) for s in model.lifecycle if groups.get(s.id)
    ]
    if groups.get(None):
        out.append((None, groups[None]))
    return out


def neighbours(model: Model, stage_id: str) -> tuple[Stage | None, Stage | None]:
    """The previous and next stage, following the loop when the lifecycle is circular."""
    stages = model.lifecycle
    ids = [s.id for s in stages]
    i = ids.index(stage_id)
    loop = model.handbook.loop and len(stages) > 1
    prev = stages[i - 1] if i > 0 else (stages[-1] if loop else None)
    nxt = stages[i + 1] if i + 1 < len(stages) else (stages[0] if loop else None)
    return prev, nxt
