"""Which pages a `serve` rebuild must build again, and the search index it must publish.

`ownbook serve` runs MkDocs' dirty builds: a page whose file says it is not modified is
neither converted nor written again, its HTML from the last build stays. That is right only
when nothing the page shows changed: its own Markdown, and everything every page shows (the
nav, the titles of all pages, the site name, the configuration and the theme). So a page is
unchanged when its Markdown equals the last build's and the site digest does too; a new
activity, a renamed team or an edited `mkdocs.yml` builds every page again.

Material's search plugin, in a dirty build, indexes only the pages built and merges them
into the last index for one page only; `merged_search` keeps each page's entries instead
and lays them out in page order, as a fresh build writes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..render.paths import EDIT_URL_KEY

Entry = dict[str, Any]


def front_matter(page: str) -> str:
    """The YAML front matter of a generated page that other pages show (its title), or ''.
    The edit button's target is left out: only the page itself shows it, and it moves with
    every line added above its entry in the model file."""
    if not page.startswith("---\n"):
        return ""
    end = page.find("\n---\n", 4)
    if end < 0:
        return ""
    lines = page[4:end].split("\n")
    return "\n".join(line for line in lines if not line.startswith(f"{EDIT_URL_KEY}:"))


def site_digest(pages: Mapping[str, str], *, shared: Iterable[object]) -> str:
    """What every page shows besides its own Markdown: the pages there are and their
    titles (front matter), and `shared` (the nav, the site name, the configuration...)."""
    h = hashlib.sha256()
    for path, text in pages.items():
        h.update(f"{path}\0{front_matter(text)}\0".encode())
    for item in shared:
        h.update(json.dumps(item, sort_keys=True, default=str).encode() + b"\0")
    return h.hexdigest()


@dataclass
class LastBuild:
    """What the last finished build published."""

    site: str
    pages: dict[str, str]
    titles: dict[str, str | None] = field(default_factory=dict)
    # page URL -> its search entries, in the order the page gave them
    search: dict[str, list[Entry]] = field(default_factory=dict)


def unchanged(last: LastBuild | None, site: str, pages: Mapping[str, str]) -> set[str]:
    """The pages a dirty build may keep as they were (none when the site changed)."""
    if last is None or last.site != site:
        return set()
    return {path for path, text in pages.items() if last.pages.get(path) == text}


def page_of(location: str) -> str:
    return location.partition("#")[0]


def merged_search(
    kept: Mapping[str, list[Entry]],
    built: Sequence[Entry],
    built_pages: Iterable[str],
    order: Sequence[str],
) -> tuple[list[Entry], dict[str, list[Entry]]]:
    """The whole index: the new entries of the pages built (URLs), every other page's kept
    ones, in the order of `order` (page URLs, as a fresh build indexes them); and the
    record for the next build."""
    record = dict(kept)
    for url in built_pages:
        record[url] = []
    for entry in built:
        record.setdefault(page_of(entry["location"]), []).append(entry)
    record = {url: record[url] for url in order if url in record}
    return [entry for entries in record.values() for entry in entries], record
