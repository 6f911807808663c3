"""The pages are written as finished HTML for speed; what a reader gets must not change.

`tests/sites/*.json` were recorded from sites built before that change (see
`tests/sitedigest.py`): each page's article text, links and anchors, its nav, and every
search index entry. Both the default handbook and a synthetic one (more teams than a table
has columns for: the letter tables) must read exactly as recorded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import TODAY, make_project
from tests.sitedigest import site_digest
from tests.test_build import ownbook

RECORDS = Path(__file__).resolve().parent / "sites"


def _compare(built: dict[str, Any], recorded: dict[str, Any]) -> None:
    assert sorted(built["pages"]) == sorted(recorded["pages"])
    for path, page in recorded["pages"].items():
        now = built["pages"][path]
        for key in ("title", "text", "links", "ids", "nav"):
            assert now[key] == _json(page[key]), f"{path}: {key} differs"
    assert len(built["search"]) == len(recorded["search"])
    for now, then in zip(built["search"], recorded["search"], strict=True):
        assert now == then


def _json(value: Any) -> Any:
    """Tuples read back from JSON as lists."""
    return json.loads(json.dumps(value))


def test_default_handbook_reads_as_recorded(default_handbook: Path) -> None:
    recorded = json.loads((RECORDS / "default.json").read_text(encoding="utf-8"))
    _compare(_json(site_digest(default_handbook / "site")), recorded)


def test_synthetic_handbook_reads_as_recorded(tmp_path: Path) -> None:
    from benchmarks.synth import write_model

    project = tmp_path / "p"
    make_project(project, {})
    shutil.rmtree(project / "content")
    write_model(project / "content", stages=4, teams=16, activities=40, faqs=6)
    proc = ownbook(project, "build", "--today", TODAY.isoformat())
    assert proc.returncode == 0, proc.stderr
    recorded = json.loads((RECORDS / "synthetic.json").read_text(encoding="utf-8"))
    _compare(_json(site_digest(project / "site")), recorded)
