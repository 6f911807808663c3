"""What every step of an import shares: the limits, the options, the messages, and a sheet
as rows of text (so that each step can name a cell the way a person finds it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ...model.load import MAX_MODEL_BYTES as MAX_MODEL_BYTES
from ...model.objects import Letter
from ...model.spec import ID_MAX, SLUG_RE
from ...model.yamltree import MAX_FILE_BYTES as MAX_FILE_BYTES
from ...model.yamltree import MAX_SCALAR_CHARS as MAX_SCALAR_CHARS

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
MARKDOWN_SUFFIXES = (".md", ".markdown")
# The letters as a sheet writes them: 'RACI', the model's own order and characters.
LETTERS = "".join(letter.char for letter in Letter)
LETTER_BY_CHAR = {letter.char: letter for letter in Letter}
LETTER_NAMES = {letter.char: letter.label for letter in Letter}

ImportSeverity = Literal["error", "warning"]
Support = Literal["consulted", "responsible"]
DEFAULT_TITLE = "Ownership handbook"
DEFAULT_STAGE = "All activities"


@dataclass(frozen=True)
class ImportOptions:
    """What a person decides where the cells do not: each None (or empty) means "work it
    out from the sheet", and the printed layout names the options that reproduce it."""

    sheet: str | None = None
    table: int | None = None
    header_row: int | None = None
    activity_column: str | None = None
    id_column: str | None = None
    stage_column: str | None = None
    ignore_columns: tuple[str, ...] = ()
    party_columns: tuple[str, ...] = ()
    transpose: bool | None = None
    letter_columns: bool | None = None  # parties named in the cells of R, A, C, I columns
    roles: bool | None = None
    blank: tuple[str, ...] = ()
    support: Support | None = None
    a_without_r: Literal["responsible", "skip"] = "responsible"
    title: str | None = None
    organization: str | None = None
    stage: str | None = None


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
    layout: tuple[str, ...] = ()  # how the sheet was read, printed before the messages

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
    swapped: bool = False  # transposed: a row here is a column of the file
    bold: set[int] = field(default_factory=set)  # rows whose every filled cell is bold
    sheet_names: list[str] = field(default_factory=list)  # every sheet of its workbook

    def column_name(self, col: int) -> str:
        """'column C', or 'row 3' when the sheet is read transposed."""
        return f"row {col + 1}" if self.swapped else f"column {column_letter(col)}"

    def row_name(self, row: int) -> str:
        return f"column {column_letter(row - 1)}" if self.swapped else f"row {row}"

    @property
    def where(self) -> str:
        return self.source if self.sheet is None else f"{self.source}:{_quoted(self.sheet)}"

    def ref(self, row: int, col: int) -> str:
        """A cell as a person names it inside a message: `B7`."""
        if self.swapped:
            row, col = col + 1, row - 1
        return f"{column_letter(col)}{row}"

    def at(self, row: int, col: int) -> str:
        """`file.csv:7:B` for CSV, `file.xlsx:Sheet1!B7` for a workbook."""
        if self.swapped:
            row, col = col + 1, row - 1
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


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _visible(text: str) -> str:
    """Text with every unprintable character (control, line break, bidi) as an escape."""
    return "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text)


def _short(text: str, limit: int = 60) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _valid_id(text: str) -> bool:
    return len(text) <= ID_MAX and SLUG_RE.match(text) is not None


def _cells_list(where: list[str], limit: int = 10) -> str:
    shown = ", ".join(where[:limit])
    return shown if len(where) <= limit else f"{shown} and {len(where) - limit} more"


# --- rows to activities ------------------------------------------------------------------


class _Cells:
    """Cells of one kind, counted, with the first few kept to name in a message: a sheet
    of a million 'N' cells holds ten references here, not a million."""

    SHOWN = 10

    def __init__(self) -> None:
        self.count = 0
        self.first: list[tuple[int, int]] = []

    def add(self, row: int, col: int) -> None:
        self.count += 1
        if len(self.first) < self.SHOWN:
            self.first.append((row, col))

    def __len__(self) -> int:
        return self.count

    def listed(self, sheet: _Sheet) -> str:
        shown = ", ".join(sheet.ref(r, c) for r, c in self.first)
        more = self.count - len(self.first)
        return f"{shown} and {more:,} more" if more else shown
