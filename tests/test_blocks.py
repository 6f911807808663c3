"""The HTML blocks the plugin sets aside from Python-Markdown come back unchanged, and only
blocks the renderer makes are set aside (anything else is Python-Markdown's, as before)."""

from __future__ import annotations

import markdown
from ownbook.build import assets
from ownbook.build.blocks import set_aside

PAGE = """\
# Title

<p>One <a href="x.html">link</a>.</p>

<table>
<tbody>
<tr>
<td>cell</td>
</tr>
</tbody>
</table>

## Section

<small>inline tag: a Markdown paragraph</small>

<div class="ob-md"><p>unclosed

**Markdown** text &#42;escaped&#42;
"""


def _convert(text: str) -> str:
    md = markdown.Markdown(
        extensions=list(assets.MARKDOWN_EXTENSIONS),
        extension_configs={k: v for k, v in assets.MARKDOWN_EXTENSIONS.items() if v},
    )
    return md.convert(text)


def test_set_aside_blocks_come_back_in_place() -> None:
    aside = set_aside(PAGE)
    assert len(aside.blocks) == 2
    assert "<a href" not in aside.markdown and "<table>" not in aside.markdown
    html = aside.restore(_convert(aside.markdown))
    assert '<p>One <a href="x.html">link</a>.</p>' in html
    assert "<td>cell</td>" in html
    assert aside.token not in html
    # what is not a finished block is converted as before
    plain = _convert(PAGE)
    for part in ("<h1", "<h2", "<p><small>inline tag", "<p>unclosed"):
        assert part in html and part in plain
    # an unclosed block swallows the rest of the page in both (raw HTML to the end)
    assert html.endswith("&#42;escaped&#42;") and plain.endswith("&#42;escaped&#42;")


def test_a_placeholder_in_the_text_is_not_replaced() -> None:
    """Model text is escaped ('-' included), so it cannot hold a placeholder; text that did
    would be left as it is."""
    aside = set_aside("<p>a</p>\n")
    html = aside.restore(f"<p>{aside.token}-0</p>\n<p>{aside.token}-7</p>\n<p>{aside.token}-x</p>")
    assert html.startswith("<p>a</p>")
    assert f"<p>{aside.token}-7</p>" in html and f"<p>{aside.token}-x</p>" in html
