"""Cell-level limits a raw table is read with."""

from __future__ import annotations

import pytest
from buildkit import edit_cells

from tomas_pipeline.core.errors import TomasInputErrors
from tomas_pipeline.sources.ingest import MAX_CHARS, load_table


def test_a_10000_character_name_is_refused_with_the_limit(raw_copy):
    edit_cells(raw_copy / "laws.csv", [(2, "law", "Law" + "w" * 9997)])
    with pytest.raises(TomasInputErrors) as caught:
        load_table(raw_copy, "laws.csv")
    message = caught.value.errors[0].message()
    assert "laws.csv" in message and "row 4" in message and "'law'" in message
    assert f"at most {MAX_CHARS} characters (this cell has 10,000)" in message
    # The message quotes the start of the cell, not all of it.
    assert len(message) < 400


def test_a_long_note_within_its_own_limit_is_accepted(raw_copy):
    edit_cells(raw_copy / "laws.csv", [(2, "note", "x" * 1999)])
    assert len(load_table(raw_copy, "laws.csv"))
