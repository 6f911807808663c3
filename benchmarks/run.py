"""The scale benchmark: prints a table of ownbook's costs at sizes S, M, L and XL, with
its peers and the baseline commit measured beside it in the same run.

    python -m benchmarks.run [--sizes S,M,L,XL] [--peer-sizes L] [--out benchmarks/RESULTS.md]

Peers (see peers.py): sphinx-needs builds the same model at the peer sizes, agenraci
validates it as a charter beside `ownbook check` at every size; the baseline commit's
`ownbook build` of the same model runs from its own worktree and venv.

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

from ownbook.build import assets
from ownbook.model.load import load_model
from ownbook.render import RenderOptions, diagram_sources, nav, render_pages, site_name
from ownbook.render.memo import NoMemo
from ownbook.render.svg import SvgCache, render_svgs

from benchmarks import peers
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
build: the check before MkDocs starts, the plugin's events and any wait for the downloads
or for the search entries (both made in other processes meanwhile). *sphinx-needs*
builds the same model as a Sphinx project (a page per stage and team, a need per activity
and a table per page); *baseline build* is `ownbook build` at commit f63916f
from its own venv; *agenraci* validates the model's RACI as one charter, beside *ownbook
check* of the same model. *serve rebuild* builds in one process as `ownbook serve` does
(dirty builds, a server thread, the plugin kept), then edits one activity's RACI at a time
(three edits, each built before the next) and times each rebuild from the save to the end
of the build (the edited page is written before it): the median of the three; *own* is
the plugin's part of it."""


OWN_STEPS = ("load_before_build", "on_config", "on_files", "downloads_wait", "search_wait")


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def run(
    cmd: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)
) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one child process (its own, read with wait4)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok:
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


def measure(
    name: str, size: tuple[int, int, int], work: Path, *, with_peers: bool, floor: bool = True
) -> dict[str, float]:
    proj = project(work / name, size)
    row: dict[str, float] = {"activities": size[2], "teams": size[1]}
    checked, row["load"] = timed(load_model, proj / "content", today=TODAY)
    model = checked.model
    assert model is not None, [p.format() for p in checked.problems[:3]]
    options = RenderOptions(today=TODAY, source_root=str(proj))
    memo = NoMemo()  # one per build, as the pipeline passes: the pages reuse the graphs
    dots = diagram_sources(model, options, memo)
    cache = SvgCache(proj / ".cache" / "ownbook")
    svgs, row["diagrams_cold"] = timed(render_svgs, dots, cache)
    _, row["diagrams_warm"] = timed(render_svgs, dots, SvgCache(proj / ".cache" / "ownbook"))
    pages, row["pages"] = timed(render_pages, model, dataclasses.replace(options, svgs=svgs), memo)
    row["page_count"] = len(pages)
    # the floor: the same pages as files, the same mkdocs.yml without the plugin
    plain = work / f"{name}-plain"
    (plain / "docs").mkdir(parents=True)
    for path, text in pages.items():
        target = plain / "docs" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    # what the plugin would set: without Material's navigation.prune the nav alone makes
    # the build superlinear, and without the extensions the pages would not convert alike
    inherited = {
        "site_name": site_name(model),
        "nav": nav(model),
        "use_directory_urls": False,
        "theme": {"name": "material", "features": list(assets.THEME_FEATURES), "font": False},
        "markdown_extensions": [
            {name: dict(options)} if options else name
            for name, options in assets.MARKDOWN_EXTENSIONS.items()
        ],
    }
    (plain / "nav.yml").write_text(json.dumps(inherited))
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
    check = [sys.executable, "-m", "ownbook", "check", "content"]
    row["check"] = min(run(check, proj, ENV, ok=(0, 1))[0] for _ in range(rounds))
    row.update(peer_runs(model, proj, work / f"{name}-peers", rounds, with_peers=with_peers))
    for _ in range(rounds):
        if floor:
            plain_runs.append(run(mkdocs, plain, ENV))
        build_runs.append(run(build, proj, env))
        measured = json.loads(timings.read_text())
        if best_own is None or build_runs[-1][0] == min(b[0] for b in build_runs):
            best_own = measured
    if plain_runs:
        row["plain_build"] = min(t for t, _ in plain_runs)
        row["plain_mb"] = max(m for _, m in plain_runs)
    row["build"] = min(t for t, _ in build_runs)
    row["build_mb"] = max(m for _, m in build_runs)
    assert best_own is not None
    timings.write_text(json.dumps(best_own))
    own = json.loads(timings.read_text())
    # ownbook's own work: the check before MkDocs starts, the plugin's events, and waiting
    # for the downloads and the search entries (made in other processes meanwhile).
    row["own"] = sum(own.get(k, 0.0) for k in OWN_STEPS)
    # a serve rebuild after one RACI edit, in one process as `mkdocs serve` keeps it
    row.update(rebuild_after_edit(proj))
    return row


def peer_runs(
    model: object, proj: Path, work: Path, rounds: int, *, with_peers: bool
) -> dict[str, float]:
    """agenraci validating the model as a charter (every size); at the peer sizes also
    sphinx-needs building it and the baseline commit's `ownbook build`, each the best of
    `rounds` runs."""
    out: dict[str, float] = {}
    python = peers.peer_python()
    work.mkdir(parents=True, exist_ok=True)
    if python is not None:
        charter = peers.write_charter(model, work / "charter.yaml")  # type: ignore[arg-type]
        agenraci = [str(python.parent / "agenraci"), "validate", str(charter)]
        out["agenraci"] = min(run(agenraci, work, ENV, ok=(0, 1))[0] for _ in range(rounds))
    if not with_peers:
        return out
    if python is not None:
        src = peers.write_needs_project(model, work / "needs")  # type: ignore[arg-type]
        sphinx = [str(python.parent / "sphinx-build"), "-b", "html", "-q", "-E", str(src)]
        out["sphinx_needs"] = min(
            run([*sphinx, str(work / f"needs-out-{i}")], work, ENV)[0] for i in range(rounds)
        )
    base = peers.baseline()
    if base is not None:
        tree, base_python = base
        folder = work / "baseline"
        folder.mkdir()
        shutil.copytree(proj / "content", folder / "content")
        shutil.copy(tree / "mkdocs.yml", folder / "mkdocs.yml")
        (folder / "theme").symlink_to(tree / "theme")
        cmd = [str(base_python.parent / "ownbook"), "build", "--today", TODAY.isoformat()]
        run(cmd, folder, ENV)  # warms its diagram cache
        out["baseline_build"] = min(run(cmd, folder, ENV)[0] for _ in range(rounds))
    return out


def rebuild_after_edit(proj: Path) -> dict[str, float]:
    """A `serve` rebuild after an activity's RACI is edited, as `ownbook serve` runs it: one
    process, a server thread beside the dirty builds, the config loaded again for each build
    (the plugin, its memo and its workers kept); timed from the save to the end of the build
    (the edited page is written before; MkDocs' server then tells the browser to reload).
    Three edits in turn (a team added to the Informed of one activity, then of the next
    two), each after the last one's build: the median of the three."""
    code = (
        "import json, statistics, sys, tempfile, threading, time\n"
        "from pathlib import Path\n"
        "from mkdocs.commands.build import build\n"
        "from mkdocs.config import load_config\n"
        "from ownbook.plugin import OwnbookPlugin\n"
        "def main():\n"
        "    threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
        "    site = tempfile.mkdtemp()\n"
        "    config = load_config(sys.argv[1], site_dir=site)\n"
        "    config.plugins.on_startup(command='serve', dirty=True)\n"
        "    build(config, dirty=True)\n"
        "    path = sorted(Path(sys.argv[2]).rglob('stage-00.yaml'))[0]\n"
        "    text = edited = path.read_text()\n"
        "    walls, owns = [], []\n"
        "    for n in range(3):\n"
        "        page = Path(site) / 'activities' / f'activity-{12 * n:05d}.html'\n"
        "        before = page.read_text()\n"
        "        marker = f'- id: activity-{12 * n:05d}\\n'\n"
        "        at = edited.index('      informed: [', edited.index(marker))\n"
        "        edited = edited[:at] + edited[at:].replace(\n"
        "            '      informed: [', f'      informed: [team-{90 + n:03d}, ', 1)\n"
        "        path.write_text(edited)\n"
        "        start = time.perf_counter()\n"
        "        config = load_config(sys.argv[1], site_dir=site)\n"
        "        build(config, dirty=True)\n"
        "        walls.append(time.perf_counter() - start)\n"
        "        assert page.read_text() != before, 'the edited page was not built again'\n"
        "        plugin = next(p for p in config.plugins.values()\n"
        "                      if isinstance(p, OwnbookPlugin))\n"
        "        t = plugin.timings\n"
        "        owns.append(t['on_config'] + t['on_files'] + t['downloads_wait']\n"
        "                    + t.get('search_wait', 0))\n"
        "    path.write_text(text)\n"
        "    config.plugins.on_shutdown()\n"
        "    print(json.dumps({'rebuild_own': statistics.median(owns),\n"
        "                      'rebuild_wall': statistics.median(walls)}))\n"
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


def _s(r: dict[str, float], key: str, digits: int = 1) -> str:
    return f"{r[key]:.{digits}f} s" if key in r else "n/a"


def table(rows: dict[str, dict[str, float]]) -> str:
    head = (
        "| size | stages/teams/activities | pages | load+validate | pages | diagrams cold | "
        "ownbook build | plain mkdocs | sphinx-needs | baseline build | ownbook check | "
        "agenraci | own share | peak MB | serve rebuild: own | serve rebuild: page served |"
    )
    lines = [head, "|" + "---|" * 16]
    for name, r in rows.items():
        s = SIZES[name]
        lines.append(
            f"| {name} | {s[0]}/{s[1]}/{s[2]} | {r['page_count']:.0f} | {r['load']:.2f} s | "
            f"{r['pages']:.2f} s | {r['diagrams_cold']:.2f} s | "
            f"{r['build']:.1f} s | {_s(r, 'plain_build')} | {_s(r, 'sphinx_needs')} | "
            f"{_s(r, 'baseline_build')} | {_s(r, 'check', 2)} | {_s(r, 'agenraci', 2)} | "
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

    for size, r in rows.items():
        if "sphinx_needs" in r:
            ratio = r["build"] / r["sphinx_needs"]
            shown = f"{ratio:.2f}x ({r['build']:.1f} s vs {r['sphinx_needs']:.1f} s)"
            check(f"build at {size} at most 0.8x sphinx-needs' time", ratio, 0.8, shown)
        if "baseline_build" in r:
            speedup = r["baseline_build"] / r["build"]
            verdict = "met" if speedup >= 1.6 else f"missed by {1 - speedup / 1.6:.0%}"
            lines.append(
                f"| build at {size} at least 1.6x faster than {peers.BASELINE} | "
                f"{speedup:.2f}x ({r['baseline_build']:.1f} s → {r['build']:.1f} s) | {verdict} |"
            )
    if "XL" in rows:
        r = rows["XL"]
        if "agenraci" in r:
            ratio = r["check"] / r["agenraci"]
            shown = f"{ratio:.2f}x ({r['check']:.2f} s vs {r['agenraci']:.2f} s)"
            check("`ownbook check` at XL at most 0.4x agenraci's time", ratio, 0.4, shown)
        check("peak memory at XL at most 400 MB", r["build_mb"], 400, f"{r['build_mb']:.0f} MB")
    if "L" in rows:
        wall = rows["L"]["rebuild_wall"]
        name = "serve at L: the edited page written within 3 s of the save"
        check(name, wall, 3.0, f"{wall:.1f} s")
    if "L" in rows and "XL" in rows:
        growth = (rows["XL"]["build"] / rows["L"]["build"]) / (
            rows["XL"]["activities"] / rows["L"]["activities"]
        )
        check("L to XL: time growth at most 1.2x the model's", growth, 1.2, f"{growth:.2f}")
    for size, r in rows.items():
        if "plain_build" not in r:
            continue
        ratio = r["build"] / r["plain_build"]
        lines.append(f"| (for the record) build at {size} / plain MkDocs | {ratio:.2f}x | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--peer-sizes", default="L", help="sizes sphinx-needs, baseline run")
    parser.add_argument("--no-floor", action="store_true", help="skip the plain mkdocs build")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sizes.split(","):
            with_peers = name in args.peer_sizes.split(",")
            rows[name] = measure(
                name, SIZES[name], Path(tmp), with_peers=with_peers, floor=not args.no_floor
            )
            print(f"{name}: {json.dumps(rows[name])}", file=sys.stderr, flush=True)
    text = (
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, with `python -m benchmarks.run "
        f"--sizes {args.sizes} --peer-sizes {args.peer_sizes}`; peers: "
        f"{', '.join(peers.PEERS)} (in {peers.PEER_VENV.name}), baseline: commit "
        f"{peers.BASELINE} (in {peers.BASE_VENV.name}).\n\n{table(rows)}\n"
        f"\n## Targets\n\n{targets(rows)}\n\n{LEGEND}\n"
    )
    print(text)
    if args.out:
        args.out.write_text("# Benchmark results\n\n" + text)


if __name__ == "__main__":
    main()
