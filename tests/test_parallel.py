"""`in_background`: the result or the error of a function run in a forked process."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from ownbook.build.parallel import in_background

CHILD = """
import os
import subprocess
import sys
from ownbook.build.parallel import in_background
data = {"rows": list(range(1000))}  # not pickled on the way in: the child inherits it
pid, total = in_background(lambda: (os.getpid(), sum(data["rows"]))).result(timeout=60)
print(pid != os.getpid(), total)
"""


def test_runs_in_another_process_with_inherited_data() -> None:
    # In a fresh interpreter: this one may still run other tests' threads.
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True)
    assert proc.stdout.split() == ["True", "499500"], proc.stderr


def test_an_error_in_the_child_is_raised_by_result() -> None:
    def fail() -> None:
        raise ValueError("bad model")

    with pytest.raises(ValueError, match="bad model"):
        in_background(fail).result(timeout=60)


def test_without_fork_the_function_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert in_background(os.getpid).result() == os.getpid()
    with pytest.raises(ZeroDivisionError):
        in_background(lambda: 1 / 0).result()


def test_with_other_threads_running_the_function_runs_here() -> None:
    stop = threading.Event()
    server = threading.Thread(target=stop.wait)  # like `serve`'s web server
    server.start()
    try:
        assert in_background(os.getpid).result() == os.getpid()
    finally:
        stop.set()
        server.join()


def test_the_worker_runs_in_its_own_process_and_outlives_its_death() -> None:
    """`serve`'s worker: a spawned process, kept; killed, the next call starts another."""
    import signal
    import time

    from ownbook.build.parallel import Worker, process_id

    worker = Worker(dict)
    try:
        first = worker.submit(process_id).result(timeout=60)
        assert first != os.getpid()
        assert worker.submit(process_id).result(timeout=60) == first  # the same process
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            try:
                second = worker.submit(process_id).result(timeout=60)
                break
            except Exception:  # the pool noticed the death after this call was queued
                assert time.monotonic() < deadline
        assert second not in (first, os.getpid())
    finally:
        worker.close()


ORPHAN = """
import os, signal
from ownbook.build.parallel import Worker, process_id
worker = Worker(dict)
print(worker.submit(process_id).result(timeout=60), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no shutdown runs: as when `serve` is killed
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its exit code is left


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_worker_ends_when_serve_is_killed() -> None:
    import time

    # Not subprocess.run: an orphaned worker would keep the output pipe open for ever.
    proc = subprocess.Popen(
        [sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    worker = int(proc.stdout.readline())
    proc.wait(timeout=60)
    proc.stdout.close()
    deadline = time.monotonic() + 20
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    outlived = _running(worker)
    if outlived:
        os.kill(worker, 9)
    assert not outlived, f"worker {worker} outlived its parent"


def _calls(state: dict[str, int]) -> int:
    state["calls"] = state.get("calls", 0) + 1
    return state["calls"]


def test_the_worker_keeps_its_state_between_calls_and_replies_in_order() -> None:
    """`serve`'s downloads reuse the worker's file cache: its state outlives each call, and
    two calls queued before either is read get their own replies."""
    from ownbook.build.parallel import Worker

    worker: Worker[dict[str, int]] = Worker(dict)
    try:
        first, second = worker.submit(_calls), worker.submit(_calls)
        assert second.result(timeout=60) == 2  # read past the first one's reply
        assert first.result(timeout=60) == 1
        assert worker.submit(_calls).result(timeout=60) == 3
    finally:
        worker.close()


def test_a_forked_child_that_dies_breaks_its_future() -> None:
    """The plugin then makes the downloads itself (it catches `BrokenProcessPool`)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os\n"
            "from concurrent.futures.process import BrokenProcessPool\n"
            "from ownbook.build.parallel import in_background\n"
            "try:\n"
            "    in_background(lambda: os._exit(3)).result(timeout=60)\n"
            "except BrokenProcessPool:\n"
            "    print('broken')\n",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.stdout.split() == ["broken"], proc.stderr


def _slow(_state: object, seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_a_caller_waiting_for_a_reply_does_not_hold_up_the_next_call() -> None:
    """`serve` writes the last build's downloads in a thread that waits for the worker;
    the next build's call is queued at once all the same."""
    import time

    from ownbook.build.parallel import Worker

    worker: Worker[dict[str, int]] = Worker(dict)
    try:
        worker.submit(_calls).result(timeout=60)  # the process is up
        slow = worker.submit(_slow, 2.0)
        waiter = threading.Thread(target=slow.result, kwargs={"timeout": 60})
        waiter.start()
        time.sleep(0.2)
        start = time.monotonic()
        queued = worker.submit(_calls)
        assert time.monotonic() - start < 1.0
        assert queued.result(timeout=60) == 2
        waiter.join()
        assert slow.result() == 2.0
    finally:
        worker.close()


def _sleep(_state: object, seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def _length(_state: object, payload: bytes) -> int:
    return len(payload)


def test_a_prefetching_worker_empties_its_pipe_while_it_works() -> None:
    """Under `serve` the search workers read each page as it comes: a large page sent while
    the worker parses another does not fill the pipe, so the next send does not wait."""
    import time

    from ownbook.build.parallel import Worker

    for prefetch in (False, True):
        worker: Worker[dict[str, int]] = Worker(dict, prefetch=prefetch)
        try:
            worker.start()
            busy = worker.submit(_sleep, 3.0)
            capacity = worker.capacity
            if not capacity:
                pytest.skip("the pipe's size cannot be known here")
            sent = worker.submit(_length, b"x" * (capacity // 2))
            deadline = time.monotonic() + 2.0
            while worker.room() < capacity and time.monotonic() < deadline:
                time.sleep(0.05)
            emptied = worker.room() == capacity
            assert emptied is prefetch
            assert not busy.done()  # still working on the first call meanwhile
            assert busy.result(timeout=60) == 3.0
            assert sent.result(timeout=60) == capacity // 2  # answered in order
        finally:
            worker.close()
