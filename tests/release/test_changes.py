"""Changes in the findings between a hand-made previous release and a current
one, each sentence worked out by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tomas_pipeline import steps
from tomas_pipeline.core.io import read_processed, write_csv
from tomas_pipeline.release.changes import COLUMNS, NO_PREVIOUS_NOTE, NO_RELEASE_NOTE, compare, previous_release

NA = pd.NA


def countries(comparison=("RS", "AL", "MK")):
    rows = [("RS", "Serbia"), ("AL", "Albania"), ("MK", "North Macedonia"), ("ME", "Montenegro")]
    return pd.DataFrame({"iso2": [r[0] for r in rows], "name": [r[1] for r in rows],
                         "comparison": [r[0] in comparison for r in rows]})


INSTRUMENTS = pd.DataFrame({"instrument_id": ["lanzarote", "budapest"],
                            "short_name": ["Lanzarote Convention", "Budapest Convention"]})


def ratification(rows):
    columns = ["country_iso2", "instrument", "status", "signature_date", "bound_action", "bound_date"]
    return pd.DataFrame(rows, columns=columns)


def penalties(rows):
    columns = ["country_iso2", "jurisdiction", "offence", "form", "code", "min_months", "max_months", "life",
               "as_of", "source_id", "preferred"]
    return pd.DataFrame(rows, columns=columns)


def institutions(rows):
    columns = ["country_iso2", "name", "kind", "established", "inhope_member", "inhope_since"]
    return pd.DataFrame(rows, columns=columns)


def features(rows):
    return pd.DataFrame(rows, columns=["country_iso2", "feature", "value", "as_of", "preferred"])


def base():
    return {
        "countries": countries(),
        "instruments": INSTRUMENTS,
        "ratification": ratification([
            ("RS", "lanzarote", "party", "2007-10-25", "ratification", "2010-07-29"),
            ("RS", "budapest", "party", "2005-04-07", "ratification", "2009"),
            ("AL", "lanzarote", "signed", "2007-10-25", NA, NA),
            ("MK", "lanzarote", NA, NA, NA, NA),
        ]),
        "penalties": penalties([
            ("RS", NA, "possessing", "basic", "Criminal Code", 3, 36, False, "2019", "rs_cc", True),
            ("AL", NA, "producing", "basic", "Criminal Code", 36, 120, False, "2024", "tomas2024", True),
            ("AL", NA, "producing", "basic", "Old code", 12, 60, False, "2008", "old", False),
        ]),
        "institutions": institutions([
            ("RS", "NetPatrola", "hotline", "2013-08-22", "yes", NA),
            ("AL", "iSIGURTA.al", "hotline", NA, NA, NA),
        ]),
        "legal_features": features([("RS", "dedicated_child_protection_law", "no", "2024", True)]),
    }


def sentences(frame, kind=None):
    if kind:
        frame = frame[frame["kind"] == kind]
    return frame["sentence"].tolist()


def test_nothing_changed_gives_an_empty_table():
    out = compare(base(), base(), since="2025-01-01")
    assert list(out.columns) == COLUMNS and out.empty


def test_new_ratification_after_the_last_release_is_a_change_in_the_world():
    current = base()
    current["ratification"].loc[2, ["status", "bound_action", "bound_date"]] = ["party", "ratification", "2025-06-02"]
    out = compare(base(), current, since="2025-01-01")
    assert out.to_dict("records") == [{
        "kind": "world", "table": "ratification", "country_iso2": "AL",
        "sentence": "Albania ratified the Lanzarote Convention on 2 June 2025.",
    }]


def test_old_ratification_missing_before_is_a_correction():
    current = base()
    current["ratification"].loc[3, ["status", "bound_action", "bound_date"]] = ["party", "ratification", "2012-06-11"]
    out = compare(base(), current, since="2025-01-01")
    assert sentences(out, "correction") == [
        "North Macedonia's ratification of the Lanzarote Convention is now recorded: 11 June 2012 "
        "(the previous release did not record it)."
    ]
    assert sentences(out, "world") == []


def test_a_corrected_treaty_date_is_a_correction():
    current = base()
    current["ratification"].loc[1, "bound_date"] = "2009-04-14"
    out = compare(base(), current, since="2025-01-01")
    assert sentences(out, "correction") == [
        "The date of Serbia's ratification of the Budapest Convention is corrected to 14 April 2009; "
        "the previous release had 2009."
    ]


def test_penalty_raised_in_a_newer_text_is_a_change_in_the_world():
    current = base()
    current["penalties"].loc[0, ["max_months", "as_of"]] = [96, "2025-03"]
    out = compare(base(), current, since="2025-01-01")
    assert sentences(out, "world") == [
        "Criminal Code raised the penalty for possessing in Serbia from 3–36 months to 3–96 months "
        "(text as of March 2025)."
    ]


def test_penalty_read_again_from_the_same_text_is_a_correction():
    current = base()
    current["penalties"].loc[1, ["min_months", "max_months", "source_id"]] = [60, 180, "al_official"]
    out = compare(base(), current, since="2025-01-01")
    assert sentences(out, "correction") == [
        "The penalty for producing in Albania was corrected from 3–10 years to 5–15 years "
        "(same text, as of 2024, now read from al_official)."
    ]
    # The row the report does not use (preferred False) is not a finding.
    assert len(out) == 1


def test_hotline_that_joined_inhope_is_a_change_in_the_world():
    current = base()
    current["institutions"].loc[1, ["inhope_member", "inhope_since"]] = ["yes", 2025]
    out = compare(base(), current, since="2025-01-01")
    assert sentences(out) == ["Albania's hotline iSIGURTA.al joined INHOPE (member since 2025)."]
    assert out["kind"].tolist() == ["world"]


def test_hotline_in_inhope_long_ago_is_a_correction():
    current = base()
    current["institutions"].loc[1, ["inhope_member", "inhope_since"]] = ["yes", 2021]
    out = compare(base(), current, since="2025-01-01")
    assert out["kind"].tolist() == ["correction"]
    assert "previous release did not record it" in out["sentence"][0]


def test_legal_feature_changed_with_a_new_date_and_with_the_same_date():
    newer = base()
    newer["legal_features"].loc[0, ["value", "as_of"]] = ["yes", "2026"]
    assert sentences(compare(base(), newer), "world") == [
        "For Serbia, 'dedicated child protection law' is now yes, where the previous release had no: "
        "the law changed (text as of 2026)."
    ]
    same = base()
    same["legal_features"].loc[0, "value"] = "yes"
    assert sentences(compare(base(), same), "correction") == [
        "For Serbia, 'dedicated child protection law' is corrected to yes; the previous release had no "
        "for the same text (as of 2024)."
    ]


def test_country_added_is_one_sentence_not_one_per_fact():
    current = base()
    current["countries"] = countries(("RS", "AL", "MK", "ME"))
    current["ratification"] = pd.concat([current["ratification"], ratification(
        [("ME", "lanzarote", "party", "2008-06-18", "ratification", "2010-07-29")])], ignore_index=True)
    out = compare(base(), current, since="2025-01-01")
    assert out.to_dict("records") == [{"kind": "world", "table": "countries", "country_iso2": "ME",
                                       "sentence": "Montenegro was added to the countries compared."}]


def test_scorecard_cell_moved_takes_the_kind_of_the_facts_behind_it():
    previous, current = base(), base()
    card = pd.DataFrame({"country_iso2": ["AL", "RS"], "indicator": ["lanzarote_party", "inhope_hotline"],
                         "value": [0, 1], "score": ["not met", "met"]})
    previous["scorecard"] = card
    current["scorecard"] = card.assign(score=["met", "met"])
    current["ratification"].loc[2, ["status", "bound_action", "bound_date"]] = ["party", "ratification", "2025-06-02"]
    out = compare(previous, current, since="2025-01-01")
    assert out.to_dict("records")[-1] == {
        "kind": "world", "table": "scorecard", "country_iso2": "AL",
        "sentence": "Albania's score for 'lanzarote party' is now met (it was not met).",
    }


def test_a_fact_new_to_the_record_reads_as_news_not_as_a_field_diff():
    """The case of issue 14: a ratification row the previous release did not
    have at all, dated long before it, and the score it fills."""
    previous, current = base(), base()
    previous["ratification"] = previous["ratification"][previous["ratification"]["country_iso2"] != "AL"]
    current["ratification"].loc[2, ["status", "bound_action", "bound_date"]] = ["party", "ratification", "2009-12-14"]
    card = pd.DataFrame({"country_iso2": ["AL"], "indicator": ["lanzarote_party"], "value": [pd.NA],
                         "score": [pd.NA]})
    previous["scorecard"] = card
    current["scorecard"] = card.assign(value=["yes"], score=[1.0])
    out = compare(previous, current, since="2026-11-30", labels={"lanzarote_party": "Party to Lanzarote"})
    assert out.to_dict("records") == [
        {"kind": "correction", "table": "ratification", "country_iso2": "AL",
         "sentence": "Albania's ratification of the Lanzarote Convention is now recorded: 14 December 2009 "
                     "(the previous release did not record it)."},
        {"kind": "correction", "table": "scorecard", "country_iso2": "AL",
         "sentence": "Albania now has a score for 'Party to Lanzarote': 1.0 (the previous release had none)."},
    ]
    assert not out["sentence"].str.contains("moved from|missing|2009-12-14").any()


def test_a_score_that_rose_says_so():
    previous, current = base(), base()
    card = pd.DataFrame({"country_iso2": ["RS"], "indicator": ["x"], "score": [0.5]})
    previous["scorecard"], current["scorecard"] = card, card.assign(score=[1.0])
    assert sentences(compare(previous, current)) == ["Serbia's score for 'x' rose from 0.5 to 1.0."]


def test_missing_scorecard_on_either_side_is_skipped():
    current = base()
    current["scorecard"] = pd.DataFrame({"country_iso2": ["AL"], "indicator": ["x"], "score": ["met"]})
    assert compare(base(), current).empty


def test_conflict_resolved_is_a_correction():
    previous, current = base(), base()
    conflicts = pd.DataFrame({"table": ["treaty_actions", "penalties"], "country_iso2": ["AL", "RS"],
                              "field": ["date", "max_months"], "values": ["2003 | 2001-11-23", "36 | 48"]})
    previous["conflicts"] = conflicts
    current["conflicts"] = conflicts.iloc[[1]]
    out = compare(previous, current)
    assert out.to_dict("records") == [{
        "kind": "correction", "table": "conflicts", "country_iso2": "AL",
        "sentence": "The disagreement between sources on table treaty_actions, field date (Albania) is resolved.",
    }]


def test_world_changes_are_listed_before_corrections():
    current = base()
    current["ratification"].loc[1, "bound_date"] = "2009-04-14"
    current["ratification"].loc[2, ["status", "bound_action", "bound_date"]] = ["party", "ratification", "2025-06-02"]
    assert compare(base(), current, since="2025-01-01")["kind"].tolist() == ["world", "correction"]


def test_previous_release_is_the_newest_older_than_this_version(tmp_path):
    for version in ("0.1.0", "0.2.0", "0.10.0", "1.0.0"):
        (tmp_path / version / "findings").mkdir(parents=True)
    (tmp_path / "notes").mkdir()
    assert previous_release(tmp_path, "0.11.0").name == "0.10.0"
    assert previous_release(tmp_path, "0.2.0").name == "0.1.0"  # re-building 0.2.0 compares with 0.1.0
    assert previous_release(tmp_path, "0.1.0") is None
    # A build between releases compares with the latest one, whatever its version says.
    assert previous_release(tmp_path).name == "1.0.0"


def write_tables(folder, tables):
    for name, frame in tables.items():
        write_csv(frame, folder / f"{name}.csv")


def test_step_without_previous_release_writes_header_and_note(tmp_path):
    out = tmp_path / "changes.csv"
    steps.changes(None, str(tmp_path), [], str(out), str(tmp_path / "log"))
    assert out.read_text() == "kind,table,country_iso2,sentence\n"
    note = json.loads((tmp_path / "changes.provenance.json").read_text())
    assert note["note"] == NO_PREVIOUS_NOTE and note["previous_release"] is None
    # A build that is not a release does not call itself the first release.
    steps.changes(None, str(tmp_path), [], str(out), str(tmp_path / "log"), release=False)
    note = json.loads((tmp_path / "changes.provenance.json").read_text())
    assert note["note"] == NO_RELEASE_NOTE and "first release" not in note["note"]


def test_step_against_a_recorded_release_reads_csv_round_trip(tmp_path):
    release = tmp_path / "releases" / "0.1.0"
    write_tables(release / "findings", base())
    (release / "release.json").write_text(json.dumps({"version": "0.1.0", "date": "2025-01-01"}))
    current = base()
    current["penalties"].loc[0, ["max_months", "as_of"]] = [96, "2025-03"]
    processed = tmp_path / "processed"
    write_tables(processed, current)
    out = processed / "changes.csv"
    steps.changes(str(release), str(processed), [], str(out), str(tmp_path / "log"))
    frame = read_processed(out)
    assert frame["kind"].tolist() == ["world"]
    assert "raised the penalty for possessing in Serbia" in frame["sentence"][0]
    note = json.loads((processed / "changes.provenance.json").read_text())
    assert note["note"] == "Compared with release 0.1.0 of 2025-01-01."


@pytest.mark.parametrize("date,since,expected", [
    ("2025", "2025-03-01", True), ("2024", "2025-03-01", False), ("2025-02-28", "2025-03-01", False),
    ("2025-03-02", "2025-03-01", True), ("", "2025-01-01", False), ("", None, True)])
def test_not_before_compares_at_the_coarser_precision(date, since, expected):
    from tomas_pipeline.release.changes import _not_before

    assert _not_before(date, since) is expected
