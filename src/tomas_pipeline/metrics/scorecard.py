"""The scorecard: every family's country-level rows in one table, and how a cell reads."""

from __future__ import annotations

from typing import SupportsFloat, cast

import pandas as pd

from tomas_pipeline.core.io import is_na
from tomas_pipeline.metrics.common import LEVEL_COUNTRY, NOT_APPLICABLE, _comparison, _text
from tomas_pipeline.metrics.families import SCORECARD_FAMILIES

# How a scorecard cell reads, in the order the figure's legend and the summary table use.
SCORE_CATEGORIES = ("met", "partly met", "not met", "no data", "not applicable")


def score_category(score: object, value: object) -> int:
    """Index into SCORE_CATEGORIES of one scored cell."""
    if isinstance(value, str) and value == NOT_APPLICABLE:
        return 4
    if score is None or is_na(score):
        return 3
    number = float(cast(SupportsFloat, score))  # a score cell is a number or missing (the scorecard's schema)
    return 0 if number >= 1 else (2 if number <= 0 else 1)


def score_counts(scorecard: pd.DataFrame, indicators: list[dict], countries: list[str]) -> pd.DataFrame:
    """Per country, how many scored indicators fall in each category: the one count the
    heat map, its description, the summary table and the prose all state. An
    indicator with `scored: false` is context, not a cell to count."""
    # A plain dict of the cells: a MultiIndex lookup per cell took seconds at 200 countries, and every
    # country brief counts the whole region.
    cells: dict[tuple[object, object], tuple[object, object]] = {}
    if not scorecard.empty:
        cells = dict(zip(zip(scorecard["country_iso2"], scorecard["indicator"]),
                         zip(scorecard["score"], scorecard["value"])))
    scored = [i["id"] for i in indicators if i["scored"]]
    rows = []
    for iso in countries:
        counts = [0] * len(SCORE_CATEGORIES)
        for indicator in scored:
            score, value = cells.get((iso, indicator), (pd.NA, pd.NA))
            counts[score_category(score, value)] += 1
        rows.append({"country_iso2": iso, **dict(zip(SCORE_CATEGORIES, counts))})
    return pd.DataFrame(rows, columns=["country_iso2", *SCORE_CATEGORIES])


def scorecard(family_tables: dict[str, pd.DataFrame], indicators: list[dict], countries: pd.DataFrame) -> pd.DataFrame:
    """Country-level rows of every family, in country order then the method's indicator order."""
    parts = [t[t["level"] == LEVEL_COUNTRY] for f, t in family_tables.items() if f in SCORECARD_FAMILIES]
    columns = ["country_iso2", "indicator", "value", "score", "source_ids"]
    frame = pd.concat([p[columns] for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=columns)
    order = {iso: i for i, iso in enumerate(_comparison(countries))}
    rank = {ind["id"]: i for i, ind in enumerate(indicators)}
    frame = frame.assign(_c=frame["country_iso2"].map(order), _i=frame["indicator"].map(rank))
    frame = frame.sort_values(["_c", "_i"], kind="mergesort").drop(columns=["_c", "_i"]).reset_index(drop=True)
    # Family tables read back as numbers; the scorecard's value column is text.
    frame["value"] = frame["value"].map(_text).astype("object")
    frame["score"] = frame["score"].astype("Float64")
    return frame
