"""Rendering: a model in, `{path: content}` out, by pure functions that know nothing of
MkDocs. The one exception is `svg`, which runs Graphviz and keeps its drawings in a cache
folder the caller chooses."""

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
