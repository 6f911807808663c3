"""DOT source from a `Graph`: sorted, deterministic, every label escaped, every URL ours.

Labels go through `graphviz.escape` (so `\\N`, `\\G` and `<...>` have no special meaning) and
the package's quoting; URLs are built from page paths, which come from validated ids, so no
model text can reach an attribute Graphviz copies into the SVG unescaped.
"""

from __future__ import annotations

import graphviz

from . import paths
from .graphs import Edge, Graph

FONT = "Helvetica,Arial,sans-serif"


def _text(value: str) -> str:
    return graphviz.escape(" ".join(value.split()))


def edge_label(edge: Edge) -> str:
    if edge.verb in ("next",):
        return ""
    label = edge.verb if edge.weight == 1 else f"{edge.verb} ({edge.weight})"
    return "loop" if edge.verb == "loop" else label


def to_dot(graph: Graph, here: str, *, directory_urls: bool = False) -> str:
    """The DOT source of `graph`, drawn on page `here` (node links are relative to it)."""
    dot_cls = graphviz.Digraph if graph.directed else graphviz.Graph
    g = dot_cls(graph.name.replace("-", "_"))
    g.attr(rankdir=graph.rankdir, bgcolor="transparent", fontname=FONT, **{"class": "ob-graph"})
    g.attr("node", shape="box", style="rounded,filled", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="10")
    grouped: dict[str | None, list[tuple[str, dict[str, str]]]] = {}
    for node in graph.nodes:
        attrs = {"label": _text(node.label), "tooltip": _text(node.label)}
        attrs["class"] = "ob-node ob-center" if node.emphasis else "ob-node"
        if node.page is not None:
            attrs["URL"] = paths.href(here, node.page, directory_urls=directory_urls)
            attrs["target"] = "_top"
        grouped.setdefault(node.group if node.group in graph.groups else None, []).append(
            (node.id, attrs)
        )
    for node_id, attrs in grouped.get(None, []):
        g.node(node_id, **attrs)
    for group in sorted(k for k in grouped if k is not None):
        with g.subgraph(name=f"cluster_{group.replace('-', '_')}") as sub:
            sub.attr(label=_text(graph.groups[group]), style="rounded", **{"class": "ob-cluster"})
            for node_id, attrs in grouped[group]:
                sub.node(node_id, **attrs)
    heaviest = max((e.weight for e in graph.edges), default=1)
    for edge in graph.edges:
        attrs = {
            "class": f"ob-edge ob-{edge.verb.replace(' ', '-')}",
            "penwidth": f"{0.8 + 2.4 * edge.weight / heaviest:.1f}",
            "tooltip": _text(edge_text(graph, edge)),
        }
        label = edge_label(edge) if edge.verb == "loop" else ""
        if label:
            attrs["label"] = _text(label)
        if edge.verb in ("informs", "loop"):
            attrs["style"] = "dashed"
        g.edge(edge.source, edge.target, **attrs)
    return g.source


def edge_parts(edge: Edge) -> tuple[str, str]:
    """The words between and after an edge's two nodes: 'leads to', '(2 activities)'."""
    if edge.verb == "next":
        return "leads to", ""
    if edge.verb == "loop":
        return "leads back to", ""
    count = f"{edge.weight} {'activity' if edge.weight == 1 else 'activities'}"
    where = f" in {', '.join(edge.stages)}" if edge.stages else ""
    return edge.verb, f"({count}{where})"


def edge_text(graph: Graph, edge: Edge) -> str:
    """One edge as a sentence, for tooltips and the text alternative."""
    middle, tail = edge_parts(edge)
    words = [graph.node_label(edge.source), middle, graph.node_label(edge.target), tail]
    return " ".join(w for w in words if w)
