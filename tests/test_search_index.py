"""Material's search index, made by the search worker, is the one Material makes itself.

The plugin hands each page to a worker process as soon as MkDocs has converted it (see
`build/search.py`). What a reader searches must not change: the same entries, in the same
order, for every page, whether a page was changed after it was sent, left out of search,
or its worker died (then the build fails and says why).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.toc import get_toc
from ownbook import plugin as ownbook_plugin
from ownbook.build.parallel import Worker, process_id
from ownbook.build.search import IndexElsewhere, Parsed, index_page

from tests.conftest import TODAY, make_project

HTML = (
    '<h1 id="title">Title <a class="headerlink" href="#title">¶</a></h1>'
    "<p>Intro with <code>code</code> &amp; an entity.</p>"
    '<h2 id="owners">Who owns it</h2><table><tr><td>Team A</td><td>R</td></tr></table>'
    '<div data-search-exclude><p>hidden</p></div><h2 id="more">More</h2><ul><li>x</li></ul>'
)
TOC = [
    {"level": 1, "id": "title", "name": "Title", "children": [
        {"level": 2, "id": "owners", "name": "Who owns it", "children": []},
        {"level": 2, "id": "more", "name": "More", "children": []},
    ]}
]  # fmt: skip


def page(path: str, html: str = HTML, meta: dict[str, Any] | None = None) -> Any:
    """What Material's index reads of an MkDocs page, and the source path the plugin keys
    it by."""
    return SimpleNamespace(
        file=SimpleNamespace(src_uri=path),
        content=html,
        url=path.replace(".md", ".html"),
        title="Title",
        meta=meta or {},
        toc=get_toc(TOC),
    )


def material(pages: list[Any]) -> list[dict[str, Any]]:
    index = SearchIndex()
    for p in pages:
        index.add_entry_from_context(p)
    return index.entries


@pytest.fixture
def worker() -> Any:
    made: Worker[Parsed] = Worker(Parsed)
    yield made
    made.close()


def test_entries_equal_materials_own_in_the_order_material_indexed(worker: Any) -> None:
    pages = [
        page("a.md"),
        page("b.md", HTML.replace("Team A", "Team B"), {"tags": ["x", 3], "search": {"boost": 2}}),
        page("c.md", "<p>No heading at all</p>", {"title": "Set in meta"}),
        page("d.md", meta={"search": {"exclude": True}}),
    ]
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    for p in reversed(pages):  # converted in one order...
        index.prepare(p, p.content)
    for p in pages:  # ...rendered in another: Material's order wins
        index.add_entry_from_context(p)
    assert index.entries == material(pages)
    assert [e["location"] for e in index.entries][:3] == ["a.html", "a.html#owners", "a.html#more"]


def test_a_page_changed_after_it_was_sent_is_indexed_as_it_is_at_render(worker: Any) -> None:
    """Another plugin may rewrite the HTML, the table of contents or the title between the
    conversion and the rendering: the index reads the page as Material would."""
    first, second, third = page("a.md"), page("b.md"), page("c.md")
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    for p in (first, second, third):
        index.prepare(p, p.content)
    first.content = HTML.replace("Team A", "Team Z")
    second.toc = get_toc([{**TOC[0], "children": TOC[0]["children"][:1]}])
    third.title = "Renamed"
    third.content = "<p>no heading: the title is the page's</p>"
    for p in (first, second, third):
        index.add_entry_from_context(p)
    assert index.entries == material([first, second, third])
    assert "Team Z" in index.entries[1]["text"]


def test_the_worker_left_over_from_a_failed_build_adds_nothing(worker: Any) -> None:
    failed = IndexElsewhere(SearchIndex(), [worker], PluginError)
    failed.prepare(page("gone.md"), HTML)
    failed.close()
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    index.prepare(page("a.md"), HTML)
    index.add_entry_from_context(page("a.md"))
    assert index.entries == material([page("a.md")])


def test_a_dead_worker_fails_the_build_with_a_message(worker: Any) -> None:
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    index.prepare(page("a.md"), HTML)
    os.kill(worker.submit(process_id).result(timeout=60), signal.SIGKILL)
    index.add_entry_from_context(page("a.md"))
    with pytest.raises(PluginError, match=r"^the search index could not be made: "):
        index.generate_search_index(None)


def test_a_thousand_pages_sent_before_any_reply_is_read(worker: Any) -> None:
    """Each page's call is answered; the sender reads the answers as it goes, or the pipe
    would fill and stop the worker, and then the sender."""
    pages = [page(f"p{i}.md", f'<h1 id="t">P{i}</h1><p>{"word " * 50}</p>') for i in range(1000)]
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    for p in pages:
        index.prepare(p, p.content)
    for p in pages:
        index.add_entry_from_context(p)
    assert index.entries == material(pages)


@pytest.mark.slow
def test_a_build_indexes_elsewhere_and_writes_materials_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default handbook, built in this process twice: once with the worker, once with
    Material indexing every page itself. The index files are the same, byte for byte, the
    worker was used, and no process is left behind."""
    config_file = make_project(tmp_path / "p")

    def built(site: str) -> bytes:
        config = load_config(str(config_file), site_dir=str(tmp_path / site))
        for p in config.plugins.values():
            if isinstance(p, ownbook_plugin.OwnbookPlugin):
                p.config["today"] = TODAY
        build(config)
        return (tmp_path / site / "search" / "search_index.json").read_bytes()

    used: list[str] = []  # the pages sent to the worker
    send = IndexElsewhere._send

    def counted(self: IndexElsewhere, w: int, fn: Any, *args: Any) -> Any:
        if fn is index_page:
            used.append(args[0])
        return send(self, w, fn, *args)

    monkeypatch.setattr(IndexElsewhere, "_send", counted)
    elsewhere = built("elsewhere")
    assert len(used) > 20
    assert multiprocessing.active_children() == []
    monkeypatch.setattr(ownbook_plugin, "can_run_elsewhere", lambda index: False)
    here = built("here")
    assert len(used) > 20 and elsewhere == here
    assert len(json.loads(here)["docs"]) > 100


def test_a_worker_started_again_mid_build_fails_the_build(worker: Any) -> None:
    """The pages it parsed died with it: the build says so, it does not publish less."""
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    index.prepare(page("a.md"), HTML)
    first = worker.submit(process_id).result(timeout=60)  # a.md has been parsed
    os.kill(first, signal.SIGKILL)
    while worker.running:
        worker._process.join(1)  # until the death is seen
    index.add_entry_from_context(page("a.md"))
    with pytest.raises(PluginError, match=r"^the search index could not be made: the worker "):
        index.generate_search_index(None)


def test_a_page_materials_code_fails_on_fails_the_build_naming_it(worker: Any) -> None:
    broken = page("broken.md", meta={"search": 5})  # Material's code calls 5.get(...)
    index = IndexElsewhere(SearchIndex(), [worker], PluginError)
    for p in (page("a.md"), broken):
        index.prepare(p, p.content)
        index.add_entry_from_context(p)
    with pytest.raises(PluginError, match=r"^broken\.md: the search index: AttributeError: "):
        index.generate_search_index(None)


@pytest.fixture
def two_workers() -> Any:
    made: list[Worker[Parsed]] = [Worker(Parsed), Worker(Parsed)]
    yield made
    for w in made:
        w.close()


def test_two_workers_share_the_pages_and_give_materials_entries_in_its_order(
    two_workers: Any,
) -> None:
    """Under `serve` an edit's large pages are parsed side by side: each page goes to the
    worker least behind, and the entries still come in Material's order."""
    pages = [
        page(f"p{i}.md", HTML.replace("Team A", f"Team {i} " + "word " * (i * 500)))
        for i in range(12)
    ]
    index = IndexElsewhere(SearchIndex(), two_workers, PluginError)
    for p in reversed(pages):
        index.prepare(p, p.content)
    pages[3].content = HTML.replace("Team A", "Team changed at render")  # sent again
    for p in pages:
        index.add_entry_from_context(p)
    assert set(index._where.values()) == {0, 1}  # both were used
    assert index.entries == material(pages)
    assert "Team changed at render" in " ".join(e["text"] for e in index.entries)


def test_a_dead_second_worker_fails_the_build(two_workers: Any) -> None:
    index = IndexElsewhere(SearchIndex(), two_workers, PluginError)
    big = [page(f"p{i}.md", HTML + "<p>" + "word " * 20_000 + "</p>") for i in range(4)]
    for p in big:
        index.prepare(p, p.content)
    assert set(index._where.values()) == {0, 1}
    os.kill(two_workers[1].submit(process_id).result(timeout=60), signal.SIGKILL)
    for p in big:
        index.add_entry_from_context(p)
    with pytest.raises(PluginError, match=r"^the search index could not be made: "):
        index.entries  # noqa: B018


@pytest.fixture(params=[1, 2], ids=["one worker", "two workers"])
def workers(request: pytest.FixtureRequest) -> Any:
    made: list[Worker[Parsed]] = [Worker(Parsed) for _ in range(request.param)]
    yield made
    for w in made:
        w.close()


def test_the_index_file_is_written_by_the_workers_as_material_writes_it(workers: Any) -> None:
    """A one-off build asks for the file, not the entries: the first worker writes it (from
    its entries and the other's), and this process holds only its text."""
    config = {"lang": ["en"], "separator": r"[\s\-]+", "pipeline": ["stemmer"], "fields": {}}
    pages = [page("a.md"), page("b.md", "<p>b</p>", {"title": "B"}), page("c.md")]
    index = IndexElsewhere(SearchIndex(**config), workers, PluginError)
    for p in pages:
        index.prepare(p, p.content)
        index.add_entry_from_context(p)
    expected = SearchIndex(**config)
    expected.entries = material(pages)
    assert index.generate_search_index(None) == expected.generate_search_index(None)
    assert index.inner.entries == []  # never brought here


# Parts of a page for the sectioned parse: headings Markdown writes, and what must stop a
# cut (a heading inside an element, a comment, a script, an excluded block, an open tag).
PARTS = [
    '<h2 id="s{n}">Section {n} <a class="headerlink" href="#s{n}">¶</a></h2>\n',
    '<h3 id="t{n}">Sub &amp; {n}</h3>\n',
    "<p>Text {n} with <code>code</code> &#45; &lt;h2 id=&quot;no&quot;&gt; and <b>bold</b></p>\n",
    "<table><tr><td>Team {n}</td><td>R</td></tr></table>\n",
    '<div class="x"><h2 id="in{n}">Nested {n}</h2><p>inside</p></div>\n',
    '<div data-search-exclude><p>hidden {n}</p><h4 id="h{n}">gone</h4></div>\n',
    '<!-- a comment <h2 id="c{n}">not a heading</h2> -->\n',
    "<script>var s = '<h2 id=\"j{n}\">';</script>\n",
    "<ul><li>one {n}</li><li>   </li></ul>\n<pre>  keep\n  spaces {n}</pre>\n",
    "<div><p>left open {n}\n",
    "plain text &amp; more {n}\n",
    '<h1 id="again{n}">An h1 later</h1>\n',
]


def _whole_and_sectioned(content: str, state: Parsed, key: str = "p.md") -> tuple[Any, Any]:
    """Material's entries for a page, and the worker's (sectioned, with `state`)."""
    p = page(key, content)
    index_page(state, key, SearchIndex, p)
    return material([p]), state.pages.pop(key)


def test_a_large_page_parsed_a_section_at_a_time_gives_materials_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Random pages of headings, tables, nested and excluded blocks, comments, scripts and
    unclosed tags: wherever a cut cannot be made the page is parsed whole, and the entries
    are always Material's."""
    import random

    from ownbook.build import search

    monkeypatch.setattr(search, "SECTIONED_MIN_CHARS", 0)
    ways: list[bool] = []  # whether each page was parsed a section at a time
    original = search._sections

    def counted(*args: Any) -> Any:
        found = original(*args)
        ways.append(found is not None)
        return found

    monkeypatch.setattr(search, "_sections", counted)
    rng = random.Random(7)
    state = Parsed(keep_sections=True)
    weights = [6, 3, 4, 4, 1, 1, 1, 1, 3, 1, 3, 1]  # cuts that hold are the common case
    for trial in range(400):
        parts = [
            p.format(n=i) for i, p in enumerate(rng.choices(PARTS, weights, k=rng.randint(1, 14)))
        ]
        content = '<h1 id="top">Top</h1>\n' + "".join(parts) if trial % 3 else "".join(parts)
        whole, sectioned = _whole_and_sectioned(content, state, f"p{trial % 5}.md")
        assert sectioned == whole, content
    assert ways.count(True) > 100 and ways.count(False) > 50  # both ways, many times


def test_an_edit_re_parses_only_the_sections_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    from ownbook.build import search

    rows = "".join(f"<tr><td>Activity {i}</td><td>Team {i % 7}</td></tr>\n" for i in range(400))
    sections = [f'<h2 id="stage-{s}">Stage {s}</h2>\n<table>\n{rows}</table>\n' for s in range(12)]
    content = '<h1 id="matrix">RACI matrix</h1>\n<p>Every activity.</p>\n' + "".join(sections)
    assert len(content) > search.SECTIONED_MIN_CHARS
    parts: list[str] = []
    original = search._parse_part

    def counted(parser_type: Any, part: str, **kwargs: Any) -> Any:
        parts.append(part)
        return original(parser_type, part, **kwargs)

    monkeypatch.setattr(search, "_parse_part", counted)
    state = Parsed(keep_sections=True)
    whole, sectioned = _whole_and_sectioned(content, state)
    assert sectioned == whole and len(parts) == 13
    edited = content.replace(
        "<td>Activity 5</td><td>Team 5</td>", "<td>Activity 5</td><td>Team 0</td>", 1
    )
    parts.clear()
    whole, sectioned = _whole_and_sectioned(edited, state)
    assert sectioned == whole
    assert len(parts) == 1 and parts[0].startswith('<h2 id="stage-0">')
    # a one-off build keeps nothing: each version is parsed whole again
    once = Parsed()
    _whole_and_sectioned(content, once)
    assert once.sections == {}


def test_a_material_whose_sections_look_different_is_parsed_its_own_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sectioned parse reads Material's parser and sections; should another Material
    shape them otherwise, the page is indexed by Material's own code, not failed."""
    from ownbook.build import search

    def changed(*args: Any) -> Any:
        raise AttributeError("'Section' object has no attribute 'title'")

    monkeypatch.setattr(search, "_sections", changed)
    whole, sectioned = _whole_and_sectioned(HTML * 400, Parsed())
    assert sectioned == whole and len(whole) > 2
