"""Time to load and validate a large model: prints the figures (not a timed test).

python -m benchmarks.load_validate [--teams 200] [--activities 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from ownbook.model.load import load_model

from benchmarks.synth import write_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stages", type=int, default=12)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = write_model(
            Path(tmp) / "content",
            stages=args.stages,
            teams=args.teams,
            activities=args.activities,
            faqs=args.activities // 10,
        )
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            checked = load_model(root, today=dt.date(2026, 11, 22))
            times.append(time.perf_counter() - start)
        assert checked.model is not None, [p.format() for p in checked.problems[:5]]
        print(
            f"model: {args.stages} stages, {args.teams} teams, {args.activities} activities, "
            f"{args.activities // 10} FAQs, {size / 1e6:.1f} MB of YAML"
        )
        print(f"problems: {len(checked.problems)}")
        print(
            f"load + validate: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
            f"over {args.repeat} runs"
        )


if __name__ == "__main__":
    main()
