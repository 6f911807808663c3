"""The site navigation, in MkDocs' `nav` format, built from the model's order.

Activities sit under their stage (or under "Across the lifecycle"), teams under their parent,
so each nav section stays small; with Material's `navigation.prune` the HTML of every page
carries only the open section, which keeps a build linear in the number of pages.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from ..model.objects import Model, Team
from . import paths, views


def _title(text: str) -> str:
    # MkDocs and Material print nav titles into HTML without escaping them.
    return html.escape(" ".join(text.split()), quote=True)


def site_name(model: Model) -> str:
    return _title(model.handbook.title)


NAV_CHUNK = 40  # at most this many pages in one nav section


def chunked(entries: list[tuple[str, Any]]) -> list[Any]:
    """Nav entries, split into alphabetical sub-sections when there are too many for one.

    Material renders the open section of the nav into every page; bounding a section keeps
    the cost of a page independent of the size of the model.
    """
    if len(entries) <= NAV_CHUNK:
        return [entry for _, entry in entries]
    ordered = sorted(entries, key=lambda e: e[0].casefold())
    size = -(-len(ordered) // -(-len(ordered) // NAV_CHUNK))  # even chunks of <= NAV_CHUNK
    groups = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    out: list[Any] = []
    for group in groups:
        first, last = group[0][0], group[-1][0]
        title = _title(f"{first[:12]} … {last[:12]}")
        out.append({title: chunked(group)})
    return out


def in_order(entries: list[Any], label: Callable[[Any], str]) -> list[Any]:
    """Nav entries kept in their order, split into numbered runs when there are too many for
    one section (a lifecycle of hundreds of stages must not put every stage on every page)."""
    if len(entries) <= NAV_CHUNK:
        return entries
    size = -(-len(entries) // -(-len(entries) // NAV_CHUNK))
    out: list[Any] = []
    for i in range(0, len(entries), size):
        group = entries[i : i + size]
        title = _title(f"{label(group[0])[:12]} … {label(group[-1])[:12]}")
        out.append({title: in_order(group, label)})
    return out


def nav(model: Model) -> list[Any]:
    lifecycle: list[Any] = []
    for section in views.sections(model):
        items: list[Any] = []
        if section.stage is not None:
            items.append(paths.stage_page(section.stage.id))
        items += chunked([(a.name, paths.activity_page(a.id)) for a in section.activities])
        lifecycle.append({_title(section.title): items})
    names = {_title(s.title): s.title for s in views.sections(model)}
    lifecycle = in_order(lifecycle, lambda entry: names[next(iter(entry))])

    sub_teams = views.sub_teams(model)

    def team_entry(team: Team) -> tuple[str, Any]:
        children = sub_teams.get(team.id)
        if not children:
            return team.name, paths.team_page(team.id)
        inner = [paths.team_page(team.id), *chunked([team_entry(c) for c in children])]
        return team.name, {_title(team.name): inner}

    roots = [t for t in model.teams if t.parent is None or t.parent not in model.team_by_id]
    return [
        {"Home": paths.HOME},
        {"Lifecycle": lifecycle},
        {"Teams": [paths.TEAMS, *chunked([team_entry(t) for t in roots])]},
        {"RACI matrix": paths.MATRIX},
        {"FAQ": paths.FAQ},
        {"Glossary": paths.GLOSSARY},
        {"About": [paths.ABOUT, paths.HEALTH, paths.CHANGES]},
    ]
