"""The hostile corpus end to end: each model builds a safe site or fails cleanly.

Every case runs `ownbook build` over a previous site. A case that builds must give a site
where no script, event attribute, unsafe URL or injected element reaches a reader: checked
in the HTML, and in Chromium, where every page is loaded with a dialog handler and every
link on it clicked. A case that fails must list exactly the expected problems, without a
traceback, and leave the previous site byte-identical. In both, nothing is written outside
the site folder but the diagram cache.

The YAML cases are in `tests/hostile/`; cases that need bytes, files a YAML file cannot be
(symlinks, FIFOs, unsafe names) or a planted cache are made here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from playwright.sync_api import Browser

from tests.browsing import audit_site
from tests.conftest import BASE, TODAY, make_project
from tests.test_build import ownbook, tree_digest

pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).parent / "hostile"
URL_ATTRS = {"href", "src", "xlink:href", "action", "formaction", "poster", "data", "srcset"}
BANNED_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript):")


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    return "\n".join(lines) + "\n"


def huge_file() -> bytes:
    line = b"# padding padding padding padding padding padding padding padding padding\n"
    return b"teams: []\n" + line * (50 * 1024 * 1024 // len(line))


# Generated cases: bytes a text file cannot hold, and sizes a repository should not.
GENERATED: dict[str, tuple[dict[str, str | bytes], str]] = {
    "nesting-1000-deep": ({"evil.yaml": "glossary: " + "[" * 1000 + "]" * 1000}, "OB010"),
    "alias-bomb": ({"evil.yaml": alias_bomb()}, "OB007"),
    "file-of-50-mb": ({"evil.yaml": huge_file()}, "OB002"),
    "nul-byte": ({"evil.yaml": b"glossary:\n  - term: a\x00b\n    definition: d\n"}, "OB004"),
    "invalid-utf8": ({"evil.yaml": b"glossary:\n  - term: caf\xe9\n    definition: d\n"}, "OB003"),
    "string-of-200k": ({"evil.yaml": "glossary:\n  - term: " + "x" * 200_000 + "\n"}, "OB014"),
    "tab-indent": ({"evil.yaml": "glossary:\n\t- term: t\n"}, "OB005"),
    "bom-and-crlf": ({"base.yaml": b"\xef\xbb\xbf" + BASE.replace("\n", "\r\n").encode()}, ""),
    "utf-16": ({"base.yaml": BASE.encode("utf-16")}, "OB003"),
}

Setup = Callable[[Path], None]


def _link(name: str, target: str) -> Setup:
    return lambda project: (project / "content" / name).symlink_to(target)


def _fifo(project: Path) -> None:
    os.mkfifo(project / "content" / "pipe.yaml")


def _socket(project: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(project / "content" / "sock.yaml"))
    sock.close()


def _named(name: str) -> Setup:
    def make(project: Path) -> None:
        path = project / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("glossary: []\n")

    return make


# Files a pull request can commit that are not files to read: each an error at its path.
FILES: dict[str, tuple[Setup, list[str]]] = {
    "symlink-to-etc-passwd": (_link("passwd.yaml", "/etc/passwd"), ["OB017"]),
    "symlink-to-a-folder-outside": (_link("outside", "/etc"), ["OB017"]),
    "symlink-to-a-file-inside": (_link("again.yaml", "base.yaml"), ["OB017"]),
    "dangling-symlink": (_link("gone.yaml", "nowhere.yaml"), ["OB017"]),
    "fifo": (_fifo, ["OB017"]),
    "unix-socket": (_socket, ["OB017"]),
    "name-with-a-line-break": (_named("a\n::error::b.yaml"), ["OB018"]),
    "name-with-glob-syntax": (_named("*.yaml"), ["OB018"]),
    "name-with-a-bidi-override": (_named("evil\u202eLMAY.yaml"), ["OB018"]),
    "folder-name-with-codeowners-syntax": (_named("#team @org/x/model.yaml"), ["OB018"]),
}


def _planted(*svgs: str) -> Setup:
    """Fill the diagram cache with the `svgs`, in turn, under the key of every diagram the
    build will draw (the cache is untrusted: a pull request can commit it, and a build can
    inherit it). Every kind lands on several pages: one build and one browser audit read
    them all."""

    def plant(project: Path) -> None:
        from ownbook.model.load import load_model
        from ownbook.render import RenderOptions, diagram_sources
        from ownbook.render.svg import SvgCache, current_renderer

        model = load_model(project / "content", today=TODAY).model
        assert model is not None
        options = RenderOptions(today=TODAY, source_root=str(project.resolve()))
        cache = SvgCache(project / ".cache" / "ownbook")
        folder = project / ".cache" / "ownbook"
        folder.mkdir(parents=True)
        for i, dot in enumerate(diagram_sources(model, options)):
            svg = svgs[i % len(svgs)]
            (folder / f"{cache.key(current_renderer(), dot)}.svg").write_text(svg)

    return plant


_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
# Cached SVGs a pull request could plant: each is cleaned (or drawn again), never inlined.
CACHED = {
    "script and handlers": (
        f'{_SVG} onload="alert(1)"><script>alert(2)</script><g onmouseover="alert(3)">'
        '<a xlink:href="javascript:alert(4)"><text>x</text></a></g></svg>'
    ),
    "foreign HTML and links out": (
        f'{_SVG} viewBox="0 0 10 10"><foreignObject><iframe xmlns="http://www.w3.org/1999/'
        'xhtml" src="data:text/html,alert(5)"/></foreignObject><a href="https://evil.example/">'
        '<text style="x" fill="url(javascript:alert(6))">t</text></a>'
        '<image href="https://evil.example/t.png"/><use href="#x"/></svg>'
    ),
    "entities and a doctype": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "&#60;script&#62;alert(7)&#60;/script'
        '&#62;"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"{_SVG}><text>&b;</text></svg>"
    ),
    "a file that is not SVG": "<html><script>alert(8)</script></html>",
}
CACHES: dict[str, Setup] = {"cached-svgs-of-four-hostile-kinds": _planted(*CACHED.values())}


def corpus() -> list[tuple[str, dict[str, str | bytes], list[str] | None, Setup | None]]:
    """(name, files, expected error codes or None when the case must build, extra setup)."""
    cases: list[tuple[str, dict[str, str | bytes], list[str] | None, Setup | None]] = []
    for path in sorted(HOSTILE.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        expect = text.splitlines()[0].removeprefix("# expect: ").split()
        assert expect[0] in ("builds", "fails"), path
        cases.append(
            (path.stem, {"model.yaml": text}, expect[1:] if expect[0] == "fails" else None, None)
        )
    for name, (files, code) in GENERATED.items():
        all_files: dict[str, str | bytes] = {"base.yaml": BASE, **files}
        cases.append((name, all_files, [code] if code else None, None))
    for name, (setup, codes) in FILES.items():
        cases.append((name, {"base.yaml": BASE}, codes, setup))
    for name, setup in CACHES.items():
        cases.append((name, {"base.yaml": BASE}, None, setup))
    return cases


CASES = corpus()
# Cases aimed at the builder's files and the loader, not at a reader's browser: their sites
# get the static checks (parsed, then allow-listed) but not the Chromium audit, which costs
# 15 s a site.
FILE_LEVEL = {"windows-reserved", "bom-and-crlf"}


def files_outside(root: Path, site: Path) -> dict[str, str]:
    """Every file under `root` but the site and the diagram cache (whose names are ours)."""
    cache = root / "p" / ".cache" / "ownbook"
    for path in cache.rglob("*") if cache.exists() else []:
        assert re.fullmatch(r"([0-9a-f]{64}\.svg|history-[0-9a-f]+\.json)", path.name), path
    digest = tree_digest(root)
    skip = (site.relative_to(root).as_posix() + "/", cache.relative_to(root).as_posix() + "/")
    return {k: v for k, v in digest.items() if not k.startswith(skip)}


@pytest.fixture(scope="module")
def baseline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of a harmless model (BASE), built once for the module and only read: a
    test that changes a page works on a copy."""
    project = tmp_path_factory.mktemp("baseline") / "p"
    make_project(project, {"base.yaml": BASE})
    assert ownbook(project, "build", "--today", TODAY.isoformat()).returncode == 0
    return project / "site"


@pytest.fixture(scope="module")
def theme_scripts(baseline_site: Path) -> set[str]:
    """The external scripts the theme puts on pages of a harmless model."""
    return {
        str(script["src"])
        for page in baseline_site.rglob("*.html")
        for script in BeautifulSoup(page.read_text(), "html.parser").find_all("script", src=True)
    }


@pytest.fixture(scope="module")
def built() -> dict[str, Path]:
    """The site each corpus case that builds made (case name -> site folder), for the
    tests below that read the site of a corpus model: one build of a model, not two. The
    sites are only read. A test run without its case (`-k`) builds the model itself."""
    return {}


def site_of(
    built: dict[str, Path], name: str, files: dict[str, str | bytes], tmp_path: Path
) -> Path:
    """The site of the corpus case `name` (whose model is `files`): the one the corpus test
    built, or a fresh build when that test did not run (or failed before it was kept)."""
    if name in built:
        return built[name]
    project = tmp_path / "p"
    make_project(project, files)
    assert ownbook(project, "build", "--today", TODAY.isoformat()).returncode == 0
    return project / "site"


def assert_safe(site: Path, theme_scripts: set[str]) -> None:
    """No script but the theme's, no event attribute, no unsafe URL, no injected element,
    and no markup in the search index but the theme's own."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    for entry in index["docs"]:
        for key in ("title", "text"):
            parsed = BeautifulSoup(entry[key], "html.parser")
            tags = {t.name for t in parsed.find_all(True)}
            # Material keeps these few tags of a page's text in its index, nothing else.
            assert tags <= {"p", "code", "pre", "li", "ol", "ul", "sub", "sup"}, (entry, tags)
    docs = sorted(site.rglob("*.html")) + sorted(site.rglob("*.svg"))
    assert docs
    for path in docs:
        doc = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        where = path.relative_to(site).as_posix()
        for script in doc.find_all("script"):
            src = script.get("src")
            assert src is None or str(src) in theme_scripts, (where, src)
            assert "alert" not in script.get_text(), where
        for tag in doc.find_all(True):
            assert isinstance(tag, Tag)
            assert tag.name not in BANNED_TAGS, (where, tag.name)
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), (where, tag.name, attr)
                if attr.lower() in URL_ATTRS:
                    cleaned = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                    assert not UNSAFE_SCHEME.match(cleaned), (where, tag.name, attr, value)
        article = doc.find("article")
        if article is not None:
            found = article.find(["script", "style", "foreignobject", "img", "form", "input"])
            assert found is None, (where, found)
            # Raw HTML we write is whole: never cut by a table cell and shown as text.
            assert 'class="ob-letter' not in article.get_text(), where


@pytest.mark.parametrize(("name", "files", "expected", "setup"), CASES, ids=[c[0] for c in CASES])
def test_hostile_model(
    tmp_path: Path,
    name: str,
    files: dict[str, str | bytes],
    expected: list[str] | None,
    setup: Setup | None,
    theme_scripts: set[str],
    chromium: Browser,
    built: dict[str, Path],
) -> None:
    project = tmp_path / "p"
    make_project(project, files)
    if setup is not None:
        setup(project)
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>the previous site</p>")
    previous = tree_digest(site)
    outside = files_outside(tmp_path, site)

    proc = ownbook(project, "build", "--today", TODAY.isoformat())

    assert "Traceback" not in proc.stderr + proc.stdout
    assert files_outside(tmp_path, site) == outside
    assert not list(project.glob(".site.*")), "a staging folder was left behind"
    if expected is None:
        assert proc.returncode == 0, proc.stderr
        assert tree_digest(site) != previous
        assert_safe(site, theme_scripts)
        if name not in FILE_LEVEL:
            problems, clicked = audit_site(chromium, site)
            assert problems == []
            assert clicked > 20
        if setup is None and list(files) == ["model.yaml"]:  # a model of tests/hostile/
            built[name] = site
    else:
        assert proc.returncode == 1, proc.stderr
        codes = re.findall(r"^content/.*?(?::\d+:\d+)?: error (OB\d{3}): ", proc.stderr, re.M)
        if name in GENERATED:  # one code, at every place it applies
            assert set(codes) == set(expected), proc.stderr
        else:
            assert codes == expected, proc.stderr
        assert tree_digest(site) == previous


def test_hostile_text_reads_as_typed(tmp_path: Path, built: dict[str, Path]) -> None:
    """The injected strings of the XSS case are on the pages, as text."""
    model = {"model.yaml": (HOSTILE / "xss-everywhere.yaml").read_text()}
    site = site_of(built, "xss-everywhere", model, tmp_path)

    def page(rel: str) -> BeautifulSoup:
        return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")

    team = page("teams/evil.html")
    h1 = team.find("h1")
    assert h1 is not None
    assert h1.get_text().rstrip("¶") == (
        "Team <script>alert(1)</script> | *b* `c` [d](javascript:alert(9)) {{ x }}"
    )
    assert "Lead \"><svg onload=alert(3)> ' onmouseover='alert(4)" in team.get_text()
    stage = page("stages/first.html")
    cells = [" ".join(td.get_text().split()) for td in stage.select("article table td")]
    # Team 'evil' accountable, its role responsible: both letters shown, the role named
    # beside its letter as text (never in a title: Material's tooltips render those).
    role = 'Role " ]; x [label=<<b>alert(7)</b>> URL="javascript:alert(7)"]; " | pipe'
    assert f"A R {role}" in cells
    letters = stage.select("article span.ob-letter")
    assert {str(s.get("title")) for s in letters} <= {
        "Accountable",
        "Responsible",
        "Consulted",
        "Informed",
    }
    assert role in [r.get_text() for r in stage.select("article .ob-role")]
    faq = page("faq.html")
    assert "Question <script>alert(1)</script> {{ 7*7 }}?" in faq.get_text()
    # The quote in repo_url stays inside the attribute: the link is one element, whole.
    edit = team.select("small.ob-source a")
    assert [str(a["href"]) for a in edit] == [
        'https://example.com/repo?x="%3E%3Cscript%3Ealert(1)%3C/script%3E'
        "/edit/main/content/model.yaml#L18"
    ]
    assert "&quot;%3E%3Cscript" in (site / "teams/evil.html").read_text()


def test_windows_reserved_ids_get_portable_file_names(
    tmp_path: Path, built: dict[str, Path]
) -> None:
    model = {"model.yaml": (HOSTILE / "windows-reserved.yaml").read_text()}
    site = site_of(built, "windows-reserved", model, tmp_path)
    for rel in ("teams/nul_.html", "teams/aux_.html", "stages/con_.html", "activities/lpt1_.html"):
        assert (site / rel).is_file(), rel
    names = {p.stem.lower() for p in site.rglob("*")}
    assert not names & {"con", "nul", "aux", "lpt1"}
    home = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    assert "stages/con_.html" in {str(a.get("href")) for a in home.select("article a")}


def test_the_browser_audit_catches_what_it_looks_for(tmp_path: Path, chromium: Browser) -> None:
    """The audit can fail: a page with each kind of problem gives each finding."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<html><body><a href="javascript:alert(7)">run</a> <a href="other.html">next</a>'
        '<p onclick="alert(8)">p</p><div class="ob-md"><img src="x.png"><em>ok</em></div>'
        "</body></html>"
    )
    (site / "other.html").write_text(
        '<html><body><svg><a href="javascript:alert(9)"><text>t</text></a></svg>'
        '<a href="index.html" onclick="confirm(10)">back</a></body></html>'
    )
    problems, clicked = audit_site(chromium, site)
    assert clicked == 4
    assert sorted(problems) == sorted(
        [
            "index.html: href=javascript:alert(7) on <a>",
            "index.html: event attribute onclick on <p>",
            "index.html: <img> in a Markdown field",
            "index.html: src on <img> in a Markdown field",
            "index.html: a dialog opened: 7",
            "other.html: href=javascript:alert(9) on <a>",
            "other.html: event attribute onclick on <a>",
            "other.html: a dialog opened: 9",
            "other.html: a dialog opened: 10",
        ]
    )


def test_the_audit_hovers_as_a_reader_does(
    tmp_path: Path, chromium: Browser, baseline_site: Path
) -> None:
    """Material's tooltips turn a `title` into HTML on hover: the audit hovers every element
    with a title, so a payload there is caught (here planted into a built page: a copy of
    the module's build of BASE)."""
    site = tmp_path / "site"
    shutil.copytree(baseline_site, site)
    page = site / "stages" / "awareness.html"
    planted = page.read_text().replace(
        'title="Responsible"', 'title="&lt;img src=x onerror=alert(11)&gt;"', 1
    )
    assert planted != page.read_text()
    page.write_text(planted)
    problems, _ = audit_site(chromium, site, only=["stages/awareness.html"])
    assert "stages/awareness.html: a dialog opened: 11" in problems
