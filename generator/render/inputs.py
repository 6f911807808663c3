"""What each page, table and diagram is made from: the memo's keys (see `memo.py`).

Each method returns a tuple that compares equal between two renders only if the part it
names would come out the same. Model objects compare by value, but not by position (`pos`
is `compare=False`), so where a page shows an object's source line its `pos` is listed as
well. A tuple may hold more than the part reads (that only costs a re-render), never less:
`tests/test_incremental.py` renders random edit sequences with and without the memo and
requires the same handbook, byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model.objects import Activity, Faq, Model, Stage, Team, party_team
from . import views

if TYPE_CHECKING:
    from .memo import Memo
    from .options import RenderOptions


class Inputs:
    """The derived views of one model that both its pages and their keys use."""

    def __init__(self, model: Model, options: RenderOptions, memo: Memo) -> None:
        m = model
        self.model = m
        self.memo = memo
        # What every page may read besides its own objects.
        self.context = (
            options.today,
            options.source_root,
            options.directory_urls,
            m.handbook,
            m.glossary,  # its terms are marked in every Markdown field
        )
        self.stages = (m.lifecycle, m.stages)
        self.team_order = {t.id: i for i, t in enumerate(m.teams)}
        self.held = views.letters_by_team(m, lambda a: memo.derived(views.held_in, a))
        self.sections = views.sections(m)
        self.children = views.sub_teams(m)
        self.by_stage: dict[str, list[Activity]] = {
            s.id: views.stage_members(m, s.id) for s in m.lifecycle
        }
        self._one: dict[str, tuple[Team, ...]] = {}  # activity id -> the teams it names
        self._keys: dict[tuple[str, str], tuple[Any, ...]] = {}
        # Each activity's changes in the ownership history, newest first.
        self.changes: dict[str, list[tuple[Any, tuple[str, ...]]]] = defaultdict(list)
        for entry in options.history.entries if options.history is not None else ():
            if entry.changes is None:
                continue
            for change in entry.changes.changed:
                self.changes[change.id].append((entry, tuple(change.sentences)))
            for ident, _name, facts in entry.changes.added:
                self.changes[ident].append((entry, ("Added: " + "; ".join(facts) + ".",)))
        self.faqs: dict[tuple[str, str], list[Faq]] = defaultdict(list)
        for f in m.faqs:
            for kind, ids in (("stage", f.stages), ("team", f.teams), ("activity", f.activities)):
                for item in dict.fromkeys(ids):
                    self.faqs[(kind, item)].append(f)

    def faqs_for(self, kind: str, item_id: str) -> list[Faq]:
        """The FAQs that name this stage, team or activity, in model order."""
        return self.faqs.get((kind, item_id), [])

    def teams_of(self, activities: tuple[Activity, ...] | list[Activity]) -> tuple[Team, ...]:
        """The teams any of these activities names (letters and escalation), in model order."""
        if len(activities) == 1:
            return self._teams_of_one(activities[0])
        ids: set[str] = set()
        for a in activities:
            ids.update(self.team_ids(a))
        order = self.team_order
        by_id = self.model.team_by_id
        known = sorted((t for t in ids if t in order), key=order.__getitem__)
        return tuple(by_id[t] for t in known)

    def team_ids(self, a: Activity) -> tuple[str, ...]:
        return self.memo.derived(_team_ids, a)

    def _teams_of_one(self, a: Activity) -> tuple[Team, ...]:
        """Asked for by several keys and pages per render: worked out once per render."""
        found = self._one.get(a.id)
        if found is None:
            order = self.team_order
            known = sorted((t for t in self.team_ids(a) if t in order), key=order.__getitem__)
            found = self._one[a.id] = tuple(self.model.team_by_id[t] for t in known)
        return found

    # pages and their diagrams ------------------------------------------------------------

    def home(self) -> tuple[Any, ...]:
        m = self.model
        # the home page lists each decision by name with the party accountable for it
        decisions = tuple(
            (a.id, a.name, a.raci.accountable)
            for a in views.lifecycle_sorted(m, (a for a in m.activities if a.kind == "decision"))
        )
        return (self.context, m.handbook.pos, self.stages, m.teams, decisions)

    def teams_page(self) -> tuple[Any, ...]:
        # The organisation diagram links teams by every activity they share.
        return (self.context, self.model.teams, self.model.activities)

    def _once(
        self, kind: str, item_id: str, make: Callable[[], tuple[Any, ...]]
    ) -> tuple[Any, ...]:
        """A key asked for twice per render (by the diagram, then by the page), made once."""
        found = self._keys.get((kind, item_id))
        if found is None:
            found = self._keys[(kind, item_id)] = make()
        return found

    def stage(self, stage: Stage) -> tuple[Any, ...]:
        return self._once("stage", stage.id, lambda: self._stage(stage))

    def _stage(self, stage: Stage) -> tuple[Any, ...]:
        activities = tuple(self.by_stage.get(stage.id, ()))
        return (
            self.context,
            stage,
            stage.pos,
            self.stages,
            activities,
            self.teams_of(activities),
            tuple(self.faqs_for("stage", stage.id)),
        )

    def activity(self, a: Activity) -> tuple[Any, ...]:
        by_id = self.model.stage_by_id
        return (
            self.context,
            a,
            a.pos,
            tuple(by_id.get(s) for s in a.stages),
            self.teams_of((a,)),
            tuple(self.faqs_for("activity", a.id)),
            # its recent changes: what changed, and each commit's credit line
            tuple((e.sha, e.date, e.subject, e.author, e.pull, s) for e, s in self.changes[a.id]),
        )

    def team(self, team: Team) -> tuple[Any, ...]:
        return self._once("team", team.id, lambda: self._team(team))

    def _team(self, team: Team) -> tuple[Any, ...]:
        held = self.held.get(team.id, [])
        activities = list({id(h.activity): h.activity for h in held}.values())
        return (
            self.context,
            team,
            team.pos,
            self.model.team_by_id.get(team.parent) if team.parent else None,
            tuple(self.children.get(team.id, ())),
            tuple((h.activity, h.letter, h.role_id) for h in held),
            # the team's diagram draws every party of those activities, under its name
            self.teams_of(activities),
            self.stages,
            tuple(self.faqs_for("team", team.id)),
        )

    # parts of whole-model pages ----------------------------------------------------------

    def matrix_section(self, section: views.Section) -> tuple[Any, ...]:
        return (
            self.context,
            section.id,
            section.title,
            section.activities,
            self.model.teams,
            self.stages,
        )

    def raci_row(
        self, a: Activity, columns: tuple[Team, ...], stages: bool, markers: bool
    ) -> tuple[Any, ...]:
        # a row of a table whose columns are teams; the table's path is in the memo's slot
        return (self.context, a, columns, stages, markers, self.stages if stages else None)

    def letter_row(self, a: Activity) -> tuple[Any, ...]:
        # a row that names each party under its letter
        return (self.context, a, self.teams_of((a,)))

    def who_owns(self, a: Activity) -> tuple[Any, ...]:
        # a row of the FAQ's table: the parties and the names of the activity's stages
        return (self.context, a, self.teams_of((a,)), self.stages)

    def faq_section(self, section: views.Section) -> tuple[Any, ...]:
        return (
            self.context,
            section.id,
            section.title,
            section.activities,
            self.teams_of(section.activities),
            self.stages,  # each row names the activity's stages
        )


def _team_ids(a: Activity) -> tuple[str, ...]:
    """The teams an activity names: its letters and its escalation."""
    parties = [party for _, party, _ in a.raci.letters]
    if a.escalation is not None:
        parties.append(a.escalation)
    return tuple(dict.fromkeys(party_team(p) for p in parties))
