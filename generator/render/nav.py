"""The site navigation, in MkDocs' `nav` format, built from the model's order.

Activities sit under their stage (or under "Across the lifecycle"), teams under their parent,
so each nav section stays small; with Material's `navigation.prune` the HTML of every page
carries only the open section, which keeps a build linear in the number of pages.
"""

from __future__ import annotations

import html
from typing import Any

from ..model import Model, Team
from . import paths, views


def _title(text: str) -> str:
    # MkDocs and Material print nav titles into HTML without escaping them.
    return html.escape(" ".join(text.split()), quote=True)


def site_name(model: Model) -> str:
    return _title(model.handbook.title)


def nav(model: Model) -> list[Any]:
    lifecycle: list[Any] = []
    for section in views.sections(model):
        items: list[Any] = []
        if section.stage is not None:
            items.append(paths.stage_page(section.stage.id))
        items += [paths.activity_page(a.id) for a in section.activities]
        lifecycle.append({_title(section.title): items})

    def team_entry(team: Team) -> Any:
        children = views.sub_teams(model, team.id)
        if not children:
            return paths.team_page(team.id)
        return {_title(team.name): [paths.team_page(team.id), *map(team_entry, children)]}

    roots = [t for t in model.teams if t.parent is None or t.parent not in model.team_by_id]
    return [
        {"Home": paths.HOME},
        {"Lifecycle": lifecycle},
        {"Teams": [paths.TEAMS, *(team_entry(t) for t in roots)]},
        {"RACI matrix": paths.MATRIX},
        {"FAQ": paths.FAQ},
        {"Glossary": paths.GLOSSARY},
        {"About": [paths.ABOUT, paths.CHANGES]},
    ]
