"""The composite index: its method in the config, reproducible sensitivity, marking of thin data,
and a score a reader can recompute from the published tables."""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import TESTS

from tomas_pipeline import steps
from tomas_pipeline.core.errors import TomasInputError
from tomas_pipeline.core.io import read_processed, write_csv
from tomas_pipeline.metrics import composite
from tomas_pipeline.metrics.method import load_method

ROOT = TESTS.parent
METHOD = ROOT / "config" / "indicators.yaml"
SCHEMA = ROOT / "workflow" / "schemas" / "indicators.schema.yaml"


def _countries():
    return pd.DataFrame({"iso2": ["RS", "AL", "ME"], "name": ["Serbia", "Albania", "Montenegro"],
                         "focus": [True, True, False], "comparison": [True, True, True], "order": [0, 1, 2]})


def _card(method: dict) -> pd.DataFrame:
    """Serbia strong on law (but for ICMEC's criteria) and treaties, Albania on penalties and
    institutions, so the weights decide who leads; Montenegro has data for three indicators only."""
    rows = []
    # The pillars as the index reads them: listed, or through family_pillars.
    pillar_of = {i: p["id"] for p in composite.index_spec(method)["pillars"] for i in p["indicators"]}
    for ind in (i["id"] for i in method["indicators"] if i["scored"]):
        pillar = pillar_of[ind]
        strong = pillar in ("law", "treaties") and not ind.startswith("icmec_")
        rows.append(("RS", ind, 1.0 if strong else 0.5))
        rows.append(("AL", ind, 1.0 if pillar in ("penalties", "institutions") else 0.5))
    rows += [("ME", "treaty_uncrc", 1.0), ("ME", "treaty_opsc", 1.0), ("ME", "crim_producing", 1.0)]
    # Serbia has no data on two law indicators: the missing-data rules differ there.
    rows = [r for r in rows if not (r[0] == "RS" and r[1] in ("crim_grooming", "term_pornography"))]
    return pd.DataFrame([{"country_iso2": c, "indicator": i, "value": "yes" if s == 1 else "partial", "score": s,
                          "source_ids": "src_" + c.lower()} for c, i, s in rows])


def _method() -> dict:
    return load_method(METHOD)


def _pillar(method: dict, pid: str) -> dict:
    return next(p for p in method["index"]["pillars"] if p["id"] == pid)


def _totals(tables: dict) -> pd.DataFrame:
    frame = tables["index"]
    return frame[frame["component"] == "index"].set_index("country_iso2")


def _project(tmp_path: Path, method: dict) -> Path:
    """A config/ and workflow/schemas/ pair as the pipeline reads them, with ``method`` written out."""
    (tmp_path / "config").mkdir(parents=True)
    (tmp_path / "workflow" / "schemas").mkdir(parents=True)
    shutil.copy(SCHEMA, tmp_path / "workflow" / "schemas" / SCHEMA.name)
    path = tmp_path / "config" / "indicators.yaml"
    path.write_text(yaml.safe_dump(method, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run_step(tmp_path: Path, method: dict, out: str) -> dict[str, Path]:
    config = _project(tmp_path / out / "project", method)
    card, countries = tmp_path / out / "scorecard.csv", tmp_path / out / "countries.csv"
    write_csv(_card(method), card)
    write_csv(_countries(), countries)
    outputs = {name: tmp_path / out / f"{name}.csv"
               for name in ("index", "index_weights", "index_sensitivity", "index_stability")}
    steps.composite_index(str(card), str(countries), str(config), {k: str(v) for k, v in outputs.items()},
                          str(tmp_path / out / "log.txt"))
    return outputs


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- The method lives in the config -------------------------------------------------


def test_the_shipped_method_puts_every_scored_indicator_in_one_pillar():
    method = _method()
    spec = composite.index_spec(method)
    listed = [i for p in spec["pillars"] for i in p["indicators"]]
    scored = [i["id"] for i in method["indicators"] if i["scored"]]
    assert sorted(listed) == sorted(scored)
    assert {p["id"] for p in spec["pillars"]} == {"law", "penalties", "treaties", "institutions", "data"}


def test_an_indicator_left_out_of_every_pillar_is_an_error():
    method = _method()
    _pillar(method, "data")["indicators"].remove("inhope_hotline")
    del method["index"]["family_pillars"]["institutions"]
    with pytest.raises(TomasInputError, match="every scored indicator"):
        composite.index_spec(method)


def test_an_unlisted_indicator_joins_its_familys_pillar():
    method = _method()
    _pillar(method, "data")["indicators"].remove("inhope_hotline")
    spec = composite.index_spec(method)
    assert "inhope_hotline" in _pillar({"index": spec}, "institutions")["indicators"]
    # The method itself is left as it was.
    assert "inhope_hotline" not in _pillar(method, "institutions")["indicators"]


def test_the_schema_rejects_an_unknown_aggregation(tmp_path):
    method = _method()
    method["index"]["aggregation"] = "median"
    with pytest.raises(TomasInputError):
        load_method(_project(tmp_path, method))


def test_changing_a_pillar_weight_in_the_config_changes_the_published_index(tmp_path):
    method = _method()
    before = _run_step(tmp_path, method, "before")
    changed = copy.deepcopy(method)
    _pillar(changed, "penalties")["weight"] = 3 * float(_pillar(changed, "penalties")["weight"])
    after = _run_step(tmp_path, changed, "after")
    assert _digest(before["index"]) != _digest(after["index"])
    old, new = (read_processed(p["index"]).query("component == 'index'").set_index("country_iso2")
                for p in (before, after))
    # More weight on penalties, where Albania is strong: Albania's index rises, Serbia's falls.
    assert new.at["AL", "score"] > old.at["AL", "score"]
    assert new.at["RS", "score"] < old.at["RS", "score"]


def test_changing_an_indicator_weight_changes_its_pillar_score():
    method = _method()
    card = _card(method)
    base = composite.composite(card, method, _countries())["index"].set_index(["country_iso2", "component"])
    changed = copy.deepcopy(method)
    # Serbia scores 1 on crim_producing and 0.5 on the ICMEC criteria: weigh the offence up.
    _pillar(changed, "law").setdefault("weights", {})["crim_producing"] = 5
    after = composite.composite(card, changed, _countries())["index"].set_index(["country_iso2", "component"])
    assert after.at[("RS", "law"), "score"] > base.at[("RS", "law"), "score"]


# --- Reproducible sensitivity ----------------------------------------------------------


def test_the_seed_makes_every_table_byte_identical(tmp_path):
    method = _method()
    first, second = _run_step(tmp_path, method, "one"), _run_step(tmp_path, method, "two")
    for name in first:
        assert _digest(first[name]) == _digest(second[name]), name
    other = copy.deepcopy(method)
    other["index"]["monte_carlo"]["seed"] += 1
    third = _run_step(tmp_path, other, "three")
    # The draws depend on the seed: another seed gives other shares, the deterministic tables stay.
    assert _digest(third["index_stability"]) != _digest(first["index_stability"])
    assert _digest(third["index"]) == _digest(first["index"])


def test_random_weights_move_close_ranks_and_shares_add_up():
    method = _method()
    stab = composite.composite(_card(method), method, _countries())["index_stability"].set_index("country_iso2")
    ranked = stab[stab["complete"]]
    assert len(ranked) == 2
    # Two countries: each draw ranks one first and the other last.
    assert ranked["share_first"].sum() == pytest.approx(1.0)
    assert (ranked["share_first"] > 0).all() and (ranked["share_first"] < 1).all()
    assert (ranked["rank_p05"] <= ranked["rank_median"]).all() and (ranked["rank_median"] <= ranked["rank_p95"]).all()
    assert set(ranked["verdict"]) <= {composite.WEIGHTS, composite.BOTH}


def test_every_missing_data_rule_and_dropped_pillar_is_computed():
    method = _method()
    sens = composite.composite(_card(method), method, _countries())["index_sensitivity"]
    kinds = sens.groupby("scenario_kind")["scenario"].unique().to_dict()
    assert set(kinds["missing_rule"]) == set(composite.MISSING_RULES)
    assert set(kinds["drop_pillar"]) == {p["id"] for p in method["index"]["pillars"]}
    rs = sens[sens["country_iso2"] == "RS"].set_index("scenario")["score"]
    # Serbia lacks two law indicators: counted as 0 its index is lower than with them left out, and
    # Albania's law scores (0.5) filled in land in between.
    assert rs["scored_as_not_met"] < rs["imputed_from_region"] < rs["excluded_and_reweighted"]


def test_missing_data_rules_by_hand():
    method = _method()
    for pillar in method["index"]["pillars"]:
        pillar.pop("weights", None)
    card = _card(method)
    law = len(_pillar(method, "law")["indicators"])
    layout = composite.Layout(card, composite.index_spec(method), ["RS", "AL", "ME"])
    for rule, expected in [
        # Ten law indicators with data: seven criminalisation scores of 1 less the missing grooming, four ICMEC
        # criteria at 0.5 -> six ones and four halves over ten.
        ("excluded_and_reweighted", (6 * 1 + 4 * 0.5) / (law - 2)),
        ("scored_as_not_met", (6 * 1 + 4 * 0.5) / law),
        # Albania's 0.5 fills both gaps (Montenegro has neither indicator).
        ("imputed_from_region", (6 * 1 + 4 * 0.5 + 0.5 + 0.5) / law),
    ]:
        pillars, _ = composite.evaluate(layout, method["index"], rule=rule)
        assert pillars[0, layout.pillars.index("law")] == pytest.approx(expected), rule


# --- Thin data is shown but never ranked -----------------------------------------------------


def test_a_country_under_half_coverage_is_marked_and_not_ranked():
    method = _method()
    tables = composite.composite(_card(method), method, _countries())
    me = _totals(tables).loc["ME"]
    assert me["coverage"] < 0.5 and not me["complete"] and pd.isna(me["rank"])
    assert me["score"] == pytest.approx(1.0)  # its score is shown all the same
    assert sorted(_totals(tables)["rank"].dropna().astype(int)) == [1, 2]  # ranks run over the complete only
    stab = tables["index_stability"].set_index("country_iso2")
    assert stab.at["ME", "verdict"] == composite.NOT_RANKED and pd.isna(stab.at["ME", "rank_median"])
    sens = tables["index_sensitivity"]
    assert sens.loc[sens["country_iso2"] == "ME", "rank"].isna().all()


def test_raising_the_coverage_bar_unranks_a_country():
    method = _method()
    method["index"]["min_coverage"] = 0.99
    totals = _totals(composite.composite(_card(method), method, _countries()))
    assert pd.isna(totals.at["RS", "rank"]) and totals.at["AL", "rank"] == 1


# --- A reader can recompute a score from the published tables ---------------------------------


def _recompute(index: pd.DataFrame, weights: pd.DataFrame, card: pd.DataFrame, iso: str) -> tuple[dict, float]:
    """Arithmetic mean, missing data left out: the method appendix's recipe, written out."""
    scores = card[card["country_iso2"] == iso].set_index("indicator")["score"].dropna().astype(float)
    pillars = {}
    for pid, rows in weights.groupby("pillar", sort=False):
        rows = rows[rows["indicator"].isin(scores.index)]
        if len(rows):
            pillars[pid] = float((rows["indicator_weight"] * scores[rows["indicator"]].values).sum()
                                 / rows["indicator_weight"].sum())
    mine = index[(index["country_iso2"] == iso) & (index["component"] != "index")].set_index("component")
    w = {p: float(mine.at[p, "weight"]) for p in pillars}
    return pillars, sum(w[p] * s for p, s in pillars.items()) / sum(w.values())


def test_a_score_recomputed_by_hand_from_the_published_tables(tmp_path):
    method = _method()
    out = _run_step(tmp_path, method, "pub")
    index, weights = read_processed(out["index"]), read_processed(out["index_weights"])
    card = read_processed(tmp_path / "pub" / "scorecard.csv")
    for iso in ("RS", "AL"):
        pillars, total = _recompute(index, weights, card, iso)
        mine = index[index["country_iso2"] == iso].set_index("component")
        for pid, score in pillars.items():
            assert mine.at[pid, "score"] == pytest.approx(score, abs=1e-6), (iso, pid)
        assert mine.at["index", "score"] == pytest.approx(total, abs=1e-6), iso


def test_the_built_index_recomputes_by_hand():
    """On the real build, when there is one: the first ranked country's index from the tables."""
    processed = ROOT / "data" / "processed"
    if not (processed / "index.csv").is_file():
        pytest.skip("no build in data/processed")
    index = read_processed(processed / "index.csv")
    if index["aggregation"].iloc[0] != "arithmetic" or index["missing_rule"].iloc[0] != "excluded_and_reweighted":
        pytest.skip("the hand recipe below is the arithmetic one with missing data left out")
    ranked = index[(index["component"] == "index") & index["rank"].notna()]
    if ranked.empty:
        pytest.skip("no country ranked in this build")
    iso = ranked["country_iso2"].iloc[0]
    _, total = _recompute(index, read_processed(processed / "index_weights.csv"),
                          read_processed(processed / "scorecard.csv"), iso)
    assert ranked["score"].iloc[0] == pytest.approx(total, abs=1e-6)


# --- Figure and report helpers --------------------------------------------------------------


def test_the_rank_figure_is_stable_and_says_who_is_not_ranked(tmp_path):
    from tomas_pipeline.figures import charts as figures

    method = _method()
    tables = composite.composite(_card(method), method, _countries())
    spec = figures.index_ranks(tables["index"], tables["index_stability"], _countries(), "test")
    a = figures.save_figure(spec, tmp_path / "a" / "fig")
    spec = figures.index_ranks(tables["index"], tables["index_stability"], _countries(), "test")
    b = figures.save_figure(spec, tmp_path / "b" / "fig")
    assert [_digest(p) for p in a] == [_digest(p) for p in b]
    scored = sum(1 for i in method["indicators"] if i["scored"])  # Montenegro's card holds three of them
    assert f"Not ranked: Montenegro (3 of {scored} indicators)" in spec.alt
    assert "Serbia: rank" in spec.alt and "Albania: rank" in spec.alt


def test_robustness_sentences_and_pillar_table(tmp_path, monkeypatch):
    from tomas_pipeline.reporting import composite as RI
    from tomas_pipeline.reporting import data

    method = _method()
    out = _run_step(tmp_path, method, "rep")
    monkeypatch.setenv("TOMAS_PROCESSED_DIR", str(tmp_path / "rep"))
    monkeypatch.setenv("TOMAS_METHOD_FILE", str(METHOD))
    data._load.cache_clear()
    try:
        assert RI.ready()
        index, stab = read_processed(out["index"]), read_processed(out["index_stability"])
        text = RI.robustness_sentences(stab, index)
        assert text.count("\n") == 2  # one sentence per country
        scored = sum(1 for i in method["indicators"] if i["scored"])
        assert f"Montenegro is not ranked: its score rests on 3 of {scored} indicators" in text
        assert "Serbia's rank" in text and "is not robust" in text
        table = RI.pillar_table(index)
        assert "| Montenegro |" in table and "not ranked" in table
        example = RI.worked_example(index, read_processed(out["index_weights"]))
        # The example's own sum gives the published score.
        stated, shown = example.rsplit(" = ", 1)[1].split(", which index.csv gives as ")
        assert stated == shown.rstrip(".")
    finally:
        data._load.cache_clear()


def test_the_index_tables_ship_described_in_the_data_package(tmp_path):
    import json

    from frictionless import validate

    from tomas_pipeline.release.datapackage import build_descriptor

    out = _run_step(tmp_path, _method(), "pkg")
    folder = tmp_path / "bundle"
    (folder / "data").mkdir(parents=True)
    for path in [*out.values(), tmp_path / "pkg" / "countries.csv"]:
        shutil.copy(path, folder / "data" / Path(path).name)
    package = build_descriptor(folder, "data", "9.9.9", 0)
    resources = {r["name"]: r for r in package["resources"]}
    for name in out:
        assert resources[name]["description"], name
        undescribed = [f["name"] for f in resources[name]["schema"]["fields"] if not f.get("description")]
        assert not undescribed, (name, undescribed)
    (folder / "datapackage.json").write_text(json.dumps(package))
    assert validate(str(folder / "datapackage.json")).valid
