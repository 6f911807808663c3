"""Problems found in a model: one record type, one code registry, one place that formats them.

Every check in ownbook reports a `Problem` with a stable code (documented in the README), so
that CI logs, editor annotations and people all talk about the same thing.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Pos(NamedTuple):
    """Where something came from: a display path and 1-based line and column.

    A named tuple rather than a dataclass: the loader makes one per YAML node, and tuples
    are several times cheaper to create.
    """

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str
    # Review reminders are warnings, but an old review must never block a merge or a
    # `--strict` build, so they do not count as strict failures.
    blocks_strict: bool = True


_E, _W = Severity.ERROR, Severity.WARNING

CODES: dict[str, Code] = {
    c.code: c
    for c in (
        # OB0xx: reading files and YAML syntax
        Code("OB001", _E, "content folder or file cannot be read"),
        Code("OB002", _E, "file or model too large"),
        Code("OB003", _E, "file is not valid UTF-8"),
        Code("OB004", _E, "YAML syntax error"),
        Code("OB005", _E, "tab character used for indentation"),
        Code("OB006", _E, "key given twice in one mapping"),
        Code("OB007", _E, "YAML anchor or alias"),
        Code("OB008", _E, "explicit YAML tag"),
        Code("OB009", _E, "YAML merge key"),
        Code("OB010", _E, "nesting too deep"),
        Code("OB011", _E, "file holds no model data"),
        Code("OB012", _E, "more than one YAML document in a file"),
        Code("OB013", _E, "no model files found"),
        Code("OB014", _E, "text too long"),
        Code("OB015", _E, "mapping key is not a plain string"),
        Code("OB016", _E, "control character in text"),
        Code("OB017", _E, "symlink or special file in the content folder"),
        Code("OB018", _E, "unsafe file or folder name"),
        # OB1xx: shape of the data
        Code("OB101", _E, "unknown key"),
        Code("OB102", _E, "required field missing or empty"),
        Code("OB103", _E, "value has the wrong type"),
        Code("OB104", _E, "invalid id"),
        Code("OB105", _E, "invalid integer"),
        Code("OB106", _E, "invalid boolean"),
        Code("OB107", _E, "invalid date"),
        Code("OB108", _E, "invalid URL"),
        Code("OB109", _E, "value not one of the allowed choices"),
        Code("OB110", _E, "no handbook block"),
        Code("OB111", _E, "more than one handbook block"),
        Code("OB112", _E, "invalid party"),
        Code("OB113", _E, "invalid GitHub owner"),
        Code("OB114", _E, "list must not be empty"),
        # OB2xx: identity and references
        Code("OB201", _E, "unknown team"),
        Code("OB202", _E, "unknown role"),
        Code("OB203", _E, "unknown stage"),
        Code("OB204", _E, "unknown activity"),
        Code("OB205", _E, "duplicate id"),
        Code("OB206", _E, "stage listed twice in the lifecycle"),
        Code("OB207", _E, "stage missing from the lifecycle"),
        Code("OB208", _E, "team parent cycle"),
        Code("OB209", _E, "duplicate glossary term"),
        Code("OB210", _E, "reference listed twice"),
        # OB3xx: RACI rules
        Code("OB301", _E, "activity has no accountable party"),
        Code("OB302", _E, "activity has more than one accountable party"),
        Code("OB303", _E, "activity has no responsible party"),
        Code("OB304", _W, "party holds two letters in one activity"),
        Code("OB305", _W, "party listed twice under one letter"),
        # OB4xx: model-wide health
        Code("OB401", _W, "team holds no RACI letter"),
        Code("OB402", _W, "stage has no activity"),
        Code("OB403", _W, "team accountable for too many activities"),
        Code("OB404", _W, "activity review overdue", blocks_strict=False),
        Code("OB405", _W, "activity never reviewed", blocks_strict=False),
    )
}


@dataclass(frozen=True)
class Problem:
    code: str
    pos: Pos
    message: str
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def blocks_strict(self) -> bool:
        return CODES[self.code].blocks_strict

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.pos.file, self.pos.line, self.pos.col, self.code)

    def format(self) -> str:
        """One line, like a compiler; control characters from the model are shown escaped."""
        text = f"{self.pos}: {self.severity.value} {self.code}: {self.message}"
        return _one_line(f"{text}; {self.hint}" if self.hint else text)

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.pos.file,
            "line": self.pos.line,
            "col": self.pos.col,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(32), *range(127, 160)]} | {
    10: "\\n",
    13: "\\r",
    9: "\\t",
}


def _one_line(text: str) -> str:
    """Control characters, and invisible formatting ones such as bidi overrides (which
    reorder what a terminal shows), are written as escapes."""
    text = text.translate(_CONTROL)
    if text.isascii():
        return text
    return "".join(_visible(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


# Formatting characters (bidi overrides, zero-width ones), line and paragraph separators
# (a line break to anything that splits lines by Unicode), surrogates and private use.
_HIDDEN = frozenset({"Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def terminal_text(text: str) -> str:
    """Text for a terminal or a CI log, line breaks and tabs kept: each line as `_one_line`
    writes it, so model text can neither send escape sequences nor reorder what is shown."""
    return "\n".join("\t".join(map(_one_line, line.split("\t"))) for line in text.split("\n"))


class OwnbookError(Exception):
    """The one exception type ownbook raises for bad content or bad usage.

    It carries every problem found, so a caller can print them all; `exit_code` says how a
    command line should end (1: the model has errors, 2: usage).
    """

    def __init__(self, problems: Sequence[Problem] | str, exit_code: int = 1) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            message = problems
        else:
            self.problems = tuple(sorted(problems, key=Problem.sort_key))
            message = format_problems(self.problems)
        super().__init__(message)
        self.exit_code = exit_code


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems), key=Problem.sort_key)


def fails(problems: Iterable[Problem], *, strict: bool) -> bool:
    """Whether these problems fail a check: errors always, warnings under `strict`."""
    return any(p.severity is Severity.ERROR or (strict and p.blocks_strict) for p in problems)


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(p.format() for p in sorted_problems(problems))


def format_json(problems: Iterable[Problem]) -> str:
    return json.dumps([p.to_json() for p in sorted_problems(problems)], indent=2)


# GitHub's runner reads a workflow command from a line that starts with `::` (after
# spaces), splitting lines at CR and LF, and undoes only these escapes (`%25` last):
# data: %, CR, LF; property values: also `:` and `,`. Every other character that could break
# a line or the terminal (C0 and C1 controls, U+2028/U+2029, bidirectional overrides) is
# written as a visible `\uXXXX`, so no file name or message can start a command of its own.
def _gh_visible(text: str) -> str:
    return "".join(
        char
        if char in "\r\n\t" or (char.isprintable() and unicodedata.category(char) != "Cf")
        else f"\\u{ord(char):04x}"
        for char in text
    )


def _gh_data(text: str) -> str:
    return _gh_visible(text.replace("%", "%25")).replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands: each problem becomes an annotation on its line."""
    lines = []
    for p in sorted_problems(problems):
        props = [f"file={_gh_property(p.pos.file)}"]
        if p.pos.line > 0:
            props += [f"line={p.pos.line}", f"col={p.pos.col}"]
        props.append(f"title={_gh_property(p.code + ' ' + CODES[p.code].title)}")
        message = f"{p.message}; {p.hint}" if p.hint else p.message
        lines.append(f"::{p.severity.value} {','.join(props)}::{_gh_data(message)}")
    return "\n".join(lines)


def sarif_uri(path: str) -> str:
    """A file path as a SARIF artifact URI: each part percent-encoded (RFC 3986), `/` kept.

    A relative path gives a relative reference (its first part cannot read as a scheme: `:`
    is encoded); an absolute one, a `file://` URI. Any character, a space, `#`, `%`, `?`, a
    line break or a non-ASCII letter, comes back from `urllib.parse.unquote` as it was.
    """
    from urllib.parse import quote

    encoded = "/".join(quote(part, safe="") for part in path.split("/"))
    return "file://" + encoded if path.startswith("/") else encoded


def format_sarif(problems: Iterable[Problem], version: str) -> str:
    """A SARIF 2.1.0 log, for code scanning tools."""
    rules = [
        {
            "id": code.code,
            "name": "".join(w.capitalize() for w in code.title.split()),
            "shortDescription": {"text": code.title},
            "defaultConfiguration": {"level": code.severity.value},
        }
        for code in CODES.values()
    ]
    index = {code: i for i, code in enumerate(CODES)}
    results = []
    for p in sorted_problems(problems):
        location: dict[str, object] = {"artifactLocation": {"uri": sarif_uri(p.pos.file)}}
        if p.pos.line > 0:
            location["region"] = {"startLine": p.pos.line, "startColumn": max(p.pos.col, 1)}
        text = f"{p.message}; {p.hint}" if p.hint else p.message
        results.append(
            {
                "ruleId": p.code,
                "ruleIndex": index[p.code],
                "level": p.severity.value,
                "message": {"text": text},
                "locations": [{"physicalLocation": location}],
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ownbook",
                        "version": version,
                        "informationUri": "https://github.com/example/ownbook",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)


def summary(problems: Sequence[Problem], files: int) -> str:
    n_err = sum(p.severity is Severity.ERROR for p in problems)
    n_warn = len(problems) - n_err
    noun = "file" if files == 1 else "files"
    if not problems:
        return f"no problems in {files} {noun}"
    parts = [_count(n_err, "error"), _count(n_warn, "warning")]
    return f"{', '.join(parts)} in {files} {noun}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
