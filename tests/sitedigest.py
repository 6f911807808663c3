"""What a reader gets from a built site, independent of how its HTML was written: each
page's article text, links and anchors, its nav, and the search index entries.

`tests/test_same_site.py` compares these with a record taken from the site as built before
the pages were written as HTML (`tests/sites/*.json`), so the faster renderer is held to
the same site, not merely to new golden files.
"""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class _Text(HTMLParser):
    """The text of an HTML fragment, tags removed (search entries keep a few tags)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")


def fragment_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return squash("".join(parser.parts))


def page_digest(html: str) -> dict[str, Any]:
    """The article's text, links and ids, and a digest of the page's nav."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article.md-content__inner")
    assert article is not None
    # The theme's edit button (added after the record was taken) is page chrome, not the
    # article: test_engines.py checks where it points.
    for button in article.select("a.md-content__button[rel=edit]"):
        button.decompose()
    nav = soup.select_one("nav.md-nav--primary")
    nav_links = [(a.get("href"), squash(a.get_text(" "))) for a in nav.find_all("a")] if nav else []
    return {
        "title": squash(soup.title.get_text()) if soup.title else "",
        "text": squash(article.get_text(" ")),
        "links": [(a.get("href"), squash(a.get_text(" "))) for a in article.find_all("a")],
        "ids": [e["id"] for e in article.find_all(id=True)],
        "nav": hashlib.sha256(json.dumps(nav_links).encode()).hexdigest()[:16],
    }


def site_digest(site: Path) -> dict[str, Any]:
    """Every HTML page's digest (the 404 page aside) and the search index, entry by entry."""
    pages = {
        p.relative_to(site).as_posix(): page_digest(p.read_text(encoding="utf-8"))
        for p in sorted(site.rglob("*.html"))
        if p.name != "404.html"
    }
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    search = [
        {
            "location": d["location"],
            "title": fragment_text(d["title"]),
            "text": fragment_text(d["text"]),
        }
        for d in index["docs"]
    ]
    return {"pages": pages, "search": search}
