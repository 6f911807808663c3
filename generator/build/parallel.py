"""Work for an idle core: run a function in a forked process while MkDocs renders pages.

MkDocs renders pages on one core. Whole-model outputs that are needed only when files are
copied (the downloads) can be made meanwhile on another. A forked child inherits the model
as it is in memory, so nothing but the result crosses between the processes. Where fork is
not available (Windows), or when other threads run (`serve`'s server: forking a threaded
process can deadlock the child), the function simply runs in this process.

`serve` has its own `Worker` instead: a spawned process kept across rebuilds, which ends
when `serve` does.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

PARENT_POLL_S = 0.5  # how often a worker looks whether `serve` is still there

# The function the next forked worker runs: set just before the fork, read in the child.
_pending: Callable[[], Any] | None = None


def _run_pending() -> Any:
    assert _pending is not None
    return _pending()


def in_background(fn: Callable[[], Any]) -> Future[Any]:
    """Start `fn()` in a child process; the future gives its result (or raises its error)."""
    global _pending
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _run_here(fn)
    _pending = fn
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_run_pending)  # forks now: the child sees `_pending`
    finally:
        _pending = None
    pool.shutdown(wait=False)  # the worker exits once its one task is done
    return future


class Worker:
    """One process of its own, started once and kept (for `serve`, whose builds run beside a
    server thread and so cannot fork): it runs module-level functions, whose arguments and
    result are pickled. If the process has died, the next call starts another; where no
    process can be started, calls run here."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        for _ in range(2):
            try:
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(
                        max_workers=1,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_exit_with_parent,
                        initargs=(os.getpid(),),
                    )
                return self._pool.submit(fn, *args)
            except BrokenProcessPool:
                self.close()  # and start a new one
            except (RuntimeError, OSError):
                break
        self.close()
        return _run_here(fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _exit_with_parent(parent: int) -> None:
    """In the worker: end when `serve` ends, however it ends. A killed parent runs no
    shutdown, and the worker, which holds both ends of its own task queue, would wait for
    tasks forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="ownbook-parent-watch", daemon=True).start()


def _run_here(fn: Callable[..., Any], *args: Any) -> Future[Any]:
    done: Future[Any] = Future()
    try:
        done.set_result(fn(*args))
    except Exception as exc:
        done.set_exception(exc)
    return done
