"""The report's bibliography, generated from sources.csv (never kept by hand).

Pandoc's citeproc reads CSL JSON; each source becomes one item whose id is
the source_id that data rows cite.
"""

from __future__ import annotations

import re

import pandas as pd

_ORG_HINTS = re.compile(
    r"\b(office|council|centre|center|union|nations|organi[sz]ation|foundation|commission|unicef|unesco|ecpat|"
    r"interpol|europol|ncmec|itu|inhope|icmec|government|ministry|assembly|parliament|initiative|institute|"
    r"agency|bank|network|group|republic|committee|collection)\b",
    re.IGNORECASE,
)


def _authors(text: str) -> list[dict]:
    """'Smith, J. & A. Jones' -> CSL names; a body is kept whole as a literal."""
    if not text or pd.isna(text):
        return []
    if _ORG_HINTS.search(text):
        return [{"literal": text}]
    parts = [p.strip() for p in re.split(r"\s*(?:;|&| and )\s*", text) if p.strip()]
    names = []
    for part in parts:
        if "," in part:
            family, given = (s.strip() for s in part.split(",", 1))
            names.append({"family": family, "given": given})
        else:
            names.append({"literal": part})
    return names


def _value(row, key):
    value = row.get(key)
    return None if value is None or pd.isna(value) else str(value)


def to_csl_json(sources: pd.DataFrame) -> list[dict]:
    items = []
    for row in sources.sort_values("source_id").to_dict("records"):
        item: dict = {"id": row["source_id"], "type": _value(row, "csl_type") or "document",
                      "title": _value(row, "title")}
        authors = _authors(_value(row, "author") or "")
        if authors:
            item["author"] = authors
        year = _value(row, "year")
        if year:
            # Read back from CSV a year may come as 2024.0.
            item["issued"] = {"date-parts": [[int(float(year))]]}
        for key, csl in (("publisher", "publisher"), ("url", "URL"), ("container", "container-title"),
                         ("note", "note"), ("language", "language")):
            if _value(row, key):
                item[csl] = _value(row, key)
        accessed = _value(row, "accessed")
        if accessed:
            y, m, d = (int(x) for x in accessed.split("-"))
            item["accessed"] = {"date-parts": [[y, m, d]]}
        items.append(item)
    return items
