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
import posixpath
import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml

from .load import MAX_MODEL_BYTES, MODEL_SUFFIXES
from .spec import ID_MAX, SLUG_RE, slugify
from .yamltree import MAX_FILE_BYTES, MAX_SCALAR_CHARS

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_UNZIP_RATIO = 100
UNZIP_RATIO_FLOOR = 4 * 1024 * 1024  # a workbook unpacking to less is never a bomb
MAX_SHARED_STRINGS = 500_000
MAX_SHARED_CHARS = 16 * 1024 * 1024
MAX_SHEETS = 1_000
MAX_SHEET_NAME = 255
MAX_STYLES = 100_000
MAX_MESSAGES = 10_000
MAX_CONTROL_REPORTS = 100  # cells whose removed control characters are reported one by one
# Characters of cell text a workbook's sheet may give: 10 per byte of the file (at least a
# million), and 16 million at most. A workbook whose cells repeat a long shared string
# gives more text than its file holds; a real one gives far less.
SHEET_TEXT_RATIO = 10
MAX_SHEET_TEXT = 16 * 1024 * 1024
MAX_ROW_CELLS = 16_384  # cells in one row of a workbook, filled or empty: columns A to XFD
MAX_SHEET_ROWS = 250_000  # rows of a workbook's sheet read, filled or empty
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
    """The messages of one import, at most MAX_MESSAGES of them: a sheet of a million bad
    cells (a workbook of 300 KB can hold one) must not become a million messages in memory.
    The last one listed says so, and is an error when any message left out is one."""

    def __init__(self) -> None:
        self.messages: list[ImportMessage] = []

    def error(self, location: str, text: str) -> None:
        self._add(ImportMessage(location, "error", text))

    def warning(self, location: str, text: str) -> None:
        self._add(ImportMessage(location, "warning", text))

    def _add(self, message: ImportMessage) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)
        elif len(self.messages) == MAX_MESSAGES:
            self.messages.append(
                ImportMessage(
                    message.location,
                    message.severity,
                    f"the messages from here on are not listed: the limit is {MAX_MESSAGES:,}",
                )
            )
        elif message.severity == "error" and self.messages[-1].severity != "error":
            last = self.messages[-1]
            self.messages[-1] = ImportMessage(last.location, "error", last.text)


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
    if sheet.isascii() and sheet.replace("_", "a").isalnum():
        return sheet
    return "'" + _visible(sheet).replace("'", "''") + "'"


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


class _Cut(str):
    """The kept start of a text that was longer than anything ownbook stores (`length`
    characters in the file): a workbook's text is capped while it is read, never held whole."""

    length: int

    def __new__(cls, text: str, length: int) -> _Cut:
        self = super().__new__(cls, text)
        self.length = length
        return self


class _Reader:
    """Collects the non-empty cells of a sheet within the size limits, reporting the rest."""

    def __init__(self, sheet: _Sheet, log: _Log, text_budget: int | None = None) -> None:
        self.sheet = sheet
        self.log = log
        self.cells = 0
        self.wide_reported = False
        # A workbook cell may name a shared string of 100,000 characters in 20 bytes: the
        # text a sheet gives is capped (None: no cap, as a CSV file's text is its size).
        self.text_budget = text_budget
        self.budget = text_budget
        self.controls_reported = 0

    def add(self, row: int, values: Iterable[object]) -> bool:
        """Add one row given as every value from column A; see `add_cells`."""
        return self.add_cells(row, enumerate(values))

    def add_cells(self, row: int, items: Iterable[tuple[int, object]]) -> bool:
        """Add one row of (0-based column, value), columns ascending; False once the sheet
        is over the limits (already reported)."""
        cells: dict[int, str] = {}
        for col, value in items:
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
            length = value.length if isinstance(value, _Cut) else None
            text = self._clean(text, row, col, length)
            if text:
                cells[col] = text
        if not cells:
            return True
        if self.text_budget is not None:
            self.text_budget -= sum(len(text) for text in cells.values())
            if self.text_budget < 0:
                self.log.error(
                    self.sheet.at(row, min(cells)),
                    "this row and the rows below it are not read: the sheet's cells repeat "
                    f"more text than the workbook holds (the limit is {self.budget:,} "
                    "characters)",
                )
                return False
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

    def _clean(self, text: str, row: int, col: int, length: int | None = None) -> str:
        text = _NEWLINES.sub("\n", text).strip()
        cleaned, removed = _CONTROL.subn("", text)
        cleaned = cleaned.strip()
        if removed:
            self.controls_reported += 1
            if self.controls_reported <= MAX_CONTROL_REPORTS:
                self.log.warning(
                    self.sheet.at(row, col),
                    f"{removed} control character(s) removed from the text",
                )
            if self.controls_reported == MAX_CONTROL_REPORTS:
                self.log.warning(
                    self.sheet.at(row, col),
                    "control characters are removed from the cells below too, without a "
                    "message for each",
                )
        if length is not None or len(cleaned) > MAX_SCALAR_CHARS:
            self.log.error(
                self.sheet.at(row, col),
                f"text of {length or len(cleaned):,} characters is cut to the limit of "
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


# --- reading a workbook ----------------------------------------------------------------
#
# An .xlsx file is a zip of XML parts, and a few hundred kilobytes of it can unpack to
# gigabytes (a "zip bomb"), hold millions of shared strings, one enormous string, or a row of
# millions of empty cells. openpyxl builds each part whole before it streams a sheet, so the
# workbook is read here with expat, streaming every part and keeping only what ownbook can use:
#
# - the zip is inspected first (no extraction): the unpacked total must stay under
#   MAX_UNZIPPED_BYTES and under MAX_UNZIP_RATIO times the file's size, and zipfile stops
#   every member at the size it declares, so nothing unpacks to more than was measured;
# - a DTD (and so any entity) is refused: a workbook has none;
# - shared strings are capped in number and characters, every text is cut while it is read
#   to what a model may hold, and a row keeps at most MAX_COLS + 1 cells;
# - styles keep one number per cell format (is it a date?), at most MAX_STYLES of them.
#
# What is read stays within a few times MAX_UNZIPPED_BYTES / MAX_UNZIP_RATIO of the file.

_REL_TYPES = ("officeDocument", "worksheet", "chartsheet", "sharedStrings", "styles")
_TEXT_SLACK = 1_024  # characters kept past MAX_SCALAR_CHARS, for the spaces cleaning strips


class _WorkbookError(Exception):
    """The workbook cannot be read; the message says why, for a person."""


class _Stop(Exception):
    """Raised by a handler to end a parse early."""


class _Text:
    """The text of one XML element, kept up to a cap and counted beyond it."""

    __slots__ = ("kept", "length", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.length = 0

    def add(self, data: str) -> None:
        self.length += len(data)
        room = MAX_SCALAR_CHARS + _TEXT_SLACK - self.kept
        if room > 0:
            piece = data[:room]
            self.parts.append(piece)
            self.kept += len(piece)

    def value(self) -> str:
        text = "".join(self.parts)
        return text if self.length == self.kept else _Cut(text, self.length)


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives `uri}local`)."""
    local = name.rpartition("}")[2]
    if len(_LOCAL) < 256:  # a hostile part may use any number of names
        _LOCAL[name] = local
    return local


_LOCAL: dict[str, str] = {}


def _attr(attrs: dict[str, str], local: str) -> str | None:
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


def _stream_xml(
    archive: zipfile.ZipFile,
    part: str,
    start: Any,
    end: Any = None,
    text: Any = None,
) -> None:
    """Parse one zip member with expat, calling the handlers; a handler raising `_Stop`
    ends the parse there."""

    def no_dtd(*_args: object) -> None:  # and so no entity: a workbook has none
        raise _WorkbookError(f"{part} declares a DTD, which no workbook has")

    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(part) as source:
            while chunk := source.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        return
    except xml.parsers.expat.ExpatError as exc:
        raise _WorkbookError(f"{part} is not well-formed XML ({exc})") from None
    except KeyError:
        raise _WorkbookError(f"it has no part {part}") from None


def _resolve(base_dir: str, target: str) -> str | None:
    """A relationship target as a zip member name, or None when it leaves the package."""
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(base_dir, target)
    name = posixpath.normpath(joined)
    if name in ("", ".") or name.startswith("../") or name == "..":
        return None
    return name


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type, member name)} of the relationships of `part` (types in _REL_TYPES only)."""
    base_dir = posixpath.dirname(part)
    rels_part = posixpath.join(base_dir, "_rels", posixpath.basename(part) + ".rels")
    found: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        kind = attrs.get("Type", "").rpartition("/")[2]
        target = _resolve(base_dir, attrs.get("Target", ""))
        if kind in _REL_TYPES and target is not None and len(found) < MAX_SHEETS * 2:
            found.setdefault(attrs.get("Id", ""), (kind, target))

    if rels_part in archive.NameToInfo:
        _stream_xml(archive, rels_part, start)
    return found


@dataclass
class _Workbook:
    archive: zipfile.ZipFile
    sheets: list[tuple[str, str | None, str | None]]  # (name, kind, member name)
    strings_part: str | None = None
    styles_part: str | None = None
    epoch: dt.datetime = dt.datetime(1899, 12, 30)
    size: int = 0  # bytes of the file


def _open_workbook(archive: zipfile.ZipFile, size: int) -> _Workbook:
    root = _relationships(archive, "")
    main = next((t for kind, t in root.values() if kind == "officeDocument"), "xl/workbook.xml")
    if main not in archive.NameToInfo:
        raise _WorkbookError(f"it has no workbook part {main} (is it an .xlsx file?)")
    rels = _relationships(archive, main)
    sheets: list[tuple[str, str | None, str | None]] = []
    epoch = dt.datetime(1899, 12, 30)

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal epoch
        local = _local(name)
        if local == "sheet":
            if len(sheets) >= MAX_SHEETS:
                raise _WorkbookError(f"it has more than {MAX_SHEETS:,} sheets")
            kind, target = rels.get(_attr(attrs, "id") or "", (None, None))
            sheets.append((attrs.get("name", "")[:MAX_SHEET_NAME], kind, target))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            epoch = dt.datetime(1904, 1, 1)

    _stream_xml(archive, main, start)
    workbook = _Workbook(archive, sheets, epoch=epoch, size=size)
    for kind, target in rels.values():
        if kind == "sharedStrings" and workbook.strings_part is None:
            workbook.strings_part = target
        elif kind == "styles" and workbook.styles_part is None:
            workbook.styles_part = target
    return workbook


def _shared_strings(workbook: _Workbook) -> list[str]:
    """The shared strings table, each text cut while read; refused past the caps."""
    strings: list[str] = []
    if workbook.strings_part is None or workbook.strings_part not in workbook.archive.NameToInfo:
        return strings
    current: _Text | None = None
    depth_t = 0  # inside a <t> that belongs to the text (not a phonetic run)
    phonetic = 0
    chars = 0

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal current, depth_t, phonetic
        local = _local(name)
        if local == "si":
            current = _Text()
        elif local == "rPh":
            phonetic += 1
        elif local == "t" and current is not None and not phonetic:
            depth_t += 1

    def end(name: str) -> None:
        nonlocal current, depth_t, phonetic, chars
        local = _local(name)
        if local == "si" and current is not None:
            value = current.value()
            text = value.replace("x005F_", "")  # as openpyxl reads it
            strings.append(_Cut(text, value.length) if isinstance(value, _Cut) else text)
            chars += len(text)
            current, depth_t = None, 0
            if len(strings) > MAX_SHARED_STRINGS:
                raise _WorkbookError(
                    f"it holds more than {MAX_SHARED_STRINGS:,} shared strings, over the limit"
                )
            if chars > MAX_SHARED_CHARS:
                raise _WorkbookError(
                    f"its shared strings hold more than {MAX_SHARED_CHARS:,} characters, "
                    "over the limit"
                )
        elif local == "rPh":
            phonetic = max(phonetic - 1, 0)
        elif local == "t" and depth_t:
            depth_t -= 1

    def text(data: str) -> None:
        if depth_t and current is not None:
            current.add(data)

    _stream_xml(workbook.archive, workbook.strings_part, start, end, text)
    return strings


def _date_styles(workbook: _Workbook) -> tuple[set[int], set[int]]:
    """(date styles, duration styles): the cell formats whose numbers are dates or times."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    part = workbook.styles_part
    if part is None or part not in workbook.archive.NameToInfo:
        return set(), set()
    custom: dict[str, str] = {}
    formats: list[str] = []
    in_xfs = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_xfs
        local = _local(name)
        if local == "numFmt" and len(custom) < MAX_STYLES:
            custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")[:255]
        elif local == "cellXfs":
            in_xfs = True
        elif local == "xf" and in_xfs:
            if len(formats) >= MAX_STYLES:
                raise _WorkbookError(f"it has more than {MAX_STYLES:,} cell formats")
            formats.append(attrs.get("numFmtId", "0"))

    def end(name: str) -> None:
        nonlocal in_xfs
        if _local(name) == "cellXfs":
            in_xfs = False

    _stream_xml(workbook.archive, part, start, end)
    dates: set[int] = set()
    durations: set[int] = set()
    for index, ident in enumerate(formats):
        code = custom.get(ident)
        if code is None and ident.isascii() and ident.isdigit() and len(ident) < 4:
            code = BUILTIN_FORMATS.get(int(ident))
        if code and is_date_format(code):
            dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """(1-based column, row) of a reference such as `B7`, or None when it is not one."""
    letters = 0
    column = 0
    for char in ref:
        if "A" <= char <= "Z" and letters < 3:
            column = column * 26 + ord(char) - 64
            letters += 1
        else:
            break
    digits = ref[letters:]
    if not letters or not (digits.isascii() and digits.isdigit()) or len(digits) > 7:
        return None
    return column, int(digits)


def _number(text: str) -> int | float | str:
    """A cell's number as openpyxl reads it (int unless it has a point or exponent)."""
    try:
        if "." in text or "e" in text or "E" in text:
            return float(text)
        return int(text)
    except ValueError:
        return text


class _SheetCells:
    """Streams one worksheet's cells into a `_Reader`, holding one row at a time."""

    def __init__(
        self,
        reader: _Reader,
        strings: list[str],
        styles: tuple[set[int], set[int]],
        epoch: dt.datetime,
    ) -> None:
        self.reader = reader
        self.strings = strings
        self.dates, self.durations = styles
        self.epoch = epoch
        self.row = 0
        self.col = 0
        self.ref: str | None = None
        self.cells: list[tuple[int, object]] = []
        self.wide = False
        self.rows = 0  # <row> and <c> elements seen, filled or empty
        self.tags = 0
        self.row_tags = 0  # self.tags when the current row began
        self.in_cell = False
        self.kind = "n"
        self.style: str | None = None
        self.value: _Text | None = None
        self.inline: _Text | None = None
        self.in_inline = False
        self.phonetic = 0
        self.collect: _Text | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # Called for every element of a sheet that may hold millions: kept short.
        local = _LOCAL.get(name) or _local(name)
        if local == "c":
            self.tags += 1
            if self.tags > MAX_CELLS or self.tags - self.row_tags > MAX_ROW_CELLS:
                self._too_many()
            ref = attrs.get("r")
            if ref is None:
                self.col = self._column() + 1
            self.ref = ref
            self.in_cell = True
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s")
            self.value = self.inline = None
        elif local == "row":
            self.rows += 1
            self.row_tags = self.tags
            ref = attrs.get("r")
            self.row = (
                int(ref)
                if ref and ref.isascii() and ref.isdigit() and len(ref) < 8
                else (self.row + 1)
            )
            self.col = 0
            self.ref = None
            self.cells = []
            self.wide = False
        elif not self.in_cell:
            return
        elif local == "v":
            self.value = self.collect = _Text()
        elif local == "is":
            self.in_inline = True
            self.inline = _Text()
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and self.in_inline and not self.phonetic:
            self.collect = self.inline

    def end(self, name: str) -> None:
        local = _LOCAL.get(name) or _local(name)
        if local == "c":
            self.in_cell = False
            if self.value is not None or self.inline is not None:
                self._keep(self._cell_value())
        elif local == "row":
            self.cells.sort(key=lambda cell: cell[0])
            if not self.reader.add_cells(self.row, self.cells):
                raise _Stop
            self.cells = []
            if self.rows >= MAX_SHEET_ROWS:
                self.reader.log.error(
                    self.reader.sheet.where,
                    f"rows after row {self.row:,} are not read: the limit is "
                    f"{MAX_SHEET_ROWS:,} rows, filled or empty",
                )
                raise _Stop
        elif local in ("v", "t"):
            self.collect = None
        elif local == "is":
            self.in_inline = False
        elif local == "rPh":
            self.phonetic = max(self.phonetic - 1, 0)

    def _too_many(self) -> None:
        """Stop at a row of more cells than a sheet has columns, or past the cell limit."""
        if self.tags > MAX_CELLS:
            text = f"the limit is {MAX_CELLS:,} cells, filled or empty"
        else:
            text = f"it holds more than {MAX_ROW_CELLS:,} cells, more than a sheet has columns"
        self.reader.log.error(
            self.reader.sheet.at(self.row, 0),
            f"this row and the rows below it are not read: {text}",
        )
        raise _Stop

    def _column(self) -> int:
        """The 1-based column of the current cell (its reference is read only when needed)."""
        if self.ref is not None:
            where = _cell_ref(self.ref)
            if where is None:
                raise _WorkbookError(f"'{_short(self.ref)}' is not a cell reference")
            self.col, self.ref = where[0], None
        return self.col

    def text(self, data: str) -> None:
        if self.collect is not None:
            self.collect.add(data)

    def _keep(self, value: object) -> None:
        if value is None or value == "":
            return
        col = self._column() - 1
        if col >= MAX_COLS:  # only the first cell past the limit is kept, to report it
            if self.wide:
                return
            self.wide = True
        self.cells.append((col, value))

    def _cell_value(self) -> object:
        kind = self.kind
        if kind == "inlineStr":
            return self.inline.value() if self.inline is not None else None
        if self.value is None:
            return None
        text = self.value.value()
        if isinstance(text, _Cut) or kind in ("str", "e"):
            return text
        if kind == "s":
            index = _number(text)
            if not isinstance(index, int) or not 0 <= index < len(self.strings):
                raise _WorkbookError(
                    f"a cell names shared string '{_short(text)}', which is not there"
                )
            return self.strings[index]
        if kind == "b":
            return text.strip() not in ("0", "", "false")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                return text
        number = _number(text)
        style = self.style
        if (
            style is not None
            and style.isascii()
            and style.isdigit()
            and len(style) < 9
            and int(style) in self.dates
            and not isinstance(number, str)
        ):
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, self.epoch, timedelta=int(style) in self.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number


def _check_zip(archive: zipfile.ZipFile, size: int) -> str | None:
    """Why a workbook's zip would unpack to too much, or None; from its directory alone."""
    unzipped = sum(info.file_size for info in archive.infolist())
    if unzipped > MAX_UNZIPPED_BYTES:
        return f"workbook unpacks to {unzipped:,} bytes, over the limit of {MAX_UNZIPPED_BYTES:,}"
    if unzipped > UNZIP_RATIO_FLOOR and unzipped > MAX_UNZIP_RATIO * max(size, 1):
        return (
            f"workbook unpacks to {unzipped:,} bytes, {unzipped // max(size, 1):,} times its "
            f"size (the limit is {MAX_UNZIP_RATIO} times): it is not read"
        )
    return None


def _read_xlsx(path: Path, sheet_name: str | None, log: _Log) -> _Sheet | None:
    shown = path.name
    try:
        if not _readable(path, shown, log):
            return None
        if not zipfile.is_zipfile(path):
            log.error(shown, "not an .xlsx workbook (it is not a zip file)")
            return None
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        log.error(shown, f"cannot read file: {exc}")
        return None
    with archive:
        size = path.stat().st_size
        problem = _check_zip(archive, size)
        if problem is not None:
            log.error(shown, problem)
            return None
        try:
            workbook = _open_workbook(archive, size)
            return _read_worksheet(workbook, shown, sheet_name, log)
        except _WorkbookError as exc:
            log.error(shown, f"cannot read the workbook: {_visible(str(exc))}")
        # A damaged zip fails in many ways (bad CRC, truncated data, unknown compression,
        # encryption); each is reported the same way.
        except Exception as exc:
            log.error(
                shown, f"cannot read the workbook: {type(exc).__name__}: {_visible(str(exc))}"
            )
        return None


def _read_worksheet(
    workbook: _Workbook, shown: str, sheet_name: str | None, log: _Log
) -> _Sheet | None:
    names = [name for name, _, _ in workbook.sheets]
    if not names:
        log.error(shown, "the workbook has no sheets")
        return None
    name = names[0] if sheet_name is None else sheet_name
    if name not in names:
        listed = ", ".join(f"'{n}'" for n in names)
        log.error(shown, f"no sheet named '{name}'; the workbook has {listed}")
        return None
    _, kind, part = workbook.sheets[names.index(name)]
    sheet = _Sheet(shown, name)
    if kind == "chartsheet":
        log.error(sheet.where, "this is a chart sheet, which holds no cells")
        return None
    if kind != "worksheet" or part is None or part not in workbook.archive.NameToInfo:
        log.error(sheet.where, "the workbook does not hold this sheet's cells")
        return None
    strings = _shared_strings(workbook)
    budget = min(MAX_SHEET_TEXT, max(1 << 20, SHEET_TEXT_RATIO * workbook.size))
    reader = _Reader(sheet, log, text_budget=budget)
    cells = _SheetCells(reader, strings, _date_styles(workbook), workbook.epoch)
    try:
        _stream_xml(workbook.archive, part, cells.start, cells.end, cells.text)
    except Exception as exc:  # a damaged sheet fails while streaming; what was read stays
        reason = str(exc) if isinstance(exc, _WorkbookError) else f"{type(exc).__name__}: {exc}"
        row = max(cells.row, 1)
        log.error(
            f"{sheet.where}!{row}:{row}", f"cannot read the sheet from here on: {_visible(reason)}"
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


def _visible(text: str) -> str:
    """Text with every unprintable character (control, line break, bidi) as an escape."""
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


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

    The folder is decided on before anything is written, and never walked: a filesystem
    root or the home folder is refused always; a folder that holds anything but the files
    this import writes (another model would merge with the import, or it is simply not a
    content folder) is refused unless `force`, found by reading its entries only until the
    first one that is not the import's; an existing file of the import is not overwritten
    unless `force`. Nothing is written outside `out_dir`, and a symlink in place of a file
    is replaced, not followed.
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
    root = out.resolve()
    refused = _never_an_import_folder(root)
    if refused is not None:
        log.error(shown, f"refused: {refused}; give a new folder, such as content")
        return tuple(log.messages)
    if out.is_dir():
        if not force:
            _foreign_entry(out, files, log)
        for rel in files:
            target = out / rel
            if target.is_dir() and not target.is_symlink():
                log.error(target.as_posix(), "is a folder; it cannot be replaced by a file")
            elif (target.exists() or target.is_symlink()) and not force:
                log.error(target.as_posix(), "already exists; use force to overwrite it")
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


def _never_an_import_folder(resolved: Path) -> str | None:
    """Why a folder is never written into, whatever `force` says, or None."""
    if resolved.parent == resolved:
        return "it is the root of a filesystem"
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder is known
        home = None
    if resolved == home:
        return "it is your home folder"
    return None


def _foreign_entry(out: Path, files: Mapping[str, str], log: _Log) -> None:
    """Report the first entry of `out` that this import would not write, if any.

    Only the folder's own entries are read, and only until the first one that is not the
    import's: a huge folder costs as little as an empty one.
    """
    ours = {PurePosixPath(rel).parts[0] for rel in files}
    try:
        with os.scandir(out) as entries:
            for entry in entries:
                if entry.name in ours:
                    continue
                if entry.name.endswith(MODEL_SUFFIXES) and entry.is_file(follow_symlinks=False):
                    log.error(
                        (out / entry.name).as_posix(),
                        "other model file in the folder would be merged with the import",
                    )
                else:
                    log.error(
                        out.as_posix(),
                        f"refused: the folder holds '{_short(_visible(entry.name))}', which this "
                        "import does not write; give a new or empty folder, or use force",
                    )
                return
    except OSError as exc:
        log.error(out.as_posix(), f"cannot read the folder: {exc.strerror or exc}")


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
