"""What the report shows of the composite index: its method, tables and one sentence per country.

Every number comes from data/processed/index*.csv or the index block of the
method file, never from the prose.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from tomas_pipeline.reporting.data import available, countries, country_name, method_path, table
from tomas_pipeline.reporting.display import note_table
from tomas_pipeline.reporting.text import MISSING, NOT_AVAILABLE, escape, fmt_int, fmt_number, md_table, ordinal

TABLES = ("index", "index_weights", "index_sensitivity", "index_stability")
RULE_WORDS = {"excluded_and_reweighted": "left out, with the other weights scaled up",
              "scored_as_not_met": "counted as not met",
              "imputed_from_region": "filled with the mean score of the other countries"}


def ready() -> bool:
    return all(available(name) for name in TABLES)


def spec() -> dict:
    """The index block of the method file."""
    from tomas_pipeline.metrics.method import load_method

    return load_method(method_path())["index"]


def pillar_labels() -> dict[str, str]:
    return {p["id"]: p["label"] for p in spec()["pillars"]}


def method_facts() -> dict[str, str]:
    """The method's settings as text for inline expressions."""
    s = spec()
    mc = s["monte_carlo"]
    return {"aggregation": escape(s["aggregation"]), "missing": escape(RULE_WORDS[s["missing"]]),
            "min_coverage": f"{float(s['min_coverage']):.0%}", "draws": fmt_int(mc["draws"]),
            "seed": str(int(mc["seed"])), "concentration": fmt_number(mc["concentration"], 0),
            "pillars": fmt_int(len(s["pillars"])), "rules": fmt_int(len(RULE_WORDS))}


def _order(frame: pd.DataFrame) -> list[str]:
    present = set(frame["country_iso2"])
    return [c for c in countries(focus_only=False)["iso2"] if c in present]


def pillar_table(index: pd.DataFrame) -> str:
    """Countries by pillar: score and coverage (n of m indicators with data), then the index and rank."""
    labels = pillar_labels()
    out = []
    for iso in _order(index):
        mine = index[index["country_iso2"] == iso].set_index("component")
        row: dict[str, str] = {"Country": escape(country_name(iso))}
        for pid, label in labels.items():
            if pid not in mine.index:
                row[escape(label)] = MISSING
                continue
            # One row per country and component (the index table's key), so .loc gives a row.
            r = cast(pd.Series, mine.loc[pid])
            score = MISSING if pd.isna(r["score"]) else fmt_number(r["score"], 3)
            row[escape(label)] = f"{score} ({int(r['indicators_scored'])}/{int(r['indicators_applicable'])})"
        total = cast(pd.Series, mine.loc["index"])
        row["Index"] = (MISSING if pd.isna(total["score"]) else fmt_number(total["score"], 3)) + \
            f" ({int(total['indicators_scored'])}/{int(total['indicators_applicable'])})"
        row["Rank"] = str(int(total["rank"])) if pd.notna(total["rank"]) else "not ranked \\*"
        out.append(row)
    frame = pd.DataFrame(out)
    return md_table(frame, raw=tuple(frame.columns))


def weights_table(weights: pd.DataFrame) -> str:
    """The weights as the index uses them (scaled to sum to one): what a reader needs to recompute a score."""
    view = weights.assign(pw=weights["pillar_weight"].map(lambda v: fmt_number(v, 4)),
                          iw=weights["indicator_weight"].map(lambda v: fmt_number(v, 4)))
    return md_table(view, {"pillar_label": "Pillar", "pw": "Pillar weight", "indicator_label": "Indicator",
                           "iw": "Weight within the pillar"})


_KINDS = {"missing_rule": "with missing data {}", "aggregation": "with the {} mean",
          "drop_pillar": "without the {} pillar"}


def _scenario_words(code: str) -> str:
    kind, name = code.split(":", 1)
    if kind == "missing_rule":
        return _KINDS[kind].format(RULE_WORDS.get(name, name))
    if kind == "drop_pillar":
        return _KINDS[kind].format(pillar_labels().get(name, name))
    return _KINDS.get(kind, "{}").format(name)


def robustness_sentence(row: pd.Series, index_row: pd.Series) -> str:
    """One sentence on whether a country's rank holds when the method's choices change."""
    name = escape(country_name(row["country_iso2"]))
    if pd.isna(row["rank"]):
        return (f"{name} is not ranked: its score rests on {fmt_int(index_row['indicators_scored'])} of "
                f"{fmt_int(index_row['indicators_applicable'])} indicators, fewer than the share the method "
                f"requires, so any rank would mostly reflect missing data.")
    rank = ordinal(int(row["rank"]))
    lo, hi, med = int(row["rank_p05"]), int(row["rank_p95"]), int(row["rank_median"])
    first = f"{float(row['share_first']):.0%}"
    if row["verdict"] == "robust":
        return (f"{name}'s rank ({rank}) is robust: every alternative method gives it the same place and so do "
                f"the random weights, which put it first in {first} of draws.")
    parts = []
    if lo != hi:
        parts.append(f"under random weights it moves between {ordinal(lo)} and {ordinal(hi)} (median "
                     f"{ordinal(med)}, first in {first} of draws)")
    moved = [] if pd.isna(row["scenarios_moving_rank"]) else str(row["scenarios_moving_rank"]).split(";")
    if moved:
        parts.append("it changes place " + ", ".join(_scenario_words(m) for m in moved))
    return f"{name}'s rank ({rank}) is not robust: " + "; ".join(parts) + "."


def robustness_sentences(stability: pd.DataFrame, index: pd.DataFrame) -> str:
    totals = index[index["component"] == "index"].set_index("country_iso2")
    rows = stability.set_index("country_iso2", drop=False)
    # One row per country in each (their key), so .loc gives a row; pandas-stubs allows a frame.
    return "\n".join(f"- {robustness_sentence(cast(pd.Series, rows.loc[iso]), cast(pd.Series, totals.loc[iso]))}"
                     for iso in _order(stability))


def worked_example(index: pd.DataFrame, weights: pd.DataFrame) -> str:
    """The first ranked country's index recomputed from its pillar scores, step by step."""
    totals = index[(index["component"] == "index") & index["rank"].notna()]
    if totals.empty:
        return "No country has enough data to be ranked in this build."
    iso = _order(totals)[0]
    mine = index[(index["country_iso2"] == iso) & (index["component"] != "index") & index["score"].notna()]
    labels = pillar_labels()
    shown = float(cast(float, totals.set_index("country_iso2").at[iso, "score"]))  # a numeric column
    used = ", ".join(escape(labels.get(c, c)) for c in mine["component"])
    w, sc, wsum = mine["weight"].astype(float), mine["score"].astype(float), float(mine["weight"].sum())
    if spec()["aggregation"] == "geometric":
        floor = float(spec().get("geometric_floor", 0.01))
        terms = " × ".join(f"{fmt_number(max(s_, floor), 4)}^({fmt_number(w_, 2)} / {fmt_number(wsum, 2)})"
                           for w_, s_ in zip(w, sc))
        total = float(np.exp((w * np.log(np.maximum(sc, floor))).sum() / wsum))
    else:
        terms = "(" + " + ".join(f"{fmt_number(w_, 2)} × {fmt_number(s_, 4)}" for w_, s_ in zip(w, sc)) + \
            f") / {fmt_number(wsum, 2)}"
        total = float((w * sc).sum() / wsum)
    return (f"For {escape(country_name(iso))}, the pillars with a score are {used}; the index is "
            f"{terms} = {fmt_number(total, 4)}, which index.csv gives as {fmt_number(shown, 4)}.")


def guarded_or_note(make) -> str:
    """``make(index, weights, sensitivity, stability)`` or a note when the tables are not there."""
    if not ready():
        return note_table(f"Composite index: {NOT_AVAILABLE}")
    return make(*(table(name) for name in TABLES))
