"""The downloads: read back, every cell equals the model; nothing in them runs as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from ownbook.model.load import load_model
from ownbook.model.objects import Model
from ownbook.render.exports import MATRIX_FIXED, render_downloads

from tests.conftest import BASE, ROOT, TODAY, write_files

LETTER = {"responsible": "R", "accountable": "A", "consulted": "C", "informed": "I"}


@pytest.fixture(scope="module")
def default_model() -> Model:
    checked = load_model(ROOT / "content", today=TODAY)
    assert checked.model is not None and not checked.errors
    return checked.model


def expected_letters(model: Model) -> dict[tuple[str, str], set[str]]:
    """(activity id, party) -> letters, straight from the RACI lists."""
    out: dict[tuple[str, str], set[str]] = {}
    for a in model.activities:
        r = a.raci
        lists = {
            "R": r.responsible,
            "A": (r.accountable,),
            "C": r.consulted,
            "I": r.informed,
        }
        for letter, held in lists.items():
            for party in held:
                out.setdefault((a.id, party), set()).add(letter)
    return out


def party_title(model: Model, party: str) -> str:
    team_id, _, role_id = party.partition("/")
    team = model.team_by_id[team_id]
    if not role_id:
        return team.name
    role = team.role(role_id)
    assert role is not None
    return f"{team.name} / {role.name}"


def test_xlsx_matrix_equals_the_model_cell_by_cell(default_model: Model, tmp_path: Path) -> None:
    model = default_model
    path = tmp_path / "raci.xlsx"
    path.write_bytes(render_downloads(model)["downloads/raci.xlsx"])
    book = openpyxl.load_workbook(path)
    expected = expected_letters(model)
    stage_names = [s.name for s in model.lifecycle]
    assert book.sheetnames == ["Matrix", *stage_names]

    def read(sheet_name: str) -> tuple[list[str], list[list[str]]]:
        rows = [[c if c is not None else "" for c in row] for row in book[sheet_name].values]
        return rows[0], rows[1:]

    header, rows = read("Matrix")
    assert header[: len(MATRIX_FIXED)] == MATRIX_FIXED
    titles = header[len(MATRIX_FIXED) :]
    title_to_party = {party_title(model, p): p for (_, p) in expected}
    assert set(titles) == set(title_to_party)  # a column for every party holding a letter
    assert [r[0] for r in rows] == [a.id for a in model.activities]
    cells = 0
    for row in rows:
        activity = model.activity_by_id[row[0]]
        assert row[1] == activity.name
        assert row[2] == activity.kind
        assert row[3] == "; ".join(model.stage_by_id[s].name for s in activity.stages)
        for title, value in zip(titles, row[len(MATRIX_FIXED) :], strict=True):
            held = expected.get((activity.id, title_to_party[title]), set())
            assert set(value.split("/")) - {""} == held, (activity.id, title)
            cells += bool(held)
    assert cells == len(expected)
    assert book["Matrix"].freeze_panes == "C2"
    # No time of saving inside: the same model gives the same bytes on every build.
    assert book.properties.modified == book.properties.created == dt.datetime(2000, 1, 1)
    for stage in model.lifecycle:
        _, stage_rows = read(stage.name)
        assert [r[0] for r in stage_rows] == [
            a.id for a in model.activities if stage.id in a.stages
        ]
        assert book[stage.name].freeze_panes == "C2"


def test_long_csv_has_a_row_per_letter(default_model: Model) -> None:
    model = default_model
    text = render_downloads(model)["downloads/raci.csv"]
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    got = {(r["activity_id"], r["party"], r["letter"]) for r in rows}
    want = {(a, p, x) for (a, p), letters in expected_letters(model).items() for x in letters}
    assert got == want
    assert len(rows) == len(want)
    first = rows[0]
    activity = model.activities[0]
    assert first["activity"] == activity.name
    assert first["stage_ids"] == ";".join(activity.stages)


def test_model_json_holds_the_whole_model(default_model: Model) -> None:
    model = default_model
    text = render_downloads(model)["downloads/model.json"]
    assert isinstance(text, str)
    data = json.loads(text)
    assert data["format_version"] == 1
    assert data["schema"] == "https://ownbook.dev/schema/ownbook-1.schema.json"
    assert data["handbook"]["title"] == model.handbook.title
    assert [t["id"] for t in data["teams"]] == [t.id for t in model.teams]
    assert len(data["activities"]) == len(model.activities)
    first = data["activities"][0]
    a = model.activities[0]
    assert first["raci"]["accountable"] == a.raci.accountable
    assert first["raci"]["responsible"] == list(a.raci.responsible)
    assert first["reviewed"] == (a.reviewed.isoformat() if a.reviewed else None)
    assert first["source"] == f"{a.pos.file}:{a.pos.line}"
    assert [f["id"] for f in data["faqs"]] == [f.id for f in model.faqs]
    assert len(data["glossary"]) == len(model.glossary)


FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]


def test_cells_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    evil = BASE.replace("name: Positioning updates", f"name: {json.dumps(FORMULAS[0])}")
    evil = evil.replace("name: Sales\n", f"name: {json.dumps(FORMULAS[1])}\n")
    evil = evil.replace("name: Data analyst", f"name: {json.dumps(FORMULAS[2])}")
    evil = evil.replace("name: Close deals", f"name: {json.dumps(FORMULAS[3])}")
    write_files(tmp_path / "content", {"base.yaml": evil})
    checked = load_model(tmp_path / "content", today=TODAY)
    assert checked.model is not None and not checked.errors, checked.problems
    downloads = render_downloads(checked.model)

    long_csv = downloads["downloads/raci.csv"]
    wide_csv = downloads["downloads/raci-matrix.csv"]
    assert isinstance(long_csv, str) and isinstance(wide_csv, str)
    values = {
        v for text in (long_csv, wide_csv) for row in csv.reader(io.StringIO(text)) for v in row
    }
    for formula in FORMULAS[:4]:
        assert formula not in values
        assert "'" + formula in values or any(v.startswith("'" + formula) for v in values)
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")]

    path = tmp_path / "raci.xlsx"
    xlsx = downloads["downloads/raci.xlsx"]
    assert isinstance(xlsx, bytes)
    path.write_bytes(xlsx)
    sheet = openpyxl.load_workbook(path)["Matrix"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    assert "'" + FORMULAS[0] in {c.value for c in cells}
    assert not [c.value for c in cells if str(c.value)[:1] in ("=", "+", "-", "@")]
