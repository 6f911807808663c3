"""What pages depend on besides the model: the options of one render.

Kept apart from `pages` so that the memo's keys (`inputs`) and the build pipeline name it
without importing the renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..history.log import History
    from .svg import SvgResult


@dataclass(frozen=True)
class RenderOptions:
    """What pages depend on besides the model."""

    today: dt.date = field(default_factory=dt.date.today)
    # Model file paths in edit links are made relative to this folder (the repository root).
    source_root: str | None = None
    # MkDocs' use_directory_urls: links inside SVGs are raw HTML and must match it.
    directory_urls: bool = False
    # SVG for each DOT source (see render.svg.render_svgs); None: diagrams not drawn.
    svgs: Mapping[str, SvgResult] | None = None
    # The ownership history (see history.log); None: not read for this build.
    history: History | None = None
