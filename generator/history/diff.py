"""What changed in ownership between two models, in words a reviewer reads in a PR comment.

`diff_models` is pure: two models in, a list of changes out. Each letter a party gains or
loses is a sentence ("Sales is no longer Accountable for Approve messaging changes; Product
Marketing is."), so a reviewer never has to compare two YAML files in their head. The
sentences are plain text; `render.changes` escapes them for a page or a PR comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.objects import Activity, Letter, Model, Stage, Team, join, party_name


@dataclass(frozen=True)
class ActivityChange:
    id: str
    name: str
    sentences: list[str]


@dataclass
class Changes:
    added: list[tuple[str, str, list[str]]] = field(default_factory=list)  # id, name, facts
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[ActivityChange] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    handbook: list[str] = field(default_factory=list)  # the handbook block's settings

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.teams
            or self.stages
            or self.other
            or self.handbook
        )


def _stage_names(model: Model, ids: tuple[str, ...]) -> str:
    return join([model.stage_by_id[s].name if s in model.stage_by_id else s for s in ids])


def _letters(a: Activity) -> dict[Letter, set[str]]:
    held: dict[Letter, set[str]] = {letter: set() for letter in Letter}
    for letter, party, _ in a.raci.letters:
        held[letter].add(party)
    return held


def _activity_changes(base: Model, head: Model, old: Activity, new: Activity) -> list[str]:
    out: list[str] = []
    name = new.name
    if old.name != new.name:
        out.append(f"Renamed from “{old.name}” to “{new.name}”.")
    if old.stages != new.stages:
        out.append(
            f"Moved from {_stage_names(base, old.stages)} to {_stage_names(head, new.stages)}."
        )
    if old.kind != new.kind:
        out.append(f"Now a{'' if new.kind == 'decision' else 'n'} {new.kind}, was a {old.kind}.")
    before, after = _letters(old), _letters(new)
    if (
        old.raci.accountable != new.raci.accountable
        and old.raci.accountable
        and (new.raci.accountable)
    ):
        out.append(
            f"{party_name(base, old.raci.accountable)} is no longer "
            f"{Letter.ACCOUNTABLE.phrase} {name}; "
            f"{party_name(head, new.raci.accountable)} is."
        )
    for letter in (Letter.RESPONSIBLE, Letter.CONSULTED, Letter.INFORMED):
        phrase = letter.phrase
        for party in sorted(after[letter] - before[letter]):
            out.append(f"{party_name(head, party)} is now {phrase} {name}.")
        for party in sorted(before[letter] - after[letter]):
            out.append(f"{party_name(base, party)} is no longer {phrase} {name}.")
    if old.escalation != new.escalation:
        was = party_name(base, old.escalation) if old.escalation else "nobody"
        now = party_name(head, new.escalation) if new.escalation else "nobody"
        out.append(f"Disagreements now go to {now}, not {was}.")
    texts = ("summary", "description", "tags", "links", "reviewed", "review_every_days")
    edited = [f for f in texts if getattr(old, f) != getattr(new, f)]
    if edited:
        out.append(f"Also edited: {', '.join(f.replace('_', ' ') for f in edited)}.")
    return out


def _count(label: str, base: dict[str, object], head: dict[str, object]) -> str | None:
    added = len(head.keys() - base.keys())
    removed = len(base.keys() - head.keys())
    changed = sum(1 for k in base.keys() & head.keys() if base[k] != head[k])
    parts = [
        f"{n} {word}"
        for n, word in ((added, "added"), (removed, "removed"), (changed, "changed"))
        if n
    ]
    return f"{label}: {', '.join(parts)}." if parts else None


def diff_models(base: Model, head: Model) -> Changes:
    changes = Changes()
    old_acts, new_acts = base.activity_by_id, head.activity_by_id
    for a in head.activities:
        if a.id not in old_acts:
            facts = [f"in {_stage_names(head, a.stages)}"]
            facts += [
                f"{letter.label}: {join([party_name(head, p) for p in parties])}"
                for letter, parties in _ordered_letters(a)
            ]
            changes.added.append((a.id, a.name, facts))
    for a in base.activities:
        if a.id not in new_acts:
            changes.removed.append((a.id, a.name))
    for a in head.activities:
        if a.id in old_acts:
            sentences = _activity_changes(base, head, old_acts[a.id], a)
            if sentences:
                changes.changed.append(ActivityChange(a.id, a.name, sentences))
    changes.teams = _named_changes(base.teams, head.teams)
    changes.stages = _named_changes(base.stages, head.stages)
    changes.handbook = _handbook_changes(base, head)
    faqs = _count("FAQs", {f.id or "": f for f in base.faqs}, {f.id or "": f for f in head.faqs})
    terms = _count(
        "Glossary terms",
        {t.term.casefold(): t for t in base.glossary},
        {t.term.casefold(): t for t in head.glossary},
    )
    changes.other = [x for x in (faqs, terms) if x]
    return changes


def _quoted(label: str, old: str | None, new: str | None) -> str:
    if not old:
        return f"{label} set to “{new}”."
    if not new:
        return f"{label} removed (was “{old}”)."
    return f"{label} is now “{new}”, was “{old}”."


def _per_team(limit: int | None) -> str:
    return "no limit" if limit is None else f"at most {limit}"


def _handbook_changes(base: Model, head: Model) -> list[str]:
    """The handbook block's settings that changed, each as a sentence."""
    old, new = base.handbook, head.handbook
    out: list[str] = []
    if old.title != new.title:
        out.append(_quoted("Title", old.title, new.title))
    if old.organization != new.organization:
        out.append(_quoted("Organization", old.organization, new.organization))
    if old.description != new.description:
        if not old.description:
            out.append("Description added.")
        elif not new.description:
            out.append("Description removed.")
        else:
            out.append("Description edited.")
    if old.lifecycle != new.lifecycle:
        out.append(f"Lifecycle order is now {_stage_names(head, new.lifecycle)}.")
    if old.loop != new.loop:
        out.append(
            "The lifecycle is now drawn as a loop."
            if new.loop
            else "The lifecycle is no longer drawn as a loop."
        )
    if old.repo_url != new.repo_url:
        out.append(_quoted("Repository URL", old.repo_url, new.repo_url))
    if old.edit_branch != new.edit_branch:
        out.append(_quoted("Edit branch", old.edit_branch, new.edit_branch))
    if old.review_every_days != new.review_every_days:
        out.append(
            f"Activities are now reviewed every {new.review_every_days} days by default, "
            f"was every {old.review_every_days} days."
        )
    if old.max_accountable_per_team != new.max_accountable_per_team:
        out.append(
            "Accountable activities per team: now "
            f"{_per_team(new.max_accountable_per_team)}, "
            f"was {_per_team(old.max_accountable_per_team)}."
        )
    return out


def _named_changes(
    old: tuple[Team, ...] | tuple[Stage, ...], new: tuple[Team, ...] | tuple[Stage, ...]
) -> list[str]:
    """Teams or stages added, renamed (same id), otherwise edited, or removed."""
    before = {x.id: x for x in old}
    after = {x.id for x in new}
    out = []
    for x in new:
        was = before.get(x.id)
        if was is None:
            out.append(f"Added: {x.name}.")
        elif was.name != x.name:
            out.append(f"Renamed: {was.name} is now {x.name}.")
        elif was != x:
            out.append(f"Edited: {x.name}.")
    return out + [f"Removed: {x.name}." for x in old if x.id not in after]


def _ordered_letters(a: Activity) -> list[tuple[Letter, list[str]]]:
    """The parties under each letter the activity fills, A first."""
    rows = [(letter, a.raci.parties(letter)) for letter in Letter.by_weight()]
    return [(letter, parties) for letter, parties in rows if parties]
