"""Escaping, checked the way a reader sees it: through Python-Markdown to HTML.

Markdown fields are converted by ownbook (`ownbook.render.fields`) and the result is then
passed through Python-Markdown as the page is: what a reader gets is what is tested."""

from __future__ import annotations

import markdown
import pytest
from bs4 import BeautifulSoup
from ownbook.render.escape import html_id, inert_url, md_text, meta_str, url_dest
from ownbook.render.fields import is_allowed_link, md_block

EXTENSIONS = ["tables", "toc", "admonition", "fenced_code"]


def render(text: str) -> BeautifulSoup:
    return BeautifulSoup(markdown.markdown(text, extensions=EXTENSIONS), "html.parser")


HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "a | b | c",
    "*not emphasis* and _not_ and `not code`",
    "[not a link](javascript:alert(1))",
    "# not a heading",
    "1. not a list",
    "- not a list",
    "&amp; stays &amp;",
    "{: onclick=alert(1) }",
    "{{ jinja }} {% tag %}",
    "back\\slash \\* star",
    "=====",
    "!!! warning",
    "> not a quote",
    "line one\nline two",
    "0#",
    "What about C#",
    "ends with hashes ##",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_md_text_shows_text_as_typed(text: str) -> None:
    html = render(f"Before {md_text(text)} after")
    assert html.get_text() == f"Before {' '.join(text.split())} after"
    assert [t.name for t in html.find_all(True)] == ["p"]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_md_text_as_a_heading(text: str) -> None:
    """Found by the text property test: a heading drops trailing '#' ('0#' read '0')."""
    html = render(f"### {md_text(text)}")
    assert [t.name for t in html.find_all(True)] == ["h3"]
    assert html.get_text() == " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_md_text_at_the_start_of_a_line_and_in_a_table(text: str) -> None:
    html = render(f"{md_text(text)}")
    assert html.get_text().strip() == " ".join(text.split())
    table = render(f"| a | b |\n|---|---|\n| {md_text(text)} | x |\n")
    cells = [td.get_text() for td in table.find_all("td")]
    assert cells == [" ".join(text.split()), "x"]


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ('<img src=x onerror="alert(1)">', '<img src=x onerror="alert(1)">'),
        ("<!-- hidden -->", "<!-- hidden -->"),
        ("{: onclick=alert(1) }", "{: onclick=alert(1) }"),
        ("<svg/onload=alert(1)>", "<svg/onload=alert(1)>"),
    ],
)
def test_md_block_shows_raw_html_as_text(source: str, shown: str) -> None:
    html = render(md_block(source))
    assert html.get_text().strip() == shown
    assert not html.find_all(["script", "img"])


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        "[x](../teams/sales.md)",
        "[x](//evil.example/)",
        "[x](https:evil.example)",
        "<javascript:alert(1)>",
    ],
)
def test_md_block_shows_unsafe_links_as_text(link: str) -> None:
    html = render(md_block(link))
    assert not html.find_all(["a", "img"]), link
    # The link is shown as typed (a reference definition is not shown, as in any Markdown).
    typed = link.split("\n\n")[0]
    assert "".join(html.get_text().split()) == "".join(typed.split())


@pytest.mark.parametrize(
    ("link", "href"),
    [
        ("[site](https://example.com/a_b)", "https://example.com/a_b"),
        ("[mail](mailto:team@example.com)", "mailto:team@example.com"),
        ("<https://example.com>", "https://example.com"),
        ("[ref][r]\n\n[r]: https://example.com/*x*", "https://example.com/*x*"),
    ],
)
def test_md_block_keeps_safe_links(link: str, href: str) -> None:
    html = render(md_block(link))
    assert [a["href"] for a in html.find_all("a")] == [href]
    assert [a["rel"] for a in html.find_all("a")] == [["noopener", "noreferrer", "nofollow"]]
    assert is_allowed_link(href)


def test_md_block_keeps_markdown_and_code() -> None:
    source = "Some **bold**, a list:\n\n- one\n- two\n\n`<b>` in code\n\n```\n<b>fenced</b>\n```"
    html = render(md_block(source))
    assert html.find("strong").get_text() == "bold"
    assert [li.get_text() for li in html.find_all("li")] == ["one", "two"]
    assert html.find("code").get_text() == "<b>"
    assert "<b>fenced</b>" in html.find("pre").get_text()
    assert not html.find("b")


def test_meta_str_is_yaml_and_html_safe() -> None:
    import yaml

    value = 'A "quoted" <b>title</b> & more: yes'
    assert yaml.safe_load(f"title: {meta_str(value)}")["title"] == (
        "A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt; &amp; more: yes"
    )


def test_url_dest_cannot_break_out() -> None:
    html = render(f"[x]({url_dest('https://example.com/a b>c<d')})")
    assert html.find("a")["href"] == "https://example.com/a%20b%3Ec%3Cd"


def test_raw_html_in_a_table_cell_stays_in_its_cell() -> None:
    """Found by the text property test: a line break or a pipe in a role name, beside a
    letter badge, ended the table row. The role is text beside the badge, never in its
    `title` (Material's tooltips render a title as HTML: found by a red-team review)."""
    from ownbook.model.objects import Letter
    from ownbook.render.words import letter_badge

    for name in ("0\n", "a | b", "x\r\ny", "`code` | *em*", "<img src=x onerror=alert(1)>"):
        badge = letter_badge(Letter.RESPONSIBLE, name)
        table = render(f"| a | b |\n|---|---|\n| x | {badge} |\n")
        cells = table.find_all("td")
        assert len(cells) == 2, name
        letter = cells[1].select_one(".ob-letter")
        assert letter is not None and letter["title"] == "Responsible"
        assert cells[1].select_one(".ob-role").get_text() == " ".join(name.split())
        assert not cells[1].find("img")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("role-cro", "role-cro"),  # an id made from a validated id is written as it is
        ("term-raci_2", "term-raci_2"),
        ('x" onmouseover="alert(1)', "x&quot; onmouseover&#61;&quot;alert&#40;1&#41;"),
        ("é", "é"),  # not ASCII: escaped as text (which leaves it as it is)
        ("", ""),
    ],
)
def test_html_id_writes_a_plain_id_as_it_is_and_anything_else_as_text(
    value: str, written: str
) -> None:
    assert str(html_id(value)) == written


@pytest.mark.parametrize(
    ("url", "written"),
    [
        (
            "https://github.com/o/r/edit/main/content/teams.yaml#L12",
            "https://github.com/o/r/edit/main/content/teams.yaml#L12",
        ),
        ('https://x.example/"><script>', "https://x.example/%22%3E%3Cscript%3E"),
        ("https://x.example/a?b=1&c='2'", "https://x.example/a?b=1%26c=%272%27"),
        ("https://x.example/é", "https://x.example/%C3%A9"),
    ],
)
def test_inert_url_keeps_url_characters_and_encodes_the_rest(url: str, written: str) -> None:
    assert inert_url(url) == written
    soup = BeautifulSoup(f'<a href="{written}">x</a>', "html.parser")
    assert soup.a is not None and soup.a.attrs == {"href": written}
