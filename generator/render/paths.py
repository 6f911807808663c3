"""Where each page lives and how pages link to each other.

Every output path is built here from validated ids only, so no model text can choose where a
file is written.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from ..model.spec import slugify

HOME = "index.md"
TEAMS = "teams.md"
MATRIX = "matrix.md"
FAQ = "faq.md"
GLOSSARY = "glossary.md"
ABOUT = "about.md"
CHANGES = "changes.md"
HEALTH = "health.md"


# Names Windows will not create as files, whatever the extension: a site built from ids
# like `con` or `lpt1` must still copy onto and open from a Windows share.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{p}{n}" for p in ("com", "lpt") for n in range(10)]
)


def file_stem(item_id: str) -> str:
    """The file name for a validated id; a Windows reserved name gets a `_` (which no id
    holds, so it cannot collide with another id)."""
    return item_id + "_" if item_id in WINDOWS_RESERVED else item_id


def stage_page(stage_id: str) -> str:
    return f"stages/{file_stem(stage_id)}.md"


def activity_page(activity_id: str) -> str:
    return f"activities/{file_stem(activity_id)}.md"


def team_page(team_id: str) -> str:
    return f"teams/{file_stem(team_id)}.md"


@lru_cache(maxsize=65536)
def rel(here: str, target: str) -> str:
    """A link from page `here` to `target` (a page path, optionally with '#anchor').

    Both are clean relative paths made here, so plain string work replaces
    `posixpath.relpath` (which consults the working directory on every call).
    """
    path, _, anchor = target.partition("#")
    if path:
        base = here.split("/")[:-1]
        parts = path.split("/")
        common = 0
        while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
            common += 1
        path = "/".join([".."] * (len(base) - common) + parts[common:])
    return f"{path}#{anchor}" if anchor else path


# The front-matter key of a page's edit target (its model file and line in the repository):
# the plugin sets MkDocs' `page.edit_url` from it, a theme override reads it under Zensical.
EDIT_URL_KEY = "ownbook_edit_url"


def faq_anchor(faq_id: str) -> str:
    return f"faq-{faq_id}"


def who_owns_anchor(activity_id: str) -> str:
    return f"who-owns-{activity_id}"


def role_anchor(role_id: str) -> str:
    return f"role-{role_id}"


def term_anchor(term: str) -> str:
    return f"term-{slugify(term)}"


def _url(page: str, directory_urls: bool) -> str:
    """The URL path MkDocs gives a page (relative to the site root)."""
    stem = page[: -len(".md")]
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


@lru_cache(maxsize=65536)
def href(here: str, target: str, *, directory_urls: bool = False) -> str:
    """A link in raw HTML (an SVG) from page `here` to page `target`, as the browser needs
    it: MkDocs rewrites `.md` links in Markdown, but never inside raw HTML."""
    page, _, anchor = target.partition("#")
    if not directory_urls:  # each page is one .html file beside the others: string work
        link = rel(here, page)[: -len(".md")] + ".html" if page else ""
        return f"{link}#{anchor}" if anchor else link
    here_url = _url(here, directory_urls)
    base = here_url if here_url.endswith("/") else posixpath.dirname(here_url)
    target_url = _url(page, directory_urls)
    link = posixpath.relpath(target_url, base or ".")
    if target_url.endswith("/") and not link.endswith("/"):
        link += "/"
    link = "./" if link == "./" or link == "." else link
    return f"{link}#{anchor}" if anchor else link


def file_href(here: str, target: str, *, directory_urls: bool = False) -> str:
    """A link from page `here` to a file that is not a page (a download), as the browser
    needs it."""
    here_url = _url(here, directory_urls)
    base = here_url if here_url.endswith("/") else posixpath.dirname(here_url)
    return posixpath.relpath(target, base or ".")
