"""Collaboration graphs built from the model: pure data, no Graphviz, no escaping yet.

A `Graph` names its nodes by validated ids and points each node at a handbook page by path;
`dot.to_dot` turns it into DOT for the page it is drawn on. The edge lists are also the text
alternative under each diagram, so picture and text cannot disagree.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ..model.objects import Activity, Model, split_party
from . import paths
from .views import letters_per_team, stage_members

MAX_NODES = 60
MAX_EDGES = 120
EDGES_PER_NODE = 2  # past about two arrows per box a layout turns into a hairball


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    page: str | None = None
    group: str | None = None  # a cluster id (parent team) or None
    emphasis: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    verb: str  # "next", "loop", "consults", "informs", "works with"
    weight: int = 1
    stages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    name: str
    caption: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    directed: bool = True
    rankdir: str = "LR"
    groups: dict[str, str] = field(default_factory=dict)  # cluster id -> label
    note: str | None = None  # said under the diagram: what it leaves out, and why
    full: Graph | None = None  # the graph before it was summarised (for the text list)
    key: str = ""  # one line under the diagram: what its boxes, arrows and lines mean

    @property
    def complete(self) -> Graph:
        return self.full if self.full is not None else self

    def node_label(self, node_id: str) -> str:
        return self.node(node_id).label

    def node(self, node_id: str) -> Node:
        return self._node_by_id[node_id]

    @cached_property
    def _node_by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}


def lifecycle_graph(model: Model) -> Graph:
    stages = model.lifecycle
    nodes = tuple(Node(s.id, s.name, paths.stage_page(s.id)) for s in stages)
    edges = [Edge(a.id, b.id, "next") for a, b in itertools.pairwise(stages)]
    if model.handbook.loop and len(stages) > 1:
        edges.append(Edge(stages[-1].id, stages[0].id, "loop"))
    caption = "The customer lifecycle" + (", a loop" if model.handbook.loop else "")
    key = "Each box is a stage, each arrow leads to the next"
    key += "; the dashed arrow closes the loop." if model.handbook.loop else "."
    return Graph("lifecycle", caption, nodes, tuple(edges), rankdir="LR", key=key)


COLLABORATION_KEY = (
    "An arrow leads from a team that is accountable or responsible to a team it consults "
    "(solid) or informs (dashed); the thicker the arrow, the more activities."
)


def activity_pairs(a: Activity) -> dict[tuple[str, str], str]:
    """(from team, to team) -> verb for one activity: the accountable and responsible teams
    consult the consulted ones and inform the informed ones ('consults and informs': both)."""
    raci = a.raci
    owners = {split_party(p)[0] for p in (*raci.responsible, raci.accountable) if p}
    verbs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for verb, parties in (("consults", raci.consulted), ("informs", raci.informed)):
        for party in parties:
            target = split_party(party)[0]
            for source in owners:
                if source != target:
                    verbs[(source, target)].add(verb)
    return {pair: " and ".join(sorted(found)) for pair, found in verbs.items()}


def _pairs(activities: Sequence[Activity]) -> Counter[tuple[str, str, str]]:
    """(from team, to team, verbs) -> number of activities, one edge per pair of teams."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for a in activities:
        for (source, target), verb in activity_pairs(a).items():
            counts[(source, target, verb)] += 1
    return _one_edge_per_pair(counts)


def _one_edge_per_pair(
    counts: Counter[tuple[str, str, str]],
) -> Counter[tuple[str, str, str]]:
    """Fold the verbs of one (from, to) pair into one edge, so a diagram has one arrow per
    pair of teams: 'consults' + 'informs' across activities become 'consults and informs'."""
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    total: Counter[tuple[str, str]] = Counter()
    for (source, target, verb), n in counts.items():
        by_pair[(source, target)].update(verb.split(" and "))
        total[(source, target)] += n
    return Counter(
        {(s, t, " and ".join(sorted(by_pair[(s, t)]))): n for (s, t), n in total.items()}
    )


def _team_nodes(model: Model, ids: set[str], center: str | None = None) -> tuple[Node, ...]:
    return tuple(
        Node(t.id, t.name, paths.team_page(t.id), emphasis=t.id == center)
        for t in model.teams
        if t.id in ids
    )


def stage_graph(model: Model, stage_id: str, activities: Sequence[Activity] | None = None) -> Graph:
    """The teams of one stage: who (A/R) consults and informs whom, weighted by activities.
    `activities`: the stage's members, when already known."""
    if activities is None:
        activities = stage_members(model, stage_id)
    counts = _pairs(activities)
    involved = {split_party(p)[0] for a in activities for _, p, _ in a.raci.letters}
    edges = tuple(Edge(s, t, v, n) for (s, t, v), n in sorted(counts.items()))
    stage = model.stage_by_id[stage_id]
    graph = Graph(
        f"stage-{stage_id}",
        f"How the teams work together in {stage.name}",
        _team_nodes(model, involved),
        edges,
        key=COLLABORATION_KEY,
    )
    return summarise(graph)


@dataclass(frozen=True)
class Collaboration:
    """Each activity's (from, to, verb) pairs, indexed by the teams in them: computed once
    per model so that drawing every team's neighbourhood stays linear."""

    # team id -> (the activity's stages, (from, to, verb), 1) per pair of the activity: what
    # a team's diagram draws, and nothing more (serve compares these between renders)
    by_team: dict[str, list[tuple[tuple[str, ...], tuple[str, str, str], int]]]

    @classmethod
    def of(
        cls,
        model: Model,
        pairs: Callable[[Activity], dict[tuple[str, str], str]] = activity_pairs,
    ) -> Collaboration:
        """`pairs`: `activity_pairs`, or the same kept per activity across renders."""
        by_team: dict[str, list[tuple[tuple[str, ...], tuple[str, str, str], int]]]
        by_team = defaultdict(list)
        for a in model.activities:
            for (source, target), verb in pairs(a).items():
                entry = (a.stages, (source, target, verb), 1)
                by_team[source].append(entry)
                by_team[target].append(entry)
        return cls(dict(by_team))


def team_graph(model: Model, team_id: str, collab: Collaboration | None = None) -> Graph:
    """A team's neighbourhood: who it consults and informs, and who consults and informs it."""
    collab = collab or Collaboration.of(model)
    stages_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: Counter[tuple[str, str, str]] = Counter()
    for stages, key, n in collab.by_team.get(team_id, []):
        counts[key] += n
        stages_of[key[:2]].update(stages)
    order = {s.id: i for i, s in enumerate(model.lifecycle)}

    def stage_names(pair: tuple[str, str]) -> tuple[str, ...]:
        ids = sorted(stages_of[pair], key=lambda x: order.get(x, len(order)))
        return tuple(model.stage_by_id[x].name for x in ids if x in model.stage_by_id)

    edges = tuple(
        Edge(s, t, v, n, stage_names((s, t)))
        for (s, t, v), n in sorted(_one_edge_per_pair(counts).items())
    )
    involved = {team_id} | {e.source for e in edges} | {e.target for e in edges}
    team = model.team_by_id[team_id]
    graph = Graph(
        f"team-{team_id}",
        f"Who {team.name} works with",
        _team_nodes(model, involved, center=team_id),
        edges,
        key=COLLABORATION_KEY + f" {team.name} is the highlighted box.",
    )
    return summarise(graph, keep=team_id)


def org_graph(model: Model) -> Graph:
    """All teams, linked by how many activities they share, grouped under parent teams."""
    shared: Counter[tuple[str, str]] = Counter()
    for a in model.activities:
        teams = sorted(letters_per_team(a))
        for i, x in enumerate(teams):
            for y in teams[i + 1 :]:
                shared[(x, y)] += 1
    parents = {t.parent for t in model.teams if t.parent in model.team_by_id}
    groups = {p: model.team_by_id[p].name for p in sorted(p for p in parents if p)}
    nodes = tuple(
        Node(
            t.id,
            t.name,
            paths.team_page(t.id),
            group=t.id if t.id in groups else (t.parent if t.parent in groups else None),
        )
        for t in model.teams
    )
    edges = tuple(Edge(x, y, "works with", n) for (x, y), n in sorted(shared.items()))
    graph = Graph(
        "organisation",
        "The organisation: teams linked by the activities they share",
        nodes,
        edges,
        directed=False,
        rankdir="TB",
        groups=groups,
        key=(
            "A line joins two teams that hold letters in the same activities; the thicker the "
            "line, the more activities they share. A framed group is a parent team and its "
            "sub-teams."
        ),
    )
    return summarise(graph)


def summarise(graph: Graph, keep: str | None = None) -> Graph:
    """Keep a diagram readable: past MAX_NODES the most connected teams, past about two edges
    a node (at most MAX_EDGES) the heaviest edges. A team left with no line (it works alone
    here, or its links were the ones left out) is not drawn as if it worked with nobody: it
    is left out and named in the note. The text under the diagram lists every edge of the
    full graph."""
    max_edges = min(MAX_EDGES, max(12, EDGES_PER_NODE * min(len(graph.nodes), MAX_NODES)))
    summarised = len(graph.nodes) > MAX_NODES or len(graph.edges) > max_edges
    if summarised:
        degree: Counter[str] = Counter()
        for e in graph.edges:
            degree[e.source] += e.weight
            degree[e.target] += e.weight
        ranked = sorted(graph.nodes, key=lambda n: (n.id != keep, -degree[n.id], n.id))
        kept_ids = {n.id for n in ranked[:MAX_NODES]}
        inside = [e for e in graph.edges if e.source in kept_ids and e.target in kept_ids]
        heaviest = sorted(inside, key=lambda e: (-e.weight, e.source, e.target, e.verb))
        kept_edges = set(heaviest[:max_edges])
        edges = tuple(e for e in graph.edges if e in kept_edges)
    else:
        edges = graph.edges
    linked = {e.source for e in edges} | {e.target for e in edges} | ({keep} if keep else set())
    nodes = tuple(n for n in graph.nodes if n.id in linked)
    alone = [n.label for n in graph.nodes if n.id not in linked]
    if not summarised and not alone:
        return graph
    notes = []
    if summarised:
        notes.append(
            f"Summarised for readability: the diagram shows the {len(edges)} strongest of "
            f"{len(graph.edges)} links between teams; the text version below lists them all."
        )
    if alone:
        shown = ", ".join(alone[:8]) + (f" and {len(alone) - 8} more" if len(alone) > 8 else "")
        notes.append(
            f"Not drawn, having no link here{' that is shown' if summarised else ''}: {shown}."
        )
    kept_groups = {n.group for n in nodes if n.group}
    return Graph(
        graph.name,
        graph.caption,
        nodes,
        edges,
        graph.directed,
        graph.rankdir,
        {g: label for g, label in graph.groups.items() if g in kept_groups},
        " ".join(notes),
        full=graph,
        key=graph.key,
    )
