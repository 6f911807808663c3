"""`in_background`: the result or the error of a function run in a forked process."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from generator.parallel import in_background


def test_runs_in_another_process_with_inherited_data() -> None:
    data = {"rows": list(range(1000))}  # not pickled on the way in: the child inherits it
    future = in_background(lambda: (os.getpid(), sum(data["rows"])))
    pid, total = future.result(timeout=60)
    assert pid != os.getpid()
    assert total == 499500


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
