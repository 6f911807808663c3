"""Every file of a handbook that an engine without the plugin needs, from a checked model:
the pages, the downloads and the theme's assets. `ownbook generate` writes them; the
Zensical engine writes them into its work folder."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from . import assets
from ..history.log import ownership_history
from ..model.objects import Model
from ..render import RenderOptions, diagram_sources, render_downloads, render_pages
from ..render.memo import Memo
from ..render.svg import SvgCache, render_svgs


@dataclass(frozen=True)
class SiteFiles:
    pages: dict[str, str]
    downloads: dict[str, str | bytes]
    # One line per kind of diagram that could not be drawn (its page shows the DOT source).
    diagram_failures: list[str]

    def all(self) -> dict[str, str | bytes]:
        return {**assets.theme_files(), **self.pages, **self.downloads}


def site_files(
    model: Model,
    content: Path,
    options: RenderOptions,
    cache: SvgCache,
    *,
    history_limit: int = 20,
    memo: Memo | None = None,
) -> SiteFiles:
    """The pages (diagrams drawn through `cache`, the history of `content` read from git),
    the downloads, and what could not be drawn."""
    svgs = render_svgs(diagram_sources(model, options, memo), cache)
    failures = sorted({r.error for r in svgs.values() if r.error is not None})
    history = ownership_history(content, cache.folder, history_limit)
    pages = render_pages(model, dataclasses.replace(options, svgs=svgs, history=history), memo)
    return SiteFiles(pages, render_downloads(model), failures)
