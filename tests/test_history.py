"""The "Ownership changes" page: git history of content/, newest first; no git or a shallow
clone is said on the page, never a failed build."""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

import pytest
from ownbook.history import ownership_history
from ownbook.load import load_model
from ownbook.render import RenderOptions, render_pages

from tests.conftest import BASE, TODAY, write_files
from tests.test_diff import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write_files(root / "content", {"model.yaml": BASE})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start the handbook")
    (root / "content" / "model.yaml").write_text(
        BASE.replace("accountable: sales", "accountable: marketing")
    )
    git(root, "commit", "-q", "-am", "Marketing <b>closes</b> deals")
    (root / "README").write_text("not content")
    git(root, "add", "README")
    git(root, "commit", "-q", "-m", "Unrelated")
    return root


def raw_page(content: Path, cache: Path | None) -> str:
    model = load_model(content, today=TODAY).model
    assert model is not None
    history = ownership_history(content, cache)
    return render_pages(model, RenderOptions(today=TODAY, history=history))["changes.md"]


def page(content: Path, cache: Path | None) -> str:
    """The page's Markdown with character references decoded: the text a reader sees."""
    return html.unescape(raw_page(content, cache))


def test_history_newest_first(repo: Path, tmp_path: Path) -> None:
    raw = raw_page(repo / "content", tmp_path / "cache")
    assert "<b>" not in raw
    text = html.unescape(raw)
    assert "<small>Commit " in text and " by t</small>" in text
    first = text.index("## 2026-11-01: Marketing <b>closes</b> deals")
    second = text.index("## 2026-11-01: Start the handbook")
    assert first < second
    assert "Unrelated" not in text
    assert "- Sales is no longer Accountable for Close deals; Marketing is.\n" in text
    assert "**2 activities added.**" in text


def test_history_is_cached_per_commit(repo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = page(repo / "content", cache)
    assert len(list((cache / "history").iterdir())) == 2
    assert page(repo / "content", cache) == first  # read back from the cache


def test_no_git(tmp_path: Path) -> None:
    content = write_files(tmp_path / "content", {"model.yaml": BASE})
    text = page(content, None)
    assert "The model is not in a git repository, so it has no history here." in text


def test_shallow_clone(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    text = page(clone / "content", None)
    assert "This build ran on a shallow clone, so older changes are missing" in text


def test_commit_whose_model_does_not_load(repo: Path) -> None:
    (repo / "content" / "model.yaml").write_text(BASE.replace("accountable: marketing", "x: ["))
    git(repo, "commit", "-q", "-am", "Broken")
    (repo / "content" / "model.yaml").write_text(BASE)
    git(repo, "commit", "-q", "-am", "Fixed")
    text = page(repo / "content", None)
    assert "## 2026-11-01: Broken\n\n<small>Commit" in text
    why = "content/model.yaml:30:3: error OB004: did not find expected ',' or ']'"
    assert f"The model at this commit does not load: {why}" in text
    assert f"The model at the commit before it does not load: {why}" in text
