"""What ownbook's pages need from the site around them, as data: the assets it ships, the
Markdown extensions its pages are written for, and the theme settings a handbook gets when
its `mkdocs.yml` does not choose its own.

So a handbook's `mkdocs.yml` needs no more than a site name, `docs_dir`, `theme: material`
and the plugins list; the plugin (the only module that knows MkDocs) applies these.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent.parent  # the package: ownbook/


def _shipped(name: str, source: str) -> Path:
    """A folder of data shipped in the package (`ownbook/<name>` in a wheel), or, in an
    editable install of the repository, its source folder beside `generator/`."""
    installed = _HERE / name
    return installed if installed.is_dir() else _HERE.parent / source


# The theme folder: CSS, the matrix script, the theme fixes, the vendored search shim.
THEME_DIR = _shipped("theme", "theme")
# The example handbook (`ownbook new --example lifecycle`).
EXAMPLE_DIR = _shipped("example", "content")

CSS = ("assets/ownbook.css",)
JAVASCRIPT = ("assets/javascripts/ownbook-matrix.js", "assets/javascripts/ownbook-theme.js")
# Material's `offline` plugin loads this shim from unpkg.com unless a polyfill of that name
# is configured: the copy shipped here keeps every page free of third-party requests.
IFRAME_WORKER_SHIM = "assets/vendor/iframe-worker-shim.js"
OFFLINE_SHIM_NAME = "iframe-worker"

# The pages use these (headings with anchors, tables, notes, folded text); no extension
# that passes raw HTML or attributes is needed.
MARKDOWN_EXTENSIONS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": True},
    "tables": {},
    "fenced_code": {},
    "admonition": {},
    "pymdownx.details": {},
}

# Material's settings for a handbook that does not choose its own.
THEME_FEATURES = (
    "navigation.tabs",
    "navigation.prune",  # each page's nav stays small: build time stays linear in pages
    "navigation.top",
    "navigation.footer",
    "navigation.path",  # breadcrumbs above each page's title
    "search.highlight",
    "content.tooltips",
    # The pencil opens the model file at the line a page comes from (pages carry it).
    "content.action.edit",
)
THEME_PALETTE = (
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
    },
)

# Links and anchors the pages make are checked by `--strict` builds.
VALIDATION = {
    "nav": ("omitted_files", "not_found", "absolute_links"),
    "links": ("not_found", "anchors", "absolute_links", "unrecognized_links"),
}


def missing(present: list[str], wanted: tuple[str, ...]) -> list[str]:
    """The entries of `wanted` not yet in `present`, in order."""
    return [item for item in wanted if item not in present]


def theme_files() -> dict[str, bytes]:
    """Every asset file of the theme folder, by its path in a site: what `ownbook generate`
    writes beside the pages for an engine that runs no plugin."""
    return {
        path.relative_to(THEME_DIR).as_posix(): path.read_bytes()
        for path in sorted(THEME_DIR.rglob("*"))
        if path.is_file() and not path.is_symlink() and path.parts[-1] != "__init__.py"
    }


def config_fragment(site_name: str, nav: list[Any]) -> dict[str, Any]:
    """A configuration to `INHERIT` for an engine that runs no plugin: what the plugin
    would set (site name, nav, assets, extensions, theme settings)."""
    return {
        "site_name": site_name,
        "nav": nav,
        "use_directory_urls": False,
        "extra_css": list(CSS),
        "extra_javascript": list(JAVASCRIPT),
        "extra": {"polyfills": [IFRAME_WORKER_SHIM]},
        "markdown_extensions": [
            {name: options} if options else name for name, options in MARKDOWN_EXTENSIONS.items()
        ],
        "theme": {
            "features": list(THEME_FEATURES),
            "palette": [dict(p) for p in THEME_PALETTE],
            "font": False,
        },
    }


def heading_id(value: str, separator: str) -> str:
    """A heading's id, as Python-Markdown's `toc` makes it, but never starting with `_`:
    Material keeps ids such as `__config` and `__search` for its own elements, and a model
    name that took one would stop the theme's scripts (a red-team review)."""
    from markdown.extensions.toc import slugify

    return slugify(value, separator).lstrip("_") or "section"


def heading_slugify(**_options: object) -> Any:
    """`heading_id`, for a configuration that names a slugify factory (Zensical's
    `slugify: {object: ...}`)."""
    return heading_id
