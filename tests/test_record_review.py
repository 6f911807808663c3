"""Review of the recorded memo (commit 0719b20): what the record of reads does not see.

Each test fails on that commit. A memoised render must equal a fresh render of the same
model and options (the pattern of test_incremental.py); a long `serve` must not keep every
render it made; and the memo's guard against makers that carry values must hold for every
way a function can carry one.
"""

from __future__ import annotations

import dataclasses
import gc
import weakref

import pytest
from ownbook.history.diff import ActivityChange, Changes
from ownbook.history.log import History, HistoryEntry
from ownbook.model.load import load_model
from ownbook.model.objects import Activity, Model
from ownbook.render import RenderOptions, diagram_sources, paths, render_pages
from ownbook.render.memo import Memo, NoMemo
from ownbook.render.svg import SvgResult

from tests.conftest import ROOT, TODAY


def _default() -> Model:
    checked = load_model(ROOT / "content", today=TODAY, display_as="content")
    assert checked.model is not None
    return checked.model


def render(model: Model, options: RenderOptions, memo: Memo | None) -> dict[str, str]:
    """As a build makes the pages (the same as test_incremental.render)."""
    memo = memo or NoMemo()
    dots = diagram_sources(model, options, memo)
    svgs = {d: SvgResult(svg=f"<svg><!-- {len(d)} {hash(d) & 0xFFFF} --></svg>") for d in dots}
    pages = render_pages(model, dataclasses.replace(options, svgs=svgs), memo)
    pages["diagrams.dot"] = "\n".join(dots)
    return pages


def _history(a: Activity, sentence: str, sha: str) -> History:
    """An ownership history of one commit that changed `a`."""
    changes = Changes(changed=[ActivityChange(a.id, a.name, [sentence])])
    return History(entries=[HistoryEntry(sha, "2026-11-20", "Edit ownership", changes)])


def test_a_new_history_alone_reaches_the_activity_pages() -> None:
    """The same model rendered again with another ownership history (only the options
    change, as `change_today` / `change_urls` edits do): an activity page's "Recent
    changes" must follow it. `_prepare` reuses the last renderer for the same model and
    settings (today, source_root, directory_urls; history is not among them), and
    `Sources.set_options` empties the views but not `Sources._whole`, where
    `derived._changes` keeps the index of the first history it was computed from. The
    record is checked against that stale index, so the page is kept; made again it would
    read it too."""
    model = _default()
    a = model.activities[0]
    page = paths.activity_page(a.id)
    options = RenderOptions(today=TODAY, source_root=str(ROOT))
    memo = Memo()
    render(model, options, memo)
    for sentence, sha in (("First change", "a" * 40), ("Second change", "b" * 40)):
        options = dataclasses.replace(options, history=_history(a, sentence, sha))
        fresh = render(model, options, None)
        kept = render(model, options, memo)
        assert sentence in fresh[page]
        assert kept[page] == fresh[page], f"stale {page} after history {sentence!r}"


def test_a_long_serve_lets_go_of_the_renders_before() -> None:
    """Each render makes a new `_Renderer`; `Memo.get` adds its bound methods (draw, home,
    stage, activity...) to `Memo._checked`, a set that is never emptied, and a bound
    method holds its renderer, whose `Sources` holds that render's model, options (SVGs,
    history), views and indexes. So every edit under `serve` keeps one more model alive."""
    model = _default()
    options = RenderOptions(today=TODAY)
    memo = Memo()
    render(model, options, memo)
    first_model, first_sources = weakref.ref(model), weakref.ref(memo.sources)
    for i in range(3):
        model = dataclasses.replace(
            model, handbook=dataclasses.replace(model.handbook, title=f"T{i}")
        )
        render(model, options, memo)
    gc.collect()
    assert first_sources() is None and first_model() is None, (
        f"the first render is still reachable ({len(memo._checked)} makers kept)"
    )


def test_a_maker_with_a_default_argument_is_refused() -> None:
    """`_plain` (and `Sources.view`) refuse a closure, but a value bound as a default
    argument is carried the same way, past the record: two renders of one slot then give
    the first value for the second maker."""
    memo = Memo()
    render(_default(), RenderOptions(today=TODAY), memo)
    name = "x"
    with pytest.raises(TypeError, match="may carry values"):
        memo.get(("test",), lambda value=name: value)
    assert memo.sources is not None
    with pytest.raises(TypeError, match="must not close over values"):
        memo.sources.view(lambda src, value=name: value)
