"""The helper process that draws figures during a build."""

from __future__ import annotations

import os
import pickle

import pytest

from tomas_pipeline import helper
from tomas_pipeline.errors import ParseError, TomasInputError, TomasInputErrors


def _fail(path: str) -> None:
    raise TomasInputError(path, 7, "max_months", "-3", "a penalty of at least 0 months")


@pytest.fixture
def started():
    helper.start()
    try:
        yield
    finally:
        helper.stop()


def test_without_a_helper_work_runs_here():
    assert not helper.running()
    assert helper.run(os.getpid) == os.getpid()


def test_with_a_helper_work_runs_in_another_process(started):
    assert helper.running()
    assert helper.run(os.getpid) != os.getpid()


def test_an_input_error_comes_back_whole(started):
    with pytest.raises(TomasInputError) as caught:
        helper.run(_fail, "data/raw/penalties.csv")
    err = caught.value
    assert (err.file, err.row, err.column, err.value) == ("data/raw/penalties.csv", 7, "max_months", "-3")
    assert "row 7, column 'max_months'" in str(err)


def test_stop_returns_to_running_here(started):
    helper.stop()
    assert not helper.running()
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
