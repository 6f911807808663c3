"""Reading the model as it was at a git revision (for `ownbook diff` and the history page).

Only `git` itself is used, through subprocess; a folder that is not in a repository, or a
shallow clone, is reported as such instead of failing.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .problems import OwnbookError


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise OwnbookError(f"git could not run: {exc}", exit_code=1) from None


def repo_root(path: Path) -> Path | None:
    """The top folder of the git work tree holding `path`, or None."""
    try:
        proc = _git(path if path.is_dir() else path.parent, "rev-parse", "--show-toplevel")
    except OwnbookError:
        return None
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode().strip())


def is_shallow(root: Path) -> bool:
    proc = _git(root, "rev-parse", "--is-shallow-repository")
    return proc.stdout.decode().strip() == "true"


def content_at(revision: str, content_dir: Path, into: Path) -> Path:
    """Write the content folder as it was at `revision` under `into`; return its path there.

    A revision where the folder did not exist gives an empty folder.
    """
    root = repo_root(content_dir)
    if root is None:
        raise OwnbookError(f"{content_dir} is not inside a git repository", exit_code=2)
    rel = content_dir.resolve().relative_to(root.resolve())
    check = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if check.returncode != 0:
        raise OwnbookError(f"unknown git revision '{revision}'", exit_code=2)
    target = into / rel
    target.mkdir(parents=True, exist_ok=True)
    proc = _git(root, "archive", "--format=tar", revision, "--", rel.as_posix())
    if proc.returncode != 0:
        return target  # the folder did not exist at that revision
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(into, filter="data")
    return target


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    subject: str
    parent: str | None


def content_commits(content_dir: Path, limit: int) -> list[Commit]:
    """The commits that touched the content folder, newest first (at most `limit`)."""
    root = repo_root(content_dir)
    if root is None:
        return []
    rel = content_dir.resolve().relative_to(root.resolve()).as_posix()
    proc = _git(
        root,
        "log",
        f"--max-count={limit}",
        "--format=%H%x00%ad%x00%s%x00%P",
        "--date=short",
        "--",
        rel,
    )
    if proc.returncode != 0:
        return []
    commits = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        sha, date, subject, parents = line.split("\x00")
        commits.append(Commit(sha, date, subject, parents.split()[0] if parents else None))
    return commits
