"""Escaping for every place a model string lands: a character table, never a pattern.

Python-Markdown does not sanitise and MkDocs' Jinja does not autoescape, so every string
from the model passes through exactly one of these before it reaches a page:

- `md_text` (also `html_text` and `html_attr`): plain text anywhere on a page: Markdown
  text (headings, link text, table cells, prose), text inside raw HTML we write, or a
  double-quoted attribute value. HTML's own characters become entities, and every ASCII
  character that Markdown (or one of its extensions, or GitHub's) could read as syntax
  becomes a numeric character reference. A browser shows the text exactly as typed; no
  Markdown pass can see syntax in it, wherever in a line it stands.
- Markdown fields are not escaped here but converted by `fields` (a parser and an
  allow-list).
- `meta_str`: a value in the YAML front matter of a page (a page title).
- `url_dest`: a validated URL as a Markdown link destination; `url_attr`, as an `href`.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache

from markupsafe import Markup

# HTML's own characters, then Markdown's: emphasis, code, links and images, escapes,
# tables, headings, list markers, block quotes, attribute lists, autolinks (`:` `@` `.`),
# and the inline syntax of common extensions (`~` `^` `=` `+` `$`).
_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"} | {
    c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~:@$^='"
}
_INERT = str.maketrans(_REFERENCES)
_INERT_LINES = str.maketrans(_REFERENCES | {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def inert(value: object, *, fold: bool = True) -> str:
    """Text no Markdown pass or HTML parser reads as syntax. `fold` joins whitespace into
    single spaces; without it, line breaks are kept as references (for `<pre>`)."""
    text = str(value)
    if fold:
        return _folded(text) if len(text) <= 200 else " ".join(text.split()).translate(_INERT)
    return text.translate(_INERT_LINES)


@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """Names and titles recur on many pages: each is escaped once."""
    return " ".join(text.split()).translate(_INERT)


def md_text(value: object) -> Markup:
    """Plain text as Markdown or HTML that shows exactly that text, on one line."""
    return Markup(inert(value))


# The same table holds inside raw HTML and inside a double-quoted attribute value.
html_text = md_text
html_attr = md_text


_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def html_id(value: object) -> Markup:
    """An `id` attribute value. One made of ASCII letters, digits, `-` and `_` (every id
    ownbook makes from a validated id) is written as it is: it is inert in a double-quoted
    attribute, and a link checker that reads ids without decoding references (Zensical's)
    finds it. Any other value is written as `md_text`."""
    text = str(value)
    if text and all(c in _ID_CHARACTERS for c in text):
        return Markup(text)
    return md_text(text)


def meta_str(value: object) -> str:
    """A front-matter value: a JSON string is valid YAML, and its content is HTML-escaped
    because MkDocs and Material put page titles into HTML without escaping them."""
    text = json.dumps(html.escape(" ".join(str(value).split()), quote=True), ensure_ascii=False)
    return text.translate(_YAML_UNPRINTABLE)


# A JSON string is YAML only if its characters are printable YAML; astral characters stay as
# they are (JSON would write them as surrogate pairs, which YAML rejects), the few others
# become escapes both read alike.
_YAML_UNPRINTABLE = {
    c: f"\\u{c:04x}" for c in [*range(0x7F, 0xA0), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
}

# In a `<...>` link destination only these could end it or start other syntax first.
_DEST = str.maketrans({c: f"%{ord(c):02X}" for c in "<> \\`\n\r\t"})


# What a URL may hold as it is in a double-quoted attribute that no template escapes (MkDocs'
# and Zensical's themes write `page.edit_url` unescaped): no quote, `<`, `>` or `&`.
_URL_KEPT = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$()*+,;=%"
)


def inert_url(url: str) -> str:
    """A validated http(s) URL with every other character percent-encoded (as UTF-8): inert
    in an HTML attribute, in a YAML or JSON string and in Markdown."""
    return "".join(
        c if c in _URL_KEPT else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in url
    )


def url_dest(url: str) -> str:
    """A validated http(s)/mailto URL as a Markdown link destination."""
    return f"<{url.translate(_DEST)}>"


def url_attr(url: str) -> str:
    """A validated http(s)/mailto URL (or a link ownbook made) as a double-quoted `href`:
    the same characters `url_dest` encodes, then HTML's own."""
    return html.escape(url.translate(_DEST), quote=True)
