"""The layout of a sheet, worked out from its cells: the header row, which column names the
activities, numbers the rows or groups them into stages, which columns are parties and
which are ignored. It is printed, with the options that reproduce it, before any message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...model.spec import ID_MAX, slugify
from .cells import _is_number, header_letter, parse_letters, unmark
from .common import (
    ImportOptions,
    _Log,
    _one_line,
    _Sheet,
    _short,
    _valid_id,
    _visible,
    column_letter,
)
from .reading import _cell_ref

if TYPE_CHECKING:  # the rows step uses the layout; the layout only describes it
    from .rows import _Importer

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
    "note": "text",
    "comments": "text",
    "comment": "text",
    "remarks": "text",
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


def _letter_columns(header: dict[int, str]) -> dict[int, str]:
    """{column: letter} of a header naming two or more of R, A, C, I (and S beside them):
    such a sheet lists the parties under each letter instead of one column per party."""
    found = {col: letter for col, text in header.items() if (letter := header_letter(text))}
    return found if len(set(found.values()) - {"S"}) >= 2 else {}


@dataclass
class _Named:
    """A team, role, stage or activity name with the id it gets and where it was first seen."""

    name: str
    where: str
    id: str = ""


@dataclass
class _Team(_Named):
    roles: dict[str, _Named] = field(default_factory=dict)
    summary: str | None = None


@dataclass
class _Columns:
    activity: int
    stage: int | None = None
    kind: int | None = None
    ident: int | None = None
    summary: int | None = None
    description: int | None = None
    parties: dict[int, str] = field(default_factory=dict)
    letters: dict[int, str] = field(default_factory=dict)  # letter columns: parties in cells
    unread: dict[int, str] = field(default_factory=dict)
    numbering: set[int] = field(default_factory=set)
    ignored: dict[int, str] = field(default_factory=dict)  # column: why, in the layout

    def known(self) -> set[int]:
        extras = (self.activity, self.stage, self.kind, self.ident, self.summary, self.description)
        return {c for c in extras if c is not None} | set(self.parties) | set(self.letters)

    def party_columns(self) -> set[int]:
        """The columns that name who holds a letter: party columns or letter columns."""
        return set(self.parties) | set(self.letters)


_DESCRIBED = re.compile(r"(.*?\S)\s+[-\u2013\u2014]\s+(\S.*)")


def _party_header(text: str, roles: bool | None = True) -> tuple[str, str | None, bool]:
    """(team name, role name or None, whether one side was empty) of a party header.

    `roles` True reads "Team / Role", "Team: Role" and "Role (Team)" as a role in a team;
    False keeps the header whole; None reads only "Team: Role" so (a "/" meaning
    "either or both" and parentheses as a qualifier stay in the name)."""
    if roles is False:
        return text, None, False
    for sep in ("/", ":") if roles else (":",):
        if sep in text:
            team, _, role = (part.strip() for part in text.partition(sep))
            if team and role:
                return team, role, False
            return team or role or text, None, True
    match = re.fullmatch(r"(.*\S)\s*\(\s*([^()]*[^()\s])\s*\)", text)
    if match and roles:
        return match.group(2), match.group(1), False
    return text, None, False


def _reads_roles(headers: list[str]) -> bool:
    """Whether this sheet's '/' and '( )' headers name roles in teams: only when a team they
    would name recurs (two headers of one team, or a team's own column). Most sheets use
    'UX/UI Designer' for either or both, and 'AUCyber (IaaS)' as a qualifier."""
    plain = {h.casefold() for h in headers if "/" not in h and "(" not in h and ":" not in h}
    plain |= {h.partition(":")[0].strip().casefold() for h in headers if ":" in h}
    teams: list[str] = []
    for header in headers:
        team, role, _ = _party_header(header, True)
        if role is not None and ":" not in header:
            teams.append(team.casefold())
    return any(teams.count(t) > 1 or t in plain for t in teams)


def _described(text: str) -> tuple[str, str | None]:
    """A header 'Team - what the team does' as (name, summary); a short tail stays."""
    match = _DESCRIBED.fullmatch(text)
    if match and len(match.group(2).split()) >= 3:
        return match.group(1), match.group(2)
    return text, None


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


class _Parties:
    """Teams and their roles as the party columns name them, in header order."""

    def __init__(self, log: _Log, roles: bool | None = True) -> None:
        self.log = log
        self.roles = roles
        self.teams: dict[str, _Team] = {}
        self.team_ids = _Ids("team")

    def party(self, header: str, where: str) -> str:
        """The party id a header names, creating its team and role on first sight."""
        header, summary = _described(header)
        team_name, role_name, lopsided = _party_header(header, self.roles)
        if lopsided:
            self.log.warning(
                where, f"header '{_short(header)}' has an empty side; read as team '{team_name}'"
            )
        team = self.teams.get(team_name.casefold())
        if team is None:
            team = _Team(team_name, where, summary=summary)
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


# --- the layout: which row and columns hold what, worked out from the cells -------------

_ACTIVITY_WORDS = {
    "activity",
    "activities",
    "task",
    "tasks",
    "step",
    "steps",
    "deliverable",
    "deliverables",
    "process",
    "processes",
    "work item",
    "work items",
    "action",
    "actions",
    "decision",
    "decisions",
    "responsibility",
    "responsibilities",
}
_PARTY_WORDS = {
    "team",
    "teams",
    "role",
    "roles",
    "party",
    "parties",
    "department",
    "departments",
    "stakeholder",
    "stakeholders",
    "function",
    "functions",
}
HEADER_SCAN = 200  # rows looked at for the first row of letters
_TOTAL_WORDS = {"total", "totals", "sum", "count", "grand total"}
_ID_HEADER = re.compile(r"(?:.+[\s_\-])?(?:id|ref\.?|reference|#|no\.?|nr\.?|number)")
_CODE = re.compile(r"[\w.\-]{1,20}")


def header_kind(text: str) -> str | None:
    """What a header's words suggest (stage, kind, text, id, number or activity); the cells
    below decide, the words only break ties."""
    folded = _one_line(unmark(text)).casefold().rstrip(":").strip()
    if folded in _EXTRA:
        return _EXTRA[folded]
    if folded in _ACTIVITY_WORDS:
        return "activity"
    if _ID_HEADER.fullmatch(folded):
        return "number"
    return None


@dataclass
class _Stat:
    """What one column holds below the header."""

    filled: int = 0
    letters: int = 0
    marks: int = 0  # short cells that are not letters: N, x, a tick
    numbers: int = 0
    values: list[str] = field(default_factory=list)


def _stats(body: list[tuple[int, dict[int, str]]], blank: tuple[str, ...]) -> dict[int, _Stat]:
    stats: dict[int, _Stat] = {}
    for _, cells in body:
        for col, text in cells.items():
            stat = stats.setdefault(col, _Stat())
            stat.filled += 1
            stat.values.append(_one_line(unmark(text)))
            letters = parse_letters(text, blank)
            if letters:
                stat.letters += 1
            elif _is_number(text):
                stat.numbers += 1
            elif letters == "" or len(text.strip()) <= 3:
                stat.marks += 1
    return stats


def _party_like(stat: _Stat | None) -> bool:
    """A column of letters or short marks (a team never involved may hold only 'N'), in at
    least a third of its cells: estimates, notes and names are not."""
    if stat is None:
        return False
    held = stat.letters + stat.marks
    if not stat.letters and held < stat.filled:
        return False  # 'ok', 'TBD' beside sentences: comments, not a team never involved
    return held > 0 and held >= 0.3 * stat.filled


def _find_header(
    sheet: _Sheet,
    header_row: int | None,
    blank: tuple[str, ...],
    log: _Log,
    letter_columns: bool | None = None,
) -> int | None:
    """Index in `sheet.rows` of the header row: the last row of two or more cells above the
    first row of letters that names a column those letters are in (titles, notes and stage
    headings are not the header, nor is a row of letters); else the first row of two or
    more cells."""
    if header_row is not None:
        for index, (row, _) in enumerate(sheet.rows):
            if row == header_row:
                return index
        log.error(sheet.where, f"--header-row {header_row}: that row is empty")
        return None
    candidates = [i for i, (_, cells) in enumerate(sheet.rows[:HEADER_SCAN]) if len(cells) >= 2]
    if not candidates:
        if not sheet.rows:
            log.error(sheet.where, "the sheet is empty")
        else:
            row, cells = sheet.rows[0]
            log.error(
                sheet.at(row, min(cells)),
                "no header row: no row has an activity column and at least one party column",
            )
        return None
    if letter_columns is not False and _names_letters(sheet, candidates[0], blank):
        return candidates[0]  # below are names, not letters: nothing else marks the header
    for index, (_, cells) in enumerate(sheet.rows[:HEADER_SCAN]):
        first = min(cells)
        coded = {col for col, text in cells.items() if col != first and _letter_code(text, blank)}
        if coded:  # the header names the columns these letters are in
            above = [i for i in candidates if i < index and coded & sheet.rows[i][1].keys()]
            return above[-1] if above else candidates[0]
    return candidates[0]


def _names_letters(sheet: _Sheet, index: int, blank: tuple[str, ...]) -> bool:
    """Whether the first row of two or more cells heads letter columns ('Responsible',
    'Accountable' ... or 'R', 'A' ...) over cells that name parties. A row of letters further
    down is a matrix's, and it has letters below it, not names."""
    found = _letter_columns(sheet.rows[index][1])
    for _, below in sheet.rows[index + 1 : index + 1 + HEADER_SCAN]:
        held = [below[col] for col in found if col in below]
        if held:
            return any(parse_letters(text, blank) is None for text in held)
    return False


def _letter_code(text: str, blank: tuple[str, ...]) -> bool:
    """A cell that holds letters as codes ('A/R', 'C'), not a word such as 'Accountable'
    that a header may hold."""
    return bool(parse_letters(text, blank)) and len(re.sub(r"[^A-Za-z]", "", text)) <= 5


def _column_option(
    spec: str | None, option: str, header: dict[int, str], sheet: _Sheet, log: _Log
) -> int | bool | None:
    """The column an option names (a letter, or a header's text); False when it names none."""
    if spec is None:
        return None
    text = spec.strip()
    if re.fullmatch(r"[A-Za-z]{1,3}", text):
        ref = _cell_ref(text.upper() + "1")
        if ref is not None:
            return ref[0] - 1
    for col, name in header.items():
        if _one_line(name).casefold() == text.casefold():
            return col
    log.error(sheet.where, f"{option} {_short(_visible(text))}: no such column")
    return False


def _spans(cols: list[int]) -> str:
    """Columns as a person reads them: 'D-K, M'."""
    parts: list[str] = []
    start = prev = None
    for col in sorted(cols):
        if prev is not None and col == prev + 1:
            prev = col
            continue
        if start is not None and prev is not None:
            parts.append(_span(start, prev))
        start = prev = col
    if start is not None and prev is not None:
        parts.append(_span(start, prev))
    return ", ".join(parts)


def _span(start: int, end: int) -> str:
    if start == end:
        return column_letter(start)
    return f"{column_letter(start)}-{column_letter(end)}"


@dataclass
class _Plan:
    """The layout found, as the import uses it and as it is printed."""

    header: int  # index in sheet.rows
    columns: _Columns
    roles: bool | None  # None: only "Team: Role" names a role (see _party_header)
    lines: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


def _layout(sheet: _Sheet, options: ImportOptions, log: _Log) -> _Plan | None:
    """Work out the header row and what each column holds from the cells; options decide
    where the cells cannot. Returns None (with an error) when nothing can be read."""
    index = _find_header(sheet, options.header_row, options.blank, log, options.letter_columns)
    if index is None:
        return None
    header_row, header = sheet.rows[index]
    body = sheet.rows[index + 1 :]
    stats = _stats(body, options.blank)
    forced: dict[str, int] = {}
    for name, spec in (
        ("activity", options.activity_column),
        ("id", options.id_column),
        ("stage", options.stage_column),
    ):
        col = _column_option(spec, f"--{name}-column", header, sheet, log)
        if col is False:
            return None
        if isinstance(col, int) and not isinstance(col, bool):
            forced[name] = col
    chosen: list[int] = []  # --party-column: parties whatever their cells hold
    for spec in options.party_columns:
        col = _column_option(spec, "--party-column", header, sheet, log)
        if col is False:
            return None
        if isinstance(col, int) and not isinstance(col, bool):
            chosen.append(col)
    ignore: dict[int, str] = {}
    for spec in options.ignore_columns:
        col = _column_option(spec, "--ignore-column", header, sheet, log)
        if col is False:
            return None
        if isinstance(col, int) and not isinstance(col, bool):
            ignore[col] = "--ignore-column"
    letters = _letters_read(sheet, header, header_row, stats, forced, ignore, options, log)
    if letters is None:
        return None
    taken = set(forced.values()) | set(ignore) | set(letters)
    kinds = {col: header_kind(text) for col, text in header.items()}
    columns = sorted(set(header) | set(stats))
    parties: list[int] = [col for col in chosen if col not in taken]
    taken |= set(chosen)
    for col in columns:
        if letters:
            break  # the parties are named in the cells of the letter columns
        if col in taken or not header.get(col, "").strip():
            continue
        if kinds.get(col) in ("stage", "kind", "text", "id", "activity"):
            continue
        stat = stats.get(col)
        if stat is None or _party_like(stat):
            if kinds.get(col) == "number" and (stat is None or not stat.letters):
                continue
            parties.append(col)
    party_set = set(parties)
    letter_rows = [
        row
        for row, cells in body
        if any(c in party_set and parse_letters(t, options.blank) for c, t in cells.items())
        or any(c in letters and parse_letters(t, options.blank) != "" for c, t in cells.items())
    ]
    activity = forced.get("activity")
    if activity is None:
        activity = _activity_column(
            sheet, header, header_row, stats, parties, taken, kinds, letter_rows, body, log
        )
        if activity is None:
            return None
    if activity in parties:
        parties.remove(activity)
    cols = _Columns(activity=activity)
    beside = {col for _, cells in body if activity in cells for col in cells}
    cols.ignored.update(ignore)
    for col in columns:
        if col == activity or col in parties or col in ignore or col in letters:
            continue
        text = header.get(col, "")
        kind = kinds.get(col)
        stat = stats.get(col, _Stat())
        where = sheet.at(header_row, col)
        if forced.get("id") == col:
            cols.ident = col
            continue
        if forced.get("stage") == col:
            cols.stage = col
            continue
        values = list(stat.values)
        if kind == "id" and "id" not in forced and cols.ident is None:
            cols.ident = col
            continue
        if kind in ("number", "id") or (
            col < activity
            and values
            and all(_CODE.fullmatch(v) and any(ch.isdigit() for ch in v) for v in values)
        ):
            if (
                "id" not in forced
                and cols.ident is None
                and values
                and all(_valid_id(v) and not v.isdigit() for v in values)
                and len(set(values)) == len(values)
            ):
                cols.ident = col
            elif col < activity:
                cols.numbering.add(col)
                log.warning(
                    where,
                    f"column {column_letter(col)} '{_short(text)}' numbers the rows; "
                    "it is not read",
                )
            else:
                cols.ignored[col] = "no letter in any row"
            continue
        if kind is None and col < activity and stat.filled and col not in beside:
            continue  # heading rows (a stage name alone on its row), read row by row
        if kind == "stage" or (
            kind is None
            and "stage" not in forced
            and cols.stage is None
            and col < activity
            and stat.filled
            and not stat.letters
            and _groups(stat, stats.get(activity))
        ):
            if "stage" in forced:
                cols.ignored[col] = "--stage-column names another"
            elif kind == "stage" and cols.stage is not None:
                log.warning(where, f"a second Stage column '{_short(text)}' is not read")
                cols.unread[col] = "is a second Stage column"
            else:
                cols.stage = col
            continue
        if kind == "kind" and cols.kind is None:
            cols.kind = col
            continue
        if kind == "text":
            if cols.summary is None:
                cols.summary = col
            elif cols.description is None:
                cols.description = col
            else:
                log.warning(where, f"a second Description column '{_short(text)}' is not read")
                cols.unread[col] = "is a second Description column"
            continue
        if not text.strip():
            continue  # no header: its cells are reported as stray
        if stat.filled and not stat.letters:
            cols.ignored[col] = "no letter in any row"
        elif stat.filled:
            cols.ignored[col] = f"{stat.letters} letter(s) among {stat.filled:,} cells"
            log.warning(
                where,
                f"column {column_letter(col)} '{_short(text)}' holds {stat.letters} letter(s) "
                f"among {stat.filled:,} cells, too few for a party; it is not read "
                f"(--party-column {column_letter(col)} reads it as one)",
            )
    roles = options.roles
    if (
        roles is None
        and not letters
        and _reads_roles([_described(_one_line(header[c]))[0] for c in parties])
    ):
        roles = True
    plan = _Plan(index, cols, roles)
    cols.parties = {c: "" for c in sorted(parties)}
    cols.letters = letters
    return plan


def _letters_read(
    sheet: _Sheet,
    header: dict[int, str],
    header_row: int,
    stats: dict[int, _Stat],
    forced: dict[str, int],
    ignore: dict[int, str],
    options: ImportOptions,
    log: _Log,
) -> dict[int, str] | None:
    """The letter columns ({column: letter}) when the header names them and their cells name
    parties; {} for a matrix. Columns named after letters that hold letters could be either,
    so that stops and asks (None, with an error), as --letter-columns decides."""
    if options.letter_columns is False:
        return {}
    found = {
        col: letter
        for col, letter in _letter_columns(header).items()
        if col not in ignore and col not in forced.values()
    }
    if len(set(found.values()) - {"S"}) < 2:
        if options.letter_columns:
            log.error(
                sheet.at(header_row, min(header)),
                "--letter-columns: the header names fewer than two of Responsible, "
                "Accountable, Consulted and Informed (or R, A, C, I)",
            )
            return None
        return {}
    held = [stats[col] for col in found if col in stats]
    coded = sum(stat.letters for stat in held)
    if options.letter_columns is None and coded * 2 > sum(stat.filled for stat in held):
        names = ", ".join(f"{column_letter(c)} '{_short(header[c])}'" for c in sorted(found))
        log.error(
            sheet.at(header_row, min(found)),
            f"columns {names} are named after RACI letters but hold letters; pass "
            "--letter-columns if their cells name the parties, or --no-letter-columns if "
            "each column is a party",
        )
        return None
    return dict(sorted(found.items()))


def _groups(stat: _Stat, activity: _Stat | None) -> bool:
    """A column groups the rows when it leaves blanks beside activities (merged cells) or
    repeats a name; a different text on every row is a second name, not a group."""
    rows = activity.filled if activity is not None else 0
    values = [v.casefold() for v in stat.values]
    return stat.filled < rows or len(set(values)) < len(values)


def _activity_column(
    sheet: _Sheet,
    header: dict[int, str],
    header_row: int,
    stats: dict[int, _Stat],
    parties: list[int],
    taken: set[int],
    kinds: dict[int, str | None],
    letter_rows: list[int],
    body: list[tuple[int, dict[int, str]]],
    log: _Log,
) -> int | None:
    """The column that names the activities: filled on (nearly) every row of letters, a
    different text on each, and not a number or a code. Header words break ties only."""
    rows = set(letter_rows)
    skip = set(parties) | taken
    beside: dict[int, list[str]] = {}  # each column's texts on the rows of letters
    for row, cells in body:
        if row in rows:
            for col, text in cells.items():
                if col not in skip:
                    beside.setdefault(col, []).append(_one_line(unmark(text)))
    scored: list[tuple[float, int]] = []
    for col in sorted(set(header) | set(stats)):
        if col in skip or kinds.get(col) in ("kind", "text", "id"):
            continue
        values = beside.get(col, [])
        if not values or all(
            _is_number(v) or (_CODE.fullmatch(v) and any(c.isdigit() for c in v)) for v in values
        ):
            continue
        fill = len(values) / max(len(rows), 1)
        distinct = len(set(v.casefold() for v in values)) / len(values)
        scored.append((fill * distinct, col))
    good = [col for score, col in scored if score >= 0.75]
    if len(good) > 1:
        worded = [c for c in good if kinds.get(c) == "activity"]
        if len(worded) == 1:
            return worded[0]
        unworded = [c for c in good if kinds.get(c) not in ("stage", "number")]
        if len(unworded) == 1:
            return unworded[0]
        names = " and ".join(f"{column_letter(c)} '{_short(header.get(c, ''))}'" for c in good[:3])
        log.error(
            sheet.at(header_row, good[0]),
            f"columns {names} could each name the activities; pass --activity-column "
            f"{column_letter(good[0])} (or another) to say which",
        )
        return None
    if good:
        return good[0]
    if scored:
        return max(scored, key=lambda item: (item[0], -item[1]))[1]
    if header:
        left = [c for c in sorted(header) if c not in parties and c not in taken]
        if left:
            return left[0]
    log.error(
        sheet.at(header_row, min(header)),
        "no activity column: no column names a different activity on each row of letters; "
        "pass --activity-column",
    )
    return None


def _shell_word(text: str) -> str:
    """An option's value as a shell reads it back, unprintable characters escaped."""
    text = _visible(text)
    return text if re.fullmatch(r"[\w./:@%+-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _named_column(sheet: _Sheet, header: dict[int, str], col: int) -> str:
    text = header.get(col, "").strip()
    label = f"'{_short(_visible(text))}'" if text else "(no header)"
    return f"{sheet.column_name(col)} {label}"


def _describe(
    sheet: _Sheet,
    plan: _Plan,
    importer: _Importer,
    header: dict[int, str],
    header_row: int,
    options: ImportOptions,
) -> list[str]:
    """The layout as printed: what each row and column was read as, and the options that
    read it so again."""
    c = plan.columns
    lines = [f"header: {sheet.row_name(header_row)}"]
    span = ""
    if importer.first_row is not None and importer.last_row is not None:
        first, last = importer.first_row, importer.last_row
        if sheet.swapped:
            span = f" (columns {column_letter(first - 1)}-{column_letter(last - 1)})"
        else:
            span = f" (rows {first}-{last})"
    lines.append(f"activities: {_named_column(sheet, header, c.activity)}{span}")
    if c.ident is not None:
        lines.append(f"ids: {_named_column(sheet, header, c.ident)}")
    for col in sorted(c.numbering):
        lines.append(f"ids: {_named_column(sheet, header, col)} numbers the rows; not read")
    for label, column in (
        ("kinds", c.kind),
        ("summaries", c.summary),
        ("descriptions", c.description),
    ):
        if column is not None:
            lines.append(f"{label}: {_named_column(sheet, header, column)}")
    if c.stage is not None:
        lines.append(f"stages: {_named_column(sheet, header, c.stage)}")
    elif importer.headings:
        rows = ", ".join(str(r) for r in importer.headings[:20])
        more = "" if len(importer.headings) <= 20 else f" and {len(importer.headings) - 20} more"
        lines.append(f"stages: heading rows {rows}{more}")
    else:
        lines.append(f"stages: none; every activity is under '{_short(importer.default_name)}'")
    reading = {
        True: "'/', ':' and '( )' name a role in a team",
        None: "':' names a role in a team; '/' and '( )' stay in names",
        False: "names kept whole",
    }[plan.roles]
    if c.letters:
        names = ", ".join(
            _named_column(sheet, header, col)
            if sheet.swapped
            else f"{column_letter(col)} '{_short(_visible(header.get(col, '')))}'"
            for col in c.letters
        )
        lines.append(
            f"parties: named in the cells of the letter columns {names} "
            f"({len(importer.named)}; ',', ';', ' and ' and line breaks separate them; "
            f"{reading})"
        )
    elif sheet.swapped:
        names = ", ".join(sheet.column_name(col) for col in sorted(c.parties))
        lines.append(f"parties: {names} ({len(c.parties)}; {reading})")
    else:
        lines.append(f"parties: {_spans(list(c.parties))} ({len(c.parties)}; {reading})")
    for col, why in sorted(c.ignored.items()):
        lines.append(f"ignored: {_named_column(sheet, header, col)}, {why}")
    if importer.totals:
        lines.append(f"ignored: totals row {', '.join(str(r) for r in importer.totals)}")
    if importer.legend:
        lines.append(f"ignored: legend row {', '.join(str(r) for r, _ in importer.legend)}")
    if importer.a_as_r:
        lines.append(
            f"policy: {importer.a_as_r} row(s) with an A but no R read as A/R "
            "(--a-without-r skip leaves them out)"
        )
    if importer.support and options.support:
        lines.append(f"policy: {len(importer.support)} S cell(s) read as {options.support}")
    if not sheet.swapped:
        again = [f"--header-row {header_row}", f"--activity-column {column_letter(c.activity)}"]
        if c.ident is not None:
            again.append(f"--id-column {column_letter(c.ident)}")
        if c.stage is not None:
            again.append(f"--stage-column {column_letter(c.stage)}")
        again += [f"--ignore-column {column_letter(col)}" for col in sorted(c.ignored)]
        again += [f"--party-column {_shell_word(spec)}" for spec in options.party_columns]
        if c.letters:
            again.append("--letter-columns")
        elif options.letter_columns is False:
            again.append("--no-letter-columns")
    else:
        again = ["--transpose"]
    if plan.roles is not None:
        again.append("--roles" if plan.roles else "--no-roles")
    again += [f"--blank {_shell_word(text)}" for text in options.blank]
    if options.support:
        again.append(f"--support {options.support}")
    if options.a_without_r != "responsible":
        again.append(f"--a-without-r {options.a_without_r}")
    if options.stage is not None:
        again.append(f"--stage {_shell_word(options.stage)}")
    if options.sheet is not None or sheet.sheet is not None:
        again.insert(0, f"--sheet {_shell_word(sheet.sheet or '')}")
    if options.table is not None:
        again.insert(0, f"--table {options.table}")
    lines.append("options that read it so: " + " ".join(again))
    return lines
