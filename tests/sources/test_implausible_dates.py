"""Dates that cannot be true are refused with their cell; a row's date decides
which historical state its name meant."""

from __future__ import annotations

import datetime as dt

import pytest
from buildkit import edit_cells, read_rows

from tomas_pipeline.core.errors import TomasInputErrors
from tomas_pipeline.sources.normalise import make_table, validate_all

BUILD_DAY = dt.date(2026, 12, 1)


def _row(raw, table, **match) -> int:
    rows = read_rows(raw / table)
    return next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items()))


def _refused(raw, table, index, column, value, expected_part):
    edit_cells(raw / table, [(index, column, value)])
    name = table.removesuffix(".csv")
    name = {"provisions": "penalties"}.get(name, name)  # provisions.csv feeds the penalties table
    with pytest.raises(TomasInputErrors) as caught:
        make_table(name, raw, build_date=BUILD_DAY)
    messages = [e.message() for e in caught.value.errors]
    hit = [m for m in messages if f"row {index + 2}" in m and column in m and value in m]
    assert hit, messages
    assert expected_part in hit[0]
    # validate (the command) refuses the same cell with the same words.
    with pytest.raises(TomasInputErrors) as again:
        validate_all(raw, ["RS", "AL", "MK"], [], build_date=BUILD_DAY)
    assert hit[0] in [e.message() for e in again.value.errors]


def test_a_ratification_in_2031_is_refused(raw_copy):
    index = _row(raw_copy, "treaty_actions.csv", country="Serbia", instrument="warsaw", action="ratification")
    _refused(raw_copy, "treaty_actions.csv", index, "date", "14 April 2031", "not after the build date (2026-12-01)")


@pytest.mark.parametrize("table, column", [("provisions.csv", "as_of"), ("legal_features.csv", "as_of"),
                                           ("institutions.csv", "established"), ("instruments.csv", "in_force")])
def test_every_dated_table_refuses_a_future_date(raw_copy, table, column):
    rows = read_rows(raw_copy / table)
    index = next(i for i, r in enumerate(rows) if r[column])
    _refused(raw_copy, table, index, column, "2030", "not after the build date")


def test_the_year_of_the_build_is_not_the_future(raw_copy):
    # "2026" may mean any day of the year, so it is not certainly after 1 December 2026.
    index = _row(raw_copy, "treaty_actions.csv", country="Serbia", instrument="lanzarote", action="ratification")
    edit_cells(raw_copy / "treaty_actions.csv", [(index, "date", "2026")])
    assert len(make_table("treaty_actions", raw_copy, build_date=BUILD_DAY))


def test_an_action_before_the_instrument_opened_is_refused(raw_copy):
    # The Lanzarote Convention opened for signature on 25 October 2007.
    index = _row(raw_copy, "treaty_actions.csv", country="Montenegro", instrument="lanzarote", action="ratification")
    _refused(raw_copy, "treaty_actions.csv", index, "date", "3 March 2006",
             "on or after lanzarote opened for signature (2007-10-25")


def test_a_ratification_after_its_own_entry_into_force_is_refused(raw_copy):
    # Serbia's Warsaw entry into force is 1 August 2009 in the same source.
    index = _row(raw_copy, "treaty_actions.csv", country="Serbia", instrument="warsaw", action="ratification",
                 source_id="coe_greta_serbia_page")
    _refused(raw_copy, "treaty_actions.csv", index, "date", "1 September 2009",
             "before the entry into force this source gives for it (2009-08-01)")


def test_a_succession_after_the_entry_into_force_it_dates_back_to_is_accepted(raw_copy):
    # Bosnia and Herzegovina notified succession to the CRC in 1993, effective from 6 March 1992.
    frame = make_table("treaty_actions", raw_copy, build_date=BUILD_DAY)
    rows = frame[(frame["country_iso2"] == "BA") & (frame["instrument"] == "uncrc")]
    assert set(rows["action"]) >= {"succession", "entry_into_force"}


def test_without_a_date_a_historical_name_is_ambiguous_and_with_one_it_resolves(raw_copy):
    index = _row(raw_copy, "treaty_actions.csv", country="Serbia", instrument="palermo",
                 source_id="ohchr_crc_c_srb_co_1")
    edit_cells(raw_copy / "treaty_actions.csv", [(index, "country", "Yugoslavia")])
    frame = make_table("treaty_actions", raw_copy, build_date=BUILD_DAY)
    row = frame[(frame["instrument"] == "palermo") & (frame["source_id"] == "ohchr_crc_c_srb_co_1")].iloc[0]
    # 6 September 2001: the Federal Republic of Yugoslavia, continued by Serbia.
    assert row["country_iso2"] == "RS"
    assert "Federal Republic of Yugoslavia" in str(row["via_predecessor"])
    # A year that both Yugoslavias lived in leaves the name ambiguous.
    edit_cells(raw_copy / "treaty_actions.csv", [(index, "date", "1992")])
    with pytest.raises(TomasInputErrors) as caught:
        make_table("treaty_actions", raw_copy, build_date=BUILD_DAY)
    assert any("Yugoslavia" in e.message() and "country" in e.message() for e in caught.value.errors)
