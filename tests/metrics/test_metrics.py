"""Metric functions on small hand-made frames; answers worked out by hand."""

import pandas as pd
import pytest

from tomas_pipeline.metrics.common import NOT_APPLICABLE
from tomas_pipeline.metrics.ratification import ratification_status


def _countries():
    return pd.DataFrame({
        "iso2": ["RS", "AL", "XK", "ME"],
        "name": ["Serbia", "Albania", "Kosovo", "Montenegro"],
        "user_assigned": [False, False, True, False],
        "focus": [True, True, False, False],
        "comparison": [True, True, True, True],
    })


def _instruments():
    return pd.DataFrame({"instrument_id": ["budapest", "lanzarote"], "short_name": ["Budapest", "Lanzarote"]})


def _action(iso, inst, action, date, source="s1", preferred=True, via=None):
    return {"country_iso2": iso, "instrument": inst, "action": action, "date": date, "source_id": source,
            "preferred": preferred, "via_predecessor": via}


def test_status_dates_and_years():
    actions = pd.DataFrame([
        # Serbia: signed 7 April 2005 (as Serbia and Montenegro), ratified 14 April 2009.
        _action("RS", "budapest", "signature", "2005-04-07", via="Serbia and Montenegro"),
        _action("RS", "budapest", "ratification", "2009-04-14"),
        # A non-preferred row with another date must not be used.
        _action("RS", "budapest", "ratification", "2010", source="paper", preferred=False),
        # Albania: signed only.
        _action("AL", "budapest", "signature", "2001-11-23"),
        # Albania acceded to Lanzarote (no signature): no years to ratify.
        _action("AL", "lanzarote", "accession", "2009"),
    ])
    out = ratification_status(actions, _countries(), _instruments()).set_index(["country_iso2", "instrument"])
    rs = out.loc[("RS", "budapest")]
    assert rs["status"] == "party"
    assert rs["bound_date"] == "2009-04-14"
    # 2005-04-07 -> 2009-04-14 is 1468 days; 1468 / 365.25 = 4.019...
    assert rs["years_to_ratify"] == pytest.approx(4.02)
    assert rs["years_precision"] == "day"
    assert rs["via_predecessor"] == "Serbia and Montenegro"
    assert out.loc[("AL", "budapest"), "status"] == "signed"
    assert pd.isna(out.loc[("AL", "budapest"), "years_to_ratify"])
    assert out.loc[("AL", "lanzarote"), "status"] == "party"
    assert pd.isna(out.loc[("AL", "lanzarote"), "years_to_ratify"])


def test_missing_is_missing_and_kosovo_not_applicable():
    out = ratification_status(pd.DataFrame([_action("RS", "budapest", "signature", "2005")]), _countries(),
                              _instruments()).set_index(["country_iso2", "instrument"])
    assert out.loc[("XK", "budapest"), "status"] == NOT_APPLICABLE
    # No source says anything about Montenegro: a gap, not "not ratified".
    assert pd.isna(out.loc[("ME", "lanzarote"), "status"])
    assert len(out) == 4 * 2


def test_years_at_coarser_precision():
    actions = pd.DataFrame([
        _action("RS", "lanzarote", "signature", "2010-10"),
        _action("RS", "lanzarote", "ratification", "2013"),
    ])
    row = ratification_status(actions, _countries(), _instruments()).set_index(
        ["country_iso2", "instrument"]).loc[("RS", "lanzarote")]
    assert row["years_to_ratify"] == 3.0
    assert row["years_precision"] == "year"


# --- The comparison method (config/indicators.yaml) and its families ---------------


import yaml  # noqa: E402
from conftest import TESTS  # noqa: E402

from tomas_pipeline.core.errors import TomasInputError  # noqa: E402
from tomas_pipeline.metrics.families import (  # noqa: E402
    FAMILIES,
    compute_family,
    criminalisation,
    icmec,
    institutions_score,
    parity,
    penalty_alignment,
    spread,
    terminology_use,
    uniformity,
    uses_pornography_term,
)
from tomas_pipeline.metrics.method import load_indicators, load_method, load_recommendations, method_table  # noqa: E402
from tomas_pipeline.metrics.scorecard import scorecard  # noqa: E402
from tomas_pipeline.metrics.tracker import (  # noqa: E402
    MET,
    NOT_MEASURED,
    NOT_MET,
    PARTLY,
    UNKNOWN,
    recommendation_status,
    recommendation_tracker,
    unknown_share,
)

ROOT = TESTS.parent
METHOD = ROOT / "config" / "indicators.yaml"
SETTINGS = {"multi_code": {"BA": {"codes": ["Federation", "Republika Srpska"], "note": "two codes"}},
            "pornography_stems": ["pornograph", "pornograf"], "csam_offences": ["producing", "possessing"]}


def _ind(family, id_, **params):
    return {"id": id_, "family": family, "scored": True, "label": id_, "scale": "ratio", "params": params}


def _penalty(iso, offence, lo, hi, jurisdiction=None, preferred=True, form="basic", article="1", term=None,
             source="s1", life=False):
    return {"country_iso2": iso, "jurisdiction": jurisdiction, "offence": offence, "form": form, "code": "CC",
            "article": article, "min_months": lo, "max_months": hi, "life": life, "term_used": term,
            "source_id": source, "preferred": preferred}


def _four():
    return pd.DataFrame({"iso2": ["RS", "AL", "BA", "XK"], "name": ["Serbia", "Albania", "Bosnia", "Kosovo"],
                         "user_assigned": [False, False, False, True], "focus": [True, True, False, False],
                         "comparison": [True, True, True, True], "order": [0, 1, 2, 3]})


def _offences():
    return pd.DataFrame({"offence": ["producing", "distributing", "possessing"],
                         "label": ["Producing", "Distributing", "Possessing"],
                         "directive_article": ["5(6)", "5(4)", "5(2)"],
                         "floor_max_months": [36.0, 24.0, None], "source_id": ["dir", "dir", "dir"]})


def _country(frame, iso, indicator):
    row = frame[(frame["country_iso2"] == iso) & (frame["indicator"] == indicator) & (frame["level"] == "country")]
    assert len(row) == 1
    return row.iloc[0]


def test_method_file_loads_and_every_family_has_indicators():
    method = load_method(METHOD)
    families = {i["family"] for i in method["indicators"]}
    assert families == set(FAMILIES)
    table = method_table(method["indicators"])
    assert list(table.columns[:3]) == ["id", "family", "label"]
    assert table["clause"].notna().all() and table["coding_rule"].notna().all()
    # Every offence Lanzarote Art. 20 lists, and grooming, is criminalised and compared to its floor.
    ids = set(table["id"])
    for offence in ("producing", "offering", "distributing", "procuring", "possessing", "accessing", "grooming"):
        assert f"crim_{offence}" in ids and f"pen_{offence}" in ids and f"spread_{offence}" in ids
    assert load_indicators(METHOD) == method["indicators"]


def test_method_file_is_checked_against_its_schema(tmp_path):
    data = yaml.safe_load(METHOD.read_text(encoding="utf-8"))
    del data["indicators"][0]["coding_rule"]
    (tmp_path / "config").mkdir()
    bad = tmp_path / "config" / "indicators.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(TomasInputError, match="coding_rule"):
        load_method(bad, schema=ROOT / "workflow" / "schemas" / "indicators.schema.yaml")


def test_recommendations_name_only_known_indicators(tmp_path):
    indicators = load_indicators(METHOD)
    recs = load_recommendations(ROOT / "config" / "recommendations.yaml", indicators)
    assert {r["group"] for r in recs} == {1, 2, 3}
    (tmp_path / "config").mkdir()
    (tmp_path / "workflow" / "schemas").mkdir(parents=True)
    (tmp_path / "workflow" / "schemas" / "recommendations.schema.yaml").write_text(
        (ROOT / "workflow" / "schemas" / "recommendations.schema.yaml").read_text(encoding="utf-8"))
    bad = tmp_path / "config" / "recommendations.yaml"
    bad.write_text("recommendations:\n  - {id: r1_1, group: 1, title: A made-up one, indicators: [nope]}\n")
    with pytest.raises(TomasInputError, match="nope"):
        load_recommendations(bad, indicators)


def test_penalty_alignment_ratio_meets_and_missing():
    penalties = pd.DataFrame([
        _penalty("RS", "producing", 6, 60),            # 60 / 36 = 1.667, meets
        _penalty("AL", "producing", 12, 24),           # 24 / 36 = 0.667, falls short
        _penalty("AL", "distributing", 12, None),      # "at least one year": no maximum -> NA
        _penalty("RS", "possessing", 3, 36),           # no floor on record -> NA
        _penalty("RS", "distributing", 3, 12, preferred=False),  # not preferred: ignored
        _penalty("RS", "distributing", 3, 12, form="aggravated"),  # aggravated: ignored
    ])
    indicators = [_ind("penalty_alignment", f"pen_{o}", offence=o) for o in ("producing", "distributing", "possessing")]
    out = penalty_alignment(penalties, _offences(), _four(), indicators, SETTINGS)
    rs = _country(out, "RS", "pen_producing")
    assert rs["ratio"] == pytest.approx(1.667)
    assert rs["meets_floor"] is True or rs["meets_floor"] == True  # noqa: E712
    assert rs["score"] == 1.0
    al = _country(out, "AL", "pen_producing")
    assert al["ratio"] == pytest.approx(0.667) and al["score"] == 0.0
    # Missing stays missing: never "not met".
    for iso, ind in (("AL", "pen_distributing"), ("RS", "pen_possessing"), ("RS", "pen_distributing"),
                     ("XK", "pen_producing")):
        row = _country(out, iso, ind)
        assert pd.isna(row["score"]) and pd.isna(row["meets_floor"]) and pd.isna(row["ratio"])


def test_multi_code_country_takes_the_weakest_code_and_waits_for_missing_codes():
    indicators = [_ind("penalty_alignment", "pen_producing", offence="producing")]
    # Both codes on record: 48/36 = 1.333 and 24/36 = 0.667 -> the country is the weaker, 0.667.
    both = pd.DataFrame([_penalty("BA", "producing", 12, 48, "Federation"),
                         _penalty("BA", "producing", 12, 24, "Republika Srpska")])
    out = penalty_alignment(both, _offences(), _four(), indicators, SETTINGS)
    ba = out[out["country_iso2"] == "BA"]
    assert list(ba["level"]) == ["code", "code", "country"]
    assert _country(out, "BA", "pen_producing")["ratio"] == pytest.approx(0.667)
    # Only the code that meets the floor is on record: the other could be weaker, so NA.
    one = pd.DataFrame([_penalty("BA", "producing", 12, 48, "Federation")])
    row = _country(penalty_alignment(one, _offences(), _four(), indicators, SETTINGS), "BA", "pen_producing")
    assert pd.isna(row["score"]) and "Republika Srpska" in row["note"]
    # Only a failing code on record: nothing can be weaker than failing, so "not met" is certain.
    failing = pd.DataFrame([_penalty("BA", "producing", 6, 24, "Republika Srpska")])
    row = _country(penalty_alignment(failing, _offences(), _four(), indicators, SETTINGS), "BA", "pen_producing")
    assert row["score"] == 0.0


def test_criminalisation_cites_the_article_and_never_says_no_without_a_source():
    penalties = pd.DataFrame([
        _penalty("RS", "producing", 6, 60, article=None, source="paper"),
        _penalty("RS", "producing", 6, 60, article="185(2)", preferred=False, source="code"),
    ])
    features = pd.DataFrame([{"country_iso2": "AL", "feature": "criminalises_producing", "value": "no",
                              "source_id": "report", "preferred": True}])
    out = criminalisation(penalties, features, _four(), [_ind("criminalisation", "crim_producing",
                                                              offence="producing")], SETTINGS)
    rs = _country(out, "RS", "crim_producing")
    assert rs["value"] == "yes" and rs["article"] == "185(2)" and rs["source_ids"] == "code;paper"
    assert _country(out, "AL", "crim_producing")["value"] == "no"
    assert pd.isna(_country(out, "XK", "crim_producing")["value"])


def test_parity_ratios():
    penalties = pd.DataFrame([
        _penalty("AL", "producing", 36, 120), _penalty("AL", "trafficking_children", 120, 240),
        _penalty("XK", "producing", 60, 180), _penalty("XK", "trafficking_children", 60, 180),
        _penalty("RS", "producing", 12, None), _penalty("RS", "trafficking_children", 60, None),
    ])
    indicators = [_ind("parity", "parity_max_ratio", ratio="max"), _ind("parity", "parity_min_ratio", ratio="min")]
    out = parity(penalties, _four(), indicators, SETTINGS)
    # Albania: 120/240 = 0.5 and 36/120 = 0.3; Kosovo punishes both alike: 1 and 1.
    assert _country(out, "AL", "parity_max_ratio")["ratio"] == 0.5
    assert _country(out, "AL", "parity_min_ratio")["ratio"] == 0.3
    assert _country(out, "XK", "parity_max_ratio")["score"] == 1.0
    # Serbia gives no maxima: the max ratio is missing, the min ratio 12/60 = 0.2.
    assert pd.isna(_country(out, "RS", "parity_max_ratio")["ratio"])
    assert _country(out, "RS", "parity_min_ratio")["ratio"] == 0.2


def test_spread_by_hand():
    # [36, 60, 120]: mean 72; deviations -36, -12, 48; squares 1296 + 144 + 2304 = 3744;
    # population variance 3744 / 3 = 1248; SD 35.327; CV 35.327 / 72 = 0.4907.
    # Median 60; |deviations from the median| 24, 0, 60 -> furthest is XK (120).
    out = spread(pd.Series({"RS": 36.0, "AL": 60.0, "XK": 120.0}))
    assert out["range_months"] == 84
    assert out["cv"] == pytest.approx(0.4907, abs=1e-4)
    assert out["furthest"] == "XK" and out["furthest_deviation_months"] == 60
    # Two countries: range and CV, but no "furthest" (both are equally far from the median).
    two = spread(pd.Series({"RS": 12.0, "AL": 36.0, "ME": None}))
    assert two["n_countries"] == 2 and two["range_months"] == 24 and pd.isna(two["furthest"])
    # A tie for furthest lists both.
    tie = spread(pd.Series({"A": 10.0, "B": 20.0, "C": 30.0}))
    assert tie["furthest"] == "A;C"


def test_uniformity_leaves_missing_countries_out_and_lists_them():
    penalties = pd.DataFrame([_penalty("RS", "producing", 6, 36), _penalty("AL", "producing", 6, 60),
                              _penalty("XK", "producing", 6, 120), _penalty("BA", "producing", 6, 24, "Federation")])
    out = uniformity(penalties, _four(), [_ind("uniformity", "spread_producing", offence="producing")], SETTINGS)
    row = out.iloc[0]
    # BA's second code has no data and its only code on record is not a failure: BA is missing, not 0.
    assert row["countries_missing"] == "BA"
    assert row["n_countries"] == 3
    assert row["cv"] == pytest.approx(0.4907, abs=1e-4)


def test_terminology_and_icmec():
    assert uses_pornography_term("predmeti pornografskog sadržaja", ["pornograf"]) is True
    assert uses_pornography_term("child sexual abuse material", ["pornograf"]) is False
    assert pd.isna(uses_pornography_term(None, ["pornograf"]))
    penalties = pd.DataFrame([_penalty("RS", "producing", 6, 60, term="child pornography"),
                              _penalty("AL", "producing", 6, 60, term="child sexual abuse material"),
                              _penalty("AL", "trafficking_children", 6, 60, term="pornographic")])
    out = terminology_use(penalties, _four(), [_ind("terminology", "term_pornography")], SETTINGS)
    assert _country(out, "RS", "term_pornography")["score"] == 0.0
    # Trafficking is not an abuse-material offence, so its term is not read.
    assert _country(out, "AL", "term_pornography")["value"] == "no"
    assert pd.isna(_country(out, "XK", "term_pornography")["value"])
    features = pd.DataFrame([{"country_iso2": "RS", "feature": "simple_possession", "value": "partial",
                              "article": "185(4)", "source_id": "s", "preferred": True}])
    out = icmec(features, _four(), [_ind("icmec", "icmec_possession", feature="simple_possession")], SETTINGS)
    assert _country(out, "RS", "icmec_possession")["score"] == 0.5
    assert pd.isna(_country(out, "AL", "icmec_possession")["score"])


def test_institutions_kosovo_not_applicable_and_hotline_rules():
    status = ratification_status(pd.DataFrame([_action("RS", "budapest", "signature", "2005"),
                                               _action("RS", "budapest", "ratification", "2009")]),
                                 _four(), _instruments())
    institutions = pd.DataFrame([
        {"country_iso2": "RS", "name": "Hotline", "kind": "hotline", "inhope_member": "yes", "source_id": "h"},
        {"country_iso2": "AL", "name": "Hotline", "kind": "hotline", "inhope_member": None, "source_id": "h"},
        {"country_iso2": "AL", "name": "Unit", "kind": "police_unit", "inhope_member": None, "source_id": "u"},
    ])
    strategies = pd.DataFrame([{"country_iso2": "RS", "title": "S", "addresses_children_online": "no",
                                "source_id": "s"}])
    features = pd.DataFrame(columns=["country_iso2", "feature", "value", "source_id", "preferred"])
    indicators = [
        {"id": "treaty_budapest", "family": "institutions", "scale": "status", "params": {"instrument": "budapest"}},
        {"id": "years_budapest", "family": "institutions", "scale": "years", "params": {"instrument": "budapest"}},
        {"id": "inhope_hotline", "family": "institutions", "scale": "yes/no"},
        {"id": "strategy_children_online", "family": "institutions", "scale": "yes/no"},
        {"id": "specialised_unit", "family": "institutions", "scale": "yes/no"},
    ]
    out = institutions_score(status, features, institutions, strategies, _four(), indicators, SETTINGS)
    assert _country(out, "RS", "treaty_budapest")["score"] == 1.0
    assert _country(out, "RS", "years_budapest")["value"] == "4"
    assert pd.isna(_country(out, "RS", "years_budapest")["score"])  # reported, not scored
    assert _country(out, "XK", "treaty_budapest")["value"] == NOT_APPLICABLE
    assert pd.isna(_country(out, "XK", "treaty_budapest")["score"])
    # Serbia bound itself by ratification; Albania's accession has no signature to count from.
    acceded = ratification_status(pd.DataFrame([_action("AL", "budapest", "accession", "2002")]), _four(),
                                  _instruments())
    out = institutions_score(acceded, features, institutions, strategies, _four(), indicators, SETTINGS)
    assert _country(out, "AL", "years_budapest")["value"] == NOT_APPLICABLE
    assert _country(out, "AL", "years_budapest")["source_ids"]
    assert pd.isna(_country(out, "RS", "years_budapest")["value"])  # nothing on record stays a gap
    assert _country(out, "RS", "inhope_hotline")["value"] == "yes"
    # A hotline whose membership no source states is a gap, not a "no".
    assert pd.isna(_country(out, "AL", "inhope_hotline")["value"])
    assert _country(out, "RS", "strategy_children_online")["value"] == "no"
    assert _country(out, "AL", "specialised_unit")["value"] == "yes"
    assert pd.isna(_country(out, "RS", "specialised_unit")["value"])


def test_hotline_absence_presence_and_silence():
    """No row: unknown. A row stating there is none: a sourced "no". A member hotline: yes."""
    status = ratification_status(pd.DataFrame([_action("RS", "budapest", "signature", "2005")]), _four(),
                                 _instruments())
    institutions = pd.DataFrame([
        {"country_iso2": "RS", "name": "Hotline", "kind": "hotline", "inhope_member": "yes", "exists": "yes",
         "source_id": "h"},
        {"country_iso2": "AL", "name": "National hotline", "kind": "hotline", "inhope_member": pd.NA,
         "exists": "no", "source_id": "paper"},
        # Membership unknown is not a "no", even read back as a string column.
        {"country_iso2": "BA", "name": "Hotline", "kind": "hotline", "inhope_member": pd.NA, "exists": "yes",
         "source_id": "b"},
    ]).astype("string")
    strategies = pd.DataFrame(columns=["country_iso2", "title", "addresses_children_online", "source_id"])
    features = pd.DataFrame(columns=["country_iso2", "feature", "value", "source_id", "preferred"])
    indicators = [{"id": "inhope_hotline", "family": "institutions", "scale": "yes/no"}]
    out = institutions_score(status, features, institutions, strategies, _four(), indicators, SETTINGS)
    assert _country(out, "RS", "inhope_hotline")["value"] == "yes"
    absent = _country(out, "AL", "inhope_hotline")
    assert (absent["value"], absent["score"], absent["source_ids"]) == ("no", 0.0, "paper")
    assert absent["detail"] == "none: National hotline"
    assert pd.isna(_country(out, "BA", "inhope_hotline")["value"])
    assert pd.isna(_country(out, "XK", "inhope_hotline")["value"])  # no row at all


def test_recommendation_status_never_calls_missing_not_met():
    assert recommendation_status([1.0, 1.0], ["yes", "yes"]) == MET
    assert recommendation_status([0.0, 0.0], ["no", "no"]) == NOT_MET
    assert recommendation_status([1.0, 0.0], ["yes", "no"]) == PARTLY
    assert recommendation_status([0.5], ["0.5"]) == PARTLY
    # Mixed evidence is partly met whatever the missing indicator says.
    assert recommendation_status([1.0, 0.0, pd.NA], ["yes", "no", pd.NA]) == PARTLY
    # All known met but one missing: could still be partly met -> unknown.
    assert recommendation_status([1.0, pd.NA], ["yes", pd.NA]) == UNKNOWN
    assert recommendation_status([0.0, pd.NA], ["no", pd.NA]) == UNKNOWN
    assert recommendation_status([pd.NA], [pd.NA]) == UNKNOWN
    # No indicator can measure it: "not measured", never "unknown" (unknown = measurable, no data).
    assert recommendation_status([], []) == NOT_MEASURED
    assert recommendation_status([pd.NA], [NOT_APPLICABLE]) == NOT_APPLICABLE
    assert recommendation_status([pd.NA, 1.0], [NOT_APPLICABLE, "party"]) == MET


def test_scorecard_and_tracker_from_the_real_method():
    method = load_method(METHOD)
    penalties = pd.DataFrame([_penalty("RS", "producing", 6, 60, term="child pornography"),
                              _penalty("RS", "trafficking_children", 24, 120)])
    tables = {
        "penalties": penalties, "offences": _offences(), "countries": _four(),
        "legal_features": pd.DataFrame([{"country_iso2": "RS", "feature": "dedicated_child_protection_law",
                                         "value": "no", "article": None, "source_id": "p", "preferred": True}]),
        "ratification": ratification_status(pd.DataFrame([_action("RS", "budapest", "ratification", "2009")]),
                                            _four(), _instruments()),
        "institutions": pd.DataFrame(columns=["country_iso2", "name", "kind", "inhope_member", "source_id"]),
        "strategies": pd.DataFrame(columns=["country_iso2", "title", "addresses_children_online", "source_id"]),
    }
    families = {f: compute_family(f, tables, method) for f in FAMILIES}
    card = scorecard(families, method["indicators"], _four())
    assert list(card.columns) == ["country_iso2", "indicator", "value", "score", "source_ids"]
    assert not card.duplicated(["country_iso2", "indicator"]).any()
    cell = card.set_index(["country_iso2", "indicator"])
    assert cell.at[("RS", "pen_producing"), "value"] == "1.667"
    assert cell.at[("RS", "parity_max_ratio"), "score"] == 0.5  # 60 / 120
    recs = [{"id": "r1_1", "group": 1, "title": "Law", "indicators": ["child_protection_law"]},
            {"id": "r1_3", "group": 1, "title": "Words", "indicators": ["term_pornography"]},
            {"id": "r3_1", "group": 3, "title": "Training", "indicators": []}]
    tracker = recommendation_tracker(card, recs, _four()).set_index(["recommendation", "country_iso2"])
    assert tracker.at[("r1_1", "RS"), "status"] == NOT_MET
    assert tracker.at[("r1_1", "AL"), "status"] == UNKNOWN  # no data, so never "not met"
    assert tracker.at[("r1_3", "RS"), "status"] == NOT_MET
    assert tracker.at[("r3_1", "RS"), "status"] == NOT_MEASURED
    assert "does not track it" in tracker.at[("r3_1", "RS"), "basis"]
    assert pd.isna(tracker.at[("r3_1", "RS"), "evidence"])
    assert tracker.at[("r1_1", "RS"), "evidence"] == "p"  # not met cites the row that fails it


# --- Tracker criteria: special departments, "not measured", evidence ------------------------------


def _institutions_card(rows: list[dict], indicators: list[dict]) -> pd.DataFrame:
    status = ratification_status(pd.DataFrame([_action("RS", "budapest", "signature", "2005")]), _four(),
                                 _instruments())
    features = pd.DataFrame(columns=["country_iso2", "feature", "value", "source_id", "preferred"])
    strategies = pd.DataFrame(columns=["country_iso2", "title", "addresses_children_online", "source_id"])
    institutions = pd.DataFrame(rows, columns=["country_iso2", "name", "kind", "exists", "source_id"])
    out = institutions_score(status, features, institutions, strategies, _four(), indicators, SETTINGS)
    return out.rename(columns={})[["country_iso2", "indicator", "value", "score", "source_ids"]]


UNIT_INDICATORS = [{"id": "child_abuse_unit", "family": "institutions", "scale": "yes/no",
                    "params": {"kind": "child_abuse_unit"}},
                   {"id": "specialised_unit", "family": "institutions", "scale": "yes/no"}]


def test_a_general_cybercrime_unit_alone_does_not_meet_the_special_department():
    """Recommendation 2.2 asks for a department for online child abuse: a general cybercrime unit
    makes specialised_unit "yes" but leaves child_abuse_unit, and so r2_2, short of met."""
    card = _institutions_card([
        {"country_iso2": "RS", "name": "High-tech crime unit", "kind": "police_unit", "source_id": "gen"},
        {"country_iso2": "AL", "name": "Cybercrime unit", "kind": "police_unit", "source_id": "gen"},
        {"country_iso2": "AL", "name": "Online child abuse section", "kind": "child_abuse_unit", "source_id": "cu"},
        {"country_iso2": "BA", "name": "Online child abuse unit", "kind": "child_abuse_unit", "exists": "no",
         "source_id": "none"},
    ], UNIT_INDICATORS)
    cell = card.set_index(["country_iso2", "indicator"])
    assert cell.at[("RS", "specialised_unit"), "value"] == "yes"
    assert pd.isna(cell.at[("RS", "child_abuse_unit"), "value"])
    assert cell.at[("AL", "child_abuse_unit"), "value"] == "yes"
    assert cell.at[("BA", "child_abuse_unit"), "value"] == "no"  # a source states there is none
    assert pd.isna(cell.at[("BA", "specialised_unit"), "value"])  # a stated absence is no unit
    recs = [{"id": "r2_2", "group": 2, "title": "Special department", "indicators": ["child_abuse_unit"]}]
    tracker = recommendation_tracker(card, recs, _four()).set_index(["recommendation", "country_iso2"])
    assert tracker.at[("r2_2", "RS"), "status"] != MET
    assert tracker.at[("r2_2", "RS"), "status"] == UNKNOWN
    assert tracker.at[("r2_2", "AL"), "status"] == MET
    assert tracker.at[("r2_2", "AL"), "evidence"] == "cu"  # the specialised unit's row, not the general one
    assert tracker.at[("r2_2", "BA"), "status"] == NOT_MET


def test_the_real_config_never_lets_a_general_unit_meet_r2_2():
    recs = {r["id"]: r for r in load_recommendations(ROOT / "config" / "recommendations.yaml",
                                                     load_indicators(METHOD))}
    assert "specialised_unit" not in recs["r2_2"]["indicators"]
    assert "specialised_unit" not in recs["r1_5"]["indicators"]
    assert "child_abuse_unit" in recs["r2_2"]["indicators"]


def test_not_measured_never_counts_as_unknown():
    card = pd.DataFrame([{"country_iso2": "RS", "indicator": "inhope_hotline", "value": pd.NA, "score": pd.NA,
                          "source_ids": pd.NA}])
    recs = [{"id": "r2_1", "group": 2, "title": "Research funding", "indicators": [], "note": "not measurable"},
            {"id": "r3_1", "group": 3, "title": "Training", "indicators": [], "note": "not measurable"},
            {"id": "r2_4", "group": 2, "title": "Hotlines", "indicators": ["inhope_hotline"],
             "criteria": {"met": "a member hotline", "not_met": "no member hotline"}}]
    tracker = recommendation_tracker(card, recs, _four())
    rs = tracker[tracker["country_iso2"] == "RS"].set_index("recommendation")
    assert rs.at["r2_1", "status"] == NOT_MEASURED and rs.at["r3_1", "status"] == NOT_MEASURED
    assert rs.at["r2_4", "status"] == UNKNOWN
    assert unknown_share(tracker, ["RS"]) == (1, 1)  # the two unmeasured ones are in neither count
    assert rs.at["r2_1", "criteria"] == "not measurable"
    assert rs.at["r2_4", "criteria"].startswith("Met: a member hotline")


def test_met_and_partly_met_cite_the_rows_that_meet_the_criterion():
    card = pd.DataFrame([
        {"country_iso2": "RS", "indicator": "a", "value": "yes", "score": 1.0, "source_ids": "good"},
        {"country_iso2": "RS", "indicator": "b", "value": "no", "score": 0.0, "source_ids": "bad"},
        {"country_iso2": "AL", "indicator": "a", "value": "yes", "score": 1.0, "source_ids": "good_al"},
        {"country_iso2": "AL", "indicator": "b", "value": "yes", "score": 1.0, "source_ids": "good_al2;x"},
    ])
    recs = [{"id": "r9_1", "group": 1, "title": "Two things", "indicators": ["a", "b"],
             "criteria": {"met": "both met", "not_met": "neither met"}}]
    tracker = recommendation_tracker(card, recs, _four()).set_index(["recommendation", "country_iso2"])
    assert tracker.at[("r9_1", "RS"), "status"] == PARTLY
    assert tracker.at[("r9_1", "RS"), "evidence"] == "good"  # the part met, not the failing row
    assert tracker.at[("r9_1", "RS"), "source_ids"] == "bad;good"
    assert tracker.at[("r9_1", "AL"), "status"] == MET
    assert tracker.at[("r9_1", "AL"), "evidence"] == "good_al;good_al2;x"
    assert pd.isna(tracker.at[("r9_1", "BA"), "evidence"])  # unknown cites nothing


def test_built_tracker_cites_evidence_and_unmeasured_are_not_unknown():
    """On the built table: every met or partly met names its evidence, each evidence id is a source, and
    the recommendations with no indicator are "not measured"."""
    path = ROOT / "data" / "processed" / "recommendation_tracker.csv"
    if not path.is_file():
        pytest.skip("recommendation_tracker.csv not built")
    tracker = pd.read_csv(path, dtype=str)
    if "evidence" not in tracker.columns:
        pytest.skip("recommendation_tracker.csv predates the evidence column")
    claimed = tracker[tracker["status"].isin([MET, PARTLY])]
    assert claimed["evidence"].notna().all(), claimed[claimed["evidence"].isna()]
    sources = set(pd.read_csv(ROOT / "data" / "raw" / "sources.csv", dtype=str)["source_id"])
    cited = {s for v in tracker["evidence"].dropna() for s in v.split(";")}
    assert cited <= sources, cited - sources
    assert (tracker.loc[tracker["indicators"].isna(), "status"] == NOT_MEASURED).all()


def test_a_partial_icmec_criterion_scores_half_and_passes_the_tables_declaration(tmp_path):
    # Real data holds only yes and no; a partial must still be written (the bench's generated data has them).
    from tomas_pipeline.metrics.families import icmec
    from tomas_pipeline.sources.tables import write_table

    method = load_method(METHOD)
    features = pd.DataFrame([{"country_iso2": "RS", "feature": "csam_definition", "value": "partial",
                              "article": "185", "source_id": "s", "preferred": True}])
    frame = icmec(features, _countries(), method["indicators"], method["settings"])
    cell = frame[(frame["country_iso2"] == "RS") & (frame["indicator"] == "icmec_definition")]
    assert cell["score"].tolist() == [0.5]
    write_table("icmec", frame, tmp_path / "icmec.csv")
    assert "0.5" in (tmp_path / "icmec.csv").read_text(encoding="utf-8")
