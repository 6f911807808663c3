"""The finished HTML blocks of a generated page, set aside so MkDocs' Markdown pass skips
them.

A page is Markdown whose headings stay Markdown (for the table of contents, the permalinks
and the search sections) and whose other blocks are raw HTML (see `render/html.py`). Any
Markdown engine passes those through; under MkDocs the plugin does better: it hands
Python-Markdown the headings and one placeholder paragraph per HTML block, and puts the
blocks back into the converted page. Python-Markdown no longer parses every tag of them
(its raw-HTML pass cost as much as the inline pass it replaced).

Only blocks made by the renderer qualify: a block (between blank lines) that starts with
one of the renderer's block-level tags and ends with that tag's end tag. Anything else is
left to Python-Markdown, which gives the same page, more slowly. Model text cannot forge a
block: it is escaped (`<` never reaches a page from the model), and a placeholder is made
of characters the escaping turns into references.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

_TAGS = ("p", "div", "table", "ul", "ol", "details")
_START = re.compile(r"<(" + "|".join(_TAGS) + r")[\s>]")


@dataclass
class SetAside:
    """One page's Markdown with its HTML blocks replaced by placeholders, and the blocks."""

    markdown: str
    blocks: list[str] = field(default_factory=list)
    token: str = ""

    def restore(self, html: str) -> str:
        """The converted page with each placeholder paragraph replaced by its block."""
        if not self.blocks:
            return html
        parts = html.split(f"<p>{self.token}-")
        out = [parts[0]]
        for part in parts[1:]:
            number, close, rest = part.partition("</p>")
            if not close or not number.isdigit() or int(number) >= len(self.blocks):
                out.append(f"<p>{self.token}-{part}")  # not ours (cannot happen)
                continue
            out.append(self.blocks[int(number)] + rest)
        return "".join(out)


def set_aside(markdown: str) -> SetAside:
    """Replace each finished HTML block of a generated page by a placeholder paragraph."""
    token = "obblock" + secrets.token_hex(8)
    blocks: list[str] = []
    out: list[str] = []
    for chunk in markdown.split("\n\n"):
        text = chunk.strip("\n")
        start = _START.match(text)
        if start and text.endswith(f"</{start.group(1)}>") and "\n\n" not in text:
            out.append(f"{token}-{len(blocks)}")
            blocks.append(text)
        else:
            out.append(chunk)
    return SetAside("\n\n".join(out), blocks, token)
