"""`ownbook codeowners`: review routing to the accountable teams, and `--check` in CI.

The model, the committed CODEOWNERS and the folders on its way all come from a pull request,
so these tests also give each of them a hostile shape and require one clear line, an exit
status and no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from ownbook.cli.app import cli
from ownbook.commands.codeowners import CodeownersError, owner_problem, rule, shown_diff

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
FALLBACK = ("--fallback", "@co/handbook")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["codeowners", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    base = GITHUB.replace("    name: Sales\n", "    name: Sales\n    github: '@co/sales'\n")
    write_files(tmp_path / "content", {"base.yaml": base, "sales/field.yaml": SALES_FILE})
    return tmp_path


def test_owners_follow_accountability(project: Path) -> None:
    code, out = run("content", *FALLBACK)
    assert (code, out) == (0, "wrote .github/CODEOWNERS\n")
    assert (project / ".github" / "CODEOWNERS").read_text().splitlines()[2:] == [
        "/content/ @co/handbook",
        # base.yaml holds the handbook and stages (fallback) and Marketing/Sales work
        "/content/base.yaml @co/marketing @co/sales @co/handbook",
        # a sub-team without its own GitHub team is owned through its parent
        "/content/sales/field.yaml @co/sales",
        # the file itself, last so that no rule overrides it
        "/.github/CODEOWNERS @co/handbook",
    ]
    assert [p.name for p in (project / ".github").iterdir()] == ["CODEOWNERS"]  # no temp left


def test_check_passes_then_fails_when_ownership_moves(project: Path) -> None:
    assert run("content", *FALLBACK)[0] == 0
    assert run("content", "--check", *FALLBACK) == (0, ".github/CODEOWNERS is up to date\n")
    field = project / "content" / "sales" / "field.yaml"
    field.write_text(SALES_FILE.replace("accountable: field", "accountable: marketing"))
    code, out = run("content", "--check", *FALLBACK)
    assert code == 1
    assert (
        ".github/CODEOWNERS is out of date: run "
        "`ownbook codeowners content --fallback @co/handbook` and commit it"
    ) in out
    assert "+/content/sales/field.yaml @co/marketing @co/sales" in out


def test_fallback_is_required_in_both_modes(project: Path) -> None:
    """The fallback owner comes from the command line only: a committed file naming one is
    not read (a pull request could have put an owner of its choosing there)."""
    assert run("content", *FALLBACK)[0] == 0
    for args in (("content",), ("content", "--check")):
        code, out = run(*args)
        assert code == 2
        assert (
            "--fallback is needed: no team is accountable for parts of content/base.yaml; the "
            "fallback owner also owns content/ and .github/CODEOWNERS (it is given on the "
            "command line, never read from the file)"
        ) in out
    assert run("content", "--fallback", "not-a-handle")[0] == 2


def test_repository_codeowners_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert run("content", "--check", "--fallback", "@larkspur/executive-leadership") == (
        0,
        ".github/CODEOWNERS is up to date\n",
    )
    workflow = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    assert "ownbook codeowners content --check --fallback @larkspur/executive-leadership" in (
        workflow
    )


# --- hostile owners and lines ------------------------------------------------------------


@pytest.mark.parametrize(
    "owner",
    [
        "@co/x\n* @evil",  # a newline would start a rule of its own
        "@co/x @evil/y",  # two owners in one
        "@co/x #",  # an inline comment
        "@co/x\t",
        "@co/\u202ex",  # a bidirectional override
        "@-co/x",
        "@co--x/y",
        "co/x",
        "@co/",
        "@",
    ],
)
def test_hostile_fallback_is_a_usage_error(project: Path, owner: str) -> None:
    code, out = run("content", "--fallback", owner)
    assert code == 2
    assert "Error: Invalid value for --fallback: '" in out
    assert "is not '@org/team' or '@user'" in out
    assert not (project / ".github").exists()


@pytest.mark.parametrize(
    ("owner", "why"),
    [
        ("@co/x\n", "a team name holds only letters, digits, '-', '_' and '.'"),
        ("@co x", "a user or organisation name holds only letters, digits and single inner"),
        ("@" + "a" * 40, "the user or organisation name must have 1 to 39 characters"),
        ("@co/a.b_c-D9", None),
        ("@user", None),
    ],
)
def test_owner_is_parsed_then_allow_listed(owner: str, why: str | None) -> None:
    problem = owner_problem(owner)
    assert problem == why or (why is not None and problem is not None and problem.startswith(why))


@pytest.mark.parametrize(
    ("pattern", "owners"),
    [
        ("/content/a.yaml", ["@co/x\n/content/ @evil"]),
        ("/content/a.yaml\n/x", ["@co/x"]),
        ("/content/a #b.yaml", ["@co/x"]),
        ("/content/a.yaml", ["@co/x", "@co/y #"]),
        ("/content/a.yaml", []),
        ("/content/a\\ b.yaml", ["@co/x"]),
    ],
)
def test_a_rule_must_read_back_as_written(pattern: str, owners: list[str]) -> None:
    with pytest.raises(CodeownersError):
        rule(pattern, owners)
    assert rule("/content/a.yaml", ["@co/x", "@co/y"]) == "/content/a.yaml @co/x @co/y\n"


# --- the file and the folders on its way ----------------------------------------------------


def test_a_symlinked_codeowners_is_refused_not_followed(project: Path) -> None:
    outside = project / "outside.txt"
    outside.write_text("keep\n")
    (project / ".github").mkdir()
    (project / ".github" / "CODEOWNERS").symlink_to(outside)
    code, out = run("content", *FALLBACK)
    assert (code, out) == (
        1,
        "error: refusing to write .github/CODEOWNERS: .github/CODEOWNERS is a symlink; "
        "CODEOWNERS is "
        "never written or read through a link (remove the link and run again)\n",
    )
    assert outside.read_text() == "keep\n"
    code, out = run("content", "--check", *FALLBACK)
    assert code == 1
    assert out.startswith("error: cannot check .github/CODEOWNERS: .github/CODEOWNERS is a symlink")


def test_a_symlinked_folder_on_the_way_is_refused(project: Path) -> None:
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    (project / ".github").symlink_to(elsewhere)
    code, out = run("content", *FALLBACK)
    assert code == 1
    assert out == (
        "error: refusing to write .github/CODEOWNERS: .github is a symlink; CODEOWNERS is never "
        "written or read through a link (remove the link and run again)\n"
    )
    assert list(elsewhere.iterdir()) == []
    # --check does not read a committed file through the link either
    (elsewhere / "CODEOWNERS").write_text("anything\n")
    code, out = run("content", "--check", *FALLBACK)
    assert code == 1 and "cannot check .github/CODEOWNERS: .github is a symlink" in out


def test_check_refuses_special_and_huge_files(project: Path) -> None:
    (project / ".github").mkdir()
    fifo = project / ".github" / "CODEOWNERS"
    os.mkfifo(fifo)  # would block a plain read for ever
    code, out = run("content", "--check", *FALLBACK)
    assert (code, out) == (
        1,
        "error: cannot check .github/CODEOWNERS: .github/CODEOWNERS is not a regular file\n",
    )
    fifo.unlink()
    fifo.write_bytes(b"#" * (3 * 1024 * 1024 + 1))
    code, out = run("content", "--check", *FALLBACK)
    assert (code, out) == (
        1,
        "error: cannot check .github/CODEOWNERS: .github/CODEOWNERS is larger than 3,145,728 "
        "bytes, "
        "which GitHub ignores\n",
    )


def test_output_outside_the_repository_is_a_usage_error(project: Path, tmp_path: Path) -> None:
    code, out = run("content", *FALLBACK, "-o", "../CODEOWNERS")
    assert code == 2
    assert "../CODEOWNERS is not a path inside the repository" in out
    code, out = run("content", *FALLBACK, "-o", "/elsewhere/CODEOWNERS")
    assert code == 2 and "is not inside the repository" in out


def test_another_output_path_owns_itself(project: Path) -> None:
    assert run("content", *FALLBACK, "-o", "docs/CODEOWNERS")[0] == 0
    lines = (project / "docs" / "CODEOWNERS").read_text().splitlines()
    assert lines[-1] == "/docs/CODEOWNERS @co/handbook"


def test_the_diff_of_a_hostile_committed_file_cannot_command_the_runner(project: Path) -> None:
    (project / ".github").mkdir()
    hostile = (
        "::error file=x::forged\n"
        "##[error]forged too\n"
        "  ::add-mask::secret\n"
        "\x1b[31mred\x1b[0m\r::warning::cr\u2028::error::ls\n"
        "\udcff invalid \xff\n"
    )
    (project / ".github" / "CODEOWNERS").write_bytes(hostile.encode("utf-8", "surrogateescape"))
    code, out = run("content", "--check", *FALLBACK)
    assert code == 1
    for line in out.splitlines():
        # GitHub's runner reads `::cmd` at a line start (after spaces) and `##[cmd]` anywhere
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
        assert "\x1b" not in line and "\r" not in line and "\u2028" not in line
    assert "-::error file=x::forged" in out
    assert "-##\\u005berror\\u005dforged too" in out


def test_shown_diff_is_cut_to_a_length() -> None:
    existing = "".join(f"/content/{i}.yaml @co/x\n" for i in range(500))
    shown = shown_diff(existing, "", "CODEOWNERS").splitlines()
    assert len(shown) == 201
    assert shown[-1] == "... 303 more diff lines"
