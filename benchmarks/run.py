"""The scale benchmark: prints a table of ownbook's costs at sizes S, M, L and XL.

    python -m benchmarks.run [--sizes S,M,L,XL] [--out benchmarks/RESULTS.md]

For each size: load + validate, page generation, diagrams cold and warm, the whole
`ownbook build` (warm diagram cache) beside a plain `mkdocs build` of the same pages written
out as Markdown with the same mkdocs.yml and no ownbook plugin (the floor MkDocs sets), the
share of the build that is ownbook's own work, peak memory, and the growth from each size to
the next against the growth of the model. It also times ownbook's part of a `serve`
rebuild after one activity's RACI is edited.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ownbook.load import load_model
from ownbook.render import RenderOptions, diagram_sources, nav, render_pages, site_name
from ownbook.svg import SvgCache, render_svgs

from benchmarks.synth import write_model

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)
SIZES = {
    "S": (5, 10, 60),
    "M": (8, 40, 500),
    "L": (12, 120, 2000),
    "XL": (12, 300, 5000),
}
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


LEGEND = """\
What the columns mean: *load+validate*, *pages* and *diagrams* time ownbook's steps alone in
one process (diagrams cold: an empty SVG cache; warm: every SVG cached). *ownbook build* is
`ownbook build` (check, then MkDocs with the plugin, warm diagram cache) and *plain mkdocs*
is `mkdocs build` of the same pages written out as Markdown, same mkdocs.yml, no plugin;
both are the best of two or three runs taken in turn. *own share* is ownbook's part of the
build: the check before MkDocs starts, the plugin's events and any wait for the downloads.
*serve rebuild* builds twice in one process as `mkdocs serve` does (a server thread, the
plugin kept) and times the second build after one activity's RACI is edited: *own* is the
plugin's part of it, *whole* includes MkDocs converting every page again."""


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one child process (its own, read with wait4)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"{' '.join(cmd)} failed:\n{message}")
    return wall, usage.ru_maxrss / 1024


def project(base: Path, size: tuple[int, int, int]) -> Path:
    stages, teams, activities = size
    base.mkdir(parents=True)
    write_model(
        base / "content", stages=stages, teams=teams, activities=activities, faqs=activities // 10
    )
    shutil.copy(ROOT / "mkdocs.yml", base / "mkdocs.yml")
    (base / "theme").symlink_to(ROOT / "theme")
    return base


def measure(name: str, size: tuple[int, int, int], work: Path) -> dict[str, float]:
    proj = project(work / name, size)
    row: dict[str, float] = {"activities": size[2], "teams": size[1]}
    checked, row["load"] = timed(load_model, proj / "content", today=TODAY)
    model = checked.model
    assert model is not None, [p.format() for p in checked.problems[:3]]
    options = RenderOptions(today=TODAY, source_root=str(proj))
    dots = diagram_sources(model, options)
    cache = SvgCache(proj / ".cache" / "ownbook")
    svgs, row["diagrams_cold"] = timed(render_svgs, dots, cache)
    _, row["diagrams_warm"] = timed(render_svgs, dots, SvgCache(proj / ".cache" / "ownbook"))
    pages, row["pages"] = timed(render_pages, model, dataclasses.replace(options, svgs=svgs))
    row["page_count"] = len(pages)
    # the floor: the same pages as files, the same mkdocs.yml without the plugin
    plain = work / f"{name}-plain"
    (plain / "docs").mkdir(parents=True)
    for path, text in pages.items():
        target = plain / "docs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (plain / "nav.yml").write_text(json.dumps({"site_name": site_name(model), "nav": nav(model)}))
    config = (proj / "mkdocs.yml").read_text()
    for old, new in [
        ("site_name: Lifecycle Handbook\n", ""),
        ("docs_dir: content", "docs_dir: docs"),
        ("custom_dir: theme", f"custom_dir: {ROOT / 'theme'}"),
        ("  - ownbook:\n      content_dir: content\n", ""),
    ]:
        config = config.replace(old, new)
    (plain / "mkdocs.yml").write_text("INHERIT: nav.yml\n" + config)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    build = [sys.executable, "-m", "ownbook", "build", "--today", TODAY.isoformat()]
    timings = work / f"{name}-timings.json"
    env = {**ENV, "OWNBOOK_TIMINGS": str(timings)}
    run(build, proj, env)  # warms the diagram cache on disk
    # Best of a few runs, the two builds taking turns: a 2-core machine's timings vary by
    # 10% from run to run, and the ratio should not measure that noise.
    rounds = 3 if size[2] <= 500 else 2
    plain_runs = []
    build_runs = []
    best_own = None
    for _ in range(rounds):
        plain_runs.append(run(mkdocs, plain, ENV))
        build_runs.append(run(build, proj, env))
        measured = json.loads(timings.read_text())
        if best_own is None or build_runs[-1][0] == min(b[0] for b in build_runs):
            best_own = measured
    row["plain_build"] = min(t for t, _ in plain_runs)
    row["plain_mb"] = max(m for _, m in plain_runs)
    row["build"] = min(t for t, _ in build_runs)
    row["build_mb"] = max(m for _, m in build_runs)
    assert best_own is not None
    timings.write_text(json.dumps(best_own))
    own = json.loads(timings.read_text())
    # ownbook's own work: the check before MkDocs starts, the plugin's events, and waiting
    # for the downloads (made in a forked process while MkDocs converts the pages).
    row["own"] = sum(
        own.get(k, 0.0) for k in ("load_before_build", "on_config", "on_files", "downloads_wait")
    )
    # a serve rebuild after one RACI edit, in one process as `mkdocs serve` keeps it
    row.update(rebuild_after_edit(proj))
    return row


def rebuild_after_edit(proj: Path) -> dict[str, float]:
    """A `serve` rebuild after one activity's RACI is edited, as `mkdocs serve` runs it: one
    process, a server thread beside the builds, the config loaded again for each build (the
    plugin, its memo and its worker kept), the second build timed."""
    code = (
        "import json, sys, tempfile, threading, time\n"
        "from pathlib import Path\n"
        "from mkdocs.commands.build import build\n"
        "from mkdocs.config import load_config\n"
        "from ownbook.plugin import OwnbookPlugin\n"
        "def main():\n"
        "    threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
        "    site = tempfile.mkdtemp()\n"
        "    config = load_config(sys.argv[1], site_dir=site)\n"
        "    config.plugins.on_startup(command='serve', dirty=False)\n"
        "    build(config)\n"
        "    path = sorted(Path(sys.argv[2]).rglob('stage-00.yaml'))[0]\n"
        "    text = path.read_text()\n"
        "    path.write_text(text.replace('      informed: [', '      informed: [team-000, ', 1))\n"
        "    config = load_config(sys.argv[1], site_dir=site)\n"
        "    start = time.perf_counter()\n"
        "    build(config)\n"
        "    wall = time.perf_counter() - start\n"
        "    path.write_text(text)\n"
        "    plugin = next(p for p in config.plugins.values() if isinstance(p, OwnbookPlugin))\n"
        "    config.plugins.on_shutdown()\n"
        "    t = plugin.timings\n"
        "    own = t['on_config'] + t['on_files'] + t['downloads_wait']\n"
        "    print(json.dumps({'rebuild_own': own, 'rebuild_wall': wall}))\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(proj / "mkdocs.yml"), str(proj / "content")],
        cwd=proj,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def table(rows: dict[str, dict[str, float]]) -> str:
    head = (
        "| size | stages/teams/activities | pages | load+validate | pages | diagrams cold | "
        "diagrams warm | ownbook build | plain mkdocs | ratio | own share | peak MB | "
        "serve rebuild: own | serve rebuild: whole |"
    )
    lines = [head, "|" + "---|" * 14]
    for name, r in rows.items():
        s = SIZES[name]
        lines.append(
            f"| {name} | {s[0]}/{s[1]}/{s[2]} | {r['page_count']:.0f} | {r['load']:.2f} s | "
            f"{r['pages']:.2f} s | {r['diagrams_cold']:.2f} s | {r['diagrams_warm']:.3f} s | "
            f"{r['build']:.1f} s | {r['plain_build']:.1f} s | "
            f"{r['build'] / r['plain_build']:.2f}x | "
            f"{100 * r['own'] / r['build']:.1f}% | {r['build_mb']:.0f} | "
            f"{r['rebuild_own']:.2f} s | {r['rebuild_wall']:.1f} s |"
        )
    names = list(rows)
    growth = [
        "",
        "| step | model growth | build growth | growth / model growth |",
        "|---|---|---|---|",
    ]
    for a, b in itertools.pairwise(names):
        model_g = rows[b]["activities"] / rows[a]["activities"]
        build_g = rows[b]["build"] / rows[a]["build"]
        growth.append(f"| {a} → {b} | {model_g:.2f}x | {build_g:.2f}x | {build_g / model_g:.2f} |")
    return "\n".join(lines + growth)


def targets(rows: dict[str, dict[str, float]]) -> str:
    """Each target of the performance issue, the figure measured for it, met or missed."""
    lines = ["| target | measured | |", "|---|---|---|"]

    def check(name: str, value: float, limit: float, shown: str) -> None:
        verdict = "met" if value <= limit else f"missed by {value / limit - 1:.0%}"
        lines.append(f"| {name} | {shown} | {verdict} |")

    for size in ("L", "XL"):
        if size in rows:
            r = rows[size]
            share = r["own"] / r["build"]
            check(f"own work < 10% of the build at {size}", share, 0.10, f"{share:.1%}")
    for size, r in rows.items():
        ratio = r["build"] / r["plain_build"]
        check(f"build within 1.15x of plain MkDocs at {size}", ratio, 1.15, f"{ratio:.2f}x")
    if "L" in rows and "XL" in rows:
        growth = (rows["XL"]["build"] / rows["L"]["build"]) / (
            rows["XL"]["activities"] / rows["L"]["activities"]
        )
        check("L to XL: time growth at most 1.2x the model's", growth, 1.2, f"{growth:.2f}")
    if "L" in rows:
        own = rows["L"]["rebuild_own"]
        check("serve rebuild after one RACI edit at L: own part < 0.5 s", own, 0.5, f"{own:.2f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sizes.split(","):
            rows[name] = measure(name, SIZES[name], Path(tmp))
            print(f"{name}: {json.dumps(rows[name])}", file=sys.stderr, flush=True)
    text = (
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, with `python -m benchmarks.run`.\n\n{table(rows)}\n"
        f"\n## Targets\n\n{targets(rows)}\n\n{LEGEND}\n"
    )
    print(text)
    if args.out:
        args.out.write_text("# Benchmark results\n\n" + text)


if __name__ == "__main__":
    main()
