"""Writing output folders: every file inside its folder, and the folder swapped in whole.

A build writes into a fresh sibling folder and only replaces the previous output once it
has succeeded, so a failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .problems import OwnbookError


def safe_join(root: Path, rel: str) -> Path:
    """`root / rel`, refusing any path that would land outside `root`."""
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or Path(rel).is_absolute():
        raise OwnbookError(f"refusing to write '{rel}': it is outside {root}", exit_code=1)
    return target


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = safe_join(root, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """A temporary folder beside `final` that replaces it if the block succeeds.

    On an exception the temporary folder is removed and `final` is left untouched.
    """
    final = final.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(final)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.new-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    stage.chmod(0o777 & ~umask)  # mkdtemp makes it private; a site is meant to be read
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    swap_in(stage, final)


def remove_leftovers(final: Path) -> None:
    """Remove the temporary folders a killed build left beside `final` (a SIGKILL runs no
    clean-up); they are ours by name, and builds into one folder do not run side by side."""
    for pattern in (f".{final.name}.new-*", f".{final.name}.old-*"):
        for leftover in final.parent.glob(pattern):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)


def swap_in(stage: Path, final: Path) -> None:
    """Put `stage` at `final`; the old folder is moved aside first and removed after."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        os.rename(final, old / final.name)
    os.rename(stage, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
