"""One build of a handbook, whichever engine runs it: the MkDocs or ProperDocs plugin,
`ownbook generate`, the Zensical engine. Each reads the model (`model.load`) and hands it
here; what they do with the pages (hand them to MkDocs, write them) is theirs.

The plugin's options and their defaults are named here once, so every engine reads a
handbook's `mkdocs.yml` the same way.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..history.log import ownership_history
from ..model.objects import Model
from ..render import RenderOptions, diagram_sources, render_downloads, render_pages
from ..render.memo import Memo, NoMemo
from ..render.pages import release_lookups
from ..render.svg import SvgCache, render_svgs
from . import assets
from .output import prepare_cache_dir

# The ownbook plugin's options in `mkdocs.yml`, with their defaults.
CONTENT_DIR = "content"
CACHE_DIR = ".cache/ownbook"
HISTORY_LIMIT = 20  # commits of ownership history read for the changes page

Timer = Callable[[str], AbstractContextManager[None]]


@contextmanager
def _untimed(_step: str) -> Iterator[None]:
    yield


def cache_folder(project: Path, configured: str = CACHE_DIR) -> Path:
    """The checked cache folder: `OWNBOOK_CACHE_DIR` (the operator's, outside any pull
    request's reach), else `configured` under the project, which a pull request must not
    have linked or committed (see `output.prepare_cache_dir`)."""
    chosen = os.environ.get("OWNBOOK_CACHE_DIR")
    if chosen:
        return prepare_cache_dir(Path(chosen), None)
    return prepare_cache_dir(project / configured, project)


@dataclass(frozen=True)
class RenderedSite:
    pages: dict[str, str]
    # One line per kind of diagram that could not be drawn (its page shows the DOT source).
    diagram_failures: list[str]


def render_site(
    model: Model,
    content: Path,
    options: RenderOptions,
    svg_cache: SvgCache,
    *,
    history_limit: int = HISTORY_LIMIT,
    memo: Memo | None = None,
    timed: Timer = _untimed,
) -> RenderedSite:
    """The pages of a checked model: its diagrams drawn through `svg_cache`, the ownership
    history of `content` read from git (cached beside the diagrams). `memo`: what `serve`
    keeps between builds; `timed`: a context manager per step, for the plugin's timings."""
    one_off = memo is None
    memo = memo or NoMemo()  # one per build: the pages reuse the diagrams' graphs
    with timed("diagrams"):
        svgs = render_svgs(diagram_sources(model, options, memo), svg_cache)
    failures = sorted({r.error for r in svgs.values() if r.error is not None})
    with timed("history"):
        history = ownership_history(content, svg_cache.folder, history_limit)
    with timed("pages"):
        pages = render_pages(model, dataclasses.replace(options, svgs=svgs, history=history), memo)
    if one_off:
        release_lookups()
    return RenderedSite(pages, failures)


@dataclass(frozen=True)
class SiteFiles:
    """Every file an engine without the plugin needs: pages, downloads and assets."""

    pages: dict[str, str]
    downloads: dict[str, str | bytes]
    diagram_failures: list[str]

    def all(self) -> dict[str, str | bytes]:
        return {**assets.theme_files(), **self.pages, **self.downloads}


def site_files(model: Model, site: RenderedSite) -> SiteFiles:
    """A rendered site with its downloads, for `ownbook generate` and Zensical."""
    return SiteFiles(site.pages, render_downloads(model), site.diagram_failures)
