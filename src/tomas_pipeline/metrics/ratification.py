"""Where each country stands with each instrument, from the treaty actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tomas_pipeline.metrics.common import NOT_APPLICABLE, _first_present, _preferred
from tomas_pipeline.sources.schemas import BINDING_ACTIONS

if TYPE_CHECKING:
    from pandas.api.typing import NAType


def _years_between(start: str | NAType, end: str | NAType) -> tuple[float | None, str | None]:
    """Years between two ISO dates of any precision, at the coarser precision."""
    if not isinstance(start, str) or not isinstance(end, str):  # a missing date (NA)
        return None, None
    precision = min(len(start), len(end))
    if precision >= 10:
        days = (pd.Timestamp(end) - pd.Timestamp(start)).days
        return round(days / 365.25, 2), "day"
    if precision >= 7:
        months = (int(end[:4]) - int(start[:4])) * 12 + int(end[5:7]) - int(start[5:7])
        return round(months / 12, 2), "month"
    return float(int(end[:4]) - int(start[:4])), "year"


def ratification_status(actions: pd.DataFrame, countries: pd.DataFrame, instruments: pd.DataFrame) -> pd.DataFrame:
    """Per comparison country and instrument: signed when, bound when and how, years between.

    ``status`` is ``party`` (ratified, acceded or succeeded), ``signed`` (signature
    only), ``not applicable`` (not eligible) or NA when no source records an action.
    """
    chosen = _preferred(actions)
    # Index the actions once: scanning the table per cell grows with countries squared.
    cells: dict[tuple, dict] = {}
    for record in chosen.to_dict("records"):
        cells.setdefault((record["country_iso2"], record["instrument"]), {})[record["action"]] = record
    rows = []
    for _, country in countries[countries["comparison"].astype(bool)].iterrows():
        iso = country["iso2"]
        for instrument in instruments["instrument_id"]:
            by_action = cells.get((iso, instrument), {})
            signature = by_action.get("signature")
            bound = next((by_action[a] for a in BINDING_ACTIONS if a in by_action), None)
            in_force = by_action.get("entry_into_force")
            status: str | NAType
            if bound is not None:
                status = "party"
            elif signature is not None:
                status = "signed"
            elif bool(country.get("user_assigned", False)):
                status = NOT_APPLICABLE
            else:
                status = pd.NA
            signed_date = signature["date"] if signature else pd.NA
            bound_date = bound["date"] if bound else pd.NA
            years, precision = (None, None)
            if bound is not None and bound["action"] == "ratification":
                years, precision = _years_between(signed_date, bound_date)
            sources = sorted({r["source_id"] for r in (signature, bound, in_force) if r})
            rows.append({
                "country_iso2": iso,
                "instrument": instrument,
                "status": status,
                "signature_date": signed_date,
                "bound_action": bound["action"] if bound else pd.NA,
                "bound_date": bound_date,
                "entry_into_force": in_force["date"] if in_force else pd.NA,
                "via_predecessor": _first_present(signature, bound),
                "years_to_ratify": years,
                "years_precision": precision,
                "source_ids": ";".join(sources) if sources else pd.NA,
            })
    out = pd.DataFrame(rows)
    out["years_to_ratify"] = out["years_to_ratify"].astype("Float64")
    return out
