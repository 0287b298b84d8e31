"""A composite index per country from the scorecard, with its own sensitivity analysis.

The method is the ``index`` block of config/indicators.yaml: pillars, the
weights within and between them, the aggregation and the missing-data rule.
Everything here is a pure function of the scorecard and that block; the
Monte Carlo draws come from a seeded generator, so the tables are the same
bytes on every run.

Arithmetic of the chosen score (what a reader recomputes by hand):
  pillar score = sum(w_i * s_i) / sum(w_i) over the pillar's indicators that count;
  index (arithmetic) = sum(W_p * P_p) / sum(W_p) over the pillars with a score;
  index (geometric) = exp(sum(W_p * ln max(P_p, floor)) / sum(W_p)).
Which indicators count depends on the missing-data rule (see MISSING_RULES).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, SupportsFloat, cast

import numpy as np
import pandas as pd

from tomas_pipeline.core.errors import TomasInputError
from tomas_pipeline.core.io import is_na
from tomas_pipeline.metrics.common import NOT_APPLICABLE, _comparison, _ids
from tomas_pipeline.sources.tables import TABLES

if TYPE_CHECKING:
    from pandas.api.typing import NAType

MISSING_RULES = ("excluded_and_reweighted", "scored_as_not_met", "imputed_from_region")
AGGREGATIONS = ("arithmetic", "geometric")
INDEX = "index"  # the component name of the total in index.csv
DIGITS = 6  # rounding of published numbers: the same bytes on every machine

# What a rank verdict says (index_stability.csv, column verdict).
ROBUST, WEIGHTS, CHOICES, BOTH, NOT_RANKED = (
    "robust", "sensitive to weights", "sensitive to method choices", "sensitive to weights and method choices",
    "not ranked")


def index_spec(method: dict, path: Path | str = "config/indicators.yaml") -> dict:
    """The method file's index block, checked against its indicators: every scored
    indicator in exactly one pillar, nothing else in any."""
    spec = method.get("index")
    if spec is None:
        raise TomasInputError(path, None, "index", None, "an index block (pillars, weights, rules)")
    scored = [i["id"] for i in method["indicators"] if i["scored"]]
    seen: dict[str, str] = {}
    for n, pillar in enumerate(spec["pillars"]):
        for ind in pillar["indicators"]:
            if ind not in scored:
                raise TomasInputError(path, None, f"index.pillars.{n}.indicators", ind, "a scored indicator id")
            if ind in seen:
                raise TomasInputError(path, None, f"index.pillars.{n}.indicators", ind,
                                      f"an indicator in one pillar only (already in {seen[ind]})")
            seen[ind] = pillar["id"]
        for ind in pillar.get("weights", {}):
            if ind not in pillar["indicators"]:
                raise TomasInputError(path, None, f"index.pillars.{n}.weights", ind, "an indicator of this pillar")
    ids = [p["id"] for p in spec["pillars"]]
    if len(set(ids)) != len(ids):
        raise TomasInputError(path, None, "index.pillars", ids, "each pillar once")
    spec = copy.deepcopy(spec)
    pillars = {p["id"]: p for p in spec["pillars"]}
    family_of = {i["id"]: i["family"] for i in method["indicators"]}
    defaults = spec.get("family_pillars", {})
    left = []
    for ind in (i for i in scored if i not in seen):
        target = pillars.get(defaults.get(family_of[ind], ""))
        if target is None:
            left.append(ind)
        else:
            target["indicators"].append(ind)
    if left:
        raise TomasInputError(path, None, "index.pillars", left,
                              "every scored indicator in a pillar (listed, or through family_pillars)")
    return spec


class Layout:
    """The index's arrays: countries x indicators, in the method's order."""

    def __init__(self, scorecard: pd.DataFrame, spec: dict, countries: list[str]):
        self.countries = countries
        self.pillars = [p["id"] for p in spec["pillars"]]
        self.indicators = [i for p in spec["pillars"] for i in p["indicators"]]
        self.pillar_of = np.array([k for k, p in enumerate(spec["pillars"]) for _ in p["indicators"]])
        w = np.array([float(p["weight"]) for p in spec["pillars"]])
        self.pillar_weights = w / w.sum()
        # Indicator weights scaled to sum to 1 within each pillar.
        raw = np.array([float(p.get("weights", {}).get(i, 1.0)) for p in spec["pillars"] for i in p["indicators"]])
        totals = np.bincount(self.pillar_of, weights=raw)
        self.indicator_weights = raw / totals[self.pillar_of]
        cells = scorecard.set_index(["country_iso2", "indicator"]) if not scorecard.empty else None
        shape = (len(countries), len(self.indicators))
        self.scores = np.full(shape, np.nan)
        self.applicable = np.ones(shape, dtype=bool)
        self.sources: dict[tuple[str, int], list] = {}
        for c, iso in enumerate(countries):
            for i, ind in enumerate(self.indicators):
                if cells is None or (iso, ind) not in cells.index:
                    continue
                value, score = cells.at[(iso, ind), "value"], cells.at[(iso, ind), "score"]
                if isinstance(value, str) and value == NOT_APPLICABLE:
                    self.applicable[c, i] = False
                elif not is_na(score):
                    self.scores[c, i] = float(cast(SupportsFloat, score))  # a score is a number or NA
                    self.sources.setdefault((iso, int(self.pillar_of[i])), []).append(
                        cells.at[(iso, ind), "source_ids"])
        self.known = self.applicable & ~np.isnan(self.scores)

    def filled(self, rule: str) -> tuple[np.ndarray, np.ndarray]:
        """(values, counts) under a missing-data rule: the values to use and which cells count."""
        if rule == "excluded_and_reweighted":
            return np.where(self.known, self.scores, 0.0), self.known.copy()
        if rule == "scored_as_not_met":
            return np.where(self.known, self.scores, 0.0), self.applicable.copy()
        if rule == "imputed_from_region":
            values, counts = np.where(self.known, self.scores, 0.0), self.known.copy()
            for c in range(len(self.countries)):
                others = self.known.copy()
                others[c] = False
                n = others.sum(axis=0)
                mean = np.where(n > 0, np.where(others, self.scores, 0.0).sum(axis=0) / np.maximum(n, 1), 0.0)
                gap = self.applicable[c] & ~self.known[c] & (n > 0)
                values[c, gap] = mean[gap]
                counts[c, gap] = True
            return values, counts
        raise ValueError(f"unknown missing-data rule {rule!r}")

    def coverage(self) -> np.ndarray:
        """Per country, the share of its applicable indicators that have a score."""
        return self.known.sum(axis=1) / np.maximum(self.applicable.sum(axis=1), 1)


def pillar_scores(values: np.ndarray, counts: np.ndarray, pillar_of: np.ndarray, weights: np.ndarray,
                  n_pillars: int) -> np.ndarray:
    """Countries x pillars: weighted mean of the indicators that count (NaN when none does)."""
    out = np.full((values.shape[0], n_pillars), np.nan)
    w = np.where(counts, weights, 0.0)
    for p in range(n_pillars):
        cols = pillar_of == p
        total = w[:, cols].sum(axis=1)
        out[:, p] = np.where(total > 0, (w[:, cols] * values[:, cols]).sum(axis=1) / np.where(total > 0, total, 1),
                             np.nan)
    return out


def aggregate(pillars: np.ndarray, weights: np.ndarray, aggregation: str, floor: float) -> np.ndarray:
    """Per country, the pillar scores combined over the pillars that have one."""
    has = ~np.isnan(pillars)
    w = np.where(has, weights, 0.0)
    total = w.sum(axis=1)
    safe = np.where(has, pillars, 1.0)
    if aggregation == "arithmetic":
        combined = (w * safe).sum(axis=1) / np.where(total > 0, total, 1)
    elif aggregation == "geometric":
        combined = np.exp((w * np.log(np.maximum(safe, floor))).sum(axis=1) / np.where(total > 0, total, 1))
    else:
        raise ValueError(f"unknown aggregation {aggregation!r}")
    return np.where(total > 0, combined, np.nan)


def ranks(totals: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """1 = highest score, among the ranked countries only (ties share the better rank); NaN otherwise."""
    t = np.round(totals, 9)  # float noise must not split a tie
    ok = ranked & ~np.isnan(t)
    out = np.full(t.shape, np.nan)
    for c in np.flatnonzero(ok):
        out[c] = 1 + int((t[ok] > t[c]).sum())
    return out


def evaluate(layout: Layout, spec: dict, rule: str | None = None, aggregation: str | None = None,
             drop: str | None = None, indicator_weights: np.ndarray | None = None,
             pillar_weights: np.ndarray | None = None, filled=None) -> tuple[np.ndarray, np.ndarray]:
    """(pillar scores, totals) under the chosen method or one changed part of it."""
    values, counts = filled if filled is not None else layout.filled(rule or spec["missing"])
    pw = (layout.pillar_weights if pillar_weights is None else pillar_weights).copy()
    if drop is not None:
        pw[layout.pillars.index(drop)] = 0.0
    pillars = pillar_scores(values, counts, layout.pillar_of,
                            layout.indicator_weights if indicator_weights is None else indicator_weights,
                            len(layout.pillars))
    if drop is not None:
        pillars[:, layout.pillars.index(drop)] = np.nan
    totals = aggregate(pillars, pw, aggregation or spec["aggregation"], float(spec.get("geometric_floor", 0.01)))
    return pillars, totals


def _r(value: float) -> object:
    return pd.NA if value is None or np.isnan(value) else round(float(value), DIGITS)


def _rank_value(value: float) -> object:
    return pd.NA if np.isnan(value) else int(value)


def composite(scorecard: pd.DataFrame, method: dict, countries: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The four index tables: index, index_weights, index_sensitivity, index_stability."""
    spec = index_spec(method)
    isos = _comparison(countries)
    layout = Layout(scorecard, spec, isos)
    complete = layout.coverage() >= float(spec["min_coverage"])
    pillars, totals = evaluate(layout, spec)
    main_rank = ranks(totals, complete)
    labels = {p["id"]: p["label"] for p in spec["pillars"]}
    return {
        "index": _index_table(layout, spec, pillars, totals, main_rank, complete, labels),
        "index_weights": _weights_table(layout, method, labels),
        "index_sensitivity": (sens := _sensitivity(layout, spec, complete)),
        "index_stability": _stability(layout, spec, complete, main_rank, sens),
    }


def _index_table(layout: Layout, spec: dict, pillars, totals, main_rank, complete, labels) -> pd.DataFrame:
    rows = []
    known, applicable = layout.known, layout.applicable
    for c, iso in enumerate(layout.countries):
        for p, pid in enumerate(layout.pillars):
            cols = layout.pillar_of == p
            rows.append({"country_iso2": iso, "component": pid, "label": labels[pid],
                         "weight": _r(layout.pillar_weights[p]), "score": _r(pillars[c, p]),
                         "indicators_scored": int(known[c, cols].sum()),
                         "indicators_applicable": int(applicable[c, cols].sum()),
                         "coverage": _r(known[c, cols].sum() / max(applicable[c, cols].sum(), 1)),
                         "complete": pd.NA, "rank": pd.NA,
                         "source_ids": _ids(layout.sources.get((iso, p), []))})
        rows.append({"country_iso2": iso, "component": INDEX, "label": "Index", "weight": 1.0,
                     "score": _r(totals[c]), "indicators_scored": int(known[c].sum()),
                     "indicators_applicable": int(applicable[c].sum()), "coverage": _r(layout.coverage()[c]),
                     "complete": bool(complete[c]), "rank": _rank_value(main_rank[c]),
                     "source_ids": _ids([s for (i, _), v in layout.sources.items() if i == iso for s in v])})
    frame = pd.DataFrame(rows)
    frame["aggregation"] = spec["aggregation"]
    frame["missing_rule"] = spec["missing"]
    frame["rank"] = frame["rank"].astype("Int64")
    frame["complete"] = frame["complete"].astype("boolean")
    return frame


def _weights_table(layout: Layout, method: dict, labels: dict) -> pd.DataFrame:
    names = {i["id"]: i["label"] for i in method["indicators"]}
    return pd.DataFrame([{
        "pillar": layout.pillars[p], "pillar_label": labels[layout.pillars[p]],
        "pillar_weight": _r(layout.pillar_weights[p]), "indicator": ind, "indicator_label": names[ind],
        "indicator_weight": _r(layout.indicator_weights[i]),
    } for i, (ind, p) in enumerate(zip(layout.indicators, layout.pillar_of))])


def scenarios(spec: dict, pillars: list[str]) -> list[tuple[str, str, dict]]:
    """(kind, name, evaluate() arguments) of every alternative computed beside the chosen method."""
    out: list[tuple[str, str, dict]] = [("chosen", "chosen", {})]
    out += [("missing_rule", rule, {"rule": rule}) for rule in MISSING_RULES]
    out += [("aggregation", agg, {"aggregation": agg}) for agg in AGGREGATIONS]
    out += [("drop_pillar", pid, {"drop": pid}) for pid in pillars]
    return out


def _sensitivity(layout: Layout, spec: dict, complete) -> pd.DataFrame:
    rows = []
    for kind, name, args in scenarios(spec, layout.pillars):
        _, totals = evaluate(layout, spec, **args)
        rank = ranks(totals, complete)
        for c, iso in enumerate(layout.countries):
            rows.append({"scenario_kind": kind, "scenario": name, "country_iso2": iso, "score": _r(totals[c]),
                         "rank": _rank_value(rank[c]), "complete": bool(complete[c])})
    frame = pd.DataFrame(rows)
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def monte_carlo(layout: Layout, spec: dict, complete) -> tuple[np.ndarray, np.ndarray]:
    """(totals, ranks), draws x countries, under Dirichlet draws around the chosen weights."""
    mc = spec["monte_carlo"]
    rng = np.random.default_rng(int(mc["seed"]))
    k = float(mc["concentration"])
    filled = layout.filled(spec["missing"])
    groups = [np.flatnonzero(layout.pillar_of == p) for p in range(len(layout.pillars))]
    totals = np.empty((int(mc["draws"]), len(layout.countries)))
    rank = np.empty_like(totals)
    for d in range(totals.shape[0]):
        pw = rng.dirichlet(k * layout.pillar_weights) if len(groups) > 1 else layout.pillar_weights
        iw = layout.indicator_weights.copy()
        for cols in groups:
            if len(cols) > 1:
                iw[cols] = rng.dirichlet(k * layout.indicator_weights[cols])
        _, totals[d] = evaluate(layout, spec, indicator_weights=iw, pillar_weights=pw, filled=filled)
        rank[d] = ranks(totals[d], complete)
    return totals, rank


def _quantile(values: np.ndarray, q: float) -> float | NAType:
    values = values[~np.isnan(values)]
    # inverted_cdf: a quantile of ranks is itself a rank.
    return pd.NA if values.size == 0 else float(np.quantile(values, q, method="inverted_cdf"))


def _stability(layout: Layout, spec: dict, complete, main_rank, sens: pd.DataFrame) -> pd.DataFrame:
    totals, rank = monte_carlo(layout, spec, complete)
    last = np.nanmax(np.where(np.isnan(rank), -np.inf, rank), axis=1, keepdims=True)
    rows = []
    for c, iso in enumerate(layout.countries):
        mine = sens[(sens["country_iso2"] == iso) & (sens["scenario_kind"] != "chosen")]
        alt = mine["rank"].dropna().astype(int)
        moved = sorted(f"{k}:{s}" for k, s, r in zip(mine["scenario_kind"], mine["scenario"], mine["rank"])
                       if pd.notna(r) and not np.isnan(main_rank[c]) and int(r) != int(main_rank[c]))
        row = {"country_iso2": iso, "complete": bool(complete[c]), "rank": _rank_value(main_rank[c]),
               "draws": int(totals.shape[0]),
               "score_p05": _q(totals[:, c], 0.05), "score_median": _q(totals[:, c], 0.5),
               "score_p95": _q(totals[:, c], 0.95)}
        if complete[c]:
            # A complete country is ranked in every draw, so its quantiles are numbers.
            lo, med, hi = (cast(float, _quantile(rank[:, c], q)) for q in (0.05, 0.5, 0.95))
            row.update({"rank_median": int(med), "rank_p05": int(lo), "rank_p95": int(hi),
                        "share_first": _r(float((rank[:, c] == 1).mean())),
                        "share_last": _r(float((rank[:, c] == last[:, 0]).mean())),
                        "scenario_rank_min": int(min(alt.min(), main_rank[c])),
                        "scenario_rank_max": int(max(alt.max(), main_rank[c])),
                        "scenarios_moving_rank": ";".join(moved) or pd.NA})
            by_weights, by_choices = lo != hi, bool(moved)
            row["verdict"] = BOTH if by_weights and by_choices else (
                WEIGHTS if by_weights else (CHOICES if by_choices else ROBUST))
        else:
            row["verdict"] = NOT_RANKED
        rows.append(row)
    frame = pd.DataFrame(rows).reindex(columns=TABLES["index_stability"].names)
    for col in ("rank", "rank_median", "rank_p05", "rank_p95", "scenario_rank_min", "scenario_rank_max"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _q(values: np.ndarray, q: float) -> object:
    values = values[~np.isnan(values)]
    return pd.NA if values.size == 0 else _r(float(np.quantile(values, q)))
