"""Rows to activities: stage headings, totals, the letters each party holds, and the rules
an activity must meet (one A, at least one R) with the policies that apply, each counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model.objects import Letter
from ...model.rules import count_faults, may_hold_together
from . import common as common
from .cells import LETTER_ORDER, _is_number, parse_letters, party_names, stage_name, unmark
from .common import (
    DEFAULT_STAGE,
    LETTER_BY_CHAR,
    LETTER_NAMES,
    LETTERS,
    ImportMessage,
    ImportOptions,
    _Cells,
    _cells_list,
    _Log,
    _one_line,
    _Sheet,
    _short,
    column_letter,
)
from .layout import _TOTAL_WORDS, _Columns, _Named, _Parties

_LEGEND = set(LETTER_ORDER)  # a letter where an activity's name goes: a legend row


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
    also: list[_Stage] = field(default_factory=list)  # further stages of the row


class _Importer:
    """Walks the rows below the header: stage headings, activity rows, stray cells."""

    def __init__(
        self,
        sheet: _Sheet,
        columns: _Columns,
        log: _Log,
        options: ImportOptions | None = None,
        parties: _Parties | None = None,
    ) -> None:
        self.sheet = sheet
        self.parties = parties or _Parties(log)  # names the letter columns' cells list
        self.named: dict[str, None] = {}  # parties found in letter columns, in order
        self.columns = columns
        self.log = log
        self.options = options or ImportOptions()
        self.stages: dict[str, _Stage] = {}
        self.later: dict[str, _Stage] = {}  # named only after another stage, so far
        self.current: _Stage | None = None
        self.default_name = _one_line(self.options.stage or "") or DEFAULT_STAGE
        self.stageless: list[tuple[str, str]] = []  # (location, cell)
        self.activities: list[_Activity] = []
        self.skipped = 0
        self.stray: dict[int, list[int]] = {}
        self.known = columns.known()
        self.headings: list[int] = []  # rows read as stage headings
        self.first_row: int | None = None
        self.last_row: int | None = None
        # cells that are not letters, by text: (index of their message, [(row, col)])
        self.bad: dict[str, tuple[int, str, _Cells]] = {}
        self.support = _Cells()
        self.a_as_r = 0
        self.totals: list[int] = []
        self.legend: list[tuple[int, str]] = []  # (row, the letter it explains)
        self.also: list[_Stage] = []

    def stage(self, name: str, where: str) -> _Stage:
        key = name.casefold()
        stage = self.stages.get(key)
        if stage is None:
            stage = self.later.pop(key, None)
            if stage is None:
                stage = _Stage(name, where)
            self.stages[key] = stage
        return stage

    def later_stage(self, name: str, where: str) -> _Stage:
        """A stage named after the first in a cell ('Advocacy' in 'Awareness; Advocacy'):
        it takes its place in the lifecycle where it is first named first, or at the end."""
        key = name.casefold()
        if key in self.stages:
            return self.stages[key]
        return self.later.setdefault(key, _Stage(name, where))

    def run(self, rows: list[tuple[int, dict[int, str]]]) -> None:
        for row, cells in rows:
            self.row(row, cells)
        last = self.last_row if self.last_row is not None else 0
        self.headings = [row for row in self.headings if row < last]  # not a footnote below
        for key, stage in self.later.items():
            self.stages.setdefault(key, stage)
        self.later.clear()
        self.report_legend()
        self.report_bad()
        self.report_stray()

    def report_legend(self) -> None:
        if not self.legend:
            return
        rows = [self.sheet.ref(row, self.columns.activity) for row, _ in self.legend]
        letters = ", ".join(f"'{letter}'" for _, letter in self.legend[:5])
        self.log.warning(
            self.sheet.at(self.legend[0][0], self.columns.activity),
            f"{len(rows)} row(s) name a RACI letter ({letters}) where the activity goes: a "
            f"legend, not activities; {_cells_list(rows)} are not read",
        )

    def report_bad(self) -> None:
        """One message per distinct text that is not a letter, with its count and cells."""
        for text, (index, shown, where) in self.bad.items():
            if len(where) < 2 or index >= common.MAX_MESSAGES:
                continue
            cells = where.listed(self.sheet)
            hint = ""
            if len(text) <= 3:
                hint = f"; if {shown} means not involved, pass --blank {shown}"
            old = self.log.messages[index]
            self.log.messages[index] = ImportMessage(
                old.location,
                old.severity,
                f"'{shown}' in {len(where):,} cells, {cells}, is not a RACI letter (R, A, C or "
                f"I, or a combination such as A/R); the cells are not placed{hint}",
            )

    def row(self, row: int, cells: dict[int, str]) -> None:
        c = self.columns
        at = self.sheet.at
        filled = cells.keys() & self.known
        if self.is_total(row, cells):
            return
        if self.lone_heading(row, cells):
            return
        if len(filled) < len(cells):
            for col in cells.keys() - self.known - c.numbering - c.ignored.keys():
                self.stray.setdefault(col, []).append(row)
        if not filled:
            return
        if self.bold_heading(row, cells):
            return
        if filled == {c.activity}:
            name, explicit = stage_name(cells[c.activity])
            if c.stage is None or explicit:
                self.current = self.stage(name, at(row, c.activity))
                self.headings.append(row)
                return
        if c.stage is not None and filled == {c.stage}:
            name, _ = stage_name(cells[c.stage])
            self.current = self.stage(name, at(row, c.stage))
            return
        if _one_line(unmark(cells.get(c.activity, ""))) in _LEGEND:
            self.legend.append((row, _one_line(unmark(cells[c.activity]))))
            return  # 'R' | 'Responsible': a key to the letters, not an activity
        if self.first_row is None:
            self.first_row = row
        self.last_row = row
        self.activity_row(row, cells)

    def lone_heading(self, row: int, cells: dict[int, str]) -> bool:
        """A row of text in one cell and no letter names the stage of the rows below it,
        whatever column the text is in (the id column, the activity column, a party column
        of a centred heading; merged across the row, the text is in its first cell): a
        number or a letter is not a heading, nor is a note right of the activities."""
        c = self.columns
        if len(cells) != 1 or c.stage is not None:
            return False
        ((col, text),) = cells.items()
        if col > c.activity and col not in c.party_columns():
            return False  # a note, an estimate: reported or ignored with its column
        plain = _one_line(unmark(text))
        if (
            parse_letters(text, self.options.blank) is not None
            or _is_number(plain)
            or not any(ch.isalpha() for ch in plain)
        ):
            return False
        self.current = self.stage(stage_name(text)[0], self.sheet.at(row, col))
        self.headings.append(row)
        return True

    def bold_heading(self, row: int, cells: dict[int, str]) -> bool:
        """A row all in bold with no letter names the stage of the rows below it."""
        c = self.columns
        if row not in self.sheet.bold or c.stage is not None:
            return False
        if any(parse_letters(cells[col], self.options.blank) for col in c.parties if col in cells):
            return False
        if cells.keys() & c.letters.keys():
            return False  # parties named under a letter: an activity in bold
        col = c.activity if c.activity in cells else min(cells)
        if col in c.party_columns():
            return False
        self.current = self.stage(stage_name(cells[col])[0], self.sheet.at(row, col))
        self.headings.append(row)
        return True

    def is_total(self, row: int, cells: dict[int, str]) -> bool:
        """A totals row (its name says so, or numbers stand where letters go) is not read."""
        held = self.columns.party_columns()
        names = {
            _one_line(unmark(text)).casefold().rstrip(":")
            for col, text in cells.items()
            if col not in held
        }
        party_cells = [text for col, text in cells.items() if col in held]
        if names & _TOTAL_WORDS or (
            len(party_cells) >= 2 and all(_is_number(text) for text in party_cells)
        ):
            self.totals.append(row)
            return True
        return False

    def activity_row(self, row: int, cells: dict[int, str]) -> None:
        c = self.columns
        name = _one_line(unmark(cells.get(c.activity, "")))
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
        holders = {
            letter: [p for p, cols in held.items() if any(letter.char in x for _, x in cols)]
            for letter in (Letter.ACCOUNTABLE, Letter.RESPONSIBLE)
        }

        def cells_of(letter: Letter) -> list[str]:
            return list(
                dict.fromkeys(
                    ref(row, col) for cols in held.values() for col, x in cols if letter.char in x
                )
            )

        accountable = holders[Letter.ACCOUNTABLE]
        a_cells = cells_of(Letter.ACCOUNTABLE)
        # Only R is missing, and the one A may hold R too: the policy reads it as A/R.
        only_r_missing = count_faults({k: len(v) for k, v in holders.items()}) == [
            Letter.RESPONSIBLE
        ] and may_hold_together((Letter.ACCOUNTABLE, Letter.RESPONSIBLE))
        if only_r_missing and self.options.a_without_r == "responsible":
            holders[Letter.RESPONSIBLE] = accountable
            self.a_as_r += 1
            party = accountable[0]
            for col, letters in held[party]:
                if "A" in letters:
                    held[party] = [*held[party], (col, "R")]
                    break
            self.log.warning(
                where,
                f"'{_short(name)}' has an A but no R: '{party}' ({a_cells[0]}) is read as "
                "accountable and responsible (A/R); pass --a-without-r skip to leave such "
                "rows out",
            )
        wrong = []
        for fault in count_faults({k: len(v) for k, v in holders.items()}):
            parties = holders[fault]
            if not parties:
                wrong.append(f"no {fault.value} party ({fault.char})")
                continue
            where_held = cells_of(fault)
            listed = ", ".join(where_held)
            if len(where_held) < len(parties):  # a letter column's cell names them all
                listed += f" ({', '.join(parties)})"
            wrong.append(f"{len(parties)} {fault.value} parties ({fault.char}) in {listed}")
        if wrong:
            text = (
                f"row left out: '{_short(name)}' has {' and '.join(wrong)}; an activity needs "
                "exactly one A and at least one R"
            )
            if only_r_missing and c.letters:
                text += " (name that party under Responsible too if it also does the work)"
            elif only_r_missing:
                text += f" (write A/R in {a_cells[0]} if that party also does the work)"
            self.log.error(where, text)
            self.skipped += 1
            return
        raci: dict[str, list[str]] = {letter: [] for letter in LETTERS}
        for party, cols in held.items():
            letters = "".join(ch for ch in LETTERS if any(ch in x for _, x in cols))
            for letter in letters:
                raci[letter].append(party)
            if not may_hold_together(LETTER_BY_CHAR[ch] for ch in letters) and not (
                self.options.support and any("S" in x for _, x in cols)
            ):
                both = " and ".join(LETTER_NAMES[letter] for letter in letters)
                self.log.warning(
                    self.sheet.at(row, cols[0][0]),
                    f"'{party}' is {both} in '{_short(name)}'; ownbook check warns about a "
                    "party holding two letters (OB304)",
                )
        stage.written += 1
        also = [s for s in self.also if s is not stage]
        for other in also:
            other.written += 1
        self.activities.append(
            _Activity(
                where=where,
                cell=ref(row, c.activity),
                name=name,
                stage=stage,
                also=also,
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
            # 'Advocacy; Awareness' (as ownbook's own downloads write it): several stages
            names = [part for part in cells[c.stage].split(";") if part.strip()]
            where_stage = self.sheet.at(row, c.stage)
            self.also = [self.later_stage(stage_name(n)[0], where_stage) for n in names[1:]]
            name, _ = stage_name(names[0] if names else cells[c.stage])
            self.current = self.stage(name, where_stage)
            return self.current
        self.also = []
        if self.current is not None:
            return self.current
        self.stageless.append((where, self.sheet.ref(row, self.columns.activity)))
        return self.stage(self.default_name, where)

    def row_letters(self, row: int, cells: dict[int, str]) -> dict[str, list[tuple[int, str]]]:
        """{party: [(column, letters of that cell)]} in column order; bad cells reported."""
        held: dict[str, list[tuple[int, str]]] = {}
        parties = self.columns.parties
        for col in sorted(cells.keys() & parties.keys()):  # a row's cells, not every column
            party, text = parties[col], cells[col]
            letters = parse_letters(text, self.options.blank)
            if letters is None:
                key = _one_line(text).casefold()
                if key in self.bad:
                    self.bad[key][2].add(row, col)
                    continue
                if len(self.bad) >= common.MAX_MESSAGES:  # a distinct text per cell: listed no more
                    continue
                self.bad[key] = (len(self.log.messages), _short(text), _Cells())
                self.bad[key][2].add(row, col)
                self.log.error(
                    self.sheet.at(row, col),
                    f"'{_short(text)}' is not a RACI letter (R, A, C or I, or a combination "
                    "such as A/R); the cell is not placed",
                )
            elif letters:
                letters = self.supported(row, col, letters)
                if letters:
                    held.setdefault(party, []).append((col, letters))
        for col in sorted(cells.keys() & self.columns.letters.keys()):
            where = self.sheet.at(row, col)
            names = party_names(cells[col], self.options.blank)
            letters = self.supported(row, col, self.columns.letters[col]) if names else ""
            for name in names:
                party = self.parties.party(name, where)
                self.named.setdefault(party)
                if letters:
                    held.setdefault(party, []).append((col, letters))
        return held

    def supported(self, row: int, col: int, letters: str) -> str:
        """A cell's letters with RASCI's S read as --support says (counted, to stop the
        import when no option says how)."""
        if "S" not in letters:
            return letters
        self.support.add(row, col)
        mapped = {"consulted": "C", "responsible": "R"}.get(self.options.support or "")
        letters = letters.replace("S", "")
        if mapped and mapped not in letters:
            letters = "".join(ch for ch in LETTERS if ch in letters + mapped)
        return letters

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
