"""Which version of a criminal-law provision the report uses, decided per provision version.

A provision is one paragraph of a code (``provisions.csv``); each row is one version
of its text as one source gives it, with one penalty. Offences map to provisions
(``penalties.csv``). The rule (``RULE``) first picks a version per provision, then
one provision per offence and form; a penalty is always taken whole from one
version, so two offences under one paragraph can never show two penalties.
A disagreement the rule cannot settle is marked ``disputed``, and no row of it
is preferred: the report shows both values instead of choosing one.
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd

from tomas_pipeline.core.io import is_na

RULE = (
    "a primary text of the provision (the code or gazette text, or a quotation of its wording) over a "
    "secondary claim, unless the secondary source names a newer text (the amending law and its date); "
    "among versions of one text, the newer in force; a disagreement this cannot settle stays open"
)

PRIMARY_TEXT, CLAIM = "primary_text", "secondary_claim"
# The fields that make up one penalty: two rows disagree if any differs.
PENALTY_FIELDS = ["min_months", "max_months", "life", "fine"]


def reading(frame: pd.DataFrame) -> pd.Series:
    """primary_text for a row from a primary source, or quoting a named paragraph's wording; else a claim."""
    quoted = frame["quoted"].fillna("no").eq("yes") & frame["article"].notna()
    return (frame["source_kind"].eq("primary") | quoted).map({True: PRIMARY_TEXT, False: CLAIM}).astype("string")


def newer(a: object, b: object) -> bool:
    """True when ISO date `a` is certainly after `b` (compared at the coarser precision; unknown is oldest)."""
    if is_na(a):
        return False
    if is_na(b):
        return True
    n = min(len(str(a)), len(str(b)))
    return str(a)[:n] > str(b)[:n]


def _newest(rows: list[dict]) -> list[dict]:
    """The rows no other row is certainly newer than."""
    return [r for r in rows if not any(newer(o["as_of"], r["as_of"]) for o in rows)]


def _names_newer_text(claims: list[dict], texts: list[dict]) -> list[dict]:
    """Claims naming an amending law and a date newer than every text on record."""
    return [c for c in claims if not is_na(c["amending_law"]) and not is_na(c["as_of"])
            and all(newer(c["as_of"], t["as_of"]) for t in texts)]


def _order(value: object) -> tuple[bool, str]:
    # pandas' sort order: missing values last.
    return (True, "") if is_na(value) else (False, str(value))


def _pick(rows: list[dict], versions: bool) -> tuple[dict | None, bool]:
    """(the chosen row or None, disputed) for the candidates of one provision or one offence.

    `versions`: the rows are versions of one provision, so the newer in force wins
    among texts; between different provisions a date decides nothing.
    """
    texts = [r for r in rows if r["reading"] == PRIMARY_TEXT]
    claims = [r for r in rows if r["reading"] != PRIMARY_TEXT]
    upgraded = _names_newer_text(claims, texts)
    if upgraded:
        pool = _newest(upgraded)
    elif texts:
        pool = _newest(texts) if versions else texts
    else:
        # Claims naming no text: a later one is not a later version, so a date decides nothing.
        pool = claims
    if len({r["penalty"] for r in pool}) > 1:
        return None, True
    return min(pool, key=lambda r: (_order(r["provision"]), _order(r["source_id"]))), False


def choose(frame: pd.DataFrame, fact: list[str]) -> tuple[pd.Series, pd.Series]:
    """(preferred, disputed) boolean Series over `frame` (one row per offence x provision version).

    `fact` names the columns of one fact (country, jurisdiction, offence, form).
    """
    # Plain records, not a DataFrame per group: a pandas call per group made
    # 200 countries' penalties take minutes (bench).
    rows = pd.DataFrame({
        "index": frame.index,
        "fact": frame[fact].astype("string").fillna("").agg("|".join, axis=1),
        "provision": frame["provision"],
        "source_id": frame["source_id"],
        "reading": frame["reading"],
        "as_of": frame["as_of"],
        "amending_law": frame["amending_law"],
        # Two rows disagree if any field of the penalty differs.
        "penalty": frame[PENALTY_FIELDS].astype("string").fillna("").agg("\x1f".join, axis=1),
    }).to_dict("records")
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["fact"], []).append(row)
    preferred: set[Hashable] = set()
    disputed: set[Hashable] = set()
    for candidates in groups.values():
        # 1. one version per provision (each offence row of it sees the same versions).
        by_provision: dict[str, list[dict]] = {}
        for row in candidates:
            if not is_na(row["provision"]):
                by_provision.setdefault(row["provision"], []).append(row)
        chosen: list[dict] = []
        open_provisions: list[list[dict]] = []
        for provision in sorted(by_provision):
            pick, unsettled = _pick(by_provision[provision], versions=True)
            if unsettled:
                open_provisions.append(by_provision[provision])
            else:
                assert pick is not None  # a settled choice is a row
                chosen.append(pick)
        # A settled primary text sets aside open claims that name no newer text.
        if any(r["reading"] == PRIMARY_TEXT for r in chosen):
            open_provisions = [p for p in open_provisions
                               if any(r["reading"] == PRIMARY_TEXT or not pd.isna(r["amending_law"]) for r in p)]
        # 2. one provision per offence and form.
        pick, unsettled = _pick(chosen, versions=False) if chosen else (None, False)
        if open_provisions or unsettled:
            disputed.update(r["index"] for r in candidates)
        elif pick is not None:
            preferred.add(pick["index"])
    return (pd.Series(frame.index.isin(list(preferred)), index=frame.index),
            pd.Series(frame.index.isin(list(disputed)), index=frame.index))
