"""A sourced absence: a row stating that a country has no body of a kind (institutions.csv, exists = no).

Built as a user meets it: a scratch copy of data/raw, normalised, scored with the project's own method
and recommendation files. North Macedonia's row says, citing the paper, that it has no national hotline."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from buildkit import read_rows, write_rows
from conftest import TESTS

from tomas_pipeline.core.errors import TomasInputErrors
from tomas_pipeline.metrics.families import compute_family
from tomas_pipeline.metrics.method import load_method, load_recommendations
from tomas_pipeline.metrics.ratification import ratification_status
from tomas_pipeline.metrics.scorecard import scorecard
from tomas_pipeline.metrics.tracker import MET, NOT_MET, UNKNOWN, recommendation_tracker
from tomas_pipeline.sources import audit
from tomas_pipeline.sources.normalise import Context, make_table

ROOT = TESTS.parent
FOCUS, COMPARISON = ["RS", "AL", "MK"], ["RS", "AL", "MK", "ME", "BA", "XK"]
ABSENCE = "National hotline for reporting illegal content"


def _without_absence(raw: Path) -> None:
    path = raw / "institutions.csv"
    rows = read_rows(path)
    kept = [r for r in rows if r["exists"] != "no"]
    assert len(kept) == len(rows) - 1
    write_rows(path, kept)


def _add(raw: Path, **cells: str) -> int:
    """Append an institutions row; returns its spreadsheet row number."""
    path = raw / "institutions.csv"
    rows = read_rows(path)
    rows.append({k: cells.get(k, "") for k in rows[0]})
    write_rows(path, rows)
    return len(rows) + 1


def _build(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(the scorecard, the recommendation tracker, the processed tables) from a raw folder."""
    ctx = Context(raw)
    tables = {name: make_table(name, raw, FOCUS, COMPARISON, ctx)
              for name in ("countries", "instruments", "treaty_actions", "legal_features", "institutions",
                           "strategies", "penalties")}
    tables["ratification"] = ratification_status(tables["treaty_actions"], tables["countries"],
                                                 tables["instruments"])
    method = load_method(ROOT / "config" / "indicators.yaml")
    family = compute_family("institutions", tables, method)
    card = scorecard({"institutions": family}, method["indicators"], tables["countries"])
    recs = load_recommendations(ROOT / "config" / "recommendations.yaml", method["indicators"])
    tracker = recommendation_tracker(card, recs, tables["countries"])
    tables["scorecard"] = card
    return card.set_index(["country_iso2", "indicator"]), tracker.set_index(["recommendation", "country_iso2"]), \
        tables


def test_sourced_absence_is_not_met_citing_its_row(raw_copy):
    card, tracker, tables = _build(raw_copy)
    cell = card.loc[("MK", "inhope_hotline")]
    assert cell["value"] == "no"
    assert cell["score"] == 0.0
    assert cell["source_ids"] == "tomas2024"
    assert tracker.loc[("r2_4", "MK"), "status"] == NOT_MET
    assert tracker.loc[("r2_4", "MK"), "source_ids"] == "tomas2024"
    # The row is kept, marked as an absence, and names what is missing.
    row = tables["institutions"][(tables["institutions"]["country_iso2"] == "MK")
                                 & (tables["institutions"]["kind"] == "hotline")]
    assert list(row["exists"]) == ["no"] and list(row["name"]) == [ABSENCE]


def test_no_row_at_all_stays_unknown(raw_copy):
    _without_absence(raw_copy)
    card, tracker, _ = _build(raw_copy)
    assert pd.isna(card.loc[("MK", "inhope_hotline")]["value"])
    assert pd.isna(card.loc[("MK", "inhope_hotline")]["score"])
    assert tracker.loc[("r2_4", "MK"), "status"] == UNKNOWN


def test_a_member_hotline_on_record_is_met(raw_copy):
    _without_absence(raw_copy)
    _add(raw_copy, country="North Macedonia", name="Test hotline", kind="hotline", inhope_member="yes",
         source_id="tomas2024")
    card, tracker, _ = _build(raw_copy)
    assert card.loc[("MK", "inhope_hotline")]["value"] == "yes"
    assert tracker.loc[("r2_4", "MK"), "status"] == MET


def test_a_hotline_of_unknown_membership_beside_an_absence_is_unknown(raw_copy):
    # One source says there is none, another names one without saying whether INHOPE admitted it.
    _add(raw_copy, country="North Macedonia", name="Test hotline", kind="hotline", source_id="megjashi_about")
    card, tracker, _ = _build(raw_copy)
    assert pd.isna(card.loc[("MK", "inhope_hotline")]["value"])
    assert tracker.loc[("r2_4", "MK"), "status"] == UNKNOWN


def test_an_absent_unit_does_not_count_as_a_unit(raw_copy):
    _add(raw_copy, country="Montenegro", name="Cybercrime unit", kind="police_unit", exists="no",
         source_id="tomas2024")
    card, _, _ = _build(raw_copy)
    assert pd.isna(card.loc[("ME", "specialised_unit")]["value"])


def test_an_absence_with_a_membership_is_refused(raw_copy):
    line = _add(raw_copy, country="Montenegro", name="National hotline", kind="hotline", exists="no",
                inhope_member="yes", source_id="tomas2024")
    with pytest.raises(TomasInputErrors) as caught:
        make_table("institutions", raw_copy)
    text = str(caught.value)
    assert "institutions.csv" in text and f"row {line}" in text and "inhope_member" in text
    assert "exists = no" in text


def test_an_absence_is_no_gap_and_asks_no_membership(raw_copy):
    _, _, tables = _build(raw_copy)
    gaps = audit.gaps(tables, tables["countries"])
    mk = gaps[(gaps["country_iso2"] == "MK") & (gaps["table"] == "institutions")]
    assert "hotline" not in set(mk["key"])
    assert not mk["key"].str.startswith("hotline inhope").any()
    _without_absence(raw_copy)
    _, _, tables = _build(raw_copy)
    gaps = audit.gaps(tables, tables["countries"])
    mk = gaps[(gaps["country_iso2"] == "MK") & (gaps["table"] == "institutions")]
    assert "hotline" in set(mk["key"])


def test_the_operators_spelling_is_preferred_and_the_papers_is_a_disagreement(raw_copy):
    """Albania's hotline: the paper writes iSIGURTA.al, the operator (CRCA) iSIGURT.al. Both rows stay; a
    country's national hotline is one body, so the primary spelling is preferred and the other is listed."""
    frame = make_table("institutions", raw_copy)
    al = frame[(frame["country_iso2"] == "AL") & (frame["kind"] == "hotline")].set_index("source_id")
    assert set(al["name"]) == {"iSIGURT.al", "iSIGURTA.al"}
    assert bool(al.at["crca_isigurt_2023", "preferred"]) and not bool(al.at["tomas2024", "preferred"])
    found = audit.conflicts({"institutions": frame})
    row = found[found["country_iso2"] == "AL"].iloc[0]
    assert (row["field"], row["chosen_value"], row["other_value"]) == ("name", "iSIGURT.al", "iSIGURTA.al")
    assert row["rule"] == "primary source preferred over secondary"
    # Bodies of other kinds are told apart by name, and one identical name is no disagreement.
    assert set(found["table"]) == {"institutions"} and set(found["country_iso2"]) <= {"AL", "RS"}
    # Two spellings that differ only in punctuation are one body, and agree.
    megjashi = frame[(frame["country_iso2"] == "MK") & (frame["kind"] == "ecpat_member")]
    assert len(megjashi) == 2 and megjashi["body"].nunique() == 1 and megjashi["preferred"].sum() == 1
    assert megjashi["name"].nunique() == 2
    # Without the operator's row, the paper's spelling is the one the report uses, with nothing to flag.
    path = raw_copy / "institutions.csv"
    write_rows(path, [r for r in read_rows(path) if r["source_id"] != "crca_isigurt_2023"])
    frame = make_table("institutions", raw_copy)
    assert audit.conflicts({"institutions": frame}).query("country_iso2 == 'AL'").empty
