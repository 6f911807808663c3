"""A corpus of bad models: one per rule and per loader rejection, each with its exact place.

Each case adds `bad.yaml` (or replaces `base.yaml`) next to a valid base model and lists
every problem expected as "CODE file:line:col"; nothing more may be reported.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ownbook.model.load import Checked

from tests.conftest import BASE

ACT = """\
activities:
  - id: extra
    name: Extra
    stages: [awareness]
    reviewed: 2026-11-01
    raci:
      responsible: [sales]
      accountable: sales
"""

CASES: list[tuple[str, dict[str, str | bytes], list[str]]] = [
    (
        "control characters made by escapes in quoted strings",
        {
            "bad.yaml": ACT.replace("    name: Extra\n", '    name: "Ext\\x1b[31mra"\n')
            + '    summary: "bell \\a and escape \\e"\n    tags: ["\\x7f", "\\u0085", "ok\\tok"]\n'
        },
        [
            "OB016 content/bad.yaml:3:11",
            "OB016 content/bad.yaml:9:14",
            "OB016 content/bad.yaml:10:12",
            "OB016 content/bad.yaml:10:20",
        ],
    ),
    (
        "a trailing line break after an id, party, owner, date or number",
        {
            "bad.yaml": ACT.replace("  - id: extra\n", '  - id: "extra\\n"\n')
            .replace("[sales]", '["sales\\n"]')
            .replace("reviewed: 2026-11-01", 'reviewed: "2026-11-01\\n"')
            + '    review_every_days: "90\\n"\n'
            + 'teams:\n  - id: legal\n    name: Legal\n    github: "@org/legal\\n"\n'
            + '    contact:\n      url: "https://legal.example/\\n"\n'
        },
        [
            "OB104 content/bad.yaml:2:9",
            "OB107 content/bad.yaml:5:15",
            "OB112 content/bad.yaml:7:21",
            "OB105 content/bad.yaml:9:24",
            "OB113 content/bad.yaml:13:13",
            "OB108 content/bad.yaml:15:12",
        ],
    ),
    (
        "a name of more than 1,000 characters (Markdown fields may be long)",
        {
            "bad.yaml": ACT.replace("    name: Extra\n", "    name: " + "x" * 1001 + "\n")
            + "    summary: "
            + "x" * 5000
            + "\n"
        },
        ["OB014 content/bad.yaml:3:11"],
    ),
    (
        "an unsafe model file name",
        {"bad name.yaml": ACT, "ok.yaml": "glossary: []\n"},
        ["OB018 content/bad name.yaml"],
    ),
    (
        "duplicate key",
        {"bad.yaml": ACT.replace("    name: Extra\n", "    name: Extra\n    name: Again\n")},
        ["OB006 content/bad.yaml:4:5"],
    ),
    (
        "unknown key",
        {"bad.yaml": ACT.replace("    name: Extra\n", "    nmae: Extra\n")},
        ["OB101 content/bad.yaml:3:5", "OB102 content/bad.yaml:2:5"],
    ),
    (
        "unknown team in raci",
        {"bad.yaml": ACT.replace("accountable: sales", "accountable: sale")},
        ["OB201 content/bad.yaml:8:20"],
    ),
    (
        "unknown role",
        {"bad.yaml": ACT.replace("[sales]", "[marketing/data-analist]")},
        ["OB202 content/bad.yaml:7:21"],
    ),
    (
        "unknown stage in activity",
        {"bad.yaml": ACT.replace("[awareness]", "[awarenes]")},
        ["OB203 content/bad.yaml:4:14"],
    ),
    (
        "unknown activity in faq",
        {
            "bad.yaml": """\
            faqs:
              - question: Who decides?
                answer: Marketing.
                activities: [positionin]
            """
        },
        ["OB204 content/bad.yaml:4:18"],
    ),
    (
        "two accountables",
        {"bad.yaml": ACT.replace("accountable: sales", "accountable: [sales, marketing]")},
        ["OB302 content/bad.yaml:8:20"],
    ),
    (
        "no accountable",
        {"bad.yaml": ACT.replace("      accountable: sales\n", "")},
        ["OB301 content/bad.yaml:7:7"],
    ),
    (
        "no responsible key",
        {"bad.yaml": ACT.replace("      responsible: [sales]\n", "")},
        ["OB303 content/bad.yaml:7:7"],
    ),
    (
        "empty responsible list",
        {"bad.yaml": ACT.replace("responsible: [sales]", "responsible: []")},
        ["OB303 content/bad.yaml:7:20"],
    ),
    (
        "bad id",
        {"bad.yaml": ACT.replace("id: extra", "id: Extra Work")},
        ["OB104 content/bad.yaml:2:9"],
    ),
    (
        "path-like id",
        {"bad.yaml": ACT.replace("id: extra", "id: ../x")},
        ["OB104 content/bad.yaml:2:9"],
    ),
    (
        "id too long",
        {"bad.yaml": ACT.replace("id: extra", "id: " + "a" * 64)},
        ["OB104 content/bad.yaml:2:9"],
    ),
    (
        "alias bomb",
        {
            "bad.yaml": """\
            a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
            b: &b [*a, *a]
            """
        },
        [
            "OB007 content/bad.yaml:1:4",
            "OB007 content/bad.yaml:2:4",
            "OB007 content/bad.yaml:2:8",
            "OB007 content/bad.yaml:2:12",
        ],
    ),
    (
        "deep nesting",
        {"bad.yaml": "teams: " + "[" * 70 + "]" * 70 + "\n"},
        ["OB010 content/bad.yaml:1:71"],
    ),
    (
        "python tag",
        {"bad.yaml": "teams: !!python/object/apply:os.system ['echo hi']\n"},
        ["OB008 content/bad.yaml:1:8"],
    ),
    (
        "str tag",
        {"bad.yaml": ACT.replace("name: Extra", "name: !!str Extra")},
        ["OB008 content/bad.yaml:3:11"],
    ),
    (
        "merge key",
        {"bad.yaml": ACT.replace("    name: Extra\n", "    <<: {name: Extra}\n")},
        ["OB009 content/bad.yaml:3:5"],
    ),
    (
        "wrong type",
        {"bad.yaml": ACT.replace("name: Extra", "name: [Extra, Work]")},
        ["OB103 content/bad.yaml:3:11"],
    ),
    (
        "scalar where a list belongs",
        {"bad.yaml": ACT.replace("[awareness]", "awareness")},
        ["OB103 content/bad.yaml:4:13"],
    ),
    (
        "bad date",
        {"bad.yaml": ACT.replace("2026-11-01", "2026-13-01")},
        ["OB107 content/bad.yaml:5:15"],
    ),
    (
        "non-UTF-8",
        {"bad.yaml": b"teams:\n  - id: caf\xe9\n    name: Cafe\n"},
        ["OB003 content/bad.yaml:2:12"],
    ),
    (
        "UTF-16",
        {"bad.yaml": "teams: []\n".encode("utf-16")},
        ["OB003 content/bad.yaml:1:1"],
    ),
    (
        "tab indentation",
        {"bad.yaml": "teams:\n  - id: support\n\tname: Support\n"},
        ["OB005 content/bad.yaml:3:1"],
    ),
    (
        "empty file",
        {"bad.yaml": ""},
        ["OB011 content/bad.yaml:1:1"],
    ),
    (
        "comments only",
        {"bad.yaml": "# nothing here yet\n"},
        ["OB011 content/bad.yaml:1:1"],
    ),
    (
        "syntax error",
        {"bad.yaml": "teams: [unclosed\n"},
        ["OB004 content/bad.yaml:2:1"],
    ),
    (
        "NUL byte",
        {"bad.yaml": "teams: []\nx\x00y: 1\n"},
        ["OB004 content/bad.yaml:2:2"],
    ),
    (
        "two documents",
        {"bad.yaml": "teams: []\n---\nstages: []\n"},
        ["OB012 content/bad.yaml:2:1"],
    ),
    (
        "mapping as a key",
        {"bad.yaml": "? {a: 1}\n: b\n"},
        ["OB015 content/bad.yaml:1:3"],
    ),
    (
        "top level is a list",
        {"bad.yaml": "- teams\n"},
        ["OB103 content/bad.yaml:1:1"],
    ),
    (
        "two handbook blocks",
        {"other.yaml": "handbook:\n  title: Again\n  organization: Co\n  lifecycle: [awareness]\n"},
        ["OB111 content/other.yaml:2:3"],
    ),
    (
        "no handbook",
        {"base.yaml": "teams:\n" + BASE.split("teams:\n")[1]},
        ["OB110 content"],
    ),
    (
        "lifecycle names an unknown stage",
        {"base.yaml": BASE.replace("[awareness, purchase]", "[awareness, purchas]")},
        ["OB203 content/base.yaml:4:26", "OB207 content/base.yaml:17:9"],
    ),
    (
        "lifecycle names a stage twice",
        {"base.yaml": BASE.replace("[awareness, purchase]", "[awareness, purchase, awareness]")},
        ["OB206 content/base.yaml:4:36"],
    ),
    (
        "stage missing from the lifecycle",
        {
            "bad.yaml": """\
            stages:
              - id: advocacy
                name: Advocacy
                summary: Customers recommend us.
            """
        },
        ["OB207 content/bad.yaml:2:9", "OB402 content/bad.yaml:2:9"],
    ),
    (
        "parent cycle",
        {
            "bad.yaml": """\
            teams:
              - id: north
                name: North
                parent: south
              - id: south
                name: South
                parent: north
            activities:
              - id: extra
                name: Extra
                stages: [awareness]
                reviewed: 2026-11-01
                raci:
                  responsible: [north]
                  accountable: south
            """
        },
        ["OB208 content/bad.yaml:4:13"],
    ),
    (
        "own parent",
        {"bad.yaml": "teams:\n  - id: solo\n    name: Solo\n    parent: solo\n"},
        ["OB208 content/bad.yaml:4:13", "OB401 content/bad.yaml:2:9"],
    ),
    (
        "unknown parent",
        {"bad.yaml": "teams:\n  - id: solo\n    name: Solo\n    parent: marketin\n"},
        ["OB201 content/bad.yaml:4:13", "OB401 content/bad.yaml:2:9"],
    ),
    (
        "bad boolean",
        {"base.yaml": BASE.replace("  lifecycle:", "  loop: yes\n  lifecycle:")},
        ["OB106 content/base.yaml:4:9"],
    ),
    (
        "bad integer",
        {"bad.yaml": ACT.replace("    reviewed:", "    review_every_days: soon\n    reviewed:")},
        ["OB105 content/bad.yaml:5:24"],
    ),
    (
        "javascript link",
        {"bad.yaml": ACT + "    links:\n      - title: Click\n        url: javascript:alert(1)\n"},
        ["OB108 content/bad.yaml:11:14"],
    ),
    (
        "unknown kind",
        {"bad.yaml": ACT.replace("    name: Extra\n", "    name: Extra\n    kind: desicion\n")},
        ["OB109 content/bad.yaml:4:11"],
    ),
    (
        "invalid party",
        {"bad.yaml": ACT.replace("[sales]", "[Sales Team]")},
        ["OB112 content/bad.yaml:7:21"],
    ),
    (
        "invalid github owner",
        {"base.yaml": BASE.replace("    name: Sales\n", "    name: Sales\n    github: sales\n")},
        ["OB113 content/base.yaml:13:13"],
    ),
    (
        "empty stages list",
        {"bad.yaml": ACT.replace("[awareness]", "[]")},
        ["OB114 content/bad.yaml:4:13"],
    ),
    (
        "duplicate activity id",
        {"bad.yaml": ACT.replace("id: extra", "id: positioning")},
        # bad.yaml sorts before base.yaml, so the copy in base.yaml is the second one
        ["OB205 content/base.yaml:21:9"],
    ),
    (
        "duplicate glossary term",
        {
            "bad.yaml": """\
            glossary:
              - term: RACI
                definition: A matrix.
              - term: Matrix
                definition: A table.
                aliases: [raci]
            """
        },
        ["OB209 content/bad.yaml:6:15"],
    ),
    (
        "reference listed twice",
        {"bad.yaml": ACT.replace("[awareness]", "[awareness, awareness]")},
        ["OB210 content/bad.yaml:4:25"],
    ),
    (
        "required text empty",
        {"bad.yaml": ACT.replace("name: Extra", 'name: ""')},
        ["OB102 content/bad.yaml:3:11"],
    ),
    (
        "required field missing",
        {"bad.yaml": ACT.replace("    name: Extra\n", "")},
        ["OB102 content/bad.yaml:2:5"],
    ),
    (
        "text too long",
        {"bad.yaml": ACT.replace("name: Extra", "name: " + "x" * 100_001)},
        ["OB014 content/bad.yaml:3:11"],
    ),
    # warnings
    (
        "party holds two letters",
        {"bad.yaml": ACT + "      consulted: [sales]\n"},
        ["OB304 content/bad.yaml:9:19"],
    ),
    (
        "party listed twice under one letter",
        {"bad.yaml": ACT.replace("[sales]", "[sales, sales]")},
        ["OB305 content/bad.yaml:7:28"],
    ),
    (
        "team holds no letter",
        {"bad.yaml": "teams:\n  - id: legal\n    name: Legal\n"},
        ["OB401 content/bad.yaml:2:9"],
    ),
    (
        "team accountable for too many",
        {
            "base.yaml": BASE.replace(
                "  lifecycle:", "  max_accountable_per_team: 1\n  lifecycle:"
            ),
            "bad.yaml": ACT,
        },
        ["OB403 content/base.yaml:12:9"],
    ),
    (
        "review overdue",
        {"bad.yaml": ACT.replace("2026-11-01", "2025-01-01")},
        ["OB404 content/bad.yaml:5:15"],
    ),
    (
        "never reviewed",
        {"bad.yaml": ACT.replace("    reviewed: 2026-11-01\n", "")},
        ["OB405 content/bad.yaml:2:9"],
    ),
]


def _found(checked: Checked) -> list[str]:
    return sorted(f"{p.code} {p.pos}" for p in checked.problems)


@pytest.mark.parametrize(
    ("files", "expected"), [pytest.param(f, e, id=name) for name, f, e in CASES]
)
def test_bad_model_reports_exact_code_and_place(
    check_files: Callable[..., Checked], files: dict[str, str | bytes], expected: list[str]
) -> None:
    checked = check_files(files)
    assert _found(checked) == sorted(expected)
    if any(p.severity.value == "error" for p in checked.problems):
        assert checked.model is None


def test_corpus_covers_every_code() -> None:
    from ownbook.model.problems import CODES

    covered = {code.split()[0] for _, _, expected in CASES for code in expected}
    # OB001 (unreadable), OB002 (size) and OB013 (no files) are covered in test_loader.py,
    # OB017 (symlinks and special files) in test_files_hostile.py.
    assert set(CODES) - covered == {"OB001", "OB002", "OB013", "OB017"}
    assert len(CASES) >= 30


def test_base_model_is_clean(check_files: Callable[..., Checked]) -> None:
    checked = check_files({})
    assert checked.problems == ()
    assert checked.model is not None
