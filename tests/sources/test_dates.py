"""Dates: every accepted form, precision kept, impossible dates refused."""

import calendar
import datetime as dt

import pandas as pd
import pytest
from conftest import TESTS
from hypothesis import given
from hypothesis import strategies as st

from tomas_pipeline.core.errors import ParseError, TomasInputErrors
from tomas_pipeline.sources.dates import PartialDate, check_order, parse_date, parse_date_column

RAW = TESTS.parent / "data" / "raw"

days = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2100, 12, 31))


def _render_day(d: dt.date, style: int) -> str:
    month = calendar.month_name[d.month]
    return [
        d.isoformat(),
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}.{d.month}.{d.year}",
        f"{d.day:02d}-{d.month:02d}-{d.year}",
        f"{d.day} {month} {d.year}",
        f"{month} {d.day}, {d.year}",
        f"{d.day}th {calendar.month_abbr[d.month]} {d.year}",
        f"  {month.upper()}   {d.day}  {d.year} ",
        f"{d.day}. {d.month}. {d.year}.",
    ][style]


@given(days, st.integers(0, 8))
def test_day_forms_round_trip_to_iso(d, style):
    parsed = parse_date(_render_day(d, style))
    assert parsed.iso == d.isoformat()
    assert parsed.precision == "day"


@given(days, st.sampled_from(["{y}-{m:02d}", "{name} {y}", "{abbr}. {y}", "{name}, {y}"]))
def test_month_forms_keep_month_precision(d, form):
    text = form.format(y=d.year, m=d.month, name=calendar.month_name[d.month], abbr=calendar.month_abbr[d.month])
    parsed = parse_date(text)
    assert parsed.iso == f"{d.year:04d}-{d.month:02d}"
    assert parsed.precision == "month"
    assert parsed.day is None  # never padded into a false day


@given(st.integers(1800, 2100))
def test_year_alone_is_year_precision(year):
    parsed = parse_date(str(year))
    assert (parsed.iso, parsed.precision, parsed.month) == (f"{year:04d}", "year", None)


@given(st.integers(1800, 2100), st.integers(1, 12), st.integers(29, 40))
def test_days_past_month_end_always_raise(year, month, day):
    if day <= calendar.monthrange(year, month)[1]:
        return
    with pytest.raises(ParseError):
        parse_date(f"{day:02d}/{month:02d}/{year}")


@given(st.integers(1, 31), st.integers(13, 99), st.integers(1800, 2100))
def test_month_above_12_always_raises(day, month, year):
    with pytest.raises(ParseError):
        parse_date(f"{day}.{month}.{year}")


@given(st.one_of(st.integers(0, 1799), st.integers(2101, 9999)))
def test_year_outside_range_raises(year):
    with pytest.raises(ParseError):
        parse_date(f"{year:04d}-01-01")


@given(days, days)
def test_definitely_before_agrees_with_calendar_at_day_precision(a, b):
    pa, pb = parse_date(a.isoformat()), parse_date(b.isoformat())
    assert pa.definitely_before(pb) == (a < b)


@given(days)
def test_a_month_and_its_days_are_undecidable(d):
    month = PartialDate(d.year, d.month)
    day = PartialDate(d.year, d.month, d.day)
    last = calendar.monthrange(d.year, d.month)[1]
    # Only the month's first day rules out "before"; only its last rules out "after".
    assert month.definitely_before(day) is (False if d.day == 1 else None)
    assert day.definitely_before(month) is (False if d.day == last else None)
    # Ratified on the month's last day: on or after any day the signature can mean.
    assert check_order(month, day) is (True if d.day == last else None)


def test_day_first_always():
    assert parse_date("04/05/2009").iso == "2009-05-04"
    with pytest.raises(ParseError):
        parse_date("05/31/2009")  # US month-first is not accepted


@pytest.mark.parametrize("text", ["31/02/2009", "2009-13", "30 February 2009", "1799", "14/04/09", "Aprile 2009",
                                  "14 Smarch 2009", "", "2009/04/14", "14/04-2009", "next year"])
def test_unreadable_dates_raise_with_formats(text):
    with pytest.raises(ParseError) as info:
        parse_date(text)
    assert "DD/MM/YYYY" in info.value.expected


def test_leap_day():
    assert parse_date("29.02.2008").iso == "2008-02-29"
    with pytest.raises(ParseError):
        parse_date("29.02.2009")


def test_paper_strings():
    # From the seed paper: "ratified the Convention on April 14, 2009".
    assert parse_date("April 14, 2009") == PartialDate(2009, 4, 14)
    assert parse_date("September 1, 2009").precision == "day"
    assert parse_date("2009").precision == "year"


def test_ratification_before_signature_is_detected():
    signed, ratified = parse_date("14/04/2009"), parse_date("2008")
    assert check_order(signed, ratified) is False
    assert check_order(parse_date("2005"), parse_date("14 April 2009")) is True
    assert check_order(parse_date("2009"), parse_date("April 2009")) is None
    # The same day is in order (signature without reservation of ratification).
    assert check_order(parse_date("2009-04-14"), parse_date("14.04.2009")) is True


def test_sort_key_orders_coarse_before_fine():
    dates = [parse_date(t) for t in ["2009-04-14", "2009", "2008-12", "2009-04"]]
    assert [d.iso for d in sorted(dates, key=PartialDate.sort_key)] == ["2008-12", "2009", "2009-04", "2009-04-14"]


def test_column_adds_iso_and_precision_and_keeps_empty():
    frame = pd.DataFrame({"date": ["14/04/2009", "April 2009", None, "2009"]})
    out = parse_date_column(frame, "date", "treaty_actions.csv")
    assert out["date_iso"].tolist()[:2] == ["2009-04-14", "2009-04"]
    assert pd.isna(out["date_iso"][2])
    assert out["date_precision"].tolist()[3] == "year"
    assert len(out) == len(frame)


def test_column_collects_every_bad_cell():
    frame = pd.DataFrame({"date": ["31/02/2009", "2009", "soon"]})
    with pytest.raises(TomasInputErrors) as info:
        parse_date_column(frame, "date", "treaty_actions.csv")
    errors = info.value.errors
    assert [(e.row, e.column, e.value) for e in errors] == [(2, "date", "31/02/2009"), (4, "date", "soon")]
    assert all(e.file == "treaty_actions.csv" for e in errors)


@pytest.mark.parametrize("name, column", [("treaty_actions.csv", "date"), ("instruments.csv", "opened"),
                                          ("instruments.csv", "in_force")])
def test_every_date_in_raw_tables_parses(name, column):
    path = RAW / name
    if not path.exists():
        pytest.skip(f"{name} not yet curated")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    out = parse_date_column(frame, column, name)
    filled = frame[column].notna()
    assert out.loc[filled, f"{column}_iso"].notna().all()
    assert set(out.loc[filled, f"{column}_precision"]) <= {"year", "month", "day"}
