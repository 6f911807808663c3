"""Page and nav shapes that keep big models readable and builds linear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ownbook.model.load import load_model
from ownbook.model.objects import Model
from ownbook.render import RenderOptions, nav, render_pages
from ownbook.render.nav import NAV_CHUNK
from ownbook.render.pages import MATRIX_MAX_TEAMS, STAGE_TABLE_MAX_TEAMS

from benchmarks.synth import write_model

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Model:
    root = write_model(tmp_path_factory.mktemp("big") / "c", stages=3, teams=60, activities=400)
    model = load_model(root, today=TODAY).model
    assert model is not None
    return model


def leaves(items: list[Any]) -> Iterator[str]:
    for item in items:
        if isinstance(item, str):
            yield item
        else:
            for value in item.values():
                yield from leaves(value) if isinstance(value, list) else [value]


def sections(items: list[Any]) -> Iterator[list[Any]]:
    for item in items:
        if isinstance(item, dict):
            for value in item.values():
                if isinstance(value, list):
                    yield value
                    yield from sections(value)


def test_nav_sections_are_bounded_and_hold_every_page(big: Model) -> None:
    tree = nav(big)
    pages = list(leaves(tree))
    assert len(pages) == len(set(pages))
    assert set(pages) == set(render_pages(big, RenderOptions(today=TODAY)))
    for section in sections(tree):
        direct_pages = [x for x in section if isinstance(x, str)]
        assert len(direct_pages) <= NAV_CHUNK + 1  # + the stage's own page


def test_big_stage_tables_list_parties_by_letter(big: Model) -> None:
    pages = render_pages(big, RenderOptions(today=TODAY))
    stage = pages["stages/stage-00.md"]
    assert "teams take part here, too many for a column each" in stage
    assert '<th><span class="ob-letter ob-a" title="Accountable">A</span> Accountable</th>' in stage
    assert len(big.teams) > MATRIX_MAX_TEAMS >= STAGE_TABLE_MAX_TEAMS
    matrix = pages["matrix.md"]
    header_cells = [head.count("<th") for head in _activity_headers(matrix)]
    assert header_cells and max(header_cells) == 5  # Activity + 4 letters, not a column per team


def test_small_models_keep_the_team_grid(tmp_path: Path) -> None:
    root = write_model(tmp_path / "c", stages=2, teams=6, activities=12)
    model = load_model(root, today=TODAY).model
    assert model is not None
    matrix = render_pages(model, RenderOptions(today=TODAY))["matrix.md"]
    header = next(iter(_activity_headers(matrix)))
    assert header.count('href="teams/') == len(model.teams)


def _activity_headers(page: str) -> list[str]:
    """The header rows of a page's activity tables (HTML the renderer wrote)."""
    heads = [part.split("</tr>")[0] for part in page.split("<thead>")[1:]]
    return [head for head in heads if "<th>Activity</th>" in head]
