"""The default handbook in a real browser: Chromium driven by Playwright, as a reader uses it.

The site is built once from `content/` and served over HTTP on localhost. Screenshots of
the home, a stage page and the matrix go to `test-output/screenshots/` (or
`$OWNBOOK_TEST_OUTPUT/screenshots/`) for a reviewer to look at.

The browser is Debian's `chromium` (`make test` installs it). Without it these tests fail
and say how to install it: they never pass by not running.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from ownbook.model.load import load_model
from ownbook.model.objects import Model, split_party
from playwright.sync_api import Browser, Page

from tests.browsing import serve
from tests.conftest import ROOT, TODAY, make_project
from tests.test_build import ownbook

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("OWNBOOK_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(os.environ.get("OWNBOOK_TEST_OUTPUT") or ROOT / "test-output")
# The flags a headless Chromium needs in a container with no network beyond localhost.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def model() -> Model:
    checked = load_model(ROOT / "content", today=TODAY)
    assert checked.model is not None
    return checked.model


@pytest.fixture(scope="module")
def served(default_handbook: Path) -> Iterator[tuple[str, Path]]:
    """The default handbook, built and served: (base URL, site folder). Served as
    tests/browsing.py serves a site: the theme's assets may be cached by the browser, so
    a context that reads page after page (test_no_console_error_on_any_page) does not
    fetch them for every page; pages and the search index are fetched each time."""
    with serve(default_handbook / "site") as base:
        yield base, default_handbook / "site"


@pytest.fixture(scope="module")
def base_url(served: tuple[str, Path]) -> str:
    return served[0]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser(chromium: Browser) -> Browser:
    """The run's one Chromium (a second Playwright in the same worker cannot start)."""
    return chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 5_000


def visible_matrix_rows(page: Page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "article table tbody tr",
            "rows => rows.filter(r => !r.hidden && r.offsetParent !== null)"
            ".map(r => r.querySelector('.ob-row')).filter(Boolean)"
            ".map(m => m.dataset.activity)",
        )
    )


def held_by(model: Model, team: str, letter: str) -> set[str]:
    """Activities in which `team` (itself or one of its roles) holds `letter`."""
    return {
        a.id
        for a in model.activities
        for held, party, _ in a.raci.letters
        if split_party(party)[0] == team and held[0].upper() == letter
    }


def test_search_finds_the_activity_and_opens_it(page: Page, base_url: str, model: Model) -> None:
    activity = next(a for a in model.activities if "positioning" in a.name.lower())
    page.goto(base_url + "index.html")
    screenshot(page, "home")
    page.locator("input.md-search__input").click()  # a reader clicks into the search box
    page.keyboard.type("positioning")
    link = page.locator(f".md-search-result__item a[href*='activities/{activity.id}.html']").first
    link.wait_for(timeout=15000)
    link.click()
    page.wait_for_url(f"**/activities/{activity.id}.html*")
    assert page.locator("article h1").inner_text().rstrip("¶").strip() == activity.name


def test_matrix_filters_by_team_and_letter(page: Page, base_url: str, model: Model) -> None:
    page.goto(base_url + "matrix.html")
    everything = {a.id for a in model.activities}
    assert visible_matrix_rows(page) == everything
    assert page.locator(".ob-filter-status").inner_text() == (
        f"Showing all {len(everything)} activities."
    )
    screenshot(page, "matrix")

    page.select_option("#ob-filter-team", "sales")
    sales = {
        a.id for a in model.activities for p in a.raci.letters if p[1].split("/")[0] == "sales"
    }
    assert visible_matrix_rows(page) == sales
    page.check("#ob-filter-letter-A")
    want = held_by(model, "sales", "A")
    assert want and visible_matrix_rows(page) == want
    # Only the chosen team's column stays.
    headers = page.eval_on_selector_all(
        "article table:has(.ob-row) thead th",
        "ths => ths.filter(t => !t.hidden).map(t => t.innerText.trim())",
    )
    assert {h.replace("↕", "").strip() for h in headers} == {"Activity", "Sales"}

    query = parse_qs(urlparse(page.url).query)
    assert query == {"team": ["sales"], "letter": ["A"]}
    shared = page.context.new_page()
    shared.goto(page.url)
    assert visible_matrix_rows(shared) == want
    assert shared.locator("#ob-filter-team").input_value() == "sales"
    assert shared.locator("#ob-filter-letter-A").is_checked()

    shared.check("#ob-filter-letter-C")
    assert visible_matrix_rows(shared) == want | held_by(model, "sales", "C")
    assert parse_qs(urlparse(shared.url).query)["letter"] == ["AC"]


def test_matrix_stage_text_sort_and_collapse(page: Page, base_url: str, model: Model) -> None:
    stage = model.lifecycle[1]
    page.goto(base_url + f"matrix.html?stage={stage.id}")
    in_stage = {a.id for a in model.activities if stage.id in a.stages}
    assert visible_matrix_rows(page) == in_stage

    page.goto(base_url + "matrix.html?q=pricing")
    want = {a.id for a in model.activities if "pricing" in a.name.lower()}
    assert want and visible_matrix_rows(page) == want

    page.goto(base_url + "matrix.html")
    first_table = page.locator("article table:has(.ob-row)").first
    first_table.locator("thead th").first.locator("button.ob-sort").click()
    names = first_table.locator("tbody tr td:first-child a").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    first_table.locator("thead th").first.locator("button.ob-sort").click()
    names = first_table.locator("tbody tr td:first-child a").all_inner_texts()
    assert names == sorted(names, key=str.lower, reverse=True)
    assert parse_qs(urlparse(page.url).query) == {"sort": ["0"], "desc": ["1"]}

    heading = page.locator("article h2:has(button.ob-collapse)").first
    heading_id = heading.get_attribute("id")
    heading.locator("button.ob-collapse").click()
    assert not first_table.is_visible()
    assert parse_qs(urlparse(page.url).query)["collapsed"] == [heading_id]
    heading.locator("button.ob-collapse").click()
    assert first_table.is_visible()


def test_matrix_reads_without_javascript(browser: Browser, base_url: str, model: Model) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "matrix.html?team=sales&letter=A")
    assert visible_matrix_rows(page) == {a.id for a in model.activities}
    assert page.locator("#ob-matrix-filters select").count() == 0
    context.close()


def test_stage_diagram_is_visible_and_links_to_teams(
    page: Page, base_url: str, model: Model
) -> None:
    stage = model.lifecycle[0]
    page.goto(base_url + f"stages/{stage.id}.html")
    screenshot(page, "stage")
    diagram = page.locator(".ob-diagram svg").first
    assert diagram.is_visible()
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    node = page.locator(".ob-diagram svg a[*|href*='teams/']").first
    href = node.get_attribute("xlink:href") or node.get_attribute("href")
    assert href is not None
    team_id = href.rsplit("/", 1)[-1].removesuffix(".html")
    node.click()
    page.wait_for_url(f"**/teams/{team_id}.html")
    h1 = page.locator("article h1").inner_text().rstrip("¶").strip()
    assert h1 == model.team_by_id[team_id].name


def test_dark_mode_changes_the_diagram_colours(page: Page, base_url: str) -> None:
    page.goto(base_url + "index.html")
    shape = (
        ".ob-diagram svg .node path, .ob-diagram svg .node polygon, .ob-diagram svg .node ellipse"
    )

    def colours() -> tuple[str, str]:
        return page.eval_on_selector(
            shape, "e => [getComputedStyle(e).fill, getComputedStyle(e).stroke]"
        )

    scheme = page.eval_on_selector("body", "b => b.getAttribute('data-md-color-scheme')")
    light = colours()
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== {scheme!r}")
    dark = colours()
    assert dark[0] != light[0]
    screenshot(page, "home-dark")


def test_phone_width_keeps_the_page_layout(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for name in ("matrix.html", "index.html", "stages/awareness.html"):
        page.goto(base_url + name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        assert page.locator("article h1").first.is_visible()
    page.goto(base_url + "matrix.html?team=sales")
    screenshot(page, "matrix-phone")
    table = page.locator("article table:has(.ob-row)").first
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
    context.close()


def test_no_console_error_on_any_page(browser: Browser, served: tuple[str, Path]) -> None:
    """Every page but the activities, and every tenth activity (their pages share one
    template; every page of each hostile site is read with a script-error handler too)."""
    base_url, site = served
    every = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(every) > 70  # home, stages, teams, activities, matrix, FAQ, ...
    activities = [p for p in every if p.startswith("activities/")]
    pages = [p for p in every if not p.startswith("activities/")] + activities[::10]
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    # A request cut short by going to the next page (net::ERR_ABORTED) is not a failure.
    page.on(
        "requestfailed",
        lambda r: (
            None
            if "ERR_ABORTED" in (r.failure or "")
            else errors.append(f"{page.url}: failed {r.url}: {r.failure}")
        ),
    )
    for path in pages:
        page.goto(base_url + path, wait_until="load")
    page.goto(base_url + "matrix.html?team=sales&letter=AR&sort=1&collapsed=awareness")
    assert errors == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "stages/awareness.html",
        "activities/approve-messaging-changes.html",
        "teams/sales.html",
        "matrix.html",
        "faq.html",
    ],
)
def test_no_serious_accessibility_violation(
    browser: Browser, base_url: str, path: str, scheme: str
) -> None:
    """axe-core on each kind of page, in the light and in the dark scheme (the palette
    follows the reader's system setting on a first visit)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        color_scheme=scheme,  # type: ignore[arg-type]
    )
    page = context.new_page()
    page.goto(base_url + path)
    wanted = "slate" if scheme == "dark" else "default"
    assert page.eval_on_selector("body", "b => b.dataset.mdColorScheme") == wanted
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


# --- team ids that name Object.prototype members --------------------------------------------

PROTO_MODEL = """\
handbook:
  title: Prototype Handbook
  organization: Test Co
  lifecycle: [awareness, purchase]
teams:
  - id: constructor
    name: Constructor
  - id: tostring
    name: To String
  - id: hasownproperty
    name: Has Own Property
  - id: valueof
    name: Value Of
  - id: proto
    name: Proto
stages:
  - id: awareness
    name: Awareness
    summary: The customer learns that we exist.
  - id: purchase
    name: Purchase
    summary: The customer buys.
activities:
  - id: build-things
    name: Build things
    kind: decision
    stages: [awareness]
    reviewed: 2026-11-01
    raci:
      responsible: [tostring]
      accountable: constructor
      consulted: [proto]
  - id: sell-things
    name: Sell things
    stages: [purchase]
    reviewed: 2026-11-01
    raci:
      responsible: [constructor]
      accountable: hasownproperty
      informed: [valueof]
  - id: count-things
    name: Count things
    kind: decision
    stages: [awareness, purchase]
    reviewed: 2026-11-01
    raci:
      responsible: [proto]
      accountable: valueof
      consulted: [tostring]
"""
ALL_THREE = {"build-things", "sell-things", "count-things"}


@pytest.fixture(scope="module")
def proto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small handbook whose team ids are names of Object.prototype members, served."""
    project = tmp_path_factory.mktemp("proto") / "p"
    make_project(project, {"model.yaml": PROTO_MODEL})
    proc = ownbook(project, "build", "--strict", "--today", TODAY.isoformat())
    assert proc.returncode == 0, proc.stderr
    handler = functools.partial(QuietHandler, directory=str(project / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/matrix.html"
    server.shutdown()


PROTO_CASES = [
    # names the page does not offer are dropped: everything shows, as the controls say
    ("?team=__proto__", "", ALL_THREE),
    ("?stage=__proto__", "", ALL_THREE),
    ("?team=hasOwnProperty&stage=constructor&collapsed=__proto__,toString", "", ALL_THREE),
    ("?sort=__proto__&desc=1&letter=__proto__", "", ALL_THREE),
    # real teams with those names filter like any other
    ("?team=constructor&letter=A", "constructor", {"build-things"}),
    ("?team=constructor", "constructor", {"build-things", "sell-things"}),
    ("?team=hasownproperty&letter=A", "hasownproperty", {"sell-things"}),
    ("?team=tostring&letter=C", "tostring", {"count-things"}),
    ("?team=valueof&letter=RI", "valueof", {"sell-things"}),
    ("?team=proto&stage=purchase", "proto", {"count-things"}),
]


def test_matrix_with_prototype_names_filters_without_errors(
    browser: Browser, proto_url: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    for query, team, rows in PROTO_CASES:
        page.goto(proto_url + query)
        try:
            page.wait_for_selector("#ob-filter-team", timeout=10_000)
        finally:  # a script that threw never draws its controls: say why
            assert errors == [], errors
        assert visible_matrix_rows(page) == rows, query
        assert page.locator("#ob-filter-team").input_value() == team, query
        # nothing reached Object.prototype
        assert page.evaluate(
            "Object.getOwnPropertyNames(Object.prototype).every(n => typeof "
            "Object.prototype[n] === 'function' || n === '__proto__') && "
            "({}).constructor === Object && ({}).polluted === undefined"
        ), query
        # the address keeps only what the page offers
        assert parse_qs(urlparse(page.url).query).get("team", [""]) == [team], query
        assert "__proto__" not in page.url and "hasOwnProperty" not in page.url, query
    # and the controls work from there
    page.select_option("#ob-filter-team", "constructor")
    for letter in "RACI":
        page.uncheck(f"#ob-filter-letter-{letter}")
    page.check("#ob-filter-letter-R")
    assert visible_matrix_rows(page) == {"sell-things"}
    page.select_option("#ob-filter-team", "valueof")
    assert visible_matrix_rows(page) == set()  # Value Of holds no R
    page.check("#ob-filter-letter-A")
    assert visible_matrix_rows(page) == {"count-things"}
    assert errors == []
    context.close()
