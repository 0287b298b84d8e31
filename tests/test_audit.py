"""Conflicts and gaps on hand-made processed tables."""

import pandas as pd

from tomas_pipeline.audit import conflicts, gaps


def _actions():
    return pd.DataFrame([
        # Paper and chart disagree on the year: a conflict, the chart wins.
        {"country_iso2": "AL", "instrument": "budapest", "action": "ratification", "date": "2002-06-20",
         "date_precision": "day", "source_id": "chart", "source_kind": "primary", "preferred": True},
        {"country_iso2": "AL", "instrument": "budapest", "action": "ratification", "date": "2009",
         "date_precision": "year", "source_id": "paper", "source_kind": "secondary", "preferred": False},
        # Same year at coarser precision: agreement, not a conflict.
        {"country_iso2": "RS", "instrument": "warsaw", "action": "ratification", "date": "2009-04-14",
         "date_precision": "day", "source_id": "chart", "source_kind": "primary", "preferred": True},
        {"country_iso2": "RS", "instrument": "warsaw", "action": "ratification", "date": "2009",
         "date_precision": "year", "source_id": "paper", "source_kind": "secondary", "preferred": False},
    ])


def test_conflicts_only_where_values_disagree():
    found = conflicts({"treaty_actions": _actions()})
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["country_iso2"], row["field"], row["chosen_value"], row["other_value"]) == ("AL", "date",
                                                                                          "2002-06-20", "2009")
    assert row["chosen_source"] == "chart" and row["other_source"] == "paper"
    assert "primary" in row["rule"]


def test_penalty_conflict_names_the_newer_text_rule():
    rows = pd.DataFrame([
        {"country_iso2": "RS", "jurisdiction": None, "offence": "producing", "form": "basic", "min_months": 12,
         "max_months": None, "life": False, "as_of": "2024", "source_id": "paper", "source_kind": "secondary",
         "preferred": True},
        {"country_iso2": "RS", "jurisdiction": None, "offence": "producing", "form": "basic", "min_months": 6,
         "max_months": 60, "life": False, "as_of": "2009", "source_id": "ngo", "source_kind": "secondary",
         "preferred": False},
    ])
    found = conflicts({"penalties": rows})
    # Minimums differ; the paper gives no maximum, which is silence, not disagreement.
    assert list(found["field"]) == ["min_months"]
    assert found.iloc[0]["rule"] == "newer text preferred"


def test_gaps_list_missing_facts_and_skip_ineligible_treaties():
    countries = pd.DataFrame({"iso2": ["AL", "XK"], "name": ["Albania", "Kosovo"], "comparison": [True, True],
                              "user_assigned": [False, True]})
    missing = gaps({"treaty_actions": _actions()}, countries)
    treaty = missing[missing["table"] == "treaty_actions"]
    # Albania ratified Budapest in the data: its signature and entry into force are expected; the five
    # other instruments are gaps. Kosovo: none.
    assert sorted(treaty.loc[treaty["country_iso2"] == "AL", "key"]) == sorted(
        ["uncrc", "opsc", "palermo", "lanzarote", "warsaw", "budapest signature", "budapest entry_into_force"])
    assert treaty[treaty["country_iso2"] == "XK"].empty
    # Penalties are expected for Kosovo too (it has a criminal code).
    assert (missing[(missing["country_iso2"] == "XK") & (missing["table"] == "penalties")].shape[0]) == 8
