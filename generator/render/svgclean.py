"""An SVG from Graphviz (or from the cache, which a pull request can fill) made fit to inline.

The SVG is parsed as XML from its `<svg>` element on (so no document type, and no entity of
its own, is ever read) and written again by this module: only the elements and attributes
Graphviz draws a diagram with, each attribute value checked against the characters its kind
of value may hold, links only to relative paths, and text written as inert character
references. Whatever the input, the output has no script, no event attribute, no style and
no link to another site, and no Markdown pass can read syntax in it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import urlsplit

from .escape import inert

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
# Numbers, path commands, colours, font lists, transforms: no Markdown or HTML syntax.
_PLAIN = _LETTERS | _DIGITS | frozenset(" .,-+()#%")
_NAME = _LETTERS | _DIGITS | frozenset(" _-")
_PATH = _LETTERS | _DIGITS | frozenset("._-/#~%")


# A value check: the value itself when its kind of value may hold it, else None.
_Check = Callable[[str], str | None]


def _plain(value: str) -> str | None:
    return value if value and len(value) <= 100_000 and set(value) <= _PLAIN else None


def _name(value: str) -> str | None:
    return value if value and len(value) <= 200 and set(value) <= _NAME else None


def _href(value: str) -> str | None:
    """Links inside a diagram are relative paths to pages of the handbook, nothing else."""
    if not value or len(value) > 500 or not set(value) <= _PATH:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//"):
        return None
    return value


def _text(value: str) -> str | None:
    return inert(value)


def _one_of(*allowed: str) -> _Check:
    return lambda value: value if value in allowed else None


_GEOMETRY: dict[str, _Check] = {"fill": _plain, "stroke": _plain, "stroke-width": _plain}
# Element -> attribute (as ElementTree names it) -> (name written, value check).
_ALLOWED: dict[str, dict[str, tuple[str, _Check]]] = {
    "svg": {"viewBox": ("viewBox", _plain)},
    "g": {"id": ("id", _name), "class": ("class", _name), "transform": ("transform", _plain)},
    "title": {},
    "a": {
        f"{{{XLINK_NS}}}href": ("xlink:href", _href),
        "href": ("href", _href),
        f"{{{XLINK_NS}}}title": ("xlink:title", _text),
        "target": ("target", _one_of("_top", "_self", "_parent")),
    },
    "path": {"d": ("d", _plain), "stroke-dasharray": ("stroke-dasharray", _plain)}
    | {k: (k, v) for k, v in _GEOMETRY.items()},
    "polygon": {"points": ("points", _plain)} | {k: (k, v) for k, v in _GEOMETRY.items()},
    "polyline": {"points": ("points", _plain)} | {k: (k, v) for k, v in _GEOMETRY.items()},
    "ellipse": {k: (k, _plain) for k in ("cx", "cy", "rx", "ry")}
    | {k: (k, v) for k, v in _GEOMETRY.items()},
    "text": {
        **{k: (k, _plain) for k in ("x", "y", "font-size", "font-family", "fill")},
        "text-anchor": ("text-anchor", _one_of("start", "middle", "end")),
        "font-weight": ("font-weight", _plain),
        "font-style": ("font-style", _plain),
        f"{{{XML_NS}}}space": ("xml:space", _one_of("preserve")),
    },
}
# Elements whose text is shown (or read out); in any other, stray text is dropped.
_HAS_TEXT = frozenset({"title", "text"})


class UnsafeSvg(ValueError):
    """The input is not an SVG this module can read; nothing of it is used."""


def clean_svg(svg: str) -> str:
    """The SVG rebuilt from an allow-list, ready to inline in a page; `UnsafeSvg` when the
    input does not parse as an SVG document."""
    start = svg.find("<svg")
    if start < 0:
        raise UnsafeSvg("no <svg> element")
    try:
        root = ET.fromstring(svg[start:].encode("utf-8", "replace"))
    except ET.ParseError as exc:
        raise UnsafeSvg(f"not well-formed SVG: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvg("the root element is not an SVG element")
    out: list[str] = []
    _write(root, out, root=True)
    return "\n".join(out)


# Graphviz nests a handful of groups; a cached file that nests deeper is not a diagram
# ownbook drew (a red-team review: 5,000 nested groups ended a build in RecursionError).
MAX_DEPTH = 32


def _local(tag: object) -> str | None:
    if not isinstance(tag, str) or not tag.startswith(f"{{{SVG_NS}}}"):
        return None  # comments, processing instructions, foreign namespaces
    return tag[len(SVG_NS) + 2 :]


def _write(el: ET.Element, out: list[str], *, root: bool = False, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise UnsafeSvg(f"elements nested deeper than {MAX_DEPTH} levels")
    name = _local(el.tag)
    if name is None or name not in _ALLOWED:
        return  # dropped with everything inside it (script, foreignObject, style, ...)
    attrs = []
    if root:
        attrs.append(f'xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"')
    for key, value in el.attrib.items():
        rule = _ALLOWED[name].get(key)
        if rule is None:
            continue
        written, check = rule
        kept = check(value)
        if kept is not None:
            attrs.append(f'{written}="{kept}"')
    opening = f"<{name}{''.join(' ' + a for a in attrs)}>"
    text = inert(el.text) if el.text and name in _HAS_TEXT and el.text.strip() else ""
    if len(el) == 0:
        out.append(f"{opening}{text}</{name}>")
        return
    out.append(opening + text)
    for child in el:
        _write(child, out, depth=depth + 1)
        if child.tail and name in _HAS_TEXT and child.tail.strip():
            out.append(inert(child.tail))
    out.append(f"</{name}>")
