"""A `serve` rebuild after an edit publishes what a fresh build of the edited model does.

Runs the builds the way `mkdocs serve` does, in a fresh interpreter (MkDocs keeps plugins
with an `on_startup` hook for the life of the process): a server thread beside the builds,
the config loaded again for each build, the plugin with its memo and its downloads worker
kept from one build to the next.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ownbook.build.downloads import downloads_of
from ownbook.model.load import FileCache, load_model
from ownbook.render import render_downloads

from tests.conftest import TODAY, make_project

pytestmark = pytest.mark.slow

SERVE = """
import json, shutil, sys, threading
from pathlib import Path
from typing import Any
from mkdocs.commands.build import build
from mkdocs.config import load_config
from ownbook.plugin import OwnbookPlugin

EDITS = json.loads(sys.argv[3])

def main():
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    config_file, out = sys.argv[1], Path(sys.argv[2])
    project = Path(config_file).parent
    site = out / "served"
    config = load_config(config_file, site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)
    report = []
    for i, (name, old, new) in enumerate(EDITS):
        edited = project / "content" / name
        text = edited.read_text()
        assert old in text, old
        edited.write_text(text.replace(old, new, 1))
        before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
        config = load_config(config_file, site_dir=str(site))
        plugin = next(p for p in config.plugins.values() if isinstance(p, OwnbookPlugin))
        plugin.memo.made = []
        build(config, dirty=True)
        if plugin.downloads_written is not None:  # written beside the server
            plugin.downloads_written.result()
        written = sorted(
            p.relative_to(site).as_posix()
            for p in site.rglob("*.html")
            if before.get(p) != p.stat().st_mtime_ns
        )
        made = sorted(slot[1] for slot in plugin.memo.made if slot[0] == "page")
        report.append({"made": made, "written": written, "pages": len(before)})
        shutil.copytree(site, out / f"served-{i}")
        shutil.copytree(project / "content", out / f"content-{i}")
    worker = plugin.worker.running
    config.plugins.on_shutdown()
    print(json.dumps({"report": report, "worker": worker}))

if __name__ == "__main__":
    main()
"""

RACI = "      informed: [marketing, content, marketing-technology]"
# One edit of each kind, applied in turn to one served site: a RACI letter (a few pages
# change), a team's name (the nav and every page), a stage's text (one page), and a new
# activity (the nav again).
EDITS = [
    ("activities/awareness.yaml", RACI, RACI[:-1] + ", legal]"),
    ("teams.yaml", "name: Legal", "name: Legal and Privacy"),
    ("stages.yaml", "    summary: |\n", "    summary: |\n      Edited while served.\n"),
    (
        "activities/awareness.yaml",
        "activities:\n",
        "activities:\n  - id: served-edit\n    name: Served edit\n    stages: [awareness]\n"
        "    reviewed: 2026-11-01\n    raci:\n      responsible: [legal]\n"
        "      accountable: legal\n",
    ),
]


def _files(site: Path) -> dict[str, bytes]:
    # the sitemap carries the build date, which two builds need not share
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and not p.name.startswith("sitemap.xml")
    }


def test_served_rebuilds_after_each_kind_of_edit_equal_fresh_builds(tmp_path: Path) -> None:
    """`ownbook serve` runs dirty builds: after each edit only the pages that changed are
    converted and written again, and the site (search index included) is byte for byte a
    fresh build's."""
    config = make_project(tmp_path / "project")
    project = config.parent
    (project / "mkdocs.yml").write_text(
        (project / "mkdocs.yml")
        .read_text()
        .replace(
            "      content_dir: content\n", f"      content_dir: content\n      today: '{TODAY}'\n"
        )
    )
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", SERVE, str(config), str(out), json.dumps(EDITS)],
        cwd=project,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["worker"], "the downloads were not made in the worker process"
    raci, renamed, stage, added = result["report"]
    # the RACI edit: only the pages that show the edited activity were made again, and
    # MkDocs wrote only those and the whole-model pages
    assert raci["made"] == [
        "activities/update-positioning.md",
        "index.md",  # it lists each decision with who decides it (not written: unchanged)
        "stages/awareness.md",
        "stages/consideration.md",
        "teams.md",
        "teams/content.md",
        "teams/customer-success.md",
        "teams/data-analytics.md",
        "teams/executive-leadership.md",
        "teams/legal.md",
        "teams/marketing-technology.md",
        "teams/marketing.md",
        "teams/product-development.md",
        "teams/product-marketing.md",
        "teams/sales.md",
    ]
    assert "activities/update-positioning.html" in raci["written"]
    assert "activities/run-paid-campaigns.html" not in raci["written"]
    assert len(raci["written"]) < raci["pages"] / 2
    assert len(renamed["written"]) == renamed["pages"]  # the nav changed: every page
    assert "stages/awareness.html" in stage["written"]
    assert len(stage["written"]) < stage["pages"] / 2
    assert len(added["written"]) == added["pages"] + 1
    for i in range(len(EDITS)):
        fresh = tmp_path / f"fresh-{i}"
        make_project(fresh)
        shutil.rmtree(fresh / "content")
        shutil.copytree(out / f"content-{i}", fresh / "content")
        built = subprocess.run(
            [sys.executable, "-m", "ownbook", "build", "--today", str(TODAY)],
            cwd=fresh,
            capture_output=True,
            text=True,
            check=False,
        )
        assert built.returncode == 0, built.stderr[-3000:]
        wanted, served = _files(fresh / "site"), _files(out / f"served-{i}")
        assert sorted(served) == sorted(wanted), f"after edit {i}"
        differ = sorted(path for path in wanted if wanted[path] != served[path])
        assert differ == [], f"after edit {i}"
    assert b"legal" in _files(out / "served-0")["downloads/raci.csv"]


def test_the_worker_refuses_files_that_changed_after_the_build_read_them(
    tmp_path: Path,
) -> None:
    """An edit between the build's read and the worker's: the build makes its own."""
    project = make_project(tmp_path / "project").parent
    content = project / "content"
    cache = FileCache()
    checked = load_model(content, today=TODAY, display_as="content", cache=cache)
    assert checked.model is not None
    read = cache.fingerprint
    worker_cache = FileCache()  # the worker's own
    made = downloads_of(worker_cache, str(content), TODAY, "content", read)
    assert made == render_downloads(checked.model)
    teams = content / "teams.yaml"
    teams.write_text(teams.read_text().replace("name: Legal", "name: Legal and Privacy", 1))
    assert downloads_of(worker_cache, str(content), TODAY, "content", read) is None


def test_serve_compiles_each_theme_template_once() -> None:
    """MkDocs makes a new Jinja environment for each build; under `serve` the plugin gives
    each one the templates compiled by the last. A changed template, or an environment that
    calls a filter differently, is compiled again."""
    from jinja2 import DictLoader, Environment, pass_context
    from ownbook.build.templates import CompiledTemplates

    kept = CompiledTemplates(on_disk=False)
    sources = {"page.html": "{{ title | shout }}!"}

    def env(shout: Any = str.upper) -> Environment:
        made = Environment(loader=DictLoader(sources), bytecode_cache=kept)
        made.filters["shout"] = shout
        return made

    compiled: list[str] = []
    original = Environment._compile

    def counting(self: Environment, source: str, filename: str) -> Any:
        compiled.append(filename)
        return original(self, source, filename)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Environment, "_compile", counting)
        assert env().get_template("page.html").render(title="a") == "A!"
        assert env().get_template("page.html").render(title="b") == "B!"
        assert len(compiled) == 1  # the second build reused the first's code
        sources["page.html"] = "{{ title | shout }}?"
        assert env().get_template("page.html").render(title="c") == "C?"
        assert len(compiled) == 2

        @pass_context
        def shout(context: Any, value: str) -> str:
            return value.upper() + "."

        assert env(shout).get_template("page.html").render(title="d") == "D.?"
        assert len(compiled) == 3


def test_a_one_off_build_reuses_the_last_ones_compiled_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On disk, in Jinja's per-user cache folder: a new process compiles nothing the last
    one compiled; a damaged cache file is compiled again, not an error."""
    import tempfile

    from jinja2 import DictLoader, Environment
    from ownbook.build.templates import CompiledTemplates

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sources = {"page.html": "<p>{{ title | upper }}</p>"}
    compiled: list[str] = []
    original = Environment._compile

    def counting(self: Environment, source: str, filename: str) -> Any:
        compiled.append(filename)
        return original(self, source, filename)

    monkeypatch.setattr(Environment, "_compile", counting)

    def render() -> str:
        env = Environment(loader=DictLoader(sources), bytecode_cache=CompiledTemplates())
        return env.get_template("page.html").render(title="a")

    assert render() == render() == "<p>A</p>"
    assert len(compiled) == 1
    (cached,) = (tmp_path / f"_jinja2-cache-{os.getuid()}").glob("__ownbook_theme_*.cache")
    cached.write_bytes(b"not bytecode")
    assert render() == "<p>A</p>" and len(compiled) == 2
    assert render() == "<p>A</p>" and len(compiled) == 2
