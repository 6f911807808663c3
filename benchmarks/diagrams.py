"""Time to draw every diagram of a large model, cold (empty cache) and warm (all cached).

    python -m benchmarks.diagrams [--teams 200] [--activities 5000]

Prints figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from ownbook.model.load import load_model
from ownbook.render import RenderOptions, diagram_sources
from ownbook.render.pages import page_graphs
from ownbook.render.svg import SvgCache, current_renderer, render_svgs

from benchmarks.synth import write_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stages", type=int, default=12)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--activities", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_model(
            Path(tmp) / "content",
            stages=args.stages,
            teams=args.teams,
            activities=args.activities,
        )
        model = load_model(root, today=dt.date(2026, 11, 22)).model
        assert model is not None
        options = RenderOptions(today=dt.date(2026, 11, 22))
        start = time.perf_counter()
        dots = diagram_sources(model, options)
        build_s = time.perf_counter() - start
        graphs = page_graphs(model)
        biggest = max(len(g.nodes) for _, g in graphs)
        summarised = sum(1 for _, g in graphs if g.note)
        renderer = current_renderer()
        cache_dir = Path(tmp) / "cache"
        cold = SvgCache(cache_dir)
        start = time.perf_counter()
        render_svgs(dots, cold, renderer)
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        render_svgs(dots, cold, renderer)
        warm_memory_s = time.perf_counter() - start
        disk = SvgCache(cache_dir)
        start = time.perf_counter()
        render_svgs(dots, disk, renderer)
        warm_disk_s = time.perf_counter() - start
    print(f"renderer: {renderer.version} ({renderer.path}), {os.cpu_count()} cores")
    print(f"model: {args.stages} stages, {args.teams} teams, {args.activities} activities")
    print(f"diagrams: {len(dots)} (largest {biggest} nodes, {summarised} summarised)")
    print(f"graphs + DOT:           {build_s:7.2f} s")
    print(f"cold render:            {cold_s:7.2f} s ({cold.renders} renderer runs)")
    print(f"warm, memory cache:     {warm_memory_s:7.3f} s ({cold.renders - len(set(dots))} more)")
    print(f"warm, disk cache:       {warm_disk_s:7.3f} s ({disk.renders} renderer runs)")


if __name__ == "__main__":
    main()
