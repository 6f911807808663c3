"""Pure rendering: a model in, `{path: content}` out; nothing here touches disk or MkDocs."""

from .exports import render_downloads
from .nav import nav, site_name
from .options import RenderOptions
from .pages import diagram_sources, render_pages

__all__ = [
    "RenderOptions",
    "diagram_sources",
    "nav",
    "render_downloads",
    "render_pages",
    "site_name",
]
