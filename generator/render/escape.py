"""Escaping for every place a model string lands: one function per output context.

Python-Markdown does not sanitise and MkDocs' Jinja does not autoescape, so every string
from the model passes through exactly one of these before it reaches a page:

- `md_text`: a plain-text field inside Markdown (headings, link text, table cells, prose):
  shown exactly as typed, never parsed as Markdown or HTML.
- `md_block` / `md_item`: a Markdown field: Markdown stays Markdown, but raw HTML is shown as
  text, links with a scheme other than http, https or mailto are shown as text, and braces
  cannot add attributes.
- `html_text` / `html_attr`: raw HTML we write ourselves (letters, anchors, data attributes).
- `meta_str`: a value in the YAML front matter of a page (a page title).
- `url_dest`: a validated URL as a Markdown link destination.
"""

from __future__ import annotations

import html
import json
import re

from markupsafe import Markup, escape

# Characters that are Markdown syntax anywhere in a line (all backslash-escapable in
# Python-Markdown with the tables extension; `#` because a heading drops trailing ones);
# the rest matter only at the start of a line.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]|#])")
_MD_LEADING = re.compile(r"^([-+#=!~]|\d+[.)])")
_SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>")
_INLINE_LINK = re.compile(r"\]\(\s*([^\s)]*)")
_REF_DEF = re.compile(r"^( {0,3})\[([^\]]+)\]:[ \t]*(\S*)", re.MULTILINE)
_CODE_SPAN = re.compile(r"(`+)(?:.|\n)*?(?<!`)\1(?!`)")


def md_text(value: object) -> Markup:
    """Plain text as Markdown that renders as exactly that text, on one line."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return Markup(_MD_LEADING.sub(_escape_leading, text, count=1))


def _escape_leading(match: re.Match[str]) -> str:
    token = match.group(1)
    if token[0].isdigit():  # "1. " would start an ordered list: escape the dot
        return token[:-1] + "\\" + token[-1]
    return "\\" + token if token in "-+#!" else "&#" + str(ord(token)) + ";"


# Raw HTML we write often sits in a Markdown table cell or paragraph: Markdown still splits
# the row at `|` and reads emphasis and code around it, so those characters become numeric
# references too (a browser reads them back as the same characters).
_MD_IN_HTML = str.maketrans({c: f"&#{ord(c)};" for c in "|`*_[]{}\\"})


def html_text(value: object) -> Markup:
    """Text inside raw HTML that we write, on one line (a line break would end a table row
    or a Markdown paragraph around it)."""
    return Markup(str(escape(" ".join(str(value).split()))).translate(_MD_IN_HTML))


def html_attr(value: object) -> Markup:
    """A value inside a double-quoted HTML attribute, on one line, inside Markdown (so
    neither `|` nor a line break can end a table cell)."""
    return html_text(value)


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


def url_dest(url: str) -> str:
    """A validated http(s)/mailto URL as a Markdown link destination."""
    safe = url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\\", "%5C")
    return f"<{safe}>"


def is_safe_url(url: str) -> bool:
    """Whether a link target from a Markdown field may stay a link."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    match = _SCHEME.match(cleaned)
    if match is None:
        return not cleaned.startswith("\\")  # relative links are allowed
    return match.group(1).lower() in _SAFE_SCHEMES


def md_block(value: str) -> Markup:
    """A Markdown field, made safe: raw HTML as text, unsafe links as text, no attributes."""
    out: list[str] = []
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fence: str | None = None
    prose: list[str] = []
    for line in lines:
        if fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            if prose:
                out.append(_prose("\n".join(prose)))
            prose = []
            fence = opening.group(2)
            out.append(line)
            continue
        prose.append(line)
    if prose:
        out.append(_prose("\n".join(prose)))
    return Markup("\n".join(out).strip("\n"))


def md_item(value: str) -> Markup:
    """A Markdown field as the body of a list item (continuation lines indented)."""
    return Markup(md_block(value).replace("\n", "\n    "))


def _prose(text: str) -> str:
    """Sanitise Markdown outside fenced code; code spans are kept as typed."""
    parts: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(text):
        parts.append(_sanitise(text[last : span.start()]))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_sanitise(text[last:]))
    return "".join(parts)


def _sanitise(text: str) -> str:
    # Keep safe autolinks, escape every other '<' so no raw HTML reaches the page.
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _AUTOLINK.sub(keep, text.replace("\x00", ""))
    text = text.replace("<", "&lt;")
    text = text.replace("{", "\\{").replace("}", "\\}")
    text = _INLINE_LINK.sub(_check_inline_link, text)
    text = _REF_DEF.sub(_check_ref_def, text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _check_inline_link(match: re.Match[str]) -> str:
    if is_safe_url(match.group(1)):
        return match.group(0)
    return "]\\(" + match.group(0)[2:]


def _check_ref_def(match: re.Match[str]) -> str:
    if is_safe_url(match.group(3)):
        return match.group(0)
    label = f"{match.group(1)}[{match.group(2)}]"
    return f"{match.group(1)}\\[{match.group(2)}]" + match.group(0)[len(label) :]
