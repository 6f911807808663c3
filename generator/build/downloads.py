"""The downloads of a content folder, made in `serve`'s worker process.

`serve` runs a web server thread beside its builds, so it cannot fork a copy of itself that
already holds the model (see parallel.py). Its worker is a process of its own that reads
the model again (through its own FileCache, so only the edited file) and makes the
downloads while MkDocs converts the pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..model.load import FileCache, Fingerprint, load_model
from ..render import render_downloads


def downloads_of(
    cache: FileCache,
    content_dir: str,
    today: dt.date | None,
    display_as: str,
    fingerprint: Fingerprint,
) -> dict[str, str | bytes] | None:
    """The downloads of the model in `content_dir`, or None when the files read here are
    not the ones the build read (an edit landed in between): the build then makes its own.
    `cache`: the worker's own (`Worker(FileCache)`), kept across `serve` rebuilds."""
    checked = load_model(Path(content_dir), today=today, display_as=display_as, cache=cache)
    if checked.model is None or cache.fingerprint != fingerprint:
        return None
    return render_downloads(checked.model)
