"""The handbook's pages: a pure function from a model to `{path: Markdown}`.

Templates live in `generator/templates`. Every `{{ value }}` in them is escaped as Markdown
text unless the value is already `Markup` (made by one of the escaping helpers), so a
template cannot forget to escape a model string.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    PackageLoader,
    StrictUndefined,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup

from .. import __version__
from ..model import health, rules
from ..model.objects import Activity, Letter, Located, Model, Team, join, party_name, split_party
from ..model.problems import Pos
from .svg import SvgResult

if TYPE_CHECKING:
    from ..history.log import HistoryEntry
from . import derived, escape, exports, fields, graphs, html, paths, views, words
from .changes import format_body
from .dot import edge_parts, to_dot
from .escape import (
    html_attr,
    html_id,
    html_text,
    inert,
    inert_url,
    md_text,
    meta_str,
    url_attr,
    url_dest,
)
from .fields import NO_GLOSSARY, md_block, md_list
from .graphs import Edge, Graph
from .memo import Memo, NoMemo
from .options import RenderOptions
from .tracked import Sources
from .words import (
    Here,
    ReviewStatus,
    external,
    letter_badge,
    who_owns_question,
)

# Pages of wide tables (stage pages, the matrix) take the nav's and the contents' columns.
WIDE = ("navigation", "toc")
RECENT_CHANGES = 5  # an activity page lists this many of its own changes
# A column per team while the columns fit a wide page (about 1,100 px at 1,366 px: the
# activity column and twelve teams); past that a table lists the parties by letter. A
# table that still scrolls keeps its activity column and header in place (ownbook.css).
STAGE_TABLE_MAX_TEAMS = 12
MATRIX_MAX_TEAMS = 12


@dataclass(frozen=True)
class Diagram:
    """One page's diagram: the graph (also listed as text under it) and its DOT source."""

    graph: Graph
    dot: str


def _prepare(model: Model, options: RenderOptions, memo: Memo) -> _Renderer:
    """The renderer of one model and every diagram of its handbook, by the page it is drawn
    on; kept in the memo the caller passes, so `diagram_sources` and `render_pages` of one
    build make them once."""
    settings = (options.today, options.source_root, options.directory_urls)
    last = memo.prepared
    if last is not None and last[0] is model and last[1] == settings:
        r: _Renderer = last[2]
        r.src.set_options(options)
        memo.sources = r.src
        return r
    src = Sources(model, options, tracked=memo.tracks, derive=memo.derived, lasting=memo.lasting)
    memo.sources = src
    r = _Renderer(src, memo)
    drawn = {paths.HOME: ("lifecycle", ""), paths.TEAMS: ("organisation", "")}
    drawn.update((paths.stage_page(s.id), ("stage", s.id)) for s in model.lifecycle)
    drawn.update((paths.team_page(t.id), ("team", t.id)) for t in model.teams)
    src.diagrams = {
        path: memo.get(("diagram", path), r.draw, path, kind, item)
        for path, (kind, item) in drawn.items()
    }
    memo.prepared = (model, settings, r)
    return r


def page_graphs(model: Model) -> list[tuple[str, Graph]]:
    """Every diagram of the handbook and the page it is drawn on."""
    drawn = _prepare(model, RenderOptions(), NoMemo()).src.diagrams
    return [(path, d.graph) for path, d in drawn.items()]


def diagram_sources(model: Model, options: RenderOptions, memo: Memo | None = None) -> list[str]:
    """The DOT source of every diagram, to be rendered before the pages are. Pass the same
    `memo` to `render_pages` (a `NoMemo()` for a one-off build) and the diagrams are made
    once."""
    drawn = _prepare(model, options, memo or NoMemo()).src.diagrams
    return [d.dot for d in drawn.values()]


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else md_text(value)


def _bytecode_cache(env: Environment) -> BytecodeCache | None:
    """Jinja's cache of compiled templates, in its own per-user folder (created 0700 and
    checked by Jinja): compiling the templates took 80 ms of every build. Compiled code
    depends on how each filter is called, not only on the template's text, so the cache's
    file names carry the version and the filters' calling conventions: another ownbook
    never reads this one's code. Without a usable temporary folder templates are simply
    compiled each time."""
    conventions = sorted(
        (name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in env.filters.items()
    )
    digest = hashlib.sha256(repr((__version__, conventions)).encode()).hexdigest()[:16]
    try:
        return FileSystemBytecodeCache(pattern=f"__ownbook_{digest}_%s.cache")
    except (OSError, RuntimeError):
        return None


_ENV = Environment(
    loader=PackageLoader("ownbook", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
    finalize=_finalize,
)


@pass_context
def _md(context: Context, value: object) -> Markup:
    """A Markdown field, with the glossary terms of the page being rendered marked."""
    return md_block(str(value), context.get("glossary", NO_GLOSSARY))


@pass_context
def _md_list(context: Context, items: Iterable[object]) -> Markup:
    return md_list((str(v) for v in items), context.get("glossary", NO_GLOSSARY))


_ENV.filters.update(
    md=_md,
    md_list=_md_list,
    html=html_text,
    dest=lambda v: Markup(url_dest(str(v))),
    href=lambda v: Markup(url_attr(str(v))),
)


def _date(day: dt.date | None) -> Markup:
    """A date that never breaks at its hyphens, machine-readable too."""
    if day is None:
        return Markup("never")
    text = day.isoformat()
    return Markup(f'<time class="ob-date" datetime="{text}">{text}</time>')


def _date_text(text: str) -> Markup:
    """A date already written YYYY-MM-DD (or a word such as 'unknown date'), unbroken."""
    try:
        return _date(dt.date.fromisoformat(text))
    except ValueError:
        return md_text(text)


def _prose(text: str) -> Markup:
    """ownbook's own sentences (not model text) with `code` marked as code."""
    parts = str(text).split("`")
    return Markup(
        "".join(
            f"<code>{inert(part, fold=False)}</code>" if i % 2 else inert(part, fold=False)
            for i, part in enumerate(parts)
        )
    )


_ENV.filters.update(prose=_prose)
_ENV.globals.update(
    date=_date,
    date_text=_date_text,
    badge=letter_badge,
    who_owns_question=who_owns_question,
    faq_anchor=lambda faq_id: html_id(paths.faq_anchor(faq_id)),
    who_owns_anchor=lambda activity_id: html_id(paths.who_owns_anchor(activity_id)),
    role_anchor=lambda role_id: html_id(paths.role_anchor(role_id)),
    activity_page=paths.activity_page,
    faq_page=paths.FAQ,
    matrix_page=paths.MATRIX,
)
_ENV.bytecode_cache = _bytecode_cache(_ENV)


def render_pages(
    model: Model, options: RenderOptions | None = None, memo: Memo | None = None
) -> dict[str, str]:
    """Every page of the handbook, as `{path under docs: Markdown}`, in a stable order.

    With a `memo` kept from the last render (`serve`), a page whose inputs did not change is
    taken from it: the result is the same either way.
    """
    memo = memo or NoMemo()
    r = _prepare(model, options or RenderOptions(), memo)
    get = memo.get
    pages = {paths.HOME: get(("page", paths.HOME), r.home)}
    for stage in model.lifecycle:
        path = paths.stage_page(stage.id)
        pages[path] = get(("page", path), r.stage, stage.id)
    for a in model.activities:
        path = paths.activity_page(a.id)
        pages[path] = get(("page", path), r.activity, a)
    for team in model.teams:
        path = paths.team_page(team.id)
        pages[path] = get(("page", path), r.team, team)
    pages[paths.TEAMS] = get(("page", paths.TEAMS), r.teams)
    pages[paths.MATRIX] = r.matrix()
    pages[paths.FAQ] = r.faq()
    pages[paths.GLOSSARY] = r.glossary()
    pages[paths.ABOUT] = r.about()
    pages[paths.HEALTH] = r.health()
    pages[paths.CHANGES] = r.changes()
    memo.keep_only(frozenset(pages), lambda slot: _live(slot, pages))
    return pages


def release_lookups() -> None:
    """Empty the renderer's lookup caches (links between pages, escaped names, converted
    fields, links opened): about 45 MB at 5,000 activities. A one-off build calls it once
    its pages are made, so MkDocs converts them in that memory; `serve` keeps them, since
    its next render asks for the same links and fields."""
    for cached in (paths.href, paths.rel, words._open_link, escape._folded, fields.field_html):
        cached.cache_clear()


def _live(slot: Any, pages: Mapping[str, str]) -> bool:
    """Whether a memo slot belongs to a page or an activity that still exists."""
    if not isinstance(slot, tuple) or len(slot) < 2:
        return True
    if slot[0] in ("page", "diagram"):
        return slot[1] in pages
    if slot[0] == "row":
        return slot[1] in pages and paths.activity_page(slot[2]) in pages
    if slot[0] == "who-owns":
        return paths.activity_page(slot[1]) in pages
    if slot[0] in ("health-load",):
        return paths.team_page(slot[1]) in pages
    return True


class _Renderer:
    """Makes each part of the handbook from the sources alone (its only state: the memo
    checks that nothing else can reach a part unrecorded)."""

    __slots__ = ("memo", "src")

    def __init__(self, src: Sources, memo: Memo) -> None:
        self.src = src
        self.memo = memo

    @property
    def model(self) -> Model:
        return self.src.model

    @property
    def options(self) -> RenderOptions:
        return self.src.options

    def file_href(self, here: str, target: str) -> str:
        """A link to a file that is not a page (a download), as the browser needs it."""
        return paths.file_href(here, target, directory_urls=self.options.directory_urls)

    def here(self, path: str) -> Here:
        return Here(self.model, path, self.options.directory_urls)

    def per_section(
        self, kind: str, make: Callable[[views.Section], Markup]
    ) -> list[tuple[views.Section, Markup]]:
        """Each section that has activities, with its part of a whole-model page, made or
        kept from the memo."""
        return [
            (s, self.memo.get((kind, s.id), make, s))
            for s in self.src.view(derived.sections)
            if s.activities
        ]

    def draw(self, path: str, kind: str, item_id: str) -> Diagram:
        """The diagram drawn on a page, and its DOT source."""
        m, view = self.model, self.src.view
        if kind == "lifecycle":
            graph = graphs.lifecycle_graph(m)
        elif kind == "organisation":
            graph = graphs.org_graph(m)
        elif kind == "stage":
            graph = graphs.stage_graph(m, item_id, view(derived.stage_members, item_id))
        else:
            entries = list(view(derived.collaboration, item_id))
            graph = graphs.team_graph(m, item_id, graphs.Collaboration({item_id: entries}))
        return Diagram(graph, to_dot(graph, path, directory_urls=self.options.directory_urls))

    def svg_result(self, path: str) -> SvgResult | None:
        return self.src.view(derived.svg, path)

    def page(
        self,
        template: str,
        path: str,
        title: str | None,
        *,
        hide: tuple[str, ...] = (),
        **context: Any,
    ) -> str:
        """Front matter (the page title, hidden columns, the edit button's target) and the
        rendered template body. Without a title the theme names the page after the site (the
        home page: not the site name twice)."""
        context.setdefault("edit_target", None)
        if "glossary" not in context:
            context["glossary"] = self.src.view(derived.glossary)
        drawn: Diagram | None = self.src.diagram(path)
        body = _ENV.get_template(template).render(
            here=self.here(path),
            source=self.source_line,
            diagram=self.diagram(drawn, path) if drawn else Markup(""),
            **context,
        )
        meta = []
        if title is not None:
            meta.append(f"title: {meta_str(title)}")
        if hide:
            # A page of wide tables gives the columns of the nav and the contents to them
            # (the breadcrumbs above the title still place it).
            meta.append("hide:" + "".join(f"\n  - {column}" for column in hide))
        target = context["edit_target"]
        url = self.edit_url(target.pos) if target is not None and target.pos.line > 0 else None
        if url is not None:
            # The theme's edit button (the pencil) opens the YAML line this page comes from;
            # the plugin hands it to MkDocs, a theme override to Zensical.
            meta.append(f"{paths.EDIT_URL_KEY}: {json.dumps(inert_url(url))}")
        if not meta:
            return body
        return "---\n" + "\n".join(meta) + f"\n---\n\n{body}"

    # diagrams ----------------------------------------------------------------------

    def diagram(self, drawn: Diagram, path: str) -> Markup:
        """The SVG inlined (so node links work and CSS can theme it), a note when it was
        summarised, and the same graph as text for screen readers and search."""
        graph, dot = drawn.graph, drawn.dot
        result = self.svg_result(path)
        parts: list[str] = []
        if result is not None and result.svg is not None:
            label = html_attr(graph.caption)
            # Its natural width, so the CSS can keep its text legible: never shrunk below
            # about 11 px on a desktop (9 px on a phone; it scrolls instead), never blown
            # up past 1.25 times.
            width = natural_width(result.svg)
            size = f' style="--ob-w: {width}px"' if width else ""
            parts.append(
                f'<div class="ob-diagram" role="img" aria-label="{label}"{size}>\n'
                f"{result.svg}\n</div>"
            )
        else:
            reason = result.error if result is not None else "diagrams were not rendered"
            parts.append(
                f'!!! warning "Diagram not drawn"\n    {md_text(reason)}\n\n'
                f"```dot\n{dot.strip()}\n```"
            )
        notes = [graph.key, graph.note or ""]
        parts.append(f'<p class="ob-diagram-note">{html_text(" ".join(n for n in notes if n))}</p>')
        here = self.here(path)
        full = graph.complete
        sentences = [self.edge_sentence(here, full, e) for e in full.edges]
        if not full.edges:
            sentences.append(md_text(", ".join(n.label for n in full.nodes)))
        listed = Markup(f"{html.p(md_text(graph.caption) + ':')}\n{html.ul(sentences)}")
        parts.append(html.details("note", "The diagram as text", listed))
        return Markup("\n\n".join(parts) + "\n")

    def edge_sentence(self, here: Here, graph: Graph, edge: Edge) -> Markup:
        def node(node_id: str) -> str:
            n = graph.node(node_id)
            return str(here.link(n.label, n.page) if n.page else md_text(n.label))

        middle, tail = edge_parts(edge)
        words = [node(edge.source), str(md_text(middle)), node(edge.target), str(md_text(tail))]
        return Markup(" ".join(w for w in words if w))

    # edit links --------------------------------------------------------------------

    def source_path(self, pos: Pos) -> str:
        root = self.options.source_root
        if root is not None and os.path.isabs(pos.file):
            return os.path.relpath(pos.file, root).replace(os.sep, "/")
        return pos.file

    def edit_url(self, pos: Pos) -> str | None:
        """The repository's edit page at a model line, when `repo_url` is set."""
        hb = self.model.handbook
        if not hb.repo_url:
            return None
        branch, file = quote(hb.edit_branch, safe="/"), quote(self.source_path(pos), safe="/")
        return f"{hb.repo_url.rstrip('/')}/edit/{branch}/{file}#L{pos.line}"

    def source_line(self, obj: Located | None) -> Markup:
        """'Source: file, line N', linked to the repository when `repo_url` is set."""
        if obj is None or obj.pos.line <= 0:
            return Markup("")
        label = md_text(f"{self.source_path(obj.pos)}, line {obj.pos.line}")
        url = self.edit_url(obj.pos)
        if url:
            text = f"Edit this: {external(label, url)}"
            return Markup(f'\n<p><small class="ob-source">{text}</small></p>\n')
        return Markup(f'\n<p><small class="ob-source">Source: {label}</small></p>\n')

    def source_link(self, pos: Pos) -> Markup:
        """`file:line`, linked to its edit page when `repo_url` is set (for tables)."""
        label = md_text(f"{self.source_path(pos)}:{pos.line}")
        url = self.edit_url(pos)
        return external(label, url) if url else label

    # pages -------------------------------------------------------------------------

    @staticmethod
    def accountable(here: Here, a: Activity) -> Markup:
        """The party accountable for an activity (every checked model names one)."""
        return here.party(a.raci.accountable) if a.raci.accountable else Markup("nobody")

    def team_list(self, path: str) -> Markup:
        """Every team under its parent, with its lead: a nested list as finished HTML."""
        here = self.here(path)
        return html.tree(
            (
                Markup(f"{here.team(t)} (lead: {md_text(t.lead)})" if t.lead else here.team(t)),
                depth,
            )
            for t, depth in views.team_tree(self.model)
        )

    def home(self) -> str:
        m = self.model
        here = self.here(paths.HOME)
        decisions = self.src.view(derived.decisions)
        return self.page(
            "home.md.j2",
            paths.HOME,
            None,
            hb=m.handbook,
            lifecycle=m.lifecycle,
            teams=self.team_list(paths.HOME),
            # Every decision of the model: finished HTML (see `html`), or nothing.
            decisions=html.ul(
                Markup(f"{here.activity(a)}: decided by {self.accountable(here, a)}")
                for a in decisions
            )
            if decisions
            else Markup(""),
            edit_target=m.handbook,
        )

    def stage(self, stage_id: str) -> str:
        m = self.model
        stage = m.stage_by_id[stage_id]
        path = paths.stage_page(stage_id)
        prev, nxt = views.neighbours(m, stage_id)
        activities = self.src.view(derived.stage_members, stage_id)
        teams = views.teams_involved(m, activities)
        if len(teams) <= STAGE_TABLE_MAX_TEAMS:
            table = (
                self.raci_table(path, activities, teams, show_stages=True)
                if activities
                else Markup("")
            )
        else:
            table = self.letter_table(path, activities)
        return self.page(
            "stage.md.j2",
            path,
            stage.name,
            hide=WIDE,
            stage=stage,
            prev=prev,
            next=nxt,
            looped=nxt is not None and m.lifecycle and nxt.id == m.lifecycle[0].id,
            table=table,
            faqs=self.src.view(derived.faqs_for, "stage", stage_id),
            edit_target=stage,
        )

    def raci_table(
        self,
        path: str,
        activities: list[Activity] | tuple[Activity, ...],
        teams: list[Team] | None = None,
        *,
        show_stages: bool = False,
        markers: bool = False,
    ) -> Markup:
        """Activity rows x team columns, each cell the letters the team holds (roles included)."""
        here = self.here(path)
        teams = teams if teams is not None else views.teams_involved(self.model, activities)
        columns = tuple(teams)
        centered = (False,) + (True,) * len(columns)
        rows = [
            self.memo.get(
                ("row", path, a.id, "raci"),
                self.raci_row,
                path,
                a,
                columns,
                show_stages,
                markers,
            )
            for a in activities
        ]
        head = [Markup("Activity"), *(here.team(t) for t in teams)]
        return html.table(head, rows, centered)

    def raci_row(
        self, path: str, a: Activity, columns: tuple[Team, ...], show_stages: bool, markers: bool
    ) -> str:
        """One activity's row of a table whose columns are teams."""
        here = self.here(path)
        cells: list[object] = []
        for t in columns:
            letters = views.cell_letters(a, t.id)
            cells.append(
                Markup(
                    " ".join(
                        str(letter_badge(letter, self.role_name(t, role_id)))
                        for letter, role_id in letters
                    )
                )
            )
        notes = ["decision"] if a.kind == "decision" else []
        if show_stages and len(a.stages) > 1:
            notes.append(", ".join(self.model.stage_by_id[s].name for s in a.stages))
        note = f" <small>({md_text('; '.join(notes))})</small>" if notes else ""
        marker = row_marker(a) if markers else ""
        centered = (False,) + (True,) * len(columns)
        return html.row([Markup(f"{marker}{here.activity(a)}{note}"), *cells], centered)

    def letter_table(self, path: str, activities: Sequence[Activity]) -> Markup:
        """Activity rows x letter columns: the shape that stays readable when more teams
        take part than a table has room for columns."""
        head = [Markup("Activity")] + [
            Markup(str(letter_badge(letter)) + " " + letter.label) for letter in Letter.by_weight()
        ]
        rows = [
            self.memo.get(("row", path, a.id, "letters"), self.letter_row, path, a)
            for a in activities
        ]
        note = (
            f"{len(views.teams_involved(self.model, activities))} teams take part here, too "
            "many for a column each: each row names the parties by letter."
        )
        return Markup(f"{html.p(note)}\n\n{html.table(head, rows)}")

    def letter_row(self, path: str, a: Activity) -> str:
        """One activity's row that names each party under its letter."""
        here = self.here(path)
        cells = [
            Markup(", ".join(str(md_text(party_name(self.model, p))) for p in a.raci.parties(x)))
            for x in Letter.by_weight()
        ]
        return html.row([Markup(f"{row_marker(a)}{here.activity(a)}"), *cells])

    @staticmethod
    def role_name(team: Team, role_id: str | None) -> str | None:
        if role_id is None:
            return None
        role = team.role(role_id)
        return role.name if role else role_id

    def activity(self, a: Activity) -> str:
        m = self.model
        rows = [(letter, a.raci.parties(letter)) for letter in Letter.by_weight()]
        return self.page(
            "activity.md.j2",
            paths.activity_page(a.id),
            a.name,
            a=a,
            kind_label="Decision" if a.kind == "decision" else "Activity",
            raci_rows=rows,
            ask=self.where_to_ask(a),
            changes=self.src.view(derived.changes_of, a.id, RECENT_CHANGES),
            credit=lambda entry: self.change_credit(entry),
            changes_page=paths.CHANGES,
            review=ReviewStatus.of(m, a, self.options.today),
            faqs=self.src.view(derived.faqs_for, "activity", a.id),
            edit_target=a,
        )

    def team(self, team: Team) -> str:
        m = self.model
        path = paths.team_page(team.id)
        here = self.here(path)
        held = self.src.view(derived.held_by, team.id)
        activities = self.src.view(derived.team_activities, team.id)
        # Each activity once, under the strongest letter the team holds in it: what it owns
        # (A), what it does (R), then folded, what it is consulted on (C) or told of (I).
        groups: dict[Letter, list[Markup]] = {letter: [] for letter in Letter.by_weight()}
        for a in activities:
            letters = views.cell_letters(a, team.id)
            strongest = min(letters, key=lambda x: x[0].weight)[0]
            groups[strongest].append(self.holding_line(here, team, a, letters))
        reading = []
        for stage in m.lifecycle:
            n = sum(1 for h in held if stage.id in h.activity.stages)
            if n:
                reading.append((stage, n))
        facts = [("Lead", md_text(team.lead))] if team.lead else []
        facts += here.contact(team)
        if team.github:
            facts.append(("GitHub", md_text(team.github)))
        parent = m.team_by_id.get(team.parent) if team.parent else None
        if parent is not None:
            facts.append(("Part of", here.team(parent)))
        children = self.src.view(derived.sub_teams, team.id)
        if children:
            facts.append(("Sub-teams", here.teams(children)))
        return self.page(
            "team.md.j2",
            path,
            team.name,
            hide=("toc",),
            team=team,
            facts=Markup(
                " · ".join(f"<strong>{label}:</strong> {value}" for label, value in facts)
            ),
            owns=groups[Letter.ACCOUNTABLE],
            does=groups[Letter.RESPONSIBLE],
            consulted=groups[Letter.CONSULTED],
            informed=groups[Letter.INFORMED],
            reading=reading,
            faqs=self.src.view(derived.faqs_for, "team", team.id),
            edit_target=team,
        )

    def where_to_ask(self, a: Activity) -> Markup:
        """How to reach the accountable team (its channel, e-mail, web page), or nothing."""
        accountable = a.raci.accountable
        if accountable is None:
            return Markup("")
        team = self.model.team_by_id[split_party(accountable)[0]]
        here = self.here(paths.activity_page(a.id))
        return Markup(", ".join(str(value) for _, value in here.contact(team)))

    def holding_line(
        self, here: Here, team: Team, a: Activity, letters: list[tuple[Letter, str | None]]
    ) -> Markup:
        """One activity on a team page, as one list item of raw HTML: its link, then in small
        type its stages and every letter the team holds in it with the role that holds it
        (named, not only in a tooltip). The letter the list is headed by goes unsaid."""
        by_letter: dict[Letter, list[str | None]] = {}
        for letter, role_id in letters:
            by_letter.setdefault(letter, []).append(self.role_name(team, role_id))
        heading = min(by_letter, key=lambda letter: letter.weight)
        phrases = []
        for letter, roles in by_letter.items():
            named = [r for r in roles if r is not None]
            phrase = "" if letter == heading else "also " + letter.value
            if named:
                phrase += (" (and" if None in roles else "") + " as " + join(named)
                phrase += ")" if None in roles else ""
            if phrase:
                phrases.append(phrase.strip())
        names = [self.model.stage_by_id[s].name for s in a.stages]
        stages = names[0] + (f" + {len(names) - 1} more" if len(names) > 1 else "")
        kind = "decision · " if a.kind == "decision" else ""
        detail = kind + stages + "".join(f" · {p}" for p in phrases)
        link = paths.href(
            here.path, paths.activity_page(a.id), directory_urls=self.options.directory_urls
        )
        return Markup(
            f'<li><a href="{html_attr(link)}">{html_text(a.name)}</a> '
            f"<small>{html_text(detail)}</small></li>"
        )

    def teams(self) -> str:
        return self.page("teams.md.j2", paths.TEAMS, "Teams", teams=self.team_list(paths.TEAMS))

    def matrix(self) -> str:
        m = self.model
        totals = []
        for team in m.teams:
            counts = Counter(h.letter for h in self.src.view(derived.held_by, team.id))
            totals.append((team, {letter: counts[letter] for letter in Letter.by_weight()}))
        tables = self.per_section("matrix", self.matrix_table)
        legend = Markup(
            " ".join(f"{letter_badge(x)} {x.label}" for x in Letter.by_weight())
            + ". A letter held through a role names the role beside it."
        )
        downloads = Markup(
            ", ".join(
                f'<a href="{url_attr(self.file_href(paths.MATRIX, target))}">{name}</a> ({what})'
                for name, target, what in (
                    ("raci.csv", exports.RACI_CSV, "one row per activity, party and letter"),
                    ("raci-matrix.csv", exports.MATRIX_CSV, "the matrix as a table"),
                    ("raci.xlsx", exports.RACI_XLSX, "the matrix and a sheet per stage"),
                    ("model.json", exports.MODEL_JSON, "the whole model"),
                )
            )
        )
        return self.page(
            "matrix.md.j2",
            paths.MATRIX,
            "RACI matrix",
            hide=WIDE,
            tables=tables,
            totals=totals,
            letters=tuple(Letter),  # the totals' columns, in the model's order: R, A, C, I
            legend=legend,
            downloads=downloads,
            filters=matrix_filters(m),
        )

    def matrix_table(self, s: views.Section) -> Markup:
        """One section's table of the matrix: a column per team while they fit."""
        m = self.model
        if len(m.teams) <= MATRIX_MAX_TEAMS:
            return self.raci_table(
                paths.MATRIX, s.activities, list(m.teams), show_stages=True, markers=True
            )
        return self.letter_table(paths.MATRIX, s.activities)

    def health(self) -> str:
        m = self.model
        report = health.assess(m, self.options.today)
        here = self.here(paths.HEALTH)

        def subject(f: health.Finding) -> Markup:
            if f.subject == "activity":
                return here.activity(m.activity_by_id[f.subject_id])
            if f.subject == "team":
                return here.team(m.team_by_id[f.subject_id])
            return here.stage(m.stage_by_id[f.subject_id])

        def accountable(a: Activity) -> Markup:
            return self.accountable(here, a)

        activity_rank = {a.id: i for i, a in enumerate(views.lifecycle_sorted(m, m.activities))}
        team_rank = {t.id: i for i, t in enumerate(m.teams)}

        def ordered(findings: list[health.Finding]) -> list[health.Finding]:
            """Findings in the handbook's order: activities and stages by the lifecycle."""
            ranks = {"activity": activity_rank, "team": team_rank, "stage": m.stage_order}
            return sorted(findings, key=lambda f: ranks[f.subject].get(f.subject_id, 0))

        # The tables are finished HTML (see `html`): as Markdown tables their conversion was
        # most of a rebuild's Markdown time at 2,000 activities.
        def finding_table(kind: str, findings: list[health.Finding]) -> Markup:
            if kind not in health.REVIEW_KINDS:
                rows = (
                    html.row([subject(f), f.message, self.source_link(f.pos)])
                    for f in ordered(findings)
                )
                return html.table(["", "Finding", "Change it in"], rows)
            head = ["Activity", "Accountable", "Last confirmed", "Was due", "Change it in"]
            return html.table(head, (review_row(f) for f in ordered(findings)))

        def review_row(f: health.Finding) -> str:
            a = m.activity_by_id[f.subject_id]
            r = rules.review(m, a, self.options.today)
            due = (
                Markup(f"{_date(r.due)} ({md_text(r.days)} days ago)")
                if r.due
                else "never reviewed"
            )
            return html.row(
                [subject(f), accountable(a), _date(a.reviewed), due, self.source_link(f.pos)]
            )

        def kinds(review: bool) -> list[tuple[str, str, Markup]]:
            """(heading, what to do, table) of each kind of finding found, risks or reviews."""
            return [
                (*health.KINDS[kind], finding_table(kind, findings))
                for kind, findings in report.by_kind()
                if (kind in health.REVIEW_KINDS) == review
            ]

        due_soon = html.table(
            ["Activity", "Accountable", "Due"],
            (
                html.row([here.activity(r.activity), accountable(r.activity), _date(r.due)])
                for r in report.due_soon
            ),
        )

        # {team id: activities it is accountable for}, for the teams over the limit
        overloaded = {t.id: n for t, n, _ in rules.overloaded_teams(m)}
        load_centered = (False,) * (1 + len(m.lifecycle)) + (True,)
        load = [
            self.memo.get(
                ("health-load", team.id),
                self.load_row,
                team,
                [report.load[team.id][s.id] for s in m.lifecycle],
                overloaded.get(team.id),
            )
            for team in m.teams
        ]
        load_head = [Markup("Team"), *(here.stage(s) for s in m.lifecycle), Markup("All letters")]
        return self.page(
            "health.md.j2",
            paths.HEALTH,
            "Ownership health",
            report=report,
            model=m,
            risk_tables=kinds(review=False),
            review_tables=kinds(review=True),
            due_soon=due_soon,
            max_responsible=health.MAX_RESPONSIBLE,
            max_listed=health.MAX_LISTED,
            due_soon_days=health.DUE_SOON_DAYS,
            today=self.options.today,
            load=html.table(load_head, load, load_centered),
        )

    def load_row(self, team: Team, cells: list[Counter[str]], over: int | None) -> str:
        """A team's row of the Health load table: its letters per stage, and all of them."""
        here = self.here(paths.HEALTH)
        limit = self.model.handbook.max_accountable_per_team
        total = sum((sum(c.values()) for c in cells), 0)
        flag = ""
        if over is not None:
            flag = f' <span class="ob-flag">over the limit: A for {over}, limit {limit}</span>'
        shown = [health.letter_counts(c, wide=True) for c in cells]
        # Only the last column (the total) is centred.
        centered = (False,) * (1 + len(cells)) + (True,)
        return html.row([Markup(f"{here.team(team)}{flag}"), *shown, total], centered)

    def faq_answers(self, s: views.Section) -> Markup:
        """One section's "Who owns ...?" answers, each made or kept on its own."""
        return Markup(
            "".join(self.memo.get(("who-owns", a.id), self.who_owns, a) for a in s.activities)
        )

    def who_owns(self, a: Activity) -> str:
        here = self.here(paths.FAQ)
        return _ENV.get_template("faq-who.md.j2").render(here=here, activities=(a,))

    def faq(self) -> str:
        sections = self.per_section("faq", self.faq_answers)
        groups = views.faq_groups(self.model)
        return self.page(
            "faq.md.j2",
            paths.FAQ,
            "Frequently asked questions",
            groups=groups,
            sections=sections,
            # The edit button opens the first question shown (its file holds the others).
            edit_target=next((f for _, faqs in groups for f in faqs), None),
        )

    def glossary(self) -> str:
        entries = []
        used: set[str] = set()
        for term in sorted(self.model.glossary, key=lambda t: t.term.casefold()):
            anchors = []
            for name in (term.term, *term.aliases):
                anchor = _unique(paths.term_anchor(name), used)
                anchors.append(html_id(anchor))
            entries.append(_GlossaryEntry(term, anchors))
        return self.page(
            "glossary.md.j2",
            paths.GLOSSARY,
            "Glossary",
            entries=entries,
            glossary=NO_GLOSSARY,
            edit_target=entries[0].term if entries else None,
        )

    def changes(self) -> str:
        return self.page(
            "changes.md.j2",
            paths.CHANGES,
            "Ownership changes",
            history=self.options.history,
            heading=lambda entry: self.change_heading(entry),
            credit=lambda entry: self.change_credit(entry),
            body=lambda changes: Markup(format_body(changes, level=3)),
        )

    def change_heading(self, entry: HistoryEntry) -> Markup:
        """'2026-11-20: Approve messaging changes, Run demos and 2 more': when, and what."""
        names = [name for _, name in entry.touched()]
        if not names:
            what = "teams, stages and other content" if entry.changes else "the model"
        else:
            shown = names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
            what = join(shown)
        return Markup(f"{_date_text(entry.date)}: {md_text(what)}")

    def change_credit(self, entry: HistoryEntry) -> Markup:
        """The commit's subject, author, and links to the commit and its pull request."""
        repo = self.model.handbook.repo_url
        short = entry.sha[:10]
        base = repo.rstrip("/") if repo else None
        commit = (
            external(f"commit {short}", f"{base}/commit/{entry.sha}")
            if base
            else md_text(f"commit {short}")
        )
        parts = [f"“{md_text(entry.subject)}”, {commit}"]
        if entry.author:
            parts.append(f"by {md_text(entry.author)}")
        if entry.pull is not None:
            label = md_text(f"pull request #{entry.pull}")
            parts.append(
                f"from {external(label, f'{base}/pull/{entry.pull}')}" if base else f"from {label}"
            )
        return Markup(" ".join(parts))

    def about(self) -> str:
        m = self.model
        counts = (
            f"{len(m.stages)} stages, {len(m.teams)} teams, {len(m.activities)} activities "
            f"and decisions, {len(m.faqs)} questions and {len(m.glossary)} glossary terms"
        )
        files = [self.source_path(Pos(f)) for f in m.files]
        repo = m.handbook.repo_url
        return self.page(
            "about.md.j2",
            paths.ABOUT,
            "About this handbook",
            counts=counts,
            files=files,
            repo=Markup(f"[{md_text(repo)}]({url_dest(repo)})") if repo else None,
        )


@dataclass(frozen=True)
class _GlossaryEntry:
    term: Any
    anchors: list[Markup]


def natural_width(svg: str) -> int | None:
    """The width of a cleaned SVG at its natural size, in CSS pixels (Graphviz writes its
    viewBox in points)."""
    start = svg.find('viewBox="')
    if start < 0:
        return None
    parts = svg[start + 9 : svg.find('"', start + 9)].split()
    try:
        return round(float(parts[2]) * 4 / 3)
    except (IndexError, ValueError):
        return None


def row_marker(a: Activity) -> Markup:
    """An empty element in a matrix row that tells the matrix script what the row holds
    (its stages and each party's letters), whatever the table's layout."""
    held = " ".join(f"{party}:{letter[0].upper()}" for letter, party, _ in a.raci.letters)
    return Markup(
        f'<span class="ob-row" data-activity="{html_attr(a.id)}" '
        f'data-stages="{html_attr(" ".join(a.stages))}" data-held="{html_attr(held)}"></span>'
    )


def matrix_filters(model: Model) -> Markup:
    """The place the matrix script puts its controls, with the teams and stages to offer.
    Empty without JavaScript: the tables below read as they are."""
    teams = [[t.id, t.name] for t in model.teams]
    stages = [[s.id, s.name] for s in model.lifecycle]
    return Markup(
        f'<div id="ob-matrix-filters" class="ob-matrix-filters" '
        f'data-teams="{html_attr(json.dumps(teams))}" '
        f'data-stages="{html_attr(json.dumps(stages))}"></div>'
    )


def _unique(anchor: str, used: set[str]) -> str:
    candidate, n = anchor, 2
    while candidate in used:
        candidate = f"{anchor}-{n}"
        n += 1
    used.add(candidate)
    return candidate
