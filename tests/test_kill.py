"""A build killed half-way (SIGKILL: no clean-up runs) leaves the previous site as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TODAY, make_project
from tests.test_build import ENV, ownbook, tree_digest

pytestmark = pytest.mark.slow


def test_sigkill_during_build_leaves_the_previous_site_byte_identical(tmp_path: Path) -> None:
    project = tmp_path / "p"
    make_project(project)  # the default content: a build that takes a few seconds
    assert ownbook(project, "build", "--today", TODAY.isoformat()).returncode == 0
    site = project / "site"
    before = tree_digest(site)
    assert len(before) > 50

    # Change the model so the next build would write different pages, then kill it while
    # MkDocs is writing them into its staging folder.
    team_file = project / "content" / "teams.yaml"
    team_file.write_text(
        team_file.read_text().replace("  name: Sales\n", "  name: Sales Team\n", 1)
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "ownbook", "build", "--today", TODAY.isoformat()],
        cwd=project,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    written = 0
    while time.monotonic() < deadline and proc.poll() is None:
        staging = list(project.glob(".site.new-*"))
        written = sum(1 for s in staging for p in s.rglob("*.html"))
        if written >= 5:  # half-way: some pages are out, the build is not done
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert written >= 5

    assert tree_digest(site) == before
    assert list(project.glob(".site.new-*")), "the killed build's staging folder is gone?"

    # The next build succeeds, shows the change and clears what the killed one left.
    assert ownbook(project, "build", "--today", TODAY.isoformat()).returncode == 0
    assert not list(project.glob(".site.*"))
    assert '<h1 id="sales-team">Sales Team' in (site / "teams" / "sales.html").read_text()
