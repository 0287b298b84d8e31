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
