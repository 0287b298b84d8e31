"""Declared expectations (config/expectations.yaml) make the gaps complete, and old texts become checks."""

import copy
import datetime as dt
import shutil

import pandas as pd
import pytest
import yaml
from conftest import TESTS

from tomas_pipeline import steps
from tomas_pipeline.core.config import load_config
from tomas_pipeline.core.errors import TomasInputError
from tomas_pipeline.core.io import read_processed, write_csv
from tomas_pipeline.sources import audit

ROOT = TESTS.parent
SPEC = audit.load_expectations(ROOT / "config" / "expectations.yaml")
COUNTRIES = pd.DataFrame([{"iso2": "RS", "name": "Serbia", "comparison": True, "user_assigned": False},
                          {"iso2": "XK", "name": "Kosovo", "comparison": True, "user_assigned": True}])


def _action(iso, instrument, action, date="2010-01-01"):
    return {"country_iso2": iso, "instrument": instrument, "action": action, "date": date, "source_id": "chart",
            "source_kind": "primary", "preferred": True}


def _provision(as_of, provision="rs_cc_185_2"):
    return {"country_iso2": "RS", "jurisdiction": None, "offence": "producing", "form": "basic",
            "provision": provision, "code": "Criminal Code", "article": "185(2)", "min_months": 6,
            "max_months": 60, "life": False, "as_of": as_of, "source_id": "code_text", "source_kind": "primary",
            "preferred": True, "disputed": False}


def _keys(frame, table, iso="RS", kind=audit.MISSING):
    rows = frame[(frame["table"] == table) & (frame["country_iso2"] == iso) & (frame["kind"] == kind)]
    return set(rows["key"])


def test_the_shipped_expectations_pass_their_schema():
    assert SPEC["treaties"]["facts"] == ["signature", "consent", "entry_into_force"]
    assert any(s["scope"] == "global" for s in SPEC["statistics"])


def test_a_declared_statistic_without_a_value_is_a_gap_until_a_source_gives_it(tmp_path):
    spec = copy.deepcopy(SPEC)
    spec["statistics"] = [{"indicator": "made_up_reports", "label": "Made-up reports", "scope": "country",
                           "years": [2022, 2023]},
                          {"indicator": "made_up_reports", "label": "Made-up reports", "scope": "global",
                           "years": [2023]}]
    stats = pd.DataFrame([{"scope": "country", "area": None, "country_iso2": "RS", "indicator": "made_up_reports",
                           "year": 2022, "value": "5", "source_id": "s", "preferred": True}])
    found = audit.gaps({"statistics": stats}, COUNTRIES, spec)
    assert _keys(found, "statistics") == {"made_up_reports 2023"}
    row = found[found["key"] == "made_up_reports 2023"].iloc[0]
    assert row["tried"] == "rows for other years only" and "2023" in row["what"]
    # The world total is expected once, with no country, and no source gives it.
    world = found[(found["table"] == "statistics") & found["country_iso2"].isna()]
    assert list(world["tried"]) == ["no source row in statistics.csv gives this figure"]
    assert "worldwide" in world.iloc[0]["what"]
    # Not declared, not expected: the shipped statistics are not listed under this spec.
    assert not any("ncmec" in k for k in found["key"])


def test_gaps_csv_lists_declared_facts_through_the_pipeline_step(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    write_csv(COUNTRIES.assign(focus=True, order=range(len(COUNTRIES))), processed / "countries.csv")
    write_csv(pd.DataFrame([_action("RS", "lanzarote", "ratification")]), processed / "treaty_actions.csv")
    hotline = {"country_iso2": "RS", "name": "Hotline", "kind": "hotline", "inhope_member": "yes",
               "inhope_since": None, "source_id": "h"}
    write_csv(pd.DataFrame([hotline]), processed / "institutions.csv")
    spec_file = tmp_path / "config" / "expectations.yaml"
    spec_file.parent.mkdir()
    shutil.copy(ROOT / "config" / "expectations.yaml", spec_file)
    (tmp_path / "workflow" / "schemas").mkdir(parents=True)
    shutil.copy(ROOT / "workflow" / "schemas" / "expectations.schema.yaml", tmp_path / "workflow" / "schemas")
    out = tmp_path / "gaps.csv"
    steps.audit(str(processed), str(tmp_path / "conflicts.csv"), str(out), str(tmp_path / "audit.log"),
                str(spec_file))
    gaps = read_processed(out)
    assert list(gaps.columns) == audit.GAP_COLUMNS
    keys = _keys(gaps, "treaty_actions")
    assert {"lanzarote signature", "lanzarote entry_into_force", "uncrc"} <= keys and "lanzarote" not in keys
    year = gaps[gaps["key"] == "hotline inhope_since"]
    assert list(year["tried"]) == [audit.NO_DATE]
    assert {"ncmec_cybertipline_reports 2021", "ncmec_cybertipline_reports 2023"} <= _keys(gaps, "statistics")


def test_a_ratification_without_entry_into_force_is_a_gap_and_an_accession_needs_no_signature():
    actions = pd.DataFrame([
        _action("RS", "budapest", "signature"), _action("RS", "budapest", "ratification"),
        _action("RS", "opsc", "accession"), _action("RS", "opsc", "entry_into_force"),
        _action("RS", "warsaw", "signature"), _action("RS", "warsaw", "ratification"),
        _action("RS", "warsaw", "entry_into_force"),
    ])
    found = audit.gaps({"treaty_actions": actions}, COUNTRIES, SPEC)
    keys = _keys(found, "treaty_actions")
    assert "budapest entry_into_force" in keys
    row = found[found["key"] == "budapest entry_into_force"].iloc[0]
    assert "entered into force for Serbia" in row["what"]
    assert row["tried"] == "no source row in treaty_actions.csv gives its entry into force"
    assert "opsc signature" not in keys and not {k for k in keys if k.startswith(("warsaw", "opsc"))}
    # Kosovo cannot join these treaties: nothing is expected of it.
    assert not _keys(found, "treaty_actions", "XK")
    # Once the date is on record the gap is gone.
    more = pd.concat([actions, pd.DataFrame([_action("RS", "budapest", "entry_into_force")])])
    assert "budapest entry_into_force" not in _keys(audit.gaps({"treaty_actions": more}, COUNTRIES, SPEC),
                                                    "treaty_actions")


def test_a_missing_scorecard_value_and_an_unset_ICMEC_criterion_are_gaps():
    card = pd.DataFrame([{"country_iso2": "RS", "indicator": "crim_producing", "value": "yes", "source_ids": "a"},
                         {"country_iso2": "RS", "indicator": "icmec_definition", "value": None, "source_ids": "b"},
                         {"country_iso2": "XK", "indicator": "treaty_uncrc", "value": "not applicable",
                          "source_ids": None}])
    found = audit.gaps({"scorecard": card}, COUNTRIES, SPEC, {"icmec_definition": "ICMEC 2 definition"})
    assert _keys(found, "scorecard") == {"icmec_definition", "treaty_uncrc"}
    row = found[(found["table"] == "scorecard") & (found["key"] == "icmec_definition")].iloc[0]
    assert "ICMEC 2 definition" in row["what"] and "(b)" in row["tried"]
    # "not applicable" is a value; a country without the row is still expected to have one.
    assert _keys(found, "scorecard", "XK") == {"crim_producing", "icmec_definition"}
    assert "csam_definition" in _keys(found, "legal_features")


def test_a_comparison_country_without_a_strategy_is_a_gap_unless_none_is_expected():
    plans = pd.DataFrame([{"country_iso2": "RS", "title": "Strategy", "start_year": 2021, "end_year": 2026,
                           "field": "information_society", "source_id": "a"}])
    found = audit.gaps({"strategies": plans}, COUNTRIES, SPEC)
    assert _keys(found, "strategies") == set() and _keys(found, "strategies", "XK") == {"strategy"}
    row = found[(found["table"] == "strategies") & (found["country_iso2"] == "XK")].iloc[0]
    assert row["what"].startswith("Kosovo's national strategies") and "strategies.csv" in row["tried"]
    # With no table at all every comparison country is a gap; with the expectation off, none is.
    assert set(audit.gaps({}, COUNTRIES, SPEC).query("table == 'strategies'")["country_iso2"]) == {"RS", "XK"}
    assert "strategies" not in set(audit.gaps({}, COUNTRIES, {**SPEC, "strategies": False})["table"])


def test_an_old_text_is_a_check_relative_to_the_build_date_not_the_clock():
    tables = {"penalties": pd.DataFrame([_provision("2009")])}
    kind = "check: text older than 5 years"
    # By today's clock a 2009 text is long past five years: a check here would come from the clock.
    assert not _keys(audit.gaps(tables, COUNTRIES, SPEC, build_date="2014-12-31"), "penalties", kind=kind)
    late = audit.gaps(tables, COUNTRIES, SPEC, build_date=dt.date(2015, 1, 1))
    assert _keys(late, "penalties", kind=kind) == {"rs_cc_185_2"}
    row = late[late["kind"] == kind].iloc[0]
    assert "185(2)" in row["what"] and "2009" in row["tried"]
    # The age is configurable, and without a build date nothing is aged.
    assert not _keys(audit.gaps(tables, COUNTRIES, SPEC, build_date="2015-01-01", max_age_years=6), "penalties",
                     kind="check: text older than 6 years")
    assert set(audit.gaps(tables, COUNTRIES, SPEC)["kind"]) <= {audit.MISSING}
    # A full date counts to the day.
    tables = {"penalties": pd.DataFrame([_provision("2019-12-01")])}
    assert not _keys(audit.gaps(tables, COUNTRIES, SPEC, build_date="2024-12-01"), "penalties", kind=kind)
    assert _keys(audit.gaps(tables, COUNTRIES, SPEC, build_date="2024-12-02"), "penalties", kind=kind)


def test_a_country_whose_newest_strategy_has_ended_is_a_check_at_the_build_date():
    def plan(title, start, end):
        return {"country_iso2": "RS", "title": title, "start_year": start, "end_year": end,
                "field": "information_society", "source_id": title.lower()}

    plans = pd.DataFrame([plan("Old", 2017, 2020), plan("New", 2021, 2026)])
    # In force through its last year: no check in 2026, one from 2027, naming the newest plan.
    assert not _keys(audit.gaps({"strategies": plans}, COUNTRIES, SPEC, build_date="2026-12-31"), "strategies",
                     kind=audit.ENDED)
    late = audit.gaps({"strategies": plans}, COUNTRIES, SPEC, build_date="2027-01-01")
    assert _keys(late, "strategies", kind=audit.ENDED) == {"strategy"}
    row = late[late["kind"] == audit.ENDED].iloc[0]
    assert "after 2026" in row["what"] and "ended in 2026 (new)" in row["tried"]
    # A plan with no end year on record may be in force: no check; nor without a build date.
    open_ended = pd.concat([plans, pd.DataFrame([plan("Undated", None, None)])])
    assert not _keys(audit.gaps({"strategies": open_ended}, COUNTRIES, SPEC, build_date="2030-01-01"), "strategies",
                     kind=audit.ENDED)
    assert not _keys(audit.gaps({"strategies": plans}, COUNTRIES, SPEC), "strategies", kind=audit.ENDED)


def test_only_the_newest_year_of_a_yearly_series_is_aged():
    stats = pd.DataFrame([{"scope": "country", "area": None, "country_iso2": "RS", "indicator": indicator,
                           "year": year, "value": "1", "source_id": "s", "preferred": True}
                          for indicator, year in [("ncmec_cybertipline_reports", 2016),
                                                  ("ncmec_cybertipline_reports", 2018),
                                                  ("itu_gci_2020_rank_global", 2010)]])
    kind = "check: text older than 5 years"
    checks = audit.gaps({"statistics": stats}, COUNTRIES, SPEC, build_date="2024-06-30")
    # One edition's rank does not age (not declared yearly); the series is checked once, by its newest year.
    assert _keys(checks, "statistics", kind=kind) == {"ncmec_cybertipline_reports 2018"}
    assert not _keys(audit.gaps({"statistics": stats}, COUNTRIES, SPEC, build_date="2023-12-31"), "statistics",
                     kind=kind)


def _write(tmp_path, name, text):
    (tmp_path / "config").mkdir(exist_ok=True)
    path = tmp_path / "config" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_bad_expectations_file_is_refused_with_the_key_and_line(tmp_path):
    text = (ROOT / "config" / "expectations.yaml").read_text(encoding="utf-8")
    bad = _write(tmp_path, "expectations.yaml", text.replace("scope: global", "scope: planet"))
    with pytest.raises(TomasInputError) as err:
        audit.load_expectations(bad, ROOT / "workflow" / "schemas" / "expectations.schema.yaml")
    message = str(err.value)
    assert "statistics.1.scope" in message and "planet" in message
    line = next(i for i, ln in enumerate(bad.read_text().splitlines(), 1) if "planet" in ln)
    assert err.value.row == line
    # A misspelt section is an unknown key, named as such.
    typo = _write(tmp_path, "expectations.yaml", text.replace("penalties:", "penaltys:"))
    with pytest.raises(TomasInputError, match="penaltys"):
        audit.load_expectations(typo, ROOT / "workflow" / "schemas" / "expectations.schema.yaml")


def test_the_age_in_config_yaml_is_schema_checked(tmp_path):
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    assert config["audit"]["outdated_after_years"] == 5
    config["audit"]["outdated_after_years"] = "five"
    bad = _write(tmp_path, "config.yaml", yaml.safe_dump(config))
    with pytest.raises(TomasInputError, match="audit.outdated_after_years"):
        load_config(bad, ROOT / "workflow" / "schemas" / "config.schema.yaml")
