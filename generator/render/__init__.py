"""Pure rendering: a model in, `{path: content}` out; nothing here touches disk or MkDocs."""

from .nav import nav
from .pages import RenderOptions, render_pages

__all__ = ["RenderOptions", "nav", "render_pages"]
