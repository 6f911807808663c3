"""Model text that looks like code stays text on every page it reaches (titles, nav, tables)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_project

pytestmark = pytest.mark.slow

EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)> | *b* {: onclick=y }'

MODEL = f"""\
handbook:
  title: {json.dumps("Handbook " + EVIL)}
  organization: {json.dumps(EVIL)}
  description: {json.dumps("Intro " + EVIL + " [js](javascript:alert(1))")}
  lifecycle: [one]
teams:
  - id: evil
    name: {json.dumps("Team " + EVIL)}
    summary: {json.dumps(EVIL)}
    roles:
      - id: r
        name: {json.dumps("Role " + EVIL)}
stages:
  - id: one
    name: {json.dumps("Stage " + EVIL)}
    summary: {json.dumps(EVIL)}
    goals: [{json.dumps(EVIL)}]
activities:
  - id: act
    name: {json.dumps("Activity " + EVIL)}
    stages: [one]
    description: {json.dumps(EVIL)}
    reviewed: 2026-11-01
    tags: [{json.dumps(EVIL)}]
    links:
      - title: {json.dumps(EVIL)}
        url: "https://example.com/?q=<x>"
    raci:
      responsible: [evil/r]
      accountable: evil
faqs:
  - question: {json.dumps("Question " + EVIL + "?")}
    answer: {json.dumps(EVIL)}
    stages: [one]
glossary:
  - term: {json.dumps("Term " + EVIL)}
    definition: {json.dumps(EVIL)}
    aliases: [{json.dumps(EVIL)}]
"""


def test_hostile_text_builds_and_stays_text(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project, {"model.yaml": MODEL})
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    site = project / "site"
    pages = [p for p in site.rglob("*.html") if p.parent.name != "search"]
    names = sorted(p.relative_to(site).as_posix() for p in pages)
    assert names == [
        "404.html",
        "about.html",
        "activities/act.html",
        "changes.html",
        "faq.html",
        "glossary.html",
        "health.html",
        "index.html",
        "matrix.html",
        "stages/one.html",
        "teams.html",
        "teams/evil.html",
    ]
    for page in pages:
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in doc.find_all("script"):  # only the theme's own scripts
            assert "alert" not in script.get_text(), page
        article = doc.find("article")
        assert article is not None and article.find("script") is None, page
        for tag in doc.find_all(True):
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), (page, tag.name, attr)
                if attr in ("href", "src"):
                    assert not str(value).lower().startswith(("javascript:", "data:")), page
        assert doc.find("img", src="x") is None
    team = BeautifulSoup((site / "teams" / "evil.html").read_text(), "html.parser")
    assert team.find("h1").get_text().rstrip("¶") == "Team " + EVIL
    assert team.title is not None and team.title.get_text().startswith("Team " + EVIL)
    stage = BeautifulSoup((site / "stages" / "one.html").read_text(), "html.parser")
    nav_text = stage.select_one("nav.md-nav--primary").get_text(" ")
    assert "Stage " + EVIL in " ".join(nav_text.split())
