"""Shared by the metric families, the scorecard and the index: the preferred rows, who is compared,
the per-code records and how a family table is finished. Missing data stays missing (NA), never zero."""

from __future__ import annotations

from typing import SupportsFloat

import pandas as pd

from tomas_pipeline.core.io import is_na
from tomas_pipeline.sources.tables import TABLES

# A state whose ISO code is user-assigned (Kosovo) cannot join UN or Council of
# Europe treaties, so a missing ratification there is "not applicable", not a gap.
NOT_APPLICABLE = "not applicable"
NO_SIGNATURE_ACTIONS = ("accession", "succession")


def _preferred(frame: pd.DataFrame) -> pd.DataFrame:
    if "preferred" not in frame.columns:
        return frame
    return frame[frame["preferred"].astype(bool)]


def _first_present(*records) -> object:
    for record in records:
        if record and pd.notna(record.get("via_predecessor")):
            return record["via_predecessor"]
    return pd.NA


LEVEL_COUNTRY, LEVEL_CODE = "country", "code"
STATE_LEVEL = "state level"  # a row naming no jurisdiction, in a country with several codes


SCORES = {"yes": 1.0, "partial": 0.5, "no": 0.0}
STATUS_SCORES = {"party": 1.0, "signed": 0.5}


def _of_family(indicators: list[dict], family: str) -> list[dict]:
    return [i for i in indicators if i["family"] == family]


def _comparison(countries: pd.DataFrame) -> list[str]:
    frame = countries[countries["comparison"].astype(bool)]
    if "order" in frame.columns:
        frame = frame.sort_values("order", kind="mergesort")
    return list(frame["iso2"])


def _basic(penalties: pd.DataFrame) -> pd.DataFrame:
    """Preferred rows of the basic form: what every comparison uses."""
    frame = _preferred(penalties)
    form = frame["form"] if "form" in frame.columns else pd.Series("basic", index=frame.index)
    return frame[form.fillna("basic") == "basic"]


def _codes(iso: str, rows: pd.DataFrame, settings: dict) -> list[str | None]:
    """The criminal codes to code for a country; [None] means one code for the whole state."""
    listed = list(((settings.get("multi_code") or {}).get(iso) or {}).get("codes", []))
    named = sorted({j for j in rows["jurisdiction"].dropna()} - set(listed)) if "jurisdiction" in rows else []
    codes: list[str | None] = listed + named
    if codes and "jurisdiction" in rows and rows["jurisdiction"].isna().any():
        codes.append(None)
    return codes or [None]


def _by_country(rows: pd.DataFrame, countries: pd.DataFrame, settings: dict):
    """(iso2, that country's rows, its codes) for each comparison country, in order."""
    for iso in _comparison(countries):
        mine = rows[rows["country_iso2"] == iso]
        yield iso, mine, _codes(iso, mine, settings)


def _in_code(rows: pd.DataFrame, code: str | None) -> pd.DataFrame:
    if "jurisdiction" not in rows:
        return rows
    return rows[rows["jurisdiction"].isna()] if code is None else rows[rows["jurisdiction"] == code]


def _ids(*values: object) -> object:
    """Join source ids (cells may hold several, ';'-separated) or NA when none."""
    out: set[str] = set()
    for value in values:
        if isinstance(value, str):
            out.update(s for s in value.split(";") if s)
        elif isinstance(value, (list, tuple, set, pd.Series)):
            out.update(s for v in value if isinstance(v, str) for s in v.split(";") if s)
    return ";".join(sorted(out)) if out else pd.NA


def _text(value: object) -> object:
    """A value for the scorecard's text column: numbers to 3 decimals, NA kept."""
    if value is None or (not isinstance(value, str) and is_na(value)):
        return pd.NA
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{round(float(value), 3):g}"
    return str(value)


def _weakest(records: list[dict], codes: list[str | None]) -> tuple[dict | None, str]:
    """The weakest code's record and a note; None when missing codes could be weaker.

    Weakest = lowest score, then lowest ``rank`` (e.g. the ratio). A code with
    no data could be weaker than any code on record unless one already scores 0.
    """
    known = [(c, r) for c, r in zip(codes, records) if pd.notna(r.get("score"))]
    missing = [c or STATE_LEVEL for c, r in zip(codes, records) if pd.isna(r.get("score"))]
    if not known:
        return None, "no code on record"
    code, best = min(known, key=lambda cr: (cr[1]["score"], _rank(cr[1].get("rank"))))
    if missing and best["score"] > 0:
        return None, f"weakest unknown: no data for {', '.join(missing)}"
    note = f"weakest of {len(codes)} codes: {code or STATE_LEVEL}"
    if missing:
        note += f" (no data for {', '.join(missing)})"
    return best, note


def _rank(value: SupportsFloat | None) -> float:
    return float("inf") if value is None or is_na(value) else float(value)


def _per_code(iso: str, indicator: str, codes: list[str | None], records: list[dict]) -> list[dict]:
    """Rows for one country and indicator: each code (if several), then the country."""
    rows = []
    base = {"country_iso2": iso, "indicator": indicator}
    if len(codes) > 1:
        for code, rec in zip(codes, records):
            rows.append({**base, "level": LEVEL_CODE, "jurisdiction": code or STATE_LEVEL, **_public(rec)})
        best, note = _weakest(records, codes)
        if best is None:
            # Facts shared by every code (the floor, say) still hold for the country.
            empty = {k: _shared([r.get(k) for r in records]) for k in _public(records[0])}
            rows.append({**base, "level": LEVEL_COUNTRY, "jurisdiction": pd.NA, **empty, "note": note,
                         "source_ids": _ids([r.get("source_ids") for r in records])})
        else:
            rows.append({**base, "level": LEVEL_COUNTRY, "jurisdiction": pd.NA, **_public(best), "note": note})
    else:
        rows.append({**base, "level": LEVEL_COUNTRY, "jurisdiction": pd.NA, **_public(records[0])})
    return rows


def _shared(values: list[object]) -> object:
    first = values[0]
    if isinstance(first, str) or (first is not None and not is_na(first)):
        if all(isinstance(v, type(first)) and v == first for v in values):
            return first
    return pd.NA


def _public(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k != "rank"}
    out.setdefault("note", pd.NA)
    return out


def _finish_family(rows: list[dict], table: str) -> pd.DataFrame:
    """A family's rows in its declared table's columns (sources/tables.py)."""
    frame = pd.DataFrame(rows, columns=TABLES[table].names)
    if "score" in frame.columns:
        frame["score"] = frame["score"].astype("Float64")
    return frame
