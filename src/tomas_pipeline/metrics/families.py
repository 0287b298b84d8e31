"""The metric families: one pure function per family from processed frames to its table
(FAMILIES is the registry the workflow and the steps read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import SupportsFloat, cast

import pandas as pd

from tomas_pipeline.core.io import is_na
from tomas_pipeline.metrics.common import (
    LEVEL_COUNTRY,
    NO_SIGNATURE_ACTIONS,
    NOT_APPLICABLE,
    SCORES,
    STATUS_SCORES,
    _basic,
    _by_country,
    _comparison,
    _finish_family,
    _ids,
    _in_code,
    _of_family,
    _per_code,
    _preferred,
    _text,
    _weakest,
)
from tomas_pipeline.sources.schemas import stated_absent

# --- Offences criminalised ------------------------------------------------------------------------

def criminalisation(penalties: pd.DataFrame, legal_features: pd.DataFrame, countries: pd.DataFrame,
                    indicators: list[dict], settings: dict) -> pd.DataFrame:
    """Is each required conduct an offence, and under which article (per code, then country)."""
    basic = _basic(penalties)
    everything = penalties[penalties["form"].fillna("basic") == "basic"] if "form" in penalties else penalties
    features = _preferred(legal_features)
    rows = []
    for iso, mine, codes in _by_country(basic, countries, settings):
        for ind in _of_family(indicators, "criminalisation"):
            offence = ind["params"]["offence"]
            # An explicit "no" can only come from a source saying so.
            stated = features[(features["country_iso2"] == iso) & (features["feature"] == f"criminalises_{offence}")]
            records: list[dict] = []
            for code in codes:
                matches = _in_code(mine[mine["offence"] == offence], code)
                if not matches.empty:
                    row = matches.iloc[0]
                    article, article_source = row["article"], pd.NA
                    if pd.isna(article):
                        # Another source may name the article of the same provision.
                        alt = _in_code(everything[(everything["country_iso2"] == iso)
                                                  & (everything["offence"] == offence)], code)["article"].dropna()
                        if not alt.empty:
                            article = alt.iloc[0]
                            article_source = everything.loc[alt.index[0], "source_id"]
                    records.append({"value": "yes", "score": 1.0, "article": article, "code": row["code"],
                                    "source_ids": _ids(row["source_id"], article_source)})
                elif not stated.empty and stated.iloc[0]["value"] == "no":
                    records.append({"value": "no", "score": 0.0, "article": pd.NA, "code": pd.NA,
                                    "source_ids": _ids(stated.iloc[0]["source_id"])})
                else:
                    records.append({"value": pd.NA, "score": pd.NA, "article": pd.NA, "code": pd.NA,
                                    "source_ids": pd.NA})
            rows += _per_code(iso, ind["id"], codes, records)
    return _finish_family(rows, "criminalisation")


# --- Penalties against the Directive's floors -----------------------------------------------------

def penalty_alignment(penalties: pd.DataFrame, offences: pd.DataFrame, countries: pd.DataFrame,
                      indicators: list[dict], settings: dict) -> pd.DataFrame:
    """National maximum / Directive floor per offence; meets when >= 1 (floors come from offences)."""
    basic = _basic(penalties)
    floors = offences.set_index("offence")
    rows = []
    for iso, mine, codes in _by_country(basic, countries, settings):
        for ind in _of_family(indicators, "penalty_alignment"):
            offence = ind["params"]["offence"]
            floor = floors["floor_max_months"].get(offence, pd.NA) if "floor_max_months" in floors else pd.NA
            article = floors["directive_article"].get(offence, pd.NA) if "directive_article" in floors else pd.NA
            floor_source = floors["source_id"].get(offence, pd.NA) if pd.notna(floor) else pd.NA
            records = []
            for code in codes:
                row = _in_code(mine[mine["offence"] == offence], code)
                records.append(_alignment(row.iloc[0] if not row.empty else None, floor, floor_source))
            for rec in records:
                rec["directive_article"] = article
                rec["floor_max_months"] = floor
            rows += _per_code(iso, ind["id"], codes, records)
    return _finish_family(rows, "penalty_alignment")


def _alignment(row: pd.Series | None, floor: object, floor_source: object) -> dict:
    empty: dict[str, object] = {"value": pd.NA, "score": pd.NA, "meets_floor": pd.NA, "ratio": pd.NA,
                                "max_months": pd.NA, "life": pd.NA, "article": pd.NA, "rank": None,
                                "source_ids": pd.NA}
    if row is None:
        return empty
    sources = _ids(row["source_id"], floor_source)
    life = bool(row.get("life")) if pd.notna(row.get("life")) else False
    maximum = row["max_months"]
    # The provision the penalty comes from, so a reader can find it in the code.
    rec = {**empty, "max_months": maximum, "life": life, "article": row.get("article", pd.NA), "source_ids": sources}
    if is_na(floor):
        return {**rec, "note": "no floor on record for this offence"}
    if life:
        # Life imprisonment meets any floor; there is no finite maximum to divide.
        return {**rec, "value": "life", "score": 1.0, "meets_floor": True, "rank": float("inf")}
    if pd.isna(maximum):
        return {**rec, "note": "the source gives no maximum"}
    ratio = round(float(maximum) / float(cast(SupportsFloat, floor)), 3)  # a floor is months or NA
    meets = ratio >= 1
    return {**rec, "value": _text(ratio), "score": 1.0 if meets else 0.0, "meets_floor": meets, "ratio": ratio,
            "rank": ratio}


# --- Parity of online and offline harm (the project's own metric) ---------------------------------

def parity(penalties: pd.DataFrame, countries: pd.DataFrame, indicators: list[dict], settings: dict) -> pd.DataFrame:
    """Producing vs trafficking in children: min and max ratios, score = ratio capped at 1."""
    basic = _basic(penalties)
    rows = []
    for iso, mine, codes in _by_country(basic, countries, settings):
        for ind in _of_family(indicators, "parity"):
            which = ind["params"]["ratio"]
            records = []
            for code in codes:
                prod = _in_code(mine[mine["offence"] == "producing"], code)
                traf = _in_code(mine[mine["offence"] == "trafficking_children"], code)
                if traf.empty and code is not None:
                    traf = _in_code(mine[mine["offence"] == "trafficking_children"], None)
                records.append(_parity(prod.iloc[0] if not prod.empty else None,
                                       traf.iloc[0] if not traf.empty else None, which))
            rows += _per_code(iso, ind["id"], codes, records)
    return _finish_family(rows, "parity")


def _parity(prod: pd.Series | None, traf: pd.Series | None, which: str) -> dict:
    column = f"{which}_months"
    p = prod[column] if prod is not None else pd.NA
    t = traf[column] if traf is not None else pd.NA
    rec = {"value": pd.NA, "score": pd.NA, "ratio": pd.NA, "producing_months": p, "trafficking_months": t,
           "rank": None, "source_ids": _ids(*(r["source_id"] for r in (prod, traf) if r is not None))}
    lifelong = any(r is not None and bool(r.get("life")) for r in (prod, traf))
    if which == "max" and lifelong:
        return {**rec, "note": "life imprisonment: no finite maximum to compare"}
    if pd.isna(p) or pd.isna(t) or float(t) == 0:
        return rec
    ratio = round(float(p) / float(t), 3)
    return {**rec, "value": _text(ratio), "score": min(ratio, 1.0), "ratio": ratio, "rank": ratio}


# --- ICMEC's five criteria ------------------------------------------------------------------------

def icmec(legal_features: pd.DataFrame, countries: pd.DataFrame, indicators: list[dict],
          settings: dict) -> pd.DataFrame:
    """The five ICMEC criteria as the legal_features sources code them (yes 1, partial 0.5, no 0)."""
    rows = []
    for iso in _comparison(countries):
        for ind in _of_family(indicators, "icmec"):
            rows.append({"country_iso2": iso, "indicator": ind["id"], "level": LEVEL_COUNTRY,
                         "jurisdiction": pd.NA, **_feature(legal_features, iso, ind["params"]["feature"])})
    return _finish_family(rows, "icmec")


def _feature(legal_features: pd.DataFrame, iso: str, feature: str) -> dict:
    chosen = _preferred(legal_features)
    matches = chosen[(chosen["country_iso2"] == iso) & (chosen["feature"] == feature)]
    if matches.empty:
        return {"value": pd.NA, "score": pd.NA, "article": pd.NA, "source_ids": pd.NA}
    row = matches.iloc[0]
    return {"value": row["value"], "score": SCORES.get(row["value"], pd.NA), "article": row.get("article", pd.NA),
            "source_ids": _ids(row["source_id"])}


# --- Terminology ----------------------------------------------------------------------------------

def uses_pornography_term(term: object, stems: list[str]) -> object:
    """True when the term frames the material as pornography; NA for no term."""
    if term is None or (not isinstance(term, str) and is_na(term)):
        return pd.NA
    folded = cast(str, term).casefold()  # a term cell is text (the terminology schema)
    return any(stem.casefold() in folded for stem in stems)


def terminology_use(penalties: pd.DataFrame, countries: pd.DataFrame, indicators: list[dict],
                    settings: dict) -> pd.DataFrame:
    """Does the law still call the material pornography? yes scores 0, no scores 1."""
    basic = _basic(penalties)
    basic = basic[basic["offence"].isin(settings["csam_offences"])]
    stems = settings["pornography_stems"]
    rows = []
    for iso, mine, codes in _by_country(basic, countries, settings):
        for ind in _of_family(indicators, "terminology"):
            records: list[dict] = []
            for code in codes:
                termed = _in_code(mine, code).dropna(subset=["term_used"])
                if termed.empty:
                    records.append({"value": pd.NA, "score": pd.NA, "terms": pd.NA, "source_ids": pd.NA})
                    continue
                uses = [bool(uses_pornography_term(t, stems)) for t in termed["term_used"]]
                terms = " | ".join(sorted(set(termed["term_used"])))
                records.append({"value": "yes" if any(uses) else "no", "score": 0.0 if any(uses) else 1.0,
                                "terms": terms, "source_ids": _ids(list(termed["source_id"]))})
            rows += _per_code(iso, ind["id"], codes, records)
    return _finish_family(rows, "terminology_use")


# --- Institutions and treaties --------------------------------------------------------------------

def institutions_score(ratification: pd.DataFrame, legal_features: pd.DataFrame, institutions: pd.DataFrame,
                       strategies: pd.DataFrame, countries: pd.DataFrame, indicators: list[dict],
                       settings: dict) -> pd.DataFrame:
    """Treaty status and years to ratify (from ratification_status) and the recommended institutions."""
    rows = []
    for iso in _comparison(countries):
        for ind in _of_family(indicators, "institutions"):
            params = ind.get("params", {})
            if "instrument" in params:
                rec = _treaty(ratification, iso, params["instrument"], ind["scale"])
            elif "feature" in params:
                rec = _feature(legal_features, iso, params["feature"])
            elif "kind" in params:
                rec = _body_of_kind(institutions[institutions["country_iso2"] == iso], params["kind"])
            elif ind["id"] == "awareness_strategy":
                rec = _strategy(strategies[strategies["country_iso2"] == iso], "educates_public")
            elif ind["id"] == "inhope_hotline":
                rec = _hotline(institutions[institutions["country_iso2"] == iso])
            elif ind["id"] == "strategy_children_online":
                rec = _strategy(strategies[strategies["country_iso2"] == iso])
            elif ind["id"] == "specialised_unit":
                rec = _unit(institutions[institutions["country_iso2"] == iso])
            else:
                raise ValueError(f"no coding for institutions indicator {ind['id']!r}")
            rows.append({"country_iso2": iso, "indicator": ind["id"], "level": LEVEL_COUNTRY, "jurisdiction": pd.NA,
                         **{"note": pd.NA, "detail": pd.NA, **rec}})
    return _finish_family(rows, "institutions_score")


def _treaty(ratification: pd.DataFrame, iso: str, instrument: str, scale: str) -> dict:
    matches = ratification[(ratification["country_iso2"] == iso) & (ratification["instrument"] == instrument)]
    if matches.empty:
        return {"value": pd.NA, "score": pd.NA, "source_ids": pd.NA}
    row = matches.iloc[0]
    if scale == "years":
        # Accession and succession bind without a signature: there are no years to count, and
        # the source of the accession says so, so the cell is a sourced "not applicable", not a gap.
        no_signature = str(row["bound_action"]) in NO_SIGNATURE_ACTIONS
        value = NOT_APPLICABLE if row["status"] == NOT_APPLICABLE or no_signature else _text(row["years_to_ratify"])
        return {"value": value, "score": pd.NA, "detail": _span(row), "source_ids": _ids(row["source_ids"])}
    status = row["status"]
    return {"value": status if pd.notna(status) else pd.NA, "score": STATUS_SCORES.get(status, pd.NA),
            "detail": _span(row), "source_ids": _ids(row["source_ids"])}


def _span(row: pd.Series) -> object:
    candidates = [f"signed {row['signature_date']}" if pd.notna(row["signature_date"]) else None,
                  f"{row['bound_action']} {row['bound_date']}" if pd.notna(row["bound_date"]) else None]
    parts = [p for p in candidates if p]
    return "; ".join(parts) if parts else pd.NA


def _hotline(mine: pd.DataFrame) -> dict:
    """Yes: a hotline that is an INHOPE member; no: every hotline on record is not one, or, with none on
    record, a source states that the country has none (exists = no); missing otherwise. No row at all is
    missing, never a no."""
    hotlines = mine[mine["kind"] == "hotline"]
    absent = stated_absent(hotlines)
    none, hotlines = hotlines[absent], hotlines[~absent]
    members = hotlines[hotlines["inhope_member"] == "yes"]
    if not members.empty:
        return {"value": "yes", "score": 1.0, "detail": " | ".join(sorted(set(members["name"]))),
                "source_ids": _ids(list(members["source_id"]))}
    # fillna: an empty membership cell is unknown, never a "no" (NA == "no" would be skipped by all()).
    if not hotlines.empty and hotlines["inhope_member"].astype("string").eq("no").fillna(False).all():
        return {"value": "no", "score": 0.0, "detail": " | ".join(sorted(set(hotlines["name"]))),
                "source_ids": _ids(list(hotlines["source_id"]) + list(none["source_id"]))}
    if hotlines.empty and not none.empty:
        return {"value": "no", "score": 0.0, "detail": "none: " + " | ".join(sorted(set(none["name"]))),
                "note": "a source states there is no such hotline", "source_ids": _ids(list(none["source_id"]))}
    if hotlines.empty:
        return {"value": pd.NA, "score": pd.NA, "source_ids": pd.NA}
    note = "hotline on record, INHOPE membership not stated"
    if not none.empty:
        note += "; another source states there is none"
    return {"value": pd.NA, "score": pd.NA, "note": note,
            "source_ids": _ids(list(hotlines["source_id"]) + list(none["source_id"]))}


def _strategy(mine: pd.DataFrame, flag: str = "addresses_children_online") -> dict:
    flags = mine[flag] if flag in mine.columns else pd.Series(pd.NA, index=mine.index, dtype="object")
    yes = mine[flags == "yes"]
    if not yes.empty:
        return {"value": "yes", "score": 1.0, "detail": " | ".join(sorted(set(yes["title"]))),
                "source_ids": _ids(list(yes["source_id"]))}
    if not mine.empty and (flags == "no").all():
        return {"value": "no", "score": 0.0, "detail": " | ".join(sorted(set(mine["title"]))),
                "source_ids": _ids(list(mine["source_id"]))}
    return {"value": pd.NA, "score": pd.NA, "source_ids": _ids(list(mine["source_id"]))}


UNIT_KINDS = ("police_unit", "prosecution_unit", "court_unit", "child_abuse_unit")


def _body_of_kind(mine: pd.DataFrame, kind: str) -> dict:
    """Yes: a body of this kind on record; no: the only rows of the kind say a source states there is
    none (exists = no); missing otherwise. Rows of other kinds never count (a general cybercrime unit is
    not a unit for online child abuse)."""
    rows = mine[mine["kind"] == kind]
    absent = stated_absent(rows)
    present, none = rows[~absent], rows[absent]
    if not present.empty:
        note = "another source states there is none" if not none.empty else pd.NA
        return {"value": "yes", "score": 1.0, "detail": " | ".join(sorted(set(present["name"]))), "note": note,
                "source_ids": _ids(list(present["source_id"]))}
    if not none.empty:
        return {"value": "no", "score": 0.0, "detail": "none: " + " | ".join(sorted(set(none["name"]))),
                "note": "a source states there is none", "source_ids": _ids(list(none["source_id"]))}
    return {"value": pd.NA, "score": pd.NA, "source_ids": pd.NA}


def _unit(mine: pd.DataFrame) -> dict:
    units = mine[mine["kind"].isin(UNIT_KINDS) & ~stated_absent(mine)]
    if units.empty:
        return {"value": pd.NA, "score": pd.NA, "source_ids": pd.NA}
    return {"value": "yes", "score": 1.0, "detail": " | ".join(sorted(set(units["name"]))),
            "source_ids": _ids(list(units["source_id"]))}


# --- Regional uniformity --------------------------------------------------------------------------

def country_maxima(penalties: pd.DataFrame, countries: pd.DataFrame, offence: str, settings: dict) -> pd.DataFrame:
    """Each comparison country's maximum for an offence (the weakest code's; NA when unknown)."""
    basic = _basic(penalties)
    rows = []
    for iso, mine, codes in _by_country(basic, countries, settings):
        records: list[dict] = []
        for code in codes:
            row = _in_code(mine[mine["offence"] == offence], code)
            if row.empty or pd.isna(row.iloc[0]["max_months"]) or bool(row.iloc[0].get("life")):
                records.append({"score": pd.NA, "max_months": pd.NA, "source_ids": pd.NA})
            else:
                m = float(row.iloc[0]["max_months"])
                # Every known maximum "scores" alike; the rank (lower = weaker) decides.
                records.append({"score": 1.0, "rank": m, "max_months": m, "source_ids": _ids(row.iloc[0]["source_id"])})
        best, _ = _weakest(records, codes) if len(codes) > 1 else (records[0] if pd.notna(records[0]["score"])
                                                                      else None, "")
        rows.append({"country_iso2": iso, "max_months": best["max_months"] if best else pd.NA,
                     "source_ids": best["source_ids"] if best else pd.NA})
    out = pd.DataFrame(rows, columns=["country_iso2", "max_months", "source_ids"])
    out["max_months"] = out["max_months"].astype("Float64")
    return out


def spread(values: pd.Series) -> dict:
    """Range, mean, population CV, median and the furthest country of a Series indexed by country.

    Furthest = largest absolute deviation from the median (ties: all, joined by ';').
    """
    known = values.dropna().astype(float)
    out = {"n_countries": len(known), "min_months": pd.NA, "max_months": pd.NA, "range_months": pd.NA,
           "mean_months": pd.NA, "cv": pd.NA, "median_months": pd.NA, "furthest": pd.NA,
           "furthest_deviation_months": pd.NA}
    if len(known) >= 1:
        out.update(min_months=known.min(), max_months=known.max(), median_months=known.median(),
                   mean_months=round(known.mean(), 3))
    if len(known) >= 2:
        mean = known.mean()
        out["range_months"] = known.max() - known.min()
        # Population SD: the countries are the whole region, not a sample of it.
        out["cv"] = round(float(known.std(ddof=0) / mean), 4) if mean else pd.NA
    if len(known) >= 3:
        deviation = (known - known.median()).abs()
        top = deviation.max()
        out["furthest"] = ";".join(sorted(deviation[deviation == top].index))
        out["furthest_deviation_months"] = top
    return out


def uniformity(penalties: pd.DataFrame, countries: pd.DataFrame, indicators: list[dict],
               settings: dict) -> pd.DataFrame:
    """Per offence, how far apart the countries' maximum penalties lie."""
    rows = []
    for ind in _of_family(indicators, "uniformity"):
        offence = ind["params"]["offence"]
        maxima = country_maxima(penalties, countries, offence, settings)
        series = maxima.set_index("country_iso2")["max_months"]
        known = series.dropna()
        rows.append({
            "indicator": ind["id"], "offence": offence, **spread(series),
            "countries": ";".join(known.index) if len(known) else pd.NA,
            "countries_missing": ";".join(series.index[series.isna()]) or pd.NA,
            "source_ids": _ids(list(maxima["source_ids"])),
        })
    columns = ["indicator", "offence", "n_countries", "countries", "countries_missing", "min_months", "max_months",
               "range_months", "mean_months", "cv", "median_months", "furthest", "furthest_deviation_months",
               "source_ids"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("min_months", "max_months", "range_months", "mean_months", "cv", "median_months",
                   "furthest_deviation_months"):
        frame[column] = frame[column].astype("Float64")
    return frame


# --- The registry the rules and steps read --------------------------------------------------------

# family id -> (table written, function, processed tables it reads)
FAMILIES: dict[str, tuple[str, Callable[..., pd.DataFrame], tuple[str, ...]]] = {
    "criminalisation": ("criminalisation", criminalisation, ("penalties", "legal_features", "countries")),
    "penalty_alignment": ("penalty_alignment", penalty_alignment, ("penalties", "offences", "countries")),
    "parity": ("parity", parity, ("penalties", "countries")),
    "icmec": ("icmec", icmec, ("legal_features", "countries")),
    "terminology": ("terminology_use", terminology_use, ("penalties", "countries")),
    "institutions": ("institutions_score", institutions_score,
                     ("ratification", "legal_features", "institutions", "strategies", "countries")),
    "uniformity": ("uniformity", uniformity, ("penalties", "countries")),
}


# Families whose country-level rows make the scorecard (uniformity is regional).
SCORECARD_FAMILIES = ("criminalisation", "penalty_alignment", "parity", "icmec", "terminology", "institutions")


def compute_family(family: str, tables: dict[str, pd.DataFrame], method: dict) -> pd.DataFrame:
    _, function, inputs = FAMILIES[family]
    return function(**{name: tables[name] for name in inputs}, indicators=method["indicators"],
                    settings=method["settings"])
