"""Import a RACI sheet (.csv, .tsv, .xlsx or a Markdown table) as content YAML that passes
`ownbook check`.

Organisations already keep ownership in spreadsheets; this turns one into a model to start
from instead of retyping it. The sheet is never trusted to be clean, so every cell that is
not placed says so (an *error* message), and every policy applied says so (a *warning*):
nothing is dropped silently, and what is written passes the check without errors.

How a sheet is read (issue 16): the layout is worked out from the cells, not from a list
of header words, printed before any message (`ImportResult.layout`) with the options that
reproduce it, and every decision can be overridden (`ImportOptions`):

- the header is, of the first rows with two or more cells, the one with the most columns of
  letters below it; one-cell rows above it are titles (the first names the handbook);
- a party column holds letters or short marks; the activity column is the one that names a
  different activity on (nearly) every row of letters (header words only break ties);
  number or code columns left of it number the rows; a text column left of it with blanks
  or repeats groups the rows into stages; other columns are ignored, and said so;
- "/" and "( )" in party headers name a role in a team only when a team recurs;
- a header of letter columns (Responsible ... Informed, or R, A, C, I) over names lists
  the parties in the cells (split on ",", ";", " and ", line breaks; "/" stays in a name);
  such columns over letters stop and ask (`letter_columns` decides);
- cells: R, A, C, I and combinations, whole words, "(R)", "R (A)", "**A/R**"; S (RASCI's
  Support) only with `support`; texts in `blank` mean not involved. A text that is not a
  letter is one message, with its count and first cells;
- a row with an A but no R is read as A/R (a warning at the row) unless `a_without_r` is
  "skip"; rows with no A or two A's are left out with an error at the row;
- a workbook with no sheet named is read at the sheet with the most letters; a Markdown file
  at its table with the most letters; a top-left "Team" reads the sheet transposed.

Ids are the slugs of the names; a taken one gets a numbered suffix ("close-deals-2") and a
warning. Required text the sheet cannot give (the organisation, each stage's summary) is a
"TODO:" placeholder, announced as a warning; the title and the stage of rows under none
come from options or the sheet, never from the file name.

The steps live in modules of their own, one per step: `reading` (a file into rows of
text), `layout` (what each row and column holds), `cells` (what a cell says), `rows` (rows
into activities) and `writing` (YAML into a folder), with what they share in `common`.
This module runs them in order and is what callers import.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .cells import parse_letters, stage_name, unmark
from .common import (
    CSV_SUFFIXES,
    DEFAULT_TITLE,
    MARKDOWN_SUFFIXES,
    MAX_FILE_BYTES,
    XLSX_SUFFIXES,
    ImportMessage,
    ImportOptions,
    ImportResult,
    _cells_list,
    _Log,
    _one_line,
    _Sheet,
    _short,
    _visible,
    column_letter,
)
from .layout import _PARTY_WORDS, _Columns, _describe, _layout, _Parties, header_kind
from .reading import _cell_text, _read_csv, _read_markdown, _read_xlsx, _transposed
from .rows import _Importer
from .writing import _build_files, _unheld_teams, write_import

__all__ = [
    "ImportMessage",
    "ImportOptions",
    "ImportResult",
    "_Log",
    "_cell_text",
    "_read_xlsx",
    "column_letter",
    "import_sheet",
    "parse_letters",
    "stage_name",
    "unmark",
    "write_import",
]


# --- the entry points ----------------------------------------------------------------------


def import_sheet(
    path: Path | str, *, sheet: str | None = None, options: ImportOptions | None = None
) -> ImportResult:
    """Read a RACI sheet and turn it into content files; never raises for bad input.

    `sheet` picks a worksheet of a workbook by name (default: the one that holds a matrix).
    """
    path = Path(path)
    options = options or ImportOptions()
    if sheet is not None:
        options = dataclasses.replace(options, sheet=sheet)
    log = _Log()
    lines: list[str] = []
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        if options.sheet is not None:
            log.warning(path.name, f"a CSV file has no sheets; sheet '{options.sheet}' is ignored")
        table = _read_csv(path, log)
    elif suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path, options.sheet, log, lines)
    elif suffix in MARKDOWN_SUFFIXES:
        table = _read_markdown(path, options.table, log, lines)
    elif suffix == ".xls":
        log.error(path.name, "old .xls workbooks are not read; save it as .xlsx or CSV UTF-8")
        table = None
    else:
        log.error(
            path.name,
            f"unsupported file type '{path.suffix or path.name}': give a .csv, .tsv, .xlsx "
            "or .md file",
        )
        table = None
    if table is None:
        return ImportResult({}, tuple(log.messages), layout=tuple(lines))
    return _import_table(table, log, options, lines)


def _sheet_order(sheet: _Sheet, importer: _Importer, lines: list[str]) -> None:
    """Stages in the order of the workbook's sheets named after them, when every stage has
    one (ownbook's own raci.xlsx keeps a sheet per stage, in lifecycle order): the order
    of first mention in the rows is only a guess."""
    order = {name.casefold(): i for i, name in enumerate(sheet.sheet_names)}
    named = [key for key, stage in importer.stages.items() if stage.rows]
    if len(named) < 2 or not all(key in order for key in named):
        return
    importer.stages = dict(
        sorted(importer.stages.items(), key=lambda item: order.get(item[0], len(order)))
    )
    lines.append("stage order: the order of the workbook's sheets named after the stages")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _words(texts: list[str]) -> float:
    return sum(len(text.split()) for text in texts) / max(len(texts), 1)


def _looks_turned(sheet: _Sheet, index: int, columns: _Columns) -> str | None:
    """Why the sheet may be transposed (parties down the side, activities across), or None.

    A matrix lists more activities than parties, and an activity's name is longer than a
    team's; when both are the other way round and no header word says which column holds the
    activities, either reading may be wrong, so neither is guessed."""
    header = sheet.rows[index][1]
    if header_kind(header.get(columns.activity, "")) == "activity":
        return None
    names = [
        cells[columns.activity] for _, cells in sheet.rows[index + 1 :] if columns.activity in cells
    ]
    heads = [header[col] for col in columns.parties]
    if not names or len(heads) < len(names) or _words(names) >= _words(heads):
        return None
    return (
        f"the sheet may be transposed: its {len(heads)} party columns are named like "
        f"activities ('{_short(heads[0])}') and its {len(names)} rows like parties "
        f"('{_short(names[0])}'); pass --transpose if parties are rows, or --no-transpose"
    )


def _import_table(
    sheet: _Sheet, log: _Log, options: ImportOptions | None = None, lines: list[str] | None = None
) -> ImportResult:
    """Run the steps on a sheet read as rows of text: orientation, layout, rows, files. The
    layout is added to `lines` as it is found, so that even a refused sheet shows it."""
    options = options or ImportOptions()
    lines = lines if lines is not None else []
    transpose = options.transpose
    if transpose is None and sheet.rows:
        first = next((cells for _, cells in sheet.rows if len(cells) >= 2), None)
        corner = _one_line(first[min(first)]).casefold() if first else ""
        transpose = corner in _PARTY_WORDS
        if transpose:
            lines.append(
                f"orientation: transposed (parties are rows): the first header cell is "
                f"'{_short(_visible(corner))}'; --no-transpose reads it as it stands"
            )
    if transpose:
        sheet = _transposed(sheet, log)
    mark = len(log.messages)
    plan = _layout(sheet, options, log)
    if plan is None:
        return ImportResult({}, tuple(log.messages), layout=tuple(lines))
    index = plan.header
    title = _one_line(options.title or "")
    later = log.messages[mark:]
    del log.messages[mark:]
    bands: list[int] = []  # rows above the header that group the party columns
    for number, (row, cells) in enumerate(sheet.rows[:index]):
        col, text = next(iter(cells.items()))
        if all(c in plan.columns.party_columns() or c > plan.columns.activity for c in cells):
            bands.append(row)
            names = ", ".join(f"'{_short(_visible(unmark(t)))}'" for t in cells.values())
            log.warning(
                sheet.at(row, col),
                f"{sheet.row_name(row)} ({names}) stands over the party columns and groups "
                "them; it is not read (each party is named by its own column's header)",
            )
        elif number - len(bands) == 0 and not title:
            title = _one_line(unmark(text))
            log.warning(sheet.at(row, col), f"read as a title: the handbook is called '{title}'")
        else:
            log.error(sheet.at(row, col), "a second title row above the header is not placed")
    for message in later:
        log._add(message)
    titled = bool(title)
    title = title or DEFAULT_TITLE
    header_row, header_cells = sheet.rows[index]
    columns = plan.columns
    parties = _Parties(log, plan.roles)
    for col in list(columns.parties):
        where = sheet.at(header_row, col)
        party = parties.party(_one_line(unmark(header_cells[col])), where)
        for other, known in columns.parties.items():
            if known == party:
                log.warning(
                    where,
                    f"column {column_letter(col)} names the same party '{party}' as column "
                    f"{column_letter(other)}; their letters are combined",
                )
                break
        columns.parties[col] = party
    if not columns.parties and not columns.letters:
        log.error(
            sheet.at(header_row, columns.activity),
            "no party columns: the header names no team or role after the activity column",
        )
        return ImportResult({}, tuple(log.messages), layout=tuple(lines))
    if options.transpose is None and not transpose and not columns.letters:
        turned = _looks_turned(sheet, index, columns)
        if turned is not None:
            log.error(sheet.at(header_row, columns.activity), turned)
            return ImportResult({}, tuple(log.messages), layout=tuple(lines))
    importer = _Importer(sheet, columns, log, options, parties)
    importer.run(sheet.rows[index + 1 :])
    _sheet_order(sheet, importer, lines)
    described = _describe(sheet, plan, importer, header_cells, header_row, options)
    at = next(i for i, x in enumerate(described) if x.startswith(("policy:", "options that")))
    described[at:at] = [
        f"ignored: {sheet.row_name(row)}, above the header over the party columns" for row in bands
    ]
    lines += described
    lines.append(
        f"title: '{_short(_visible(title))}'"
        + ("" if titled else " (the sheet has none; --title names it)")
    )
    if importer.support and not options.support:
        r, c = importer.support.first[0]
        log.error(
            sheet.at(r, c),
            f"'S' (RASCI's Support) in {_count(len(importer.support), 'cell')}, "
            f"{importer.support.listed(sheet)}: the model has no "
            "Support; pass --support consulted or --support responsible; nothing is written",
        )
        return ImportResult({}, tuple(log.messages), 0, importer.skipped, tuple(lines))
    if importer.support:
        r, c = importer.support.first[0]
        log.warning(
            sheet.at(r, c),
            f"'S' (RASCI's Support) in {_count(len(importer.support), 'cell')} is read as "
            f"{options.support}, as --support {options.support} says",
        )
    if importer.stageless:
        stage = importer.stages[importer.default_name.casefold()]
        how = "--stage NAME names it" if options.stage is None else "as --stage says"
        if sum(1 for s in importer.stages.values() if s.rows) == 1:
            log.warning(
                sheet.where,
                f"the sheet names no stages; all activities are put under one stage "
                f"'{stage.name}' ({how})",
            )
        else:
            log.warning(
                importer.stageless[0][0],
                f"{len(importer.stageless)} row(s) come before any stage heading and have no "
                f"stage: {_cells_list([cell for _, cell in importer.stageless])}; they are put "
                f"under a stage '{stage.name}' ({how})",
            )
    if not importer.activities:
        if not importer.skipped:
            log.error(sheet.where, "no activity rows below the header; no files are written")
        else:
            log.error(sheet.where, "no activity row could be written; no files are written")
        return ImportResult({}, tuple(log.messages), 0, importer.skipped, tuple(lines))
    files, written = _build_files(importer, parties, title, log, options)
    _unheld_teams(importer, parties, written, log)
    for name, text in files.items():
        if len(text.encode()) > MAX_FILE_BYTES:
            log.error(name, f"over ownbook's limit of {MAX_FILE_BYTES:,} bytes; nothing is written")
            return ImportResult(
                {}, tuple(log.messages), 0, importer.skipped + written, tuple(lines)
            )
    return ImportResult(files, tuple(log.messages), written, importer.skipped, tuple(lines))
