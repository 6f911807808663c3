"""Property: Markdown built from the constructs that have put scripts on pages before, in
every Markdown field, never gives anything outside the allow-list, and never stalls a build.

The text is generated from a small grammar of the dangerous constructs (fences, reference
definitions, code spans, raw HTML, autolinks, entities, links to every kind of target,
nesting in lists and quotes). Each example is checked three ways: the field's HTML as
ownbook writes it; that HTML on a page after Python-Markdown's pass (which must pass it
through untouched); and a whole model with the text in every Markdown field, rendered and
converted as MkDocs would.
"""

from __future__ import annotations

import html
import json
import os
import time
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st
from ownbook.render import fields
from ownbook.render.fields import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    TERM_MARK,
    TOOLTIP_CHARS,
    Glossary,
    field_html,
    is_allowed_link,
    md_block,
    md_list,
)

from tests.test_text_property import EXTENSION_CONFIGS, EXTENSIONS, MARKDOWN, SAFE, site_html

DEEP = os.environ.get("OWNBOOK_PROPERTY_EXAMPLES")
EXAMPLES = int(DEEP or "120")

URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#106;avascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "\\\\evil.example\\x",
    "relative/page.html",
    "#fragment",
    "https://ok.example/a_b*c",
    'https://ok.example/" onmouseover="alert(1)',
    "mailto:team@example.com",
    "mailto:x@example.com?subject=<script>alert(1)</script>",
    "file:///etc/passwd",
    "http:evil.example",
]
RAW_HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=data:text/html,alert(1)></iframe>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?php alert(1) ?>",
    "<div onclick=alert(1)>",
    "</div>",
    "<style>body{display:none}</style>",
    '<base href="https://evil.example/">',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<textarea>",
    "<form action=javascript:alert(1)><button>b</button></form>",
]
WORDS = ["word", "a b", "x", "*", "_", "\\", "`", "``", "&", "&amp;", "&#0;", "&#x1b;", "&lt;"]
ENTITIES = ["&#x202e;", "&nbsp;", "&#65533;", "&#x3C;script&#x3E;", "&quot;", "&#xD800;"]

url = st.sampled_from(URLS)
word = st.sampled_from(WORDS)
inline = st.one_of(
    word,
    st.sampled_from(RAW_HTML),
    st.sampled_from(ENTITIES),
    st.builds(lambda t, u: f"[{t}]({u})", word, url),
    st.builds(lambda t, u: f"[{t}](<{u}>)", word, url),
    st.builds(lambda t, u: f'[{t}]({u} "ti\\"tle {t}")', word, url),
    st.builds(lambda u: f"<{u}>", url),
    st.builds(lambda t, u: f"![{t}]({u})", word, url),
    st.builds(lambda t: f"[{t}][ref]", word),
    st.builds(lambda t: f"*{t}*", word),
    st.builds(lambda t: f"**{t}**", word),
    st.builds(lambda t: f"`{t}`", st.sampled_from(RAW_HTML + WORDS)),
    st.just("\\`"),
    st.just("{: onclick=alert(1) }"),
    st.just("{{ config }}"),
    st.characters(blacklist_categories=("Cs",)),
)
block_prefix = st.sampled_from(["", "", "", "- ", "1. ", "> ", "    ", "  ", "# ", "> - ", "- > "])
block = st.one_of(
    st.builds(lambda p, xs: p + " ".join(xs), block_prefix, st.lists(inline, max_size=6)),
    st.builds(
        lambda p, f, info: p + f + info,
        block_prefix,
        st.sampled_from(["```", "~~~", "````"]),
        st.sampled_from(["", "js", " onclick=alert(1)", "<img src=x onerror=alert(1)>", "a`b"]),
    ),
    st.builds(lambda p, u: f"{p}[ref]: {u}", block_prefix, url),
    st.builds(lambda p, u: f"{p}[ref]:\n{p}  {u}", block_prefix, url),
    st.builds(lambda p, u: f"{p}[ref]: <{u}>", block_prefix, url),
    st.just("---"),
    st.just(""),
)
markdown_text = st.lists(block, min_size=1, max_size=12).map("\n".join).filter(str.strip)


def check_allowed(doc: BeautifulSoup | Tag, where: object) -> None:
    """Only allow-listed elements and attributes; links only where they may go."""
    for tag in doc.find_all(True):
        assert tag.name in ALLOWED_TAGS, (tag.name, where)
        allowed = ALLOWED_ATTRIBUTES.get(tag.name, frozenset()) | (
            {"rel"} if tag.name == "a" else set()
        )
        assert set(tag.attrs) <= allowed, (tag.name, tag.attrs, where)
        if tag.name == "span":  # only ever the glossary mark, with its fixed values
            assert tag.get("class") == [TERM_MARK["class"]], (tag.attrs, where)
            assert {k: tag.get(k) for k in ("tabindex", "role")} == {
                "tabindex": TERM_MARK["tabindex"],
                "role": TERM_MARK["role"],
            }, where
            assert "data-ob-def" in tag.attrs, where
        if tag.name == "a" and "href" in tag.attrs:
            assert is_allowed_link(str(tag["href"])), (tag["href"], where)
            assert " ".join(tag["rel"]) == LINK_REL, where


class _TagCheck(HTMLParser):
    """`check_allowed` for a very long output, tag by tag, without building a tree."""

    def __init__(self, where: object) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, (tag, self.where)
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
        assert {name for name, _ in attrs} <= allowed, (tag, attrs, self.where)
        values = dict(attrs)
        if tag == "a" and "href" in values:
            assert is_allowed_link(str(values["href"])), (values, self.where)
        if tag == "span":
            assert {k: values.get(k) for k in TERM_MARK} == TERM_MARK, (values, self.where)


def page(body: str) -> BeautifulSoup:
    source = f"# Page\n\nBefore.\n\n{body}\n\nAfter.\n"
    converted = markdown.markdown(
        source, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS
    )
    # Python-Markdown passes the field through as a raw block, character for character.
    assert body in converted, body
    return BeautifulSoup(converted, "html.parser")


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, derandomize=DEEP is None)
@given(text=markdown_text)
def test_a_field_holds_only_the_allow_list(text: str) -> None:
    doc = BeautifulSoup(field_html(text), "html.parser")
    check_allowed(doc, text)
    # nh3 never had to change what the renderer wrote: the renderer alone keeps the rules.
    assert not fields.sanitiser_changes(text), text
    for region in page(md_block(text)).select("div.ob-md"):
        check_allowed(region, text)
    for region in page(md_list([text, "plain"])).select("ul.ob-md-list"):
        for item in region.find_all("li", recursive=False):
            check_allowed(item, text)


@pytest.mark.slow
@settings(max_examples=EXAMPLES // 2, deadline=None, derandomize=DEEP is None)
@given(text=markdown_text, term=markdown_text, definition=markdown_text)
def test_glossary_marks_hold_only_the_allow_list(text: str, term: str, definition: str) -> None:
    """A hostile term and definition, used in hostile text: the marks stay the fixed span,
    the definition lands only as the tooltip's attribute text."""
    glossary = Glossary.of([(("lead", term), definition)])
    doc = BeautifulSoup(field_html(f"leads\n\n{text} {term} lead", glossary), "html.parser")
    check_allowed(doc, (text, term, definition))
    assert not fields.sanitiser_changes(f"leads\n\n{text} {term} lead", glossary), (
        text,
        term,
        definition,
    )
    marks = doc.find_all("span")
    assert marks, (text, term)  # "leads", a paragraph of its own, is always marked
    tip = fields.plain_text(definition)
    for mark in marks:
        assert mark.find(True) is None  # a mark holds text only
        shown = str(mark["data-ob-def"])
        assert shown == tip or (len(tip) > TOOLTIP_CHARS and shown.endswith("\u2026")), shown
    for region in page(md_block(text, glossary)).select("div.ob-md"):
        check_allowed(region, text)


@pytest.mark.slow
@settings(max_examples=max(EXAMPLES // 10, 10), deadline=None, derandomize=DEEP is None)
@given(text=markdown_text)
def test_every_markdown_field_of_a_model_holds_only_the_allow_list(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    pages = site_html(tmp_path_factory.mktemp("md"), {**SAFE, **dict.fromkeys(MARKDOWN, text)})
    regions = 0
    for path, (_, body) in pages.items():
        for tag in body.find_all(True):
            assert not any(a.lower().startswith("on") for a in tag.attrs), (path, tag)
        for region in body.select("div.ob-md, ul.ob-md-list"):
            regions += 1
            for child in region.find_all(True):
                check_allowed(
                    child if child.name != "li" else BeautifulSoup("", "html.parser"), path
                )
            inner = region.find_all("li", recursive=False) if region.name == "ul" else [region]
            for item in inner:
                check_allowed(item, (path, text))
    assert regions >= len(MARKDOWN), regions


def test_a_field_shows_the_text_typed() -> None:
    """What is not allowed is not dropped: it reads as typed."""
    source = (
        "# Heading <b>bold</b>\n\n[x](javascript:alert(1)) ![i](https://t.example/p.png)\n\n"
        "<div onclick=alert(1)>raw</div>\n\n---"
    )
    text = BeautifulSoup(field_html(source), "html.parser").get_text(" ")
    for typed in (
        "# Heading <b>bold</b>",
        "[x](javascript:alert(1))",
        "![i](https://t.example/p.png)",
        "<div onclick=alert(1)>raw</div>",
        "---",
    ):
        assert typed in text, (typed, text)


def test_markdown_constructs_a_field_needs_are_kept() -> None:
    source = (
        'Some **bold**, *em* and `code`, a [link](https://example.com/a_b "T"), mail '
        "<mailto:team@example.com>.\n\n- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n"
        "```\n<b>fenced</b>\n```\n\nline  \nbreak"
    )
    doc = BeautifulSoup(field_html(source), "html.parser")
    assert [t.name for t in doc.find_all(True)] == [
        "p", "strong", "em", "code", "a", "a", "ul", "li", "li", "ol", "li", "li",
        "blockquote", "p", "pre", "code", "p", "br",
    ]  # fmt: skip
    assert [a["href"] for a in doc.find_all("a")] == [
        "https://example.com/a_b",
        "mailto:team@example.com",
    ]
    assert "title" not in doc.find("a").attrs  # Material's tooltips render titles as HTML
    assert doc.find("ol")["start"] == "3"
    assert doc.find("pre").get_text() == "<b>fenced</b>\n"


def test_field_html_is_one_inert_line() -> None:
    """No character Markdown reads as syntax is left in text or attribute values, and the
    whole field is one line: no Markdown pass can find a structure in it."""
    source = "a *b* `c` [d](https://x.example/_e_?f=1&g=[2]) | # ! ~ : @ \\\n\n```\nx\n\ny\n```"
    out = field_html(source)
    assert "\n" not in out
    text_only = BeautifulSoup(out, "html.parser")
    for piece in out.replace(">", "<").split("<")[::2]:  # text between tags
        assert not set(piece.replace("&#", "")) & set("*_`[]|#!~:@\\"), piece
    assert text_only.find("a")["href"] == "https://x.example/_e_?f=1&g=[2]"
    assert text_only.find("pre").get_text() == "x\n\ny\n"


UNITS = [
    "[", "]", "`", "*", "_", "<", "> ", "- ", "1. ", "[a](", "![", "\\", "&", "  \n",
    "- > ", "```\n", "[a]: b\n", "*a ", "*_`[<", "&#x6a;", "`a` ", "[a][", ">",
    "~~~\n", "<b>x</b>", "[a](https://b.c) ", "- a\n  ", "**a** ", "<a ", "``a",
]  # fmt: skip
SHAPES = st.one_of(st.sampled_from(UNITS), markdown_text)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, derandomize=DEEP is None)
@given(unit=SHAPES)
def test_a_field_of_100k_characters_of_any_shape_converts_in_under_a_second(unit: str) -> None:
    """A pull request must not stall a build with one field (markdown-it-py took 3.5 s on
    100,000 `[`). The figures per shape are in `python -m benchmarks.fields`."""
    text = (unit * (100_000 // max(len(unit), 1) + 1))[:100_000]
    field_html.cache_clear()
    # CPU seconds of this process, not wall time: the suite runs beside other work.
    start = time.process_time()
    out = field_html(text)
    seconds = time.process_time() - start
    assert seconds < 1.0, (json.dumps(unit), seconds)
    _TagCheck(unit).feed(out)  # the allow-list, read as a stream: a tree costs 10x more


def test_control_characters_from_entities_do_not_reach_the_page() -> None:
    out = field_html("a&#x1b;[31mb &#0; &#x7f; &#x85;")
    assert not any(0x7F <= ord(c) < 0xA0 or ord(c) < 0x20 for c in html.unescape(out))
    assert "\ufffd" in html.unescape(out)


def test_benchmark_module_exists() -> None:
    assert (Path(__file__).parent.parent / "benchmarks" / "fields.py").is_file()
