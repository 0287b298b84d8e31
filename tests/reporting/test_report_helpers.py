"""Report helpers that format processed data for the prose."""

import pandas as pd
import pytest

from tomas_pipeline import reporting as R


@pytest.fixture
def processed(tmp_path, monkeypatch):
    frame = pd.DataFrame([
        {"country_iso2": None, "scope": "global", "area": "World", "indicator": "ncmec_sextortion_reports",
         "year": 2022, "value": 10731.0, "unit": "reports", "preferred": True, "source_id": "s"},
        {"country_iso2": None, "scope": "global", "area": "World", "indicator": "ncmec_sextortion_reports",
         "year": 2023, "value": 26718.0, "unit": "reports", "preferred": True, "source_id": "s"},
    ])
    frame.to_csv(tmp_path / "statistics.csv", index=False)
    monkeypatch.setenv("TOMAS_PROCESSED_DIR", str(tmp_path))
    R.data._load.cache_clear()
    yield tmp_path
    R.data._load.cache_clear()


def test_stat_latest_year_and_named_year(processed):
    assert R.stat("ncmec_sextortion_reports", area="World") == "26,718"
    assert R.stat("ncmec_sextortion_reports", area="World", year=2022) == "10,731"


def test_stat_with_a_missing_year_stays_missing(processed):
    # A year that is itself missing text must not crash the report, nor pick a value.
    assert R.stat("ncmec_sextortion_reports", area="World", year=R.MISSING) == R.MISSING
    assert R.stat("no_such_indicator", area="World") == R.MISSING


def test_escape_makes_markup_inert():
    text = R.escape("<script>alert(1)</script> [@x] *y*")
    assert "<" not in text.replace("\\<", "")
    assert "\\@" in text and "\\*" in text


def test_instrument_adopted_date_is_read_as_the_source_writes_it(tmp_path, monkeypatch):
    # instruments.adopted is passed through unparsed by the normaliser; the helper reads it.
    pd.DataFrame([
        {"instrument_id": "uncrc", "short_name": "CRC", "title": "Convention on the Rights of the Child",
         "body": "UN", "adopted": "November 20th, 1989", "opened": None, "in_force": "1990-09-02",
         "source_id": "s"},
        {"instrument_id": "opsc", "short_name": "OPSC", "title": "Optional Protocol", "body": "UN",
         "adopted": None, "opened": None, "in_force": "2002-01-18", "source_id": "s"},
    ]).to_csv(tmp_path / "instruments.csv", index=False)
    monkeypatch.setenv("TOMAS_PROCESSED_DIR", str(tmp_path))
    R.data._load.cache_clear()
    try:
        assert R.instrument_field("uncrc", "adopted") == "20 November 1989"
        assert R.instrument_field("uncrc", "in_force") == "2 September 1990"
        assert R.instrument_field("opsc", "adopted") == R.MISSING
    finally:
        R.data._load.cache_clear()


def test_instruments_schema_rejects_an_unreadable_adoption_date():
    import pandera.errors

    from tomas_pipeline.sources.schemas import INSTRUMENTS_TABLE

    row = {"instrument_id": "uncrc", "short_name": "CRC", "title": "Convention on the Rights of the Child",
           "body": "UN", "reference": None, "adopted": "November 20th, 1989", "opened": None,
           "in_force": "September 2nd 1990", "source_id": "tomas2024"}
    INSTRUMENTS_TABLE.validate(pd.DataFrame([row]).astype("string"))
    with pytest.raises(pandera.errors.SchemaError):
        INSTRUMENTS_TABLE.validate(pd.DataFrame([{**row, "adopted": "late 1989"}]).astype("string"))


def test_civil_society_table_has_one_row_per_body_with_every_source(tmp_path, monkeypatch):
    from tomas_pipeline.reporting.tables import civil_society_table

    pd.DataFrame([{"iso2": "RS", "name": "Serbia", "focus": True, "comparison": True, "order": 0},
                  {"iso2": "MK", "name": "North Macedonia", "focus": True, "comparison": True, "order": 1},
                  ]).to_csv(tmp_path / "countries.csv", index=False)
    monkeypatch.setenv("TOMAS_PROCESSED_DIR", str(tmp_path))
    R.data._load.cache_clear()
    rows = [("RS", "hotline", "national hotline", "NetPatrola", True, "yes", None, "2013-08-22", "inhope", "yes"),
            ("RS", "hotline", "national hotline", "Net patrol", False, None, None, None, "about", "yes"),
            ("RS", "hotline", "national hotline", "NetPatrola", False, "no", None, None, "paper", "yes"),
            ("MK", "ecpat_member", "megjashi", "Megjashi – Embassy", True, None, None, None, "paper", "yes"),
            ("MK", "ecpat_member", "megjashi", "Megjashi Embassy", False, None, None, "2018-06", "kult", "yes"),
            ("MK", "hotline", "national hotline", "National hotline", True, None, None, None, "paper", "no")]
    frame = pd.DataFrame(rows, columns=["country_iso2", "kind", "body", "name", "preferred", "inhope_member",
                                        "inhope_since", "established", "source_id", "exists"])
    try:
        table = civil_society_table(frame)
    finally:
        R.data._load.cache_clear()
    body = [line for line in table.splitlines() if line.startswith("|")][2:]
    assert len(body) == 3
    serbia = next(line for line in body if "NetPatrola" in line)
    # Every source, the other spelling, both membership values and the founding date.
    assert "(also written Net patrol)" in serbia and "[@inhope; @about; @paper]" in serbia
    assert "yes / no" in serbia and "22 August 2013" in serbia
    megjashi = next(line for line in body if "Megjashi" in line)
    assert "also written" not in megjashi and "June 2018" in megjashi
    assert any("No national hotline" in line for line in body)


def test_table_columns_are_as_wide_as_their_text():
    frame = pd.DataFrame({"Year": ["2009", "2010"], "Rule": ["a long rule " * 20, "another long rule " * 15],
                          "Indicator": ["crim_distributing", "crim_producing"]})
    separator = R.md_table(frame).splitlines()[1]
    year, rule, indicator = (len(cell.strip()) for cell in separator.strip("|").split("|"))
    # Pandoc reads relative widths from the dashes: the rule column gets the most room, and the
    # unbreakable id more than its 17 letters.
    assert rule > indicator > year >= 4 and indicator >= 17
