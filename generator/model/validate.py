"""The rules of the content format that span objects: identity, references, RACI, health.

Shape problems (types, unknown keys) are found while decoding; this module checks what can
only be seen with the whole model in hand, and reports every problem at the line of the
value it is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol

from . import rules
from .objects import Activity, Letter, Model, split_party
from .problems import Pos, Problem
from .spec import did_you_mean


class _HasId(Protocol):
    @property
    def id(self) -> str | None: ...

    @property
    def pos(self) -> Pos: ...

    def at(self, key: str, index: int | None = None) -> Pos: ...


class ActivityChecks:
    """The last validation's problems per activity, with the ids they were checked against,
    for a caller that validates the same model again and again (`serve`, through its
    `FileCache`): an activity's problems depend on it and on the ids it may name, and the
    objects of unchanged files are the very same instances from one load to the next."""

    def __init__(self) -> None:
        self.names: object = ()
        self.by_activity: dict[int, tuple[Activity, list[Problem]]] = {}


def validate(
    model: Model, *, today: dt.date, health: bool = True, kept: ActivityChecks | None = None
) -> list[Problem]:
    """Every cross-object problem of the model, errors and warnings alike.

    `health=False` leaves out the model-wide warnings: a caller whose model already failed
    to decode passes it, since a value dropped for an error would show up again as a
    misleading warning ("never reviewed" for a misspelt date). `kept`: the last
    validation's activity problems, reused where nothing they depend on changed.
    """
    v = _Validator(model)
    v.unique_ids()
    v.lifecycle()
    v.parents()
    # An activity's problems depend on it and on the ids it may name. `serve` loads the
    # model again after every edit and keeps the objects of unchanged files: their problems
    # are taken from the last validation when those ids did not change either.
    names = (v.stage_ids, tuple((t.id, tuple(r.id for r in t.roles)) for t in model.teams))
    last = kept.by_activity if kept is not None and kept.names == names else {}
    now: dict[int, tuple[Activity, list[Problem]]] = {}
    for activity in model.activities:
        found = last.get(id(activity))
        if found is None or found[0] is not activity:
            start = len(v.problems)
            v.activity(activity)
            found = (activity, v.problems[start:])
        else:
            v.problems.extend(found[1])
        now[id(activity)] = found
    if kept is not None:
        kept.names, kept.by_activity = names, now
    v.faqs()
    v.glossary()
    if health:
        v.health(today)
    return v.problems


class _Validator:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.problems: list[Problem] = []
        self.stage_ids = tuple(model.stage_by_id)
        self.good_parties: set[str] = set()

    def report(self, code: str, pos: Pos, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(code, pos, message, hint))

    # identity ------------------------------------------------------------------------

    def unique_ids(self) -> None:
        m = self.model
        self._unique("team", m.teams)
        self._unique("stage", m.stages)
        self._unique("activity", m.activities)
        self._unique("FAQ", m.faqs)
        for team in m.teams:
            self._unique(f"role in team '{team.id}'", team.roles)

    def _unique(self, noun: str, items: Iterable[_HasId]) -> None:
        first: dict[str, Pos] = {}
        for item in items:
            if not item.id:
                continue
            if item.id in first:
                self.report(
                    "OB205",
                    item.at("id"),
                    f"duplicate {noun} id '{item.id}', first defined at {first[item.id]}",
                    "ids must be unique; rename one of them",
                )
            else:
                first[item.id] = item.at("id")

    # references ----------------------------------------------------------------------

    def ref(self, code: str, noun: str, value: str, known: Mapping[str, object], pos: Pos) -> bool:
        """Whether `value` names one of `known` (objects by id: a hash lookup, where a
        tuple of 300 team ids was scanned for each of an XL model's 40,000 references);
        if not, the problem, with the closest id as a hint."""
        if value in known:
            return True
        self.report(code, pos, f"unknown {noun} '{value}'", did_you_mean(value, tuple(known)))
        return False

    def refs(
        self,
        code: str,
        noun: str,
        owner: _HasId,
        key: str,
        values: tuple[str, ...],
        known: Mapping[str, object],
    ) -> None:
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value in known and value not in seen:  # good: no position needed
                seen.add(value)
                continue
            pos = owner.at(key, i)
            if value in seen:
                self.report("OB210", pos, f"{noun} '{value}' listed twice in '{key}'")
            seen.add(value)
            self.ref(code, noun, value, known, pos)

    def party(self, party: str, pos: Pos) -> bool:
        """Whether `party` names a known team or role; if not, the problem at `pos`. A party
        found good is remembered: the 300 teams of an XL model hold 40,000 letters."""
        if party in self.good_parties:
            return True
        if not self._party(party, pos):
            return False
        self.good_parties.add(party)
        return True

    def _party(self, party: str, pos: Pos) -> bool:
        team_id, role_id = split_party(party)
        if not self.ref("OB201", "team", team_id, self.model.team_by_id, pos):
            return False
        if role_id is None:
            return True
        team = self.model.team_by_id[team_id]
        roles = tuple(r.id for r in team.roles)
        if role_id in roles:
            return True
        hint = did_you_mean(role_id, roles)
        if hint is None:
            hint = (
                f"team '{team_id}' has roles: {', '.join(roles)}"
                if roles
                else f"team '{team_id}' defines no roles"
            )
        self.report("OB202", pos, f"unknown role '{role_id}' in team '{team_id}'", hint)
        return False

    def lifecycle(self) -> None:
        hb = self.model.handbook
        seen: dict[str, Pos] = {}
        for i, stage_id in enumerate(hb.lifecycle):
            pos = hb.at("lifecycle", i)
            if stage_id in seen:
                self.report(
                    "OB206",
                    pos,
                    f"stage '{stage_id}' is listed twice in the lifecycle (first at line "
                    f"{seen[stage_id].line})",
                    "each stage appears exactly once",
                )
                continue
            seen[stage_id] = pos
            self.ref("OB203", "stage", stage_id, self.model.stage_by_id, pos)
        if not hb.lifecycle:  # reported already as missing/empty
            return
        for stage in self.model.stages:
            if stage.id and stage.id not in seen:
                self.report(
                    "OB207",
                    stage.at("id"),
                    f"stage '{stage.id}' is not in the handbook's lifecycle",
                    f"add it to 'lifecycle' at {hb.at('lifecycle')}",
                )

    def parents(self) -> None:
        teams = self.model.team_by_id
        for team in self.model.teams:
            if team.parent is not None:
                if team.parent == team.id:
                    self.report("OB208", team.at("parent"), f"team '{team.id}' is its own parent")
                    continue
                self.ref("OB201", "team", team.parent, teams, team.at("parent"))
        reported: set[str] = set()
        for team in self.model.teams:
            chain = [team.id]
            current = team.parent
            while current is not None and current in teams and current not in chain:
                chain.append(current)
                current = teams[current].parent
            if current == team.id and len(chain) > 1 and not reported & set(chain):
                reported |= set(chain)
                loop = " -> ".join([*chain, team.id])
                self.report(
                    "OB208",
                    team.at("parent"),
                    f"teams form a parent cycle: {loop}",
                    "a team cannot be inside one of its own sub-teams",
                )

    # activities ----------------------------------------------------------------------

    def activity(self, a: Activity) -> None:
        self.refs("OB203", "stage", a, "stages", a.stages, self.model.stage_by_id)
        good = self.good_parties  # a position is looked up only for a problem
        if a.escalation is not None and a.escalation not in good:
            self.party(a.escalation, a.at("escalation"))
        raci = a.raci
        held: dict[str, list[Letter]] = {}
        for letter, party, index in raci.letters:
            if party not in good and not self.party(party, raci.at(letter, index)):
                continue
            mine = held.get(party)
            if mine is None:  # the party's first letter here: nothing to compare
                held[party] = [letter]
                continue
            pos = raci.at(letter, index)
            if letter in mine:
                self.report(
                    "OB305",
                    pos,
                    f"'{party}' is listed twice as {letter.label} in '{a.id}'",
                    "remove the repeat",
                )
                continue
            others = [x for x in mine if not rules.may_hold_together((x, letter))]
            if others:
                self.report(
                    "OB304",
                    pos,
                    f"'{party}' is both {others[0].label} and {letter.label} in '{a.id}'",
                    "give each party one letter (Accountable and Responsible together is fine)",
                )
            mine.append(letter)

    def faqs(self) -> None:
        for faq in self.model.faqs:
            m = self.model
            self.refs("OB203", "stage", faq, "stages", faq.stages, m.stage_by_id)
            self.refs("OB201", "team", faq, "teams", faq.teams, m.team_by_id)
            self.refs("OB204", "activity", faq, "activities", faq.activities, m.activity_by_id)

    def glossary(self) -> None:
        first: dict[str, Pos] = {}
        for term in self.model.glossary:
            names = [(term.term, term.at("term"))]
            names += [(alias, term.at("aliases", i)) for i, alias in enumerate(term.aliases)]
            for name, pos in names:
                key = name.strip().casefold()
                if not key:
                    continue
                if key in first:
                    self.report(
                        "OB209",
                        pos,
                        f"glossary term '{name}' is already defined at {first[key]}",
                        "merge the two definitions or rename one",
                    )
                else:
                    first[key] = pos

    # health warnings -----------------------------------------------------------------

    def health(self, today: dt.date) -> None:
        """The model-wide warnings; what breaks each rule is `rules`' to say."""
        m = self.model
        for team in rules.idle_teams(m.teams, rules.held_parties(m.activities)):
            self.report(
                "OB401",
                team.at("id"),
                f"team '{team.id}' holds no RACI letter in any activity",
                "give it a letter or remove the team",
            )
        for stage in rules.empty_stages(m):
            self.report(
                "OB402",
                stage.at("id"),
                f"stage '{stage.id}' has no activity",
                "add an activity whose 'stages' lists it",
            )
        for team, count, limit in rules.overloaded_teams(m):
            self.report(
                "OB403",
                team.at("id"),
                f"team '{team.id}' is accountable for {count} "
                f"activities, more than max_accountable_per_team ({limit})",
                "share accountability with another team or raise the limit",
            )
        for a in m.activities:
            self.problems.extend(review_problems(m, a, today))


def review_problems(model: Model, a: Activity, today: dt.date) -> Iterator[Problem]:
    """Review reminders for one activity: never reviewed, or past its cadence."""
    status = rules.review(model, a, today)
    if status.due is None:
        yield Problem(
            "OB405",
            a.at("id"),
            f"activity '{a.id}' has never been reviewed",
            "confirm the RACI with its parties and set 'reviewed: YYYY-MM-DD'",
        )
    elif status.overdue:
        yield Problem(
            "OB404",
            a.at("reviewed"),
            f"review of '{a.id}' was due on {status.due.isoformat()} (reviewed {a.reviewed}, "
            f"every {model.review_cadence(a)} days)",
            "confirm the RACI with its parties and update 'reviewed'",
        )
