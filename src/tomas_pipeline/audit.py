"""What the data says about itself: where sources disagree, and what is missing.

``conflicts`` lists every fact for which two sources give different values,
with the value the report uses and the rule that chose it. ``gaps`` lists the
facts the comparison needs that no source gives yet. Both are published in
``data/processed/`` and shown in the report's appendices.
"""

from __future__ import annotations

import pandas as pd

from tomas_pipeline import provisions
from tomas_pipeline.normalise import PREFERENCE_RULE
from tomas_pipeline.schemas import BINDING_ACTIONS, INSTRUMENTS, OFFENCES

CONFLICT_COLUMNS = ["table", "country_iso2", "key", "field", "chosen_value", "chosen_source", "other_value",
                    "other_source", "rule"]
GAP_COLUMNS = ["table", "country_iso2", "key", "what"]

# The fields compared per fact table, and the columns that identify one fact.
FACTS = {
    "treaty_actions": (["country_iso2", "instrument", "action"], ["date"]),
    "penalties": (["country_iso2", "jurisdiction", "offence", "form"], ["min_months", "max_months", "life"]),
    "legal_features": (["country_iso2", "feature"], ["value"]),
    "statistics": (["scope", "area", "country_iso2", "indicator", "year"], ["value"]),
}

ICMEC_FEATURES = ("specific_csam_legislation", "csam_definition", "technology_facilitated", "simple_possession",
                  "isp_reporting_duty")


def _dates_agree(a: str, b: str) -> bool:
    """Two ISO dates of any precision agree if they match at the coarser one."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _same(field: str, a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        # One source is silent on this field: not a disagreement.
        return True
    if field == "date":
        return _dates_agree(str(a), str(b))
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return str(a) == str(b)


UNRESOLVED = "unresolved: the sources disagree and no rule settles it, so the report uses neither"


def _reason(best: pd.Series, other: pd.Series) -> str:
    """Which part of the preference rule decided between two rows."""
    if "reading" in best.index:
        return _provision_reason(best, other)
    if best.get("source_kind") != other.get("source_kind"):
        return "primary source preferred over secondary"
    for column, words in (("date_precision", "more precise date preferred"), ("as_of", "newer text preferred")):
        if column in best.index and str(best[column]) != str(other[column]):
            return words
    return "same kind and date of source; the first by source id (" + PREFERENCE_RULE + ")"


def _provision_reason(best: pd.Series, other: pd.Series) -> str:
    """The part of provisions.RULE that set a provision version aside."""
    if best["reading"] != provisions.PRIMARY_TEXT and pd.notna(best.get("amending_law")):
        return "a secondary source naming a newer text (the amending law and its date) over an older text"
    if best["reading"] == provisions.PRIMARY_TEXT and other["reading"] != provisions.PRIMARY_TEXT:
        return "a primary text of the provision over a secondary claim that names no newer text"
    if best["provision"] == other["provision"] and provisions.newer(best["as_of"], other["as_of"]):
        return "the newer version of the same text in force"
    return "same standing and date; the first provision by id (" + provisions.RULE + ")"


def _key_text(row: pd.Series, key: list[str]) -> str:
    parts = [str(row[k]) for k in key if k != "country_iso2" and pd.notna(row[k]) and str(row[k]) != ""]
    return " / ".join(parts)


def conflicts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every disagreement between a fact's preferred row and another source's row."""
    rows = []
    for name, (key, fields) in FACTS.items():
        frame = tables.get(name)
        if frame is None or frame.empty:
            continue
        frame = frame.copy()
        for column in key:
            if column not in frame.columns:
                frame[column] = pd.NA
        grouped = frame.assign(_k=frame[key].astype("string").fillna("").agg("|".join, axis=1))
        for _, group in grouped.groupby("_k", sort=True):
            chosen = group[group["preferred"].astype(bool)]
            if "disputed" in group.columns and group["disputed"].astype(bool).any():
                rows += _unresolved(name, group, key, fields)
                continue
            if chosen.empty or len(group) < 2:
                continue
            best = chosen.iloc[0]
            for _, other in group[~group["preferred"].astype(bool)].sort_values("source_id").iterrows():
                for field in fields:
                    if not _same(field, best[field], other[field]):
                        rows.append({
                            "table": name,
                            "country_iso2": best.get("country_iso2"),
                            "key": _key_text(best, key),
                            "field": field,
                            "chosen_value": best[field],
                            "chosen_source": best["source_id"],
                            "other_value": other[field],
                            "other_source": other["source_id"],
                            "rule": _reason(best, other),
                        })
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)


def _unresolved(name: str, group: pd.DataFrame, key: list[str], fields: list[str]) -> list[dict]:
    """A disagreement left open: each other value against the first (by source and provision), rule 'unresolved'."""
    ordered = group.sort_values(["source_id", "provision"] if "provision" in group else ["source_id"])
    first, out = ordered.iloc[0], []
    for _, other in ordered.iloc[1:].iterrows():
        for field in fields:
            if not _same(field, first[field], other[field]):
                out.append({"table": name, "country_iso2": first.get("country_iso2"), "key": _key_text(first, key),
                            "field": field, "chosen_value": first[field], "chosen_source": first["source_id"],
                            "other_value": other[field], "other_source": other["source_id"], "rule": UNRESOLVED})
    return out


def gaps(tables: dict[str, pd.DataFrame], countries: pd.DataFrame) -> pd.DataFrame:
    """Facts the comparison needs for each comparison country that no source gives."""
    chosen = {name: (t[t["preferred"].astype(bool)] if "preferred" in t.columns else t) for name, t in tables.items()}
    rows = []
    compared = countries[countries["comparison"].astype(bool)]
    for _, country in compared.iterrows():
        iso, name = country["iso2"], country["name"]
        eligible = not bool(country.get("user_assigned", False))

        def missing(table, key, what):
            rows.append({"table": table, "country_iso2": iso, "key": key, "what": what})

        if eligible:
            actions = chosen.get("treaty_actions", pd.DataFrame(columns=["country_iso2", "instrument", "action"]))
            mine = actions[actions["country_iso2"] == iso]
            for inst in INSTRUMENTS:
                done = set(mine.loc[mine["instrument"] == inst, "action"])
                if not done & set(BINDING_ACTIONS):
                    missing("treaty_actions", inst, f"when (or whether) {name} became party to {inst}")
        penalties = chosen.get("penalties", pd.DataFrame(columns=["country_iso2", "offence", "form"]))
        penalties_all = tables.get("penalties", pd.DataFrame(columns=["country_iso2", "offence", "disputed"]))
        if "disputed" not in penalties_all.columns:
            penalties_all = penalties_all.assign(disputed=False)
        basic = penalties[(penalties["country_iso2"] == iso) & (penalties["form"] == "basic")]
        for offence in OFFENCES:
            if offence not in set(basic["offence"]):
                what = f"the statutory penalty for {offence.replace('_', ' ')} in {name}"
                open_rows = penalties_all[(penalties_all["country_iso2"] == iso) & (penalties_all["offence"] == offence)
                                          & penalties_all["disputed"].astype(bool)]
                missing("penalties", offence, what + (" (sources disagree; see the disagreements)" if len(open_rows) else ""))
        features = chosen.get("legal_features", pd.DataFrame(columns=["country_iso2", "feature"]))
        have = set(features.loc[features["country_iso2"] == iso, "feature"])
        for feature in ICMEC_FEATURES + ("dedicated_child_protection_law",):
            if feature not in have:
                missing("legal_features", feature, f"whether {name}'s law meets '{feature.replace('_', ' ')}'")
        institutions = chosen.get("institutions", pd.DataFrame(columns=["country_iso2", "kind"]))
        kinds = set(institutions.loc[institutions["country_iso2"] == iso, "kind"])
        for kind in ("hotline", "police_unit"):
            if kind not in kinds:
                missing("institutions", kind, f"a {kind.replace('_', ' ')} in {name}")
        stats = chosen.get("statistics", pd.DataFrame(columns=["country_iso2", "indicator", "year"]))
        mine = stats[stats["country_iso2"] == iso]
        for year in (2021, 2022, 2023):
            if mine[(mine["indicator"] == "ncmec_cybertipline_reports") & (mine["year"] == year)].empty:
                missing("statistics", f"ncmec_cybertipline_reports {year}",
                        f"NCMEC CyberTipline reports for {name} in {year}")
        if mine[mine["indicator"] == "itu_gci_2020_rank_global"].empty:
            missing("statistics", "itu_gci_2020_rank_global", f"{name}'s ITU Global Cybersecurity Index 2020 rank")
    return pd.DataFrame(rows, columns=GAP_COLUMNS)
