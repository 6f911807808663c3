"""Ownership health: the gaps and risks a model can be valid with.

Validation refuses a model that breaks a rule; this module looks at a valid model the way a
reviewer would and lists what deserves a second look: diffuse responsibility, overloaded
and idle teams, stages nobody decides anything in, consulted and informed lists so long
they mean nothing, reviews overdue or never done, and how the letters spread over teams
and stages. The handbook's Health page and `ownbook report` both show this, so they agree.
What a rule it shares with validation finds (idle teams, empty stages, overloaded teams,
reviews) is `rules`' to say, so a warning of `ownbook check` and a finding here agree too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import rules
from .objects import Letter, Located, Model, Stage
from .problems import Pos
from .rules import Review as Review

# More responsible parties than this and nobody feels the work is theirs.
MAX_RESPONSIBLE = 3
# A consulted or informed list longer than this is read by nobody.
MAX_LISTED = 6
# Reviews falling due within this many days are listed as coming up.
DUE_SOON_DAYS = 30


# Each kind of finding: a stable name, a heading, and what to do about it.
KINDS: dict[str, tuple[str, str]] = {
    "diffuse-responsibility": (
        "Diffuse responsibility",
        f"more than {MAX_RESPONSIBLE} responsible parties: name the one or two who do the work",
    ),
    "overloaded-team": (
        "Teams accountable for too much",
        "share accountability or raise max_accountable_per_team in the handbook block",
    ),
    "idle-team": ("Teams that hold no letter", "give the team a letter or remove it"),
    "empty-stage": ("Stages with no activity", "add the activities of this stage"),
    "stage-without-decision": (
        "Stages where nobody is accountable for a decision",
        "add the decisions of this stage (kind: decision) with their accountable team",
    ),
    "long-consulted": (
        "Consulted lists that mean nothing",
        f"more than {MAX_LISTED} consulted parties: keep those whose view changes the outcome",
    ),
    "long-informed": (
        "Informed lists that mean nothing",
        f"more than {MAX_LISTED} informed parties: keep those who act on the news",
    ),
    "review-overdue": ("Reviews overdue", "confirm the RACI and update `reviewed`"),
    "never-reviewed": ("Never reviewed", "confirm the RACI and set `reviewed: YYYY-MM-DD`"),
}
# Reviews are reminders: they are listed, but never make the model "unhealthy" on their own.
REVIEW_KINDS = ("review-overdue", "never-reviewed")


@dataclass(frozen=True)
class Finding:
    """One risk, on one activity, team or stage, with where to fix it."""

    kind: str
    subject: str  # "activity", "team" or "stage"
    subject_id: str
    name: str
    message: str
    pos: Pos

    @property
    def title(self) -> str:
        return KINDS[self.kind][0]

    @property
    def hint(self) -> str:
        return KINDS[self.kind][1]


@dataclass(frozen=True)
class Health:
    findings: tuple[Finding, ...]
    due_soon: tuple[Review, ...]
    # {team id: {stage id: Counter of letters}}: letters held in activities of each stage.
    load: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)

    @property
    def risks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind not in REVIEW_KINDS)

    @property
    def reviews(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind in REVIEW_KINDS)

    def by_kind(self) -> list[tuple[str, list[Finding]]]:
        """Findings grouped in the order of KINDS."""
        return [
            (kind, [f for f in self.findings if f.kind == kind])
            for kind in KINDS
            if any(f.kind == kind for f in self.findings)
        ]


def _finding(kind: str, obj: Located, subject: str, ident: str, name: str, msg: str) -> Finding:
    return Finding(kind, subject, ident, name, msg, obj.at("id"))


def assess(model: Model, today: dt.date) -> Health:
    """Every finding of the model on `today`, in model order within each kind."""
    findings: list[Finding] = []
    findings += _activity_findings(model)
    findings += _team_findings(model)
    findings += _stage_findings(model)
    reviews, due_soon = _review_findings(model, today)
    findings += reviews
    order = {kind: i for i, kind in enumerate(KINDS)}
    findings.sort(key=lambda f: order[f.kind])  # stable: model order within a kind
    return Health(tuple(findings), tuple(due_soon), load_table(model))


def _activity_findings(model: Model) -> list[Finding]:
    out = []
    for a in model.activities:
        r = a.raci
        if len(r.responsible) > MAX_RESPONSIBLE:
            out.append(
                _finding(
                    "diffuse-responsibility",
                    a,
                    "activity",
                    a.id,
                    a.name,
                    f"has {len(r.responsible)} responsible parties",
                )
            )
        for kind, listed, word in (
            ("long-consulted", r.consulted, "consulted"),
            ("long-informed", r.informed, "informed"),
        ):
            if len(listed) > MAX_LISTED:
                out.append(
                    _finding(kind, a, "activity", a.id, a.name, f"has {len(listed)} {word} parties")
                )
    return out


def _team_findings(model: Model) -> list[Finding]:
    out = []
    for t, count, limit in rules.overloaded_teams(model):
        msg = f"is accountable for {count} activities (the limit is {limit})"
        out.append(_finding("overloaded-team", t, "team", t.id, t.name, msg))
    for t in rules.idle_teams(model.teams, rules.held_parties(model.activities)):
        out.append(_finding("idle-team", t, "team", t.id, t.name, "holds no RACI letter"))
    return out


def _lifecycle_first(model: Model, stages: Iterable[Stage]) -> list[Stage]:
    """Stages in lifecycle order, then any the lifecycle leaves out, in model order: the
    order of the report (on a model without errors, simply the lifecycle)."""
    end = len(model.stage_order)
    return sorted(stages, key=lambda s: model.stage_order.get(s.id, end))


def _stage_findings(model: Model) -> list[Finding]:
    """Empty stages as `rules.empty_stages` finds them (every declared stage, the
    lifecycle's or not), and the stages with activities but no decision among them."""
    out = [
        _finding("empty-stage", s, "stage", s.id, s.name, "has no activity")
        for s in _lifecycle_first(model, rules.empty_stages(model))
    ]
    by_stage = rules.activities_by_stage(model)
    for s in _lifecycle_first(model, model.stages):
        acts = by_stage.get(s.id, [])
        if acts and not any(a.kind == "decision" for a in acts):
            msg = f"has {len(acts)} activities and no decision"
            out.append(_finding("stage-without-decision", s, "stage", s.id, s.name, msg))
    return out


def _review_findings(model: Model, today: dt.date) -> tuple[list[Finding], list[Review]]:
    out: list[Finding] = []
    soon: list[Review] = []
    for a in model.activities:
        status = rules.review(model, a, today)
        if status.due is None:
            out.append(
                _finding("never-reviewed", a, "activity", a.id, a.name, "has never been reviewed")
            )
        elif status.overdue:
            days = status.days
            msg = f"was due {status.due.isoformat()}, {days} day{'s' if days != 1 else ''} ago"
            out.append(Finding("review-overdue", "activity", a.id, a.name, msg, a.at("reviewed")))
        elif -status.days <= DUE_SOON_DAYS:
            soon.append(status)
    soon.sort(key=lambda r: (r.due or today, r.activity.id))
    return out, soon


def load_table(model: Model) -> dict[str, dict[str, Counter[str]]]:
    """Letters each team holds per stage (an activity of several stages counts in each)."""
    table: dict[str, dict[str, Counter[str]]] = {
        t.id: {s.id: Counter() for s in model.lifecycle} for t in model.teams
    }
    for a in model.activities:
        for letter, party, _ in a.raci.letters:
            row = table.get(party.partition("/")[0])
            if row is None:
                continue
            for stage in a.stages:
                cell = row.get(stage)
                if cell is not None:
                    cell[letter] += 1
    return table


def letter_counts(counts: Counter[str], *, wide: bool = False) -> str:
    """The letters counted, zeros left out: '2R 1A', or '2 R · 1 A' when `wide` (pages)."""
    if wide:
        return " · ".join(f"{counts[x]} {x.char}" for x in Letter if counts[x])
    return " ".join(f"{counts[x]}{x.char}" for x in Letter if counts[x])


def to_json(health: Health, today: dt.date) -> dict[str, object]:
    """The report as data (`ownbook report --format json`)."""
    return {
        "date": today.isoformat(),
        "findings": [
            {
                "kind": f.kind,
                "subject": f.subject,
                "id": f.subject_id,
                "name": f.name,
                "message": f.message,
                "file": f.pos.file,
                "line": f.pos.line,
                "col": f.pos.col,
                "hint": f.hint,
            }
            for f in health.findings
        ],
        "due_soon": [
            {"id": r.activity.id, "due": r.due.isoformat() if r.due else None}
            for r in health.due_soon
        ],
        "load": {
            team: {stage: dict(counts) for stage, counts in stages.items()}
            for team, stages in health.load.items()
        },
    }


def to_text(model: Model, health: Health, today: dt.date) -> str:
    """The report as lines like a compiler's, then the load table and a summary."""
    lines = [
        f"{f.pos}: {f.kind}: {f.subject} '{f.subject_id}' {f.message}; {f.hint}"
        for f in health.findings
    ]
    lines += [
        f"{r.activity.pos}: review-due-soon: activity '{r.activity.id}' due {r.due}"
        for r in health.due_soon
    ]
    rows = [["team", *(s.id for s in model.lifecycle)]]
    for team in model.teams:
        cells = [letter_counts(health.load[team.id][s.id]) or "-" for s in model.lifecycle]
        rows.append([team.id, *cells])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    risks, reviews = len(health.risks), len(health.reviews)
    lines.append(
        f"{risks} risk{'s' if risks != 1 else ''}, {reviews} review"
        f"{'s' if reviews != 1 else ''} overdue or missing, checked on {today.isoformat()}"
    )
    return "\n".join(lines)
