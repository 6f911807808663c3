"""The "Ownership changes" page: git history of content/, newest first; no git or a shallow
clone is said on the page, never a failed build."""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

import pytest
from ownbook.build.pipeline import render_site
from ownbook.history.gitio import pull_request
from ownbook.history.log import ownership_history
from ownbook.model.load import load_model
from ownbook.render import RenderOptions, render_pages
from ownbook.render.memo import Memo
from ownbook.render.svg import SvgCache

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
    # Each change is headed by its date and the activities it touched; the commit's
    # subject and author follow.
    date = '<time class="ob-date" datetime="2026-11-01">2026-11-01</time>'
    first = text.index(f"## {date}: Close deals\n")
    second = text.index(f"## {date}: Positioning updates and Close deals\n")
    assert first < second
    assert "<small>“Marketing <b>closes</b> deals”, commit " in text
    assert "<small>“Start the handbook”, commit " in text
    assert text.count(" by t</small>") == 2
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
    date = '<time class="ob-date" datetime="2026-11-01">2026-11-01</time>'
    assert f"## {date}: the model\n\n<small>“Broken”, commit " in text
    why = "content/model.yaml:30:3: error OB004: did not find expected ',' or ']'"
    assert f"The model at this commit does not load: {why}" in text
    assert f"The model at the commit before it does not load: {why}" in text


def test_changes_link_the_commit_and_the_pull_request(repo: Path, tmp_path: Path) -> None:
    """With `repo_url`, each change links its commit, and the pull request that its subject
    ("Title (#12)", "Merge pull request #12 ...") or a trailer ("PR: #12") names."""
    model_file = repo / "content" / "model.yaml"
    text = model_file.read_text()
    with_repo = text.replace(
        "  lifecycle:", "  repo_url: https://github.com/example/handbook\n  lifecycle:", 1
    )
    model_file.write_text(with_repo)
    git(repo, "commit", "-q", "-am", "Link the repository (#12)")
    model_file.write_text(with_repo.replace("accountable: marketing", "accountable: sales"))
    git(repo, "commit", "-q", "-am", "Sales closes deals again", "-m", "PR: #34")
    page_text = html.unescape(page(repo / "content", tmp_path / "cache"))
    base = "https://github.com/example/handbook"
    assert f'from <a href="{base}/pull/34">pull request #34</a>' in page_text
    assert "“Link the repository (#12)”" in page_text
    assert f'from <a href="{base}/pull/12">pull request #12</a>' in page_text
    sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert f'<a href="{base}/commit/{sha}">commit {sha[:10]}</a>' in page_text


@pytest.mark.parametrize(
    ("subject", "trailers", "number"),
    [
        ("Fix the owner (#7)", "", 7),
        ("Merge pull request #41 from org/branch", "", 41),
        ("Plain subject", "PR: #9\n", 9),
        ("Plain subject", "Pull-Request: https://github.com/o/r/pull/17\n", 17),
        ("About #3 and (#x)", "", None),
        ("(#١٢)", "", None),  # Arabic-Indic digits are not a number GitHub wrote
        ("Plain subject", "PR: see below\n", None),
    ],
)
def test_pull_request_numbers(subject: str, trailers: str, number: int | None) -> None:
    assert pull_request(subject, trailers) == number


def test_an_activity_page_lists_its_own_recent_changes(repo: Path, tmp_path: Path) -> None:
    content = repo / "content"
    model = load_model(content, today=TODAY).model
    assert model is not None
    history = ownership_history(content, tmp_path / "cache")
    pages = render_pages(model, RenderOptions(today=TODAY, history=history))
    close = html.unescape(pages["activities/close-deals.md"])
    section = close[close.index("## Recent changes") :]
    date = '<time class="ob-date" datetime="2026-11-01">2026-11-01</time>'
    assert f"<li>{date}: Sales is no longer Accountable for Close deals; Marketing is." in section
    assert "“Marketing <b>closes</b> deals”" in section
    assert section.index("no longer Accountable") < section.index("<li>" + date + ": Added")
    # An activity no commit changed since it was added lists only that.
    positioning = html.unescape(pages["activities/positioning.md"])
    assert positioning.count("<li>" + date + ": ") == 1


@pytest.mark.parametrize("serving", [False, True], ids=["build", "serve"])
def test_a_built_activity_page_lists_its_recent_changes(
    repo: Path, tmp_path: Path, serving: bool
) -> None:
    """Through the build's own steps (the diagrams first, the history read after them):
    the activity pages list the history, in a one-off build and under `serve`. They once
    did not: the renderer made for the diagrams kept its index of an empty history."""
    content = repo / "content"
    model = load_model(content, today=TODAY).model
    assert model is not None
    site = render_site(
        model,
        content,
        RenderOptions(today=TODAY),
        SvgCache(tmp_path / "cache"),
        memo=Memo() if serving else None,
    )
    close = html.unescape(site.pages["activities/close-deals.md"])
    assert "## Recent changes" in close
    assert "Sales is no longer Accountable for Close deals; Marketing is." in close
