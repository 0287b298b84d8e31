"""Every figure the report shows, declared once: what it reads, how it is drawn, what it cites.

The workflow's figure rule (inputs, wildcard, the report's list of figures), the figure step and
the provenance all read `FIGURES`; adding a figure is one entry here, its drawing in `charts.py`
and the chapter that shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from tomas_pipeline.figures import charts
from tomas_pipeline.figures.charts import FigureSpec

Tables = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Figure:
    name: str
    inputs: tuple[str, ...]  # the processed tables it reads, by name
    # (tables, the method's indicators or None, the source line under the figure) -> the drawing
    draw: Callable[[Tables, list[dict] | None, str], FigureSpec]
    source: str  # the source line printed under the figure
    used: Callable[[Tables], pd.Series]  # the source ids behind what is drawn
    method: bool = False  # drawn with the method file's labels (config/indicators.yaml)


def _trend_ids(tables: Tables) -> pd.Series:
    stats = tables["statistics"]
    return stats.loc[stats["indicator"].isin([i for i, _ in charts.TREND_SERIES])
                     & stats["preferred"].astype(bool), "source_id"]


def _ncmec_ids(tables: Tables) -> pd.Series:
    stats = tables["statistics"]
    return stats.loc[stats["indicator"] == "ncmec_cybertipline_reports", "source_id"]


def _heatmap(t: Tables, indicators: list[dict] | None, source: str) -> FigureSpec:
    if indicators is None:
        raise ValueError("the scorecard figure is drawn from the method file")
    return charts.scorecard_heatmap(t["scorecard"], indicators, t["countries"], source)


FIGURES: dict[str, Figure] = {f.name: f for f in (
    Figure("treaty_timeline", ("ratification", "countries", "instruments"),
           lambda t, _, s: charts.treaty_timeline(t["ratification"], t["countries"], t["instruments"], s),
           "treaty offices' charts, UN treaty-body and national documents, the TOMAS paper; see the provenance note",
           lambda t: t["ratification"]["source_ids"]),
    Figure("penalty_ranges", ("penalties", "offences", "countries"),
           lambda t, _, s: charts.penalty_ranges(t["penalties"], t["offences"], t["countries"], s),
           "Directive 2011/93/EU (floors) and the penalty sources of each row; see the provenance note",
           lambda t: pd.concat([t["penalties"]["source_id"], t["offences"]["source_id"]])),
    Figure("scorecard_heatmap", ("scorecard", "countries"), _heatmap,
           "TOMAS scorecard (data/processed/scorecard.csv), method in config/indicators.yaml",
           lambda t: t["scorecard"]["source_ids"], method=True),
    Figure("ncmec_reports", ("statistics", "countries"),
           lambda t, _, s: charts.ncmec_reports(t["statistics"], t["countries"], s),
           "NCMEC 'CyberTipline Reports by Country' as recorded in data/processed/statistics.csv; "
           "see the provenance note",
           _ncmec_ids),
    Figure("sextortion_trend", ("statistics",),
           lambda t, _, s: charts.sextortion_trend(t["statistics"], s),
           "NCMEC CyberTipline reports and the TOMAS paper; see the provenance note", _trend_ids),
    Figure("regional_spread", ("penalty_alignment", "uniformity", "offences", "countries"),
           lambda t, _, s: charts.regional_spread(t["penalty_alignment"], t["uniformity"], t["offences"],
                                                  t["countries"], s),
           "penalty sources of each country's row; see the provenance note",
           lambda t: t["uniformity"]["source_ids"]),
    Figure("index_ranks", ("index", "index_stability", "countries"),
           lambda t, _, s: charts.index_ranks(t["index"], t["index_stability"], t["countries"], s),
           "TOMAS composite index (data/processed/index.csv, index_stability.csv), method in config/indicators.yaml",
           lambda t: t["index"]["source_ids"]),
)}
