"""One handbook, three engines: the default handbook built with MkDocs, ProperDocs and
Zensical (the versions pinned in pyproject.toml's test extra), read page by page.

Every page's article text and the nav labels must be the same under each engine; a
deliberate difference is listed below with its reason. The Zensical site is also read in
Chromium: matrix filters, a diagram link, dark mode and search, by the same checks as the
MkDocs site (tests/test_browser.py).
"""

from __future__ import annotations

import functools
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from bs4 import BeautifulSoup
from ownbook.model.load import load_model
from ownbook.model.objects import Model
from playwright.sync_api import Browser, Page

from tests import test_browser
from tests.browsing import serve
from tests.conftest import BASE, ROOT, TODAY, make_project
from tests.test_build import ENV, ownbook

pytestmark = pytest.mark.slow

ENGINES = ("properdocs", "zensical")

# Differences an engine is allowed, by (engine, what differs): none in the article text or
# the nav labels today. The generator meta tag and the page chrome differ by design and are
# not compared.
DELIBERATE: dict[tuple[str, str], str] = {}


def _text(node: object) -> str:
    return " ".join(str(node).split())


def article(html: str) -> str | None:
    """The article's text as a reader sees it, without the permalink marks and the edit
    button (compared on their own below)."""
    return _article(BeautifulSoup(html, "html.parser"))


def _article(soup: BeautifulSoup) -> str | None:  # takes the edit button out of `soup`
    found = soup.select_one("article")
    if found is None:
        return None
    for extra in found.select("a.headerlink, a.md-content__button"):
        extra.decompose()
    return _text(found.get_text(" "))


def nav_labels(html: str) -> list[str]:
    """The labels of the primary nav (the page's own contents included), each as one
    string: the text of a label's elements joined, so that a `<time>` in a heading reads
    the same whether an engine keeps the element or only its text."""
    return _nav_labels(BeautifulSoup(html, "html.parser"))


def _nav_labels(soup: BeautifulSoup) -> list[str]:
    return [_text(link.get_text("")) for link in soup.select("nav.md-nav--primary .md-nav__link")]


def edit_target(html: str) -> str | None:
    return _edit_target(BeautifulSoup(html, "html.parser"))


def _edit_target(soup: BeautifulSoup) -> str | None:
    button = soup.select_one("article a.md-content__button[rel=edit]")
    return None if button is None else str(button.get("href"))


def body_edit_link(html: str) -> str | None:
    """The page's own "Edit this: file, line N" link, written by ownbook."""
    return _body_edit_link(BeautifulSoup(html, "html.parser"))


def _body_edit_link(soup: BeautifulSoup) -> str | None:
    link = soup.select_one("article .ob-source a")
    return None if link is None else str(link.get("href"))


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*.html"))
    }


class Read(NamedTuple):
    article: str | None
    nav: list[str]
    edit_target: str | None
    body_edit_link: str | None


@functools.cache
def read(html: str) -> Read:
    """All the tests below compare of a page, as the functions above read it, from one
    parse, kept per page text: parsing the 74 pages with html.parser is what these tests
    cost, and the MkDocs site is read for both engines and for the edit buttons. The
    article comes last: reading it takes the edit button out of the parse."""
    soup = BeautifulSoup(html, "html.parser")
    return Read(
        nav=_nav_labels(soup),
        edit_target=_edit_target(soup),
        body_edit_link=_body_edit_link(soup),
        article=_article(soup),
    )


@pytest.fixture(scope="module")
def sites(default_handbook: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default handbook's site from each engine: MkDocs' is the run's shared build."""
    built = {"mkdocs": default_handbook / "site"}
    for engine in ENGINES:
        project = tmp_path_factory.mktemp(engine)
        make_project(project)
        proc = ownbook(
            project, "build", "--engine", engine, "--strict", "--today", TODAY.isoformat()
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.strip().endswith("built the handbook into site")
        built[engine] = project / "site"
    return built


def test_the_engines_are_the_pinned_versions(sites: dict[str, Path]) -> None:
    meta = {
        engine: BeautifulSoup((site / "index.html").read_text(), "html.parser")
        .select_one("meta[name=generator]")
        .get("content")  # type: ignore[union-attr]
        for engine, site in sites.items()
    }
    assert meta == {
        "mkdocs": "mkdocs-1.6.1, mkdocs-material-9.8.2",
        "properdocs": "mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.2",
        "zensical": "zensical-0.0.73",
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_every_page_reads_the_same_under_each_engine(sites: dict[str, Path], engine: str) -> None:
    reference, other = pages(sites["mkdocs"]), pages(sites[engine])
    assert sorted(other) == sorted(reference)
    assert len(reference) == 74
    differences = {
        path: (read(reference[path]).article, read(other[path]).article)
        for path in reference
        if read(reference[path]).article != read(other[path]).article
    }
    allowed = {key[1] for key in DELIBERATE if key[0] == engine}
    assert {p: d for p, d in differences.items() if p not in allowed} == {}
    nav_differences = [
        path for path in reference if read(reference[path]).nav != read(other[path]).nav
    ]
    assert nav_differences == []
    assert len(read(reference["index.html"]).nav) > 10


@pytest.mark.parametrize("engine", ["mkdocs", *ENGINES])
def test_the_edit_button_opens_the_model_line_of_the_page(
    sites: dict[str, Path], engine: str
) -> None:
    site = pages(sites[engine])
    targets = {path: read(html).edit_target for path, html in site.items()}
    # Every page with a model source (home, stages, teams, activities) has the button, and
    # it opens the same file and line as the page's own "Edit this" link.
    sourced = {path: read(html).body_edit_link for path, html in site.items()}
    sourced = {path: link for path, link in sourced.items() if link is not None}
    assert len(sourced) > 60
    assert {path: targets[path] for path in sourced} == sourced
    assert targets["activities/nurture-leads.html"] == (
        "https://github.com/example/ownbook/edit/main/content/activities/consideration.yaml#L75"
    )
    # The others have none: never a button to a generated Markdown file.
    assert {path for path, target in targets.items() if target} == set(sourced)
    assert targets["matrix.html"] is None


@pytest.fixture(scope="module")
def zensical_url(sites: dict[str, Path]) -> Iterator[str]:
    with serve(sites["zensical"]) as url:
        yield url


@pytest.fixture(scope="module")
def model() -> Model:
    checked = load_model(ROOT / "content", today=TODAY)
    assert checked.model is not None
    return checked.model


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    "check",
    [
        test_browser.test_matrix_filters_by_team_and_letter,
        test_browser.test_stage_diagram_is_visible_and_links_to_teams,
        test_browser.test_dark_mode_changes_the_diagram_colours,
    ],
    ids=["matrix-filters", "diagram-link", "dark-mode"],
)
def test_the_zensical_site_works_in_the_browser(
    check: Callable[..., None],
    page: Page,
    zensical_url: str,
    model: Model,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Screenshots go beside the MkDocs ones, named for the engine.
    monkeypatch.setattr(test_browser, "OUTPUT", test_browser.OUTPUT / "zensical")
    arguments = {"page": page, "base_url": zensical_url, "model": model}
    names = check.__code__.co_varnames[: check.__code__.co_argcount]
    check(**{name: arguments[name] for name in names})


def test_zensical_search_finds_the_activity_and_opens_it(
    page: Page, zensical_url: str, model: Model
) -> None:
    """Zensical's search is its own dialog (results in a shadow root), opened from the
    header's button; otherwise as tests/test_browser.py reads MkDocs' search."""
    activity = next(a for a in model.activities if "positioning" in a.name.lower())
    page.goto(zensical_url + "index.html")
    page.locator("button.md-search__button").click()
    page.keyboard.type("positioning")
    result = page.locator(f"a[role=option][href*='activities/{activity.id}.html']").first
    result.wait_for(timeout=15000)
    result.click()
    page.wait_for_url(f"**/activities/{activity.id}.html*")
    assert page.locator("article h1").inner_text().rstrip("¶").strip() == activity.name


# ---------------------------------------------------------------------------------------
# Zensical without the browser: the silent trap, strict failures, serve


def small_project(root: Path, mkdocs_yml: str | None = None) -> Path:
    make_project(root, {"base.yaml": BASE})
    if mkdocs_yml is not None:
        (root / "mkdocs.yml").write_text(mkdocs_yml)
    return root


TRAP = (
    "note: `zensical build` here would publish an empty site: Zensical reads mkdocs.yml, "
    "skips the ownbook plugin and finds no page in content/; build with "
    "`ownbook build --engine zensical`"
)


def test_the_trap_is_real_and_check_and_build_name_it(tmp_path: Path) -> None:
    """Zensical on the handbook's own mkdocs.yml publishes only 404.html and exits 0, even
    with --strict; `ownbook check` and `ownbook build` say so in one line."""
    root = small_project(tmp_path / "p")
    proc = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (root / "site").glob("*.html")) == ["404.html"]
    shutil.rmtree(root / "site")

    checked = ownbook(root, "check", "content")
    assert checked.returncode == 0
    assert checked.stderr.splitlines() == [TRAP]
    built = ownbook(root, "build", "--today", TODAY.isoformat())
    assert built.returncode == 0, built.stderr
    assert TRAP in built.stderr.splitlines()
    by_zensical = ownbook(root, "build", "--engine", "zensical", "--today", TODAY.isoformat())
    assert by_zensical.returncode == 0, by_zensical.stderr
    assert TRAP not in by_zensical.stderr
    assert len(list((root / "site").rglob("*.html"))) > 5


def test_a_failed_zensical_build_leaves_the_previous_site(tmp_path: Path) -> None:
    """A warning of Zensical's (a broken link on a hand-written page) fails --strict; the
    previous site stays as it was; without --strict the build succeeds."""
    root = small_project(tmp_path / "p")
    text = (
        (root / "mkdocs.yml")
        .read_text()
        .replace("content_dir: content", "content_dir: content\n      allow_pages: true")
    )
    (root / "mkdocs.yml").write_text(text)
    (root / "content" / "notes.md").write_text("# Notes\n\nSee [the plan](missing.md).\n")
    (root / "site").mkdir()
    (root / "site" / "previous.txt").write_text("the last good site\n")
    proc = ownbook(root, "build", "--engine", "zensical", "--strict", "--today", "2026-11-22")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == "error: zensical build failed (exit 1)"
    assert "Traceback" not in proc.stderr
    assert [p.name for p in (root / "site").iterdir()] == ["previous.txt"]
    proc = ownbook(root, "build", "--engine", "zensical", "--today", "2026-11-22")
    assert proc.returncode == 0, proc.stderr
    assert (root / "site" / "notes.html").is_file()
    assert not (root / "site" / "previous.txt").exists()


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_zensical_serve_regenerates_on_every_model_edit(tmp_path: Path) -> None:
    root = small_project(tmp_path / "p")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "ownbook", "serve", "--engine", "zensical"]
    with open(log, "w") as output:
        child = subprocess.Popen(
            [*command, "-a", f"127.0.0.1:{port}"],
            cwd=root,
            env=ENV,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Ctrl-C as in a terminal, even when this suite runs as a background job (whose
            # children start with SIGINT ignored)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    page = f"http://127.0.0.1:{port}/activities/close-deals.html"
    try:
        assert _wait(lambda: "Close deals" in (_get(page) or ""), 90), "serve never answered"
        before = _get(page) or ""
        assert 'Accountable:</strong> <a href="../teams/sales.html">Sales' in before
        model = root / "content" / "base.yaml"
        model.write_text(model.read_text().replace("accountable: sales", "accountable: marketing"))
        assert _wait(
            lambda: (
                'Accountable:</strong> <a href="../teams/marketing.html">Marketing'
                in (_get(page) or "")
            ),
            90,
        ), "the edit never reached the served page"
        # A model with an error keeps the last good pages.
        model.write_text(model.read_text().replace("accountable: marketing", "accountable: x"))
        time.sleep(3)
        assert "Marketing" in (_get(page) or "")
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)
    err = log.read_text()
    assert child.returncode == 0, err
    assert "Traceback" not in err
    assert "OB2" in err  # the unknown party is reported at its line


# ---------------------------------------------------------------------------------------
# A hostile model under Zensical: its pages and its own search, read in Chromium

_RESULT_PROBLEMS = """() => {
  const out = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.getAttributeNames()) {
        if (a.toLowerCase().startsWith('on')) out.push(el.tagName + ' ' + a);
      }
      if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'IMG', 'FORM'].includes(el.tagName)
          && root !== document) out.push('injected ' + el.tagName);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return out;
}"""


def test_a_hostile_model_stays_text_under_zensical_search_included(
    tmp_path: Path, chromium: Browser
) -> None:
    """The XSS case of the hostile corpus, built by Zensical: every page audited and every
    link clicked as for MkDocs, then Zensical's own search (its index and its dialog, which
    MkDocs does not have) asked for the payloads' words."""
    from tests.browsing import audit_site
    from tests.test_hostile_corpus import HOSTILE

    root = tmp_path / "p"
    make_project(root, {"model.yaml": (HOSTILE / "xss-everywhere.yaml").read_text()})
    proc = ownbook(root, "build", "--engine", "zensical", "--today", TODAY.isoformat())
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    problems, clicked = audit_site(chromium, site)
    assert problems == []
    assert clicked > 20
    with serve(site) as base:
        context = chromium.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "index.html")
        for query in ("alert", "script", "onerror", "javascript"):
            page.locator("button.md-search__button").click()
            page.keyboard.press("Control+A")
            page.keyboard.type(query)
            page.locator("a[role=option]").first.wait_for(timeout=15000)
            page.wait_for_timeout(300)
            assert page.evaluate(_RESULT_PROBLEMS) == [], query
            page.keyboard.press("Escape")
        context.close()
    assert dialogs == []
