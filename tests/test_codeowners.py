"""`ownbook codeowners`: review routing to the accountable teams, and `--check` in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import BASE, ROOT, write_files

GITHUB = BASE.replace("    name: Marketing\n", "    name: Marketing\n    github: '@co/marketing'\n")
SALES_FILE = """\
teams:
  - id: field
    name: Field sales
    parent: sales
activities:
  - id: demo
    name: Demo
    stages: [purchase]
    reviewed: 2026-11-01
    raci:
      responsible: [field]
      accountable: field
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["codeowners", *args])
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    base = GITHUB.replace("    name: Sales\n", "    name: Sales\n    github: '@co/sales'\n")
    write_files(tmp_path / "content", {"base.yaml": base, "sales/field.yaml": SALES_FILE})
    return tmp_path


def test_owners_follow_accountability(project: Path) -> None:
    code, out = run("content", "--fallback", "@co/handbook")
    assert (code, out) == (0, "wrote .github/CODEOWNERS\n")
    assert (project / ".github" / "CODEOWNERS").read_text().splitlines()[2:] == [
        "/content/ @co/handbook",
        # base.yaml holds the handbook and stages (fallback) and Marketing/Sales work
        "/content/base.yaml @co/marketing @co/sales @co/handbook",
        # a sub-team without its own GitHub team is owned through its parent
        "/content/sales/field.yaml @co/sales",
    ]


def test_check_passes_then_fails_when_ownership_moves(project: Path) -> None:
    assert run("content", "--fallback", "@co/handbook")[0] == 0
    assert run("content", "--check") == (0, ".github/CODEOWNERS is up to date\n")
    field = project / "content" / "sales" / "field.yaml"
    field.write_text(SALES_FILE.replace("accountable: field", "accountable: marketing"))
    code, out = run("content", "--check")
    assert code == 1
    assert ".github/CODEOWNERS is out of date: run `ownbook codeowners` and commit it" in out
    assert "+/content/sales/field.yaml @co/marketing @co/sales" in out


def test_fallback_is_required_when_something_has_no_owner(project: Path) -> None:
    code, out = run("content")
    assert code == 2
    assert "--fallback is needed: no team is accountable for parts of content/base.yaml" in out
    assert run("content", "--fallback", "not-a-handle")[0] == 2


def test_repository_codeowners_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert run("content", "--check") == (0, ".github/CODEOWNERS is up to date\n")
