"""Penalties: the phrasings codes and reports use -> months and flags."""


import pandas as pd
import pytest
from conftest import TESTS
from hypothesis import assume, given
from hypothesis import strategies as st

from tomas_pipeline.core.errors import ParseError, TomasInputErrors
from tomas_pipeline.sources.penalties import Penalty, parse_penalty, parse_penalty_column

RAW = TESTS.parent / "data" / "raw"
WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]

# A term as (number, unit); months = number * 12 for years.
terms = st.tuples(st.integers(1, 20), st.sampled_from(["years", "months"]))


def months(term):
    n, unit = term
    return n * (12 if unit == "years" else 1)


def say(term, words: bool):
    n, unit = term
    number = WORDS[n - 1] if words else str(n)
    return f"{number} {unit[:-1] if n == 1 else unit}"


@given(terms, terms, st.booleans(), st.sampled_from(["{a} to {b}", "from {a} to {b}", "{a} - {b}",
                                                     "between {a} and {b}", "imprisonment of {a} to {b}",
                                                     "{a}–{b}"]))
def test_ranges_parse_back(low, high, words, phrase):
    assume(months(low) <= months(high))
    parsed = parse_penalty(phrase.format(a=say(low, words), b=say(high, words)))
    assert (parsed.min_months, parsed.max_months) == (months(low), months(high))
    assert not parsed.life and not parsed.fine


@given(terms, terms)
def test_min_above_max_always_raises(low, high):
    assume(months(low) > months(high))
    with pytest.raises(ParseError) as info:
        parse_penalty(f"{say(low, False)} to {say(high, False)}")
    assert info.value.expected == "a minimum not above the maximum"


@given(st.integers(1, 20), st.integers(1, 20))
def test_shared_unit(a, b):
    assume(a <= b)
    assert parse_penalty(f"{a}-{b} years") == Penalty(a * 12, b * 12)
    assert parse_penalty(f"{WORDS[a - 1]} to {WORDS[b - 1]} years") == Penalty(a * 12, b * 12)


@given(terms, st.sampled_from(["up to {t}", "not more than {t}", "no more than {t}", "maximum of {t}",
                               "imprisonment up to {t}", "not exceeding {t}"]))
def test_upper_bounds(term, phrase):
    assert parse_penalty(phrase.format(t=say(term, True))) == Penalty(None, months(term))


@given(terms, st.sampled_from(["at least {t}", "not less than {t}", "minimum of {t}", "a minimum of {t}",
                               "{t} or more", "imprisonment of at least {t}"]))
def test_lower_bounds_never_invent_a_maximum(term, phrase):
    assert parse_penalty(phrase.format(t=say(term, False))) == Penalty(months(term), None)


@given(st.integers(1, 20), st.integers(1, 11))
def test_years_and_months_are_one_term(y, m):
    assert parse_penalty(f"{y} years and {m} months").max_months == y * 12 + m


@given(st.integers(-50, 0))
def test_zero_or_negative_raise(n):
    with pytest.raises(ParseError):
        parse_penalty(f"{n} years")


@pytest.mark.parametrize("text, expected", [
    # Phrasings from the seed paper and the issue.
    ("from 5 to 15 years", Penalty(60, 180)),
    ("10 to 20 years", Penalty(120, 240)),
    ("3 to 10 years", Penalty(36, 120)),
    ("at least 5 years", Penalty(60, None)),
    ("at least one year", Penalty(12, None)),
    ("six months", Penalty(6, 6)),
    ("six months to five years", Penalty(6, 60)),
    ("1-8 years", Penalty(12, 96)),
    ("up to 3 years", Penalty(None, 36)),
    ("not less than 5 years", Penalty(60, None)),
    ("1 year and 6 months", Penalty(18, 18)),
    ("life imprisonment", Penalty(None, None, life=True)),
    ("10 to 20 years or life imprisonment", Penalty(120, 240, life=True)),
    ("fine", Penalty(None, None, fine=True)),
    ("fine or imprisonment up to one year", Penalty(None, 12, fine=True)),
    ("fine or up to one year", Penalty(None, 12, fine=True)),
    ("imprisonment of six months to five years and a fine", Penalty(6, 60, fine=True)),
    ("from 10 years to life imprisonment", Penalty(120, None, life=True)),
    ("up to a year", Penalty(None, 12)),
    ("Imprisonment of 1.5 years", Penalty(18, 18)),
    ("1,5 years", Penalty(18, 18)),
    ("40 years", Penalty(480, 480)),
])
def test_known_phrasings(text, expected):
    assert parse_penalty(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "five", "3 to 10", "up to years", "probation", "-5 years",
                                  "2 years or 5 years", "10 to 3 years", "imprisonment", "three days",
                                  # Malformed spans are refused, never summed or re-read.
                                  "5 years 13 months", "5 years and 12 months", "1.5 years 6 months",
                                  "1,000 years", "up to 1,000 years", "60 years", "5 years 6 years",
                                  "1 to 5 years 3 years"])
def test_unreadable_penalties_raise(text):
    with pytest.raises(ParseError):
        parse_penalty(text)


def test_column_adds_fields_and_collects_errors():
    frame = pd.DataFrame({"penalty": ["3 to 10 years", None, "fine or up to one year"]})
    out = parse_penalty_column(frame, "penalty", "penalties.csv")
    assert out["max_months"].tolist()[0] == 120
    assert pd.isna(out["min_months"][1]) and pd.isna(out["life"][1])
    assert bool(out["fine"][2]) and not bool(out["fine"][0])
    bad = pd.DataFrame({"penalty": ["ten to three years", "1 year", "forever"]})
    with pytest.raises(TomasInputErrors) as info:
        parse_penalty_column(bad, "penalty", "penalties.csv")
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "penalty"), (4, "penalty")]
    assert info.value.errors[0].expected == "a minimum not above the maximum"


@pytest.mark.parametrize("name, column", [("provisions.csv", "penalty"), ("offences.csv", "directive_floor")])
def test_every_penalty_in_raw_tables_parses(name, column):
    path = RAW / name
    if not path.exists():
        pytest.skip(f"{name} not yet curated")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    out = parse_penalty_column(frame, column, name)
    for _, row in out[frame[column].notna()].iterrows():
        assert not (pd.isna(row["min_months"]) and pd.isna(row["max_months"])
                    and not row["life"] and not row["fine"]), row[column]
        if not pd.isna(row["min_months"]) and not pd.isna(row["max_months"]):
            assert row["min_months"] <= row["max_months"]


def test_between_years_and_months_is_a_range_not_one_term():
    # Hypothesis found this: "1 year and 12 months" alone is one compound term,
    # but after "between" the "and" separates the two ends of the range.
    assert parse_penalty("between 1 year and 12 months") == Penalty(12, 12)
    assert parse_penalty("between 1 year and 18 months") == Penalty(12, 18)
    assert parse_penalty("1 year and 6 months") == Penalty(18, 18)


@pytest.mark.parametrize("months, long, short", [
    (60, "5 years", "5 yr"), (12, "1 year", "1 yr"), (18, "1 year 6 months", "1 yr 6 mo"),
    (6, "6 months", "6 mo"), (1, "1 month", "1 mo"), (0.5, "0.5 months", "0.5 mo")])
def test_one_way_to_write_a_term(months, long, short):
    from tomas_pipeline.sources.penalties import describe_months

    assert describe_months(months) == long and describe_months(months, short=True) == short


def test_report_figures_and_release_notes_write_18_months_alike():
    """The three places a term is written use the one function."""
    from tomas_pipeline.release.changes import _months
    from tomas_pipeline.reporting.text import fmt_years

    assert fmt_years(18) == _months(18) == "1 year 6 months"


@given(st.integers(1, 40 * 12))
def test_a_written_term_parses_back_to_the_same_months(months):
    from tomas_pipeline.sources.penalties import describe_months

    assert parse_penalty(describe_months(months)).max_months == months
