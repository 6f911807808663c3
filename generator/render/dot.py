"""DOT source from a `Graph`: sorted, deterministic, every label escaped, every URL ours.

Every string is written as a quoted DOT string with backslashes doubled and `&` written
as `&amp;`, so `\\N`, `\\G`, `\\L` and entities have no special meaning in a label and a
quote cannot end the string; URLs are built from page paths, which come from validated ids,
so no model text reaches an attribute Graphviz copies into the SVG unescaped. (A small
writer of our own: the `graphviz` package spent two thirds of the time of a 5,000-activity
handbook's diagrams on quoting.)
"""

from __future__ import annotations

from . import paths
from .graphs import Edge, Graph

FONT = "Helvetica,Arial,sans-serif"


# Graphviz reads entities (`&amp;`, `&#x202E;`) in labels and tooltips: `&` is written as
# `&amp;` so the typed text is drawn, and a backslash is doubled so `\\N`, `\\G` and `\\L`
# are not expanded; a quote cannot end the string.
_DOT_STRING = str.maketrans({"&": "&amp;", "\\": "\\\\", '"': '\\"'})


def quote(value: object) -> str:
    """Any text as one quoted DOT string, shown literally."""
    return '"' + " ".join(str(value).split()).translate(_DOT_STRING) + '"'


def _attrs(attrs: dict[str, object]) -> str:
    return "[" + " ".join(f"{key}={quote(value)}" for key, value in attrs.items()) + "]"


def edge_label(edge: Edge) -> str:
    return "loop" if edge.verb == "loop" else ""


def to_dot(graph: Graph, here: str, *, directory_urls: bool = False) -> str:
    """The DOT source of `graph`, drawn on page `here` (node links are relative to it)."""
    arrow = "->" if graph.directed else "--"
    lines = [
        f"{'digraph' if graph.directed else 'graph'} {quote(graph.name)} {{",
        *(
            f"\t{key}={quote(value)};"
            for key, value in (
                ("rankdir", graph.rankdir),
                ("bgcolor", "transparent"),
                ("fontname", FONT),
                ("class", "ob-graph"),
            )
        ),
        "\tnode "
        + _attrs({"shape": "box", "style": "rounded,filled", "fontname": FONT, "fontsize": "12"})
        + ";",
        "\tedge " + _attrs({"fontname": FONT, "fontsize": "12"}) + ";",
    ]
    grouped: dict[str | None, list[str]] = {}
    for node in graph.nodes:
        attrs: dict[str, object] = {
            "label": node.label,
            "tooltip": node.label,
            "class": "ob-node ob-center" if node.emphasis else "ob-node",
        }
        if node.page is not None:
            attrs["URL"] = paths.href(here, node.page, directory_urls=directory_urls)
            attrs["target"] = "_top"
        group = node.group if node.group in graph.groups else None
        grouped.setdefault(group, []).append(f"{quote(node.id)} {_attrs(attrs)};")
    lines += ["\t" + line for line in grouped.get(None, [])]
    for group in sorted(g for g in grouped if g is not None):
        lines.append(f"\tsubgraph {quote('cluster_' + group)} {{")
        lines.append(
            "\t\tgraph "
            + _attrs({"label": graph.groups[group], "style": "rounded", "class": "ob-cluster"})
            + ";"
        )
        lines += ["\t\t" + line for line in grouped[group]]
        lines.append("\t}")
    heaviest = max((e.weight for e in graph.edges), default=1)
    for edge in graph.edges:
        attrs = {
            "class": f"ob-edge ob-{edge.verb.replace(' ', '-')}",
            "penwidth": f"{0.8 + 2.4 * edge.weight / heaviest:.1f}",
            "tooltip": edge_text(graph, edge),
        }
        if edge_label(edge):
            attrs["label"] = edge_label(edge)
        if edge.verb in ("informs", "loop"):
            attrs["style"] = "dashed"
        lines.append(f"\t{quote(edge.source)} {arrow} {quote(edge.target)} {_attrs(attrs)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


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
