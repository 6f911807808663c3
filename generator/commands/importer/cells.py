"""What a cell says: RACI letters in the ways real sheets write them, blank marks, and names
without their Markdown markup. One vocabulary for the layout (which columns hold letters)
and for the rows (which letters each party holds), so the two never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...model.objects import Letter
from .common import LETTERS, _one_line


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[-+]?\d+(?:[.,]\d+)*%?", text.strip()) is not None


# --- cells ---------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s/,;+&|()\[\]]+")
_BLANK_MARKS = {"-", "\u2013", "\u2014", "n/a", "na", "none"}  # hyphen, en and em dash
_STAGE_PREFIX = re.compile(r"(?i)(?:stage|phase)\b\s*(?:\d+\s*)?[:.)\-\u2013\u2014]\s*(\S.*)")
_MARKUP = re.compile(r"(\*\*|__|\*|_|`)(.+)\1", re.DOTALL)
# Whole words sheets write instead of letters; S is RASCI's Support, placed by an option.
_LETTER_WORDS = {letter.value: letter.char for letter in Letter} | {
    "consult": "C",
    "inform": "I",
    "support": "S",
    "supports": "S",
    "supportive": "S",
}
LETTER_ORDER = LETTERS + "S"


def unmark(text: str) -> str:
    """Text without the Markdown emphasis or code marks around it ('**A/R**' -> 'A/R')."""
    text = text.strip()
    while match := _MARKUP.fullmatch(text):
        text = match.group(2).strip()
    return text


def parse_letters(text: str, blank: Iterable[str] = ()) -> str | None:
    """The RACI letters in a cell, in RACI order ('A/R' -> 'RA'), with S (RASCI's Support)
    last; '' for a blank mark such as '-' or one passed in `blank`; None when the cell holds
    anything else. Full words ('Accountable'), '(R)' and 'R (A)' are letters too."""
    plain = unmark(text)
    folded = plain.casefold()
    if folded in _BLANK_MARKS or folded in {b.strip().casefold() for b in blank}:
        return ""
    found: set[str] = set()
    for part in _SEPARATORS.split(plain):
        if not part:
            continue
        word = _LETTER_WORDS.get(part.casefold())
        if word is not None:
            found.add(word)
        elif all(ch in LETTER_ORDER for ch in part.upper()):
            found.update(part.upper())
        else:
            return None
    if not found:
        return None
    return "".join(ch for ch in LETTER_ORDER if ch in found)


_NAME_SEPARATORS = re.compile(r"\s*[,;\n\r]\s*|\s+and\s+", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*+\u2022]|\d+[.)])\s+")


def party_names(text: str, blank: Iterable[str] = ()) -> list[str]:
    """The parties a cell of a letter column lists ('Product, Sales and Success'), in order:
    ',', ';', ' and ' and line breaks separate them; '/' and '&' stay in a name ('PMM/GM',
    'R&D'), as a list of names uses them for one party. A blank mark lists none."""
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(text):
        name = _one_line(unmark(_BULLET.sub("", part.strip())))
        if name and parse_letters(name, blank) != "" and name not in names:
            names.append(name)
    return names


def header_letter(text: str) -> str | None:
    """The letter a column's header names ('Responsible', 'R', 'Responsible (R)',
    'R - Responsible'), or None: such a column lists parties under that letter."""
    folded = _one_line(unmark(text)).casefold().strip(" :")
    parts = [p for p in re.split(r"[\s()\[\]\-\u2013\u2014=:.]+", folded) if p]
    if not 1 <= len(parts) <= 2 or (len(parts) == 2 and all(len(p) == 1 for p in parts)):
        return None
    found: set[str] = set()
    for part in parts:
        if len(part) == 1 and part.upper() in LETTER_ORDER:
            found.add(part.upper())
        elif part in _LETTER_WORDS:
            found.add(_LETTER_WORDS[part])
        else:
            return None
    return found.pop() if len(found) == 1 else None


def stage_name(text: str) -> tuple[str, bool]:
    """The stage a heading or Stage cell names, and whether it said 'Stage:' explicitly."""
    text = _one_line(unmark(text))
    match = _STAGE_PREFIX.fullmatch(text)
    return (match.group(1).strip(), True) if match else (text, False)
