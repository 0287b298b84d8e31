"""The recommendation tracker: each recommendation's status per country, with the evidence behind it."""

from __future__ import annotations

from typing import SupportsFloat, cast

import pandas as pd

from tomas_pipeline.core.io import is_na
from tomas_pipeline.metrics.common import NOT_APPLICABLE, _comparison, _ids
from tomas_pipeline.sources.tables import TABLES

MET, PARTLY, NOT_MET, UNKNOWN = "met", "partly met", "not met", "unknown"
# A recommendation no per-country indicator can measure (training, research funding, regional centres):
# not a gap in the data, so never counted as "unknown".
NOT_MEASURED = "not measured"
TRACKER_STATUSES = (MET, PARTLY, NOT_MET, UNKNOWN, NOT_MEASURED, NOT_APPLICABLE)


def recommendation_status(scores: list[object], values: list[object]) -> str:
    """met / partly met / not met / unknown from an indicator set's scores.

    Not-applicable indicators are set aside. A status is given only when the
    missing indicators could not change it: known scores that are all 1 with
    one missing could still be "partly met", so that is "unknown". An empty
    indicator set is "not measured": no indicator can show it, which is not
    the same as an indicator without data.
    """
    if not scores:
        return NOT_MEASURED
    pairs = [(s, v) for s, v in zip(scores, values) if not (isinstance(v, str) and v == NOT_APPLICABLE)]
    if not pairs:
        return NOT_APPLICABLE
    known = [float(cast(SupportsFloat, s)) for s, _ in pairs if not is_na(s)]  # a score is a number or NA
    missing = len(pairs) - len(known)
    if any(0 < s < 1 for s in known) or (any(s >= 1 for s in known) and any(s <= 0 for s in known)):
        return PARTLY
    if not known or missing:
        return UNKNOWN
    return MET if all(s >= 1 for s in known) else NOT_MET


def status_evidence(status: str, scores: list[object], sources: list[object]) -> object:
    """The source ids of the indicator cells that decide a status: for met and partly met the cells
    that score above 0 (the evidence that meets the criterion, or the part of it), for not met the
    cells that score 0; unknown, not measured and not applicable cite nothing."""
    def _ok(s: object) -> bool:
        return not is_na(s)

    if status in (MET, PARTLY):
        chosen = [src for s, src in zip(scores, sources) if _ok(s) and float(cast(SupportsFloat, s)) > 0]
    elif status == NOT_MET:
        chosen = [src for s, src in zip(scores, sources) if _ok(s) and float(cast(SupportsFloat, s)) <= 0]
    else:
        return pd.NA
    return _ids(chosen)


def criteria_text(rec: dict) -> object:
    """A recommendation's written criteria as one line: what meets it, partly meets it, does not."""
    crit = rec.get("criteria")
    if not crit:
        return pd.NA
    labels = (("met", "Met"), ("partly", "Partly met"), ("not_met", "Not met"))
    return " ".join(f"{label}: {str(crit[key]).strip()}" for key, label in labels if crit.get(key))


def recommendation_tracker(score_table: pd.DataFrame, recommendations: list[dict],
                           countries: pd.DataFrame) -> pd.DataFrame:
    """Each recommendation per comparison country, from the scorecard rows of its indicators."""
    rows = []
    cells = score_table.set_index(["country_iso2", "indicator"])
    for rec in recommendations:
        for iso in _comparison(countries):
            scores, values, sources = [], [], []
            for ind in rec["indicators"]:
                if (iso, ind) in cells.index:
                    cell = cells.loc[(iso, ind)]
                    scores.append(cell["score"])
                    values.append(cell["value"])
                    sources.append(cell["source_ids"])
                else:
                    scores.append(pd.NA)
                    values.append(pd.NA)
                    sources.append(pd.NA)
            status = recommendation_status(scores, values)
            n_known = sum(pd.notna(s) for s in scores)
            if not rec["indicators"]:
                basis = "no per-country indicator can measure this; the toolkit does not track it"
            else:
                basis = f"{n_known} of {len(scores)} indicators on record"
            rows.append({"recommendation": rec["id"], "group": rec["group"], "title": rec["title"],
                         "country_iso2": iso, "status": status,
                         "indicators": ";".join(rec["indicators"]) or pd.NA, "basis": basis,
                         "criteria": criteria_text(rec) if rec["indicators"] else rec.get("note", pd.NA),
                         "evidence": status_evidence(status, scores, sources),
                         "source_ids": _ids([s for s in sources if not is_na(s)])})
    return pd.DataFrame(rows, columns=TABLES["recommendation_tracker"].names)


def unknown_share(tracker: pd.DataFrame, countries: list[str] | tuple[str, ...]) -> tuple[int, int]:
    """(unknown cells, measured cells) of the tracker for the given countries: recommendations the
    toolkit does not measure and not-applicable cells are left out of both counts."""
    mine = tracker[tracker["country_iso2"].isin(list(countries))]
    measured = mine[~mine["status"].isin([NOT_MEASURED, NOT_APPLICABLE])]
    return int((measured["status"] == UNKNOWN).sum()), len(measured)
