"""Import a RACI spreadsheet (.csv or .xlsx) as content YAML that passes `ownbook check`.

Organisations already keep ownership in spreadsheets; this turns one into a model to start
from instead of retyping it. The sheet is never trusted to be clean, so every cell that is
not placed says so (an *error* message), and every policy applied says so (a *warning*):
nothing is dropped silently, and what is written passes the check without errors.

How a sheet is read:

- The header is the first row with two or more filled cells; one-cell rows above it are
  titles, and the first one becomes the handbook title (else the file name does).
- The activity column is the first header column, after any leading Stage/Phase, Id or
  row-number ("#", "No.", "Ref") columns; a row-number column is not read (a warning says
  so). Other headers named Stage/Phase, Kind/Type, Description/Summary/Notes (the first
  gives `summary`, a second gives `description`) or Id are read as such, matched without
  regard to case; every other header is a party: a team ("Sales") or a role in a team
  ("Team / Role", "Team: Role", "Role (Team)"). Headers naming the same party share their
  letters. A sheet that lists parties under Responsible/Accountable/... columns is a
  different layout and is refused with a message.
- A row whose only filled cell is the activity cell is a stage heading for the rows below it
  (with a Stage column, only when written "Stage: Name"); a row with only its Stage cell
  filled is one too. A blank Stage cell takes the stage from above, so merged cells work.
  Rows with no stage go under a stage named after the file. Stages keep sheet order, and a
  stage with no written activity is left out.
- A party cell holds R, A, C, I in any case, alone or combined ("A/R", "RA", "a, r", "R+A");
  "-", "n/a", "na" and "none" mean blank. Anything else is not placed.

Ids are the slugs of the names; a taken one gets a numbered suffix ("close-deals-2") and a
warning. Required text the sheet cannot give (the organisation, each stage's summary) is a
"TODO:" placeholder, announced as a warning.

Rows left out, each with an error at its activity cell saying why:

- no A, two or more A's, or no R: an activity needs exactly one accountable party and at
  least one responsible one, and guessing (say, making the accountable party responsible
  too) would put words in the sheet's mouth;
- letters or other cells but no activity name;
- rows beyond the size limits (`MAX_ROWS`, `MAX_COLS`, `MAX_CELLS`, ownbook's file sizes).

When no activity row can be written at all, no files are produced.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from .load import MAX_MODEL_BYTES, find_model_files
from .spec import ID_MAX, SLUG_RE, slugify
from .yamltree import MAX_FILE_BYTES, MAX_SCALAR_CHARS

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLS = 1_000
MAX_CELLS = 2_000_000
# Activities are split over several files well below the loader's per-file limit.
ACTIVITY_FILE_BUDGET = MAX_FILE_BYTES // 2
ORGANIZATION_PLACEHOLDER = "TODO: your organisation"
STAGE_SUMMARY_PLACEHOLDER = "TODO: what happens for the customer in this stage."
CSV_SUFFIXES = (".csv", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
LETTERS = "RACI"
LETTER_NAMES = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}

ImportSeverity = Literal["error", "warning"]


@dataclass(frozen=True)
class ImportMessage:
    """One thing the import could not place (error) or one policy it applied (warning)."""

    location: str
    severity: ImportSeverity
    text: str

    def format(self) -> str:
        return f"{self.location}: {self.severity}: {self.text}"


@dataclass(frozen=True)
class ImportResult:
    """The content files to write ({relative path: YAML text}) and what happened on the way.

    `files` is empty when nothing usable was found; `written` and `skipped` count activity
    rows, so a caller can tell a clean import from a partial one.
    """

    files: Mapping[str, str]
    messages: tuple[ImportMessage, ...]
    written: int = 0
    skipped: int = 0

    @property
    def errors(self) -> tuple[ImportMessage, ...]:
        return tuple(m for m in self.messages if m.severity == "error")

    @property
    def warnings(self) -> tuple[ImportMessage, ...]:
        return tuple(m for m in self.messages if m.severity == "warning")


class _Log:
    def __init__(self) -> None:
        self.messages: list[ImportMessage] = []

    def error(self, location: str, text: str) -> None:
        self.messages.append(ImportMessage(location, "error", text))

    def warning(self, location: str, text: str) -> None:
        self.messages.append(ImportMessage(location, "warning", text))


# --- reading a sheet into rows of text --------------------------------------------------


def column_letter(col: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass
class _Sheet:
    """A sheet as text: (1-based row number, {0-based column: non-empty text}) per row."""

    source: str
    sheet: str | None
    rows: list[tuple[int, dict[int, str]]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.source if self.sheet is None else f"{self.source}:{_quoted(self.sheet)}"

    def ref(self, row: int, col: int) -> str:
        """A cell as a person names it inside a message: `B7`."""
        return f"{column_letter(col)}{row}"

    def at(self, row: int, col: int) -> str:
        """`file.csv:7:B` for CSV, `file.xlsx:Sheet1!B7` for a workbook."""
        if self.sheet is None:
            return f"{self.source}:{row}:{column_letter(col)}"
        return f"{self.where}!{column_letter(col)}{row}"


def _quoted(sheet: str) -> str:
    """A sheet name as spreadsheet formulas write it: quoted unless it is a plain word."""
    if re.fullmatch(r"[A-Za-z0-9_]+", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NEWLINES = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_SPACES = re.compile(r"\s+")


def _cell_text(value: object) -> str:
    """A cell value as the text a person sees; numbers without a spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


class _Reader:
    """Collects the non-empty cells of a sheet within the size limits, reporting the rest."""

    def __init__(self, sheet: _Sheet, log: _Log) -> None:
        self.sheet = sheet
        self.log = log
        self.cells = 0
        self.wide_reported = False

    def add(self, row: int, values: Iterable[object]) -> bool:
        """Add one row; False once the sheet is over the limits (already reported)."""
        cells: dict[int, str] = {}
        for col, value in enumerate(values):
            text = _cell_text(value)
            if not text.strip():
                continue
            if col >= MAX_COLS:
                if not self.wide_reported:
                    self.wide_reported = True
                    self.log.error(
                        self.sheet.at(row, col),
                        f"cells right of column {column_letter(MAX_COLS - 1)} are not read: "
                        f"the limit is {MAX_COLS:,} columns",
                    )
                break
            text = self._clean(text, row, col)
            if text:
                cells[col] = text
        if not cells:
            return True
        if len(self.sheet.rows) >= MAX_ROWS or self.cells + len(cells) > MAX_CELLS:
            self.log.error(
                self.sheet.at(row, min(cells)),
                f"this row and the rows below it are not read: the limit is {MAX_ROWS:,} "
                f"rows and {MAX_CELLS:,} filled cells",
            )
            return False
        self.cells += len(cells)
        self.sheet.rows.append((row, cells))
        return True

    def _clean(self, text: str, row: int, col: int) -> str:
        text = _NEWLINES.sub("\n", text).strip()
        cleaned, removed = _CONTROL.subn("", text)
        cleaned = cleaned.strip()
        if removed:
            self.log.warning(
                self.sheet.at(row, col), f"{removed} control character(s) removed from the text"
            )
        if len(cleaned) > MAX_SCALAR_CHARS:
            self.log.error(
                self.sheet.at(row, col),
                f"text of {len(cleaned):,} characters is cut to the limit of "
                f"{MAX_SCALAR_CHARS:,}; the rest is not placed",
            )
            cleaned = cleaned[:MAX_SCALAR_CHARS]
        return cleaned


def _readable(path: Path, shown: str, log: _Log) -> bool:
    """Whether `path` is a file within the size limit (else says why); may raise OSError."""
    if not path.is_file():
        log.error(shown, "no such file")
        return False
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        log.error(shown, f"file is {size:,} bytes, over the limit of {MAX_INPUT_BYTES:,}")
        return False
    return True


def _read_bytes(path: Path, shown: str, log: _Log) -> bytes | None:
    try:
        return path.read_bytes() if _readable(path, shown, log) else None
    except OSError as exc:
        log.error(shown, f"cannot read file: {exc.strerror or exc}")
        return None


def _decode_csv(data: bytes, shown: str, log: _Log) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        log.error(shown, "this is a zip file (an .xlsx workbook?), not CSV text")
        return None
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        log.error(
            f"{shown}:{line}",
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as CSV UTF-8",
        )
        return None


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; and tab that splits the first lines most consistently."""
    sample = [line for line in text[:65536].splitlines()[:50] if line.strip()][:20]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            counts = [len(r) for r in csv.reader(sample, delimiter=delimiter) if len(r) > 1]
        except csv.Error:
            continue
        if not counts:
            continue
        modal = max(set(counts), key=lambda n: (counts.count(n), n))
        score = (counts.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, log: _Log) -> _Sheet | None:
    shown = path.name
    data = _read_bytes(path, shown, log)
    if data is None:
        return None
    text = _decode_csv(data, shown, log)
    if text is None:
        return None
    sheet = _Sheet(shown, None)
    first = 1
    declared = re.match(r"sep=([,;\t|])\r?\n", text)  # Excel's "sep=;" first line
    if declared:
        delimiter, text, first = declared.group(1), text[declared.end() :], 2
    else:
        delimiter = _sniff_delimiter(text)
    # strict: an unclosed quote is an error at its line, not the rest of the file in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    reader_rows = _Reader(sheet, log)
    line = first
    try:
        for record in reader:
            if not reader_rows.add(line, record):
                break
            line = first + reader.line_num
    except csv.Error as exc:
        log.error(f"{shown}:{line}", f"CSV error: {exc}; this row and the rows below are not read")
    return sheet


def _read_xlsx(path: Path, sheet_name: str | None, log: _Log) -> _Sheet | None:
    shown = path.name
    try:
        if not _readable(path, shown, log):
            return None
        if not zipfile.is_zipfile(path):
            log.error(shown, "not an .xlsx workbook (it is not a zip file)")
            return None
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_UNZIPPED_BYTES:
            log.error(shown, f"workbook unpacks to {unzipped:,} bytes, over {MAX_UNZIPPED_BYTES:,}")
            return None
    except (OSError, zipfile.BadZipFile) as exc:
        log.error(shown, f"cannot read file: {exc}")
        return None
    import openpyxl  # here, not at the top: only workbooks need it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        log.error(shown, f"cannot read the workbook: {type(exc).__name__}: {exc}")
        return None
    try:
        return _read_worksheet(workbook, shown, sheet_name, log)
    finally:
        workbook.close()


def _read_worksheet(workbook: Any, shown: str, sheet_name: str | None, log: _Log) -> _Sheet | None:
    names: list[str] = list(workbook.sheetnames)
    if not names:
        log.error(shown, "the workbook has no sheets")
        return None
    name = names[0] if sheet_name is None else sheet_name
    if name not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        log.error(shown, f"no sheet named '{name}'; the workbook has {listed}")
        return None
    worksheet = workbook[name]
    sheet = _Sheet(shown, name)
    if not hasattr(worksheet, "iter_rows"):
        log.error(sheet.where, "this is a chart sheet, which holds no cells")
        return None
    reader = _Reader(sheet, log)
    row = 0
    try:
        # The size a workbook states for a sheet can be wrong either way; read what is there.
        worksheet.reset_dimensions()
        for row, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if not reader.add(row, values):
                break
    except Exception as exc:  # a damaged sheet fails while streaming
        log.error(
            f"{sheet.where}!{row + 1}:{row + 1}",
            f"cannot read the sheet from here on: {type(exc).__name__}: {exc}",
        )
    return sheet


# --- the header ------------------------------------------------------------------------

_EXTRA = {
    "stage": "stage",
    "stages": "stage",
    "phase": "stage",
    "phases": "stage",
    "kind": "kind",
    "type": "kind",
    "description": "text",
    "summary": "text",
    "notes": "text",
    "id": "id",
    "#": "number",
    "no": "number",
    "no.": "number",
    "nr": "number",
    "nr.": "number",
    "number": "number",
    "ref": "number",
    "ref.": "number",
}
_EXTRA_LABEL = {"stage": "Stage", "kind": "Kind", "text": "Description", "id": "Id"}
_LEADING = {"stage", "id", "number"}
_LETTER_HEADERS = {"r", "a", "c", "i", *(name.casefold() for name in LETTER_NAMES.values())}


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _short(text: str, limit: int = 60) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _Named:
    """A team, role, stage or activity name with the id it gets and where it was first seen."""

    name: str
    where: str
    id: str = ""


@dataclass
class _Team(_Named):
    roles: dict[str, _Named] = field(default_factory=dict)


@dataclass
class _Columns:
    activity: int
    stage: int | None = None
    kind: int | None = None
    ident: int | None = None
    summary: int | None = None
    description: int | None = None
    parties: dict[int, str] = field(default_factory=dict)
    unread: dict[int, str] = field(default_factory=dict)
    numbering: set[int] = field(default_factory=set)

    def known(self) -> set[int]:
        extras = (self.activity, self.stage, self.kind, self.ident, self.summary, self.description)
        return {c for c in extras if c is not None} | set(self.parties)


def _party_header(text: str) -> tuple[str, str | None, bool]:
    """(team name, role name or None, whether one side was empty) of a party header."""
    for sep in ("/", ":"):
        if sep in text:
            team, _, role = (part.strip() for part in text.partition(sep))
            if team and role:
                return team, role, False
            return team or role or text, None, True
    match = re.fullmatch(r"(.*\S)\s*\(\s*([^()]*[^()\s])\s*\)", text)
    if match:
        return match.group(2), match.group(1), False
    return text, None, False


class _Ids:
    """Hands out unique slugs for one kind of thing."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback
        self.taken: set[str] = set()

    def base(self, name: str) -> tuple[str, bool]:
        """The id a name asks for, and False when the name gives none (a fallback is used)."""
        slug = slugify(name)
        if (slug == "item" and "item" not in name.lower()) or not _valid_id(slug):
            return self.fallback, False
        return slug, True

    def give(self, item: _Named, noun: str, log: _Log) -> None:
        """Set `item.id`, saying so when it is not simply the slug of the name."""
        base, usable = self.base(item.name)
        item.id = self.claim(base)
        if not usable:
            log.warning(
                item.where,
                f"{noun} '{_short(item.name)}' has no letters or digits an id can use; "
                f"it gets id '{item.id}'",
            )
        elif item.id != base:
            log.warning(
                item.where,
                f"{noun} '{_short(item.name)}' gets id '{item.id}'; '{base}' is taken",
            )

    def claim(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            suffix = f"-{n}"
            candidate = base[: ID_MAX - len(suffix)].rstrip("-") + suffix
        self.taken.add(candidate)
        return candidate


def _valid_id(text: str) -> bool:
    return len(text) <= ID_MAX and SLUG_RE.match(text) is not None


class _Parties:
    """Teams and their roles as the party columns name them, in header order."""

    def __init__(self, log: _Log) -> None:
        self.log = log
        self.teams: dict[str, _Team] = {}
        self.team_ids = _Ids("team")

    def party(self, header: str, where: str) -> str:
        """The party id a header names, creating its team and role on first sight."""
        team_name, role_name, lopsided = _party_header(header)
        if lopsided:
            self.log.warning(
                where, f"header '{_short(header)}' has an empty side; read as team '{team_name}'"
            )
        team = self.teams.get(team_name.casefold())
        if team is None:
            team = _Team(team_name, where)
            self.team_ids.give(team, "team", self.log)
            self.teams[team_name.casefold()] = team
        if role_name is None:
            return team.id
        role = team.roles.get(role_name.casefold())
        if role is None:
            role = _Named(role_name, where)
            ids = _Ids("role")
            ids.taken = {r.id for r in team.roles.values()}
            ids.give(role, f"role in team '{team.id}'", self.log)
            team.roles[role_name.casefold()] = role
        return f"{team.id}/{role.id}"


def _find_header(sheet: _Sheet, log: _Log) -> int | None:
    """Index in `sheet.rows` of the header row: the first row with two or more cells."""
    for index, (_, cells) in enumerate(sheet.rows):
        if len(cells) >= 2:
            return index
    if not sheet.rows:
        log.error(sheet.where, "the sheet is empty")
    else:
        row, cells = sheet.rows[0]
        log.error(
            sheet.at(row, min(cells)),
            "no header row: no row has an activity column and at least one party column",
        )
    return None


def _read_header(sheet: _Sheet, cells: dict[int, str], row: int, log: _Log) -> _Columns:
    order = sorted(cells)
    kinds = {c: _EXTRA.get(_one_line(cells[c]).casefold().rstrip(":").strip()) for c in order}
    start = 0
    while start < len(order) - 2 and kinds[order[start]] in _LEADING:
        start += 1
    columns = _Columns(activity=order[start])
    for col in order:
        if col == columns.activity:
            continue
        kind = kinds[col]
        where = sheet.at(row, col)
        if kind is None or (kind == "number" and col > columns.activity):
            continue  # a party; "No" numbers the rows only left of the activity column
        if kind == "number":
            columns.numbering.add(col)
            log.warning(
                where,
                f"column {column_letter(col)} '{_short(cells[col])}' numbers the rows; "
                "it is not read",
            )
            continue
        slot = {"stage": "stage", "kind": "kind", "id": "ident", "text": "summary"}[kind]
        if kind == "text" and columns.summary is not None:
            slot = "description"
        if getattr(columns, slot) is None:
            setattr(columns, slot, col)
            continue
        label = _EXTRA_LABEL[kind]
        log.warning(where, f"a second {label} column '{_short(cells[col])}' is not read")
        columns.unread[col] = f"is a second {label} column"
    return columns


# --- cells ---------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s/,;+&|]+")
_BLANK_MARKS = {"-", "\u2013", "\u2014", "n/a", "na", "none"}  # hyphen, en and em dash
_STAGE_PREFIX = re.compile(r"(?i)(?:stage|phase)\b\s*(?:\d+\s*)?[:.)\-\u2013\u2014]\s*(\S.*)")


def parse_letters(text: str) -> str | None:
    """The RACI letters in a cell, in RACI order ('A/R' -> 'RA'); '' for a blank mark such as
    '-', None when the cell holds anything that is not a letter."""
    if text.strip().casefold() in _BLANK_MARKS:
        return ""
    compact = _SEPARATORS.sub("", text.upper())
    if not compact or any(ch not in LETTERS for ch in compact):
        return None
    return "".join(ch for ch in LETTERS if ch in compact)


def stage_name(text: str) -> tuple[str, bool]:
    """The stage a heading or Stage cell names, and whether it said 'Stage:' explicitly."""
    text = _one_line(text)
    match = _STAGE_PREFIX.fullmatch(text)
    return (match.group(1).strip(), True) if match else (text, False)


def _cells_list(where: list[str], limit: int = 10) -> str:
    shown = ", ".join(where[:limit])
    return shown if len(where) <= limit else f"{shown} and {len(where) - limit} more"


# --- rows to activities ------------------------------------------------------------------


@dataclass
class _Stage(_Named):
    rows: int = 0
    written: int = 0


@dataclass
class _Activity:
    where: str
    cell: str
    name: str
    stage: _Stage
    ident: str | None
    kind: str | None
    summary: str | None
    description: str | None
    raci: dict[str, list[str]]


class _Importer:
    """Walks the rows below the header: stage headings, activity rows, stray cells."""

    def __init__(self, sheet: _Sheet, columns: _Columns, log: _Log) -> None:
        self.sheet = sheet
        self.columns = columns
        self.log = log
        self.stages: dict[str, _Stage] = {}
        self.current: _Stage | None = None
        self.default_name = _title_from(sheet.source)
        self.stageless: list[tuple[str, str]] = []  # (location, cell)
        self.activities: list[_Activity] = []
        self.skipped = 0
        self.stray: dict[int, list[int]] = {}
        self.known = columns.known()

    def stage(self, name: str, where: str) -> _Stage:
        key = name.casefold()
        stage = self.stages.get(key)
        if stage is None:
            stage = self.stages[key] = _Stage(name, where)
        return stage

    def run(self, rows: list[tuple[int, dict[int, str]]]) -> None:
        for row, cells in rows:
            self.row(row, cells)
        self.report_stray()

    def row(self, row: int, cells: dict[int, str]) -> None:
        c = self.columns
        at = self.sheet.at
        filled = cells.keys() & self.known
        if len(filled) < len(cells):
            for col in cells.keys() - self.known - c.numbering:
                self.stray.setdefault(col, []).append(row)
        if not filled:
            return
        if filled == {c.activity}:
            name, explicit = stage_name(cells[c.activity])
            if c.stage is None or explicit:
                self.current = self.stage(name, at(row, c.activity))
                return
        if c.stage is not None and filled == {c.stage}:
            name, _ = stage_name(cells[c.stage])
            self.current = self.stage(name, at(row, c.stage))
            return
        self.activity_row(row, cells)

    def activity_row(self, row: int, cells: dict[int, str]) -> None:
        c = self.columns
        name = _one_line(cells.get(c.activity, ""))
        where = self.sheet.at(row, c.activity)
        ref = self.sheet.ref
        if not name:
            others = [ref(row, col) for col in sorted(cells) if col in self.known]
            self.log.error(
                where,
                f"row left out: no activity name in {ref(row, c.activity)}; its cells "
                f"{_cells_list(others)} are not placed",
            )
            self.skipped += 1
            return
        stage = self.row_stage(row, cells, where)
        stage.rows += 1
        held = self.row_letters(row, cells)
        accountable = [p for p, cols in held.items() if any("A" in x for _, x in cols)]
        a_cells = [ref(row, col) for cols in held.values() for col, x in cols if "A" in x]
        responsible = [p for p, cols in held.items() if any("R" in x for _, x in cols)]
        wrong = []
        if not accountable:
            wrong.append("no accountable party (A)")
        elif len(accountable) > 1:
            wrong.append(f"{len(accountable)} accountable parties (A) in {', '.join(a_cells)}")
        if not responsible:
            wrong.append("no responsible party (R)")
        if wrong:
            text = (
                f"row left out: '{_short(name)}' has {' and '.join(wrong)}; an activity needs "
                "exactly one A and at least one R"
            )
            if not responsible and len(accountable) == 1:
                text += f" (write A/R in {a_cells[0]} if that party also does the work)"
            self.log.error(where, text)
            self.skipped += 1
            return
        raci: dict[str, list[str]] = {letter: [] for letter in LETTERS}
        for party, cols in held.items():
            letters = "".join(ch for ch in LETTERS if any(ch in x for _, x in cols))
            for letter in letters:
                raci[letter].append(party)
            if len(letters) > 1 and letters != "RA":
                both = " and ".join(LETTER_NAMES[letter] for letter in letters)
                self.log.warning(
                    self.sheet.at(row, cols[0][0]),
                    f"'{party}' is {both} in '{_short(name)}'; ownbook check warns about a "
                    "party holding two letters (OB304)",
                )
        stage.written += 1
        self.activities.append(
            _Activity(
                where=where,
                cell=ref(row, c.activity),
                name=name,
                stage=stage,
                ident=self.value(cells, c.ident),
                kind=self.kind(row, cells),
                summary=self.value(cells, c.summary),
                description=self.value(cells, c.description),
                raci=raci,
            )
        )

    def value(self, cells: dict[int, str], col: int | None) -> str | None:
        return cells.get(col) if col is not None else None

    def row_stage(self, row: int, cells: dict[int, str], where: str) -> _Stage:
        c = self.columns
        if c.stage is not None and c.stage in cells:
            name, _ = stage_name(cells[c.stage])
            self.current = self.stage(name, self.sheet.at(row, c.stage))
            return self.current
        if self.current is not None:
            return self.current
        self.stageless.append((where, self.sheet.ref(row, self.columns.activity)))
        return self.stage(self.default_name, where)

    def row_letters(self, row: int, cells: dict[int, str]) -> dict[str, list[tuple[int, str]]]:
        """{party: [(column, letters of that cell)]} in column order; bad cells reported."""
        held: dict[str, list[tuple[int, str]]] = {}
        for col, party in self.columns.parties.items():
            text = cells.get(col)
            if text is None:
                continue
            letters = parse_letters(text)
            if letters is None:
                self.log.error(
                    self.sheet.at(row, col),
                    f"'{_short(text)}' is not a RACI letter (R, A, C or I, or a combination "
                    "such as A/R); the cell is not placed",
                )
            elif letters:
                held.setdefault(party, []).append((col, letters))
        return held

    def kind(self, row: int, cells: dict[int, str]) -> str | None:
        col = self.columns.kind
        if col is None or col not in cells:
            return None
        value = cells[col].strip().casefold()
        if value in ("activity", "decision"):
            return value
        self.log.error(
            self.sheet.at(row, col),
            f"'{_short(cells[col])}' is not a kind (activity or decision); the cell is not "
            "placed and the activity is written as an activity",
        )
        return None

    def report_stray(self) -> None:
        for col in sorted(self.stray):
            why = self.columns.unread.get(col, "has no header")
            rows = self.stray[col]
            self.log.error(
                self.sheet.at(rows[0], col),
                f"column {column_letter(col)} {why}, so its cells are not placed: "
                f"{_cells_list([self.sheet.ref(row, col) for row in rows])}",
            )


def _title_from(source: str) -> str:
    stem = _one_line(_CONTROL.sub("", re.sub(r"_+", " ", PurePosixPath(source).stem)))
    return stem or "Imported handbook"


# --- YAML output -----------------------------------------------------------------------


class _Flow(list[str]):
    """A list written in flow style, `[a, b]`, as the content folder writes id lists."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that indents lists under their key, like the content folder does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_str)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)


def _activity_yaml(activity: _Activity, ident: str) -> dict[str, object]:
    out: dict[str, object] = {"id": ident, "name": activity.name}
    if activity.kind is not None:
        out["kind"] = activity.kind
    out["stages"] = _Flow([activity.stage.id])
    if activity.summary:
        out["summary"] = activity.summary
    if activity.description:
        out["description"] = activity.description
    raci: dict[str, object] = {
        "responsible": _Flow(activity.raci["R"]),
        "accountable": activity.raci["A"][0],
    }
    if activity.raci["C"]:
        raci["consulted"] = _Flow(activity.raci["C"])
    if activity.raci["I"]:
        raci["informed"] = _Flow(activity.raci["I"])
    out["raci"] = raci
    return out


def _activity_ids(activities: list[_Activity], log: _Log) -> list[str]:
    ids = _Ids("activity")
    first: dict[str, str] = {}
    out = []
    for activity in activities:
        base, _ = ids.base(activity.name)
        if activity.ident is not None:
            if _valid_id(activity.ident):
                base = activity.ident
            else:
                log.warning(
                    activity.where,
                    f"'{_short(activity.ident)}' in the Id column is not a valid id "
                    f"(lowercase letters, digits and single hyphens); '{base}' is used",
                )
        ident = ids.claim(base)
        if ident != base:
            log.warning(
                activity.where,
                f"activity id '{base}' is already used by the activity in {first[base]}; "
                f"this one gets '{ident}'",
            )
        first.setdefault(ident, activity.cell)
        out.append(ident)
    return out


def _stage_ids(stages: list[_Stage], log: _Log) -> None:
    ids = _Ids("stage")
    for stage in stages:
        ids.give(stage, "stage", log)


def _build_files(
    importer: _Importer, parties: _Parties, title: str, log: _Log
) -> tuple[dict[str, str], int]:
    """The YAML files of the import, and how many activities they hold."""
    for stage in importer.stages.values():
        if stage.written:
            continue
        if stage.rows:
            text = f"stage '{_short(stage.name)}' is left out: none of its rows could be written"
        else:
            text = (
                f"'{_short(stage.name)}' reads as a stage heading, but no activity row follows "
                "it; it is not made a stage"
            )
        log.warning(stage.where, text)
    stages = [s for s in importer.stages.values() if s.written]
    _stage_ids(stages, log)
    activity_ids = _activity_ids(importer.activities, log)
    # A file name may hold line breaks or control characters; neither may reach a comment.
    source = _one_line(_CONTROL.sub("", importer.sheet.source))
    header = f"# Imported from {source} by `ownbook import`.\n"
    files: dict[str, str] = {}
    handbook = {
        "title": title,
        "organization": ORGANIZATION_PLACEHOLDER,
        "lifecycle": _Flow([s.id for s in stages]),
        "loop": True,
    }
    files["handbook.yaml"] = (
        header + "# Replace the organization placeholder with your organisation's name.\n"
    ) + _dump({"handbook": handbook})
    teams = []
    for team in parties.teams.values():
        entry: dict[str, object] = {"id": team.id, "name": team.name}
        if team.roles:
            entry["roles"] = [{"id": r.id, "name": r.name} for r in team.roles.values()]
        teams.append(entry)
    files["teams.yaml"] = header + _dump({"teams": teams})
    files["stages.yaml"] = (
        header + "# Each summary is a placeholder: say what happens for the customer.\n"
    ) + _dump(
        {
            "stages": [
                {"id": s.id, "name": s.name, "summary": STAGE_SUMMARY_PLACEHOLDER} for s in stages
            ]
        }
    )
    log.warning("handbook.yaml", f"organization is the placeholder '{ORGANIZATION_PLACEHOLDER}'")
    log.warning(
        "stages.yaml",
        f"each stage's summary is the placeholder '{STAGE_SUMMARY_PLACEHOLDER}'",
    )
    log.warning(
        "activities.yaml",
        "no activity has a 'reviewed' date; ownbook check reminds you of each (OB405) until "
        "its RACI is confirmed",
    )
    total = sum(len(text.encode()) for text in files.values())
    written = 0
    chunks: list[str] = []
    size = parts = 0
    for activity, ident in zip(importer.activities, activity_ids, strict=True):
        text = _dump({"activities": [_activity_yaml(activity, ident)]}).split("\n", 1)[1]
        length = len(text.encode())
        if total + length > MAX_MODEL_BYTES - ACTIVITY_FILE_BUDGET:
            left = len(importer.activities) - written
            log.error(
                activity.where,
                f"this activity and the {left - 1} after it are left out: the model would "
                f"exceed ownbook's limit of {MAX_MODEL_BYTES:,} bytes",
            )
            importer.skipped += left
            break
        if chunks and size + length > ACTIVITY_FILE_BUDGET:
            files[_activity_file(parts)] = header + "activities:\n" + "".join(chunks)
            chunks, size, parts = [], 0, parts + 1
        chunks.append(text)
        size += length
        total += length
        written += 1
    if chunks:
        files[_activity_file(parts)] = header + "activities:\n" + "".join(chunks)
    return files, written


def _activity_file(index: int) -> str:
    return "activities.yaml" if index == 0 else f"activities-{index + 1}.yaml"


def _unheld_teams(importer: _Importer, parties: _Parties, written: int, log: _Log) -> None:
    held = set()
    for activity in importer.activities[:written]:
        for party_list in activity.raci.values():
            held.update(p.split("/", 1)[0] for p in party_list)
    for team in parties.teams.values():
        if team.id not in held:
            log.warning(
                team.where,
                f"team '{team.id}' holds no letter in any written activity; ownbook check "
                "warns about it (OB401)",
            )


# --- the entry points ----------------------------------------------------------------------


def import_sheet(path: Path | str, *, sheet: str | None = None) -> ImportResult:
    """Read a RACI sheet and turn it into content files; never raises for bad input.

    `sheet` picks a worksheet of a workbook by name (default: the first one).
    """
    path = Path(path)
    log = _Log()
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            log.warning(path.name, f"a CSV file has no sheets; sheet '{sheet}' is ignored")
        table = _read_csv(path, log)
    elif suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path, sheet, log)
    elif suffix == ".xls":
        log.error(path.name, "old .xls workbooks are not read; save it as .xlsx or CSV UTF-8")
        table = None
    else:
        log.error(
            path.name,
            f"unsupported file type '{path.suffix or path.name}': give a .csv, .tsv or .xlsx file",
        )
        table = None
    if table is None:
        return ImportResult({}, tuple(log.messages))
    return _import_table(table, log)


def _import_table(sheet: _Sheet, log: _Log) -> ImportResult:
    index = _find_header(sheet, log)
    if index is None:
        return ImportResult({}, tuple(log.messages))
    title = _title_from(sheet.source)
    for number, (row, cells) in enumerate(sheet.rows[:index]):
        col, text = next(iter(cells.items()))
        if number == 0:
            title = _one_line(text)
            log.warning(sheet.at(row, col), f"read as a title: the handbook is called '{title}'")
        else:
            log.error(sheet.at(row, col), "a second title row above the header is not placed")
    header_row, header_cells = sheet.rows[index]
    columns = _read_header(sheet, header_cells, header_row, log)
    rest = [
        col
        for col in sorted(header_cells)
        if col not in columns.known() and col not in columns.unread and col not in columns.numbering
    ]
    named = [c for c in rest if _one_line(header_cells[c]).casefold() in _LETTER_HEADERS]
    if len(named) >= 2:
        log.error(
            sheet.at(header_row, named[0]),
            "the header has columns named after RACI letters ("
            + ", ".join(f"'{_short(header_cells[c])}'" for c in named)
            + "), so it lists parties under each letter; ownbook import reads a matrix "
            "with one column per team or role and the letters in its cells",
        )
        return ImportResult({}, tuple(log.messages))
    parties = _Parties(log)
    for col in rest:
        where = sheet.at(header_row, col)
        party = parties.party(_one_line(header_cells[col]), where)
        for other, known in columns.parties.items():
            if known == party:
                log.warning(
                    where,
                    f"column {column_letter(col)} names the same party '{party}' as column "
                    f"{column_letter(other)}; their letters are combined",
                )
                break
        columns.parties[col] = party
    if not columns.parties:
        log.error(
            sheet.at(header_row, columns.activity),
            "no party columns: the header names no team or role after the activity column",
        )
        return ImportResult({}, tuple(log.messages))
    importer = _Importer(sheet, columns, log)
    importer.run(sheet.rows[index + 1 :])
    if importer.stageless:
        stage = importer.stages[importer.default_name.casefold()]
        if len(importer.stages) == 1:
            log.warning(
                sheet.where,
                f"the sheet names no stages; all activities are put under one stage "
                f"'{stage.name}', named after the file",
            )
        else:
            log.warning(
                importer.stageless[0][0],
                f"{len(importer.stageless)} row(s) come before any stage heading and have no "
                f"stage: {_cells_list([cell for _, cell in importer.stageless])}; they are put "
                f"under a stage '{stage.name}', named after the file",
            )
    if not importer.activities:
        if not importer.skipped:
            log.error(sheet.where, "no activity rows below the header; no files are written")
        else:
            log.error(sheet.where, "no activity row could be written; no files are written")
        return ImportResult({}, tuple(log.messages), 0, importer.skipped)
    files, written = _build_files(importer, parties, title, log)
    _unheld_teams(importer, parties, written, log)
    for name, text in files.items():
        if len(text.encode()) > MAX_FILE_BYTES:
            log.error(name, f"over ownbook's limit of {MAX_FILE_BYTES:,} bytes; nothing is written")
            return ImportResult({}, tuple(log.messages), 0, importer.skipped + written)
    return ImportResult(files, tuple(log.messages), written, importer.skipped)


def write_import(
    files: Mapping[str, str], out_dir: Path | str, *, force: bool = False
) -> tuple[ImportMessage, ...]:
    """Write the imported files into `out_dir`; returns what went wrong (empty: all written).

    Writes nothing when a file already exists or other model files (which would merge with
    the import) are in the folder, unless `force`, and never writes outside `out_dir`.
    Warnings alone (other model files under `force`) do not stop the write.
    """
    out = Path(out_dir)
    log = _Log()
    shown = out.as_posix()
    for rel in files:
        pure = PurePosixPath(rel)
        if (
            pure.is_absolute()
            or not pure.parts
            or any(part in ("", ".", "..") for part in pure.parts)
            or "\\" in rel
            or pure.suffix != ".yaml"
        ):
            log.error(rel, f"refused: not a plain .yaml path inside {shown}")
    if out.exists() and not out.is_dir():
        log.error(shown, "is not a folder")
    if log.messages:
        return tuple(log.messages)
    if out.is_dir():
        for rel in files:
            target = out / rel
            if target.is_dir():
                log.error((out / rel).as_posix(), "is a folder; it cannot be replaced by a file")
            elif (target.exists() or target.is_symlink()) and not force:
                log.error(target.as_posix(), "already exists; use force to overwrite it")
        others = [p.as_posix() for p, rel in find_model_files(out) if rel not in files]
        for other in others:
            if force:
                log.warning(other, "other model file in the folder; it is merged with the import")
            else:
                log.error(other, "other model file in the folder would be merged with the import")
    root = out.resolve()
    for rel in files:
        target = out / rel
        if not target.parent.resolve().is_relative_to(root):
            log.error(target.as_posix(), f"refused: it would be written outside {shown}")
    if any(m.severity == "error" for m in log.messages):
        return tuple(log.messages)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, text)
    except OSError as exc:
        log.error(shown, f"cannot write: {exc.strerror or exc}")
    return tuple(log.messages)


def _write_atomic(target: Path, text: str) -> None:
    """Write through a temporary file, so a symlink at `target` is replaced, not followed."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
