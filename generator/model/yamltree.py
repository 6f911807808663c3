"""A hardened YAML reader: one file in, a tree of positioned nodes out.

PyYAML's `safe_load` keeps the last of two equal keys, turns `no` into False and expands
aliases (an alias bomb takes gigabytes). So ownbook reads the *event stream* of libyaml's C
parser and builds its own tree: every scalar stays the string the author typed, every node
knows its line and column, and anchors, aliases, tags, merge keys, duplicate keys and deep
nesting are reported at their line instead of being resolved.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple, Protocol

import yaml

from .problems import Pos, Problem

try:  # libyaml is about 5x faster; the pure-Python parser gives identical events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_SCALAR_CHARS = 100_000
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# C0 and C1 control characters and DEL; tab and line feed are text.
_CONTROL = frozenset(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]) - {"\t", "\n"}


class Mark(Protocol):
    """Where an event or error is in the text, counted from 0: a mark of libyaml's C parser
    (`yaml._yaml.Mark`) or of the pure-Python one (`yaml.error.Mark`)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class Scalar(NamedTuple):
    value: str
    plain: bool
    pos: Pos

    @property
    def is_null(self) -> bool:
        return self.plain and self.value in NULLS


class Mapping(NamedTuple):
    """A mapping's pairs in order, each as its key's text, where the key is and its value.

    Where a key is stays libyaml's mark until a problem needs it (`key_pos`): keys are half
    the scalars of a model file, and only an unknown or repeated key is ever pointed at.
    """

    items: tuple[tuple[str, Mark, Node], ...]
    pos: Pos

    def key_pos(self, mark: Mark) -> Pos:
        """The position of a key of this mapping, from its mark."""
        return Pos(self.pos.file, mark.line + 1, mark.column + 1)


class Sequence(NamedTuple):
    items: tuple[Node, ...]
    pos: Pos


Node = Scalar | Mapping | Sequence


class _Fatal(Exception):
    """Stops reading one file; the problem has already been recorded."""


def too_large(display: str, size: int, max_bytes: int = MAX_FILE_BYTES) -> Problem:
    return Problem(
        "OB002",
        Pos(display, 1, 1),
        f"file is {size:,} bytes, over the limit of {max_bytes:,}",
        "split the model into several smaller files",
    )


def parse_tree(data: bytes, display: str) -> tuple[Node | None, list[Problem]]:
    """The node tree of one file's bytes, and every problem found in them."""
    problems: list[Problem] = []
    text = _decode(data, display, problems)
    if text is None:
        return None, problems
    builder = _TreeBuilder(display, problems)
    try:
        root = builder.build(text)
    except _Fatal:
        return None, problems
    if root is None or (isinstance(root, Scalar) and root.is_null):
        problems.append(
            Problem("OB011", Pos(display, 1, 1), "file is empty", "add model data or delete it")
        )
        return None, problems
    return root, problems


def _decode(data: bytes, display: str, problems: list[Problem]) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(Problem("OB003", Pos(display, 1, 1), "file is UTF-16", "save it as UTF-8"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        problems.append(
            Problem(
                "OB003",
                Pos(display, line, col),
                f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8",
            )
        )
        return None
    return text.replace("\r\n", "\n")


def _codepoint(character: object) -> int:
    if isinstance(character, int):
        return character
    text = str(character)
    return ord(text[0]) if text else 0


class _TreeBuilder:
    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems
        self.text = ""

    def pos(self, mark: Mark) -> Pos:
        return Pos(self.display, mark.line + 1, mark.column + 1)

    def report(self, code: str, mark: Mark, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(code, self.pos(mark), message, hint))

    def build(self, text: str) -> Node | None:
        self.text = text
        try:
            parser = _Loader(text)
            try:
                # get_event gives None after the stream's end: `yaml.parse` without its
                # generator frame and its check_event call per event
                return self._build(iter(parser.get_event, None))
            finally:
                parser.dispose()
        except yaml.MarkedYAMLError as exc:
            self._syntax_error(exc)
        except yaml.reader.ReaderError as exc:
            line = text.count("\n", 0, exc.position) + 1
            col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
            self.problems.append(
                Problem(
                    "OB004",
                    Pos(self.display, line, col),
                    f"character U+{_codepoint(exc.character):04X} is not allowed in YAML",
                    "remove the control character",
                )
            )
        except yaml.YAMLError as exc:  # pragma: no cover - libyaml always gives a mark
            self.problems.append(Problem("OB004", Pos(self.display), f"YAML error: {exc}"))
        raise _Fatal

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        if mark is None:  # pragma: no cover - libyaml always gives a mark
            self.problems.append(Problem("OB004", Pos(self.display), f"YAML error: {reason}"))
            return
        if reason == "exceeded maximum nesting depth":
            # libyaml >= 0.2.5 (PyYAML 6.0.4's wheels) stops at 1,000 levels while scanning
            # ahead, before our own check at MAX_DEPTH sees the events: the same problem.
            self.report(
                "OB010",
                mark,
                f"nesting is deeper than {MAX_DEPTH} levels",
                "the model format never nests this deep",
            )
            return
        tab = self._tab_near(mark)
        if tab is not None:
            line, col = tab
            self.problems.append(
                Problem(
                    "OB005",
                    Pos(self.display, line, col),
                    "tab character in indentation",
                    "indent with spaces; YAML does not allow tabs",
                )
            )
            return
        self.report("OB004", mark, reason)

    def _tab_near(self, mark: Mark) -> tuple[int, int] | None:
        """The position of a tab on the error line (or the one before), if there is one."""
        lines = self.text.split("\n")
        for index in (mark.line, mark.line - 1):
            if 0 <= index < len(lines):
                stripped = lines[index].lstrip(" ")
                if stripped.startswith("\t") or ("\t" in lines[index] and index == mark.line):
                    return index + 1, lines[index].index("\t") + 1
        return None

    def _control_character(self, value: str, mark: Mark) -> None:
        """libyaml refuses control characters typed raw, but a quoted "\\x1b" or "\\e"
        makes one: it would print raw escape sequences in a terminal and break xlsx, SVG
        and XML. Line breaks and tabs are text."""
        char = next(c for c in value if c in _CONTROL)
        self.report(
            "OB016",
            mark,
            f"text holds U+{ord(char):04X}, a control character",
            "remove it (an escape such as \\e or \\x01 in a quoted string makes one)",
        )

    def _check_props(self, event: yaml.ScalarEvent | yaml.CollectionStartEvent, mark: Mark) -> None:
        anchor = event.anchor
        if anchor is not None:
            self.report(
                "OB007",
                mark,
                f"anchor '&{anchor}' is not allowed",
                "write the value out in full",
            )
        tag = event.tag
        if tag is not None:
            self.report(
                "OB008",
                mark,
                f"explicit tag '{tag}' is not allowed",
                "remove the tag; values are read as plain text",
            )

    def _build(self, events: Iterator[yaml.Event]) -> Node | None:
        """The tree of the event stream. Runs once per YAML node, so it is written for
        speed: the open mapping or sequence is held in local variables (its parents' on a
        stack), the event's class is compared by identity, and the node tuples are made
        with `tuple.__new__` (a named tuple's own `__new__` is a Python function)."""
        display = self.display
        problems = self.problems
        new = tuple.__new__
        scalar_event, alias_event = _ScalarEvent, _AliasEvent
        mapping_start, mapping_end = _MappingStartEvent, _MappingEndEvent
        sequence_start, sequence_end = _SequenceStartEvent, _SequenceEndEvent
        # The open collection: its items (None at the top), whether it is a mapping, the
        # key awaiting its value and where it is, the keys seen so far (mapping only) with
        # where each is, and where the collection starts.
        items: list[Any] | None = None
        is_map = False
        key: str | Node | None = None
        key_mark: Mark | None = None  # where that key is
        seen: dict[str, Mark] = {}
        pos = Pos(display)
        stack: list[
            tuple[list[Any] | None, bool, str | Node | None, Mark | None, dict[str, Mark], Pos]
        ] = []
        root: Node | None = None
        documents = 0
        for event in events:
            kind = event.__class__
            mark = event.start_mark
            # The parser gives every event its marks; the stubs allow None for events
            # made by hand.
            assert mark is not None
            if kind is scalar_event:
                tag = event.tag  # type: ignore[attr-defined]
                if tag is not None or event.anchor is not None:  # type: ignore[attr-defined]
                    self._check_props(event, mark)  # type: ignore[arg-type]
                value: str = event.value  # type: ignore[attr-defined]
                if len(value) > MAX_SCALAR_CHARS:
                    self.report(
                        "OB014",
                        mark,
                        f"text of {len(value):,} characters is over the limit of "
                        f"{MAX_SCALAR_CHARS:,}",
                    )
                    value = value[:MAX_SCALAR_CHARS]
                if not value.isprintable() and not _CONTROL.isdisjoint(value):
                    self._control_character(value, mark)
                plain = not event.style and tag is None  # type: ignore[attr-defined]
                if is_map and key is None:
                    if plain and value == "<<":
                        self.report(
                            "OB009",
                            mark,
                            "merge key '<<' is not allowed",
                            "write the keys out in full",
                        )
                    key, key_mark = value, mark
                    continue
                node: Node = new(
                    Scalar, (value, plain, new(Pos, (display, mark.line + 1, mark.column + 1)))
                )
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None or event.tag is not None:  # type: ignore[attr-defined]
                    self._check_props(event, mark)  # type: ignore[arg-type]
                opens_map = kind is mapping_start
                if is_map and key is None:
                    noun = "mapping" if opens_map else "sequence"
                    self.report(
                        "OB015",
                        mark,
                        f"a {noun} cannot be used as a key",
                        "keys are plain names such as 'id' or 'name'",
                    )
                if len(stack) >= MAX_DEPTH:
                    self.report(
                        "OB010",
                        mark,
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        "the model format never nests this deep",
                    )
                    raise _Fatal
                stack.append((items, is_map, key, key_mark, seen, pos))
                items, is_map, key = [], opens_map, None
                if opens_map:
                    seen = {}
                pos = new(Pos, (display, mark.line + 1, mark.column + 1))
                continue
            elif kind is mapping_end or kind is sequence_end:
                assert items is not None
                if is_map:
                    node = new(Mapping, (tuple(items), pos))
                else:
                    node = new(Sequence, (tuple(items), pos))
                items, is_map, key, key_mark, seen, pos = stack.pop()
            elif kind is alias_event:
                self.report(
                    "OB007",
                    mark,
                    f"alias '*{event.anchor}' is not allowed",  # type: ignore[attr-defined]
                    "write the value out in full",
                )
                if is_map and key is None:  # reported: the key reads as ''
                    key, key_mark = "", mark
                    continue
                node = Scalar("", True, self.pos(mark))
            elif kind is _DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.report(
                        "OB012",
                        mark,
                        "a second YAML document ('---') in the same file",
                        "put each document in a file of its own",
                    )
                    raise _Fatal
                continue
            else:
                continue
            if items is None:
                root = node
            elif not is_map:
                items.append(node)
            elif key is None:
                key = node
            else:
                if isinstance(key, str):  # a mapping or list as a key was reported
                    assert key_mark is not None
                    first = seen.get(key)
                    if first is None:
                        seen[key] = key_mark
                        items.append((key, key_mark, node))
                    else:
                        problems.append(_duplicate(display, key, key_mark, first))
                key = None
        return root


_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_AliasEvent = yaml.AliasEvent
_DocumentStartEvent = yaml.DocumentStartEvent


def _duplicate(display: str, key: str, mark: Mark, first: Mark) -> Problem:
    """A key given again in one mapping: reported, and the first one kept."""
    return Problem(
        "OB006",
        Pos(display, mark.line + 1, mark.column + 1),
        f"key '{key}' given twice: at line {first.line + 1} and line {mark.line + 1}",
        "keep one of them",
    )
