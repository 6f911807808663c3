"""The three engines side by side: a full build and an edit seen under `serve`.

    python -m benchmarks.engines [--sizes S,M] [--out benchmarks/RESULTS.md]

For each size and engine (MkDocs, ProperDocs, Zensical), in one run on one machine:

- *full build*: `ownbook build --engine E` with a warm diagram cache, best of two;
- *edit to page*: `ownbook serve --engine E` is started and left to finish its first build;
  one activity's RACI is edited (a team added to its Informed), and the time is taken from
  the save until the served activity page shows the new party (polled every 0.1 s). This
  is what a reader of the preview waits for, whatever the engine does in between.

The engines are the versions installed with the test extra (pyproject.toml).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.synth import write_model

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)
SIZES = {"S": (5, 10, 60), "M": (8, 40, 500)}
ENGINES = ("mkdocs", "properdocs", "zensical")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
MARKER = "<!-- ownbook engine benchmark -->"


def project(base: Path, size: tuple[int, int, int]) -> Path:
    stages, teams, activities = size
    base.mkdir(parents=True)
    write_model(
        base / "content", stages=stages, teams=teams, activities=activities, faqs=activities // 10
    )
    text = (ROOT / "mkdocs.yml").read_text().replace("content_dir: content", "today: 2026-11-22")
    (base / "mkdocs.yml").write_text(text)
    return base


def full_build(proj: Path, engine: str) -> float:
    command = [sys.executable, "-m", "ownbook", "build", "--engine", engine, "-d", "site"]
    times = []
    for _ in range(3):  # the first warms the diagram cache (and Zensical's own)
        start = time.perf_counter()
        subprocess.run(command, cwd=proj, env=ENV, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times[1:])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def edit_to_page(proj: Path, engine: str, timeout: float = 600) -> float:
    """Seconds from saving one RACI edit to the served page showing it."""
    path = proj / "content" / "activities" / "stage-00.yaml"
    if not path.exists():
        path = sorted((proj / "content").rglob("stage-00*.yaml"))[0]
    text = path.read_text()
    at = text.index("      informed: [")
    activity = re.findall(r"- id: (\S+)", text[:at])[-1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}/activities/{activity}.html"
    with tempfile.TemporaryFile() as log:
        command = [sys.executable, "-m", "ownbook", "serve", "--engine", engine]
        child = subprocess.Popen(
            [*command, "-a", f"127.0.0.1:{port}"],
            cwd=proj,
            env=ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            end = time.monotonic() + timeout
            while "</html>" not in _get(url):
                if time.monotonic() > end or child.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"{engine} serve never answered:\n{log.read()[-2000:]!r}")
                time.sleep(0.5)
            time.sleep(2)  # let the first build's file events settle
            before = _get(url).count("team-000.html")
            edited = text[:at] + text[at:].replace("informed: [", "informed: [team-000, ", 1)
            start = time.monotonic()
            path.write_text(edited)
            while _get(url).count("team-000.html") <= before:
                if time.monotonic() - start > timeout:
                    raise SystemExit(f"{engine}: the edit never reached the page")
                time.sleep(0.1)
            return time.monotonic() - start
        finally:
            path.write_text(text)
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ownbook-engines-") as tmp:
        for name in args.sizes.split(","):
            size = SIZES[name]
            for engine in ENGINES:
                proj = project(Path(tmp) / f"{name}-{engine}", size)
                full = full_build(proj, engine)
                edit = edit_to_page(proj, engine)
                pages = len(list((proj / "site").rglob("*.html")))
                rows.append((name, size, engine, pages, full, edit))
                print(f"{name} {engine}: full build {full:.1f} s, edit to page {edit:.1f} s")
                shutil.rmtree(proj, ignore_errors=True)
    lines = [
        MARKER,
        "## Engines side by side",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} "
        f"cores, Python {platform.python_version()}, with `python -m benchmarks.engines`.",
        "",
        "| size | stages/teams/activities | engine | pages | full build | edit to page (serve) |",
        "|---|---|---|---|---|---|",
    ]
    for name, size, engine, pages, full, edit in rows:
        lines.append(
            f"| {name} | {'/'.join(map(str, size))} | {engine} | {pages} | {full:.1f} s "
            f"| {edit:.1f} s |"
        )
    lines += ["", (__doc__ or "").split("\n\n", 2)[2].strip(), ""]
    table = "\n".join(lines)
    print(table)
    if args.out:
        old = args.out.read_text() if args.out.exists() else ""
        kept = old.split(MARKER)[0].rstrip()
        args.out.write_text((kept + "\n\n" if kept else "") + table)


if __name__ == "__main__":
    main()
