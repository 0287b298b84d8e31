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


# A given name: "D.", "L. S.", "Jean-Luc", "Anđela" (each word capitalised).
_GIVEN = re.compile(r"^(?:[^\W\d_][\w'’.-]*)(?:\s+[^\W\d_][\w'’.-]*){0,3}$")


def _person(part: str) -> dict | None:
    """'Moritz, D.' -> family and given; None for a body."""
    if "," not in part or _ORG_HINTS.search(part):
        return None
    family, given = (s.strip() for s in part.split(",", 1))
    if not family or not _GIVEN.match(given) or any(w[0].islower() for w in given.split()):
        return None
    return {"family": family, "given": given}


def _authors(text: str) -> list[dict]:
    """'Moritz, D.; Christensen, L. S.' -> CSL names; a body is kept whole as a literal.

    Names are separated by ';' only: 'and', '&' and commas occur inside bodies'
    names ("Police of Brčko District of Bosnia and Herzegovina", "Ministry of
    Trade, Tourism and Telecommunications"). A person is written 'Family, Given'
    so that citations print the family name; a body whose name could read as
    one ("Repubblica Italiana, Gazzetta Ufficiale") is written in braces, and
    'et al.' stands for the authors a source leaves unnamed."""
    if not text or pd.isna(text):
        return []
    names = []
    for part in (p.strip() for p in text.split(";")):
        if part == "et al.":  # citeproc's name for authors the source does not list
            names.append({"literal": "others"})
        elif part.startswith("{") and part.endswith("}"):
            names.append({"literal": part[1:-1].strip()})
        elif part:
            names.append(_person(part) or {"literal": part})
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
                         ("note", "note"), ("language", "language"),
                         ("short_title", "title-short")):
            if _value(row, key):
                item[csl] = _value(row, key)
        accessed = _value(row, "accessed")
        if accessed:
            y, m, d = (int(x) for x in accessed.split("-"))
            item["accessed"] = {"date-parts": [[y, m, d]]}
        items.append(item)
    return items
