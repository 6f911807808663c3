"""The "Ownership changes" page's data: the ownership diff of each commit that touched the
content folder, newest first.

Each commit's diff is computed once and kept on disk (keyed by the commit and ownbook's
version), so a rebuild only reads the commits that are new. No repository, a shallow clone
or a commit whose model does not load is reported on the page; the build never fails on it.

The cache folder may hold files a pull request committed, so a cache file is untrusted
input: it carries a schema version and is checked against that schema, field by field, and
anything else (another shape, another version, bad JSON, a symbolic link) is ignored and
the entry computed again. Cache files are written whole (a temporary file, then a rename)
and never through a symbolic link.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..model.load import load_model
from ..model.objects import Handbook, Model
from ..model.problems import OwnbookError, Problem, Severity
from .diff import ActivityChange, Changes, diff_models
from .gitio import (
    Commit,
    content_commits,
    is_printable,
    is_shallow,
    locate,
    printable,
    read_snapshot,
    write_snapshot,
)

# The version of the cache files' shape; a file with another one is computed again.
CACHE_SCHEMA = 2
# A cache file larger than this is not read.
MAX_CACHE_BYTES = 16 * 1024 * 1024
MAX_ERROR = 500


@dataclass(frozen=True)
class HistoryEntry:
    sha: str
    date: str
    subject: str  # escaped and cut (gitio.printable)
    changes: Changes | None = None
    error: str | None = None
    author: str = ""  # escaped and cut (gitio.printable)
    pull: int | None = None  # the pull request it came from, when named

    def touched(self) -> list[tuple[str, str]]:
        """(id, name) of each activity the commit changed, added or removed."""
        c = self.changes
        if c is None:
            return []
        found = [(x.id, x.name) for x in c.changed]
        found += [(i, n) for i, n, _ in c.added] + list(c.removed)
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class History:
    entries: list[HistoryEntry] = field(default_factory=list)
    notice: str | None = None  # why the history is missing or incomplete


EMPTY = Model(handbook=Handbook(title="", organization="", lifecycle=()))


def ownership_history(content_dir: Path, cache_dir: Path | None, limit: int = 20) -> History:
    where = locate(content_dir)
    if where is None:
        return History(notice="The model is not in a git repository, so it has no history here.")
    notice = None
    if is_shallow(where.root):
        notice = (
            "This build ran on a shallow clone, so older changes are missing; build from a full "
            "clone (for example `fetch-depth: 0` in GitHub Actions) to see them all."
        )
    cache = _Cache(cache_dir, where.root) if cache_dir is not None else None
    entries = [
        _entry(commit, where.root, where.rel, cache)
        for commit in content_commits(content_dir, limit)
    ]
    return History(entries=[e for e in entries if e is not None], notice=notice)


def _entry(commit: Commit, root: Path, rel: str, cache: _Cache | None) -> HistoryEntry | None:
    found = cache.read(commit) if cache is not None else None
    if found is not None:
        changes, error = found
    else:
        try:
            changes, error = _compute(commit, root, rel)
        except OwnbookError:
            return None  # a parent missing from a shallow clone
        if cache is not None:
            cache.write(commit, changes, error)
    return HistoryEntry(
        commit.sha,
        commit.date,
        commit.subject,
        changes,
        error,
        author=commit.author,
        pull=commit.pull,
    )


def _compute(commit: Commit, root: Path, rel: str) -> tuple[Changes | None, str | None]:
    shown = rel or "."
    with tempfile.TemporaryDirectory(prefix="ownbook-history-") as tmp:
        head = _model_at(root, commit.sha, rel, Path(tmp) / "head", shown)
        base = (
            _model_at(root, commit.parent, rel, Path(tmp) / "base", shown)
            if commit.parent
            else EMPTY
        )
    for side, found in (("this commit", head), ("the commit before it", base)):
        if not isinstance(found, Model):
            return None, _why(side, found)
    assert isinstance(head, Model) and isinstance(base, Model)
    return diff_models(base, head), None


def _model_at(root: Path, sha: str, rel: str, scratch: Path, shown: str) -> Model | list[Problem]:
    """The model at a commit (EMPTY when it has no model file), or why it does not load."""
    snapshot = read_snapshot(root, sha, rel, shown)
    if snapshot.files is None:
        return list(snapshot.problems)
    if not snapshot.files:
        return EMPTY
    written = write_snapshot(snapshot.files, scratch, shown)
    if written:
        return written
    checked = load_model(scratch, display_as=shown)
    if checked.model is None:
        return list(checked.problems)
    return checked.model


def _why(side: str, problems: list[Problem]) -> str:
    errors = [p for p in problems if p.severity is Severity.ERROR] or problems
    if not errors:
        return f"The model at {side} does not load."
    first = sorted(errors, key=Problem.sort_key)[0].format()
    more = len(errors) - 1
    also = f" (and {more} more {'problem' if more == 1 else 'problems'})" if more else ""
    return printable(f"The model at {side} does not load: {first}{also}", MAX_ERROR)


# -- the cache ------------------------------------------------------------------------------


class _Cache:
    """History entries on disk, one JSON file per commit and ownbook version."""

    def __init__(self, cache_dir: Path, root: Path) -> None:
        self.folder = Path(os.path.abspath(cache_dir)) / "history"
        self.usable = _no_links(self.folder, Path(os.path.abspath(root)))

    def _file(self, sha: str) -> Path:
        return self.folder / f"{sha}-{__version__}.json"

    def read(self, commit: Commit) -> tuple[Changes | None, str | None] | None:
        if not self.usable:
            return None
        try:
            fd = os.open(self._file(commit.sha), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None  # absent, or a symbolic link
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                raw = handle.read(MAX_CACHE_BYTES + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return None
        return _decode(data, commit)

    def write(self, commit: Commit, changes: Changes | None, error: str | None) -> None:
        if not self.usable:
            return
        record = {
            "schema": CACHE_SCHEMA,
            "ownbook": __version__,
            "sha": commit.sha,
            "parent": commit.parent,
            "error": error,
            "changes": None if changes is None else asdict(changes),
        }
        path = self._file(commit.sha)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.folder.is_symlink() or (path.is_symlink() or path.is_dir()):
                return
            fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(record, handle)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except (OSError, ValueError):
            pass  # a cache that cannot be written only costs time


def _no_links(folder: Path, root: Path) -> bool:
    """Whether the cache folder, and each folder above it inside the repository, is a real
    folder (or absent), not a symbolic link a pull request could have committed."""
    for path in (folder, *folder.parents):
        if path != folder and not path.is_relative_to(root):
            break
        if path == root:
            break
        try:
            if path.is_symlink():
                return False
        except OSError:
            return False
    return True


# The shape of a cache file, checked before anything in it is used.


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _decode(data: Any, commit: Commit) -> tuple[Changes | None, str | None] | None:
    keys = {"schema", "ownbook", "sha", "parent", "error", "changes"}
    if not isinstance(data, dict) or set(data) != keys:
        return None
    if type(data["schema"]) is not int or data["schema"] != CACHE_SCHEMA:
        return None
    if data["ownbook"] != __version__ or data["sha"] != commit.sha:
        return None
    if data["parent"] != commit.parent:
        return None  # e.g. computed in a shallow clone, where the commit had no parent
    error, changes = data["error"], data["changes"]
    if error is not None:
        if not (_is_text(error) and len(error) <= MAX_ERROR and is_printable(error, MAX_ERROR)):
            return None
        return (None, error) if changes is None else None
    if changes is None:
        return None
    decoded = _decode_changes(changes)
    return None if decoded is None else (decoded, None)


def _decode_changes(data: Any) -> Changes | None:
    fields = {"added", "removed", "changed", "teams", "stages", "other", "handbook"}
    if not isinstance(data, dict) or set(data) != fields:
        return None
    added = data["added"]
    if not isinstance(added, list) or not all(
        isinstance(x, list) and len(x) == 3 and _is_text(x[0]) and _is_text(x[1]) and _texts(x[2])
        for x in added
    ):
        return None
    removed = data["removed"]
    if not isinstance(removed, list) or not all(
        isinstance(x, list) and len(x) == 2 and _is_text(x[0]) and _is_text(x[1]) for x in removed
    ):
        return None
    changed = data["changed"]
    if not isinstance(changed, list) or not all(
        isinstance(x, dict)
        and set(x) == {"id", "name", "sentences"}
        and _is_text(x["id"])
        and _is_text(x["name"])
        and _texts(x["sentences"])
        for x in changed
    ):
        return None
    if not all(_texts(data[key]) for key in ("teams", "stages", "other", "handbook")):
        return None
    return Changes(
        added=[(i, n, list(f)) for i, n, f in added],
        removed=[(i, n) for i, n in removed],
        changed=[ActivityChange(x["id"], x["name"], list(x["sentences"])) for x in changed],
        teams=list(data["teams"]),
        stages=list(data["stages"]),
        other=list(data["other"]),
        handbook=list(data["handbook"]),
    )
