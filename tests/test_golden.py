"""Golden files: the exact Markdown of every page of a small model.

After an intended change of the pages, refresh them with
`OWNBOOK_UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from ownbook.model.load import load_model
from ownbook.render import RenderOptions, nav, render_pages

from tests.conftest import TODAY

HERE = Path(__file__).parent / "golden"


def _rendered() -> dict[str, str]:
    checked = load_model(HERE / "model", today=TODAY, display_as="content")
    assert checked.model is not None, [p.format() for p in checked.problems]
    pages = render_pages(checked.model, RenderOptions(today=TODAY, source_root=str(HERE)))
    pages["nav.json"] = json.dumps(nav(checked.model), indent=2) + "\n"
    return pages


def test_pages_match_golden_files() -> None:
    pages = _rendered()
    expected_dir = HERE / "pages"
    if os.environ.get("OWNBOOK_UPDATE_GOLDEN"):
        for path, text in pages.items():
            target = expected_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    on_disk = sorted(p.relative_to(expected_dir).as_posix() for p in expected_dir.rglob("*.*"))
    assert on_disk == sorted(pages)
    for path, text in pages.items():
        assert (expected_dir / path).read_text(encoding="utf-8") == text, path


def test_rendering_is_deterministic() -> None:
    assert _rendered() == _rendered()


@pytest.mark.parametrize("page", ["index.md", "stages/find.md", "activities/pick-message.md"])
def test_golden_pages_have_a_title(page: str) -> None:
    """Every page names itself in its front matter, but the home page: the theme names it
    after the site, which is the handbook's title (not the site name twice). Its front
    matter holds only the edit button's target."""
    if page == "index.md":
        front, body = _rendered()[page].removeprefix("---\n").split("\n---\n\n", 1)
        assert front == (
            'ownbook_edit_url: "https://github.com/example/golden/edit/trunk/content/model.yaml#L3"'
        )
        assert body.startswith("# ")
    else:
        assert _rendered()[page].startswith("---\ntitle: ")
