"""Answering "who owns ...?" from the model: find activities by id, name, tag or words.

People ask in their own words ("who approves messaging?"), so a query is matched against
each activity's id, name, tags and summary, word by word, with light prefix matching so
that "approve" finds "approval" and "approving". Best matches come first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ..model.objects import Activity, Letter, Model, party_name
from ..model.rules import review
from ..render import views

# Words that carry no meaning in a question about ownership.
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how",
    "i", "in", "is", "it", "me", "my", "of", "on", "or", "our", "owns", "own", "owner",
    "owners", "owning", "the", "their", "this", "to", "we", "what", "when", "where", "which",
    "who", "whom", "whose", "why", "will", "with", "you", "your",
})
# fmt: on
_WORD = re.compile(r"[a-z0-9]+")
# Where a word is found, and what it is worth there.
WEIGHTS = {"id": 3.0, "name": 3.0, "tag": 2.0, "summary": 1.0}


@dataclass(frozen=True)
class Match:
    activity: Activity
    score: float
    why: str  # what matched: "id", "name", "tag 'pricing'", "words: pricing, update"
    missing: tuple[str, ...] = ()  # words of the query found nowhere in the activity

    @property
    def quality(self) -> str:
        """How well it matched, so that an answer for a neighbouring activity (the one asked
        about left out) never reads as a confident one."""
        if not self.why.startswith("words: "):
            return f"exact {self.why}"
        found = self.why.removeprefix("words: ")
        if not self.missing:
            return f"all words ({found})"
        total = len(found.split(", ")) + len(self.missing)
        return (
            f"only some words: {total - len(self.missing)} of {total} ({found}); "
            f"not found: {', '.join(self.missing)}"
        )


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def _word_hits(word: str, pool: set[str]) -> bool:
    if word in pool:
        return True
    if len(word) < 4:
        return False
    stem = word[: max(4, len(word) - 3)]
    return any(p.startswith(stem) or (len(p) >= 4 and word.startswith(p)) for p in pool)


def find(model: Model, query: str, limit: int = 10) -> list[Match]:
    """The activities that match `query`, best first (ties keep the model's order)."""
    q = query.strip().lower()
    if not q:
        return []
    wanted = words(q)
    matches: list[Match] = []
    for order, a in enumerate(model.activities):
        score, why = _score(a, q, wanted)
        if score > 0:
            found = (
                set(why.removeprefix("words: ").split(", ")) if why.startswith("words") else set()
            )
            missing = tuple(w for w in wanted if found and w not in found)
            matches.append(Match(a, score - order * 1e-9, why, missing))
    matches.sort(key=lambda m: -m.score)
    return matches[:limit]


def _score(a: Activity, q: str, wanted: list[str]) -> tuple[float, str]:
    if q == a.id:
        return 1000.0, "id"
    if q == a.name.lower():
        return 900.0, "name"
    for tag in a.tags:
        if q == tag.lower():
            return 500.0, f"tag '{tag}'"
    if not wanted:
        return 0.0, ""
    pools = {
        "id": set(words(a.id.replace("-", " "))),
        "name": set(words(a.name)),
        "tag": {w for t in a.tags for w in words(t)},
        "summary": set(words(a.summary or "")),
    }
    total = 0.0
    hit: list[str] = []
    for word in wanted:
        best = max((WEIGHTS[k] for k, pool in pools.items() if _word_hits(word, pool)), default=0)
        if best:
            total += best
            hit.append(word)
    if not hit:
        return 0.0, ""
    # Every word found counts most: a full match beats a long partial one.
    coverage = len(hit) / len(wanted)
    return total * coverage * coverage, "words: " + ", ".join(hit)


def review_line(model: Model, a: Activity, today: dt.date) -> str:
    status = review(model, a, today)
    every = model.review_cadence(a)
    if a.reviewed is None or status.due is None:
        return f"never reviewed (cadence: every {every} days)"
    state = "OVERDUE" if status.overdue else "next due"
    return (
        f"reviewed {a.reviewed.isoformat()}, {state} {status.due.isoformat()} (every {every} days)"
    )


def describe(model: Model, a: Activity, today: dt.date) -> dict[str, Any]:
    """One activity's ownership as plain data (the JSON shape of `ownbook who`)."""
    status = review(model, a, today)
    due = status.due
    out: dict[str, Any] = {
        "id": a.id,
        "name": a.name,
        "kind": a.kind,
        "stages": [model.stage_by_id[s].name for s in a.stages if s in model.stage_by_id],
    }
    for letter in Letter.by_weight():  # accountable (one party or none), then the lists
        names = [party_name(model, p) for p in a.raci.parties(letter)]
        out[letter.value] = (names[0] if names else None) if letter is Letter.ACCOUNTABLE else names
    return out | {
        "escalation": party_name(model, a.escalation) if a.escalation else None,
        "reviewed": a.reviewed.isoformat() if a.reviewed else None,
        "review_due": due.isoformat() if due else None,
        "review_overdue": status.wanted,
        "source": f"{a.pos.file}:{a.pos.line}",
    }


def format_activity(model: Model, a: Activity, today: dt.date) -> str:
    d = describe(model, a, today)
    lines = [f"{a.name} ({a.kind}, {a.id})"]
    rows = [("Accountable", d["accountable"] or "nobody")]
    for letter in Letter.by_weight()[1:]:
        unset = "nobody" if letter is Letter.RESPONSIBLE else "-"  # R is required, C and I not
        rows.append((letter.label, ", ".join(d[letter.value]) or unset))
    if d["escalation"]:
        rows.append(("Escalation", d["escalation"]))
    rows += [
        ("Stages", ", ".join(d["stages"])),
        ("Review", review_line(model, a, today)),
        ("Source", d["source"]),
    ]
    lines += [f"  {label + ':':<13}{value}" for label, value in rows]
    return "\n".join(lines)


def team_holdings(model: Model, team_id: str) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """What a team holds, as [(section title, [(letter name, [activity (as role)])])], by
    stage (an activity of several stages under "Across the lifecycle") and letter, A first."""
    out = []
    for section in views.sections(model):
        by_letter: dict[str, list[str]] = {}
        for a in section.activities:
            for letter, role_id in views.cell_letters(a, team_id):
                team = model.team_by_id[team_id]
                role = team.role(role_id) if role_id else None
                label = f"{a.name} (as {role.name})" if role else a.name
                by_letter.setdefault(letter, []).append(label)
        ordered = [(x.label, by_letter[x]) for x in Letter.by_weight() if x in by_letter]
        if ordered:
            out.append((section.title, ordered))
    return out
