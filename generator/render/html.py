"""Finished HTML for the structure of a page: tables, lists, paragraphs, notes.

A page reaches MkDocs as Markdown whose headings stay Markdown (the table of contents, the
permalinks and the search sections need them) and whose every other block is raw HTML:
Python-Markdown stashes a block that starts with a block-level tag and never runs its
inline patterns over it, which was most of the build's time. Each block starts a line and
ends before a blank line. Everything passed in is already `Markup` (escaped by
`render.escape`, or made by these helpers); a plain `str` is escaped as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import Markup

from .escape import html_text

CENTER = ' style="text-align: center;"'


def _m(value: object) -> str:
    return str(value) if isinstance(value, Markup) else str(html_text(value))


def p(inner: object, cls: str | None = None) -> Markup:
    attr = f' class="{cls}"' if cls else ""
    return Markup(f"<p{attr}>{_m(inner)}</p>")


def ul(items: Iterable[object]) -> Markup:
    return Markup("<ul>\n" + "".join(f"<li>{_m(i)}</li>\n" for i in items) + "</ul>")


def tree(items: Iterable[tuple[object, int]]) -> Markup:
    """Nested lists of `(item, depth)`, depth first, each item at most one deeper than the
    one before: the `<ul>` Python-Markdown writes for a list indented four spaces a level.
    No items, no list."""
    out: list[str] = []
    depth = -1
    for inner, d in items:
        if d > depth:
            out.append("<ul>\n")
        else:
            out.append("</li>\n" + "</ul>\n</li>\n" * (depth - d))
        depth = d
        out.append(f"<li>{_m(inner)}")
    if depth >= 0:
        out.append("</li>\n" + "</ul>\n</li>\n" * depth + "</ul>")
    return Markup("".join(out))


def row(cells: Sequence[object], centered: Sequence[bool] = ()) -> str:
    """One `<tr>` of body cells; `centered[i]` centres cell i (Markdown's `:-:`)."""
    return (
        "<tr>\n"
        + "".join(
            f"<td{CENTER if i < len(centered) and centered[i] else ''}>{_m(c)}</td>\n"
            for i, c in enumerate(cells)
        )
        + "</tr>\n"
    )


def table(head: Sequence[object], rows: Iterable[str], centered: Sequence[bool] = ()) -> Markup:
    """A table as Python-Markdown's `tables` extension writes one; `rows` from `row`."""
    th = "".join(
        f"<th{CENTER if i < len(centered) and centered[i] else ''}>{_m(h)}</th>\n"
        for i, h in enumerate(head)
    )
    return Markup(
        f"<table>\n<thead>\n<tr>\n{th}</tr>\n</thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table>"
    )


def details(kind: str, summary: object, inner: object) -> Markup:
    """`??? kind "summary"` as `pymdownx.details` writes it."""
    return Markup(
        f'<details class="{kind}">\n<summary>{_m(summary)}</summary>\n{_m(inner)}\n</details>'
    )
