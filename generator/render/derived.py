"""Views of the whole model that pages read by key: a stage's activities, a team's letters,
the FAQs that name an activity. Each is a module-level function of the render's sources and
its arguments, asked for through `Sources.view`, so the part that reads one records its
value, and the next render can make it again to compare (see `tracked.py`). They read the
raw model: what they return is what is recorded."""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import TYPE_CHECKING, Any

from ..model.objects import Activity, Faq, Team, Term
from . import graphs, views
from .fields import Glossary

if TYPE_CHECKING:
    from .svg import SvgResult
    from .tracked import Sources


def _members(src: Sources) -> dict[str, tuple[Activity, ...]]:
    m = src.raw
    return {s.id: tuple(views.stage_members(m, s.id)) for s in m.lifecycle}


def stage_members(src: Sources, stage_id: str) -> tuple[Activity, ...]:
    """The activities a stage page lists, in its order (see `views.stage_members`)."""
    return src.whole(_members).get(stage_id, ())


def _held(src: Sources) -> dict[str, list[views.Held]]:
    return views.letters_by_team(src.raw, src.per_object(views.held_in))


def held_by(src: Sources, team_id: str) -> tuple[views.Held, ...]:
    """Every letter a team holds (its roles' included), in model order."""
    return tuple(src.whole(_held).get(team_id, ()))


def _sections(src: Sources) -> list[views.Section]:
    return views.sections(src.raw)


def sections(src: Sources) -> tuple[views.Section, ...]:
    """The lifecycle's sections, each with the activities whose home it is."""
    return tuple(src.whole(_sections))


def _by_team(src: Sources) -> dict[str, list[Activity]]:
    out: dict[str, list[Activity]] = defaultdict(list)
    for s in src.whole(_sections):
        for a in s.activities:
            for team_id in dict.fromkeys(h[0] for h in src.per_object(views.held_in)(a)):
                out[team_id].append(a)
    return out


def team_activities(src: Sources, team_id: str) -> tuple[Activity, ...]:
    """The activities a team holds a letter in, in the handbook's (section) order."""
    return tuple(src.whole(_by_team).get(team_id, ()))


def decisions(src: Sources) -> tuple[Activity, ...]:
    """The model's decisions, in lifecycle order."""
    m = src.raw
    return tuple(views.lifecycle_sorted(m, (a for a in m.activities if a.kind == "decision")))


def _children(src: Sources) -> dict[str, list[Team]]:
    return views.sub_teams(src.raw)


def sub_teams(src: Sources, team_id: str) -> tuple[Team, ...]:
    return tuple(src.whole(_children).get(team_id, ()))


def _faqs(src: Sources) -> dict[tuple[str, str], list[Faq]]:
    out: dict[tuple[str, str], list[Faq]] = defaultdict(list)
    for f in src.raw.faqs:
        for kind, ids in (("stage", f.stages), ("team", f.teams), ("activity", f.activities)):
            for item in dict.fromkeys(ids):
                out[(kind, item)].append(f)
    return out


def faqs_for(src: Sources, kind: str, item_id: str) -> tuple[Faq, ...]:
    """The FAQs that name this stage, team or activity, in model order."""
    return tuple(src.whole(_faqs).get((kind, item_id), ()))


def _changes(src: Sources) -> dict[str, list[tuple[Any, tuple[str, ...]]]]:
    out: dict[str, list[tuple[Any, tuple[str, ...]]]] = defaultdict(list)
    history = src.raw_options.history
    for entry in history.entries if history is not None else ():
        if entry.changes is None:
            continue
        for change in entry.changes.changed:
            out[change.id].append((entry, tuple(change.sentences)))
        for ident, _name, facts in entry.changes.added:
            out[ident].append((entry, ("Added: " + "; ".join(facts) + ".",)))
    return out


def changes_of(
    src: Sources, activity_id: str, limit: int
) -> tuple[tuple[Any, tuple[str, ...]], ...]:
    """An activity's latest changes in the ownership history, newest first."""
    return tuple(src.whole(_changes).get(activity_id, ())[:limit])


def _collaboration(src: Sources) -> graphs.Collaboration:
    return graphs.Collaboration.of(src.raw, src.per_object(graphs.activity_pairs))


def collaboration(src: Sources, team_id: str) -> tuple[Any, ...]:
    """A team's entries of the collaboration index its diagram is drawn from."""
    return tuple(src.whole(_collaboration).by_team.get(team_id, ()))


def svg(src: Sources, path: str) -> SvgResult | None:
    """The SVG drawn from a page's diagram, when the diagrams were drawn."""
    drawn = src.diagrams.get(path)
    svgs = src.raw_options.svgs
    return svgs.get(drawn.dot) if drawn is not None and svgs is not None else None


def glossary(src: Sources) -> Glossary:
    """The glossary's terms and aliases, that Markdown fields mark: the same object while
    the glossary is the same, since the field cache knows a glossary by its identity."""
    terms = src.raw.glossary
    return src.lasting("glossary", terms, partial(_glossary, terms))


def _glossary(terms: tuple[Term, ...]) -> Glossary:
    return Glossary.of([((t.term, *t.aliases), t.definition) for t in terms])
