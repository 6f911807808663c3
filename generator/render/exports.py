"""Downloads built with the site: the RACI as CSV and as a spreadsheet, the model as JSON.

People take ownership into spreadsheets and scripts; these files give them the model's own
data rather than a scrape of the pages. A cell a spreadsheet would run as a formula (one
starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe,
the convention spreadsheets themselves use for "this is text".
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from ..model.objects import Activity, Letter, Model, split_party
from ..model.spec import FORMAT_VERSION, json_schema

DOWNLOADS = "downloads"
RACI_CSV = f"{DOWNLOADS}/raci.csv"
MATRIX_CSV = f"{DOWNLOADS}/raci-matrix.csv"
RACI_XLSX = f"{DOWNLOADS}/raci.xlsx"
MODEL_JSON = f"{DOWNLOADS}/model.json"
DOWNLOAD_PATHS = (RACI_CSV, MATRIX_CSV, RACI_XLSX, MODEL_JSON)

LONG_HEADER = [
    "activity_id",
    "activity",
    "kind",
    "stage_ids",
    "letter",
    "role_in_raci",
    "party",
    "team_id",
    "team",
    "role_id",
    "role",
]
MATRIX_FIXED = ["activity_id", "activity", "kind", "stages"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A value as spreadsheet text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_downloads(model: Model) -> dict[str, str | bytes]:
    """Every download, as `{path under the site: content}`."""
    out: dict[str, str | bytes] = {
        RACI_CSV: _csv(long_rows(model)),
        MATRIX_CSV: _csv(matrix_rows(model)),
        RACI_XLSX: raci_xlsx(model),
        MODEL_JSON: model_json(model),
    }
    assert tuple(out) == DOWNLOAD_PATHS
    return out


def _csv(rows: Iterator[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([[cell(v) for v in row] for row in rows])
    return out.getvalue()


def long_rows(model: Model) -> Iterator[list[str]]:
    """One row per activity, party and letter: the shape databases and pivot tables want."""
    yield LONG_HEADER
    teams = model.team_by_id
    for a in model.activities:
        for letter, party, _ in a.raci.letters:
            team_id, role_id = split_party(party)
            team = teams[team_id]
            role = team.role(role_id) if role_id else None
            yield [
                a.id,
                a.name,
                a.kind,
                ";".join(a.stages),
                letter.char,
                letter.label,
                party,
                team.id,
                team.name,
                role_id or "",
                role.name if role else "",
            ]


def parties(model: Model) -> list[tuple[str, str]]:
    """Every party that holds a letter, as (party id, column title): each team followed by
    its roles, in the model's order."""
    held = {party for a in model.activities for _, party, _ in a.raci.letters}
    out: list[tuple[str, str]] = []
    for team in model.teams:
        if team.id in held:
            out.append((team.id, team.name))
        out += [
            (f"{team.id}/{r.id}", f"{team.name} / {r.name}")
            for r in team.roles
            if f"{team.id}/{r.id}" in held
        ]
    return out


def letters_by_party(activity: Activity) -> dict[str, str]:
    """The letters each party holds in one activity, in RACI order ('A/R', 'C')."""
    held: dict[str, list[str]] = {}
    for letter in Letter:  # R, A, C, I
        for held_letter, party, _ in activity.raci.letters:
            if held_letter == letter:
                held.setdefault(party, []).append(letter.char)
    return {party: "/".join(letters) for party, letters in held.items()}


def _stage_names(model: Model, a: Activity) -> str:
    stages = model.stage_by_id
    return "; ".join(stages[s].name for s in a.stages if s in stages)


def matrix_rows(
    model: Model, activities: tuple[Activity, ...] | None = None
) -> Iterator[list[str]]:
    """The matrix: activities down, parties across, letters in the cells."""
    columns = parties(model)
    yield MATRIX_FIXED + [title for _, title in columns]
    for a in model.activities if activities is None else activities:
        row = [a.id, a.name, a.kind, _stage_names(model, a)]
        held = letters_by_party(a)
        yield row + [held.get(party, "") for party, _ in columns]


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, used: set[str]) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    base = _SHEET_BAD.sub(" ", " ".join(name.split())).strip("' ")[:31] or "Stage"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _xlsx_cell(sheet: Any, value: str, **style: Any) -> Any:
    """A text cell that no spreadsheet runs as a formula."""
    from openpyxl.cell import WriteOnlyCell

    out = WriteOnlyCell(sheet, value=cell(value))
    out.data_type = "s"
    for name, setting in style.items():  # styles cost a lot per cell: headers only
        setattr(out, name, setting)
    return out


def raci_xlsx(model: Model) -> bytes:
    """The matrix as a workbook: a sheet for the whole model and one per stage, with the
    header row and the activity columns frozen so they stay in view.

    Written in openpyxl's streaming mode, row by row: a large model's workbook costs about
    a tenth of building every cell in memory.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    used = {"matrix"}
    sheets = [("Matrix", model.activities)]
    for stage in model.lifecycle:
        acts = tuple(a for a in model.activities if stage.id in a.stages)
        sheets.append((sheet_title(stage.name, used), acts))
    width = len(MATRIX_FIXED) + len(parties(model))
    last_column = get_column_letter(width)
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    columns = parties(model)
    fixed = len(MATRIX_FIXED)
    column_of = {party: fixed + i for i, (party, _) in enumerate(columns, start=1)}
    for title, acts in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 40
        for c in range(3, width + 1):
            sheet.column_dimensions[get_column_letter(c)].width = 14
        sheet.auto_filter.ref = f"A1:{last_column}{len(acts) + 1}"
        header = [*MATRIX_FIXED, *(name for _, name in columns)]
        sheet.append([_xlsx_cell(sheet, v, font=bold, alignment=wrapped) for v in header])
        for a in acts:
            # Only the held letters become cells: a large matrix is sparse.
            row: list[Any] = [None] * width
            for c, v in enumerate((a.id, a.name, a.kind, _stage_names(model, a))):
                row[c] = _xlsx_cell(sheet, v)
            for party, letters in letters_by_party(a).items():
                row[column_of[party] - 1] = _xlsx_cell(sheet, letters)
            sheet.append(row)
    out = io.BytesIO()
    book.properties.creator = "ownbook"
    book.properties.created = _FIXED_TIME
    book.save(out)
    return _without_save_time(out.getvalue())


_FIXED_TIME = dt.datetime(2000, 1, 1)


def _without_save_time(xlsx: bytes) -> bytes:
    """openpyxl stamps the time of saving into the file; a fixed one keeps the same model's
    workbook byte-identical from build to build."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)
    return out.getvalue()


def _plain(value: Any) -> Any:
    """A model object as JSON data: positions become a `source` field."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.name in ("pos", "spans"):
                continue
            out[f.name] = _plain(getattr(value, f.name))
        pos = getattr(value, "pos", None)
        if pos is not None and pos.line > 0:
            out["source"] = f"{pos.file}:{pos.line}"
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def model_json(model: Model) -> str:
    """The normalised model: defaults filled in, FAQ ids derived, lists merged across files."""
    data = {
        "format_version": FORMAT_VERSION,
        "schema": json_schema()["$id"],
        "handbook": _plain(model.handbook),
        "teams": _plain(model.teams),
        "stages": _plain(model.stages),
        "activities": _plain(model.activities),
        "faqs": _plain(model.faqs),
        "glossary": _plain(model.glossary),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
