"""The helper process that draws figures during a build."""

from __future__ import annotations

import os
import pickle

import pytest

from tomas_pipeline import helper
from tomas_pipeline.errors import ParseError, TomasInputError, TomasInputErrors


def _broken_warm_up() -> None:
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
