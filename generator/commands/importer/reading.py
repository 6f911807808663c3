"""Reading a file into rows of text: CSV (rows numbered as a spreadsheet shows them), a
Markdown table (through a Markdown parser, markup removed) and an .xlsx workbook (streamed
within limits: the file is untrusted). Beyond choosing the sheet or table with the most
letters, nothing here decides what a cell means.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import posixpath
import re
import xml.parsers.expat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import common as common
from .cells import parse_letters
from .common import (
    _CONTROL,
    _NEWLINES,
    SHEET_TEXT_RATIO,
    UNZIP_RATIO_FLOOR,
    _Log,
    _quoted,
    _Sheet,
    _short,
    _visible,
    column_letter,
)


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
            if col >= common.MAX_COLS:
                if not self.wide_reported:
                    self.wide_reported = True
                    self.log.error(
                        self.sheet.at(row, col),
                        f"cells right of column {column_letter(common.MAX_COLS - 1)} are not read: "
                        f"the limit is {common.MAX_COLS:,} columns",
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
        if len(self.sheet.rows) >= common.MAX_ROWS or self.cells + len(cells) > common.MAX_CELLS:
            self.log.error(
                self.sheet.at(row, min(cells)),
                f"this row and the rows below it are not read: the limit is {common.MAX_ROWS:,} "
                f"rows and {common.MAX_CELLS:,} filled cells",
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
            if self.controls_reported <= common.MAX_CONTROL_REPORTS:
                self.log.warning(
                    self.sheet.at(row, col),
                    f"{removed} control character(s) removed from the text",
                )
            if self.controls_reported == common.MAX_CONTROL_REPORTS:
                self.log.warning(
                    self.sheet.at(row, col),
                    "control characters are removed from the cells below too, without a "
                    "message for each",
                )
        if length is not None or len(cleaned) > common.MAX_SCALAR_CHARS:
            self.log.error(
                self.sheet.at(row, col),
                f"text of {length or len(cleaned):,} characters is cut to the limit of "
                f"{common.MAX_SCALAR_CHARS:,}; the rest is not placed",
            )
            cleaned = cleaned[: common.MAX_SCALAR_CHARS]
        return cleaned


def _readable(path: Path, shown: str, log: _Log) -> bool:
    """Whether `path` is a file within the size limit (else says why); may raise OSError."""
    if not path.is_file():
        log.error(shown, "no such file")
        return False
    size = path.stat().st_size
    if size > common.MAX_INPUT_BYTES:
        log.error(shown, f"file is {size:,} bytes, over the limit of {common.MAX_INPUT_BYTES:,}")
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


def _read_text(path: Path, log: _Log) -> tuple[str, str] | None:
    """(the name shown in messages, the file's text), or None with the problem logged."""
    shown = path.name
    data = _read_bytes(path, shown, log)
    text = None if data is None else _decode_csv(data, shown, log)
    return None if text is None else (shown, text)


def _read_csv(path: Path, log: _Log) -> _Sheet | None:
    read = _read_text(path, log)
    if read is None:
        return None
    shown, text = read
    sheet = _Sheet(shown, None)
    first = 1
    declared = re.match(r"sep=([,;\t|])\r?\n", text)  # Excel's "sep=;" first line
    if declared:  # a spreadsheet hides it: the row after it is row 1
        delimiter, text, first = declared.group(1), text[declared.end() :], 2
    else:
        delimiter = _sniff_delimiter(text)
    # strict: an unclosed quote is an error at its line, not the rest of the file in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    reader_rows = _Reader(sheet, log)
    line = first
    # A row is numbered as a spreadsheet shows it: one per record, however many lines a
    # quoted cell spans; a broken record is reported at its line of the file.
    row = 0
    try:
        for record in reader:
            row += 1
            if not reader_rows.add(row, record):
                break
            line = first + reader.line_num
    except csv.Error as exc:
        log.error(f"{shown}:{line}", f"CSV error: {exc}; this row and the rows below are not read")
    return sheet


def _read_markdown(path: Path, table: int | None, log: _Log, lines: list[str]) -> _Sheet | None:
    """The cells of one Markdown table (pipe tables, read by a Markdown parser, markup
    removed); rows are numbered by their line in the file."""
    import pyromark

    read = _read_text(path, log)
    if read is None:
        return None
    shown, text = read
    encoded = text.encode("utf-8")
    breaks = [i for i, byte in enumerate(encoded) if byte == 10]
    tables: list[list[tuple[int, list[str]]]] = []
    current: list[tuple[int, list[str]]] | None = None
    row: list[str] | None = None
    cell: list[str] | None = None
    strong = 0  # inside ** **
    plain = False  # the current row has text outside ** **
    bold_rows: list[set[int]] = []
    events = pyromark.events_with_range(text, options=pyromark.Options.ENABLE_TABLES)
    for event, span in events:
        if isinstance(event, dict) and "Start" in event:
            tag = event["Start"]
            name = next(iter(tag)) if isinstance(tag, dict) else tag
            if name == "Table":
                current = []
                bold_rows.append(set())
            elif name in ("TableHead", "TableRow") and current is not None:
                row, plain = [], False
                current.append((bisect.bisect_left(breaks, span["start"]) + 1, row))
            elif name == "TableCell" and row is not None:
                cell = []
            elif name == "Strong":
                strong += 1
        elif isinstance(event, dict) and "End" in event:
            tag_end = event["End"]
            name = next(iter(tag_end)) if isinstance(tag_end, dict) else tag_end
            if name == "Table" and current is not None:
                tables.append(current)
                current = None
            elif name in ("TableHead", "TableRow"):
                if current and row is not None and any(row) and not plain:
                    bold_rows[-1].add(current[-1][0])
                row = None
            elif name == "Strong":
                strong = max(strong - 1, 0)
            elif name == "TableCell" and row is not None and cell is not None:
                row.append("".join(cell))
                cell = None
        elif cell is not None and isinstance(event, dict):
            for key in ("Text", "Code", "InlineMath", "DisplayMath"):
                text_value = event.get(key)  # str, in the events that have the key
                if text_value is not None:
                    cell.append(str(text_value))
                    plain = plain or (not strong and bool(str(text_value).strip()))
            inline_html = event.get("InlineHtml")
            if inline_html is not None and str(inline_html).lower().startswith("<br"):
                cell.append("\n")
        elif cell is not None and event in ("SoftBreak", "HardBreak"):
            cell.append(" ")
    if not tables:
        log.error(shown, "the file holds no Markdown table")
        return None
    if table is not None:
        if not 1 <= table <= len(tables):
            log.error(shown, f"--table {table}: the file holds {len(tables)} table(s)")
            return None
        chosen = table
    else:
        counts = [sum(1 for _, cells in t for c in cells[1:] if parse_letters(c)) for t in tables]
        chosen = max(range(len(tables)), key=lambda i: (counts[i], -i)) + 1
        if len(tables) > 1:
            others = ", ".join(
                f"{i + 1} (line {t[0][0]}, {counts[i]} letters)"
                for i, t in enumerate(tables)
                if i + 1 != chosen
            )
            lines.append(
                f"read: table {chosen} of {len(tables)} (line {tables[chosen - 1][0][0]}), "
                f"the one with the most RACI letters; the others: {others}; --table N reads "
                "another"
            )
    sheet = _Sheet(shown, None, bold=bold_rows[chosen - 1])
    reader = _Reader(sheet, log)
    for number, cells in tables[chosen - 1]:
        if not reader.add(number, cells):
            break
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
        room = common.MAX_SCALAR_CHARS + _TEXT_SLACK - self.kept
        if room > 0:
            piece = data[:room]
            self.parts.append(piece)
            self.kept += len(piece)

    def value(self) -> str:
        text = "".join(self.parts)
        return text if self.length == self.kept else _Cut(text, self.length)


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives `uri}local`)."""
    return name.rpartition("}")[2]


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
        if kind in _REL_TYPES and target is not None and len(found) < common.MAX_SHEETS * 2:
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
    # read once, however many sheets are looked at
    strings: list[str] | None = None
    styles: tuple[set[int], set[int], set[int]] | None = None


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
            if len(sheets) >= common.MAX_SHEETS:
                raise _WorkbookError(f"it has more than {common.MAX_SHEETS:,} sheets")
            kind, target = rels.get(_attr(attrs, "id") or "", (None, None))
            sheets.append((attrs.get("name", "")[: common.MAX_SHEET_NAME], kind, target))
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
            if len(strings) > common.MAX_SHARED_STRINGS:
                raise _WorkbookError(
                    f"it holds more than {common.MAX_SHARED_STRINGS:,} shared strings, over the "
                    "limit"
                )
            if chars > common.MAX_SHARED_CHARS:
                raise _WorkbookError(
                    f"its shared strings hold more than {common.MAX_SHARED_CHARS:,} characters, "
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


def _date_styles(workbook: _Workbook) -> tuple[set[int], set[int], set[int]]:
    """(date styles, duration styles, bold styles): the cell formats whose numbers are dates
    or times, and those in a bold font (a stage heading row is often only bold)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    part = workbook.styles_part
    if part is None or part not in workbook.archive.NameToInfo:
        return set(), set(), set()
    custom: dict[str, str] = {}
    formats: list[str] = []
    font_of: list[str] = []
    bold_fonts: list[bool] = []
    in_xfs = in_fonts = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal in_xfs, in_fonts
        local = _local(name)
        if local == "fonts":
            in_fonts = True
        elif local == "font" and in_fonts and len(bold_fonts) < common.MAX_STYLES:
            bold_fonts.append(False)
        elif local == "b" and in_fonts and bold_fonts:
            bold_fonts[-1] = attrs.get("val", "1") not in ("0", "false")
        elif local == "numFmt" and len(custom) < common.MAX_STYLES:
            custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")[:255]
        elif local == "cellXfs":
            in_xfs = True
        elif local == "xf" and in_xfs:
            if len(formats) >= common.MAX_STYLES:
                raise _WorkbookError(f"it has more than {common.MAX_STYLES:,} cell formats")
            formats.append(attrs.get("numFmtId", "0"))
            font_of.append(attrs.get("fontId", "0"))

    def end(name: str) -> None:
        nonlocal in_xfs, in_fonts
        if _local(name) == "cellXfs":
            in_xfs = False
        elif _local(name) == "fonts":
            in_fonts = False

    _stream_xml(workbook.archive, part, start, end)
    dates: set[int] = set()
    durations: set[int] = set()
    bold = {
        index
        for index, font in enumerate(font_of)
        if font.isascii()
        and font.isdigit()
        and int(font) < len(bold_fonts)
        and bold_fonts[int(font)]
    }
    for index, ident in enumerate(formats):
        code = custom.get(ident)
        if code is None and ident.isascii() and ident.isdigit() and len(ident) < 4:
            code = BUILTIN_FORMATS.get(int(ident))
        if code and is_date_format(code):
            dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations, bold


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
        styles: tuple[set[int], set[int], set[int]],
        epoch: dt.datetime,
    ) -> None:
        self.reader = reader
        self.strings = strings
        self.dates, self.durations, self.bold = styles
        self.plain = False  # the current row has a filled cell that is not bold
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
        # Element names without their namespace, worked out once each (a hostile part may
        # use any number of names: at most 256 are kept).
        self.names: dict[str, str] = {}

    def _name(self, name: str) -> str:
        local = self.names.get(name)
        if local is None:
            local = _local(name)
            if len(self.names) < 256:
                self.names[name] = local
        return local

    def start(self, name: str, attrs: dict[str, str]) -> None:
        # Called for every element of a sheet that may hold millions: kept short.
        local = self._name(name)
        if local == "c":
            self.tags += 1
            if self.tags > common.MAX_CELLS or self.tags - self.row_tags > common.MAX_ROW_CELLS:
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
        local = self._name(name)
        if local == "c":
            self.in_cell = False
            if self.value is not None or self.inline is not None:
                self._keep(self._cell_value())
        elif local == "row":
            self.cells.sort(key=lambda cell: cell[0])
            if self.cells and not self.plain and len(self.reader.sheet.bold) < common.MAX_ROWS:
                self.reader.sheet.bold.add(self.row)
            self.plain = False
            if not self.reader.add_cells(self.row, self.cells):
                raise _Stop
            self.cells = []
            if self.rows >= common.MAX_SHEET_ROWS:
                self.reader.log.error(
                    self.reader.sheet.where,
                    f"rows after row {self.row:,} are not read: the limit is "
                    f"{common.MAX_SHEET_ROWS:,} rows, filled or empty",
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
        if self.tags > common.MAX_CELLS:
            text = f"the limit is {common.MAX_CELLS:,} cells, filled or empty"
        else:
            text = (
                f"it holds more than {common.MAX_ROW_CELLS:,} cells, more than a sheet has columns"
            )
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
        style = self.style
        if not (
            style is not None
            and style.isascii()
            and style.isdigit()
            and len(style) < 9
            and int(style) in self.bold
        ):
            self.plain = True
        if col >= common.MAX_COLS:  # only the first cell past the limit is kept, to report it
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
    if unzipped > common.MAX_UNZIPPED_BYTES:
        return (
            f"workbook unpacks to {unzipped:,} bytes, over the limit of "
            f"{common.MAX_UNZIPPED_BYTES:,}"
        )
    if unzipped > UNZIP_RATIO_FLOOR and unzipped > common.MAX_UNZIP_RATIO * max(size, 1):
        return (
            f"workbook unpacks to {unzipped:,} bytes, {unzipped // max(size, 1):,} times its "
            f"size (the limit is {common.MAX_UNZIP_RATIO} times): it is not read"
        )
    return None


def _read_xlsx(
    path: Path, sheet_name: str | None, log: _Log, lines: list[str] | None = None
) -> _Sheet | None:
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
            if sheet_name is None and len(workbook.sheets) > 1:
                return _matrix_sheet(workbook, shown, log, lines if lines is not None else [])
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


def _matrix_sheet(workbook: _Workbook, shown: str, log: _Log, lines: list[str]) -> _Sheet | None:
    """With no sheet named: the worksheet with the most RACI letters (the first on a tie),
    said in the layout with the letters each other sheet holds."""
    # The sheets share one sheet's text budget while they are looked at, so that a workbook
    # of many sheets costs no more than one; the sheet chosen is then read on its own.
    found: list[tuple[str, int]] = []
    left = _sheet_budget(workbook)
    unseen = 0
    for name, kind, _ in workbook.sheets:
        if kind != "worksheet":
            continue
        if left <= 0:
            unseen += 1
            continue
        sheet = _read_worksheet(workbook, shown, name, _Log(), budget=left)
        count = 0
        if sheet is not None:
            texts = [t for _, cells in sheet.rows for t in cells.values()]
            left -= sum(len(t) for t in texts)
            count = _matrix_letters(sheet)
        found.append((name, count))
    if not found:
        return _read_worksheet(workbook, shown, None, log)
    best = max(range(len(found)), key=lambda i: (found[i][1], -i))
    name, count = found[best]
    sheet = _read_worksheet(workbook, shown, name, log)
    others = ", ".join(
        f"{_quoted(n)} ({c:,} letters)" for i, (n, c) in enumerate(found) if i != best
    )
    if unseen:
        others += f"; {unseen} more not looked at (the workbook's text is over the limit)"
    why = "the most RACI letters" if count else "no sheet holds RACI letters; the first"
    lines.append(
        f"read: sheet {_quoted(name)} ({count:,} letters: {why}); the others: "
        f"{others or 'none'}; --sheet NAME reads another"
    )
    return sheet


def _matrix_letters(sheet: _Sheet) -> int:
    """The letters a sheet holds as a matrix does: outside its first column, in rows with
    a code ('A/R') or two of them. A legend sheet ('R' | 'Responsible') holds none, so a
    matrix of a few rows is still read before it."""
    first = min((min(cells) for _, cells in sheet.rows if cells), default=0)
    count = 0
    for _, cells in sheet.rows:
        held = [text for col, text in cells.items() if col != first and parse_letters(text)]
        if len(held) >= 2 or any(len(re.sub(r"[^A-Za-z]", "", text)) <= 5 for text in held):
            count += len(held)
    return count


def _sheet_budget(workbook: _Workbook) -> int:
    return min(common.MAX_SHEET_TEXT, max(1 << 20, SHEET_TEXT_RATIO * workbook.size))


def _read_worksheet(
    workbook: _Workbook,
    shown: str,
    sheet_name: str | None,
    log: _Log,
    budget: int | None = None,
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
    sheet = _Sheet(shown, name, sheet_names=names)
    if kind == "chartsheet":
        log.error(sheet.where, "this is a chart sheet, which holds no cells")
        return None
    if kind != "worksheet" or part is None or part not in workbook.archive.NameToInfo:
        log.error(sheet.where, "the workbook does not hold this sheet's cells")
        return None
    if workbook.strings is None:
        workbook.strings = _shared_strings(workbook)
    if workbook.styles is None:
        workbook.styles = _date_styles(workbook)
    if budget is None:
        budget = _sheet_budget(workbook)
    reader = _Reader(sheet, log, text_budget=budget)
    cells = _SheetCells(reader, workbook.strings, workbook.styles, workbook.epoch)
    try:
        _stream_xml(workbook.archive, part, cells.start, cells.end, cells.text)
    except Exception as exc:  # a damaged sheet fails while streaming; what was read stays
        reason = str(exc) if isinstance(exc, _WorkbookError) else f"{type(exc).__name__}: {exc}"
        row = max(cells.row, 1)
        log.error(
            f"{sheet.where}!{row}:{row}", f"cannot read the sheet from here on: {_visible(reason)}"
        )
    return sheet


def _transposed(sheet: _Sheet, log: _Log) -> _Sheet:
    """The sheet turned a quarter: its columns become rows, so parties listed down the
    side read as columns. Cells keep their own references in messages."""
    out = _Sheet(sheet.source, sheet.sheet, swapped=not sheet.swapped)
    grid: dict[int, dict[int, str]] = {}
    for row, cells in sheet.rows:
        for col, text in cells.items():
            grid.setdefault(col + 1, {})[row - 1] = text
    for row in sorted(grid):
        if len(out.rows) >= common.MAX_COLS:
            log.error(
                sheet.where, f"only the first {common.MAX_COLS:,} rows are read when transposed"
            )
            break
        out.rows.append((row, dict(sorted(grid[row].items()))))
    return out
