"""Derived views of the model that several pages share: sections, letters held, RACI rows.

Pure functions of the model; pages only format what these return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..model.objects import Activity, Faq, Letter, Model, Stage, Team, split_party


@dataclass(frozen=True)
class Section:
    """One lifecycle stage and the activities whose home it is (see `home_stage`)."""

    id: str
    title: str
    stage: Stage | None
    activities: tuple[Activity, ...]


def home_stage(model: Model, a: Activity) -> str:
    """The stage an activity is listed under where it is listed once (the nav, the matrix,
    the FAQ, a team's page): the first of its stages in lifecycle order."""
    order = model.stage_order
    known = [s for s in a.stages if s in order]
    return min(known, key=order.__getitem__) if known else a.stages[0]


def lifecycle_sorted(model: Model, activities: Iterable[Activity]) -> list[Activity]:
    """Activities in lifecycle order (by home stage), the model's order within a stage: the
    order every list of the handbook uses, never the order of the model's file paths."""
    order = model.stage_order
    index = model.activity_index
    return sorted(
        activities,
        key=lambda a: (order.get(home_stage(model, a), len(order)), index.get(a.id, 0)),
    )


def sections(model: Model) -> list[Section]:
    """Each lifecycle stage with the activities whose home it is: every activity once."""
    by_home: dict[str, list[Activity]] = defaultdict(list)
    for a in lifecycle_sorted(model, model.activities):
        by_home[home_stage(model, a)].append(a)
    return [Section(s.id, s.name, s, tuple(by_home[s.id])) for s in model.lifecycle]


def stage_members(model: Model, stage_id: str) -> list[Activity]:
    """The activities of a stage, as its page lists them: those whose home it is first,
    then those that come from another stage, by the position of their home stage.

    One definition of membership (the activity names the stage), shared by the stage page,
    its diagram and the matrix's stage filter."""
    members = [a for a in model.activities if stage_id in a.stages]
    own = [a for a in members if home_stage(model, a) == stage_id]
    others = [a for a in members if home_stage(model, a) != stage_id]
    return lifecycle_sorted(model, own) + lifecycle_sorted(model, others)


@dataclass(frozen=True)
class Held:
    """One letter a team holds in one activity, directly or through one of its roles."""

    activity: Activity
    letter: Letter
    party: str
    role_id: str | None


def held_in(a: Activity) -> tuple[tuple[str, Held], ...]:
    """(team id, letter held) for each letter of one activity."""
    out = []
    for letter, party, _ in a.raci.letters:
        team_id, role_id = split_party(party)
        out.append((team_id, Held(a, letter, party, role_id)))
    return tuple(out)


def letters_by_team(
    model: Model, held: Callable[[Activity], tuple[tuple[str, Held], ...]] = held_in
) -> dict[str, list[Held]]:
    """Every letter each team holds (its roles' letters included), in model order.
    `held`: `held_in`, or the same kept per activity across renders."""
    out: dict[str, list[Held]] = defaultdict(list)
    for a in model.activities:
        for team_id, h in held(a):
            out[team_id].append(h)
    return out


def cell_letters(a: Activity, team_id: str) -> list[tuple[Letter, str | None]]:
    """The letters a team holds in one activity, as (letter, role id or None), A first."""
    return letters_per_team(a).get(team_id, [])


def letters_per_team(a: Activity) -> dict[str, list[tuple[Letter, str | None]]]:
    """{team id: [(letter, role id or None)]} for one activity, A first."""
    out: dict[str, list[tuple[Letter, str | None]]] = defaultdict(list)
    for letter, party, _ in sorted(a.raci.letters, key=lambda x: x[0].weight):
        team_id, role_id = split_party(party)
        out[team_id].append((letter, role_id))
    return dict(out)


def teams_involved(model: Model, activities: Sequence[Activity]) -> list[Team]:
    """The teams holding any letter in these activities, in model order."""
    involved = {split_party(party)[0] for a in activities for _letter, party, _ in a.raci.letters}
    return [t for t in model.teams if t.id in involved]


def sub_teams(model: Model) -> dict[str, list[Team]]:
    """{team id: its sub-teams, in model order} (a team without any is not listed)."""
    out: dict[str, list[Team]] = defaultdict(list)
    for t in model.teams:
        if t.parent is not None:
            out[t.parent].append(t)
    return dict(out)


def team_tree(model: Model) -> list[tuple[Team, int]]:
    """Teams depth-first under their parents, as (team, depth), in model order."""
    out: list[tuple[Team, int]] = []
    children = sub_teams(model)

    def walk(team: Team, depth: int) -> None:
        out.append((team, depth))
        for child in children.get(team.id, ()):
            walk(child, depth + 1)

    for team in model.teams:
        if team.parent is None or team.parent not in model.team_by_id:
            walk(team, 0)
    return out


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
