"""The ownership rules, each written once.

A rule here says which letters, teams, stages or activities break it; it says nothing of
how that is told. `spec` and `validate` turn a broken rule into a `Problem` with its code
and position (`ownbook check`), `health` into a `Finding` (the Health page and `ownbook
report`), and `ownbook import` applies the same functions to the rows it writes, so that
none of them can drift from another.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, TypeVar

from .objects import Activity, Letter, Model, Stage, Team, party_team

# --- the letters of one activity ------------------------------------------------------

# How many parties hold each letter in one activity: (at least, at most or None). The
# content format's "exactly one accountable, at least one responsible" (OB301-OB303).
PARTIES_PER_LETTER: Mapping[Letter, tuple[int, int | None]] = MappingProxyType(
    {
        Letter.RESPONSIBLE: (1, None),
        Letter.ACCOUNTABLE: (1, 1),
        Letter.CONSULTED: (0, None),
        Letter.INFORMED: (0, None),
    }
)
# The one pair of letters a party may hold together: who answers for the work often does it.
_HELD_TOGETHER = frozenset({Letter.ACCOUNTABLE, Letter.RESPONSIBLE})


def count_faults(counts: Mapping[Letter, int]) -> list[Letter]:
    """The letters held by too few or too many parties (a letter left out counts 0),
    strongest first, so that "no accountable" is said before "no responsible"."""
    out = []
    for letter in Letter.by_weight():
        least, most = PARTIES_PER_LETTER[letter]
        held = counts.get(letter, 0)
        if held < least or (most is not None and held > most):
            out.append(letter)
    return out


def may_hold_together(letters: Iterable[Letter]) -> bool:
    """Whether one party may hold all of `letters` in one activity without a warning
    (OB304): a single letter, or Accountable and Responsible together."""
    held = frozenset(letters)
    return len(held) <= 1 or held == _HELD_TOGETHER


# --- teams ------------------------------------------------------------------------------


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)


def held_parties(activities: Iterable[Activity]) -> Iterator[str]:
    """Every party that holds a letter, once per letter held."""
    for activity in activities:
        for _, party, _ in activity.raci.letters:
            yield party


def idle_teams(teams: Iterable[T], parties: Iterable[str]) -> list[T]:
    """The teams, in their order, that none of `parties` belongs to: a team that holds no
    letter (OB401, idle-team). Generic, so that the importer asks about the teams and
    parties it is about to write, before any model exists."""
    held = {party_team(p) for p in set(parties)}  # a party holds many letters: once each
    return [t for t in teams if t.id and t.id not in held]


def accountable_counts(model: Model) -> Counter[str]:
    """{team id: activities it is accountable for}; a role's accountability is its team's."""
    return Counter(
        party_team(a.raci.accountable) for a in model.activities if a.raci.accountable is not None
    )


def overloaded_teams(model: Model) -> list[tuple[Team, int, int]]:
    """(team, activities it is accountable for, the limit) for each team, in model order,
    over the handbook's `max_accountable_per_team` (OB403, overloaded-team)."""
    limit = model.handbook.max_accountable_per_team
    if limit is None:
        return []
    counts = accountable_counts(model)
    return [(t, counts[t.id], limit) for t in model.teams if counts[t.id] > limit]


# --- stages -----------------------------------------------------------------------------


def activities_by_stage(model: Model) -> dict[str, list[Activity]]:
    """{stage id: the activities that list it}, in model order."""
    by_stage: dict[str, list[Activity]] = defaultdict(list)
    for activity in model.activities:
        for stage_id in activity.stages:
            by_stage[stage_id].append(activity)
    return by_stage


def empty_stages(model: Model) -> list[Stage]:
    """The stages no activity lists (OB402, empty-stage), in model order.

    Every declared stage counts, those the lifecycle leaves out too: being outside the
    lifecycle is a rule of its own (OB207, an error), and a stage is empty or not whatever
    the lifecycle says, so `check` reports both and the health report lists such a stage
    after the lifecycle's. On a model without errors the two are the same stages, since
    OB207 puts every stage in the lifecycle.
    """
    staged = activities_by_stage(model)
    return [s for s in model.stages if s.id and not staged.get(s.id)]


# --- reviews ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """The review status of one activity on a day."""

    activity: Activity
    due: dt.date | None  # None: never reviewed
    days: int  # days overdue (>0), or days until due (<=0); 0 when never reviewed

    @property
    def never(self) -> bool:
        return self.due is None

    @property
    def overdue(self) -> bool:
        return self.days > 0

    @property
    def wanted(self) -> bool:
        """Never reviewed or overdue: the reminders of OB404 and OB405."""
        return self.never or self.overdue


def review(model: Model, activity: Activity, today: dt.date) -> Review:
    """An activity's review status on `today`: due its cadence after `reviewed`."""
    due = model.review_due(activity)
    return Review(activity, due, 0 if due is None else (today - due).days)
