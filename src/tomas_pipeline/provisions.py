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

import pandas as pd

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
    if pd.isna(a):
        return False
    if pd.isna(b):
        return True
    n = min(len(str(a)), len(str(b)))
    return str(a)[:n] > str(b)[:n]


def _newest(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows no other row is certainly newer than."""
    keep = [i for i in rows.index if not any(newer(rows.at[j, "as_of"], rows.at[i, "as_of"]) for j in rows.index)]
    return rows.loc[keep]


def _names_newer_text(claims: pd.DataFrame, texts: pd.DataFrame) -> pd.DataFrame:
    """Claims naming an amending law and a date newer than every text on record."""
    named = claims[claims["amending_law"].notna() & claims["as_of"].notna()]
    return named[[all(newer(a, t) for t in texts["as_of"]) for a in named["as_of"]]]


def _agree(rows: pd.DataFrame) -> bool:
    values = rows[PENALTY_FIELDS].astype("string").fillna("")
    return len(values.drop_duplicates()) <= 1


def _pick(rows: pd.DataFrame, versions: bool) -> tuple[object | None, bool]:
    """(index of the chosen row or None, disputed) for the candidates of one provision or one offence.

    `versions`: the rows are versions of one provision, so the newer in force wins
    among texts; between different provisions a date decides nothing.
    """
    texts, claims = rows[rows["reading"] == PRIMARY_TEXT], rows[rows["reading"] != PRIMARY_TEXT]
    upgraded = _names_newer_text(claims, texts)
    if len(upgraded):
        pool = _newest(upgraded)
    elif len(texts):
        pool = _newest(texts) if versions else texts
    else:
        # Claims naming no text: a later one is not a later version, so a date decides nothing.
        pool = claims
    if not _agree(pool):
        return None, True
    order = pool.sort_values(["provision", "source_id"], kind="mergesort")
    return order.index[0], False


def choose(frame: pd.DataFrame, fact: list[str]) -> tuple[pd.Series, pd.Series]:
    """(preferred, disputed) boolean Series over `frame` (one row per offence x provision version).

    `fact` names the columns of one fact (country, jurisdiction, offence, form).
    """
    preferred = pd.Series(False, index=frame.index)
    disputed = pd.Series(False, index=frame.index)
    keys = frame[fact].astype("string").fillna("")
    for _, rows in frame.groupby(keys.agg("|".join, axis=1), sort=False):
        # 1. one version per provision (each offence row of it sees the same versions).
        chosen, open_provisions = [], []
        for _, versions in rows.groupby("provision", sort=True):
            index, unsettled = _pick(versions, versions=True)
            if unsettled:
                open_provisions.append(versions.index)
            else:
                chosen.append(index)
        # A settled primary text sets aside open claims that name no newer text.
        if any(frame.at[i, "reading"] == PRIMARY_TEXT for i in chosen):
            open_provisions = [p for p in open_provisions if (frame.loc[p, "reading"] == PRIMARY_TEXT).any()
                               or frame.loc[p, "amending_law"].notna().any()]
        # 2. one provision per offence and form.
        index, unsettled = _pick(rows.loc[chosen], versions=False) if chosen else (None, False)
        if open_provisions or unsettled:
            disputed[rows.index] = True
        elif index is not None:
            preferred[index] = True
    return preferred, disputed
