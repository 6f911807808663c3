"""A real `ownbook build --strict` of the default handbook, read back as a reader would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown
import pytest
from bs4 import BeautifulSoup, Tag
from ownbook.model.load import load_model
from ownbook.model.objects import Activity, Model, split_party
from ownbook.render import paths

from tests.conftest import TODAY

pytestmark = pytest.mark.slow

LETTER = {"R": "responsible", "A": "accountable", "C": "consulted", "I": "informed"}


@pytest.fixture(scope="module")
def built(default_handbook: Path) -> tuple[Model, Path]:
    model = load_model(default_handbook / "content", today=TODAY).model
    assert model is not None
    return model, default_handbook / "site"


def soup(site: Path, page: str) -> BeautifulSoup:
    html_path = site / page.replace(".md", ".html")
    return BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")


def article(site: Path, page: str) -> Tag:
    found = soup(site, page).find("article")
    assert isinstance(found, Tag)
    return found


def expected_cells(model: Model, activity_id: str) -> dict[str, set[str]]:
    """{team id: letters} the model gives one activity, roles rolled up into their team."""
    out: dict[str, set[str]] = {}
    for letter, party, _ in model.activity_by_id[activity_id].raci.letters:
        out.setdefault(split_party(party)[0], set()).add(letter)
    return out


def table_letters(table: Tag) -> Iterator[tuple[str, dict[str, set[str]]]]:
    """(activity id, {team id: letters}) for each row of a RACI table."""
    header = [th.find("a") for th in table.find("thead").find_all("th")]
    teams = [Path(a["href"]).stem if a else None for a in header]
    for row in table.find("tbody").find_all("tr"):
        cells = row.find_all("td")
        activity = Path(cells[0].find("a")["href"]).stem
        letters: dict[str, set[str]] = {}
        for team, cell in zip(teams[1:], cells[1:], strict=True):
            held = {LETTER[s.get_text()] for s in cell.select("span.ob-letter")}
            if held:
                assert team is not None
                letters[team] = held
        yield activity, letters


def test_every_page_exists(built: tuple[Model, Path]) -> None:
    model, site = built
    expected = [paths.HOME, paths.MATRIX, paths.FAQ, paths.GLOSSARY, paths.ABOUT]
    expected += [paths.stage_page(s.id) for s in model.stages]
    expected += [paths.activity_page(a.id) for a in model.activities]
    expected += [paths.team_page(t.id) for t in model.teams]
    for page in expected:
        assert (site / page.replace(".md", ".html")).is_file(), page


def test_matrix_letters_equal_the_model(built: tuple[Model, Path]) -> None:
    model, site = built
    seen = {}
    for table in article(site, paths.MATRIX).find_all("table")[:-1]:  # last: totals
        for activity, letters in table_letters(table):
            assert activity not in seen, f"{activity} appears twice in the matrix"
            seen[activity] = letters
    assert set(seen) == set(model.activity_by_id)
    for activity, letters in seen.items():
        assert letters == expected_cells(model, activity), activity


def test_matrix_totals_count_each_letter(built: tuple[Model, Path]) -> None:
    model, site = built
    totals = article(site, paths.MATRIX).find_all("table")[-1]
    for row in totals.find("tbody").find_all("tr"):
        cells = [c.get_text() for c in row.find_all("td")]
        team = Path(row.find("a")["href"]).stem
        counts = dict.fromkeys("RACI", 0)
        for a in model.activities:
            for letter, party, _ in a.raci.letters:
                if split_party(party)[0] == team:
                    counts[letter[0].upper()] += 1
        assert cells[1:] == [str(counts[x]) for x in "RACI"] + [str(sum(counts.values()))]


def test_stage_tables_equal_the_model(built: tuple[Model, Path]) -> None:
    model, site = built
    order = {s.id: i for i, s in enumerate(model.lifecycle)}

    def start(a: Activity) -> int:
        return min(order[s] for s in a.stages)

    for stage in model.stages:
        table = article(site, paths.stage_page(stage.id)).find("table")
        rows = dict(table_letters(table))
        # The stage's own activities first (it is the first of their stages in lifecycle
        # order), then those of other stages, by where those start; the model's order within.
        members = [a for a in model.activities if stage.id in a.stages]

        own = [a.id for a in members if start(a) == order[stage.id]]
        others = [a.id for a in sorted(members, key=start) if start(a) != order[stage.id]]
        assert list(rows) == own + others
        for activity, letters in rows.items():
            assert letters == expected_cells(model, activity)


def test_activity_page_spells_out_the_raci(built: tuple[Model, Path]) -> None:
    model, site = built
    for a in model.activities:
        page = article(site, paths.activity_page(a.id))
        rows = {
            tr.find_all("td")[0].get_text(" ", strip=True): tr.find_all("td")[1]
            for tr in page.find("table").find("tbody").find_all("tr")
        }
        accountable = rows["A Accountable"].find_all("a")
        assert accountable[-1]["href"] == f"../teams/{split_party(a.raci.accountable)[0]}.html"
        assert "Who owns it" in page.get_text()


def test_faq_and_glossary_anchors(built: tuple[Model, Path]) -> None:
    model, site = built
    faq_ids = {tag["id"] for tag in article(site, paths.FAQ).select("[id]")}
    for f in model.faqs:
        assert paths.faq_anchor(f.id) in faq_ids
    for a in model.activities:
        assert paths.who_owns_anchor(a.id) in faq_ids
    glossary_ids = {tag["id"] for tag in article(site, paths.GLOSSARY).select("[id]")}
    for term in model.glossary:
        assert paths.term_anchor(term.term) in glossary_ids


Docs = dict[Path, BeautifulSoup]


@pytest.fixture(scope="module")
def docs() -> Iterator[Docs]:
    """Parsed pages of the site, kept for the tests that only read them (each page is
    parsed once, not once per test and again for each link into it); a test that changes
    a parse (`_read` unwraps the glossary marks) parses the page itself."""
    kept: Docs = {}
    yield kept
    kept.clear()


def parsed(docs: Docs, page: Path) -> BeautifulSoup:
    """The whole page, parsed as `soup` does, once for the module: read it, never change it."""
    key = page.resolve()
    if key not in docs:
        docs[key] = BeautifulSoup(key.read_text(encoding="utf-8"), "html.parser")
    return docs[key]


def _article_or_body(doc: BeautifulSoup) -> Tag:
    found = doc.find("article") or doc.body
    assert isinstance(found, Tag)
    return found


def _internal_links(site: Path, docs: Docs) -> Iterator[tuple[Path, str]]:
    for page in site.rglob("*.html"):
        if page.parent.name == "search" or page.name == "404.html":
            continue
        body = _article_or_body(parsed(docs, page))
        for a in body.find_all("a", href=True):
            yield page, a["href"]
        for a in body.select(".ob-diagram a"):  # links inside inlined SVG diagrams
            if a.has_attr("xlink:href"):
                yield page, a["xlink:href"]


def article_or_body(page: Path) -> Tag:
    return _article_or_body(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"))


def test_every_link_resolves(built: tuple[Model, Path], docs: Docs) -> None:
    _, site = built
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page, href in _internal_links(site, docs):
        parts = urlsplit(href)
        if parts.scheme or href.startswith("mailto:"):
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        assert target.is_file(), f"{page.relative_to(site)} links to missing {href}"
        if parts.fragment:
            if target not in ids:
                ids[target] = {t["id"] for t in parsed(docs, target).select("[id]")}
            assert parts.fragment in ids[target], f"{page.relative_to(site)}: {href}"
        checked += 1
    assert checked > 500


def _plain(text: str, as_markdown: bool) -> str:
    if as_markdown:
        text = BeautifulSoup(
            markdown.markdown(text, extensions=["tables"]), "html.parser"
        ).get_text(" ")
    return " ".join(text.split())


def _joined(text: str) -> str:
    """Text with no space before punctuation: `get_text(" ")` puts one after every element."""
    return re.sub(r"\s+([,.;:!?)])", r"\1", text)


def _read(page: Path) -> str:
    """A page's text as a reader reads it: a glossary term's mark is part of its sentence."""
    body = article_or_body(page)
    for mark in body.select("span.ob-term"):
        mark.unwrap()
    body.smooth()
    return " ".join(body.get_text(" ").split())


def test_every_model_text_is_in_the_site(built: tuple[Model, Path]) -> None:
    """Nothing the model holds is lost: each text field reads somewhere in the site."""
    model, site = built
    corpus = " ".join(_read(p) for p in site.rglob("*.html") if p.parent.name != "search")
    corpus = _joined(corpus)
    texts: list[tuple[str, bool]] = []
    hb = model.handbook
    texts += [(hb.title, False), (hb.organization, False), (hb.description or "", True)]
    for t in model.teams:
        texts += [(t.name, False), (t.summary or "", True), (t.lead or "", False)]
        if t.contact:
            texts += [
                (t.contact.channel or "", False),
                (t.contact.email or "", False),
                (t.contact.url or "", False),
            ]
        texts += [(t.github or "", False)]
        for r in t.roles:
            texts += [(r.name, False), (r.summary or "", True)]
    for s in model.stages:
        texts += [(s.name, False), (s.summary, True), (s.customer_goal or "", False)]
        for items in (s.goals, s.metrics, s.pitfalls, s.practices, s.tools):
            texts += [(x, True) for x in items]
    for a in model.activities:
        texts += [(a.name, False), (a.summary or "", True), (a.description or "", True)]
        texts += [(tag, False) for tag in a.tags]
        texts += [(link.title, False) for link in a.links]
    for f in model.faqs:
        texts += [(f.question, False), (f.answer, True)]
    for term in model.glossary:
        texts += [(term.term, False), (term.definition, True)]
        texts += [(alias, False) for alias in term.aliases]
    missing = []
    for text, is_md in texts:
        plain = _joined(_plain(text, is_md))
        if plain and plain not in corpus:
            missing.append(plain[:80])
    assert missing == []


def test_no_markdown_left_unrendered(built: tuple[Model, Path], docs: Docs) -> None:
    _, site = built
    for page in site.rglob("*.html"):
        if page.parent.name == "search":
            continue
        text = _article_or_body(parsed(docs, page)).get_text(" ")
        assert "](" not in text, page
        assert "\\[" not in text and "\\*" not in text, page


def test_links_and_review_dates_shown(built: tuple[Model, Path]) -> None:
    model, site = built
    for a in model.activities:
        page = article(site, paths.activity_page(a.id))
        hrefs = {x["href"] for x in page.find_all("a", href=True)}
        for link in a.links:
            assert link.url in hrefs
        text = " ".join(page.get_text(" ").split())
        assert f"Last confirmed: {a.reviewed.isoformat()}" in text
        due = model.review_due(a)
        assert due is not None and f"Next review due: {due.isoformat()}" in text


def test_edit_links_point_at_file_and_line(built: tuple[Model, Path]) -> None:
    model, site = built
    a = model.activities[0]
    page = article(site, paths.activity_page(a.id))
    link = page.select_one(".ob-source a")
    assert link is not None
    rel = Path(a.pos.file).relative_to(site.parent).as_posix()
    assert link["href"] == f"{model.handbook.repo_url}/edit/main/{rel}#L{a.pos.line}"


def test_team_page_groups_by_stage_and_letter(built: tuple[Model, Path]) -> None:
    model, site = built
    page = article(site, paths.team_page("sales"))
    text = page.get_text(" ")
    assert "Your reading path" in text
    headings = [h.get_text(" ", strip=True).rstrip("¶").strip() for h in page.find_all("h2")]
    stage_names = [s.name for s in model.lifecycle]
    involved = [h for h in headings if h in stage_names]
    assert involved == [n for n in stage_names if n in involved]  # lifecycle order
    for strong in page.find_all("strong"):
        assert strong.get_text() in {
            "Accountable for",
            "Responsible for",
            "Consulted on",
            "Informed of",
            "Lead:",
            "Channel:",
            "Email:",
            "Web:",
            "GitHub:",
            "Part of:",
            "Sub-teams:",
        }


def test_diagrams_are_inlined_with_a_text_alternative(built: tuple[Model, Path]) -> None:
    model, site = built
    pages = [paths.HOME, paths.TEAMS]
    pages += [paths.stage_page(s.id) for s in model.stages]
    pages += [paths.team_page(t.id) for t in model.teams]
    for page in pages:
        body = article(site, page)
        diagram = body.select_one("div.ob-diagram[role=img]")
        assert diagram is not None and diagram.find("svg") is not None, page
        assert diagram["aria-label"]
        details = [d for d in body.find_all("details") if "The diagram as text" in d.get_text()]
        assert len(details) == 1, page
    home = article(site, paths.HOME).select_one(".ob-diagram svg")
    links = {a["xlink:href"] for a in home.find_all("a") if a.has_attr("xlink:href")}
    assert links == {f"stages/{s.id}.html" for s in model.stages}


def test_home_page_shows_the_loop(built: tuple[Model, Path]) -> None:
    model, site = built
    text = re.sub(r"\s+([,.])", r"\1", " ".join(article(site, paths.HOME).get_text(" ").split()))
    first, last = model.lifecycle[0].name, model.lifecycle[-1].name
    assert f"after {last}, it starts again at {first}" in text


def test_no_request_leaves_the_site(built: tuple[Model, Path], docs: Docs) -> None:
    """Works offline: no script, style, font or image is loaded from another host."""
    _, site = built
    external = []
    for page in site.rglob("*.html"):
        doc = parsed(docs, page)
        for tag in doc.find_all(["script", "link", "img", "iframe", "source"]):
            url = str(tag.get("src") or tag.get("href") or "")
            if tag.name == "link" and "stylesheet" not in (tag.get("rel") or []):
                continue
            if re.match(r"^(https?:)?//", url):
                external.append((page.name, tag.name, url))
    assert external == []
    shim = doc.find("script", src=re.compile("iframe-worker"))
    assert shim is not None and str(shim["src"]).endswith("assets/vendor/iframe-worker-shim.js")
