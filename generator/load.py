"""From a content folder to a checked model: find files, read, decode, merge, validate.

`load_model` never raises for bad content: it returns every problem it found with the model
it could build. `require_model` is the gate for commands that need a model without errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
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
from .yamltree import read_tree

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
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model is read.

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


def load_model(
    content_dir: Path | str, *, today: dt.date | None = None, display_as: str | None = None
) -> Checked:
    """Load and validate the model in `content_dir`; report, never raise, on bad content.

    Problems and positions name files under `display_as` (default: `content_dir` as given),
    so a caller can show paths relative to where the reader stands.
    """
    with _no_cyclic_gc():
        return _load_model(Path(content_dir), today, display_as or Path(content_dir).as_posix())


def _load_model(content_dir: Path, today: dt.date | None, shown_root: str) -> Checked:
    root_pos = Pos(shown_root)
    if not content_dir.is_dir():
        problem = Problem("OB001", root_pos, "content folder does not exist or is not a folder")
        return Checked(None, (problem,), ())
    problems: list[Problem] = []
    decoder = Decoder()
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
        tree, found = read_tree(path, shown)
        problems += found
        if tree is None or found:
            # A file the YAML reader rejected is not decoded: its other problems would be
            # noise until it reads cleanly.
            unreadable = True
            continue
        values = decode_file(tree, decoder)
        if values is None:
            continue
        if values["handbook"] is not None:
            handbooks.append(values["handbook"])
        for key in LIST_KEYS:
            merged[key].extend(values[key] or ())
    problems += decoder.problems
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
