"""The ownership changes of `history.diff` as Markdown: a section of the handbook's changes
page, or a pull-request comment.

A comment is rendered by GitHub with mentions and autolinks: every model string is escaped
with `md_text` (which encodes `@`, `:` and `.` as character references, so no autolink is
recognised), and a zero-width space follows every `@` and `#` of model text, because GitHub
finds mentions and issue references in the decoded text.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from markupsafe import Markup

from ..history.diff import Changes
from ..model.problems import terminal_text
from .escape import md_text


def format_markdown(changes: Changes, base_label: str, head_label: str) -> str:
    """The changes as Markdown for a pull-request comment (every model string escaped, no
    mention or link made from model text)."""
    t = _comment_text
    head = f"## Ownership changes: {t(base_label)} → {t(head_label)}\n\n"
    return head + format_body(changes, level=3, comment=True)


# U+200B ZERO WIDTH SPACE: after an `@`, GitHub sees no mention (it reads decoded text).
NO_MENTION = "\u200b"


def _comment_text(value: str) -> Markup:
    """A model string in a pull-request comment: shown as typed (invisible and bidi
    characters as visible escapes, so a reviewer sees them), but no `@` starts a mention;
    `md_text` already keeps `:` `.` `@` from making an autolink. The zero-width space is
    written as a reference, so the comment stays ASCII where ownbook adds to it."""
    text = str(md_text(terminal_text(str(value))))
    # `@` would mention, `#` would cross-reference an issue (`org/repo#12`): GitHub reads
    # both in decoded text, so a zero-width space follows each.
    for sign in ("&#64;", "&#35;"):
        text = text.replace(sign, f"{sign}&#{ord(NO_MENTION)};")
    return Markup(text)


def format_body(changes: Changes, level: int, *, comment: bool = False) -> str:
    """The changes without a title; sections are headings of `level`. `comment`: for a
    pull-request comment (see `format_markdown`)."""
    t = _comment_text if comment else md_text
    h, hh = "#" * level, "#" * (level + 1)
    lines: list[str] = []
    if changes.empty:
        return "No change to the ownership model.\n"
    summary = []
    for n, word in (
        (len(changes.added), "added"),
        (len(changes.removed), "removed"),
        (len(changes.changed), "changed"),
    ):
        if n:
            summary.append(f"{n} {'activity' if n == 1 else 'activities'} {word}")
    if summary:
        lines += [f"**{', '.join(summary)}.**", ""]
    if changes.changed:
        lines += [f"{h} Changed", ""]
        for c in changes.changed:
            lines += [f"{hh} {t(c.name)}", ""]
            lines += [f"- {t(s)}" for s in c.sentences]
            lines.append("")
    if changes.added:
        lines += [f"{h} Added", ""]
        lines += [f"- **{t(name)}** ({t('; '.join(facts))})" for _, name, facts in changes.added]
        lines.append("")
    if changes.removed:
        lines += [f"{h} Removed", ""]
        lines += [f"- **{t(name)}**" for _, name in changes.removed]
        lines.append("")
    for title, items in (
        ("Handbook", changes.handbook),
        ("Teams", changes.teams),
        ("Stages", changes.stages),
        ("Other content", changes.other),
    ):
        if items:
            lines += [f"{h} {title}", "", *(f"- {t(x)}" for x in items), ""]
    return "\n".join(lines)


def format_json(changes: Changes, base_label: str, head_label: str) -> str:
    data = asdict(changes)
    data["added"] = [{"id": i, "name": n, "facts": f} for i, n, f in changes.added]
    data["removed"] = [{"id": i, "name": n} for i, n in changes.removed]
    return json.dumps({"base": base_label, "head": head_label, **data}, indent=2)
