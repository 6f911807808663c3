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

from collections.abc import Callable, Iterable
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import nh3
import pyromark
from markupsafe import Markup

from ..escape import inert

# What a field may hold, element by element (`rel` is added to every link).
ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
)
# No `title`: Material's tooltips (`content.tooltips`) insert a title as HTML.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "ol": frozenset({"start"}),
}
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
        elif name == "Link" and is_allowed_link(detail["dest_url"]):
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


def _render_events(text: str, events: Iterable[tuple[Any, dict[str, int] | None]]) -> list[Piece]:
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
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
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


# How often nh3 changed what `_render` wrote (then its output is used): never, if the
# renderer is right. The tests require it to stay 0.
sanitiser_corrections = 0


@lru_cache(maxsize=65536)
def field_html(text: str) -> str:
    """A Markdown field as safe, Markdown-inert HTML on one line (block elements)."""
    global sanitiser_corrections
    pieces = _render(text)
    if not any(isinstance(p, _Text) and p.strip() for p in pieces):
        # Only reference definitions (which Markdown never shows), say: the text typed is
        # shown, so no field vanishes from the handbook without a trace.
        pieces = ["<p>", _Text(text.translate(_CONTROLS)), "</p>"]
    html = _written(pieces, lambda t: t.translate(_TEXT), lambda v: v.translate(_ATTR))
    cleaned = _CLEANER.clean(html)
    if cleaned != html:  # nh3 found something to change: its output is what is used
        sanitiser_corrections += 1
        return _write_inert(cleaned)
    return _written(pieces, _inert_text, lambda v: inert(v, fold=False))


def _inert_text(text: str) -> str:
    return inert(text, fold=False)


def item_html(text: str) -> str:
    """A Markdown field as the content of a list item: a single paragraph loses its `<p>`."""
    html = field_html(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def md_block(text: str) -> Markup:
    """A Markdown field as a block of its own: put it on a line of its own, between blank
    lines, so that any Markdown pass passes it through as one raw HTML block."""
    return Markup(f'<div class="ob-md">{field_html(text)}</div>')


def md_list(items: Iterable[str]) -> Markup:
    """A list of Markdown fields (goals, metrics, ...) as one HTML list block."""
    body = "".join(f"<li>{item_html(item)}</li>" for item in items)
    return Markup(f'<ul class="ob-md-list">{body}</ul>')
