"""`ownbook diff`: two git commits of a model in tmp_path, and the exact words of each change.

Model text in the Markdown is written as character references (see `escape.md_text`), so
the output is compared as a reader sees it: with the references decoded.
"""

from __future__ import annotations

import html
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from ownbook.cli.app import cli

from tests.conftest import BASE, write_files


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_AUTHOR_DATE": "2026-11-01T12:00:00",
            "GIT_COMMITTER_DATE": "2026-11-01T12:00:00",
            "PATH": "/usr/bin:/bin",
        },
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    write_files(tmp_path / "content", {"model.yaml": BASE})
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def change(repo: Path, text: str, message: str = "change") -> None:
    (repo / "content" / "model.yaml").write_text(text)
    git(repo, "commit", "-q", "-am", message)


def diff(*args: str) -> tuple[int, str]:
    """Exit status and output (character references decoded) of `ownbook diff`."""
    result = CliRunner().invoke(cli, ["diff", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, html.unescape(result.output)


HEADER = "## Ownership changes: main~1 → main\n\n"


def test_accountable_moves_between_parties(repo: Path) -> None:
    change(repo, BASE.replace("accountable: sales", "accountable: marketing"))
    code, out = diff("main~1", "main")
    assert code == 0
    assert out == HEADER + (
        "**1 activity changed.**\n\n"
        "### Changed\n\n"
        "#### Close deals\n\n"
        "- Sales is no longer Accountable for Close deals; Marketing is.\n"
    )


def test_letters_gained_and_lost(repo: Path) -> None:
    change(
        repo,
        BASE.replace("consulted: [sales]", "informed: [sales]").replace(
            "informed: [marketing/data-analyst]", "consulted: [marketing/data-analyst]"
        ),
    )
    code, out = diff("main~1", "main")
    assert code == 0
    assert out == HEADER + (
        "**2 activities changed.**\n\n"
        "### Changed\n\n"
        "#### Positioning updates\n\n"
        "- Sales is no longer Consulted on Positioning updates.\n"
        "- Sales is now Informed of Positioning updates.\n\n"
        "#### Close deals\n\n"
        "- Data analyst (Marketing) is now Consulted on Close deals.\n"
        "- Data analyst (Marketing) is no longer Informed of Close deals.\n"
    )


def test_team_renamed(repo: Path) -> None:
    change(repo, BASE.replace("name: Sales", "name: Revenue"))
    code, out = diff("main~1", "main")
    assert code == 0
    assert out == HEADER + "### Teams\n\n- Renamed: Sales is now Revenue.\n"


def test_activity_added_removed_renamed_and_moved(repo: Path) -> None:
    text = BASE.replace("name: Close deals", "name: Close the deals").replace(
        "stages: [purchase]", "stages: [awareness, purchase]"
    )
    text = text.replace("  - id: positioning\n", "  - id: webinars\n").replace(
        "name: Positioning updates", "name: Run webinars"
    )
    change(repo, text)
    code, out = diff("main~1", "main")
    assert code == 0
    assert out == HEADER + (
        "**1 activity added, 1 activity removed, 1 activity changed.**\n\n"
        "### Changed\n\n"
        "#### Close the deals\n\n"
        "- Renamed from “Close deals” to “Close the deals”.\n"
        "- Moved from Purchase to Awareness and Purchase.\n\n"
        "### Added\n\n"
        "- **Run webinars** (in Awareness; Accountable: Marketing; Responsible: Marketing; "
        "Consulted: Sales)\n\n"
        "### Removed\n\n"
        "- **Positioning updates**\n"
    )


def test_faq_glossary_and_team_counts(repo: Path) -> None:
    extra = (
        "faqs:\n  - question: Who?\n    answer: Us.\n"
        "glossary:\n  - term: RACI\n    definition: Letters.\n"
        "  - term: CAC\n    definition: Cost.\n"
    )
    change(repo, BASE + extra + "")
    _code, out = diff("main~1", "main")
    assert out == HEADER + "### Other content\n\n- FAQs: 1 added.\n- Glossary terms: 2 added.\n"
    change(
        repo,
        BASE.replace(
            "  - id: sales\n    name: Sales\n",
            "  - id: sales\n    name: Sales\n  - id: legal\n    name: Legal\n",
        ),
    )
    _code, out = diff("main~1", "main")
    assert "### Teams\n\n- Added: Legal.\n" in out
    assert "### Other content\n\n- FAQs: 1 removed.\n- Glossary terms: 2 removed.\n" in out


def test_no_change(repo: Path) -> None:
    code, out = diff("main", "main")
    assert (code, out) == (
        0,
        "## Ownership changes: main → main\n\nNo change to the ownership model.\n",
    )


def test_working_tree_and_folders(repo: Path, tmp_path: Path) -> None:
    (repo / "content" / "model.yaml").write_text(
        BASE.replace("accountable: sales", "accountable: marketing")
    )
    code, out = diff("main")
    assert code == 0
    assert "## Ownership changes: main → working tree" in out
    assert "Sales is no longer Accountable for Close deals; Marketing is." in out
    other = write_files(tmp_path / "other", {"m.yaml": BASE})
    code, out = diff("--folders", str(other), "content")
    assert code == 0
    assert "Sales is no longer Accountable for Close deals; Marketing is." in out


def test_json_format(repo: Path) -> None:
    change(repo, BASE.replace("accountable: sales", "accountable: marketing"))
    _code, out = diff("main~1", "main", "--format", "json")
    data = json.loads(out)
    assert data["changed"] == [
        {
            "id": "close-deals",
            "name": "Close deals",
            "sentences": ["Sales is no longer Accountable for Close deals; Marketing is."],
        }
    ]


def test_a_side_that_does_not_load_is_reported(repo: Path) -> None:
    change(repo, BASE.replace("accountable: sales", "accountable: sale"))
    code, out = diff("main~1", "main")
    assert code == 1
    assert out == (
        "The model at main does not load (1 errors):\n\n```\n"
        "main:content/model.yaml:36:20: error OB201: unknown team 'sale'; did you mean 'sales'?\n"
        "```\n"
    )


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    code, _ = diff("no-such-branch")
    assert code == 2


def test_revision_without_content_folder(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rq", "--cached", ".")
    (repo / "README").write_text("x")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "empty")
    git(repo, "checkout", "-q", "-f", "main")
    code, out = diff("empty", "main")
    assert code == 1
    assert "The model at empty does not load (1 errors)" in out
    assert "error OB013: no model files" in out


HANDBOOK = """\
handbook:
  title: Sales Handbook
  organization: Other Co
  description: How we sell.
  lifecycle: [purchase, awareness]
  loop: false
  repo_url: https://example.com/handbook
  edit_branch: trunk
  review_every_days: 90
  max_accountable_per_team: 3
"""


def test_handbook_block_changes(repo: Path) -> None:
    old_block = BASE[: BASE.index("teams:")]
    change(repo, BASE.replace(old_block, HANDBOOK))
    code, out = diff("main~1", "main")
    assert code == 0
    assert out == HEADER + (
        "### Handbook\n\n"
        "- Title is now “Sales Handbook”, was “Test Handbook”.\n"
        "- Organization is now “Other Co”, was “Test Co”.\n"
        "- Description added.\n"
        "- Lifecycle order is now Purchase and Awareness.\n"
        "- The lifecycle is no longer drawn as a loop.\n"
        "- Repository URL set to “https://example.com/handbook”.\n"
        "- Edit branch is now “trunk”, was “main”.\n"
        "- Activities are now reviewed every 90 days by default, was every 180 days.\n"
        "- Accountable activities per team: now at most 3, was no limit.\n"
    )
    _code, out = diff("main~1", "main", "--format", "json")
    assert json.loads(out)["handbook"][0] == "Title is now “Sales Handbook”, was “Test Handbook”."
    change(repo, BASE.replace(old_block, HANDBOOK.replace("  description: How we sell.\n", "")))
    _code, out = diff("main~1", "main")
    assert out == HEADER + "### Handbook\n\n- Description removed.\n"
