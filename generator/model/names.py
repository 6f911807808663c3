"""Which file and folder names a model may use.

A model file's path reaches CODEOWNERS, CI logs, annotations, edit links and error messages,
and a pull request chooses it. So a name is checked against an allow-list of characters,
never against a list of bad ones: letters and digits (any script), `-`, `_` and `.`. That
leaves out control characters and line breaks (which forge log lines and workflow commands),
spaces, glob and CODEOWNERS syntax (`*`, `?`, `[`, `]`, `!`, `#`, `\\`), and invisible or
bidirectional formatting characters.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 255
_PUNCTUATION = frozenset("-_.")


def name_problem(name: str) -> str | None:
    """Why `name` (one path component) is not a safe model file or folder name, or None."""
    if name in ("", ".", ".."):
        return "the name is empty or a relative step"
    if len(name) > MAX_NAME:
        return f"the name is longer than {MAX_NAME} characters"
    for char in name:
        if char in _PUNCTUATION or (char.isalnum() and unicodedata.category(char) != "Cf"):
            continue
        return f"the name holds {describe_char(char)}"
    return None


def describe_char(char: str) -> str:
    """A character as a reader can identify it: 'U+0009 CHARACTER TABULATION', "'*'"."""
    if char.isprintable() and not char.isspace() and char.isascii():
        return f"'{char}'"
    if unicodedata.category(char) == "Cc":
        return f"U+{ord(char):04X}, a control character"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def path_problem(rel: str) -> str | None:
    """Why a relative path (parts separated by '/') is not safe, naming the part, or None."""
    for part in rel.split("/"):
        reason = name_problem(part)
        if reason is not None:
            return reason
    return None
