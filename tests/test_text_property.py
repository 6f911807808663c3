"""Property: any text in any text field reads as typed and adds no element or attribute.

The pages are rendered by ownbook and converted by Python-Markdown with the extensions of
the repository's mkdocs.yml, after MkDocs' own front-matter split: the HTML a reader gets
inside the theme. Plain-text fields must show exactly the text typed (whitespace folded)
and leave the page's element structure as it is with a harmless word; Markdown fields may
add Markdown's own elements, but never raw HTML, an event attribute or an unsafe link.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data
from ownbook.build.assets import MARKDOWN_EXTENSIONS
from ownbook.model.load import load_model
from ownbook.render import RenderOptions, render_pages

from tests.conftest import TODAY

pytestmark = pytest.mark.slow

# Plain-text fields, each a placeholder in the template below.
PLAIN = [
    "title",
    "organization",
    "team_name",
    "lead",
    "channel",
    "role_name",
    "stage_name",
    "customer_goal",
    "activity_name",
    "tag",
    "link_title",
    "question",
    "term",
    "alias",
]
MARKDOWN = ["description", "team_summary", "stage_summary", "goal", "answer", "definition"]

TEMPLATE = """\
handbook:
  title: {title}
  organization: {organization}
  description: {description}
  lifecycle: [one]
teams:
  - id: team
    name: {team_name}
    summary: {team_summary}
    lead: {lead}
    contact:
      channel: {channel}
    roles:
      - id: role
        name: {role_name}
stages:
  - id: one
    name: {stage_name}
    summary: {stage_summary}
    customer_goal: {customer_goal}
    goals: [{goal}]
activities:
  - id: act
    name: {activity_name}
    stages: [one]
    reviewed: 2026-11-01
    tags: [{tag}]
    links:
      - title: {link_title}
        url: https://example.com/
    raci:
      responsible: [team/role]
      accountable: team
faqs:
  - id: faq
    question: {question}
    answer: {answer}
glossary:
  - term: {term}
    definition: {definition}
    aliases: [{alias}]
"""


def _extensions() -> tuple[list[str], dict[str, dict[str, object]]]:
    """The Markdown extensions a handbook is built with: the plugin's (ownbook.build.assets)."""
    return list(MARKDOWN_EXTENSIONS), {k: v for k, v in MARKDOWN_EXTENSIONS.items() if v}


EXTENSIONS, EXTENSION_CONFIGS = _extensions()


def site_html(tmp_path: Path, values: dict[str, str]) -> dict[str, tuple[str, BeautifulSoup]]:
    """{page: (title as shown, body)} for a model with these field values."""
    folder = tmp_path / "content"
    folder.mkdir(exist_ok=True)
    text = TEMPLATE.format(**{k: json.dumps(v, ensure_ascii=False) for k, v in values.items()})
    (folder / "model.yaml").write_text(text, encoding="utf-8")
    checked = load_model(folder, today=TODAY)
    assert not checked.errors, [p.format() for p in checked.errors]
    assert checked.model is not None
    out = {}
    for path, page in render_pages(checked.model, RenderOptions(today=TODAY)).items():
        source, meta = get_data(page)
        body = markdown.markdown(source, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        # Material writes the front-matter title into the page unescaped: what it holds is
        # HTML, and must be text only.
        title = BeautifulSoup(str(meta.get("title", "")), "html.parser")
        assert title.find(True) is None, (path, meta["title"])
        out[path] = (title.get_text(), BeautifulSoup(body, "html.parser"))
    return out


def structure(doc: BeautifulSoup) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (tag.name, tuple(sorted(tag.attrs)))
        for tag in doc.find_all(True)
        if isinstance(tag, Tag) and not (tag.name == "a" and "headerlink" in tag.get("class", []))
    ]


def folded(text: str) -> str:
    return " ".join(text.split())


# The suite runs a fixed set of examples (the same on every run, so CI cannot turn red by
# chance); a deeper, random run: OWNBOOK_PROPERTY_EXAMPLES=3000 pytest tests/test_text_property.py
DEEP = os.environ.get("OWNBOOK_PROPERTY_EXAMPLES")
EXAMPLES = int(DEEP or "60")

SAFE = {name: f"word{i}" for i, name in enumerate(PLAIN + MARKDOWN)}

# Text rich in what Markdown, HTML, Jinja, YAML and DOT treat as syntax, and any other
# printable character now and then.
syntax = st.sampled_from([*"<>&\"'`*_[]{}()|\\#!-+=~:;/.%@$^? \u202e\u200b", "\n"])
letters = st.sampled_from(list("aZ09é漢"))
anything = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
text = st.text(st.one_of(syntax, syntax, letters, anything), min_size=1, max_size=30).filter(
    lambda t: t.strip() != ""
)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DEEP is None)
@given(field=st.sampled_from(PLAIN), value=text)
def test_plain_text_shows_as_typed_and_adds_nothing(
    tmp_path_factory: pytest.TempPathFactory, field: str, value: str
) -> None:
    baseline = site_html(tmp_path_factory.mktemp("safe"), SAFE)
    pages = site_html(tmp_path_factory.mktemp("text"), {**SAFE, field: value})
    shown = folded(value)
    found = False
    for path, (title, body) in pages.items():
        base_body = baseline[path][1]
        assert structure(body) == structure(base_body), (path, field, value)
        all_text = folded(title + " " + body.get_text(" "))
        found = found or shown in all_text or shown in folded(title)
    assert found, (field, value)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DEEP is None)
@given(field=st.sampled_from(MARKDOWN), value=text)
def test_markdown_fields_add_no_raw_html(
    tmp_path_factory: pytest.TempPathFactory, field: str, value: str
) -> None:
    pages = site_html(tmp_path_factory.mktemp("md"), {**SAFE, field: value})
    allowed = {
        "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "br", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
        "div", "details", "summary", "span", "small", "img", "svg", "path", "time",
    }  # fmt: skip
    for path, (_, body) in pages.items():
        for tag in body.find_all(True):
            assert tag.name in allowed, (path, tag.name, value)
            for attr, attr_value in tag.attrs.items():
                assert not attr.startswith("on"), (path, tag.name, attr, value)
                if attr in ("href", "src"):
                    url = re.sub(r"[\x00-\x20]", "", html.unescape(str(attr_value))).lower()
                    assert not url.startswith(("javascript:", "data:", "vbscript:")), value
