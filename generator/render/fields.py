"""Model Markdown fields to HTML: a real parser, then an allow-list, then a writer of our own.

A Markdown field (a summary, an answer, a definition) is untrusted text from a pull request.
It is turned into HTML here, once per distinct text, and never handed to Python-Markdown:

1. pyromark (a binding of pulldown-cmark, a linear-time CommonMark parser) turns the text
   into events, and `_render` writes HTML from them with only the constructs a field needs:
   paragraphs, emphasis, code, lists, block quotes, line breaks and links whose target is an
   absolute http, https or mailto URL. Anything else (raw HTML, headings, rules, images,
   other links) is written as the text that was typed. (markdown-it-py was tried first:
   its link-label scan is quadratic, and one field of 100,000 `[` took 3.5 s.)
2. nh3 (ammonia) cleans that HTML against the same allow-list of elements and attributes
   and adds `rel` to links: the renderer is trusted to escape, the sanitiser to allow,
   neither alone.
3. The cleaned HTML is parsed once more and written by `_InertWriter`: only allow-listed
   elements and attributes, every character of text and attribute values that Markdown or
   HTML could read as syntax written as a character reference, all on one line. The result
   reads the same to a browser and is inert to any Markdown pass that sees it later (the
   page's own, or another engine's).

No regular expression decides anything here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import nh3
import pyromark
from markupsafe import Markup

from .escape import inert

# What a field may hold, element by element (`rel` is added to every link). A `span` is
# only ever ownbook's own glossary mark (`_mark_terms`): model text never makes one.
ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "span"}
)
# No `title`: Material's tooltips (`content.tooltips`) insert a title as HTML. A glossary
# term's definition is in `data-ob-def`, which the theme's CSS shows with `attr()`: text only.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "ol": frozenset({"start"}),
    "span": frozenset({"class", "tabindex", "role", "data-ob-def"}),
}
# The fixed values of the glossary mark's attributes (`data-ob-def` is the definition).
TERM_MARK = {"class": "ob-term", "tabindex": "0", "role": "term"}
# A definition longer than this is cut in its tooltip (the glossary page has all of it).
TOOLTIP_CHARS = 280
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Elements written with no end tag.
_VOID = frozenset({"br"})
# Elements that hold blocks: whitespace between their children is not content.
_BLOCK_CONTAINERS = frozenset({"ul", "ol", "blockquote"})
# Lists and quotes nested deeper than this are written flat: the text stays, the page stays
# readable, and no browser or sanitiser meets a tree thousands of levels deep.
MAX_NESTING = 12
# C0 and C1 controls (an entity such as `&#x1b;` makes one): written as U+FFFD.
_CONTROLS = {c: "\ufffd" for c in [*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}
# How html5ever (inside nh3) writes text and attribute values; ours is written the same, so
# that nh3 giving back exactly what it was given proves the HTML clean.
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"})
_ATTR = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"})


def is_allowed_link(url: str) -> bool:
    """An absolute http(s) URL with a host, or a mailto URL: the only links a field keeps.

    Relative links are shown as text too: a field cannot know where its page will be.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in LINK_SCHEMES or url != url.strip() or not url.isprintable():
        return False
    if parts.scheme.lower() == "mailto":
        return bool(parts.path)
    return bool(parts.netloc)


class _Text(str):
    """A piece of model text in the output, escaped when the output is written."""


class _Tag(NamedTuple):
    """A start tag whose attribute values are model text."""

    name: str
    attrs: tuple[tuple[str, str], ...]


Piece = str | _Text | _Tag


@dataclass(frozen=True, eq=False)
class Glossary:
    """The terms a field is annotated with: a use of a term or an alias in a field's text
    is marked, the first time in that field, and shows the term's definition on hover or
    focus. Compared by identity: one per render, part of the field cache's key."""

    definitions: dict[str, str] = field(default_factory=dict)  # casefolded form -> tooltip
    pattern: re.Pattern[str] | None = None

    @classmethod
    def of(cls, terms: Sequence[tuple[Sequence[str], str]]) -> Glossary:
        """From (term and aliases, Markdown definition) pairs. An all-capitals form (an
        acronym) matches only as written; any other form in any case, plural or not."""
        definitions: dict[str, str] = {}
        written: dict[str, str] = {}  # casefolded form -> as the glossary writes it
        for forms, definition in terms:
            tip = plain_text(definition)
            if len(tip) > TOOLTIP_CHARS:
                tip = tip[: TOOLTIP_CHARS - 1].rstrip() + "\u2026"
            for form in forms:
                form = " ".join(form.split())
                if len(form) < 2 or form.casefold() in definitions:
                    continue  # a single letter (`A` for Accountable) would mark every "A"
                definitions[form.casefold()] = tip
                written[form.casefold()] = form
        if not definitions:
            return cls()
        alternatives = []
        for form in sorted(definitions, key=len, reverse=True):  # the longest form wins
            words = re.escape(written[form]).replace("\\ ", "\\s+")
            # an acronym as written (plural `s` allowed); a word in any case, plural or not
            acronym = written[form].isupper()
            alternatives.append(f"(?-i:{words})s?" if acronym else f"{words}(?:e?s)?")
        # not inside a word or a hyphenated compound ("Referral-sourced")
        pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])", re.IGNORECASE)
        return cls(definitions, pattern)

    def definition(self, used: str) -> str | None:
        key = " ".join(used.split()).casefold()
        if key in self.definitions:
            return self.definitions[key]
        for suffix in ("es", "s"):  # a plural of a form
            if key.endswith(suffix) and key[: -len(suffix)] in self.definitions:
                return self.definitions[key[: -len(suffix)]]
        return None


NO_GLOSSARY = Glossary()


_INLINE_ENDS = frozenset({"Emphasis", "Strong", "Strikethrough", "Link", "Image"})


def plain_text(text: str) -> str:
    """A Markdown field's words, without its markup, on one line (for a tooltip)."""
    words: list[str] = []
    for event in pyromark.events(text, merge_text=True):
        if isinstance(event, dict):
            kind, value = next(iter(event.items()))
            if kind in ("Text", "Code", "Html", "InlineHtml"):
                words.append(str(value))
        elif event in ("SoftBreak", "HardBreak"):
            words.append(" ")
        if isinstance(event, dict) and "End" in event and str(event["End"]) not in _INLINE_ENDS:
            words.append(" ")  # between blocks (an inline element's end joins its word)
    return " ".join("".join(words).translate(_CONTROLS).split())


# Pieces inside which a term is never marked: a link's text, code.
_UNMARKED_OPEN = {"<code>": "</code>", "<pre><code>": "</code></pre>"}


def _mark_terms(pieces: list[Piece], glossary: Glossary) -> list[Piece]:
    """The pieces with the first use of each glossary term wrapped in ownbook's term mark."""
    if glossary.pattern is None:
        return pieces
    out: list[Piece] = []
    closing: list[str] = []  # the end tags of the unmarked elements we are inside
    seen: set[str] = set()  # the definitions shown: a term and its aliases once in all
    for piece in _joined_text(pieces):
        if isinstance(piece, _Tag):
            if piece.name == "a":
                closing.append("</a>")
        elif isinstance(piece, _Text):
            if not closing:
                out.extend(_marked_text(piece, glossary, seen))
                continue
        elif piece in _UNMARKED_OPEN:
            closing.append(_UNMARKED_OPEN[piece])
        elif closing and piece == closing[-1]:
            closing.pop()
        out.append(piece)
    return out


def _joined_text(pieces: list[Piece]) -> list[Piece]:
    """Text split by soft line breaks joined again, so a term written over two lines reads
    as one."""
    out: list[Piece] = []
    for piece in pieces:
        # a soft break is written as a plain " " piece: text, like the model's own
        joins = isinstance(piece, _Text) or (isinstance(piece, str) and piece == " ")
        if joins and out and isinstance(out[-1], _Text):
            out[-1] = _Text(out[-1] + str(piece))
        else:
            out.append(piece)
    return out


def _marked_text(text: _Text, glossary: Glossary, seen: set[str]) -> list[Piece]:
    assert glossary.pattern is not None
    out: list[Piece] = []
    start = 0
    for match in glossary.pattern.finditer(text):
        tip = glossary.definition(match.group())
        if tip is None or tip in seen:
            continue
        seen.add(tip)
        if match.start() > start:
            out.append(_Text(text[start : match.start()]))
        attrs = (*TERM_MARK.items(), ("data-ob-def", tip))
        out.extend([_Tag("span", attrs), _Text(match.group()), "</span>"])
        start = match.end()
    if start < len(text):
        out.append(_Text(text[start:]))
    return out


def _written(pieces: list[Piece], text: Callable[[str], str], attr: Callable[[str], str]) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, _Text):
            out.append(text(piece))
        elif isinstance(piece, _Tag):
            values = "".join(f' {name}="{attr(value)}"' for name, value in piece.attrs)
            out.append(f"<{piece.name}{values}>")
        else:
            out.append(piece)
    return "".join(out)


_INLINE = {"Emphasis": "em", "Strong": "strong"}
_BLOCKS = {"Paragraph": "p", "Item": "li", "HtmlBlock": "p"}


class _Html:
    """HTML written from a field's events: each Start pushes what its End will write."""

    def __init__(self, text: str) -> None:
        self.source = text.encode("utf-8")
        self.out: list[Piece] = []
        self.ends: list[tuple[str, bool]] = []  # (end tag, whether it counts as nesting)
        self.depth = 0

    def text(self, value: str) -> None:
        self.out.append(_Text(value.translate(_CONTROLS)))

    def typed(self, span: dict[str, int] | None) -> None:
        """The source text of an event: a construct shown as it was typed."""
        if span is None:
            raise _NeedSource
        self.text(self.source[span["start"] : span["end"]].decode("utf-8", "replace").strip())

    def start(self, value: Any, span: dict[str, int] | None) -> bool:
        """Open a construct; False when it is shown as typed (its inner events are skipped)."""
        name = value if isinstance(value, str) else next(iter(value))
        detail = None if isinstance(value, str) else value[name]
        if name in ("BlockQuote", "List"):
            if self.depth >= MAX_NESTING:
                self.ends.append(("", True))
            elif name == "BlockQuote":
                self.push("<blockquote>", "</blockquote>", nesting=True)
            elif detail is None:
                self.push("<ul>", "</ul>", nesting=True)
            else:
                first = f' start="{int(detail)}"' if int(detail) != 1 else ""
                self.push(f"<ol{first}>", "</ol>", nesting=True)
            self.depth += 1
        elif name == "Item" and self.depth > MAX_NESTING:  # an item of a list written flat
            self.push(" ", "")
        elif name in _INLINE or name in _BLOCKS:
            tag = _INLINE.get(name) or _BLOCKS[name]
            self.push(f"<{tag}>", f"</{tag}>")
        elif name == "CodeBlock":
            self.push("<pre><code>", "</code></pre>")
        elif name == "Link" and detail is not None and is_allowed_link(detail["dest_url"]):
            # A link's title is dropped (see ALLOWED_ATTRIBUTES); its text stays.
            self.push(_Tag("a", (("href", detail["dest_url"]), ("rel", LINK_REL))), "</a>")
        elif name == "Heading":
            self.out.append("<p>")
            self.typed(span)
            self.out.append("</p>")
            return False
        else:  # an image, or a link to anything but an absolute http(s) or mailto URL
            self.typed(span)
            return False
        return True

    def push(self, opening: str | _Tag, closing: str, *, nesting: bool = False) -> None:
        self.out.append(opening)
        self.ends.append((closing, nesting))

    def end(self) -> None:
        closing, nesting = self.ends.pop()
        self.out.append(closing)
        if nesting:
            self.depth -= 1


class _NeedSource(Exception):
    """A construct is shown as typed: the events must be read again with their ranges."""


def _render(text: str) -> list[Piece]:
    """HTML of the allowed constructs of `text`; every other construct as the text typed.

    Events without source ranges cost half as much to make; most fields need none, so they
    are read that way first."""
    try:
        return _render_events(text, ((e, None) for e in pyromark.events(text, merge_text=True)))
    except _NeedSource:
        return _render_events(text, pyromark.events_with_range(text, merge_text=True))


def _render_events(text: str, events: Iterable[tuple[Any, Any]]) -> list[Piece]:
    """The pieces of a field's HTML; each event comes with its source range (pyromark's
    `Range`), or None when read without ranges."""
    html = _Html(text)
    skipped = 0  # how deep inside a construct that is shown as typed
    for event, span in events:
        if skipped:
            if isinstance(event, dict) and "Start" in event:
                skipped += 1
            elif isinstance(event, dict) and "End" in event:
                skipped -= 1
            continue
        if event == "SoftBreak":
            html.out.append(" ")
        elif event == "HardBreak":
            html.out.append("<br>")
        elif event == "Rule":
            html.out.append("<p>")
            html.typed(span)
            html.out.append("</p>")
        elif isinstance(event, dict):
            kind, value = next(iter(event.items()))
            if kind in ("Text", "Html", "InlineHtml"):
                html.text(value)
            elif kind == "Code":
                html.out.append("<code>")
                html.text(value)
                html.out.append("</code>")
            elif kind == "Start" and not html.start(value, span):
                skipped = 1
            elif kind == "End":
                html.end()
        # footnotes, task lists, maths and tables are not enabled: nothing else arrives
    return html.out


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href" and not is_allowed_link(value):
        return None
    if tag == "span" and attribute in TERM_MARK and value != TERM_MARK[attribute]:
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # ammonia takes `class` only through `allowed_classes`, which also fixes its values
    attributes={tag: set(names) - {"class"} for tag, names in ALLOWED_ATTRIBUTES.items()},
    allowed_classes={"span": {TERM_MARK["class"]}},
    attribute_filter=_keep_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
    clean_content_tags={"script", "style"},
)


class _InertWriter(HTMLParser):
    """Writes parsed HTML back with only allow-listed elements and attributes, and text that
    no Markdown pass can read as syntax."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset())
        kept = [(name, value or "") for name, value in attrs if name in allowed]
        kept = [(n, v) for n, v in kept if _keep_attribute(tag, n, v) is not None]
        if tag == "a":
            kept = [(n, v) for n, v in kept if n != "href" or is_allowed_link(v)]
            if any(n == "href" for n, _ in kept):
                kept.append(("rel", LINK_REL))
        written = "".join(f' {name}="{inert(value, fold=False)}"' for name, value in kept)
        self.out.append(f"<{tag}{written}>")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ALLOWED_TAGS and tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS or tag in _VOID or tag not in self.open:
            return
        while self.open:  # close what is still open inside it, so the output stays whole
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if "pre" in self.open:  # line breaks are the content of code blocks
            self.out.append(inert(data, fold=False))
        elif not data.isspace():
            self.out.append(inert(data.replace("\n", " "), fold=False))
        elif self.open and self.open[-1] not in _BLOCK_CONTAINERS:
            self.out.append(" ")  # a space between two inline elements

    def result(self) -> str:
        self.close()
        self.out.extend(f"</{tag}>" for tag in reversed(self.open))
        self.open.clear()
        return "".join(self.out)


def _write_inert(html: str) -> str:
    writer = _InertWriter()
    writer.feed(html)
    return writer.result()


@lru_cache(maxsize=65536)
def field_html(text: str, glossary: Glossary = NO_GLOSSARY) -> str:
    """A Markdown field as safe, Markdown-inert HTML on one line (block elements), with
    the glossary's terms marked."""
    return _field_html(text, glossary)[0]


def sanitiser_changes(text: str, glossary: Glossary = NO_GLOSSARY) -> bool:
    """Whether nh3 had to change what the renderer wrote for this field (its output is then
    what is used): never, if the renderer is right. The tests require False."""
    return _field_html(text, glossary)[1]


def _field_html(text: str, glossary: Glossary) -> tuple[str, bool]:
    pieces = _render(text)
    if not any(isinstance(p, _Text) and p.strip() for p in pieces):
        # Only reference definitions (which Markdown never shows), say: the text typed is
        # shown, so no field vanishes from the handbook without a trace.
        pieces = ["<p>", _Text(text.translate(_CONTROLS)), "</p>"]
    pieces = _mark_terms(pieces, glossary)
    html = _written(pieces, lambda t: t.translate(_TEXT), lambda v: v.translate(_ATTR))
    cleaned = _CLEANER.clean(html)
    if cleaned != html:  # nh3 found something to change: its output is what is used
        return _write_inert(cleaned), True
    return _written(pieces, _inert_text, lambda v: inert(v, fold=False)), False


def _inert_text(text: str) -> str:
    return inert(text, fold=False)


def item_html(text: str, glossary: Glossary = NO_GLOSSARY) -> str:
    """A Markdown field as the content of a list item: a single paragraph loses its `<p>`."""
    html = field_html(text, glossary)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def md_block(text: str, glossary: Glossary = NO_GLOSSARY) -> Markup:
    """A Markdown field as a block of its own: put it on a line of its own, between blank
    lines, so that any Markdown pass passes it through as one raw HTML block."""
    return Markup(f'<div class="ob-md">{field_html(text, glossary)}</div>')


def md_list(items: Iterable[str], glossary: Glossary = NO_GLOSSARY) -> Markup:
    """A list of Markdown fields (goals, metrics, ...) as one HTML list block."""
    body = "".join(f"<li>{item_html(item, glossary)}</li>" for item in items)
    return Markup(f'<ul class="ob-md-list">{body}</ul>')
