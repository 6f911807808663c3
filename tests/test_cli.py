"""`ownbook check` and `ownbook schema` as a person or a CI job sees them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ownbook.cli.app import cli

from tests.conftest import BASE, write_files

TODAY = ["--today", "2026-11-22"]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_files(tmp_path / "content", {"base.yaml": BASE})


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_clean_model_exits_0(content: Path) -> None:
    code, out = run("check", "content", *TODAY)
    assert code == 0
    assert out == (
        "no problems in 1 file (2 teams, 2 stages, 2 activities, 0 FAQs, 0 glossary terms)\n"
    )


def test_errors_print_like_a_compiler_and_exit_1(content: Path) -> None:
    (content / "base.yaml").write_text(
        BASE.replace("    name: Sales\n", "    name: Sales\n    nmae: Sales\n")
    )
    code, out = run("check", "content", *TODAY)
    assert code == 1
    assert out == (
        "content/base.yaml:13:5: error OB101: unknown key 'nmae' in team; did you mean 'name'?\n"
        "1 error, 0 warnings in 1 file\n"
    )
    (content / "base.yaml").write_text(BASE.replace("consulted: [sales]", "consulted: [sale]"))
    code, out = run("check", "content", *TODAY)
    assert code == 1
    assert out == (
        "content/base.yaml:29:19: error OB201: unknown team 'sale'; did you mean 'sales'?\n"
        "1 error, 0 warnings in 1 file\n"
    )


def test_warnings_pass_unless_strict(content: Path) -> None:
    (content / "extra.yaml").write_text("teams:\n  - id: legal\n    name: Legal\n")
    expected = (
        "content/extra.yaml:2:9: warning OB401: team 'legal' holds no RACI letter in any "
        "activity; give it a letter or remove the team\n"
    )
    code, out = run("check", "content", *TODAY)
    assert (code, out.splitlines(keepends=True)[0]) == (0, expected)
    assert out.splitlines()[1].startswith("0 errors, 1 warning in 2 files")
    code, _ = run("check", "content", "--strict", *TODAY)
    assert code == 1


def test_review_reminders_never_fail_strict(content: Path) -> None:
    (content / "base.yaml").write_text(BASE.replace("reviewed: 2026-11-01", "reviewed: 2020-01-01"))
    code, out = run("check", "content", "--strict", *TODAY)
    assert code == 0
    assert "warning OB404: review of 'positioning' was due on 2020-06-29" in out


def test_json_format(content: Path) -> None:
    (content / "base.yaml").write_text(BASE.replace("accountable: sales", "accountable: sale"))
    code, out = run("check", "content", "--format", "json", *TODAY)
    assert code == 1
    assert json.loads(out) == [
        {
            "file": "content/base.yaml",
            "line": 36,
            "col": 20,
            "severity": "error",
            "code": "OB201",
            "message": "unknown team 'sale'",
            "hint": "did you mean 'sales'?",
        }
    ]


def test_usage_errors_exit_2(content: Path) -> None:
    assert run("check", "no-such-folder")[0] == 2
    assert run("check", "content", "--format", "xml")[0] == 2
    assert run("check", "content", "--today", "yesterday")[0] == 2
    assert run("frobnicate")[0] == 2


def test_default_folder_is_content(content: Path) -> None:
    assert run("check", *TODAY)[0] == 0


def test_schema_command_prints_the_schema() -> None:
    code, out = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert set(schema["properties"]) == {
        "handbook",
        "teams",
        "stages",
        "activities",
        "faqs",
        "glossary",
    }


def test_console_script_runs_as_a_module(content: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ownbook", "check", "content", *TODAY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("no problems in 1 file")


def test_readme_documents_every_problem_code() -> None:
    from ownbook.model.problems import CODES

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    for code in CODES.values():
        assert f"| `{code.code}` | {code.severity.value} | {code.title} |" in readme


def test_problem_lines_stay_one_line(content: Path) -> None:
    (content / "base.yaml").write_text(
        BASE.replace("consulted: [sales]", 'consulted: ["sa\\nle\\u202e\\u200bx"]')
    )
    code, out = run("check", "content", *TODAY)
    assert code == 1
    assert out.splitlines()[0] == (
        "content/base.yaml:29:19: error OB112: invalid party 'sa le\\u202e\\u200bx'; write a "
        "team id such as 'sales' or a role as 'team/role', e.g. 'marketing/data-analyst'"
    )


def test_a_control_character_is_reported_not_printed(content: Path) -> None:
    (content / "base.yaml").write_text(
        BASE.replace("consulted: [sales]", 'consulted: ["sa\\nle\\u001b[31m"]')
    )
    code, out = run("check", "content", *TODAY)
    assert code == 1
    assert "\x1b" not in out
    assert out.splitlines() == [
        "content/base.yaml:29:19: error OB016: text holds U+001B, a control character; remove "
        "it (an escape such as \\e or \\x01 in a quoted string makes one)",
        "1 error, 0 warnings in 1 file",
    ]


def test_github_annotations(content: Path) -> None:
    (content / "base.yaml").write_text(BASE.replace("accountable: sales", "accountable: sale"))
    (content / "x.yaml").write_text("teams:\n  - id: legal\n    name: Legal\n")
    code, out = run("check", "content", "--format", "github", *TODAY)
    assert code == 1
    assert out.splitlines() == [
        "::error file=content/base.yaml,line=36,col=20,title=OB201 unknown team::"
        "unknown team 'sale'; did you mean 'sales'?",
        "::warning file=content/x.yaml,line=2,col=9,title=OB401 team holds no RACI letter::"
        "team 'legal' holds no RACI letter in any activity; give it a letter or remove the team",
        "1 error, 1 warning in 2 files",
    ]


def test_github_annotations_escape_their_syntax(content: Path) -> None:
    (content / "base.yaml").write_text(
        BASE.replace("accountable: sales", 'accountable: "a,b:c%\\nd"')
    )
    _code, out = run("check", "content", "--format", "github", *TODAY)
    assert out.splitlines()[0] == (
        "::error file=content/base.yaml,line=36,col=20,title=OB112 invalid party::"
        "invalid party 'a,b:c% d'; write a team id such as 'sales' or a role as 'team/role', "
        "e.g. 'marketing/data-analyst'".replace("%", "%25")
    )


def test_sarif_validates_against_the_sarif_schema(content: Path) -> None:
    import jsonschema

    from tests.conftest import ROOT

    (content / "base.yaml").write_text(BASE.replace("accountable: sales", "accountable: sale"))
    (content / "x.yaml").write_text("teams:\n  - id: legal\n    name: Legal\n")
    code, out = run("check", "content", "--format", "sarif", *TODAY)
    assert code == 1
    log = json.loads(out)
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("OB201", "error"),
        ("OB401", "warning"),
    ]
    first = results[0]["locations"][0]["physicalLocation"]
    assert first == {
        "artifactLocation": {"uri": "content/base.yaml"},
        "region": {"startLine": 36, "startColumn": 20},
    }


def test_sarif_for_a_problem_without_a_line(tmp_path: Path) -> None:
    import jsonschema

    from tests.conftest import ROOT

    (tmp_path / "empty").mkdir()
    code, out = run("check", str(tmp_path / "empty"), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(log, schema)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "OB013"
    assert "region" not in result["locations"][0]["physicalLocation"]


# --- hostile file names and messages in SARIF and GitHub annotations ---------------------

HOSTILE_PATHS = [
    "content/a b.yaml",
    "content/a#b.yaml",
    "content/100%.yaml",
    "content/why?.yaml",
    "content/café/営業.yaml",
    "content/new\nline.yaml",
    "content/c:colon.yaml",
    "c:/first-part-is-no-scheme.yaml",
    "content/%2e%2e/x.yaml",
    "content/::error::x,y.yaml",
    "/abs olute/path#x.yaml",
    "//server/share.yaml",
]
HOSTILE_MESSAGES = [
    "plain",
    "line one\n::error file=forged.yaml::forged",
    "cr\r::warning::forged",
    "100% %0A%25 done, really: yes",
    "bell\x07 escape\x1b[31m nel\x85 ls\u2028 bidi\u202e",
    "##[error]v1 command",
]


def _problems() -> list[object]:
    from ownbook.model.problems import Pos, Problem

    return [
        Problem("OB018", Pos(path, i + 1, 2), message, "a hint, with: %")
        for i, (path, message) in enumerate(zip(HOSTILE_PATHS, HOSTILE_MESSAGES * 2, strict=True))
    ]


_URI_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;="
)


def _is_uri_reference(uri: str) -> bool:
    """RFC 3986: only unreserved, reserved and %HH; no scheme read into a relative path."""
    i = 0
    while i < len(uri):
        if uri[i] == "%":
            if not all(c in "0123456789ABCDEFabcdef" for c in uri[i + 1 : i + 3]) or (
                len(uri[i + 1 : i + 3]) != 2
            ):
                return False
            i += 3
        elif uri[i] in _URI_CHARS:
            i += 1
        else:
            return False
    return True


def test_sarif_uris_of_hostile_paths_are_valid_and_round_trip() -> None:
    from urllib.parse import unquote, urlsplit

    import jsonschema
    from ownbook.model.problems import format_sarif

    from tests.conftest import ROOT

    log = json.loads(format_sarif(_problems(), "0"))  # type: ignore[arg-type]
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(log, schema)
    uris = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["locations"][0][
            "physicalLocation"
        ]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert len(uris) == len(HOSTILE_PATHS)
    for line, path in enumerate(HOSTILE_PATHS, start=1):
        uri = uris[line]
        assert _is_uri_reference(uri), uri
        parts = urlsplit(uri)
        assert (parts.query, parts.fragment, parts.netloc) == ("", "", ""), uri
        if path.startswith("/"):
            assert parts.scheme == "file"
        else:
            assert parts.scheme == "", uri  # a relative reference, its first part no scheme
        assert unquote(parts.path) == path
    assert uris[1] == "content/a%20b.yaml"
    assert uris[3] == "content/100%25.yaml"
    assert uris[5] == "content/caf%C3%A9/%E5%96%B6%E6%A5%AD.yaml"
    assert uris[11] == "file:///abs%20olute/path%23x.yaml"


PROPERTY_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


def _runner_parse(line: str) -> tuple[str, dict[str, str], str] | None:
    """A workflow command as GitHub's runner reads one line (ActionCommand.TryParseV2)."""
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, props = info.partition(" ")
    properties = {}
    for item in props.strip().split(","):
        key, eq, value = item.partition("=")
        if eq and key and value:
            for escaped, char in (
                ("%0D", "\r"),
                ("%0A", "\n"),
                ("%3A", ":"),
                ("%2C", ","),
                ("%25", "%"),
            ):
                value = value.replace(escaped, char)
            properties[key] = value
    data = message[end + 2 :]
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, char)
    return name, properties, data


def test_github_annotations_of_hostile_names_and_messages_stay_one_command_each() -> None:
    from ownbook.model.problems import format_github

    problems = _problems()
    out = format_github(problems)  # type: ignore[arg-type]
    # the runner splits at CR and LF: one line, and one command, per problem
    lines = out.replace("\r", "\n").split("\n")
    assert len(lines) == len(problems)
    parsed = [_runner_parse(line) for line in lines]
    assert all(p is not None and p[0] == "error" for p in parsed)
    by_line = {int(p[1]["line"]): p for p in parsed if p is not None}
    for line, (path, message) in enumerate(
        zip(HOSTILE_PATHS, HOSTILE_MESSAGES * 2, strict=True), start=1
    ):
        _, props, data = by_line[line]
        assert props["file"] == path  # the runner gets the name back exactly
        assert set(props) == {"file", "line", "col", "title"}
        if "\x07" in message:  # controls, NEL, U+2028 and bidi overrides: escapes
            assert data == (
                "bell\\u0007 escape\\u001b[31m nel\\u0085 ls\\u2028 bidi\\u202e; a hint, with: %"
            )
        else:
            assert data == f"{message}; a hint, with: %"
    assert "\x1b" not in out and "\u2028" not in out and "\x85" not in out
