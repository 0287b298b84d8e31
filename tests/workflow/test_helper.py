"""The helper process that draws figures during a build."""

from __future__ import annotations

import os
import pickle

import pytest

from tomas_pipeline import helper
from tomas_pipeline.core.errors import ParseError, TomasInputError, TomasInputErrors


def _broken_warm_up(parent: int) -> None:
    raise ImportError("matplotlib is not installed")


def _fail(path: str) -> None:
    raise TomasInputError(path, 7, "max_months", "-3", "a penalty of at least 0 months")


@pytest.fixture
def started():
    helper.start(wait=True)
    try:
        yield
    finally:
        helper.stop()


def test_without_a_helper_work_runs_here():
    assert not helper.ready()
    assert helper.run(os.getpid) == os.getpid()


def test_with_a_helper_work_runs_in_another_process(started):
    assert helper.ready()
    assert helper.run(os.getpid) != os.getpid()


def test_work_waits_for_a_helper_that_is_still_starting():
    helper.start()  # not waiting: the helper is still starting Python and importing matplotlib
    try:
        assert not helper.ready()
        assert helper.run(os.getpid) != os.getpid()
        assert helper.ready()
    finally:
        helper.stop()


def test_a_helper_that_cannot_start_leaves_work_here(monkeypatch):
    monkeypatch.setattr(helper, "_warm_up", _broken_warm_up)
    helper.start()
    try:
        assert helper.run(os.getpid) == os.getpid()
        assert not helper.ready()
    finally:
        helper.stop()


def test_stop_returns_to_running_here(started):
    helper.stop()
    assert not helper.ready()
    assert helper.run(os.getpid) == os.getpid()


@pytest.mark.parametrize("error", [
    TomasInputError("a.csv", 2, "year", "20x4", "a year"),
    TomasInputErrors([TomasInputError("a.csv", 2, "year", "20x4", "a year"),
                      TomasInputError("b.csv", None, None, "missing file", "the table")]),
    ParseError("12 moons", "a duration"),
])
def test_input_errors_pickle(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)


PARENT = """
import os, sys, time
from tomas_pipeline import helper
if __name__ == "__main__":
    helper.start(wait=True)
    print(helper.run(os.getpid), flush=True)
    time.sleep(60)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            return any(line.startswith("State:") and "Z" in line for line in status)  # a zombie has exited
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_the_helper_exits_when_the_build_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)  # no shutdown message, no atexit
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _gone(child)
    finally:
        parent.kill()
