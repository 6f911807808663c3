"""From a content folder to a checked model: find files, read, decode, merge, validate.

`load_model` never raises for bad content: it returns every problem it found with the model
it could build; a command decides what fails (`Checked.fails`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import gc
import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .names import name_problem
from .objects import Faq, Handbook, Model
from .problems import Pos, Problem, Severity, fails
from .spec import Decoder, decode_file, slugify
from .validate import ActivityChecks, validate
from .yamltree import MAX_FILE_BYTES, parse_tree, too_large

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


@dataclass(frozen=True)
class Entry:
    """One entry under the content folder, found without following any link."""

    path: Path
    rel: str  # relative to the content folder, parts separated by '/'
    kind: str  # "file", "folder", "symlink", "special" or "unreadable"
    detail: str = ""  # what a special entry is, or why an entry cannot be read


_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> tuple[str, str]:
    if stat.S_ISLNK(mode):
        return "symlink", ""
    if stat.S_ISDIR(mode):
        return "folder", ""
    if stat.S_ISREG(mode):
        return "file", ""
    return "special", next((name for test, name in _SPECIAL if test(mode)), "a special file")


def walk_content(content_dir: Path) -> list[Entry]:
    """Every entry under `content_dir`, sorted by relative path.

    Nothing is followed or opened: each entry is classified by `lstat` (so a FIFO cannot
    block, and a link to a folder is not entered); only real folders are descended into,
    without recursion (a deep tree cannot exhaust the stack).
    """
    found: list[Entry] = []
    stack: list[tuple[Path, str]] = [(content_dir, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                listed = list(it)
        except OSError as exc:
            if prefix:  # the content folder itself is checked by the caller
                found.append(Entry(folder, prefix[:-1], "unreadable", _reason(exc)))
            continue
        for item in listed:
            rel = prefix + item.name
            path = Path(folder, item.name)
            try:  # the file type the listing gave (no system call), else lstat
                if item.is_symlink():
                    kind, detail = "symlink", ""
                elif item.is_dir(follow_symlinks=False):
                    kind, detail = "folder", ""
                elif item.is_file(follow_symlinks=False):
                    kind, detail = "file", ""
                else:
                    kind, detail = _kind(item.stat(follow_symlinks=False).st_mode)
            except OSError as exc:
                found.append(Entry(path, rel, "unreadable", _reason(exc)))
                continue
            found.append(Entry(path, rel, kind, detail))
            if kind == "folder":
                stack.append((path, rel + "/"))
    found.sort(key=lambda e: e.rel)
    return found


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def is_model_name(name: str) -> bool:
    return name.endswith(MODEL_SUFFIXES)


def find_model_files(content_dir: Path) -> Iterator[tuple[Path, str]]:
    """Every model file under `content_dir`, sorted by relative path, as (path, rel path).

    Entries named like model files that are not regular files (symlinks, FIFOs) are listed
    too, so that a caller can report them; `load_model` refuses them.
    """
    for entry in walk_content(content_dir):
        if entry.kind != "folder" and is_model_name(entry.rel):
            yield entry.path, entry.rel


def shown_rel(rel: str) -> str:
    """A relative path as it may be printed anywhere (text, JSON, annotations, SARIF).

    Bytes that are not UTF-8 (which Python keeps as lone surrogates, and no terminal can
    print) become `\\xNN`; control characters (a newline would forge a log line or a
    workflow command) and invisible formatting ones (a bidi override reorders what a reader
    sees) become `\\n`, `\\xNN` or `\\uNNNN`, as `Problem.format` writes them.
    """
    if rel.isascii() and rel.isprintable():
        return rel
    if any("\udc80" <= c <= "\udcff" for c in rel):
        rel = os.fsencode(rel).decode("utf-8", "backslashreplace")
    return "".join(_shown_char(c) for c in rel)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cc":
        return _NAMED_ESCAPES.get(char) or f"\\x{ord(char):02x}"
    if category in ("Cf", "Zl", "Zp"):
        return f"\\u{ord(char):04x}"
    return char


def content_problems(
    entries: list[Entry], shown_root: str, *, names: bool = True
) -> tuple[list[Problem], set[str]]:
    """The problems of the entries themselves, and the rel paths of model files not to read.

    Every symlink and every entry that is neither a regular file nor a folder is an error
    OB017 (MkDocs would follow or copy it); with `names`, a model file whose path holds an
    unsafe name is an error OB018 at the first unsafe part (file or folder).
    """
    problems: list[Problem] = []
    refused: set[str] = set()
    named: set[str] = set()
    for entry in entries:
        shown = display_path(shown_root, shown_rel(entry.rel))
        if entry.kind == "symlink":
            problems.append(
                Problem(
                    "OB017",
                    Pos(shown),
                    "this is a symlink, and ownbook does not follow links in the content folder",
                    "put the file or folder itself here, or remove the link",
                )
            )
        elif entry.kind == "special":
            problems.append(
                Problem(
                    "OB017",
                    Pos(shown),
                    f"this is {entry.detail}, not a regular file or folder",
                    "remove it: the content folder may hold only regular files and folders",
                )
            )
        elif entry.kind == "unreadable":
            problems.append(Problem("OB001", Pos(shown), f"cannot read: {entry.detail}"))
        if entry.kind in ("symlink", "special", "unreadable"):
            refused.add(entry.rel)
        if names and entry.kind != "folder" and is_model_name(entry.rel):
            bad = _unsafe_part(entry.rel)
            if bad is not None:
                refused.add(entry.rel)
                where, what, reason = bad
                if where not in named:
                    named.add(where)
                    problems.append(
                        Problem(
                            "OB018",
                            Pos(display_path(shown_root, shown_rel(where))),
                            f"unsafe {what} name: {reason}",
                            "use only letters, digits, '-', '_' and '.' in the names of "
                            "model files and their folders",
                        )
                    )
    return problems, refused


def _unsafe_part(rel: str) -> tuple[str, str, str] | None:
    """The path up to the first unsafe part of `rel`, whether it is a file or a folder, and
    why; None when every part is safe."""
    parts = rel.split("/")
    for i, part in enumerate(parts):
        if any("\udc80" <= c <= "\udcff" for c in part):
            reason: str | None = "the name is not valid UTF-8"
        else:
            reason = name_problem(part)
        if reason is not None:
            return "/".join(parts[: i + 1]), "file" if i == len(parts) - 1 else "folder", reason
    return None


def unresolved_last(path: Path | str) -> Path:
    """`path` made absolute with its parents resolved but not its last part: a symlink
    there stays visible to `lstat` (and the loader refuses a content folder that is one)."""
    full = Path(os.path.abspath(path))
    return Path(os.path.realpath(full.parent), full.name) if full.name else full


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
        # and the activities' problems, which an unchanged activity keeps too
        self.checks = ActivityChecks()

    def key(self, data: bytes, shown: str) -> tuple[str, bytes]:
        return shown, hashlib.blake2b(data, digest_size=20).digest()

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


def _read_file(data: bytes, shown: str) -> _Decoded:
    tree, found = parse_tree(data, shown)
    if tree is None or found:
        # A file the YAML reader rejected is not decoded: its other problems would be
        # noise until it reads cleanly.
        return _Decoded(tuple(found), None, (), readable=False)
    decoder = Decoder()
    values = decode_file(tree, decoder)
    return _Decoded((), values, tuple(decoder.problems), readable=True)


class NotRegular(OSError):
    """An opened path is not a regular file; the message says what it is."""


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def open_regular(path: Path) -> int:
    """A read descriptor of `path`, only if it is a regular file that is not a symlink.

    `O_NOFOLLOW` refuses a link, `O_NONBLOCK` keeps a FIFO from blocking the open, and the
    descriptor's own `fstat` confirms a regular file: a file swapped for a link or a FIFO
    after the folder walk is refused, not read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotRegular("a symlink") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegular(_kind(mode)[1] or "a folder")
    return fd


def _read_checked(fd: int, shown: str, cache: FileCache | None) -> _Decoded:
    """Read and decode the file open at `fd` (through the cache when there is one): the very
    file that was checked, read once, at most its size limit."""
    size = os.fstat(fd).st_size
    if size > MAX_FILE_BYTES:
        return _Decoded((too_large(shown, size),), None, (), readable=False)
    chunks = []
    remaining = MAX_FILE_BYTES + 1
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:  # it grew since fstat
        return _Decoded((too_large(shown, len(data)),), None, (), readable=False)
    key = cache.key(data, shown) if cache is not None else None
    decoded = cache.get(key) if cache is not None and key is not None else None
    if decoded is None:
        decoded = _read_file(data, shown)
        if cache is not None and key is not None:
            cache.put(key, decoded)
    return decoded


def _root_problem(content_dir: Path, pos: Pos) -> Problem | None:
    """Why the content folder itself cannot be read, or None."""
    missing = Problem("OB001", pos, "content folder does not exist or is not a folder")
    try:
        mode = os.lstat(content_dir).st_mode
    except OSError:
        return missing
    if stat.S_ISLNK(mode):
        return Problem(
            "OB017",
            pos,
            "the content folder is a symlink, and ownbook does not follow links to the model",
            "make it a real folder",
        )
    if not stat.S_ISDIR(mode):
        return missing
    try:
        with os.scandir(content_dir):
            pass
    except OSError as exc:
        return Problem("OB001", pos, f"cannot read the content folder: {_reason(exc)}")
    return None


def _load_model(
    content_dir: Path, today: dt.date | None, shown_root: str, cache: FileCache | None
) -> Checked:
    root_pos = Pos(shown_root)
    root_problem = _root_problem(content_dir, root_pos)
    if root_problem is not None:
        return Checked(None, (root_problem,), ())
    entries = walk_content(content_dir)
    problems, refused = content_problems(entries, shown_root)
    decode_problems: list[Problem] = []
    merged: dict[str, list[Any]] = {key: [] for key in LIST_KEYS}
    handbooks: list[Handbook] = []
    files: list[str] = []
    # A refused entry may hold model data (a linked folder): judge only what was read.
    unreadable = bool(refused)
    total = 0
    for entry in entries:
        if entry.kind == "folder" or not is_model_name(entry.rel):
            continue
        shown = display_path(shown_root, shown_rel(entry.rel))
        files.append(shown)
        if entry.rel in refused:
            continue
        try:
            fd = open_regular(entry.path)
        except NotRegular as exc:  # replaced since the walk: a link or a FIFO now
            problems.append(Problem("OB017", Pos(shown), f"this is {exc}, not a regular file"))
            unreadable = True
            continue
        except OSError as exc:
            problems.append(Problem("OB001", Pos(shown), f"cannot read file: {_reason(exc)}"))
            unreadable = True
            continue
        try:
            total += os.fstat(fd).st_size
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
            decoded = _read_checked(fd, shown, cache)
        finally:
            os.close(fd)
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
        problems += validate(
            model,
            today=today or dt.date.today(),
            health=decoded_cleanly,
            kept=cache.checks if cache is not None else None,
        )
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
