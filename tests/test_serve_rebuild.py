"""A `serve` rebuild after an edit publishes what a fresh build of the edited model does.

Runs the builds the way `mkdocs serve` does, in a fresh interpreter (MkDocs keeps plugins
with an `on_startup` hook for the life of the process): a server thread beside the builds,
the config loaded again for each build, the plugin with its memo and its downloads worker
kept from one build to the next.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ownbook.downloads import downloads_of
from ownbook.load import FileCache, load_model
from ownbook.render import render_downloads

from tests.conftest import TODAY, make_project

pytestmark = pytest.mark.slow

SERVE = """
import json, sys, threading
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from ownbook.plugin import OwnbookPlugin

def main():
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    config_file, site, edited = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    config = load_config(config_file, site_dir=site)
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    text = edited.read_text()
    old = "      informed: [marketing, content, marketing-technology]"
    edited.write_text(text.replace(old, old[:-1] + ", legal]", 1))
    config = load_config(config_file, site_dir=site)
    plugin = next(p for p in config.plugins.values() if isinstance(p, OwnbookPlugin))
    plugin.memo.made = []
    build(config)
    made = sorted(slot[1] for slot in plugin.memo.made if slot[0] == "page")
    worker = plugin.worker._pool is not None
    config.plugins.on_shutdown()
    print(json.dumps({"made": made, "worker": worker}))

if __name__ == "__main__":
    main()
"""


def _files(site: Path) -> dict[str, bytes]:
    # the sitemap carries the build date, which two builds need not share
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in site.rglob("*")
        if p.is_file() and not p.name.startswith("sitemap.xml")
    }


def test_a_serve_rebuild_equals_a_fresh_build(tmp_path: Path) -> None:
    config = make_project(tmp_path / "project")
    project = config.parent
    (project / "mkdocs.yml").write_text(
        (project / "mkdocs.yml")
        .read_text()
        .replace(
            "      content_dir: content\n", f"      content_dir: content\n      today: '{TODAY}'\n"
        )
    )
    edited = project / "content" / "activities" / "awareness.yaml"
    served = tmp_path / "served"
    proc = subprocess.run(
        [sys.executable, "-c", SERVE, str(config), str(served), str(edited)],
        cwd=project,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["worker"], "the downloads were not made in the worker process"
    # only the pages that show the edited activity were made again
    assert result["made"] == [
        "activities/update-positioning.md",
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
    fresh = subprocess.run(
        [sys.executable, "-m", "ownbook", "build", "--today", str(TODAY)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    built, rebuilt = _files(project / "site"), _files(served)
    assert sorted(built) == sorted(rebuilt)
    differ = sorted(path for path in built if built[path] != rebuilt[path])
    assert differ == []
    assert b"legal" in rebuilt["downloads/raci.csv"]


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
    made = downloads_of(str(content), TODAY, "content", read)
    assert made == render_downloads(checked.model)
    teams = content / "teams.yaml"
    teams.write_text(teams.read_text().replace("name: Legal", "name: Legal and Privacy", 1))
    assert downloads_of(str(content), TODAY, "content", read) is None
