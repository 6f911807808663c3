"""Work for an idle core: run a function in another process while MkDocs renders pages.

MkDocs renders pages on one core. Whole-model outputs that are needed only when files are
copied (the downloads) can be made meanwhile on another. A forked child inherits the model
as it is in memory, so nothing but the result crosses between the processes. Where fork is
not available (Windows), or when other threads run (`serve`'s server: forking a threaded
process can deadlock the child), the function simply runs in this process.

A `Worker` is a process kept for many calls, which keeps a state of its own between them:
`serve`'s (spawned, kept across rebuilds, ending when `serve` does) makes the downloads
beside the server thread; the search index's parses pages as MkDocs renders them. No state
lives at module level: a forked child gets its function as the target of its `Process`,
and a worker's state is a local of its loop.
"""

from __future__ import annotations

import array
import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

try:
    import fcntl
    import termios
except ImportError:  # Windows
    fcntl = termios = None  # type: ignore[assignment]

PIPE_BYTES = 1 << 20  # what a worker's request pipe holds, where the system allows
PARENT_POLL_S = 0.5  # how often a worker looks whether `serve` is still there
_WAIT_S = 0.5  # a waiting caller looks again at least this often (a reply read by another)

S = TypeVar("S")


def in_background(fn: Callable[[], Any]) -> Future[Any]:
    """Start `fn()` in a forked child; the future gives its result (or raises its error)."""
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _run_here(fn)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            reply: tuple[bool, Any] = (True, fn())
        except BaseException as exc:
            reply = (False, exc)
        send.send(reply)

    process = context.Process(target=child, daemon=True)
    process.start()  # forks now: the child has `fn` and all it refers to
    send.close()
    return _Reply(receive, process)


class _Reply(Future[Any]):
    """A child's reply, read from its pipe when it is asked for (no thread waits for it).
    A child that dies without replying raises `BrokenProcessPool`, as a dead pool's
    worker does."""

    def __init__(self, receive: Connection, process: BaseProcess | None = None) -> None:
        super().__init__()
        self._receive = receive
        self._process = process

    def done(self) -> bool:
        self._collect(0)
        return super().done()

    def result(self, timeout: float | None = None) -> Any:
        self._collect(timeout)
        return super().result(timeout=0)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._collect(timeout)
        return super().exception(timeout=0)

    def _collect(self, timeout: float | None) -> None:
        if super().done() or not self._receive.poll(timeout):
            return
        try:
            ok, value = self._receive.recv()
        except (EOFError, OSError):
            ok, value = False, BrokenProcessPool("the worker process ended without a reply")
        self._receive.close()
        if self._process is not None:
            self._process.join()
        if ok:
            self.set_result(value)
        else:
            self.set_exception(value)


class Worker(Generic[S]):
    """One process of its own, started once and kept (for `serve`, whose builds run beside a
    server thread and so cannot fork). It calls module-level functions as `fn(state,
    *args)`, their arguments and result pickled; `state` is made once in the process by
    `make_state` and kept there between calls. Replies come back in the order of the calls.
    If the process has died, its unanswered calls raise `BrokenProcessPool` and the next
    call starts another; where no process can be started, calls run here (with a state of
    their own)."""

    def __init__(
        self, make_state: Callable[[], S], *, fork: bool = False, prefetch: bool = False
    ) -> None:
        # fork: start the process as a copy of this one (quick, nothing to import again),
        # where that is safe (no other thread runs); else it is spawned.
        # prefetch: the process reads each request as soon as it comes, while it works on
        # an earlier one, so its pipe is always empty and no send waits (the requests wait
        # in its memory instead of in the caller's).
        self._make_state = make_state
        self._fork = fork
        self._prefetch = prefetch
        self._process: BaseProcess | None = None
        self._requests: Connection | None = None
        self._replies: Connection | None = None
        self._waiting: deque[Future[Any]] = deque()
        self._lock = threading.RLock()
        self._local_state: S | None = None
        self._capacity = 0  # what the request pipe holds

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        with self._lock:
            for _ in range(2):
                if self._process is None or not self._process.is_alive():
                    self._start()
                if self._requests is None:
                    break
                try:
                    self._requests.send((fn, args))
                except (BrokenPipeError, OSError):
                    self._stop()  # and start a new one
                    continue
                future = _Queued(self)
                self._waiting.append(future)
                return future
        if self._local_state is None:
            self._local_state = self._make_state()
        state = self._local_state
        return _run_here(lambda: fn(state, *args))

    @property
    def capacity(self) -> int:
        """What the running process's request pipe holds, in bytes (0: unknown)."""
        return self._capacity if self.running else 0

    def room(self) -> int:
        """How many bytes of requests can be sent now without waiting for the worker to
        read them: the pipe's free space (0 where that cannot be known)."""
        with self._lock:
            if self._requests is None or fcntl is None or termios is None:
                return 0
            unread = array.array("i", [0])
            try:
                fcntl.ioctl(self._requests.fileno(), termios.FIONREAD, unread)
            except OSError:
                return 0
            return max(0, self._capacity - unread[0])

    def start(self) -> None:
        """Start the process now (a forked one is then a copy of this one as it is now, not
        as it will be after the caller has grown)."""
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()

    def drain(self) -> None:
        """Read the replies that have come, without waiting. A caller that sends many calls
        before it asks for any answer calls this between them: unread replies would fill
        the pipe and stop the worker, and then the caller's next send."""
        if self._waiting:
            self.collect(self._waiting[-1], 0)

    @property
    def running(self) -> bool:
        """Whether calls go to a process of its own (not run here)."""
        return self._process is not None and self._process.is_alive()

    def collect(self, future: Future[Any], timeout: float | None) -> None:
        """Read replies, oldest call first, until `future` has its own (or `timeout`).

        The lock is held only to read a reply that has come, never while waiting for one:
        a thread waiting for the last build's downloads must not hold up the next build's
        call."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                replies = self._replies
                if future not in self._waiting or replies is None:
                    return
                try:
                    if replies.poll(0):
                        ok, value = replies.recv()
                        oldest = self._waiting.popleft()
                        if ok:
                            oldest.set_result(value)
                        else:
                            oldest.set_exception(value)
                        continue
                except (EOFError, OSError):
                    self._stop()
                    return
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return
            # wait for the next reply, without the lock; closed meanwhile by `close`, the
            # connection is looked at again under the lock
            with contextlib.suppress(OSError, ValueError):
                wait([replies], timeout=_WAIT_S if left is None else min(left, _WAIT_S))

    def _start(self) -> None:
        self._stop()
        forkable = threading.active_count() == 1
        forkable = forkable and "fork" in multiprocessing.get_all_start_methods()
        context: ForkContext | SpawnContext = (
            multiprocessing.get_context("fork")
            if self._fork and forkable
            else multiprocessing.get_context("spawn")
        )
        try:
            requests_in, requests_out = context.Pipe(duplex=False)
            replies_in, replies_out = context.Pipe(duplex=False)
            capacity = _widen(requests_out)
            process = context.Process(
                target=_serve,
                args=(requests_in, replies_out, os.getpid(), self._make_state, self._prefetch),
                daemon=True,
            )
            process.start()
        except (RuntimeError, OSError):
            return
        requests_in.close()
        replies_out.close()
        self._process, self._requests, self._replies = process, requests_out, replies_in
        self._capacity = capacity

    def _stop(self) -> None:
        """End the process; its unanswered calls fail as a dead pool's do."""
        for conn in (self._requests, self._replies):
            if conn is not None:
                conn.close()
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)  # reaped: no zombie is left behind
        self._process = self._requests = self._replies = None
        while self._waiting:
            self._waiting.popleft().set_exception(
                BrokenProcessPool("the worker process ended before it replied")
            )

    def close(self) -> None:
        with self._lock:
            self._stop()


class _Queued(Future[Any]):
    """A call to a `Worker`, answered when its reply is read (no thread waits for it)."""

    def __init__(self, worker: Worker[Any]) -> None:
        super().__init__()
        self._worker = worker

    def done(self) -> bool:
        self._worker.collect(self, 0)
        return super().done()

    def result(self, timeout: float | None = None) -> Any:
        self._worker.collect(self, timeout)
        return super().result(timeout=0)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._worker.collect(self, timeout)
        return super().exception(timeout=0)


def _serve(
    requests: Connection,
    replies: Connection,
    parent: int,
    make_state: Callable[[], Any],
    prefetch: bool,
) -> None:
    """The worker's loop: its state is this function's own, for as long as it runs."""
    _exit_with_parent(parent)
    state = make_state()
    receive = _prefetched(requests) if prefetch else requests.recv
    while True:
        try:
            fn, args = receive()
        except (EOFError, OSError):
            return  # `serve` closed the worker
        try:
            reply: tuple[bool, Any] = (True, fn(state, *args))
        except Exception as exc:
            reply = (False, exc)
        try:
            replies.send(reply)
        except (BrokenPipeError, OSError):
            return


def _prefetched(requests: Connection) -> Callable[[], Any]:
    """In the worker: a thread reads the requests as they come; the loop takes them from
    it in order (the end of the pipe, or its error, comes last, as raised)."""
    inbox: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                inbox.put((True, requests.recv()))
            except (EOFError, OSError) as exc:
                inbox.put((False, exc))
                return

    threading.Thread(target=read, name="ownbook-requests", daemon=True).start()

    def receive() -> Any:
        ok, value = inbox.get()
        if not ok:
            raise value
        return value

    return receive


def _exit_with_parent(parent: int) -> None:
    """In the worker: end when `serve` ends, however it ends. A killed parent runs no
    shutdown, and the worker would otherwise wait for requests forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="ownbook-parent-watch", daemon=True).start()


def _widen(pipe: Connection) -> int:
    """Let a pipe hold a megabyte (Linux; else its default): a caller that sends a batch
    of large requests waits only when the worker is that far behind. Returns what it
    holds (0: unknown)."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    getsize = getattr(fcntl, "F_GETPIPE_SZ", None) if fcntl is not None else None
    if fcntl is None or setsize is None or getsize is None:
        return 0
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), setsize, PIPE_BYTES)
    try:
        return int(fcntl.fcntl(pipe.fileno(), getsize))
    except OSError:
        return 0


def _run_here(fn: Callable[[], Any]) -> Future[Any]:
    done: Future[Any] = Future()
    try:
        done.set_result(fn())
    except Exception as exc:
        done.set_exception(exc)
    return done


def process_id(_state: object) -> int:
    """The process a `Worker` call runs in: what the tests ask a worker to tell."""
    return os.getpid()
