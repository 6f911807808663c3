"""Sentences and links built from the model, so the prose can never drift from the RACI.

`Here` is the page being written: every link it makes is relative to that page, and every
model string it puts in a link or a sentence is escaped for Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from ..model import rules
from ..model.objects import Activity, Faq, Letter, Model, Stage, Team, join, split_party
from . import paths
from .escape import html_text, md_text, url_attr


def letter_badge(letter: Letter, note: str | None = None) -> Markup:
    """A RACI letter that reads at a glance: the letter itself, coloured, named in its
    tooltip; the role that holds it, if any, written beside it (visible on a phone, and
    never model text in an attribute: Material's tooltips render `title` as HTML)."""
    char = letter.char
    badge = f'<span class="ob-letter ob-{char.lower()}" title="{letter.label}">{char}</span>'
    if note is None:
        return Markup(badge)
    role = f'<small class="ob-role">{html_text(note)}</small>'
    return Markup(f'<span class="ob-held">{badge} {role}</span>')


@lru_cache(maxsize=65536)
def _open_link(here: str, target: str, directory_urls: bool) -> str:
    href = paths.href(here, target, directory_urls=directory_urls)
    return f'<a href="{url_attr(href)}">'


def external(text: object, url: str) -> Markup:
    """A link to a validated URL outside the handbook (`text` escaped unless `Markup`)."""
    shown = text if isinstance(text, Markup) else md_text(text)
    return Markup(f'<a href="{url_attr(url)}">{shown}</a>')


@dataclass(frozen=True)
class Here:
    """Link and wording helpers for one page of the handbook."""

    model: Model
    path: str
    # MkDocs' use_directory_urls: links are written as the browser needs them (raw HTML,
    # which MkDocs neither rewrites nor parses again as Markdown).
    directory_urls: bool = False

    def link(self, text: object, target: str) -> Markup:
        return Markup(f"{_open_link(self.path, target, self.directory_urls)}{md_text(text)}</a>")

    def stage(self, stage: Stage | str) -> Markup:
        stage_obj = self.model.stage_by_id[stage] if isinstance(stage, str) else stage
        return self.link(stage_obj.name, paths.stage_page(stage_obj.id))

    def activity(self, activity: Activity | str) -> Markup:
        a = self.model.activity_by_id[activity] if isinstance(activity, str) else activity
        return self.link(a.name, paths.activity_page(a.id))

    def team(self, team: Team | str) -> Markup:
        team_obj = self.model.team_by_id[team] if isinstance(team, str) else team
        return self.link(team_obj.name, paths.team_page(team_obj.id))

    def stages(self, ids: Iterable[str]) -> Markup:
        return Markup(", ".join(str(self.stage(s)) for s in ids))

    def teams(self, teams: Iterable[Team | str]) -> Markup:
        return Markup(", ".join(str(self.team(t)) for t in teams))

    def activities(self, ids: Iterable[str]) -> Markup:
        return Markup(", ".join(str(self.activity(a)) for a in ids))

    def see_also(self, faq: Faq) -> Markup:
        """The activities, teams and stages an FAQ belongs to, as links."""
        groups = [self.activities(faq.activities), self.teams(faq.teams), self.stages(faq.stages)]
        return Markup("; ".join(str(g) for g in groups if g))

    def party(self, party: str) -> Markup:
        """A team linked to its page, or a role linked to its entry, with its team."""
        team_id, role_id = split_party(party)
        team = self.model.team_by_id[team_id]
        if role_id is None:
            return self.team(team)
        role = team.role(role_id)
        assert role is not None
        target = f"{paths.team_page(team.id)}#{paths.role_anchor(role.id)}"
        return Markup(f"{self.link(role.name, target)} ({self.team(team)})")

    def contact(self, team: Team) -> list[tuple[str, Markup]]:
        """Where to reach a team: its channel, e-mail address and web page, as
        (label, text or link); empty when the model gives none."""
        contact = team.contact
        if contact is None:
            return []
        out: list[tuple[str, Markup]] = []
        if contact.channel:
            out.append(("Channel", md_text(contact.channel)))
        if contact.email:
            out.append(("Email", md_text(contact.email)))
        if contact.url:
            out.append(("Web", external(contact.url, contact.url)))
        return out

    def parties(self, parties: Iterable[str]) -> Markup:
        return Markup(join([self.party(p) for p in parties]))

    def who_owns(self, a: Activity) -> Markup:
        """The "Who owns ...?" answer, worded from the RACI alone."""
        raci = a.raci
        assert raci.accountable is not None
        acc = self.party(raci.accountable)
        call = "makes the decision" if a.kind == "decision" else "makes the final call"
        out = [f"{acc} is accountable: it answers for the outcome and {call}."]
        doers = list(raci.responsible)
        if doers == [raci.accountable]:
            out.append("It also does the work itself.")
        else:
            verb = "does" if len(doers) == 1 else "do"
            out.append(f"{self.parties(doers)} {verb} the work.")
        if raci.consulted:
            verb = "is" if len(raci.consulted) == 1 else "are"
            out.append(f"{self.parties(raci.consulted)} {verb} consulted before it is settled.")
        if raci.informed:
            verb = "is" if len(raci.informed) == 1 else "are"
            out.append(f"{self.parties(raci.informed)} {verb} kept informed.")
        if a.escalation is not None:
            out.append(f"Disagreements go to {self.party(a.escalation)}.")
        return Markup(" ".join(out))


def who_owns_question(a: Activity) -> str:
    return f"Who owns “{a.name}”?"


@dataclass(frozen=True)
class ReviewStatus:
    reviewed: dt.date | None
    due: dt.date | None
    every_days: int
    overdue: bool

    def notice(self) -> Markup:
        """The text of the overdue banner."""
        if self.reviewed is None or self.due is None:
            first = "This assignment has never been confirmed."
        else:
            first = (
                f"This assignment was last confirmed on {self.reviewed.isoformat()} and was due "
                f"for review on {self.due.isoformat()}."
            )
        return Markup(
            f"{first} Check it with the parties below and update <code>reviewed</code> in the "
            "model."
        )

    @classmethod
    def of(cls, model: Model, a: Activity, today: dt.date) -> ReviewStatus:
        status = rules.review(model, a, today)
        return cls(
            reviewed=a.reviewed,
            due=status.due,
            every_days=model.review_cadence(a),
            overdue=status.wanted,
        )
