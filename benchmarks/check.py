"""`ownbook check` beside agenraci validating the same model as a charter, in one run: prints
both times and their ratio (issue 18's target: check at most 0.4x agenraci's time at XL).

    python -m benchmarks.check [--size XL] [--rounds 5]

The two commands take turns, each a fresh process, and the best of `--rounds` is kept: a
2-core machine's timings vary by 10% from run to run. The target is on wall time; the CPU
time (user + system, read with wait4) is printed beside it because it barely moves when
another job shares the machine, and a wall-time ratio taken on a loaded machine does not
say much. Also prints load + validate alone, in this process. Prints figures; it is not a
timed test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ownbook.model.load import load_model

from benchmarks import peers
from benchmarks.run import ENV, SIZES, TODAY, project

TARGET = 0.4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="XL")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    python = peers.peer_python()
    if python is None:
        raise SystemExit("agenraci could not be installed into .bench-venv")
    with tempfile.TemporaryDirectory() as tmp:
        proj = project(Path(tmp) / args.size, SIZES[args.size])
        loads = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            checked = load_model(proj / "content", today=TODAY)
            loads.append(time.perf_counter() - start)
        assert checked.model is not None, [p.format() for p in checked.problems[:3]]
        charter = peers.write_charter(checked.model, Path(tmp) / "charter.yaml")
        check = [sys.executable, "-m", "ownbook", "check", "content"]
        agenraci = [str(python.parent / "agenraci"), "validate", str(charter)]
        own, peer = [], []
        for _ in range(args.rounds):  # in turns, so that a busy spell slows both
            own.append(_timed(check, proj))
            peer.append(_timed(agenraci, Path(tmp)))
    stages, teams, activities = SIZES[args.size]
    print(f"model {args.size}: {stages} stages, {teams} teams, {activities} activities")
    print(f"load + validate (in process): best {min(loads):.3f} s of {args.rounds}")
    for what, index in (("wall", 0), ("cpu", 1)):
        mine, theirs = min(t[index] for t in own), min(t[index] for t in peer)
        ratio = mine / theirs
        verdict = "met" if ratio <= TARGET else f"missed by {ratio / TARGET - 1:.0%}"
        print(
            f"{what}: ownbook check {mine:.3f} s, agenraci validate {theirs:.3f} s "
            f"(best of {args.rounds}): {ratio:.2f}x, target at most {TARGET}x {verdict}"
        )


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed")
    return wall, usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
