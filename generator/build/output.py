"""Writing output folders: every file inside its folder, and the folder swapped in whole.

A build writes into a fresh sibling folder and only replaces the previous output once it
has succeeded, so a failed or interrupted build leaves the previous site as it was.

Nothing is ever written or deleted through a symlink: a pull request can commit a link named
`site` or `.cache` (pointing at the builder's home, say), so the output folder, the cache
folder and every folder written into are checked with `lstat` and opened without following
links.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

from ..model.problems import OwnbookError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC
_AT_SUPPORTED = {os.open, os.mkdir} <= os.supports_dir_fd and bool(_NOFOLLOW)


def absolute(path: Path) -> Path:
    """`path` made absolute without resolving links (a link at the end stays visible)."""
    return Path(os.path.abspath(path))


def first_link(path: Path, below: Path | None = None) -> Path | None:
    """The first part of `path` that is a symlink, or None.

    `path` itself is always checked; when it lies inside `below` (a project folder, which
    is trusted with its parents), so is every folder between the two.
    """
    path = absolute(path)
    steps = [path]
    if below is not None:
        below = absolute(below)
        if path.is_relative_to(below):
            parts = path.relative_to(below).parts
            steps = [below.joinpath(*parts[: i + 1]) for i in range(len(parts))]
    return next((step for step in steps if os.path.islink(step)), None)


def refuse_output_link(folder: Path, below: Path | None = None, *, what: str = "folder") -> None:
    """Raise when `folder` (or a folder between it and `below`) is a symlink, or exists and
    is not a folder: a build empties and replaces its output folder."""
    link = first_link(folder, below)
    if link is not None:
        where = "it is" if link == absolute(folder) else f"{link} is"
        raise OwnbookError(
            f"refusing to write the {what} {folder}: {where} a symlink, and ownbook never "
            "writes or deletes through a link; remove the link (and add it to .gitignore if "
            "a commit brought it), or choose another folder",
            exit_code=1,
        )
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise OwnbookError(
            f"refusing to write the {what} {folder}: it exists and is not a folder; remove "
            "it or choose another folder",
            exit_code=1,
        )


def safe_join(root: Path, rel: str) -> Path:
    """`root / rel`, refusing any path that would land outside `root`."""
    parts = PurePosixPath(rel).parts
    target = (root / rel).resolve()
    if (
        Path(rel).is_absolute()
        or not parts
        or any(part in ("", ".", "..") for part in parts)
        or not target.is_relative_to(root.resolve())
    ):
        raise OwnbookError(f"refusing to write '{rel}': it is outside {root}", exit_code=1)
    return root / rel


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write each file under `root`, never through a symlink: every folder on the way and
    the file itself are opened with `O_NOFOLLOW` (relative to their folder's descriptor), so
    a link that a previous step left inside `root` is refused, not followed."""
    for rel, content in files.items():
        safe_join(root, rel)
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            _write_no_follow(root, PurePosixPath(rel).parts, data)
        except OSError as exc:
            raise OwnbookError(
                f"refusing to write '{rel}' in {root}: {exc.strerror or exc} (a symlink or "
                "something other than a folder is in the way)",
                exit_code=1,
            ) from None


def _write_no_follow(root: Path, parts: tuple[str, ...], data: bytes) -> None:
    if not _AT_SUPPORTED:  # pragma: no cover - no openat (Windows): check each step
        path = root
        for part in parts[:-1]:
            path = path / part
            if os.path.islink(path):
                raise OSError(f"{path} is a symlink")
            path.mkdir(exist_ok=True)
        target = path / parts[-1]
        if os.path.islink(target):
            raise OSError(f"{target} is a symlink")
        target.write_bytes(data)
        return
    folder = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            with suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=folder)
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        fd = os.open(parts[-1], _WRITE_FLAGS, 0o666, dir_fd=folder)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    finally:
        os.close(folder)


@contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """A temporary folder beside `final` that replaces it if the block succeeds.

    On an exception the temporary folder is removed and `final` is left untouched. A
    `final` that is a symlink is refused (`OwnbookError`) before anything is written.
    """
    final = absolute(final)
    refuse_output_link(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(final)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.new-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    stage.chmod(0o777 & ~umask)  # mkdtemp makes it private; a site is meant to be read
    try:
        yield stage
        swap_in(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def remove_leftovers(final: Path) -> None:
    """Remove the temporary folders a killed build left beside `final` (a SIGKILL runs no
    clean-up); they are ours by name, and builds into one folder do not run side by side.
    A link with such a name is left alone: nothing is deleted through a link."""
    for pattern in (f".{final.name}.new-*", f".{final.name}.old-*"):
        for leftover in final.parent.glob(pattern):
            if _is_real_dir(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


def swap_in(stage: Path, final: Path) -> None:
    """Put `stage` at `final`; the old folder is moved aside first and removed after.

    `final` is checked with `lstat`: a symlink (or a file) that appeared there since the
    build started is refused, never renamed or deleted."""
    old = None
    if os.path.lexists(final):
        if not _is_real_dir(final):
            refuse_output_link(final)
            raise OwnbookError(f"refusing to replace {final}: it is not a folder", exit_code=1)
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        os.rename(final, old / final.name)
    try:
        os.rename(stage, final)
    except OSError:
        if old is not None:  # put the previous output back
            os.rename(old / final.name, final)
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def prepare_cache_dir(folder: Path, project: Path | None) -> Path:
    """Check ownbook's cache folder and create it (mode 0700) when missing; its path.

    With `project` (the folder of mkdocs.yml, or the working folder), the cache belongs to a
    checkout that a pull request fills: every folder from the project down to the cache
    must be a real folder, not a symlink, and no file under it may be tracked by git (a
    commit could plant cached diagrams or history there). With `project` None the folder
    was chosen by the operator (`OWNBOOK_CACHE_DIR`): only the folder itself is checked.
    Raises `OwnbookError` naming the folder and what to do.
    """
    folder = absolute(folder)
    shown = _shown(folder, project)
    link = first_link(folder, project)
    if link is not None:
        raise OwnbookError(
            f"refusing the cache folder {shown}: {_shown(link, project)} is a symlink, so "
            "cached diagrams would be read from and written to wherever it points; remove it "
            "and add `.cache` to .gitignore",
            exit_code=1,
        )
    if project is not None:
        tracked = _tracked_files(absolute(project), folder)
        if tracked:
            raise OwnbookError(
                f"refusing the cache folder {shown}: git tracks {tracked} file(s) in it, so a "
                "commit could plant cached diagrams or history; remove it from the repository "
                "(`git rm -r --cached .cache`), delete it, and add `.cache` to .gitignore",
                exit_code=1,
            )
    steps = [folder]
    if project is not None and folder.is_relative_to(absolute(project)):
        parts = folder.relative_to(absolute(project)).parts
        steps = [absolute(project).joinpath(*parts[: i + 1]) for i in range(len(parts))]
    else:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return folder  # a cache that cannot be made only costs time
    for step in steps:
        try:
            os.mkdir(step, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return folder
        if not _is_real_dir(step):
            raise OwnbookError(
                f"refusing the cache folder {shown}: {_shown(step, project)} is not a folder; "
                "remove it and add `.cache` to .gitignore",
                exit_code=1,
            )
    return folder


def _shown(path: Path, project: Path | None) -> str:
    if project is not None and path.is_relative_to(absolute(project)):
        return path.relative_to(absolute(project)).as_posix()
    return str(path)


def _tracked_files(project: Path, folder: Path) -> int:
    """How many entries git tracks in `folder`, or at a folder above it inside the project
    (a submodule there, committed as a gitlink, would fill the cache: found by a red-team
    review); 0 outside a repository or without git."""
    try:
        rel = folder.relative_to(project)
    except ValueError:
        rel = None
    # Ask about the top folder under the project: it lists a gitlink at any level too.
    target = str(project / rel.parts[0]) if rel is not None and rel.parts else str(folder)
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--", target],
            cwd=project,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return 0
    if proc.returncode != 0:  # not a repository, or the folder lies outside it
        return 0
    if rel is None:
        return sum(1 for name in proc.stdout.split(b"\0") if name)
    above = {Path(*rel.parts[: i + 1]).as_posix() for i in range(len(rel.parts))}
    inside = rel.as_posix() + "/"
    count = 0
    for raw in proc.stdout.split(b"\0"):
        name = raw.decode("utf-8", "replace")
        if name and (name in above or name.startswith(inside)):
            count += 1
    return count
