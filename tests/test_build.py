"""Builds end to end: failures are clean and atomic, warnings count under --strict, the
`generate` pages equal the plugin's, and `serve` reloads on model edits."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from ownbook.cli.app import cli

from tests.conftest import BASE, TODAY, make_project

pytestmark = pytest.mark.slow

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        timeout=300,
    )


def ownbook(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ownbook", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
        timeout=300,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


BAD = {
    "base.yaml": BASE.replace("accountable: sales", "accountable: sale"),
    "more.yaml": "teams:\n  - id: legal\n    name: Legal\n    colour: red\n",
}


def test_model_error_fails_mkdocs_build_listing_every_problem(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, BAD)
    proc = mkdocs(project)
    assert proc.returncode == 1
    assert "content/base.yaml:36:20: error OB201: unknown team 'sale'; did you mean 'sales'?" in (
        proc.stderr
    )
    assert "content/more.yaml:4:5: error OB101: unknown key 'colour' in team" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_failed_ownbook_build_leaves_the_previous_site(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    first = ownbook(project, "build", "--strict", "--today", TODAY.isoformat())
    assert first.returncode == 0, first.stderr
    before = tree_digest(project / "site")
    assert "index.html" in before
    for name, text in BAD.items():
        (project / "content" / name).write_text(text)
    second = ownbook(project, "build", "--strict")
    assert second.returncode == 1
    assert "content/base.yaml:36:20: error OB201" in second.stderr
    assert tree_digest(project / "site") == before
    assert sorted(p.name for p in project.iterdir()) == [
        ".cache",
        "content",
        "mkdocs.yml",
        "site",
    ]  # no half-built folder left behind


def test_mkdocs_failure_after_check_leaves_the_previous_site(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    assert ownbook(project, "build", "--today", TODAY.isoformat()).returncode == 0
    before = tree_digest(project / "site")
    # The model is fine, but a hand-written page links to nowhere: strict MkDocs fails.
    allow_pages(project)
    (project / "content" / "extra.md").write_text("# Extra\n\n[gone](missing.md)\n")
    proc = ownbook(project, "build", "--strict", "--today", TODAY.isoformat())
    assert proc.returncode == 1
    assert "missing.md" in proc.stderr
    assert tree_digest(project / "site") == before


def allow_pages(project: Path) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text()
    assert "      content_dir: content\n" in text
    config.write_text(
        text.replace("content_dir: content\n", "content_dir: content\n      allow_pages: true\n")
    )


def test_files_beside_the_model_are_refused_unless_allowed(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (project / "content" / "evil.html").write_text("<script>alert(1)</script>")
    (project / "content" / "notes").mkdir()
    (project / "content" / "notes" / "x.md").write_text("<script>alert(2)</script>")
    proc = ownbook(project, "build", "--today", TODAY.isoformat())
    assert proc.returncode == 1
    content = (project / "content").resolve()
    assert (
        f"{content} holds files that are not model files: evil.html, notes/x.md. They would "
        "be published as written (raw HTML and scripts included); remove them, or set the "
        "ownbook plugin's `allow_pages: true` in mkdocs.yml and review them as code"
    ) in " ".join(proc.stderr.split())
    assert not (project / "site").exists()
    allow_pages(project)
    assert ownbook(project, "build", "--today", TODAY.isoformat()).returncode == 0
    assert (project / "site" / "evil.html").exists()


def test_model_warnings_fail_strict_mkdocs(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE, "legal.yaml": "teams:\n  - id: legal\n    name: L\n"})
    strict = mkdocs(project, "--strict")
    assert strict.returncode == 1
    assert "content/legal.yaml:2:9: warning OB401: team 'legal' holds no RACI letter" in (
        strict.stderr
    )
    assert mkdocs(project).returncode == 0


def test_review_reminders_do_not_fail_strict_mkdocs(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE.replace("2026-11-01", "2020-01-01")})
    proc = mkdocs(project, "--strict")
    assert proc.returncode == 0, proc.stderr
    page = (project / "site" / "activities" / "positioning.html").read_text()
    assert "Review overdue" in page


def test_generate_gives_the_plugin_pages(tmp_path: Path, default_handbook: Path) -> None:
    """`generate` and a plain MkDocs build give the pages the plugin gives (the run's
    shared build of the default handbook, made by `ownbook build --strict`)."""
    project = tmp_path / "p"
    shutil.copytree(default_handbook / "content", project / "content")
    gen = ownbook(
        project,
        "generate",
        "content",
        "--out",
        "gen/docs",
        "--mkdocs-fragment",
        "gen/nav.yml",
        "--today",
        TODAY.isoformat(),
    )
    assert gen.returncode == 0, gen.stderr
    # The same handbook without the plugin: what it sets comes from the fragment, and the
    # assets are written beside the pages.
    (project / "gen" / "mkdocs.yml").write_text(
        "INHERIT: nav.yml\ndocs_dir: docs\ntheme:\n  name: material\n"
        "plugins:\n  - search\n  - offline\n"
    )
    proc = mkdocs(project / "gen", "--strict")
    assert proc.returncode == 0, proc.stderr
    plugin_site, plain_site = default_handbook / "site", project / "gen" / "site"
    pages = sorted(
        p.relative_to(plugin_site).as_posix()
        for p in plugin_site.rglob("*.html")
        if p.parent.name != "search"
    )
    assert len(pages) > 60
    for page in pages:
        a = BeautifulSoup((plugin_site / page).read_text(), "html.parser")
        b = BeautifulSoup((plain_site / page).read_text(), "html.parser")
        # Without the plugin MkDocs cannot read a page's edit target (its front matter), and
        # the fragment sets no repo_url: the plain site has no edit button, so never one
        # that opens a generated Markdown file.
        assert b.select("a.md-content__button") == [], page
        for button in a.select("a.md-content__button"):
            after = button.next_sibling
            if isinstance(after, str) and not after.strip():
                after.extract()
            button.decompose()
        assert str(a.find("article")) == str(b.find("article")), page
        # the nav is the model's in both
        nav_a = [x.get_text(" ", strip=True) for x in a.select("nav.md-nav")]
        assert nav_a == [x.get_text(" ", strip=True) for x in b.select("nav.md-nav")], page


def test_generate_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    (project / "docs").mkdir()
    (project / "docs" / "mine.md").write_text("# Mine\n")
    proc = ownbook(project, "generate", "content", "--out", "docs")
    assert proc.returncode == 1
    assert "has files that ownbook did not generate" in proc.stderr
    assert (project / "docs" / "mine.md").read_text() == "# Mine\n"
    first = ownbook(project, "generate", "content", "--out", "gen")
    assert (
        first.returncode == 0
        and ownbook(project, "generate", "content", "--out", "gen").returncode == 0
    )


def test_build_reports_model_problems_like_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "p"
    make_project(project, BAD)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/base.yaml:36:20: error OB201: unknown team 'sale'; did you mean 'sales'?",
        "content/more.yaml:4:5: error OB101: unknown key 'colour' in team; known keys: id, "
        "name, summary, lead, parent, contact, github, roles",
        "2 errors, 0 warnings in 2 files",
    ]
    assert not (project / "site").exists()


def test_rebuild_with_nothing_changed_renders_no_diagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ownbook.render import svg

    calls = []
    real_run = svg.Renderer.run
    monkeypatch.setattr(
        svg.Renderer, "run", lambda self, dot: calls.append(1) or real_run(self, dot)
    )
    monkeypatch.setenv("OWNBOOK_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    monkeypatch.chdir(project)
    args = ["build", "--strict", "--today", TODAY.isoformat()]
    assert CliRunner().invoke(cli, args).exit_code == 0
    first = len(calls)
    assert first == 1 + 1 + 2 + 2  # lifecycle, organisation, 2 stages, 2 teams
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert len(calls) == first  # the second build drew nothing


def test_without_a_renderer_strict_fails_clearly_and_plain_shows_dot(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    env = {**ENV, "OWNBOOK_DOT": str(tmp_path / "no-such-dot"), "OWNBOOK_CACHE_DIR": str(tmp_path)}
    strict = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert strict.returncode == 1
    assert (
        f"OWNBOOK_DOT is set to '{tmp_path / 'no-such-dot'}', which does not run as Graphviz"
        in (strict.stderr)
    )
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert plain.returncode == 0, plain.stderr
    assert "the pages show the DOT source instead" in plain.stderr
    home = (project / "site" / "index.html").read_text()
    assert "Diagram not drawn" in home and "digraph &quot;lifecycle&quot;" in home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return str(response.read().decode())


def test_serve_reloads_on_model_edits(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"base.yaml": BASE})
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ownbook", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/teams/sales.html"
    try:
        page = ""
        for _ in range(120):
            try:
                page = _get(url)
                break
            except OSError:
                time.sleep(0.25)
        assert "<h1" in page and "Sales" in page
        base = project / "content" / "base.yaml"
        base.write_text(base.read_text().replace("name: Sales", "name: Revenue Team"))
        for _ in range(120):
            time.sleep(0.25)
            try:
                if "Revenue Team" in _get(url):
                    break
            except OSError:
                continue
        else:
            pytest.fail("the served page did not change after the model was edited")
    finally:
        server.terminate()
        server.wait(timeout=20)
