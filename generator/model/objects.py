"""The ownership model: frozen, typed objects that know where they came from.

Field names follow the content format (version 1) one to one. Each object carries `pos`
(where its mapping starts) and `spans` (where each of its values starts), so that any later
check can point at the exact line of the value it complains about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .problems import Pos

SpanKey = tuple[str] | tuple[str, int]
NOWHERE = Pos("<model>")
_NO_SPANS: Mapping[SpanKey, Pos] = MappingProxyType({})


class Letter(StrEnum):
    """A RACI letter. Its value is its field name in a model file, so a `Letter` is also
    the plain string every older caller compares with; iterating the enum gives the
    model's order (R, A, C, I), `by_weight()` the handbook's (A, R, C, I)."""

    RESPONSIBLE = "responsible"
    ACCOUNTABLE = "accountable"
    CONSULTED = "consulted"
    INFORMED = "informed"

    @property
    def char(self) -> str:
        """'R', 'A', 'C' or 'I'."""
        return self.value[0].upper()

    @property
    def label(self) -> str:
        """'Responsible', 'Accountable'... (`title` is `str`'s own method)."""
        return self.value.capitalize()

    @property
    def phrase(self) -> str:
        """How a sentence says a party holds it: 'Responsible for', 'Consulted on'."""
        return _PHRASES[self]

    @property
    def weight(self) -> int:
        """0 for the strongest (A), 3 for the weakest (I): the handbook lists A first."""
        return _WEIGHT.index(self)

    @staticmethod
    def by_weight() -> tuple[Letter, ...]:
        return _WEIGHT


_PHRASES = {
    Letter.RESPONSIBLE: "Responsible for",
    Letter.ACCOUNTABLE: "Accountable for",
    Letter.CONSULTED: "Consulted on",
    Letter.INFORMED: "Informed of",
}
_WEIGHT = (Letter.ACCOUNTABLE, Letter.RESPONSIBLE, Letter.CONSULTED, Letter.INFORMED)


@dataclass(frozen=True, kw_only=True)
class Located:
    pos: Pos = field(default=NOWHERE, compare=False, repr=False)
    spans: Mapping[SpanKey, Pos] = field(
        default_factory=lambda: _NO_SPANS, compare=False, repr=False
    )

    def at(self, key: str, index: int | None = None) -> Pos:
        """Position of a field's value (or of one item of a list field)."""
        if index is not None and (key, index) in self.spans:
            return self.spans[(key, index)]
        return self.spans.get((key,), self.pos)


@dataclass(frozen=True, kw_only=True)
class Handbook(Located):
    title: str
    organization: str
    lifecycle: tuple[str, ...]
    description: str | None = None
    loop: bool = True
    repo_url: str | None = None
    edit_branch: str = "main"
    review_every_days: int = 180
    max_accountable_per_team: int | None = None


@dataclass(frozen=True, kw_only=True)
class Contact(Located):
    channel: str | None = None
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Role(Located):
    id: str
    name: str
    summary: str | None = None


@dataclass(frozen=True, kw_only=True)
class Team(Located):
    id: str
    name: str
    summary: str | None = None
    lead: str | None = None
    parent: str | None = None
    contact: Contact | None = None
    github: str | None = None
    roles: tuple[Role, ...] = ()

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)


@dataclass(frozen=True, kw_only=True)
class Stage(Located):
    id: str
    name: str
    summary: str
    customer_goal: str | None = None
    goals: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    pitfalls: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Raci(Located):
    responsible: tuple[str, ...] = ()
    accountable: str | None = None
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()

    def parties(self, letter: Letter) -> list[str]:
        """The parties that hold `letter`, in the model's order."""
        if letter is Letter.ACCOUNTABLE:
            return [self.accountable] if self.accountable is not None else []
        held: tuple[str, ...] = getattr(self, letter.value)
        return list(held)

    # Every (letter, party, index in its list) held, in the model's order. Derived when the
    # object is made (it is immutable after): pages, diagrams, checks and the health
    # report all walk the letters, and `serve` keeps unchanged objects between loads.
    letters: tuple[tuple[Letter, str, int | None], ...] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        held: list[tuple[Letter, str, int | None]] = []
        held += [(Letter.RESPONSIBLE, p, i) for i, p in enumerate(self.responsible)]
        if self.accountable is not None:
            held.append((Letter.ACCOUNTABLE, self.accountable, None))
        held += [(Letter.CONSULTED, p, i) for i, p in enumerate(self.consulted)]
        held += [(Letter.INFORMED, p, i) for i, p in enumerate(self.informed)]
        # a frozen dataclass sets its own fields this way in its generated __init__, too
        object.__setattr__(self, "letters", tuple(held))


@dataclass(frozen=True, kw_only=True)
class Link(Located):
    title: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Activity(Located):
    id: str
    name: str
    stages: tuple[str, ...]
    raci: Raci
    kind: str = "activity"
    summary: str | None = None
    description: str | None = None
    escalation: str | None = None
    reviewed: dt.date | None = None
    review_every_days: int | None = None
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Faq(Located):
    question: str
    answer: str
    id: str | None = None
    stages: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Term(Located):
    term: str
    definition: str
    aliases: tuple[str, ...] = ()


def split_party(party: str) -> tuple[str, str | None]:
    """`marketing/data-analyst` -> ('marketing', 'data-analyst'); `sales` -> ('sales', None)."""
    team, _, role = party.partition("/")
    return team, (role or None)


def party_team(party: str) -> str:
    return split_party(party)[0]


def party_name(model: Model, party: str) -> str:
    """A party as people say it: 'Sales', or 'Data analyst (Marketing)' for a role. An id
    the model does not know is shown as written (a diff of a broken model, a typo in `who`).
    The one wording of a party; pages link the same words (`render.words.Here.party`)."""
    team_id, role_id = split_party(party)
    team = model.team_by_id.get(team_id)
    if team is None:
        return party
    if role_id is None:
        return team.name
    role = team.role(role_id)
    return f"{role.name if role else role_id} ({team.name})"


def join(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'. Plain `str` concatenation: adding a `str` to a `Markup`
    would HTML-escape it a second time."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class Model:
    handbook: Handbook
    teams: tuple[Team, ...] = ()
    stages: tuple[Stage, ...] = ()
    activities: tuple[Activity, ...] = ()
    faqs: tuple[Faq, ...] = ()
    glossary: tuple[Term, ...] = ()
    files: tuple[str, ...] = ()

    # Indexes of the model, derived when it is made (it is immutable after): every page,
    # check and command looks things up by id and walks the lifecycle in order.
    team_by_id: Mapping[str, Team] = field(init=False, compare=False, repr=False)
    stage_by_id: Mapping[str, Stage] = field(init=False, compare=False, repr=False)
    activity_by_id: Mapping[str, Activity] = field(init=False, compare=False, repr=False)
    # the stages in lifecycle order, and {stage id: position in the lifecycle}
    lifecycle: tuple[Stage, ...] = field(init=False, compare=False, repr=False)
    stage_order: Mapping[str, int] = field(init=False, compare=False, repr=False)
    # {activity id: position in the model} (a tie-breaker that keeps sorts stable)
    activity_index: Mapping[str, int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        stage_by_id = {s.id: s for s in self.stages}
        lifecycle = tuple(stage_by_id[s] for s in self.handbook.lifecycle if s in stage_by_id)
        derived = {
            "team_by_id": MappingProxyType({t.id: t for t in self.teams}),
            "stage_by_id": MappingProxyType(stage_by_id),
            "activity_by_id": MappingProxyType({a.id: a for a in self.activities}),
            "lifecycle": lifecycle,
            "stage_order": MappingProxyType({s.id: i for i, s in enumerate(lifecycle)}),
            "activity_index": MappingProxyType({a.id: i for i, a in enumerate(self.activities)}),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # as a frozen dataclass's own __init__ does

    def review_cadence(self, activity: Activity) -> int:
        return activity.review_every_days or self.handbook.review_every_days

    def review_due(self, activity: Activity) -> dt.date | None:
        if activity.reviewed is None:
            return None
        return activity.reviewed + dt.timedelta(days=self.review_cadence(activity))
