"""The handbook as its readers meet it: measured in Chromium at 1,366 and 390 px wide, in
the light and the dark scheme, on the default handbook and on a synthetic model of 8
stages, 40 teams and 500 activities.

What is measured is what a reader sees: no RACI table hides a column without keeping its
activity column and header in place and saying that it scrolls; no diagram's text is
drawn smaller than 11 px on a desktop or 9 px on a phone; a stage's own activities come
first; every activity a team is accountable for is linked on the first screen of its page;
a glossary term's definition opens, as text, inside the screen; axe finds nothing serious on
the pages that grow with the model.
Screenshots of every kind of page, at both sizes and in both schemes, go to
`test-output/screenshots/reading/` for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from ownbook.model.load import load_model
from ownbook.model.objects import Model
from ownbook.render import paths, views
from playwright.sync_api import Browser, Page

from benchmarks.synth import write_model
from tests.browsing import serve
from tests.conftest import ROOT, TODAY, make_project
from tests.test_build import ownbook

pytestmark = pytest.mark.slow

OUTPUT = Path(os.environ.get("OWNBOOK_TEST_OUTPUT") or ROOT / "test-output") / "screenshots"
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
SCHEMES = ("light", "dark")
MIN_TEXT = {"desktop": 11.0, "phone": 9.0}


class Site:
    def __init__(self, name: str, model: Model, base: str, folder: Path) -> None:
        self.name = name
        self.model = model
        self.base = base
        self.folder = folder  # the built site, served at `base`


def _build(root: Path, files: dict[str, str | bytes] | None, content: Path | None) -> Model:
    make_project(root, files if content is None else {})
    if content is not None:
        import shutil

        shutil.rmtree(root / "content")
        shutil.copytree(content, root / "content")
    proc = ownbook(root, "build", "--today", TODAY.isoformat())
    assert proc.returncode == 0, proc.stderr
    model = load_model(root / "content", today=TODAY).model
    assert model is not None
    return model


def _site(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp(name) / "p"
    content = write_model(
        tmp_path_factory.mktemp("synth") / "content", stages=8, teams=40, activities=500
    )
    model = _build(root, None, content)
    with serve(root / "site", search=False) as base:
        yield Site(name, model, base, root / "site")


@pytest.fixture(scope="module")
def default_site(default_handbook: Path) -> Iterator[Site]:
    model = load_model(default_handbook / "content", today=TODAY).model
    assert model is not None
    with serve(default_handbook / "site", search=False) as base:
        yield Site("default", model, base, default_handbook / "site")


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _site("synthetic", tmp_path_factory)


@pytest.fixture(params=["default", "synthetic"])
def site(request: pytest.FixtureRequest) -> Site:
    """Each model's site, built once for the module."""
    return request.getfixturevalue(f"{request.param}_site")


def _page(chromium: Browser, size: str, scheme: str) -> Page:
    width, height = SIZES[size]
    context = chromium.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,  # type: ignore[arg-type]
        is_mobile=size == "phone",
    )
    return context.new_page()


# Run in the page: every table, whether it hides part of itself, and whether it keeps its
# activity column and header in place and says that it scrolls.
_TABLES = """
() => Array.from(document.querySelectorAll("article table")).map(table => {
  const box = table.closest(".md-typeset__scrollwrap") || table.parentElement;
  const hides = box.scrollWidth > box.clientWidth + 2;
  const first = table.tBodies[0].rows[0].cells[0];
  const head = table.tHead.rows[0].cells[1];
  const cue = box.previousElementSibling;
  const cueShown = !!(cue && cue.classList.contains("ob-scroll-cue") && cue.offsetParent);
  return {
    hides,
    stickyColumn: getComputedStyle(first).position === "sticky",
    stickyHeader: getComputedStyle(head).position === "sticky",
    cue: cueShown,
    columns: table.tHead.rows[0].cells.length,
    raci: table.classList.contains("ob-raci"),
    first: table.tHead.rows[0].cells[0].textContent,
  };
})
"""

# Run in the page: the smallest text drawn in each diagram, in CSS pixels.
_DIAGRAM_TEXT = """
() => Array.from(document.querySelectorAll(".ob-diagram svg")).map(svg => {
  let smallest = Infinity;
  for (const text of svg.querySelectorAll("text")) {
    const size = parseFloat(text.getAttribute("font-size") || "14");
    const ctm = text.getScreenCTM();
    if (ctm) smallest = Math.min(smallest, size * Math.hypot(ctm.a, ctm.b));
  }
  return smallest;
})
"""


# Run in the page: focus each of the first glossary terms on the page, as a keyboard or a
# tap does, and measure where its definition is drawn (the `::after` box) and what it says.
_TERMS = """
(count) => Array.from(document.querySelectorAll("article .ob-term")).slice(0, count).map(t => {
  t.scrollIntoView({block: "center"});
  t.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
  t.focus();
  const tip = getComputedStyle(t, "::after");
  const line = t.getClientRects()[0];
  const fixed = tip.position === "fixed";
  const left = (fixed ? 0 : line.left) + parseFloat(tip.left);
  const top = (fixed ? 0 : line.top) + parseFloat(tip.top);
  const shown = {
    term: t.textContent,
    content: tip.content,
    definition: t.getAttribute("data-ob-def"),
    left, right: left + parseFloat(tip.width),
    top, bottom: top + parseFloat(tip.height),
    width: innerWidth, height: innerHeight,
  };
  t.blur();
  return shown;
})
"""


def _pages(site: Site) -> list[str]:
    m = site.model
    return [
        paths.HOME,
        paths.stage_page(m.lifecycle[0].id),
        paths.stage_page(m.lifecycle[-1].id),
        paths.activity_page(m.activities[0].id),
        paths.team_page(m.teams[0].id),
        paths.team_page(m.teams[-1].id),
        paths.TEAMS,
        paths.MATRIX,
        paths.FAQ,
        paths.GLOSSARY,
        paths.HEALTH,
        paths.CHANGES,
        paths.ABOUT,
    ]


def _url(site: Site, page: str) -> str:
    return site.base + page.removesuffix(".md") + ".html"


# What is read in each scheme: the layout is the same in both (only colours change), so the
# 500-activity model is measured in light only; the default handbook in both, and its
# screenshots are of every page kind at both sizes in both schemes.
VARIANTS = [
    (model, size, scheme)
    for model in ("default", "synthetic")
    for size in SIZES
    for scheme in (SCHEMES if model == "default" else ("light",))
]


def _check_terms(page: Page, rel: str, size: str) -> int:
    """The glossary terms of the page open their definition, as text, on the screen."""
    checked = 0
    for tip in page.evaluate(_TERMS, 4):
        checked += 1
        # CSS writes the attribute's text, quoted: the definition, never markup
        assert tip["content"].startswith('"') and len(tip["content"]) > 2, tip
        assert tip["content"].replace('\\"', '"')[1:-1] == tip["definition"], tip
        assert tip["left"] >= 0 and tip["right"] <= tip["width"] + 0.5, (rel, size, tip)
        assert tip["top"] >= 0 and tip["bottom"] <= tip["height"] + 0.5, (rel, size, tip)
    return checked


@pytest.mark.parametrize(("model", "size", "scheme"), VARIANTS, ids=["-".join(v) for v in VARIANTS])
def test_every_table_diagram_and_term_reads(
    chromium: Browser, request: pytest.FixtureRequest, model: str, size: str, scheme: str
) -> None:
    site: Site = request.getfixturevalue(f"{model}_site")
    page = _page(chromium, size, scheme)
    folder = OUTPUT / "reading"
    folder.mkdir(parents=True, exist_ok=True)
    hidden_columns = 0
    terms = 0
    for rel in _pages(site):
        page.goto(_url(site, rel), wait_until="load")
        for table in page.evaluate(_TABLES):
            if table["hides"]:
                hidden_columns += 1
                assert table["raci"], (rel, size, table)  # only a RACI grid may scroll
                assert table["stickyColumn"] and table["stickyHeader"], (rel, table)
                assert table["cue"], (rel, table)
        for smallest in page.evaluate(_DIAGRAM_TEXT):
            assert smallest >= MIN_TEXT[size] - 0.05, (rel, size, smallest)
        name = rel.removesuffix(".md").replace("/", "-")
        page.screenshot(path=str(folder / f"{site.name}-{name}-{size}-{scheme}.png"))
        found = _check_terms(page, rel, size)
        if found and not terms:  # a definition open, as a reader sees it
            term = page.locator("article .ob-term").first
            term.scroll_into_view_if_needed()
            term.focus()
            shot = folder / f"{site.name}-glossary-term-{size}-{scheme}.png"
            page.screenshot(path=str(shot))
        terms += found
    assert terms >= 3, terms
    if size == "phone":
        assert hidden_columns == 0  # a phone reads each table as a list
    page.context.close()


def test_a_stage_lists_its_own_activities_first(site: Site) -> None:
    """Order is in the page as served (no browser needed): every table row's activity."""
    m = site.model
    for stage in m.lifecycle:
        html = (site.folder / paths.stage_page(stage.id).replace(".md", ".html")).read_text()
        article = BeautifulSoup(html, "html.parser").find("article")
        assert isinstance(article, Tag)
        rows = [
            str(a["href"]).split("/")[-1].removesuffix(".html").removesuffix("_")
            for a in article.select("table tbody tr td:first-child a[href*='activities/']")
        ]
        shown = list(dict.fromkeys(rows))
        homes = [views.home_stage(m, m.activity_by_id[a]) == stage.id for a in shown]
        # Every activity of the stage, its own first: no own one after another stage's.
        assert set(shown) == {a.id for a in m.activities if stage.id in a.stages}
        assert homes == sorted(homes, reverse=True), stage.id


# The phone's first screen is the smaller one: the 500-activity model is read there only.
TEAM_PAGES = [("default", "desktop"), ("default", "phone"), ("synthetic", "phone")]


@pytest.mark.parametrize(("model", "size"), TEAM_PAGES, ids=["-".join(v) for v in TEAM_PAGES])
def test_what_a_team_owns_is_on_the_first_screen(
    chromium: Browser, request: pytest.FixtureRequest, model: str, size: str
) -> None:
    site: Site = request.getfixturevalue(f"{model}_site")
    page = _page(chromium, size, "light")
    m = site.model
    height = SIZES[size][1]
    # ten teams of the default handbook; five spread over the forty of the synthetic one
    teams = m.teams[:10] if site.name == "default" else m.teams[:: len(m.teams) // 5][:5]
    for team in teams:
        owned = {
            a.id
            for a in m.activities
            if a.raci.accountable and a.raci.accountable.split("/")[0] == team.id
        }
        page.goto(_url(site, paths.team_page(team.id)), wait_until="load")
        seen = page.evaluate(
            """(height) => Array.from(document.querySelectorAll("article a[href*='activities/']"))
                 .filter(a => { const r = a.getBoundingClientRect();
                   return r.bottom <= height && r.width > 0; })
                 .map(a => a.getAttribute("href").split("/").pop().replace(/_?\\.html$/, ""))""",
            height,
        )
        assert owned <= set(seen), (team.id, size, sorted(owned - set(seen)))
    page.context.close()


# axe on the 500-activity model, where diagrams and tables outgrow the page: the kinds of
# page whose diagrams and tables grow with the model, in dark (an activity or team page
# keeps its size, and the FAQ of 500 questions takes axe 25 s: their markup is the
# default handbook's, which test_browser checks in both schemes).
LARGE_PAGES = ["index", "stage", "matrix"]


@pytest.mark.parametrize("kind", LARGE_PAGES)
def test_no_serious_accessibility_violation_at_500_activities(
    chromium: Browser, synthetic_site: Site, kind: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    m = synthetic_site.model
    rel = {
        "index": paths.HOME,
        "stage": paths.stage_page(m.lifecycle[0].id),
        "matrix": paths.MATRIX,
    }[kind]
    page = _page(chromium, "desktop", "dark")
    page.goto(_url(synthetic_site, rel), wait_until="load")
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    page.context.close()
    assert serious == []
