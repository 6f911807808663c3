"""From a content folder to a checked model: find files, read, decode, merge, validate.

`load_model` never raises for bad content: it returns every problem it found with the model
it could build. `require_model` is the gate for commands that need a model without errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Faq, Handbook, Model
from .problems import OwnbookError, Pos, Problem, Severity, fails
from .spec import Decoder, decode_file, slugify
from .validate import validate
from .yamltree import MAX_FILE_BYTES, read_tree

MODEL_SUFFIXES = (".yaml", ".yml")
MAX_MODEL_BYTES = 64 * 1024 * 1024
LIST_KEYS = ("teams", "stages", "activities", "faqs", "glossary")


@dataclass(frozen=True)
class Checked:
    """A model (None when it could not be put together) and every problem found on the way."""

    model: Model | None
    problems: tuple[Problem, ...]
    files: tuple[str, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    def fails(self, *, strict: bool = False) -> bool:
        return fails(self.problems, strict=strict)


def find_model_files(content_dir: Path) -> Iterator[tuple[Path, str]]:
    """Every model file under `content_dir`, sorted by relative path, as (path, rel path)."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(content_dir):
        dirs.sort()
        for name in files:
            if name.endswith(MODEL_SUFFIXES):
                path = Path(folder, name)
                found.append((path.relative_to(content_dir).as_posix(), path))
    for rel, path in sorted(found):
        yield path, rel


def display_path(content_dir: Path | str, rel: str) -> str:
    return (Path(content_dir) / rel).as_posix()


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model is read (or pages are rendered).

    Reading allocates hundreds of thousands of small acyclic objects; each allocation burst
    would trigger a full collection pass, which doubled load time on a 5,000-activity model.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class _Decoded:
    """What reading and decoding one file gave: its problems and its top-level values."""

    read_problems: tuple[Problem, ...]
    values: dict[str, Any] | None
    decode_problems: tuple[Problem, ...]
    readable: bool


# The files one load read: each one's display path and the hash of its bytes, in order.
Fingerprint = tuple[tuple[str, bytes], ...]


class FileCache:
    """Decoded files by display path and content hash, for a caller that loads the same
    model again and again (`serve`): an edit re-reads only the file it changed.

    Keyed by the bytes' hash rather than the modification time, so a cached file can never
    be stale; only what the last load used is kept.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, bytes], _Decoded] = {}
        self._used: dict[tuple[str, bytes], _Decoded] = {}
        self.hits = 0

    def key(self, path: Path, shown: str) -> tuple[str, bytes] | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return shown, hashlib.blake2b(path.read_bytes(), digest_size=20).digest()
        except OSError:
            return None

    def get(self, key: tuple[str, bytes]) -> _Decoded | None:
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            self._used[key] = found
        return found

    def put(self, key: tuple[str, bytes], decoded: _Decoded) -> None:
        self._used[key] = decoded

    def end_load(self) -> None:
        self._entries, self._used = self._used, {}

    @property
    def fingerprint(self) -> Fingerprint:
        """What the last load read: two loads with equal fingerprints read the same bytes."""
        return tuple(self._entries)


def load_model(
    content_dir: Path | str,
    *,
    today: dt.date | None = None,
    display_as: str | None = None,
    cache: FileCache | None = None,
) -> Checked:
    """Load and validate the model in `content_dir`; report, never raise, on bad content.

    Problems and positions name files under `display_as` (default: `content_dir` as given),
    so a caller can show paths relative to where the reader stands. A `cache` kept by the
    caller skips reading and decoding the files that did not change since its last load.
    """
    shown = display_as or Path(content_dir).as_posix()
    with no_cyclic_gc():
        try:
            return _load_model(Path(content_dir), today, shown, cache)
        finally:
            if cache is not None:
                cache.end_load()


def _read_file(path: Path, shown: str) -> _Decoded:
    tree, found = read_tree(path, shown)
    if tree is None or found:
        # A file the YAML reader rejected is not decoded: its other problems would be
        # noise until it reads cleanly.
        return _Decoded(tuple(found), None, (), readable=False)
    decoder = Decoder()
    values = decode_file(tree, decoder)
    return _Decoded((), values, tuple(decoder.problems), readable=True)


def _load_model(
    content_dir: Path, today: dt.date | None, shown_root: str, cache: FileCache | None
) -> Checked:
    root_pos = Pos(shown_root)
    if not content_dir.is_dir():
        problem = Problem("OB001", root_pos, "content folder does not exist or is not a folder")
        return Checked(None, (problem,), ())
    problems: list[Problem] = []
    decode_problems: list[Problem] = []
    merged: dict[str, list[Any]] = {key: [] for key in LIST_KEYS}
    handbooks: list[Handbook] = []
    files: list[str] = []
    unreadable = False
    total = 0
    resolved_root = content_dir.resolve()
    for path, rel in find_model_files(content_dir):
        shown = display_path(shown_root, rel)
        files.append(shown)
        if not path.resolve().is_relative_to(resolved_root):
            problems.append(
                Problem("OB001", Pos(shown), "file links to a place outside the content folder")
            )
            unreadable = True
            continue
        with suppress(OSError):  # an unreadable file is reported by read_tree
            total += path.stat().st_size
        if total > MAX_MODEL_BYTES:
            problems.append(
                Problem(
                    "OB002",
                    Pos(shown),
                    f"the model is over the limit of {MAX_MODEL_BYTES:,} bytes in all",
                )
            )
            unreadable = True
            break
        key = cache.key(path, shown) if cache is not None else None
        decoded = cache.get(key) if cache is not None and key is not None else None
        if decoded is None:
            decoded = _read_file(path, shown)
            if cache is not None and key is not None:
                cache.put(key, decoded)
        problems += decoded.read_problems
        decode_problems += decoded.decode_problems
        if not decoded.readable:
            unreadable = True
            continue
        values = decoded.values
        if values is None:
            continue
        if values["handbook"] is not None:
            handbooks.append(values["handbook"])
        for key in LIST_KEYS:
            merged[key].extend(values[key] or ())
    problems += decode_problems
    if not files:
        problems.append(
            Problem(
                "OB013",
                root_pos,
                "no model files (*.yaml, *.yml) in the content folder",
                "create one with a 'handbook' block; see the README",
            )
        )
        return Checked(None, tuple(problems), ())
    handbook = _one_handbook(handbooks, root_pos, problems, unreadable)
    model = Model(
        handbook=handbook or Handbook(title="", organization="", lifecycle=()),
        teams=tuple(merged["teams"]),
        stages=tuple(merged["stages"]),
        activities=tuple(merged["activities"]),
        faqs=_with_faq_ids(merged["faqs"]),
        glossary=tuple(merged["glossary"]),
        files=tuple(files),
    )
    # With a file unreadable, references into it would all look broken: report only what
    # was read, and leave the cross-file checks for when every file reads.
    if not unreadable:
        decoded_cleanly = not any(p.severity is Severity.ERROR for p in problems)
        problems += validate(model, today=today or dt.date.today(), health=decoded_cleanly)
    has_errors = any(p.severity is Severity.ERROR for p in problems)
    return Checked(None if has_errors or handbook is None else model, tuple(problems), tuple(files))


def _one_handbook(
    handbooks: list[Handbook], root: Pos, problems: list[Problem], unreadable: bool
) -> Handbook | None:
    if not handbooks:
        if not unreadable:
            problems.append(
                Problem(
                    "OB110",
                    root,
                    "no 'handbook' block in any model file",
                    "add 'handbook:' with title, organization and lifecycle to one file",
                )
            )
        return None
    for extra in handbooks[1:]:
        problems.append(
            Problem(
                "OB111",
                extra.pos,
                f"'handbook' given again; it was first given at {handbooks[0].pos}",
                "keep exactly one handbook block in the whole model",
            )
        )
    return handbooks[0]


def _with_faq_ids(faqs: list[Faq]) -> tuple[Faq, ...]:
    """Give each FAQ without an id one derived from its question, unique among FAQs."""
    taken = {f.id for f in faqs if f.id}
    out = []
    for faq in faqs:
        if not faq.id:
            base = slugify(faq.question)
            candidate, n = base, 2
            while candidate in taken:
                candidate = f"{base[: 63 - len(str(n)) - 1]}-{n}"
                n += 1
            taken.add(candidate)
            faq = dataclasses.replace(faq, id=candidate)
        out.append(faq)
    return tuple(out)


def require_model(
    content_dir: Path | str, *, strict: bool = False, today: dt.date | None = None
) -> tuple[Model, tuple[Problem, ...]]:
    """The model of `content_dir`, or an `OwnbookError` listing every problem."""
    checked = load_model(content_dir, today=today)
    if checked.model is None or checked.fails(strict=strict):
        raise OwnbookError(checked.problems, exit_code=1)
    return checked.model, checked.problems
