"""The plugin as a handbook's `mkdocs.yml` meets it: options checked like MkDocs' own, and
a minimal configuration that gets the assets and settings the pages need from the plugin."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from ownbook.build import assets

from tests.conftest import BASE, TODAY, write_files
from tests.test_build import mkdocs, ownbook

pytestmark = pytest.mark.slow

MINIMAL = """\
site_name: Minimal
docs_dir: content
theme:
  name: material
plugins:
  - search
  - ownbook{options}
"""


def project(tmp_path: Path, options: str = "") -> Path:
    root = tmp_path / "p"
    write_files(root / "content", {"base.yaml": BASE})
    (root / "mkdocs.yml").write_text(MINIMAL.format(options=options))
    return root


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ":\n      today: '2026-13-40'",
            "Plugin 'ownbook' option 'today': expected a date written YYYY-MM-DD, not '2026-13-40'",
        ),
        (
            ":\n      today: next week",
            "Plugin 'ownbook' option 'today': expected a date written YYYY-MM-DD, not 'next week'",
        ),
        (
            ":\n      history_limit: -1",
            "Plugin 'ownbook' option 'history_limit': expected a whole number, 0 or more, not -1",
        ),
        (
            ":\n      history_limit: yes",
            "Plugin 'ownbook' option 'history_limit': expected a whole number, 0 or more, not True",
        ),
    ],
)
def test_a_bad_option_is_a_configuration_error_naming_it(
    tmp_path: Path, options: str, message: str
) -> None:
    proc = mkdocs(project(tmp_path, options))
    assert proc.returncode == 1
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_date_yaml_cannot_read_is_one_line_from_ownbook_build(tmp_path: Path) -> None:
    """MkDocs' own loader fails on an unquoted impossible date with a traceback (YAML reads
    it as a date); `ownbook build` says it in one line and leaves no site behind."""
    root = project(tmp_path, ":\n      today: 2026-13-40")
    proc = ownbook(root, "build")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: mkdocs.yml: invalid configuration: month must be in 1..12"
    ]
    assert not (root / "site").exists()


def test_a_yaml_date_and_a_string_date_both_work(tmp_path: Path) -> None:
    """`today: 2026-11-22` is a date to YAML; quoted, it is a string: both are the day."""
    for value in (TODAY.isoformat(), f"'{TODAY.isoformat()}'"):
        root = project(tmp_path, f":\n      today: {value}\n      history_limit: 0")
        proc = mkdocs(root, "--strict")
        assert proc.returncode == 0, proc.stderr
        page = BeautifulSoup((root / "site" / "health.html").read_text(), "html.parser")
        assert f"checked on {TODAY.isoformat()}" in " ".join(page.get_text(" ").split())
        assert dt.date.fromisoformat(TODAY.isoformat()) == TODAY


def test_a_minimal_configuration_gets_what_the_pages_need(tmp_path: Path) -> None:
    root = project(tmp_path)
    proc = mkdocs(root, "--strict")
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    # Plain .html URLs (the site works from file://), the assets shipped with the plugin.
    assert (site / "stages" / "awareness.html").is_file()
    for asset in (*assets.CSS, *assets.JAVASCRIPT):
        assert (site / asset).read_bytes() == (assets.THEME_DIR / asset).read_bytes(), asset
    page = BeautifulSoup((site / "stages" / "awareness.html").read_text(), "html.parser")
    stylesheets = [link["href"] for link in page.select("link[rel=stylesheet]")]
    assert "../assets/ownbook.css" in stylesheets
    scripts = [script.get("src") for script in page.select("script[src]")]
    assert "../assets/javascripts/ownbook-matrix.js" in scripts
    # The Markdown extensions the pages are written for: permalinks, tables.
    assert page.select("article h1 a.headerlink")
    assert page.select("article table .ob-letter.ob-a")
    # Material's settings: a light/dark toggle, no web fonts.
    assert page.select("form[data-md-component=palette] input")
    assert not page.select("link[href*='fonts.googleapis.com']")


def test_the_handbooks_own_settings_win(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "mkdocs.yml").write_text(
        MINIMAL.format(options="")
        + "use_directory_urls: true\nmarkdown_extensions:\n  - toc:\n      permalink: false\n"
    )
    proc = mkdocs(root)
    assert proc.returncode == 0, proc.stderr
    site = root / "site"
    assert (site / "stages" / "awareness" / "index.html").is_file()
    page = BeautifulSoup((site / "stages" / "awareness" / "index.html").read_text(), "html.parser")
    assert not page.select("article h1 a.headerlink")


def test_without_mkdocs_or_properdocs_build_says_so_in_one_line(tmp_path: Path) -> None:
    """A Python where `mkdocs` cannot be imported (here: a module that fails to import put
    first on the path) gets one line, not a traceback."""
    import os
    import subprocess
    import sys

    root = project(tmp_path)
    blocker = tmp_path / "block"
    (blocker / "mkdocs").mkdir(parents=True)
    (blocker / "mkdocs" / "__init__.py").write_text("raise ImportError('no mkdocs here')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    for command in ("build", "serve"):
        proc = subprocess.run(
            [sys.executable, "-m", "ownbook", command],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 1
        assert proc.stderr.splitlines() == [
            "error: building the handbook needs MkDocs 1.x (pip install 'mkdocs<2' "
            "mkdocs-material) or ProperDocs (pip install properdocs), and neither imports: "
            "no mkdocs here"
        ]
