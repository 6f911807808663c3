"""Shared helpers: write a model into a temporary content folder and check it."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from ownbook.model.load import Checked, load_model

if TYPE_CHECKING:
    from playwright.sync_api import Browser

settings.register_profile("default", max_examples=150, deadline=1000)
settings.register_profile("deep", max_examples=3000, deadline=1000)
settings.load_profile("default")

TODAY = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent

# A small valid model with no warnings on TODAY: the base every bad model is a change of.
BASE = """\
handbook:
  title: Test Handbook
  organization: Test Co
  lifecycle: [awareness, purchase]
teams:
  - id: marketing
    name: Marketing
    roles:
      - id: data-analyst
        name: Data analyst
  - id: sales
    name: Sales
stages:
  - id: awareness
    name: Awareness
    summary: The customer learns that we exist.
  - id: purchase
    name: Purchase
    summary: The customer buys.
activities:
  - id: positioning
    name: Positioning updates
    kind: decision
    stages: [awareness]
    reviewed: 2026-11-01
    raci:
      responsible: [marketing]
      accountable: marketing
      consulted: [sales]
  - id: close-deals
    name: Close deals
    stages: [purchase]
    reviewed: 2026-11-01
    raci:
      responsible: [sales]
      accountable: sales
      informed: [marketing/data-analyst]
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def check_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Checked]:
    """Write files into ./content (with BASE as base.yaml unless given) and load them."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str | bytes], base: bool = True) -> Checked:
        all_files: dict[str, str | bytes] = {"base.yaml": BASE} if base else {}
        all_files.update(files)
        write_files(tmp_path / "content", all_files)
        return load_model(Path("content"), today=TODAY)

    return run


def make_project(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """A handbook project in `root`: the repository's mkdocs.yml and a model (the plugin
    brings its own assets: nothing else of the repository is copied).

    With `files` None the default content is copied in. Returns the mkdocs.yml path.
    """
    import shutil

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    if files is None:
        shutil.copytree(ROOT / "content", root / "content")
    else:
        write_files(root / "content", files)
    return root / "mkdocs.yml"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every browser test of a run (Debian's `chromium`)."""
    from playwright.sync_api import sync_playwright

    from tests.browsing import ARGS, CHROMIUM, MISSING

    if not Path(CHROMIUM).exists():
        pytest.fail(MISSING.format(path=CHROMIUM))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def default_handbook(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The default handbook, built once for the whole run with `ownbook build --strict`:
    the project folder, its `site/` read (never changed) by every module that needs it.
    Workers share one copy (the first to arrive builds it, under a lock)."""
    from filelock import FileLock

    from tests.test_build import ownbook

    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # one folder per run
    project = shared / "default-handbook"
    with FileLock(str(shared / "default-handbook.lock")):
        if not (shared / "default-handbook.done").exists():
            make_project(project)
            proc = ownbook(project, "build", "--strict", "--today", TODAY.isoformat())
            assert proc.returncode == 0, proc.stderr
            (shared / "default-handbook.done").write_text("built\n")
    return project
