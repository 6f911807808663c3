"""Reading the model as it was at a git revision (for `ownbook diff` and the history page).

Only `git` itself is used, through subprocess; a folder that is not in a repository, or a
shallow clone, is reported as such instead of failing.

Everything a commit holds is untrusted (a pull request chooses it): file names, modes,
sizes, `.gitattributes`, subjects and author names. So model files are read as blobs
(`ls-tree` + `cat-file`), never with `git archive` (which applies `export-subst` and
`export-ignore` from `.gitattributes`); a symlink, a submodule, an unsafe name or a tree
too large to read makes the model at that commit "not load", with a problem saying why;
what git prints is split on NUL bytes, never on lines; and text shown from a commit
(subject, author) has its control and invisible characters escaped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..model.load import MAX_MODEL_BYTES, MODEL_SUFFIXES, Checked, load_model
from ..model.names import path_problem
from ..model.problems import OwnbookError, Pos, Problem
from ..model.yamltree import MAX_FILE_BYTES

# At most this many entries (files, links, submodules) under the content folder of one
# commit are listed; a tree with more does not load. A few kilobytes of git objects can
# describe millions of files.
MAX_ENTRIES = 10_000
# At most this many bytes of `ls-tree` output are read for one commit.
MAX_LISTING_BYTES = 16 * 1024 * 1024
# At most this many problems are reported for one commit.
MAX_PROBLEMS = 20
# Subjects and author names are cut to this many characters (an ellipsis included).
MAX_SUBJECT = 200
MAX_AUTHOR = 100
TIMEOUT = 120

_REGULAR_MODES = (b"100644", b"100755")
_SYMLINK_MODE = b"120000"
_SUBMODULE_MODE = b"160000"

# Git runs without a pager or a prompt, with literal path names, quoting nothing, and
# without replacement objects.
_ENV = {
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_LITERAL_PATHSPECS": "1",
    "GIT_NO_REPLACE_OBJECTS": "1",
}
_GIT = ("git", "-c", "core.quotePath=false", "--no-pager")


def _env() -> dict[str, str]:
    return {**os.environ, **_ENV}


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            [*_GIT, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            timeout=TIMEOUT,
            env=_env(),
        )
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise OwnbookError(f"git could not run: {exc}", exit_code=1) from None


def _git_records(cwd: Path, args: list[str], max_records: int) -> tuple[list[bytes], bool, int]:
    """Run git with NUL-terminated output and read at most `max_records` records (and
    `MAX_LISTING_BYTES` bytes); the rest is never read. Returns the records, whether
    there were more, and git's exit status (0 when it was stopped early)."""
    try:
        proc = subprocess.Popen(
            [*_GIT, *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise OwnbookError(f"git could not run: {exc}", exit_code=1) from None
    # Popen's default buffering makes a pipe a BufferedReader (typed IO[bytes]): read1
    # returns what the pipe holds without waiting for a full chunk.
    stdout = proc.stdout
    assert isinstance(stdout, io.BufferedReader)
    data = bytearray()
    count = 0
    over = False
    try:
        while True:
            chunk = stdout.read1(1 << 16)
            if not chunk:
                break
            data += chunk
            count += chunk.count(b"\0")
            if count > max_records or len(data) > MAX_LISTING_BYTES:
                over = True
                break
    finally:
        if over:
            proc.kill()
        stdout.close()
        try:
            status = proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            status = proc.wait()
    records = bytes(data).split(b"\0")
    if over:
        return records[:max_records], True, 0
    if records and records[-1] == b"":
        records.pop()
    return records, False, status


# -- showing text that came from a commit -----------------------------------------------


def printable(text: str, limit: int | None = None) -> str:
    """Text from git as it may be shown anywhere: control, invisible and bidirectional
    formatting characters (and line or paragraph separators) written as escapes such as
    `\\u202e`, and cut to at most `limit` characters, the last an ellipsis.

    The result is printable again unchanged, so a stored value can be checked with it.
    """
    pieces = [_escape(char) for char in text]
    if limit is None or sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    size = 0
    for piece in pieces:  # an escape is never cut in two
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "…"


def _escape(char: str) -> str:
    if unicodedata.category(char) in _HIDDEN:
        code = ord(char)
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char


_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def is_printable(text: str, limit: int | None = None) -> bool:
    """Whether `text` is already what `printable` makes of it."""
    return printable(text, limit) == text


# -- where the content folder is ----------------------------------------------------------


def repo_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`, or None."""
    folder = path if path.is_dir() and not path.is_symlink() else path.parent
    try:
        proc = _git(folder, "rev-parse", "--show-toplevel")
    except OwnbookError:
        return None
    if proc.returncode != 0:
        return None
    try:
        return Path(os.fsdecode(proc.stdout.rstrip(b"\n")))
    except ValueError:
        return None


@dataclass(frozen=True)
class RepoPath:
    """A content folder inside a repository: the work tree's top and the folder's path in
    the repository ('' for the top itself), with '/' between parts."""

    root: Path
    rel: str


def locate(content_dir: Path) -> RepoPath | None:
    """Where `content_dir` is in its repository, or None when it is in none.

    The folder's own name is not resolved: a content folder that is a symbolic link in the
    work tree still names the same path in each commit.
    """
    absolute = Path(os.path.abspath(content_dir))
    parent = absolute.parent
    root = repo_root(parent) if parent.is_dir() else None
    if root is None:
        if not (absolute.is_dir() and not absolute.is_symlink()):
            return None
        root = repo_root(absolute)
        if root is None:
            return None
    try:
        full = parent.resolve() / absolute.name
        rel = full.relative_to(root.resolve())
    except (OSError, ValueError):
        return None
    text = rel.as_posix()
    return RepoPath(root, "" if text == "." else text)


def is_shallow(root: Path) -> bool:
    try:
        proc = _git(root, "rev-parse", "--is-shallow-repository")
    except OwnbookError:
        return False
    return proc.stdout.decode("ascii", "replace").strip() == "true"


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def resolve_commit(root: Path, revision: str) -> str | None:
    """The commit id `revision` names in the repository at `root`, or None when it names
    no commit. A revision that git could read as an option is refused."""
    if revision.startswith("-"):
        raise OwnbookError(
            f"a git revision may not start with '-': '{printable(revision, 80)}'", exit_code=2
        )
    if not revision or any(unicodedata.category(c) == "Cc" for c in revision):
        return None
    proc = _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if proc.returncode != 0:
        return None
    sha = proc.stdout.decode("ascii", "replace").strip()
    return sha if _is_sha(sha) else None


# -- the model at a commit -----------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The model files of a commit, by path under the content folder, or the problems that
    kept them from being read (then `files` is None)."""

    files: dict[str, bytes] | None
    problems: tuple[Problem, ...] = ()


def read_snapshot(root: Path, commit: str, rel: str, shown: str) -> Snapshot:
    """Read the model files under `rel` at `commit` (a full commit id) as blobs.

    Problems are placed under `shown` (the content folder as the reader knows it). Raises
    `OwnbookError` when git cannot read the commit at all (a shallow clone's missing
    parent).
    """
    if not _is_sha(commit):
        raise OwnbookError(f"not a commit id: '{printable(commit, 80)}'", exit_code=2)
    paths = ["--", rel] if rel else []
    records, over, status = _git_records(
        root,
        ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit, *paths],
        MAX_ENTRIES,
    )
    if over:
        return Snapshot(
            None,
            (
                Problem(
                    "OB002",
                    Pos(shown),
                    f"the content folder holds too many files to read (more than "
                    f"{MAX_ENTRIES:,}, or over {MAX_LISTING_BYTES // 1024 // 1024} MiB of names)",
                    "split the repository or remove files from the content folder",
                ),
            ),
        )
    if status != 0:
        raise OwnbookError(f"git cannot read commit {commit[:10]}", exit_code=1)
    problems: list[Problem] = []
    wanted: list[tuple[str, str]] = []  # (path under the content folder, blob id)
    for record in records:
        problem, model_file = _entry(record, rel, shown)
        if problem is not None:
            problems.append(problem)
            if len(problems) >= MAX_PROBLEMS:
                break
        elif model_file is not None:
            wanted.append(model_file)
    if problems:
        return Snapshot(None, tuple(problems))
    if not wanted:
        return Snapshot({})
    sizes = _blob_sizes(root, sorted({blob for _, blob in wanted}))
    total = 0
    for sub, blob in wanted:
        at = Pos(f"{shown}/{sub}")
        size = sizes.get(blob)
        if size is None:
            problems.append(Problem("OB001", at, "cannot read file: the blob is missing"))
        elif size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    "OB002",
                    Pos(at.file, 1, 1),
                    f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                    "split the model into several smaller files",
                )
            )
        else:
            total += size
            if total > MAX_MODEL_BYTES:
                problems.append(
                    Problem(
                        "OB002",
                        at,
                        f"the model is over the limit of {MAX_MODEL_BYTES:,} bytes in all",
                    )
                )
                break
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        return Snapshot(None, tuple(problems))
    blobs = _read_blobs(root, {blob: sizes[blob] for _, blob in wanted})
    files: dict[str, bytes] = {}
    for sub, blob in wanted:
        data = blobs.get(blob)
        if data is None:
            return Snapshot(
                None, (Problem("OB001", Pos(f"{shown}/{sub}"), "cannot read file from git"),)
            )
        files[sub] = data
    return Snapshot(files)


def _entry(record: bytes, rel: str, shown: str) -> tuple[Problem | None, tuple[str, str] | None]:
    """Check one `ls-tree` record: a problem, or a model file to read, or neither."""
    meta, tab, raw_path = record.partition(b"\t")
    fields = meta.split(b" ")
    if not tab or len(fields) != 3:
        return Problem("OB001", Pos(shown), "git listed an entry ownbook cannot read"), None
    mode, kind, blob = fields
    try:
        path = raw_path.decode("utf-8")
    except UnicodeDecodeError:
        escaped = printable(raw_path.decode("utf-8", "replace"), 200)
        return Problem("OB018", Pos(escaped), "the name is not valid UTF-8"), None
    if rel and path == rel:
        special = _kind(mode, kind)
        what = "a file" if special is None else special[0]
        return (
            Problem(
                "OB001",
                Pos(shown),
                f"the content folder is {what} at this revision, not a folder",
            ),
            None,
        )
    if rel and not path.startswith(rel + "/"):
        return None, None
    sub = path[len(rel) + 1 :] if rel else path
    at = Pos(f"{shown}/{printable(sub, 300)}")
    reason = path_problem(sub)
    if reason is not None:
        return (
            Problem(
                "OB018",
                at,
                f"unsafe file or folder name: {reason}",
                "use letters, digits, '-', '_' and '.' in file and folder names",
            ),
            None,
        )
    special = _kind(mode, kind)
    if special is not None:
        what, hint = special
        return Problem("OB017", at, f"{what} in the content folder", hint), None
    blob_id = blob.decode("ascii", "replace")
    if not _is_sha(blob_id):
        return Problem("OB001", at, "git listed an entry ownbook cannot read"), None
    if sub.endswith(MODEL_SUFFIXES):
        return None, (sub, blob_id)
    return None, None


def _kind(mode: bytes, kind: bytes) -> tuple[str, str] | None:
    """What a tree entry is and what to do, when it is not a regular file (else None)."""
    if mode == _SYMLINK_MODE:
        return "a symbolic link", "commit the file itself, not a link to it"
    if mode == _SUBMODULE_MODE or kind == b"commit":
        return "a submodule", "keep the model's files in this repository"
    if mode not in _REGULAR_MODES or kind != b"blob":
        return (
            f"a special entry (mode {printable(mode.decode('ascii', 'replace'), 20)})",
            "commit regular files only",
        )
    return None


def _blob_sizes(root: Path, blobs: list[str]) -> dict[str, int]:
    """The size of each blob, learnt before any is read (a missing one is left out)."""
    proc = _git(
        root,
        "cat-file",
        "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        stdin="".join(f"{b}\n" for b in blobs).encode("ascii"),
    )
    sizes: dict[str, int] = {}
    if proc.returncode != 0:
        return sizes
    for line in proc.stdout.split(b"\n"):
        parts = line.split(b" ")
        if len(parts) == 3 and parts[1] == b"blob" and parts[2].isdigit():
            sizes[parts[0].decode("ascii", "replace")] = int(parts[2])
    return sizes


def _read_blobs(root: Path, sizes: dict[str, int]) -> dict[str, bytes]:
    """Read blobs whose sizes are known (and within the limits): id -> bytes."""
    order = sorted(sizes)
    proc = _git(root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in order).encode("ascii"))
    out: dict[str, bytes] = {}
    if proc.returncode != 0:
        return out
    data = proc.stdout
    at = 0
    for blob in order:
        end = data.find(b"\n", at)
        if end < 0:
            break
        header = data[at:end].split(b" ")
        if len(header) != 3 or header[0].decode("ascii", "replace") != blob:
            break
        if header[1] != b"blob" or header[2] != str(sizes[blob]).encode():
            break
        start = end + 1
        out[blob] = data[start : start + sizes[blob]]
        at = start + sizes[blob] + 1
    return out


def write_snapshot(files: dict[str, bytes], into: Path, shown: str) -> list[Problem]:
    """Write model files (with names checked by `read_snapshot`) as regular files under
    `into`, an empty scratch folder; a name that cannot be written there is a problem."""
    problems: list[Problem] = []
    into.mkdir(parents=True, exist_ok=True)
    for sub, data in files.items():
        target = into.joinpath(*sub.split("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:  # never through an existing file or link
                handle.write(data)
        except OSError as exc:
            problems.append(
                Problem("OB001", Pos(f"{shown}/{sub}"), f"cannot write the file: {exc.strerror}")
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    return problems


def model_at(root: Path, commit: str, rel: str, scratch: Path, shown: str) -> Checked:
    """Load the model of the content folder `rel` as it was at `commit` (a commit id).

    The files are written into `scratch` and loaded with the normal loader; problems name
    files under `shown`. A commit where the folder holds no model file gives a Checked with
    no model and the loader's "no model files" problem.
    """
    snapshot = read_snapshot(root, commit, rel, shown)
    if snapshot.files is None:
        return Checked(None, snapshot.problems, ())
    written = write_snapshot(snapshot.files, scratch, shown)
    if written:
        return Checked(None, tuple(written), ())
    return load_model(scratch, display_as=shown)


# -- the commits that touched the content folder -------------------------------------------


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    subject: str  # escaped and cut with `printable`
    parent: str | None
    author: str = ""  # escaped and cut with `printable`
    pull: int | None = None  # the pull request the subject or a trailer names


def pull_request(subject: str, trailers: str = "") -> int | None:
    """The number of the pull request a commit came from, as GitHub writes it into a
    subject ("Title (#12)", "Merge pull request #12 from ...") or a trailer ("PR: #12",
    "Pull-Request: https://.../pull/12"); None when none is named."""
    for line in trailers.split("\n"):
        key, _, value = line.partition(":")
        if key.strip().lower() in ("pr", "pull-request", "pr-url", "pull request"):
            tail = value.strip().rstrip("/").rsplit("/", 1)[-1].lstrip("#")
            if tail.isascii() and tail.isdigit():
                return int(tail)
    if subject.startswith("Merge pull request #"):
        number = subject.removeprefix("Merge pull request #").split(" ", 1)[0]
        return int(number) if number.isascii() and number.isdigit() else None
    if subject.endswith(")") and "(#" in subject:
        number = subject[subject.rindex("(#") + 2 : -1]
        return int(number) if number.isascii() and number.isdigit() else None
    return None


_LOG_FIELDS = 6


def content_commits(content_dir: Path, limit: int) -> list[Commit]:
    """The commits that touched the content folder, newest first (at most `limit`)."""
    where = locate(content_dir)
    if where is None or limit <= 0:
        return []
    records, _over, status = _git_records(
        where.root,
        [
            "log",
            "-z",
            "--no-show-signature",
            f"--max-count={int(limit)}",
            "--format=%H%x00%ad%x00%an%x00%s%x00%P%x00%(trailers:only,unfold)",
            "--date=short",
            "--",
            where.rel or ".",
        ],
        limit * _LOG_FIELDS,
    )
    if status != 0:
        return []
    commits = []
    for i in range(0, len(records) - _LOG_FIELDS + 1, _LOG_FIELDS):
        commit = _commit([r.decode("utf-8", "replace") for r in records[i : i + _LOG_FIELDS]])
        if commit is None:
            break  # the output is not what was asked for: stop rather than guess
        commits.append(commit)
    return commits


def _commit(fields: list[str]) -> Commit | None:
    sha, date, author, subject, parents, trailers = fields
    parent_ids = parents.split(" ") if parents else []
    if not _is_sha(sha) or not all(_is_sha(p) for p in parent_ids):
        return None
    try:
        date = dt.date.fromisoformat(date).isoformat()
    except ValueError:
        date = "unknown date"
    return Commit(
        sha=sha,
        date=date,
        subject=printable(subject, MAX_SUBJECT),
        parent=parent_ids[0] if parent_ids else None,
        author=printable(author, MAX_AUTHOR),
        pull=pull_request(subject, trailers),
    )
