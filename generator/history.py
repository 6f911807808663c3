"""The "Ownership changes" page's data: the ownership diff of each commit that touched the
content folder, newest first.

Each commit's diff is computed once and kept on disk (keyed by the commit and ownbook's
version), so a rebuild only reads the commits that are new. No repository, a shallow clone
or a commit whose model does not load is reported on the page; the build never fails on it.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .diff import ActivityChange, Changes, diff_models
from .gitio import Commit, content_at, content_commits, is_shallow, repo_root
from .load import load_model
from .model import Handbook, Model
from .problems import OwnbookError


@dataclass(frozen=True)
class HistoryEntry:
    sha: str
    date: str
    subject: str
    changes: Changes | None = None
    error: str | None = None


@dataclass(frozen=True)
class History:
    entries: list[HistoryEntry] = field(default_factory=list)
    notice: str | None = None  # why the history is missing or incomplete


EMPTY = Model(handbook=Handbook(title="", organization="", lifecycle=()))


def ownership_history(content_dir: Path, cache_dir: Path | None, limit: int = 20) -> History:
    root = repo_root(content_dir)
    if root is None:
        return History(notice="The model is not in a git repository, so it has no history here.")
    notice = None
    if is_shallow(root):
        notice = (
            "This build ran on a shallow clone, so older changes are missing; build from a full "
            "clone (for example `fetch-depth: 0` in GitHub Actions) to see them all."
        )
    entries = [
        _entry(commit, content_dir, cache_dir) for commit in content_commits(content_dir, limit)
    ]
    return History(entries=[e for e in entries if e is not None], notice=notice)


def _entry(commit: Commit, content_dir: Path, cache_dir: Path | None) -> HistoryEntry | None:
    cached = _read_cache(cache_dir, commit.sha)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory() as tmp:
        try:
            head = _model_at(commit.sha, content_dir, Path(tmp) / "head")
            base = (
                _model_at(commit.parent, content_dir, Path(tmp) / "base")
                if commit.parent
                else EMPTY
            )
        except OwnbookError:
            return None  # a parent missing from a shallow clone
    if head is None or base is None:
        side = "this commit" if head is None else "the commit before it"
        entry = HistoryEntry(
            commit.sha, commit.date, commit.subject, error=f"The model at {side} does not load."
        )
    else:
        entry = HistoryEntry(commit.sha, commit.date, commit.subject, diff_models(base, head))
    _write_cache(cache_dir, entry)
    return entry


def _model_at(revision: str, content_dir: Path, scratch: Path) -> Model | None:
    folder = content_at(revision, content_dir, scratch)
    if not any(folder.rglob("*.y*ml")):
        return EMPTY
    return load_model(folder).model


def _cache_file(cache_dir: Path, sha: str) -> Path:
    return cache_dir / "history" / f"{sha}-{__version__}.json"


def _read_cache(cache_dir: Path | None, sha: str) -> HistoryEntry | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_file(cache_dir, sha).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    changes = data.pop("changes")
    if changes is not None:
        changes["changed"] = [ActivityChange(**c) for c in changes["changed"]]
        changes["added"] = [tuple(x) for x in changes["added"]]
        changes["removed"] = [tuple(x) for x in changes["removed"]]
        changes = Changes(**changes)
    return HistoryEntry(changes=changes, **data)


def _write_cache(cache_dir: Path | None, entry: HistoryEntry) -> None:
    if cache_dir is None:
        return
    try:
        path = _cache_file(cache_dir, entry.sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(entry)), encoding="utf-8")
    except OSError:
        pass  # a cache that cannot be written only costs time
