"""Conflicts and gaps on hand-made processed tables."""

import pandas as pd

from tomas_pipeline.sources.audit import conflicts, gaps


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


def test_gap_wording_states_the_missing_fact_and_the_search_without_doubting():
    """A gap names the fact that is missing and what the data was searched for; it never casts doubt on a
    party status nobody doubts ("when (or whether) Serbia became party")."""
    countries = pd.DataFrame({"iso2": ["RS"], "name": ["Serbia"], "comparison": [True], "user_assigned": [False]})
    actions = pd.DataFrame([
        {"country_iso2": "RS", "instrument": "budapest", "action": "ratification", "date": "2009-04-14",
         "date_precision": "day", "source_id": "chart", "source_kind": "primary", "preferred": True}])
    instruments = pd.DataFrame({"instrument_id": ["uncrc", "budapest"],
                                "short_name": ["UN Convention on the Rights of the Child", "Budapest Convention"]})
    found = gaps({"treaty_actions": actions, "instruments": instruments}, countries).set_index("key")
    crc = found.loc["uncrc"]
    assert crc["what"] == ("the act by which Serbia became a party to the UN Convention on the Rights of the Child "
                           "(ratification, accession or succession) and its date")
    assert crc["tried"] == "no source row in treaty_actions.csv gives a ratification, accession or succession"
    assert found.loc["budapest signature", "what"] == ("the date Serbia signed the Budapest Convention, which it "
                                                       "later ratified")
    assert found.loc["budapest signature", "tried"] == "no source row in treaty_actions.csv gives its signature"
    assert found.loc["producing", "tried"] == "no source row in penalties.csv gives a provision for this offence"
    feature = found.loc["csam_definition"]
    assert feature["what"] == "Serbia's law on 'csam definition': yes, no or partial, with the article"
    assert feature["tried"] == "no source row in legal_features.csv gives this feature"
    hotline = found.loc["hotline"]
    assert hotline["what"] == "the name of Serbia's hotline, or a source stating it has none"
    assert hotline["tried"] == "no source row in institutions.csv gives a body of this kind or its absence"
    for text in list(found["what"]) + list(found["tried"]):
        assert "or whether" not in text and not text.startswith(("when ", "whether ")), text
        assert text.strip() and text != "no source row", text


def test_an_unstated_membership_and_an_old_text_are_worded_as_facts_to_find():
    countries = pd.DataFrame({"iso2": ["RS"], "name": ["Serbia"], "comparison": [True], "user_assigned": [False]})
    hotline = pd.DataFrame([{"country_iso2": "RS", "name": "NetPatrola", "kind": "hotline", "inhope_member": None,
                             "inhope_since": None, "source_id": "paper"}])
    provision = pd.DataFrame([{"country_iso2": "RS", "jurisdiction": None, "offence": "producing", "form": "basic",
                               "provision": "rs_cc_185_2", "code": "Criminal Code", "article": "185(2)",
                               "as_of": "2009", "source_id": "ngo", "preferred": True, "disputed": False}])
    found = gaps({"institutions": hotline, "penalties": provision}, countries, build_date="2026-12-01")
    member = found[found["key"] == "hotline inhope_member"].iloc[0]
    assert member["what"] == "the INHOPE membership (yes or no) of Serbia's hotline"
    assert member["tried"] == "the hotline rows leave INHOPE membership empty"
    old = found[found["key"] == "rs_cc_185_2"].iloc[0]
    assert old["what"] == ("the current text of art. 185(2) of the Criminal Code (Serbia), to set beside the 2009 "
                           "version on record")
    assert old["tried"] == "newest version on record: 2009 (ngo)" and old["kind"] == "check: text older than 5 years"
