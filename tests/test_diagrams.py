"""Diagrams: graphs from the model, DOT, SVG structure (never SVG bytes), safety, caching."""

from __future__ import annotations

import dataclasses
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from ownbook.model.load import load_model
from ownbook.model.objects import Model, split_party
from ownbook.render import RenderOptions, diagram_sources, render_pages
from ownbook.render import svg as svg_mod
from ownbook.render.dot import to_dot
from ownbook.render.graphs import (
    MAX_NODES,
    Graph,
    lifecycle_graph,
    org_graph,
    stage_graph,
    summarise,
    team_graph,
)
from ownbook.render.svg import Renderer, SvgCache, _candidates, _probe, render_svgs
from ownbook.render.views import stage_members

from tests.conftest import BASE, TODAY, write_files

GOLDEN = Path(__file__).parent / "golden" / "model"
NS = {"svg": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink"}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def renderers() -> Iterator[Renderer]:
    seen = set()
    for name, path in _candidates():
        renderer = _probe(path)
        if renderer is not None and name not in seen:
            seen.add(name)
            yield renderer


RENDERERS = list(renderers())
assert any("graphviz-pure" in r.version for r in RENDERERS), "the bundled renderer is missing"


@pytest.fixture(params=RENDERERS, ids=lambda r: Path(r.path).name)
def renderer(request: pytest.FixtureRequest) -> Renderer:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def golden() -> Model:
    model = load_model(GOLDEN, today=TODAY).model
    assert model is not None
    return model


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def nodes_of(root: ET.Element) -> dict[str, str | None]:
    """{node name: link target} from the SVG's node groups."""
    out = {}
    for g in root.iterfind(".//svg:g[@class]", NS):
        if "node" in g.get("class", "").split():
            title = g.find("svg:title", NS)
            link = g.find(".//svg:a", NS)
            assert title is not None
            out[title.text or ""] = link.get(XLINK_HREF) if link is not None else None
    return out


def edges_of(root: ET.Element) -> list[str]:
    return [
        (g.find("svg:title", NS).text or "")  # type: ignore[union-attr]
        for g in root.iterfind(".//svg:g[@class]", NS)
        if "edge" in g.get("class", "").split()
    ]


def draw(graph: Graph, page: str, renderer: Renderer) -> ET.Element:
    dot = to_dot(graph, page)
    result = render_svgs([dot], SvgCache(), renderer)[dot]
    assert result.svg is not None, result.error
    return parse(result.svg)


def collaboration_pairs(model: Model, stage_id: str) -> set[tuple[str, str]]:
    """Computed here independently: A/R team -> C/I team, per stage."""
    pairs = set()
    for a in stage_members(model, stage_id):
        owners = {split_party(p)[0] for p in (*a.raci.responsible, a.raci.accountable)}
        for p in (*a.raci.consulted, *a.raci.informed):
            for o in owners:
                if o != split_party(p)[0]:
                    pairs.add((o, split_party(p)[0]))
    return pairs


def test_lifecycle_svg(golden: Model, renderer: Renderer) -> None:
    root = draw(lifecycle_graph(golden), "index.md", renderer)
    assert nodes_of(root) == {"find": "stages/find.html", "keep": "stages/keep.html"}
    assert sorted(edges_of(root)) == ["find->keep", "keep->find"]


def test_lifecycle_without_loop(golden: Model) -> None:
    model = dataclasses.replace(golden, handbook=dataclasses.replace(golden.handbook, loop=False))
    assert [(e.source, e.target) for e in lifecycle_graph(model).edges] == [("find", "keep")]


def test_stage_svg_has_one_edge_per_collaboration_pair(golden: Model, renderer: Renderer) -> None:
    for stage in golden.lifecycle:
        graph = stage_graph(golden, stage.id)
        root = draw(graph, f"stages/{stage.id}.md", renderer)
        pairs = collaboration_pairs(golden, stage.id)
        assert sorted(edges_of(root)) == sorted(f"{s}->{t}" for s, t in pairs)
        for name, link in nodes_of(root).items():
            assert link == f"../teams/{name}.html"


def test_default_content_stage_graphs_match_pairs() -> None:
    model = load_model(Path(__file__).parent.parent / "content", today=TODAY).model
    assert model is not None
    for stage in model.lifecycle:
        graph = stage_graph(model, stage.id).complete
        assert {(e.source, e.target) for e in graph.edges} == collaboration_pairs(model, stage.id)


def test_team_neighbourhood(golden: Model, renderer: Renderer) -> None:
    graph = team_graph(golden, "growth")
    edges = {(e.source, e.target, e.verb, e.stages) for e in graph.edges}
    assert edges == {
        ("growth", "care", "consults", ("Find",)),
        ("care", "growth", "informs", ("Find", "Keep")),
    }
    root = draw(graph, "teams/growth.md", renderer)
    assert nodes_of(root) == {"growth": "growth.html", "care": "care.html"}
    center = [g for g in root.iterfind(".//svg:g[@class]", NS) if "ob-center" in g.get("class", "")]
    assert [g.find("svg:title", NS).text for g in center] == ["growth"]  # type: ignore[union-attr]


def test_organisation_groups_by_parent(golden: Model, renderer: Renderer) -> None:
    graph = org_graph(golden)
    assert graph.groups == {"growth": "Growth"}
    assert [(e.source, e.target, e.weight) for e in graph.edges] == [("care", "growth", 2)]
    root = draw(graph, "teams.md", renderer)
    clusters = [g for g in root.iterfind(".//svg:g[@class]", NS) if "cluster" in g.get("class", "")]
    assert len(clusters) == 1
    assert nodes_of(root) == {"growth": "teams/growth.html", "care": "teams/care.html"}


def test_big_graphs_are_summarised_and_say_so() -> None:
    import tempfile

    from benchmarks.synth import write_model

    with tempfile.TemporaryDirectory() as tmp:
        root = write_model(Path(tmp) / "c", stages=3, teams=120, activities=600)
        model = load_model(root, today=TODAY).model
    assert model is not None
    graph = org_graph(model)
    assert len(graph.nodes) <= MAX_NODES
    assert graph.note is not None
    assert graph.note.startswith("Summarised for readability: the diagram shows the ")
    assert "the text version below lists them all." in graph.note
    # A team whose links were left out is not drawn alone: it is named in the note.
    drawn = {n.id for n in graph.nodes}
    linked = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    assert drawn == linked
    assert "Not drawn, having no link here that is shown: " in graph.note
    assert len(graph.complete.nodes) == len(model.teams)
    small = summarise(lifecycle_graph(model))
    assert small.note is None


EVIL_NAME = 'Evil " <b> & \\N \\G javascript:alert(1)\nline two'
EVIL_MODEL = f"""\
handbook:
  title: T
  organization: O
  lifecycle: [s]
teams:
  - id: a
    name: {json.dumps(EVIL_NAME)}
  - id: javascript
    name: {json.dumps("javascript:" + EVIL_NAME)}
stages:
  - id: s
    name: {json.dumps(EVIL_NAME)}
    summary: S.
activities:
  - id: x
    name: {json.dumps(EVIL_NAME)}
    stages: [s]
    reviewed: 2026-11-01
    raci:
      responsible: [a]
      accountable: a
      consulted: [javascript]
"""


def test_hostile_names_make_no_live_svg(tmp_path: Path, renderer: Renderer) -> None:
    write_files(tmp_path, {"m.yaml": EVIL_MODEL})
    checked = load_model(tmp_path, today=TODAY)
    assert checked.model is not None, [p.format() for p in checked.problems]
    options = RenderOptions(today=TODAY)
    dots = diagram_sources(checked.model, options)
    results = render_svgs(dots, SvgCache(), renderer)
    for result in results.values():
        assert result.svg is not None, result.error
        root = parse(result.svg)
        for el in root.iter():
            assert el.tag.rsplit("}", 1)[-1] not in {"script", "foreignObject"}
            for attr, value in el.attrib.items():
                assert not attr.rsplit("}", 1)[-1].lower().startswith("on")
                if attr.endswith("href"):
                    assert value.endswith(".html") and ":" not in value, value
        texts = " ".join((t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}text"))
        if "Evil" in texts:  # \N and \G did not expand into the node or graph name
            assert "\\N" in texts and "\\G" in texts and "<b>" in texts
        assert "<b>" not in result.svg  # labels are XML text, never markup
    pages = render_pages(checked.model, dataclasses.replace(options, svgs=results))
    assert "Diagram not drawn" not in "".join(pages.values())


def test_cache_serves_a_rebuild_with_no_render(tmp_path: Path, golden: Model) -> None:
    dots = diagram_sources(golden, RenderOptions(today=TODAY))
    first = SvgCache(tmp_path / "cache")
    render_svgs(dots, first)
    assert first.renders == len(set(dots)) > 0
    render_svgs(dots, first)
    assert first.renders == len(set(dots))  # memory cache: nothing rendered again
    second = SvgCache(tmp_path / "cache")  # a new build: disk cache
    out = render_svgs(dots, second)
    assert second.renders == 0
    assert all(r.svg for r in out.values())


def test_renderer_order(monkeypatch: pytest.MonkeyPatch) -> None:
    pure = next(r for r in RENDERERS if "graphviz-pure" in r.version)
    assert svg_mod.find_renderer(None).path == _candidates()[0][1]
    assert svg_mod.find_renderer(pure.path) == pure  # the environment variable wins
    with pytest.raises(svg_mod.RendererMissing, match="OWNBOOK_DOT is set to '/nope'"):
        svg_mod.find_renderer("/nope")
    monkeypatch.setattr(svg_mod, "_candidates", list)
    with pytest.raises(svg_mod.RendererMissing, match="no Graphviz renderer found: reinstall"):
        svg_mod.find_renderer(None)


def test_no_renderer_shows_dot_and_a_notice(golden: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWNBOOK_DOT", "/nope")
    options = RenderOptions(today=TODAY)
    results = render_svgs(diagram_sources(golden, options), SvgCache())
    pages = render_pages(golden, dataclasses.replace(options, svgs=results))
    home = pages["index.md"]
    assert '!!! warning "Diagram not drawn"' in home
    assert '```dot\ndigraph "lifecycle" {' in home


def test_dot_is_deterministic(golden: Model) -> None:
    options = RenderOptions(today=TODAY)
    assert diagram_sources(golden, options) == diagram_sources(golden, options)


def test_directory_urls_links(golden: Model) -> None:
    dot = to_dot(stage_graph(golden, "find"), "stages/find.md", directory_urls=True)
    assert 'URL="../../teams/growth/"' in dot
    assert 'URL="stages/find/"' in to_dot(lifecycle_graph(golden), "index.md", directory_urls=True)


@pytest.mark.skipif(os.name != "posix", reason="uses a shell script as a fake renderer")
def test_renderer_failure_is_reported(tmp_path: Path, golden: Model) -> None:
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'syntax error near line 1' >&2\nexit 3\n")
    fake.chmod(0o755)
    broken = Renderer(str(fake), "fake")
    dot = diagram_sources(golden, RenderOptions(today=TODAY))[0]
    result = render_svgs([dot], SvgCache(), broken)[dot]
    assert result.svg is None and result.error == "dot failed: syntax error near line 1"


def test_a_team_that_works_alone_is_named_not_drawn() -> None:
    """A team accountable and responsible alone in a stage has no arrow there: drawn, it
    would look like a team that works with nobody."""
    import tempfile

    from ownbook.render.graphs import stage_graph

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_files(
            Path(tmp) / "content",
            {"base.yaml": BASE.replace("consulted: [sales]", "consulted: []")},
        )
        model = load_model(folder, today=TODAY).model
    assert model is not None
    graph = stage_graph(model, "awareness")
    assert [n.id for n in graph.nodes] == []
    assert graph.note == "Not drawn, having no link here: Marketing."
    assert graph.key.startswith("An arrow leads from a team that is accountable")
