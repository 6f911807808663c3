"""`ownbook import`: RACI spreadsheets become content that passes the check, or say why not.

A spreadsheet is messy input kept by people, so these tests pin down both halves of the
promise: what is placed comes out as exact, loadable YAML, and what is not placed is named
cell by cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import shlex
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ownbook.commands.importer import common as limits
from ownbook.commands.importer import sheet as importsheet
from ownbook.commands.importer.sheet import ImportMessage, ImportResult, import_sheet, write_import
from ownbook.model.load import load_model
from ownbook.model.objects import Model

from tests.conftest import ROOT, TODAY

HERE = Path(__file__).resolve().parent / "import"

PLACEHOLDERS = [
    ("handbook.yaml", "warning", "organization is the placeholder 'TODO: your organisation'"),
    (
        "stages.yaml",
        "warning",
        "each stage's summary is the placeholder "
        "'TODO: what happens for the customer in this stage.'",
    ),
    (
        "activities.yaml",
        "warning",
        "no activity has a 'reviewed' date; ownbook check reminds you of each (OB405) until "
        "its RACI is confirmed",
    ),
]
NOT_A_LETTER = (
    "is not a RACI letter (R, A, C or I, or a combination such as A/R); the cell is not placed"
)
NEEDS = "an activity needs exactly one A and at least one R"


def triples(result: ImportResult) -> list[tuple[str, str, str]]:
    return [(m.location, m.severity, m.text) for m in result.messages]


def loads_cleanly(result: ImportResult, folder: Path) -> Model:
    """Write the import into `folder` and load it: no errors allowed, warnings are fine."""
    assert write_import(result.files, folder) == ()
    checked = load_model(folder, today=TODAY)
    assert [p.format() for p in checked.errors] == []
    assert checked.model is not None
    return checked.model


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


# --- 1. a role-per-column matrix with stage headings -------------------------------------

MATRIX_HEADER = [
    "Activity",
    "Marketing / Content Lead",
    "Marketing / Data Analyst",
    "Sales / Account Executive",
    "Customer Success",
]
MATRIX = [
    MATRIX_HEADER,
    ["Awareness"],
    ["Publish blog posts", "A/R", "c", "I", None],
    ["Report campaign results", "I", "RA", None, "i"],
    ["Stage: Purchase", None, None, None, None],
    ["Close deals", None, "I", "r/a", "C"],
    ["Hand over to onboarding", "-", None, "A", "R"],
    ["Retention"],
    ["Run renewal review", " i ", "C", "C", "R A"],
]
MATRIX_PARTIES = [
    "marketing/content-lead",
    "marketing/data-analyst",
    "sales/account-executive",
    "customer-success",
]

MATRIX_TEAMS = """\
# Imported from lifecycle-raci.xlsx by `ownbook import`.
teams:
  - id: marketing
    name: Marketing
    roles:
      - id: content-lead
        name: Content Lead
      - id: data-analyst
        name: Data Analyst
  - id: sales
    name: Sales
    roles:
      - id: account-executive
        name: Account Executive
  - id: customer-success
    name: Customer Success
"""

MATRIX_ACTIVITIES = """\
# Imported from lifecycle-raci.xlsx by `ownbook import`.
activities:
  - id: publish-blog-posts
    name: Publish blog posts
    stages: [awareness]
    raci:
      responsible: [marketing/content-lead]
      accountable: marketing/content-lead
      consulted: [marketing/data-analyst]
      informed: [sales/account-executive]
  - id: report-campaign-results
    name: Report campaign results
    stages: [awareness]
    raci:
      responsible: [marketing/data-analyst]
      accountable: marketing/data-analyst
      informed: [marketing/content-lead, customer-success]
  - id: close-deals
    name: Close deals
    stages: [purchase]
    raci:
      responsible: [sales/account-executive]
      accountable: sales/account-executive
      consulted: [customer-success]
      informed: [marketing/data-analyst]
  - id: hand-over-to-onboarding
    name: Hand over to onboarding
    stages: [purchase]
    raci:
      responsible: [customer-success]
      accountable: sales/account-executive
  - id: run-renewal-review
    name: Run renewal review
    stages: [retention]
    raci:
      responsible: [customer-success]
      accountable: customer-success
      consulted: [marketing/data-analyst, sales/account-executive]
      informed: [marketing/content-lead]
"""

MATRIX_HANDBOOK = """\
# Imported from lifecycle-raci.xlsx by `ownbook import`.
# Replace the organization placeholder with your organisation's name.
handbook:
  title: Ownership handbook
  organization: 'TODO: your organisation'
  lifecycle: [awareness, purchase, retention]
  loop: true
"""

MATRIX_STAGES = """\
# Imported from lifecycle-raci.xlsx by `ownbook import`.
# Each summary is a placeholder: say what happens for the customer.
stages:
  - id: awareness
    name: Awareness
    summary: 'TODO: what happens for the customer in this stage.'
  - id: purchase
    name: Purchase
    summary: 'TODO: what happens for the customer in this stage.'
  - id: retention
    name: Retention
    summary: 'TODO: what happens for the customer in this stage.'
"""


def matrix_workbook(tmp_path: Path) -> Path:
    path = write_xlsx(tmp_path / "lifecycle-raci.xlsx", {"RACI": MATRIX})
    workbook = openpyxl.load_workbook(path)
    workbook["RACI"].merge_cells("A5:E5")  # a heading row merged across, as people do
    workbook.save(path)
    return path


def test_role_matrix_gives_exact_yaml(tmp_path: Path) -> None:
    result = import_sheet(matrix_workbook(tmp_path))
    assert triples(result) == PLACEHOLDERS
    assert (result.written, result.skipped) == (5, 0)
    assert dict(result.files) == {
        "handbook.yaml": MATRIX_HANDBOOK,
        "teams.yaml": MATRIX_TEAMS,
        "stages.yaml": MATRIX_STAGES,
        "activities.yaml": MATRIX_ACTIVITIES,
    }


def test_role_matrix_passes_check_with_every_letter(tmp_path: Path) -> None:
    result = import_sheet(matrix_workbook(tmp_path))
    model = loads_cleanly(result, tmp_path / "out")
    assert [s.id for s in model.lifecycle] == ["awareness", "purchase", "retention"]
    letters = {"R": "responsible", "A": "accountable", "C": "consulted", "I": "informed"}
    activities = [row for row in MATRIX[1:] if any(row[1:])]
    assert len(activities) == len(model.activities)
    seen = 0
    for row, activity in zip(activities, model.activities, strict=True):
        assert activity.name == row[0]
        held = {letter: set(getattr(activity.raci, key) or ()) for letter, key in letters.items()}
        held["A"] = {activity.raci.accountable}
        for party, cell in zip(MATRIX_PARTIES, row[1:], strict=True):
            for letter in str(cell or "").upper():
                if letter in letters:
                    assert party in held[letter], (activity.id, party, letter)
                    seen += 1
    assert seen == 19


# --- 2. rows that cannot be placed -----------------------------------------------------


def test_bad_rows_are_reported_cell_by_cell_and_the_rest_passes(tmp_path: Path) -> None:
    result = import_sheet(HERE / "bad-rows.csv")
    assert triples(result) == [
        ("bad-rows.csv:3:E", "error", f"'X' {NOT_A_LETTER}"),
        (
            "bad-rows.csv:3:A",
            "error",
            "row left out: 'Plan campaign' has no accountable party (A) and no responsible "
            f"party (R); {NEEDS}",
        ),
        (
            "bad-rows.csv:4:A",
            "error",
            f"row left out: 'Approve budget' has 2 accountable parties (A) in D4, E4; {NEEDS}",
        ),
        # issue 16: an A without an R is read as A/R by default, with a warning at the row
        (
            "bad-rows.csv:5:A",
            "warning",
            "'Draft copy' has an A but no R: 'marketing' (E5) is read as accountable and "
            "responsible (A/R); pass --a-without-r skip to leave such rows out",
        ),
        ("bad-rows.csv:6:F", "error", f"'Approve' {NOT_A_LETTER}"),
        ("bad-rows.csv:7:D", "error", f"'RACI?' {NOT_A_LETTER}"),
        (
            "bad-rows.csv:7:C",
            "error",
            "'maybe' is not a kind (activity or decision); the cell is not placed and the "
            "activity is written as an activity",
        ),
        (
            "bad-rows.csv:8:A",
            "error",
            "row left out: no activity name in A8; its cells D8, G8 are not placed",
        ),
        (
            "bad-rows.csv:10:A",
            "warning",
            "activity id 'close-deals' is already used by the activity in A9; this one gets "
            "'close-deals-2'",
        ),
        *PLACEHOLDERS,
    ]
    assert (result.written, result.skipped) == (6, 3)
    model = loads_cleanly(result, tmp_path / "out")
    assert [a.id for a in model.activities] == [
        "qualify-leads",
        "draft-copy",
        "write-case-study",
        "score-leads",
        "close-deals",
        "close-deals-2",
    ]
    qualify, draft, case_study, score, close, close2 = model.activities
    assert (draft.raci.responsible, draft.raci.accountable) == (("marketing",), "marketing")
    assert (qualify.kind, qualify.summary, qualify.stages) == ("decision", "Weekly", ("awareness",))
    assert case_study.stages == ("awareness",)  # a blank Stage cell takes the stage above
    assert (case_study.raci.responsible, case_study.raci.accountable) == (("sales",), "marketing")
    # issue 16: a lone 'Support / Lead' is one party; '/' names a role only when a team recurs
    assert (score.kind, score.raci.informed) == ("activity", ("support-lead",))
    assert close.raci.informed == close2.raci.consulted == ("support-lead",)
    assert [s.id for s in model.lifecycle] == ["awareness", "consideration", "purchase"]


def test_header_problems_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "header.csv"
    source.write_text(
        "RACI matrix 2025\n"
        "\n"
        "Task,Phase,Sales,Marketing,sales,Notes,Stage,\n"
        "Qualify leads,Awareness,A,R,C,first,x,stray\n"
        "Close,Purchase,R/C,A,,,,\n"
        "Legend: R = responsible,,,,,,,\n",
        encoding="utf-8",
    )
    result = import_sheet(source)
    assert triples(result) == [
        ("header.csv:1:A", "warning", "read as a title: the handbook is called 'RACI matrix 2025'"),
        ("header.csv:3:G", "warning", "a second Stage column 'Stage' is not read"),
        (
            "header.csv:3:E",
            "warning",
            "column E names the same party 'sales' as column C; their letters are combined",
        ),
        (
            "header.csv:4:C",
            "warning",
            "'sales' is Accountable and Consulted in 'Qualify leads'; ownbook check warns "
            "about a party holding two letters (OB304)",
        ),
        (
            "header.csv:5:C",
            "warning",
            "'sales' is Responsible and Consulted in 'Close'; ownbook check warns about a "
            "party holding two letters (OB304)",
        ),
        (
            "header.csv:6:A",
            "error",
            "row left out: 'Legend: R = responsible' has no accountable party (A) and no "
            f"responsible party (R); {NEEDS}",
        ),
        (
            "header.csv:4:G",
            "error",
            "column G is a second Stage column, so its cells are not placed: G4",
        ),
        ("header.csv:4:H", "error", "column H has no header, so its cells are not placed: H4"),
        *PLACEHOLDERS,
    ]
    model = loads_cleanly(result, tmp_path / "out")
    assert model.handbook.title == "RACI matrix 2025"
    assert model.activities[0].raci.consulted == ("sales",)


def test_stage_headings_without_activities_and_rows_without_stage(tmp_path: Path) -> None:
    source = tmp_path / "q3_ownership.csv"
    source.write_text(
        "Activity,Sales,Marketing\n"
        "Qualify leads,A/R,I\n"
        "Awareness\n"
        "Run events,I,RA\n"
        "Legend: A = accountable\n",
        encoding="utf-8",
    )
    result = import_sheet(source)
    assert triples(result)[:2] == [
        (
            "q3_ownership.csv:2:A",
            "warning",
            "1 row(s) come before any stage heading and have no stage: A2; they are put under "
            "a stage 'All activities' (--stage NAME names it)",
        ),
        (
            "q3_ownership.csv:5:A",
            "warning",
            "'Legend: A = accountable' reads as a stage heading, but no activity row follows "
            "it; it is not made a stage",
        ),
    ]
    model = loads_cleanly(result, tmp_path / "out")
    assert [(s.id, s.name) for s in model.lifecycle] == [
        ("all-activities", "All activities"),
        ("awareness", "Awareness"),
    ]


def test_a_sheet_without_stages_gets_one_stage_not_named_after_the_file(tmp_path: Path) -> None:
    source = tmp_path / "raci.csv"
    source.write_text("Deliverable,Sales\nPrice list,A/R\n", encoding="utf-8")
    result = import_sheet(source)
    assert triples(result)[0] == (
        "raci.csv",
        "warning",
        "the sheet names no stages; all activities are put under one stage 'All activities' "
        "(--stage NAME names it)",
    )
    model = loads_cleanly(result, tmp_path / "out")
    assert model.handbook.lifecycle == ("all-activities",)


def test_names_that_yaml_would_misread_come_back_as_typed(tmp_path: Path) -> None:
    names = ["no", "1.10", "012", "12:30", "- dash", "#hash", "a: b", "'q'", '"dq"', "~", "[x]"]
    names += ["{y}", "*star", "&amp", "!tag", "%pct", "@at", "`tick", "? q", "| pipe", "Café"]
    teams = ["no", "On", "1.10", "Sales: EMEA Lead", "Account Executive (Sales)", "営業"]
    source = tmp_path / "tricky.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Activity", "Summary", *teams])
        for i, name in enumerate(names):
            row = [name, f"first line\n  {name}\nlast", *[""] * len(teams)]
            row[2 + i % len(teams)] = "A/R"
            row[2 + (i + 1) % len(teams)] = "c"
            writer.writerow(row)
    result = import_sheet(source)
    assert (
        "tricky.csv:1:H",
        "warning",
        "team '営業' has no letters or digits an id can use; it gets id 'team'",
    ) in triples(result)
    model = loads_cleanly(result, tmp_path / "out")
    assert [a.name for a in model.activities] == names
    assert [a.summary for a in model.activities] == [f"first line\n  {n}\nlast" for n in names]
    assert [(t.id, t.name) for t in model.teams] == [
        ("no", "no"),
        ("on", "On"),
        ("1-10", "1.10"),
        ("sales", "Sales"),
        ("team", "営業"),
    ]
    assert [r.id for r in model.team_by_id["sales"].roles] == ["emea-lead", "account-executive"]


@pytest.mark.parametrize(
    ("cell", "letters"),
    [
        ("R", "R"),
        ("a", "A"),
        ("A/R", "RA"),
        ("R/A", "RA"),
        ("RA", "RA"),
        ("A, R", "RA"),
        ("R+A", "RA"),
        (" r ; a ", "RA"),
        ("C & I", "CI"),
        ("-", ""),
        ("n/a", ""),
        ("X", None),
        ("Approve", None),
        ("RACI?", None),
        ("R*", None),
        ("1", None),
        ("S", "S"),  # RASCI's Support: placed by --support, never dropped
        ("(R)", "R"),
        ("R (A)", "RA"),
        ("**A/R**", "RA"),
        ("Accountable", "A"),
        ("responsible, informed", "RI"),
        ("N/A", ""),
        ("N", None),
    ],
)
def test_parse_letters(cell: str, letters: str | None) -> None:
    assert importsheet.parse_letters(cell) == letters


# --- 3. file formats and bad input -----------------------------------------------------


def test_csv_with_semicolons_and_bom(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    text = (
        "Phase;Activity;Sales;Marketing: Content Lead;Account Executive (Sales)\r\n"
        'Awareness;"Qualify; then score leads";A;R;\r\n'
        ";Write copy;I;A/R;c\r\n"
    )
    source.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = import_sheet(source)
    assert [m for m in result.messages if m.severity == "error"] == []
    model = loads_cleanly(result, tmp_path / "out")
    assert [(a.name, a.stages) for a in model.activities] == [
        ("Qualify; then score leads", ("awareness",)),
        ("Write copy", ("awareness",)),
    ]
    assert model.activities[1].raci.consulted == ("sales/account-executive",)
    assert [t.id for t in model.teams] == ["sales", "marketing"]
    assert [r.id for r in model.team_by_id["sales"].roles] == ["account-executive"]


def test_tab_separated_utf16_text(tmp_path: Path) -> None:
    source = tmp_path / "export.tsv"
    source.write_bytes("Activity\tSales\tMarketing\nClose\tA/R\tI\n".encode("utf-16"))
    model = loads_cleanly(import_sheet(source), tmp_path / "out")
    assert model.activities[0].raci.informed == ("marketing",)


def test_xlsx_named_second_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "ownership.xlsx",
        {
            "Read me": [["This workbook holds our RACI."]],
            "RACI 2025": [
                ["Activity", "Stage", "Sales", "Marketing"],
                ["Close deals", "Purchase", "A/R", 7],
                ["Renew", "Retention", "I", "RA"],
            ],
        },
    )
    result = import_sheet(path, sheet="RACI 2025")
    assert triples(result)[0] == ("ownership.xlsx:'RACI 2025'!D2", "error", f"'7' {NOT_A_LETTER}")
    model = loads_cleanly(result, tmp_path / "out")
    assert [a.id for a in model.activities] == ["close-deals", "renew"]

    first = import_sheet(path)  # issue 16: with no sheet named, the one with the matrix
    assert triples(first) == triples(result)
    assert first.layout[0] == (
        "read: sheet 'RACI 2025' (3 letters: the most RACI letters); the others: "
        "'Read me' (0 letters); --sheet NAME reads another"
    )
    missing = import_sheet(path, sheet="RACI")
    assert triples(missing) == [
        (
            "ownership.xlsx",
            "error",
            "no sheet named 'RACI'; the workbook has 'Read me', 'RACI 2025'",
        )
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", [("empty.csv", "error", "the sheet is empty")]),
        ("blank.csv", b" , ,\n\n", [("blank.csv", "error", "the sheet is empty")]),
        (
            "notes.txt",
            b"Activity,Sales\n",
            [
                (
                    "notes.txt",
                    "error",
                    "unsupported file type '.txt': give a .csv, .tsv, .xlsx or .md file",
                )
            ],
        ),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0",
            [
                (
                    "old.xls",
                    "error",
                    "old .xls workbooks are not read; save it as .xlsx or CSV UTF-8",
                )
            ],
        ),
        (
            "garbage.xlsx",
            b"\x00\x01garbage",
            [("garbage.xlsx", "error", "not an .xlsx workbook (it is not a zip file)")],
        ),
        (
            "latin1.csv",
            "Activity,Sales\nCaf\xe9,A/R\n".encode("latin-1"),
            [("latin1.csv:2", "error", "byte 0xe9 is not valid UTF-8; save the file as CSV UTF-8")],
        ),
        (
            "header-only.csv",
            b"Activity,Sales\n",
            [
                (
                    "header-only.csv",
                    "error",
                    "no activity rows below the header; no files are written",
                )
            ],
        ),
        (
            "no-parties.csv",
            b"Activity,Notes\nClose,big deals\n",
            [
                (
                    "no-parties.csv:1:A",
                    "error",
                    "no party columns: the header names no team or role after the activity column",
                )
            ],
        ),
        (
            "one-column.csv",
            b"Activity\nClose\n",
            [
                (
                    "one-column.csv:1:A",
                    "error",
                    "no header row: no row has an activity column and at least one party column",
                )
            ],
        ),
        ("missing.csv", None, [("missing.csv", "error", "no such file")]),
    ],
)
def test_bad_files_give_messages_not_tracebacks(
    tmp_path: Path, name: str, content: bytes | None, expected: list[tuple[str, str, str]]
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = import_sheet(path)
    assert triples(result) == expected
    assert result.files == {}


def test_all_rows_left_out_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "none.csv"
    source.write_text("Activity,Sales,Marketing\nClose,A,A\n", encoding="utf-8")
    result = import_sheet(source)
    assert triples(result)[-1] == (
        "none.csv",
        "error",
        "no activity row could be written; no files are written",
    )
    assert (result.files, result.written, result.skipped) == ({}, 0, 1)


def test_damaged_workbooks(tmp_path: Path) -> None:
    not_xlsx = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(not_xlsx, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    (message,) = import_sheet(not_xlsx).messages
    assert (message.location, message.severity) == ("zip.xlsx", "error")
    assert message.text.startswith("cannot read the workbook: ")

    empty = write_xlsx(tmp_path / "empty.xlsx", {"Sheet": []})
    assert triples(import_sheet(empty)) == [("empty.xlsx:Sheet", "error", "the sheet is empty")]

    zipped_csv = tmp_path / "really.csv"
    zipped_csv.write_bytes(empty.read_bytes())
    assert triples(import_sheet(zipped_csv)) == [
        ("really.csv", "error", "this is a zip file (an .xlsx workbook?), not CSV text")
    ]


def test_size_limits_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    monkeypatch.setattr(limits, "MAX_COLS", 3)
    source = tmp_path / "big.csv"
    source.write_text(
        "Activity,Sales,Marketing,Finance\nOne,A/R,I,C\nTwo,A/R,,\nThree,A/R,,\n",
        encoding="utf-8",
    )
    result = import_sheet(source)
    assert triples(result)[:2] == [
        (
            "big.csv:1:D",
            "error",
            "cells right of column C are not read: the limit is 3 columns",
        ),
        (
            "big.csv:4:A",
            "error",
            "this row and the rows below it are not read: the limit is 3 rows and 2,000,000 "
            "filled cells",
        ),
    ]
    assert result.written == 2
    loads_cleanly(result, tmp_path / "out")


def test_control_characters_are_removed_with_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "ctl.csv"
    source.write_text("Activity,Sales\nClo\x07se,A/R\n", encoding="utf-8")
    result = import_sheet(source)
    assert triples(result)[0] == (
        "ctl.csv:2:A",
        "warning",
        "1 control character(s) removed from the text",
    )
    assert loads_cleanly(result, tmp_path / "out").activities[0].name == "Close"


# --- writing ---------------------------------------------------------------------------


def simple_files(tmp_path: Path) -> dict[str, str]:
    source = tmp_path / "raci.csv"
    source.write_text("Activity,Sales\nClose,A/R\n", encoding="utf-8")
    return dict(import_sheet(source).files)


def test_write_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    files = simple_files(tmp_path)
    out = tmp_path / "content"
    assert write_import(files, out) == ()
    (out / "teams.yaml").write_text("edited by hand\n", encoding="utf-8")
    refused = write_import(files, out)
    assert [(m.location, m.severity, m.text) for m in refused] == [
        ((out / name).as_posix(), "error", "already exists; use force to overwrite it")
        for name in files
    ]
    assert (out / "teams.yaml").read_text(encoding="utf-8") == "edited by hand\n"
    assert write_import(files, out, force=True) == ()
    assert (out / "teams.yaml").read_text(encoding="utf-8") == files["teams.yaml"]


def test_write_refuses_a_folder_with_other_model_files(tmp_path: Path) -> None:
    files = simple_files(tmp_path)
    out = tmp_path / "content"
    out.mkdir()
    (out / "old.yaml").write_text("teams: []\n", encoding="utf-8")
    assert write_import(files, out) == (
        ImportMessage(
            (out / "old.yaml").as_posix(),
            "error",
            "other model file in the folder would be merged with the import",
        ),
    )
    assert sorted(p.name for p in out.iterdir()) == ["old.yaml"]


def test_write_stays_inside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "content"
    refused = write_import({"../escape.yaml": "x: 1\n", "ok.yaml": "y: 2\n"}, out)
    assert [(m.location, m.severity) for m in refused] == [("../escape.yaml", "error")]
    assert not out.exists() and not (tmp_path / "escape.yaml").exists()

    outside = tmp_path / "outside.yaml"
    outside.write_text("keep\n", encoding="utf-8")
    out.mkdir()
    (out / "teams.yaml").symlink_to(outside)
    assert write_import({"teams.yaml": "teams: []\n"}, out, force=True) == ()
    assert outside.read_text(encoding="utf-8") == "keep\n"
    assert not (out / "teams.yaml").is_symlink()


def test_numbering_and_id_columns(tmp_path: Path) -> None:
    source = tmp_path / "ids.csv"
    source.write_text(
        "No.,Id,Activity,Sales,Marketing\n"
        "1,close-deals,Close deals,A/R,\n"
        "2,Renew Contract,Renew,A/R,I\n"
        "3,close-deals,Close again,R,A\n",
        encoding="utf-8",
    )
    result = import_sheet(source)
    assert triples(result)[:4] == [
        ("ids.csv:1:A", "warning", "column A 'No.' numbers the rows; it is not read"),
        (
            "ids.csv",
            "warning",
            "the sheet names no stages; all activities are put under one stage "
            "'All activities' (--stage NAME names it)",
        ),
        (
            "ids.csv:3:C",
            "warning",
            "'Renew Contract' in the Id column is not a valid id (lowercase letters, digits "
            "and single hyphens); 'renew' is used",
        ),
        (
            "ids.csv:4:C",
            "warning",
            "activity id 'close-deals' is already used by the activity in C2; this one gets "
            "'close-deals-2'",
        ),
    ]
    model = loads_cleanly(result, tmp_path / "out")
    assert [(a.id, a.name) for a in model.activities] == [
        ("close-deals", "Close deals"),
        ("renew", "Renew"),
        ("close-deals-2", "Close again"),
    ]


LETTER_LAYOUT_MD = """\
| Deliverable | Responsible | Accountable | Consulted | Informed |
|---|---|---|---|---|
| Strategy & narrative | PMM/GM | Head of Product | Product, Sales and Success | Execs |
| Product readiness | Product | Product | PMM; Design | |
| Sales enablement | Sales | Head of Sales, CEO | PMM, Product | Execs |
"""
LETTER_LAYOUT_YAML = """\
# Imported from gtm.{suffix} by `ownbook import`.
activities:
  - id: strategy-narrative
    name: Strategy & narrative
    stages: [all-activities]
    raci:
      responsible: [pmm-gm]
      accountable: head-of-product
      consulted: [product, sales, success]
      informed: [execs]
  - id: product-readiness
    name: Product readiness
    stages: [all-activities]
    raci:
      responsible: [product]
      accountable: product
      consulted: [pmm, design]
"""
LETTER_COLUMNS = (
    "parties: named in the cells of the letter columns B 'Responsible', C 'Accountable', "
    "D 'Consulted', E 'Informed' (10; ',', ';', ' and ' and line breaks separate them; "
    "':' names a role in a team; '/' and '( )' stay in names)"
)


@pytest.mark.parametrize("suffix", ["md", "csv", "xlsx"])
def test_parties_listed_under_letter_columns_are_read(tmp_path: Path, suffix: str) -> None:
    """One column per letter, parties named in its cells: lists split on ',', ';' and
    ' and ', '/' kept in a name, a party under R and A is A/R, two under A leave the row out."""
    source = tmp_path / f"gtm.{suffix}"
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in LETTER_LAYOUT_MD.splitlines()
        if not line.startswith("|---")
    ]
    if suffix == "md":
        source.write_text(LETTER_LAYOUT_MD, encoding="utf-8")
    elif suffix == "csv":
        with source.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    else:
        write_xlsx(source, {"RACI": rows})
    result = import_sheet(source)
    assert result.layout[-5:] == (
        "activities: column A 'Deliverable' (rows 3-5)"
        if suffix == "md"
        else "activities: column A 'Deliverable' (rows 2-4)",
        "stages: none; every activity is under 'All activities'",
        LETTER_COLUMNS,
        "options that read it so: "
        + ("--sheet RACI " if suffix == "xlsx" else "")
        + "--header-row 1 --activity-column A --letter-columns",
        "title: 'Ownership handbook' (the sheet has none; --title names it)",
    )
    row = 5 if suffix == "md" else 4
    assert triples(result)[0] == (
        f"gtm.xlsx:RACI!A{row}" if suffix == "xlsx" else f"gtm.{suffix}:{row}:A",
        "error",
        f"row left out: 'Sales enablement' has 2 accountable parties (A) in C{row} "
        f"(head-of-sales, ceo); {NEEDS}",
    )
    assert result.files["activities.yaml"] == LETTER_LAYOUT_YAML.format(suffix=suffix)
    assert (result.written, result.skipped) == (2, 1)
    teams = loads_cleanly(result, tmp_path / "out").teams
    assert [(t.id, t.name) for t in teams][:3] == [
        ("pmm-gm", "PMM/GM"),
        ("head-of-product", "Head of Product"),
        ("product", "Product"),
    ]


def test_bare_letter_headers_list_parties_and_a_matrix_of_letters_asks(tmp_path: Path) -> None:
    source = tmp_path / "lists.csv"
    source.write_text(
        "Activity,R,A,C,I,S\nClose,Sales,Sales,-,Marketing,Ops: On-call\nShip,Ops,,,,\n",
        encoding="utf-8",
    )
    result = import_sheet(source, options=importsheet.ImportOptions(support="consulted"))
    assert result.layout[3] == (
        "parties: named in the cells of the letter columns B 'R', C 'A', D 'C', E 'I', "
        "F 'S' (4; ',', ';', ' and ' and line breaks separate them; ':' names a role in a "
        "team; '/' and '( )' stay in names)"
    )
    assert triples(result)[:2] == [
        (
            "lists.csv:3:A",
            "error",
            f"row left out: 'Ship' has no accountable party (A); {NEEDS}",
        ),
        (
            "lists.csv:2:F",
            "warning",
            "'S' (RASCI's Support) in 1 cell is read as consulted, as --support consulted says",
        ),
    ]
    assert (
        "      consulted: [ops/on-call]\n      informed: [marketing]\n"
        in (result.files["activities.yaml"])
    )
    assert (
        "      responsible: [sales]\n      accountable: sales\n"
        in (result.files["activities.yaml"])
    )
    letters = tmp_path / "letters.csv"
    letters.write_text("Activity,R,A,C,I\nClose,R,A,,\nShip,A,R,,\n", encoding="utf-8")
    asked = import_sheet(letters)
    assert triples(asked) == [
        (
            "letters.csv:1:B",
            "error",
            "columns B 'R', C 'A', D 'C', E 'I' are named after RACI letters but hold "
            "letters; pass --letter-columns if their cells name the parties, or "
            "--no-letter-columns if each column is a party",
        )
    ]
    refused = import_sheet(letters, options=importsheet.ImportOptions(letter_columns=False))
    assert refused.layout[4] == (
        "options that read it so: --header-row 1 --activity-column A --no-letter-columns"
    )
    assert refused.written == 2


def test_write_does_not_follow_a_linked_folder_out(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "content"
    out.mkdir()
    (out / "sub").symlink_to(outside)
    refused = write_import({"sub/teams.yaml": "teams: []\n", "handbook.yaml": "x: 1\n"}, out)
    assert [(m.location, m.text) for m in refused] == [
        ((out / "sub/teams.yaml").as_posix(), f"refused: it would be written outside {out}")
    ]
    assert list(outside.iterdir()) == [] and not (out / "handbook.yaml").exists()
    a_file = tmp_path / "file"
    a_file.write_text("", encoding="utf-8")
    assert write_import({"a.yaml": ""}, a_file) == (
        ImportMessage(a_file.as_posix(), "error", "is not a folder"),
    )


def test_unclosed_quote_stops_at_its_line(tmp_path: Path) -> None:
    source = tmp_path / "quote.csv"
    source.write_text('Activity,Sales\nFirst,A/R\n"Second,A/R\nThird,A/R\n', encoding="utf-8")
    result = import_sheet(source)
    assert triples(result)[0] == (
        "quote.csv:3",
        "error",
        "CSV error: unexpected end of data; this row and the rows below are not read",
    )
    assert result.written == 1


def test_excel_sep_line_sets_the_delimiter(tmp_path: Path) -> None:
    source = tmp_path / "sep.csv"
    source.write_text("sep=;\nActivity;Sales;Marketing\nClose, fast;A/R;x\n", encoding="utf-8")
    result = import_sheet(source)
    # issue 16: row 2 as a spreadsheet shows it (the sep= line is not a row there)
    assert triples(result)[0] == ("sep.csv:2:C", "error", f"'x' {NOT_A_LETTER}")
    assert loads_cleanly(result, tmp_path / "out").activities[0].name == "Close, fast"


TOKENS = [
    *["", "", "", "R", "A", "C", "I", "A/R", "ra", "r+a", "C, I", "x", "-", "RACI?"],
    *["Stage: Foo", "Awareness", "Sales", "Sales / Lead", "Lead (Sales)", "team:", "/", "(x)"],
    *["Stage", "Phase", "Kind", "Type", "decision", "Id", "No.", "Notes", "Description"],
    *["no", "1.10", "營業", "a: b", "#", "Responsible", "item", "close-deals", "\x00", "\ufeff"],
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6), max_size=8),
    st.sampled_from([",", ";", "\t"]),
)
def test_any_grid_imports_without_traceback_and_passes_check(
    rows: list[list[str]], delimiter: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "grid.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)
        result = import_sheet(source)
        assert result.files or result.errors
        if result.files:
            loads_cleanly(result, Path(folder) / "out")


# --- the workbook reader: what openpyxl reads, within bounds --------------------------------

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'


def raw_workbook(
    path: Path,
    sheet_xml: str,
    strings_xml: str | None = None,
    *,
    workbook_xml: str | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """An .xlsx written part by part, so that a test can give any part any shape."""
    rels = (
        f'{PKG_RELS}<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/s.xml"/>'
    )
    if strings_xml is not None:
        rels += f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="strings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'{PKG_RELS}<Relationship Id="r" Type="{REL_NS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            workbook_xml
            or f'<workbook {NS} xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="RACI" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", rels + "</Relationships>")
        archive.writestr(
            "xl/worksheets/s.xml", f"<worksheet {NS}><sheetData>{sheet_xml}</sheetData></worksheet>"
        )
        if strings_xml is not None:
            archive.writestr("xl/strings.xml", f"<sst {NS}>{strings_xml}</sst>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_XML = f'<row r="1">{inline("A1", "Activity")}{inline("B1", "Sales")}</row>'


def test_workbook_cells_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    rows: list[list[object]] = [
        ["Activity", "Sales", "Number", "When", "Flag", "Time"],
        ["Close", "A/R", 7, dt.datetime(2026, 3, 1, 12, 30), True, dt.time(9, 15)],
        ["Renew", "ra", 1.5, dt.date(2025, 12, 31), False, None],
        [None, None, None, None, None, None],
        ["Long " * 30, "=1+1", -3e-7, dt.datetime(1900, 1, 1), None, dt.timedelta(hours=30)],
    ]
    for epoch in (None, CALENDAR_MAC_1904):
        workbook = openpyxl.Workbook()
        if epoch is not None:
            workbook.epoch = epoch
        sheet = workbook.active
        sheet.title = "RACI"
        for row in rows:
            sheet.append(row)
        sheet["G9"] = "far"
        sheet["D5"].number_format = "[h]:mm:ss"
        path = tmp_path / "types.xlsx"
        workbook.save(path)
        reference = openpyxl.load_workbook(path, read_only=True, data_only=True)
        want = []
        for number, values in enumerate(reference["RACI"].iter_rows(values_only=True), 1):
            cells = {
                col: text.strip()
                for col, value in enumerate(values)
                if (text := importsheet._cell_text(value)).strip()
            }
            if cells:
                want.append((number, cells))
        reference.close()
        log = importsheet._Log()
        table = importsheet._read_xlsx(path, None, log)
        assert table is not None and log.messages == []
        assert table.rows == want


def test_workbook_quirks_are_read(tmp_path: Path) -> None:
    """Cells without references, rich and phonetic runs, prefixed names, a lying dimension."""
    sheet = (
        '<row r="1"><c t="inlineStr"><is><t>Activity</t></is></c>'
        '<c t="s"><v>0</v></c></row>'
        '<row><c t="s"><v>1</v></c><c r="B2" t="inlineStr"><is><r><t>A/</t></r><r><t>R</t></r>'
        "<rPh><t>phonetic</t></rPh></is></c></row>"
    )
    strings = "<si><r><t>Sa</t></r><r><t>les</t></r></si><si><t>Close</t><rPh><t>x</t></rPh></si>"
    path = raw_workbook(tmp_path / "quirks.xlsx", sheet, strings)
    result = import_sheet(path)
    assert result.errors == ()
    model = loads_cleanly(result, tmp_path / "out")
    assert [(a.name, a.raci.accountable) for a in model.activities] == [("Close", "sales")]


@pytest.mark.parametrize(
    ("sheet", "strings", "workbook", "location", "text"),
    [
        (  # a billion-laughs DTD: refused before any entity is expanded
            HEADER_XML,
            None,
            '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            f'<workbook {NS}><sheets><sheet name="&b;"/></sheets></workbook>',
            "dtd.xlsx",
            "cannot read the workbook: xl/workbook.xml declares a DTD, which no workbook has",
        ),
        (
            HEADER_XML + '<row r="2"><c r="A2" t="s"><v>5</v></c></row>',
            "<si><t>only one</t></si>",
            None,
            "dtd.xlsx:RACI!2:2",
            "cannot read the sheet from here on: a cell names shared string '5', which is not "
            "there",
        ),
        (
            HEADER_XML + '<row r="2"><c r="A2\nB" t="inlineStr"><is><t>x</t></is></c></row>',
            None,
            None,
            "dtd.xlsx:RACI!2:2",
            "cannot read the sheet from here on: 'A2 B' is not a cell reference",
        ),
        (
            HEADER_XML + "<row><c>",
            None,
            None,
            "dtd.xlsx:RACI!2:2",
            "cannot read the sheet from here on: xl/worksheets/s.xml is not well-formed XML "
            "(mismatched tag: line 1, column 216)",
        ),
        (
            HEADER_XML,
            None,
            f'<workbook {NS} xmlns:r="{REL_NS}"><sheets><sheet name="Chart\u2028\x85" '
            'r:id="nothing"/></sheets></workbook>',
            "dtd.xlsx:'Chart\\u2028\\u0085'",
            "the workbook does not hold this sheet's cells",
        ),
    ],
)
def test_damaged_or_hostile_workbook_parts(
    tmp_path: Path,
    sheet: str,
    strings: str | None,
    workbook: str | None,
    location: str,
    text: str,
) -> None:
    path = raw_workbook(tmp_path / "dtd.xlsx", sheet, strings, workbook_xml=workbook)
    result = import_sheet(path)
    assert (location, "error", text) in triples(result)


def test_workbook_caps_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS", 3)
    monkeypatch.setattr(limits, "MAX_ROW_CELLS", 4)
    monkeypatch.setattr(limits, "MAX_SHEET_ROWS", 5)
    monkeypatch.setattr(limits, "MAX_SCALAR_CHARS", 10)
    many = raw_workbook(tmp_path / "many.xlsx", HEADER_XML, "<si><t>x</t></si>" * 4)
    assert triples(import_sheet(many)) == [
        (
            "many.xlsx",
            "error",
            "cannot read the workbook: it holds more than 3 shared strings, over the limit",
        )
    ]
    close = f'<row r="2">{inline("A2", "Close")}{inline("B2", "A/R")}</row>'
    wide = raw_workbook(
        tmp_path / "wide.xlsx", HEADER_XML + close + '<row r="3">' + "<c/>" * 5 + "</row>"
    )
    result = import_sheet(wide)
    assert triples(result)[0] == (
        "wide.xlsx:RACI!A3",
        "error",
        "this row and the rows below it are not read: it holds more than 4 cells, more than a "
        "sheet has columns",
    )
    assert result.written == 1
    tall = raw_workbook(tmp_path / "tall.xlsx", HEADER_XML + close + "<row/>" * 10)
    assert triples(import_sheet(tall))[0] == (
        "tall.xlsx:RACI",
        "error",
        "rows after row 5 are not read: the limit is 5 rows, filled or empty",
    )
    long = raw_workbook(
        tmp_path / "long.xlsx",
        HEADER_XML + f'<row r="2">{inline("A2", "x" * 5000)}{inline("B2", "A/R")}</row>',
    )
    assert triples(import_sheet(long))[0] == (
        "long.xlsx:RACI!A2",
        "error",
        "text of 5,000 characters is cut to the limit of 10; the rest is not placed",
    )


def test_zip_sizes_are_checked_before_reading(tmp_path: Path) -> None:
    big = "<c/>" * 1_500_000  # 6 MB that packs into a few kilobytes
    path = raw_workbook(tmp_path / "ratio.xlsx", HEADER_XML + f'<row r="2">{big}</row>')
    size = path.stat().st_size
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert triples(import_sheet(path)) == [
        (
            "ratio.xlsx",
            "error",
            f"workbook unpacks to {unpacked:,} bytes, {unpacked // size:,} times its size (the "
            "limit is 100 times): it is not read",
        )
    ]


def test_a_zip_that_understates_a_size_is_read_no_further(tmp_path: Path) -> None:
    path = raw_workbook(tmp_path / "liar.xlsx", HEADER_XML, "<si><t>ab</t></si>" * 50_000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        central = archive.start_dir  # the central directory: one record per member
    while data[central + 46 : central + 46 + len(b"xl/strings.xml")] != b"xl/strings.xml":
        lengths = [
            int.from_bytes(data[central + i : central + i + 2], "little") for i in (28, 30, 32)
        ]
        central += 46 + sum(lengths)
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # uncompressed size: 100
    path.write_bytes(bytes(data))
    (message,) = import_sheet(path).messages
    assert (message.location, message.severity) == ("liar.xlsx", "error")
    assert message.text.startswith("cannot read the workbook: ")


# --- writing: the folder is decided on without walking it -----------------------------------


@pytest.fixture
def no_walking(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail on any walk of a folder; count the entries read with os.scandir."""
    import os

    seen: list[str] = []

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the output folder was walked")

    real_scandir = os.scandir

    class Counting:
        def __init__(self, path: object) -> None:
            self.inner = real_scandir(path)  # type: ignore[call-overload]

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

        def __iter__(self) -> Counting:
            return self

        def __next__(self) -> object:
            entry = next(self.inner)
            seen.append(entry.name)
            return entry

    monkeypatch.setattr(os, "walk", refuse)
    monkeypatch.setattr(os, "listdir", refuse)
    monkeypatch.setattr(Path, "rglob", refuse)
    monkeypatch.setattr(Path, "iterdir", refuse)
    monkeypatch.setattr(Path, "glob", refuse)
    monkeypatch.setattr(os, "scandir", Counting)
    return seen


@pytest.mark.parametrize("force", [False, True])
def test_a_filesystem_root_is_never_written_or_listed(
    tmp_path: Path, no_walking: list[str], force: bool
) -> None:
    files = {"handbook.yaml": "x: 1\n"}
    assert write_import(files, "/", force=force) == (
        ImportMessage(
            "/",
            "error",
            "refused: it is the root of a filesystem; give a new folder, such as content",
        ),
    )
    assert no_walking == []


@pytest.mark.parametrize("force", [False, True])
def test_the_home_folder_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_walking: list[str], force: bool
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    refused = write_import({"handbook.yaml": "x: 1\n"}, home / ".", force=force)
    assert [(m.severity, m.text) for m in refused] == [
        ("error", "refused: it is your home folder; give a new folder, such as content")
    ]
    assert no_walking == [] and not (home / "handbook.yaml").exists()


def test_a_full_folder_it_did_not_write_is_refused_after_one_entry(
    tmp_path: Path, no_walking: list[str]
) -> None:
    out = tmp_path / "big"
    out.mkdir()
    for i in range(300):
        (out / f"note-{i}.txt").write_text("")
    files = {"handbook.yaml": "x: 1\n", "teams.yaml": "teams: []\n"}
    (message,) = write_import(files, out)
    assert (message.location, message.severity) == (out.as_posix(), "error")
    first = no_walking[0]
    assert message.text == (
        f"refused: the folder holds '{first}', which this import does not write; give a new or "
        "empty folder, or use force"
    )
    assert no_walking == [first]  # the first entry that is not the import's ends the look
    no_walking.clear()
    assert write_import(files, out, force=True) == ()
    assert no_walking == []  # with force nothing is listed at all
    assert (out / "teams.yaml").read_text() == "teams: []\n"


def test_an_earlier_import_is_not_a_foreign_folder(tmp_path: Path, no_walking: list[str]) -> None:
    files = {"handbook.yaml": "x: 1\n", "teams.yaml": "teams: []\n"}
    out = tmp_path / "content"
    assert write_import(files, out) == ()
    assert [(m.location, m.text) for m in write_import(files, out)] == [
        ((out / name).as_posix(), "already exists; use force to overwrite it") for name in files
    ]
    hostile = out / "x\x1b[2J\u202e.md"
    hostile.write_text("")
    message = write_import(files, out)[0]
    assert message.text == (
        "refused: the folder holds 'x\\u001b[2J\\u202e.md', which this import does not write; "
        "give a new or empty folder, or use force"
    )


def test_messages_stop_being_listed_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_MESSAGES", 4)
    monkeypatch.setattr(limits, "MAX_CONTROL_REPORTS", 2)
    source = tmp_path / "bad.csv"
    rows = [
        "Activity,Sales",
        *(f"Row\x9b{i},A/R" for i in range(3)),
        *(f"Row {i},{7 + i}" for i in range(5)),  # distinct: the same text is one message
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = import_sheet(source)
    assert triples(result) == [
        ("bad.csv:2:A", "warning", "1 control character(s) removed from the text"),
        ("bad.csv:3:A", "warning", "1 control character(s) removed from the text"),
        (
            "bad.csv:3:A",
            "warning",
            "control characters are removed from the cells below too, without a message for each",
        ),
        ("bad.csv:5:B", "error", f"'7' {NOT_A_LETTER}"),
        # the last one listed is an error, as messages left out are
        ("bad.csv:5:A", "error", "the messages from here on are not listed: the limit is 4"),
    ]
    assert len(result.errors) == 2 and result.written == 3


# --- issue 16: the sheets organisations really keep -------------------------------------
#
# Each shape below is one a real, public RACI sheet had; each is read with no option given,
# and the layout printed, the messages and what lands on which activity and party are pinned.

STEPS = [
    ["Ops RACI"],
    [
        None,
        "Step Id",
        "Task",
        "Dev Team",
        "UX/UI Designer",
        "Person A / Person B",
        "AUCyber (IaaS)",
        "Estimate (days)",
        "Notes",
    ],
    ["**Plan**"],
    [None, 1, "Write spec", "R", "C", "A", None, 3, "first draft"],
    [None, 3, "Review\nspec", "C", "A", "R", "I", 1, None],
    ["Build"],
    [None, 4, "Ship it", "A/R", "N", "N", "C", 5, None],
    [None, 5, "Announce", "A", "N", "N", "I", 1, None],
    ["Total", None, None, None, None, None, None, 10, None],
]
STEPS_LAYOUT = [
    "header: row 2",
    "activities: column C 'Task' (rows 4-8)",
    "ids: column B 'Step Id' numbers the rows; not read",
    "summaries: column I 'Notes'",
    "stages: heading rows 3, 6",
    "parties: D-G (4; ':' names a role in a team; '/' and '( )' stay in names)",
    "ignored: column H 'Estimate (days)', no letter in any row",
    "ignored: totals row 9",
    "policy: 1 row(s) with an A but no R read as A/R (--a-without-r skip leaves them out)",
    "options that read it so: --header-row 2 --activity-column C --ignore-column H",
    "title: 'Ops RACI'",
]
STEPS_RACI = {
    "write-spec": ("plan", ["dev-team"], "person-a-person-b", ["ux-ui-designer"], []),
    "review-spec": (
        "plan",
        ["person-a-person-b"],
        "ux-ui-designer",
        ["dev-team"],
        ["aucyber-iaas"],
    ),
    "ship-it": ("build", ["dev-team"], "dev-team", ["aucyber-iaas"], []),
    "announce": ("build", ["dev-team"], "dev-team", [], ["aucyber-iaas"]),
}


def raci_of(model: Model) -> dict[str, tuple[str, list[str], str, list[str], list[str]]]:
    return {
        a.id: (
            a.stages[0],
            list(a.raci.responsible),
            a.raci.accountable,
            list(a.raci.consulted or ()),
            list(a.raci.informed or ()),
        )
        for a in model.activities
    }


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def write_merged_xlsx(path: Path, rows: Sequence[Sequence[object]], merged: list[str]) -> Path:
    write_xlsx(path, {"RACI": rows})
    workbook = openpyxl.load_workbook(path)
    for cells in merged:
        workbook["RACI"].merge_cells(cells)
    workbook.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_step_ids_blank_corner_headings_estimates_and_totals(tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        path = write_csv(tmp_path / "steps.csv", STEPS)
        at = "steps.csv:{}:{}"
    else:  # headings merged across the row, as people do
        path = write_merged_xlsx(tmp_path / "steps.xlsx", STEPS, ["A3:I3", "A6:I6"])
        at = "steps.xlsx:RACI!{1}{0}"
    result = import_sheet(path)
    layout = list(STEPS_LAYOUT)
    if kind == "xlsx":
        layout[9] = layout[9].replace("so: ", "so: --sheet RACI ")
    assert list(result.layout) == layout
    assert triples(result) == [
        (at.format(1, "A"), "warning", "read as a title: the handbook is called 'Ops RACI'"),
        (at.format(2, "B"), "warning", "column B 'Step Id' numbers the rows; it is not read"),
        (
            at.format(7, "E"),
            "error",
            "'N' in 4 cells, E7, F7, E8, F8, is not a RACI letter (R, A, C or I, or a "
            "combination such as A/R); the cells are not placed; if N means not involved, "
            "pass --blank N",
        ),
        (
            at.format(8, "C"),
            "warning",
            "'Announce' has an A but no R: 'dev-team' (D8) is read as accountable and "
            "responsible (A/R); pass --a-without-r skip to leave such rows out",
        ),
        *PLACEHOLDERS,
    ]
    model = loads_cleanly(result, tmp_path / "out")
    assert raci_of(model) == STEPS_RACI
    assert [a.name for a in model.activities] == [
        "Write spec",
        "Review spec",
        "Ship it",
        "Announce",
    ]
    assert [(t.id, t.name) for t in model.teams] == [
        ("dev-team", "Dev Team"),
        ("ux-ui-designer", "UX/UI Designer"),
        ("person-a-person-b", "Person A / Person B"),
        ("aucyber-iaas", "AUCyber (IaaS)"),
    ]
    assert model.activities[0].summary == "first draft"

    blanked = import_sheet(path, options=importsheet.ImportOptions(blank=("N",)))
    assert [m for m in blanked.errors] == []
    skipped = import_sheet(path, options=importsheet.ImportOptions(a_without_r="skip"))
    assert skipped.written == 3 and skipped.skipped == 1


GROUPS = [
    [
        "Key Management Area",
        "Activity",
        "Security - keeps keys safe and audited",
        "Platform",
        "Audit",
    ],
    ["Generation", "Create keys", "A", "R", "I"],
    [None, "Rotate keys", "(R)", "R (A)", "-"],
    ["Storage", "Back up keys", "**A/R**", "N/A", "C"],
    [None, "Destroy keys", "Accountable", "Responsible", "n/a"],
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_group_column_with_merged_cells_and_words_for_letters(tmp_path: Path, kind: str) -> None:
    if kind == "csv":
        path = write_csv(tmp_path / "keys.csv", GROUPS)
    else:
        path = write_merged_xlsx(tmp_path / "keys.xlsx", GROUPS, ["A2:A3", "A4:A5"])
    result = import_sheet(path)
    sheet = "--sheet RACI " if kind == "xlsx" else ""
    assert list(result.layout) == [
        "header: row 1",
        "activities: column B 'Activity' (rows 2-5)",
        "stages: column A 'Key Management Area'",
        "parties: C-E (3; ':' names a role in a team; '/' and '( )' stay in names)",
        f"options that read it so: {sheet}--header-row 1 --activity-column B --stage-column A",
        "title: 'Ownership handbook' (the sheet has none; --title names it)",
    ]
    assert triples(result) == PLACEHOLDERS
    model = loads_cleanly(result, tmp_path / "out")
    assert raci_of(model) == {
        "create-keys": ("generation", ["platform"], "security", [], ["audit"]),
        "rotate-keys": ("generation", ["security", "platform"], "platform", [], []),
        "back-up-keys": ("storage", ["security"], "security", ["audit"], []),
        "destroy-keys": ("storage", ["platform"], "security", [], []),
    }
    assert model.team_by_id["security"].summary == "keeps keys safe and audited"


def test_a_first_column_headed_phase_that_holds_the_activities(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "phases.csv",
        [
            ["Phase", "Sales", "Marketing", "Support"],
            ["Discovery", "A", "R", "I"],
            ["Proposal", "R", "A", None],
        ],
    )
    result = import_sheet(path, options=importsheet.ImportOptions(stage="Sales cycle"))
    assert result.layout[1] == "activities: column A 'Phase' (rows 2-3)"
    model = loads_cleanly(result, tmp_path / "out")
    assert raci_of(model) == {
        "discovery": ("sales-cycle", ["marketing"], "sales", [], ["support"]),
        "proposal": ("sales-cycle", ["sales"], "marketing", [], []),
    }


def test_rasci_support_needs_an_option_and_is_never_dropped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "rasci.csv",
        [
            ["Process", "Finance", "IT", "HR"],
            ["Payroll", "A", "S", "R"],
            ["Hiring", "S", "S", "A/R"],
        ],
    )
    refused = import_sheet(path)
    assert refused.files == {}
    assert triples(refused) == [
        (
            "rasci.csv:2:C",
            "error",
            "'S' (RASCI's Support) in 3 cells, C2, B3, C3: the model has no Support; pass "
            "--support consulted or --support responsible; nothing is written",
        )
    ]
    result = import_sheet(path, options=importsheet.ImportOptions(support="consulted"))
    assert triples(result)[0] == (
        "rasci.csv:2:C",
        "warning",
        "'S' (RASCI's Support) in 3 cells is read as consulted, as --support consulted says",
    )
    model = loads_cleanly(result, tmp_path / "out")
    assert raci_of(model)["hiring"] == ("all-activities", ["hr"], "hr", ["finance", "it"], [])


def test_a_transposed_matrix_with_teams_as_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "teams.csv",
        [
            ["Team", "Plan release", "Ship release"],
            ["Engineering", "R", "A/R"],
            ["Product", "A", "C"],
        ],
    )
    result = import_sheet(path)
    assert result.layout[0] == (
        "orientation: transposed (parties are rows): the first header cell is 'team'; "
        "--no-transpose reads it as it stands"
    )
    model = loads_cleanly(result, tmp_path / "out")
    assert raci_of(model) == {
        "plan-release": ("all-activities", ["engineering"], "product", [], []),
        "ship-release": ("all-activities", ["engineering"], "engineering", ["product"], []),
    }


def test_markdown_tables_with_markup(tmp_path: Path) -> None:
    path = tmp_path / "raci.md"
    path.write_text(
        "# Our RACI\n\n| Term | Meaning |\n|---|---|\n| R | Responsible |\n\n## Matrix\n\n"
        "| Work item | **Dev** | `Ops` | QA |\n|---|---|---|---|\n"
        "| Build *image* | A/R | C | |\n| Deploy \\| roll back | I | **A/R** | C |\n",
        encoding="utf-8",
    )
    result = import_sheet(path, options=importsheet.ImportOptions(title="Platform"))
    assert list(result.layout)[:3] == [
        "read: table 2 of 2 (line 9), the one with the most RACI letters; the others: 1 "
        "(line 3, 1 letters); --table N reads another",
        "header: row 9",
        "activities: column A 'Work item' (rows 11-12)",
    ]
    model = loads_cleanly(result, tmp_path / "out")
    assert [a.name for a in model.activities] == ["Build image", "Deploy | roll back"]
    assert [t.name for t in model.teams] == ["Dev", "Ops", "QA"]
    assert raci_of(model)["deploy-roll-back"] == ("all-activities", ["ops"], "ops", ["qa"], ["dev"])
    first = import_sheet(path, options=importsheet.ImportOptions(table=1))
    assert first.files == {}


def test_options_override_what_the_cells_suggest(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "steps.csv", STEPS)
    options = importsheet.ImportOptions(
        activity_column="C", ignore_columns=("I",), roles=True, blank=("N",)
    )
    result = import_sheet(path, options=options)
    assert "ignored: column I 'Notes', --ignore-column" in result.layout
    model = loads_cleanly(result, tmp_path / "out")
    assert [t.id for t in model.teams][:3] == ["dev-team", "ux", "person-a"]
    bad = import_sheet(path, options=importsheet.ImportOptions(activity_column="Nope"))
    assert triples(bad) == [("steps.csv", "error", "--activity-column Nope: no such column")]


def test_the_default_handbooks_raci_xlsx_imports_back(tmp_path: Path) -> None:
    from ownbook.render.exports import raci_xlsx

    default_model = load_model(ROOT / "content", today=TODAY).model
    assert default_model is not None
    path = tmp_path / "raci.xlsx"
    path.write_bytes(raci_xlsx(default_model))
    result = import_sheet(path)
    assert result.layout[0].startswith("read: sheet Matrix (")
    model = loads_cleanly(result, tmp_path / "out")

    def letters(m: Model) -> dict[str, dict[str, set[str]]]:
        """Each activity's letters by party name: the sheet names parties, not their ids."""
        names = {}
        for team in m.teams:
            names[team.id] = team.name
            for role in team.roles:
                names[f"{team.id}/{role.id}"] = f"{team.name} / {role.name}"
        return {
            a.id: {
                "R": {names[p] for p in a.raci.responsible},
                "A": {names[a.raci.accountable]},
                "C": {names[p] for p in a.raci.consulted or ()},
                "I": {names[p] for p in a.raci.informed or ()},
            }
            for a in m.activities
        }

    assert letters(model) == letters(default_model)
    assert [a.stages for a in model.activities] == [a.stages for a in default_model.activities]
    assert [a.kind for a in model.activities] == [a.kind for a in default_model.activities]
    assert model.handbook.lifecycle == default_model.handbook.lifecycle


def test_the_command_prints_the_layout_before_anything_else(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from ownbook.cli.app import cli

    path = write_csv(tmp_path / "steps.csv", STEPS)
    run = CliRunner().invoke(
        cli, ["import", str(path), "-o", str(tmp_path / "content"), "--blank", "N"]
    )
    assert run.exit_code == 0, run.output
    lines = run.stderr.splitlines()
    assert lines[:3] == ["layout of steps.csv:", "  header: row 2", "  " + STEPS_LAYOUT[1]]
    assert "wrote 4 activities" in run.stdout


def test_two_columns_that_could_each_name_the_activities_stop_the_import(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "two.csv",
        [
            ["Owner note", "Item", "Sales", "Legal"],
            ["ask Kim", "Quote", "A/R", "C"],
            ["ask Lee", "Contract", "I", "A/R"],
        ],
    )
    result = import_sheet(path)
    assert result.files == {}
    assert triples(result) == [
        (
            "two.csv:1:A",
            "error",
            "columns A 'Owner note' and B 'Item' could each name the activities; pass "
            "--activity-column A (or another) to say which",
        )
    ]
    chosen = import_sheet(path, options=importsheet.ImportOptions(activity_column="B"))
    assert chosen.layout[-2] == (
        "options that read it so: --header-row 1 --activity-column B --ignore-column A"
    )
    model = loads_cleanly(chosen, tmp_path / "out")
    assert [a.name for a in model.activities] == ["Quote", "Contract"]


def test_the_layout_names_the_options_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "steps.csv", STEPS)
    options = importsheet.ImportOptions(blank=("N",), a_without_r="skip", stage="Ops 1")
    result = import_sheet(path, options=options)
    assert result.layout[-2] == (
        "options that read it so: --header-row 2 --activity-column C --ignore-column H "
        "--blank N --a-without-r skip --stage 'Ops 1'"
    )
    assert triples(result)[2] == (
        "steps.csv:8:C",
        "error",
        "row left out: 'Announce' has no responsible party (R); an activity needs exactly one "
        "A and at least one R (write A/R in D8 if that party also does the work)",
    )


def test_new_from_a_sheet_starts_a_handbook_repository(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from ownbook.cli.app import cli

    path = write_csv(tmp_path / "keys.csv", GROUPS)
    folder = tmp_path / "handbook"
    run = CliRunner().invoke(
        cli, ["new", str(folder), "--from", str(path), "--organization", "Key Co"]
    )
    assert run.exit_code == 0, run.output
    assert run.stderr.splitlines()[:2] == ["layout of keys.csv:", "  header: row 1"]
    assert "wrote a handbook into" in run.stdout
    checked = load_model(folder / "content", today=TODAY)
    assert [p.format() for p in checked.errors] == []
    assert checked.model is not None
    assert checked.model.handbook.organization == "Key Co"
    assert [a.id for a in checked.model.activities][:2] == ["create-keys", "rotate-keys"]
    assert (folder / "mkdocs.yml").is_file()

    refused = CliRunner().invoke(
        cli, ["new", str(tmp_path / "other"), "--from", str(path), "--example", "lifecycle"]
    )
    assert refused.exit_code == 2 and not (tmp_path / "other").exists()


def test_stage_headings_in_bold(tmp_path: Path) -> None:
    rows = [
        ["Task", "Sales", "Legal", "Notes"],
        ["Prepare", None, None, "2 tasks"],  # bold: a heading, though the Notes cell is filled
        ["Draft quote", "A/R", "C", None],
        ["Check terms", "I", "A/R", None],
        ["Sign", None, None, "1 task"],
        ["Countersign", "A", "R", None],
    ]
    path = write_xlsx(tmp_path / "bold.xlsx", {"RACI": rows})
    workbook = openpyxl.load_workbook(path)
    for row in (2, 5):
        for cell in workbook["RACI"][row]:
            cell.font = openpyxl.styles.Font(bold=True)
    workbook.save(path)
    result = import_sheet(path)
    assert list(result.layout[2:4]) == ["summaries: column D 'Notes'", "stages: heading rows 2, 5"]
    model = loads_cleanly(result, tmp_path / "out")
    assert raci_of(model) == {
        "draft-quote": ("prepare", ["sales"], "sales", ["legal"], []),
        "check-terms": ("prepare", ["legal"], "legal", [], ["sales"]),
        "countersign": ("sign", ["legal"], "sales", [], []),
    }

    markdown = tmp_path / "bold.md"
    markdown.write_text(
        "| Task | Sales | Legal | Notes |\n|---|---|---|---|\n"
        "| **Prepare** | | | **2 tasks** |\n| Draft quote | A/R | C | |\n"
        "| Check terms | I | A/R | |\n| **Sign** | | | **1 task** |\n| Countersign | A | R | |\n",
        encoding="utf-8",
    )
    result = import_sheet(markdown)
    assert result.layout[3] == "stages: heading rows 3, 6"
    assert raci_of(loads_cleanly(result, tmp_path / "md")) == raci_of(model)


DELIVERABLES = [
    ["Ref", "Deliverable", "Name", "Product Owner", "Developer", "Tester", "Due"],
    ["D1", "Requirements", "Kim Lee", "A/R", "C", "I", "2025-01-10"],
    ["D2", "Test plan", "Ann Roe", "C", "I", "A/R", "2025-02-01"],
    ["D3", "Release", "Bo Li", "A", "R", "R", "2025-03-01"],
]
DELIVERABLES_RACI = {
    "requirements": (
        "all-activities",
        ["product-owner"],
        "product-owner",
        ["developer"],
        ["tester"],
    ),
    "test-plan": ("all-activities", ["tester"], "tester", ["product-owner"], ["developer"]),
    "release": ("all-activities", ["developer", "tester"], "product-owner", [], []),
}
PHASES = [["Phase", "Sales", "Marketing", "Support"], ["Discovery", "A", "R", "I"]]
PHASES += [["Proposal", "R", "A", None]]
TEAMS_DOWN = [["Team", "Plan release", "Ship release"], ["Engineering", "R", "A/R"]]
TEAMS_DOWN += [["Product", "A", "C"]]
SHAPES = {
    "steps": (STEPS, ["A3:I3", "A6:I6"], STEPS_RACI),
    "groups": (
        GROUPS,
        ["A2:A3", "A4:A5"],
        {
            "create-keys": ("generation", ["platform"], "security", [], ["audit"]),
            "rotate-keys": ("generation", ["security", "platform"], "platform", [], []),
            "back-up-keys": ("storage", ["security"], "security", ["audit"], []),
            "destroy-keys": ("storage", ["platform"], "security", [], []),
        },
    ),
    "deliverables": (DELIVERABLES, [], DELIVERABLES_RACI),
    "phases": (
        PHASES,
        [],
        {
            "discovery": ("all-activities", ["marketing"], "sales", [], ["support"]),
            "proposal": ("all-activities", ["sales"], "marketing", [], []),
        },
    ),
    "teams-down": (
        TEAMS_DOWN,
        [],
        {
            "plan-release": ("all-activities", ["engineering"], "product", [], []),
            "ship-release": ("all-activities", ["engineering"], "engineering", ["product"], []),
        },
    ),
}


def write_markdown(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A sheet as a Markdown pipe table, its first row the header."""

    def line(row: Sequence[object]) -> str:
        cells = ["" if v is None else str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        return "| " + " | ".join(cells) + " |\n"

    width = max(len(row) for row in rows)
    padded = [list(row) + [None] * (width - len(row)) for row in rows]
    text = line(padded[0]) + "|" + "---|" * width + "\n" + "".join(line(r) for r in padded[1:])
    path.write_text("Our RACI, as kept in the docs.\n\n" + text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx", "md"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_in_every_format_places_every_letter(
    tmp_path: Path, shape: str, kind: str
) -> None:
    rows, merged, expected = SHAPES[shape]
    if kind == "csv":
        path = write_csv(tmp_path / f"{shape}.csv", rows)
    elif kind == "xlsx":
        path = write_merged_xlsx(tmp_path / f"{shape}.xlsx", rows, merged)
    else:
        if shape == "steps":  # a title row above the header is not a Markdown table
            rows = rows[1:]
        path = write_markdown(tmp_path / f"{shape}.md", rows)
    result = import_sheet(path)
    blanked = import_sheet(path, options=importsheet.ImportOptions(blank=("N",)))
    assert blanked.errors == ()
    assert raci_of(loads_cleanly(result, tmp_path / "out")) == expected
    # the options printed read the sheet the same way, given on the command line
    from click.testing import CliRunner
    from ownbook.cli.app import cli

    (again,) = [x for x in result.layout if x.startswith("options that read it so: ")]
    args = shlex.split(again.removeprefix("options that read it so: "))
    run = CliRunner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "again"), *args])
    assert run.exit_code in (0, 1), run.output
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "again").iterdir()}
    assert written == dict(result.files)


def test_columns_that_are_not_parties_are_said_to_be_ignored(tmp_path: Path) -> None:
    result = import_sheet(write_csv(tmp_path / "deliverables.csv", DELIVERABLES))
    assert list(result.layout) == [
        "header: row 1",
        "activities: column B 'Deliverable' (rows 2-4)",
        "ids: column A 'Ref' numbers the rows; not read",
        "stages: none; every activity is under 'All activities'",
        "parties: D-F (3; ':' names a role in a team; '/' and '( )' stay in names)",
        "ignored: column C 'Name', no letter in any row",
        "ignored: column G 'Due', no letter in any row",
        "options that read it so: --header-row 1 --activity-column B --ignore-column C "
        "--ignore-column G",
        "title: 'Ownership handbook' (the sheet has none; --title names it)",
    ]
    assert triples(result) == [
        ("deliverables.csv:1:A", "warning", "column A 'Ref' numbers the rows; it is not read"),
        (
            "deliverables.csv",
            "warning",
            "the sheet names no stages; all activities are put under one stage "
            "'All activities' (--stage NAME names it)",
        ),
        *PLACEHOLDERS,
    ]


def test_a_transposed_sheet_with_a_blank_corner_stops_and_names_the_option(
    tmp_path: Path,
) -> None:
    rows = [
        [None, "Plan the release", "Ship the release", "Announce the release"],
        ["Engineering", "R", "A/R", None],
        ["Product", "A", "C", "A/R"],
    ]
    path = write_csv(tmp_path / "corner.csv", rows)
    result = import_sheet(path)
    assert result.files == {}
    assert triples(result) == [
        (
            "corner.csv:1:A",
            "error",
            "the sheet may be transposed: its 3 party columns are named like activities "
            "('Plan the release') and its 2 rows like parties ('Engineering'); pass "
            "--transpose if parties are rows, or --no-transpose",
        )
    ]
    turned = import_sheet(path, options=importsheet.ImportOptions(transpose=True))
    model = loads_cleanly(turned, tmp_path / "out")
    assert raci_of(model) == {
        "plan-the-release": ("all-activities", ["engineering"], "product", [], []),
        "ship-the-release": ("all-activities", ["engineering"], "engineering", ["product"], []),
        "announce-the-release": ("all-activities", ["product"], "product", [], []),
    }
    assert turned.layout[0] == "header: column A"
    assert turned.layout[1] == "activities: row 1 (no header) (columns B-D)"


def test_how_party_headers_name_roles(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roles.csv",
        [
            ["Activity", "Sales: EMEA Lead", "UX/UI Designer", "AUCyber (IaaS)"],
            ["Close", "A/R", "C", "I"],
        ],
    )
    auto = loads_cleanly(import_sheet(path), tmp_path / "auto")
    assert [(t.id, [r.id for r in t.roles]) for t in auto.teams] == [
        ("sales", ["emea-lead"]),
        ("ux-ui-designer", []),
        ("aucyber-iaas", []),
    ]
    whole = import_sheet(path, options=importsheet.ImportOptions(roles=False))
    assert [t.id for t in loads_cleanly(whole, tmp_path / "whole").teams] == [
        "sales-emea-lead",
        "ux-ui-designer",
        "aucyber-iaas",
    ]
    split = import_sheet(path, options=importsheet.ImportOptions(roles=True))
    assert [
        (t.id, [r.id for r in t.roles]) for t in loads_cleanly(split, tmp_path / "s").teams
    ] == [
        ("sales", ["emea-lead"]),
        ("ux", ["ui-designer"]),
        ("iaas", ["aucyber"]),
    ]


def test_a_column_with_few_letters_is_said_and_can_be_read_as_a_party(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "few.csv",
        [
            ["Activity", "Sales", "Legal"],
            ["Quote", "A/R", "see the contract"],
            ["Renew", "A/R", "ask first"],
            ["Sign", "A", "R"],
            ["Archive", "A/R", "after a year"],
        ],
    )
    result = import_sheet(path)
    assert "ignored: column C 'Legal', 1 letter(s) among 4 cells" in result.layout
    assert triples(result)[0] == (
        "few.csv:1:C",
        "warning",
        "column C 'Legal' holds 1 letter(s) among 4 cells, too few for a party; it is not "
        "read (--party-column C reads it as one)",
    )
    read = import_sheet(path, options=importsheet.ImportOptions(party_columns=("C",)))
    assert "options that read it so: --header-row 1 --activity-column A --party-column C" in (
        read.layout
    )
    assert raci_of(loads_cleanly(read, tmp_path / "out"))["sign"] == (
        "all-activities",
        ["legal"],
        "sales",
        [],
        [],
    )


# --- shapes of public RACI sheets -----------------------------------------------------------

STEP_IDS = [
    ["Step Id", "Task", "Project Manager", "UX/UI Designer", "AUCyber (IaaS)", "Estimate (days)"],
    ["Planning"],
    [1, "Draft the charter", "A/R", "C", "N", 3],
    [2, "Approve budget", "A", "N", "I", 1],
    ["Delivery"],
    [3, "Build the prototype", "I", "R (A)", "S", 10],
    [4, "Security review", "C", "-", "A/R", 2],
]
STEP_IDS_MD = (
    "| Step Id | Task | Project Manager | UX/UI Designer | AUCyber (IaaS) |"
    + """ Estimate (days) |
|---|---|---|---|---|---|
| **Planning** | | | | | |
| 1 | Draft the charter | **A/R** | C | N | 3 |
| 2 | Approve budget | A | N | I | 1 |
| **Delivery** | | | | | |
| 3 | Build the prototype | I | R (A) | S | 10 |
| 4 | Security review | C | - | A/R | 2 |
"""
)


@pytest.mark.parametrize("kind", ["md", "csv", "xlsx"])
def test_heading_rows_in_the_id_column_are_stages(tmp_path: Path, kind: str) -> None:
    """Review: a heading alone on its row, in the id column, was swallowed by the numbering
    and the stages lost. Markdown bold, plain CSV and a bold XLSX row merged across read
    alike (the Markdown table's rows are its file lines)."""
    if kind == "md":
        path = tmp_path / "steps.md"
        path.write_text(STEP_IDS_MD, encoding="utf-8")
        at, first, head = "steps.md:{}:{}", 3, ""
    elif kind == "csv":
        path = write_csv(tmp_path / "steps.csv", STEP_IDS)
        at, first, head = "steps.csv:{}:{}", 2, ""
    else:
        path = write_merged_xlsx(tmp_path / "steps.xlsx", STEP_IDS, ["A2:F2", "A5:F5"])
        workbook = openpyxl.load_workbook(path)
        for row in (2, 5):
            workbook["RACI"].cell(row, 1).font = openpyxl.styles.Font(bold=True)
        workbook.save(path)
        at, first, head = "steps.xlsx:RACI!{1}{0}", 2, "--sheet RACI "
    n = first - 2  # how far the rows stand below the CSV's

    def layout(*policy: str, extra: str = "") -> list[str]:
        return [
            "header: row 1",
            f"activities: column B 'Task' (rows {3 + n}-{7 + n})",
            "ids: column A 'Step Id' numbers the rows; not read",
            f"stages: heading rows {2 + n}, {5 + n}",
            "parties: C-E (3; ':' names a role in a team; '/' and '( )' stay in names)",
            "ignored: column F 'Estimate (days)', no letter in any row",
            "policy: 1 row(s) with an A but no R read as A/R (--a-without-r skip leaves them out)",
            *policy,
            f"options that read it so: {head}--header-row 1 --activity-column B "
            f"--ignore-column F{extra}",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ]

    numbers = (at.format(1, "A"), "warning", "column A 'Step Id' numbers the rows; it is not read")
    a_as_r = (
        at.format(4 + n, "B"),
        "warning",
        f"'Approve budget' has an A but no R: 'project-manager' (C{4 + n}) is read as "
        "accountable and responsible (A/R); pass --a-without-r skip to leave such rows out",
    )
    refused = import_sheet(path)  # S needs --support: nothing is written, and it says so
    assert list(refused.layout) == layout()
    assert triples(refused) == [
        numbers,
        (
            at.format(3 + n, "E"),
            "error",
            f"'N' in 2 cells, E{3 + n}, D{4 + n}, {NOT_A_LETTER.replace('cell is', 'cells are')}"
            "; if N means not involved, pass --blank N",
        ),
        a_as_r,
        (
            at.format(6 + n, "E"),
            "error",
            f"'S' (RASCI's Support) in 1 cell, E{6 + n}: the model has no Support; pass "
            "--support consulted or --support responsible; nothing is written",
        ),
    ]
    assert refused.files == {}
    options = importsheet.ImportOptions(blank=("N",), support="consulted")
    result = import_sheet(path, options=options)
    assert list(result.layout) == layout(
        "policy: 1 S cell(s) read as consulted", extra=" --blank N --support consulted"
    )
    assert triples(result) == [
        numbers,
        a_as_r,
        (
            at.format(6 + n, "E"),
            "warning",
            "'S' (RASCI's Support) in 1 cell is read as consulted, as --support consulted says",
        ),
        *PLACEHOLDERS,
    ]
    model = loads_cleanly(result, tmp_path / "out")
    assert [(s.id, s.name) for s in model.stages] == [
        ("planning", "Planning"),
        ("delivery", "Delivery"),
    ]
    assert raci_of(model) == {
        "draft-the-charter": (
            "planning",
            ["project-manager"],
            "project-manager",
            ["ux-ui-designer"],
            [],
        ),
        "approve-budget": (
            "planning",
            ["project-manager"],
            "project-manager",
            [],
            ["aucyber-iaas"],
        ),
        "build-the-prototype": (
            "delivery",
            ["ux-ui-designer"],
            "ux-ui-designer",
            ["aucyber-iaas"],
            ["project-manager"],
        ),
        "security-review": ("delivery", ["aucyber-iaas"], "aucyber-iaas", ["project-manager"], []),
    }


PUBLIC = {
    "lots": (
        [
            ["Lots", "Activity", "Buyer", "Supplier", "PMO"],
            ["Lot 1 - Hardware", "Specify hardware", "A", "R", "C"],
            [None, "Deliver hardware", "I", "A/R", "C"],
            [None, "Accept hardware", "A/R", "C", "I"],
            ["Lot 2 - Services", "Define services", "A", "R", "I"],
            [None, "Run services", "I", "A/R", "C"],
        ],
        ["A2:A4", "A5:A6"],
    ),
    "key-areas": (
        [
            [
                "Key Management Area",
                "Ref",
                "Key Management Activity",
                "CISO",
                "IT Ops",
                "Data Owner",
            ],
            ["Key generation", "KM-1", "Generate keys", "A", "R", "I"],
            [None, "KM-2", "Store keys", "A", "R", "C"],
            ["Key rotation", "KM-3", "Rotate keys", "A", "R", "I"],
            [None, "KM-4", "Revoke keys", "A/R", "C", "I"],
        ],
        ["A2:A3", "A4:A5"],
    ),
    "phase": (
        [
            ["Phase", "Sponsor", "Project Manager", "Team"],
            ["Initiation", "A", "R", "I"],
            ["Planning", "I", "A/R", "C"],
            ["Execution", "I", "A", "R"],
            ["Closure", "A", "R", "C"],
        ],
        [],
    ),
    "hash-ids": (
        [
            ["#", "Activity", "Owner", "Dev", "QA"],
            ["Discovery"],
            ["1.1", "Plan", "A/R", "C", "I"],
            ["1.2", "Build", "A", "R", "C"],
            ["Release"],
            ["2.1", "Test", "I", "C", "A/R"],
        ],
        ["A2:E2", "A5:E5"],
    ),
    "no-ids": (
        [
            ["No.", "Activity", "Owner", "Dev", "QA"],
            ["A-1", "Plan", "A/R", "C", "I"],
            ["A-2", "Build", "A", "R", "C"],
            ["A-3", "Test", "I", "C", "A/R"],
        ],
        [],
    ),
    "blank-corner": (
        [[None, "Owner", "Dev", "QA"], ["Plan", "A/R", "C", "I"], ["Build", "A", "R", "C"]],
        [],
    ),
    "described-parties": (
        [
            [
                "Activity",
                "Person A / Person B",
                "Platform Team - runs the shared cloud platform",
                "Security - reviews every change",
                "Notes",
            ],
            ["Provision accounts", "A/R", "C", None, "ask in #help"],
            ["Patch servers", "I", "A/R", "C", None],
            ["Review access", "A", "R", "C", "quarterly, see policy 4.2"],
            ["Total", 3, 3, 2, None],
        ],
        [],
    ),
    "band-over-parties": (
        [
            [None, None, "Business", None, "IT", None],
            ["Ref", "Activity", "Sponsor", "Owner", "Dev", "Ops"],
            ["1", "Approve scope", "A", "R", "C", "I"],
            ["2", "Build", "I", "A", "R", "C"],
            ["3", "Run", "I", "A", "C", "R"],
        ],
        ["C1:D1", "E1:F1"],
    ),
    "comments-and-legend": (
        [
            ["Activity", "Sales", "Ops", "Comments"],
            ["Plan", "A/R", "C", "ok"],
            ["Build", "A", "R", "TBD"],
            ["Run", "I", "A/R", "needs a review by legal first"],
            [],
            ["Legend"],
            ["R", "Responsible"],
            ["A", "Accountable"],
        ],
        [],
    ),
    "centred-headings": (
        [
            ["Activity", "Sales", "Ops", "QA"],
            [None, "Planning"],
            ["Plan", "A/R", "C", "I"],
            [None, None, "Delivery"],
            ["Build", "A", "R", "C"],
        ],
        [],
    ),
    "wbs-numbered-headings": (
        [
            ["WBS", "Deliverable", "PM", "Dev", "QA"],
            ["1", "Planning"],
            ["1.1", "Charter", "A/R", "C", "I"],
            ["1.2", "Schedule", "A", "R", "C"],
            ["2", "Delivery"],
            ["2.1", "Build", "I", "A/R", "C"],
            ["2.2", "Test", "I", "C", "A/R"],
        ],
        [],
    ),
}
ROLES_KEPT = "; ':' names a role in a team; '/' and '( )' stay in names)"
ONE_STAGE = (
    "the sheet names no stages; all activities are put under one stage 'All activities' "
    "(--stage NAME names it)"
)
PUBLIC_READ = {
    "lots": (
        [
            "header: row 1",
            "activities: column B 'Activity' (rows 2-6)",
            "stages: column A 'Lots'",
            "parties: C-E (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column B --stage-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [],
        {
            "specify-hardware": ("lot-1-hardware", ["supplier"], "buyer", ["pmo"], []),
            "deliver-hardware": ("lot-1-hardware", ["supplier"], "supplier", ["pmo"], ["buyer"]),
            "accept-hardware": ("lot-1-hardware", ["buyer"], "buyer", ["supplier"], ["pmo"]),
            "define-services": ("lot-2-services", ["supplier"], "buyer", [], ["pmo"]),
            "run-services": ("lot-2-services", ["supplier"], "supplier", ["pmo"], ["buyer"]),
        },
    ),
    "key-areas": (
        [
            "header: row 1",
            "activities: column C 'Key Management Activity' (rows 2-5)",
            "ids: column B 'Ref' numbers the rows; not read",
            "stages: column A 'Key Management Area'",
            "parties: D-F (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column C --stage-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [("key-areas.csv:1:B", "warning", "column B 'Ref' numbers the rows; it is not read")],
        {
            "generate-keys": ("key-generation", ["it-ops"], "ciso", [], ["data-owner"]),
            "store-keys": ("key-generation", ["it-ops"], "ciso", ["data-owner"], []),
            "rotate-keys": ("key-rotation", ["it-ops"], "ciso", [], ["data-owner"]),
            "revoke-keys": ("key-rotation", ["ciso"], "ciso", ["it-ops"], ["data-owner"]),
        },
    ),
    "phase": (
        [
            "header: row 1",
            "activities: column A 'Phase' (rows 2-5)",
            "stages: none; every activity is under 'All activities'",
            "parties: B-D (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            (
                "phase.csv",
                "warning",
                ONE_STAGE,
            )
        ],
        {
            "initiation": ("all-activities", ["project-manager"], "sponsor", [], ["team"]),
            "planning": (
                "all-activities",
                ["project-manager"],
                "project-manager",
                ["team"],
                ["sponsor"],
            ),
            "execution": ("all-activities", ["team"], "project-manager", [], ["sponsor"]),
            "closure": ("all-activities", ["project-manager"], "sponsor", ["team"], []),
        },
    ),
    "hash-ids": (
        [
            "header: row 1",
            "activities: column B 'Activity' (rows 3-6)",
            "ids: column A '#' numbers the rows; not read",
            "stages: heading rows 2, 5",
            "parties: C-E (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column B",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [("hash-ids.csv:1:A", "warning", "column A '#' numbers the rows; it is not read")],
        {
            "plan": ("discovery", ["owner"], "owner", ["dev"], ["qa"]),
            "build": ("discovery", ["dev"], "owner", ["qa"], []),
            "test": ("release", ["qa"], "qa", ["dev"], ["owner"]),
        },
    ),
    "no-ids": (
        [
            "header: row 1",
            "activities: column B 'Activity' (rows 2-4)",
            "ids: column A 'No.' numbers the rows; not read",
            "stages: none; every activity is under 'All activities'",
            "parties: C-E (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column B",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            ("no-ids.csv:1:A", "warning", "column A 'No.' numbers the rows; it is not read"),
            (
                "no-ids.csv",
                "warning",
                ONE_STAGE,
            ),
        ],
        {
            "plan": ("all-activities", ["owner"], "owner", ["dev"], ["qa"]),
            "build": ("all-activities", ["dev"], "owner", ["qa"], []),
            "test": ("all-activities", ["qa"], "qa", ["dev"], ["owner"]),
        },
    ),
    "blank-corner": (
        [
            "header: row 1",
            "activities: column A (no header) (rows 2-3)",
            "stages: none; every activity is under 'All activities'",
            "parties: B-D (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            (
                "blank-corner.csv",
                "warning",
                ONE_STAGE,
            )
        ],
        {
            "plan": ("all-activities", ["owner"], "owner", ["dev"], ["qa"]),
            "build": ("all-activities", ["dev"], "owner", ["qa"], []),
        },
    ),
    "described-parties": (
        [
            "header: row 1",
            "activities: column A 'Activity' (rows 2-4)",
            "summaries: column E 'Notes'",
            "stages: none; every activity is under 'All activities'",
            "parties: B-D (3" + ROLES_KEPT,
            "ignored: totals row 5",
            "options that read it so: --header-row 1 --activity-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            (
                "described-parties.csv",
                "warning",
                ONE_STAGE,
            )
        ],
        {
            "provision-accounts": (
                "all-activities",
                ["person-a-person-b"],
                "person-a-person-b",
                ["platform-team"],
                [],
            ),
            "patch-servers": (
                "all-activities",
                ["platform-team"],
                "platform-team",
                ["security"],
                ["person-a-person-b"],
            ),
            "review-access": (
                "all-activities",
                ["platform-team"],
                "person-a-person-b",
                ["security"],
                [],
            ),
        },
    ),
    "band-over-parties": (
        [
            "header: row 2",
            "activities: column B 'Activity' (rows 3-5)",
            "ids: column A 'Ref' numbers the rows; not read",
            "stages: none; every activity is under 'All activities'",
            "parties: C-F (4" + ROLES_KEPT,
            "ignored: row 1, above the header over the party columns",
            "options that read it so: --header-row 2 --activity-column B",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            (
                "band-over-parties.csv:1:C",
                "warning",
                "row 1 ('Business', 'IT') stands over the party columns and groups them; "
                "it is not read (each party is named by its own column's header)",
            ),
            (
                "band-over-parties.csv:2:A",
                "warning",
                "column A 'Ref' numbers the rows; it is not read",
            ),
            (
                "band-over-parties.csv",
                "warning",
                ONE_STAGE,
            ),
        ],
        {
            "approve-scope": ("all-activities", ["owner"], "sponsor", ["dev"], ["ops"]),
            "build": ("all-activities", ["dev"], "owner", ["ops"], ["sponsor"]),
            "run": ("all-activities", ["ops"], "owner", ["dev"], ["sponsor"]),
        },
    ),
    "comments-and-legend": (
        [
            "header: row 1",
            "activities: column A 'Activity' (rows 2-4)",
            "summaries: column D 'Comments'",
            "stages: none; every activity is under 'All activities'",
            "parties: B-C (2" + ROLES_KEPT,
            "ignored: legend row 7, 8",
            "options that read it so: --header-row 1 --activity-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            (
                "comments-and-legend.csv:7:A",
                "warning",
                "2 row(s) name a RACI letter ('R', 'A') where the activity goes: a legend, not "
                "activities; A7, A8 are not read",
            ),
            ("comments-and-legend.csv", "warning", ONE_STAGE),
            (
                "comments-and-legend.csv:6:A",
                "warning",
                "'Legend' reads as a stage heading, but no activity row follows it; it is not "
                "made a stage",
            ),
        ],
        {
            "plan": ("all-activities", ["sales"], "sales", ["ops"], []),
            "build": ("all-activities", ["ops"], "sales", [], []),
            "run": ("all-activities", ["ops"], "ops", [], ["sales"]),
        },
    ),
    "centred-headings": (
        [
            "header: row 1",
            "activities: column A 'Activity' (rows 3-5)",
            "stages: heading rows 2, 4",
            "parties: B-D (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column A",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [],
        {
            "plan": ("planning", ["sales"], "sales", ["ops"], ["qa"]),
            "build": ("delivery", ["ops"], "sales", ["qa"], []),
        },
    ),
    "wbs-numbered-headings": (
        [
            "header: row 1",
            "activities: column B 'Deliverable' (rows 3-7)",
            "ids: column A 'WBS' numbers the rows; not read",
            "stages: heading rows 2, 5",
            "parties: C-E (3" + ROLES_KEPT,
            "options that read it so: --header-row 1 --activity-column B",
            "title: 'Ownership handbook' (the sheet has none; --title names it)",
        ],
        [
            (
                "wbs-numbered-headings.csv:1:A",
                "warning",
                "column A 'WBS' numbers the rows; it is not read",
            )
        ],
        {
            "charter": ("planning", ["pm"], "pm", ["dev"], ["qa"]),
            "schedule": ("planning", ["dev"], "pm", ["qa"], []),
            "build": ("delivery", ["dev"], "dev", ["qa"], ["pm"]),
            "test": ("delivery", ["qa"], "qa", ["dev"], ["pm"]),
        },
    ),
}


def as_csv(triple: tuple[str, str, str], name: str) -> tuple[str, str, str]:
    """A workbook message's location as the same sheet's CSV names it."""
    location, severity, text = triple
    location = location.replace(f"{name}.xlsx:RACI", f"{name}.csv")
    if "!" in location:
        where, _, cell = location.partition("!")
        col = cell.rstrip("0123456789")
        location = f"{where}:{cell[len(col) :]}:{col}"
    return location, severity, text


@pytest.mark.parametrize(
    ("shape", "kind"),
    [
        (shape, kind)
        for shape in sorted(PUBLIC)
        for kind in ("csv", "xlsx", "md")
        if kind != "md" or PUBLIC[shape][0][0][:2] != [None, None]  # one header row in .md
    ],
)
def test_shapes_of_public_raci_sheets_read_without_options(
    tmp_path: Path, shape: str, kind: str
) -> None:
    """Each shape imports with every name and letter in place and no option given; the
    layout and the messages are pinned for CSV, and the workbook (merged cells where people
    merge them) and the Markdown table read the same."""
    rows, merged = PUBLIC[shape]
    layout, messages, expected = PUBLIC_READ[shape]
    if kind == "csv":
        path = write_csv(tmp_path / f"{shape}.csv", rows)
    elif kind == "xlsx":
        path = write_merged_xlsx(tmp_path / f"{shape}.xlsx", rows, merged)
    else:
        path = write_markdown(tmp_path / f"{shape}.md", rows)
    result = import_sheet(path)
    if kind == "csv":
        assert list(result.layout) == layout
        assert triples(result) == [*messages, *PLACEHOLDERS]
    elif kind == "xlsx":
        assert [x.replace("so: --sheet RACI ", "so: ") for x in result.layout] == layout
        assert [as_csv(t, shape) for t in triples(result)] == [*messages, *PLACEHOLDERS]
    assert raci_of(loads_cleanly(result, tmp_path / "out")) == expected


def test_described_party_headers_give_the_team_its_summary(tmp_path: Path) -> None:
    result = import_sheet(write_csv(tmp_path / "p.csv", PUBLIC["described-parties"][0]))
    model = loads_cleanly(result, tmp_path / "out")
    assert [(t.id, t.name, t.summary) for t in model.teams] == [
        ("person-a-person-b", "Person A / Person B", None),
        ("platform-team", "Platform Team", "runs the shared cloud platform"),
        ("security", "Security", "reviews every change"),
    ]
    assert [a.summary for a in model.activities] == [
        "ask in #help",
        None,
        "quarterly, see policy 4.2",
    ]


def test_rasci_with_a_thousand_n_cells_gives_one_message_for_each(tmp_path: Path) -> None:
    teams = [f"Team {i}" for i in range(1, 11)]
    rows: list[list[object]] = [["Activity", *teams]]
    for i in range(1, 151):
        cells = ["N"] * 10
        cells[i % 10], cells[(i + 1) % 10], cells[(i + 2) % 10] = "A", "R", "S"
        rows.append([f"Activity {i}", *cells])
    path = write_csv(tmp_path / "rasci.csv", rows)
    refused = import_sheet(path)
    assert refused.files == {}
    assert triples(refused) == [
        (
            "rasci.csv:2:B",
            "error",
            "'N' in 1,050 cells, B2, F2, G2, H2, I2, J2, K2, B3, C3, G3 and 1,040 more, "
            f"{NOT_A_LETTER.replace('cell is', 'cells are')}; if N means not involved, "
            "pass --blank N",
        ),
        (
            "rasci.csv:2:E",
            "error",
            "'S' (RASCI's Support) in 150 cells, E2, F3, G4, H5, I6, J7, K8, B9, C10, D11 and "
            "140 more: the model has no Support; pass --support consulted or --support "
            "responsible; nothing is written",
        ),
    ]
    options = importsheet.ImportOptions(blank=("N",), support="consulted")
    result = import_sheet(path, options=options)
    assert result.errors == () and result.written == 150
    assert "policy: 150 S cell(s) read as consulted" in result.layout


def test_a_cover_or_legend_sheet_before_the_matrix_is_passed_over(tmp_path: Path) -> None:
    matrix = [["Task", "Lead", "Dev"], ["Plan", "A/R", "C"], ["Build", "A", "R"]]
    path = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "Instructions": [["How to use this workbook"], ["One row per task."]],
            "Legend": [["Letter", "Meaning"], *[[x, y] for x, y in LIMITS_LEGEND]],
            "Matrix": matrix,
        },
    )
    result = import_sheet(path)
    assert result.layout[0] == (
        "read: sheet Matrix (4 letters: the most RACI letters); the others: Instructions "
        "(0 letters), Legend (0 letters); --sheet NAME reads another"
    )
    assert raci_of(loads_cleanly(result, tmp_path / "out")) == {
        "plan": ("all-activities", ["lead"], "lead", ["dev"], []),
        "build": ("all-activities", ["dev"], "lead", [], []),
    }


LIMITS_LEGEND = [
    ("R", "Responsible"),
    ("A", "Accountable"),
    ("C", "Consulted"),
    ("I", "Informed"),
    ("S", "Support"),
]


def test_a_square_transposed_sheet_with_a_blank_corner_stops(tmp_path: Path) -> None:
    """As many teams as activities, the names across longer than those down: either
    reading may be wrong, so the import stops and names the option."""
    rows = [
        [None, "Close deals", "Run campaigns", "Answer tickets"],
        ["Sales", "A/R", "C", "I"],
        ["Marketing", "C", "A/R", "I"],
        ["Support", "I", "C", "A/R"],
    ]
    path = write_csv(tmp_path / "square.csv", rows)
    assert triples(import_sheet(path)) == [
        (
            "square.csv:1:A",
            "error",
            "the sheet may be transposed: its 3 party columns are named like activities "
            "('Close deals') and its 3 rows like parties ('Sales'); pass --transpose if "
            "parties are rows, or --no-transpose",
        )
    ]
    turned = import_sheet(path, options=importsheet.ImportOptions(transpose=True))
    assert raci_of(loads_cleanly(turned, tmp_path / "out"))["run-campaigns"] == (
        "all-activities",
        ["marketing"],
        "marketing",
        ["sales", "support"],
        [],
    )


@pytest.mark.parametrize(
    ("name", "data", "line"),
    [
        ("empty.csv", b"", "empty.csv: error: the sheet is empty"),
        (
            "header.csv",
            b"Activity,Sales,Marketing\n",
            "header.csv: error: no activity rows below the header; no files are written",
        ),
        (
            "notable.md",
            b"# Notes\n\nNo table here.\n",
            "notable.md: error: the file holds no Markdown table",
        ),
        (
            "bin.xlsx",
            bytes(range(256)) * 4,
            "bin.xlsx: error: not an .xlsx workbook (it is not a zip file)",
        ),
        (
            "latin1.csv",
            "Activit\xe9,Sales\nVendre,A/R\n".encode("latin-1"),
            "latin1.csv:1: error: byte 0xe9 is not valid UTF-8; save the file as CSV UTF-8",
        ),
        ("utf16.csv", "Activity,Sales\nSell,A/R\n".encode("utf-16"), None),
        (
            "wide.csv",
            (
                ",".join(["Activity", *(f"T{i}" for i in range(299))])
                + "\nDo it,A/R,"
                + ",".join(["C"] * 298)
                + "\n"
            ).encode(),
            None,
        ),
    ],
)
def test_the_command_gives_one_line_not_a_traceback(
    tmp_path: Path, name: str, data: bytes, line: str | None
) -> None:
    from click.testing import CliRunner
    from ownbook.cli.app import cli

    (tmp_path / name).write_bytes(data)
    run = CliRunner().invoke(cli, ["import", str(tmp_path / name), "-o", str(tmp_path / "o")])
    assert run.exception is None or isinstance(run.exception, SystemExit), run.output
    assert "Traceback" not in run.output
    errors = [x for x in run.output.splitlines() if ": error: " in x]
    if line is None:  # read as it is
        assert run.exit_code == 0 and errors == [], run.output
    else:
        assert run.exit_code == 1 and errors == [line], run.output
