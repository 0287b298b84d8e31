"""Comparison metrics: pure functions from processed frames to metric frames.

Missing data stays missing (NA), never zero and never "not met".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, SupportsFloat, cast

import pandas as pd

from tomas_pipeline.core.config import line_of, load_config
from tomas_pipeline.core.errors import TomasInputError
from tomas_pipeline.core.io import is_na, once_per_content
from tomas_pipeline.sources.schemas import BINDING_ACTIONS, stated_absent
from tomas_pipeline.sources.tables import TABLES

if TYPE_CHECKING:
    from pandas.api.typing import NAType

# A state whose ISO code is user-assigned (Kosovo) cannot join UN or Council of
# Europe treaties, so a missing ratification there is "not applicable", not a gap.
NOT_APPLICABLE = "not applicable"
NO_SIGNATURE_ACTIONS = ("accession", "succession")


def _preferred(frame: pd.DataFrame) -> pd.DataFrame:
    if "preferred" not in frame.columns:
        return frame
    return frame[frame["preferred"].astype(bool)]


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


def _first_present(*records) -> object:
    for record in records:
        if record and pd.notna(record.get("via_predecessor")):
            return record["via_predecessor"]
    return pd.NA


# --- The method file ------------------------------------------------------------

METHOD_SCHEMA = Path("workflow/schemas/indicators.schema.yaml")
LEVEL_COUNTRY, LEVEL_CODE = "country", "code"
STATE_LEVEL = "state level"  # a row naming no jurisdiction, in a country with several codes
SCORES = {"yes": 1.0, "partial": 0.5, "no": 0.0}
STATUS_SCORES = {"party": 1.0, "signed": 0.5}


# Method files already checked in this process, with their schema (io.once_per_content):
# every metric job and the scorecard figure read the same file.
_CHECKED: dict[tuple, dict] = {}


def load_method(path: Path | str = "config/indicators.yaml", schema: Path | str | None = None) -> dict:
    """The whole method file (settings, families, indicators), checked against its schema."""
    path = Path(path)
    schema = Path(schema) if schema else path.resolve().parent.parent / METHOD_SCHEMA
    return copy.deepcopy(once_per_content(_CHECKED, [path, schema], lambda: _check_method(path, schema)))


def _check_method(path: Path, schema: Path) -> dict:
    data = load_config(path, schema)  # the one YAML-against-schema check: errors name file and line
    seen: set[str] = set()
    families = {f["id"] for f in data["families"]}
    for i, ind in enumerate(data["indicators"]):
        if ind["id"] in seen:
            raise TomasInputError(path, line_of(path, ["indicators", i, "id"]), f"indicators.{i}.id", ind["id"],
                                  "an id no other indicator has")
        if ind["family"] not in families:
            raise TomasInputError(path, line_of(path, ["indicators", i, "family"]), f"indicators.{i}.family",
                                  ind["family"], "a family listed in families")
        seen.add(ind["id"])
    return data


def load_indicators(path: Path | str = "config/indicators.yaml") -> list[dict]:
    """Every indicator of the method file, in the file's order (validated)."""
    return load_method(path)["indicators"]


# How a scorecard cell reads, in the order the figure's legend and the summary table use.
SCORE_CATEGORIES = ("met", "partly met", "not met", "no data", "not applicable")


def score_category(score: object, value: object) -> int:
    """Index into SCORE_CATEGORIES of one scored cell."""
    if isinstance(value, str) and value == NOT_APPLICABLE:
        return 4
    if score is None or is_na(score):
        return 3
    number = float(cast(SupportsFloat, score))  # a score cell is a number or missing (the scorecard's schema)
    return 0 if number >= 1 else (2 if number <= 0 else 1)


def score_counts(scorecard: pd.DataFrame, indicators: list[dict], countries: list[str]) -> pd.DataFrame:
    """Per country, how many scored indicators fall in each category: the one count the
    heat map, its description, the summary table and the prose all state. An
    indicator with `scored: false` is context, not a cell to count."""
    # A plain dict of the cells: a MultiIndex lookup per cell took seconds at 200 countries, and every
    # country brief counts the whole region.
    cells: dict[tuple[object, object], tuple[object, object]] = {}
    if not scorecard.empty:
        cells = dict(zip(zip(scorecard["country_iso2"], scorecard["indicator"]),
                         zip(scorecard["score"], scorecard["value"])))
    scored = [i["id"] for i in indicators if i["scored"]]
    rows = []
    for iso in countries:
        counts = [0] * len(SCORE_CATEGORIES)
        for indicator in scored:
            score, value = cells.get((iso, indicator), (pd.NA, pd.NA))
            counts[score_category(score, value)] += 1
        rows.append({"country_iso2": iso, **dict(zip(SCORE_CATEGORIES, counts))})
    return pd.DataFrame(rows, columns=["country_iso2", *SCORE_CATEGORIES])


def method_table(indicators: list[dict]) -> pd.DataFrame:
    """One row per indicator for the report's methods appendix."""
    rows = []
    for ind in indicators:
        reads = "; ".join(f"{r['table']}.csv: {', '.join(r['columns'])}" for r in ind["reads"])
        rows.append({
            "id": ind["id"],
            "family": ind["family"],
            "label": ind["label"],
            "measures": ind["measures"],
            "scale": ind["scale"],
            "score_rule": ind.get("score_rule") if ind["scored"] else "reported, not scored",
            "clause": ind["clause"],
            "coding_rule": ind["coding_rule"],
            "reads": reads,
        })
    return pd.DataFrame(rows)


def _of_family(indicators: list[dict], family: str) -> list[dict]:
    return [i for i in indicators if i["family"] == family]


# --- Helpers shared by the families ---------------------------------------------


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


# --- Offences criminalised ------------------------------------------------------


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


# --- Penalties against the Directive's floors -------------------------------------


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


# --- Parity of online and offline harm (the project's own metric) ---------------


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


# --- ICMEC's five criteria ---------------------------------------------------------


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


# --- Terminology --------------------------------------------------------------------


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


# --- Institutions and treaties -----------------------------------------------------


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


# --- Regional uniformity -----------------------------------------------------------


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


# --- The registry the rules and steps read -----------------------------------------

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


def scorecard(family_tables: dict[str, pd.DataFrame], indicators: list[dict], countries: pd.DataFrame) -> pd.DataFrame:
    """Country-level rows of every family, in country order then the method's indicator order."""
    parts = [t[t["level"] == LEVEL_COUNTRY] for f, t in family_tables.items() if f in SCORECARD_FAMILIES]
    columns = ["country_iso2", "indicator", "value", "score", "source_ids"]
    frame = pd.concat([p[columns] for p in parts], ignore_index=True) if parts else pd.DataFrame(columns=columns)
    order = {iso: i for i, iso in enumerate(_comparison(countries))}
    rank = {ind["id"]: i for i, ind in enumerate(indicators)}
    frame = frame.assign(_c=frame["country_iso2"].map(order), _i=frame["indicator"].map(rank))
    frame = frame.sort_values(["_c", "_i"], kind="mergesort").drop(columns=["_c", "_i"]).reset_index(drop=True)
    # Family tables read back as numbers; the scorecard's value column is text.
    frame["value"] = frame["value"].map(_text).astype("object")
    frame["score"] = frame["score"].astype("Float64")
    return frame


# --- Recommendation tracker ----------------------------------------------------------

RECOMMENDATIONS_SCHEMA = Path("workflow/schemas/recommendations.schema.yaml")
MET, PARTLY, NOT_MET, UNKNOWN = "met", "partly met", "not met", "unknown"
# A recommendation no per-country indicator can measure (training, research funding, regional centres):
# not a gap in the data, so never counted as "unknown".
NOT_MEASURED = "not measured"
TRACKER_STATUSES = (MET, PARTLY, NOT_MET, UNKNOWN, NOT_MEASURED, NOT_APPLICABLE)


def load_recommendations(path: Path | str, indicators: list[dict]) -> list[dict]:
    """config/recommendations.yaml, checked: every indicator id it names is in the method."""
    path = Path(path)
    data = load_config(path, path.resolve().parent.parent / RECOMMENDATIONS_SCHEMA)
    known = {i["id"] for i in indicators}
    for n, rec in enumerate(data["recommendations"]):
        for ind in rec["indicators"]:
            if ind not in known:
                raise TomasInputError(path, line_of(path, ["recommendations", n, "indicators"]),
                                      f"recommendations.{n}.indicators", ind,
                                      "an indicator id from config/indicators.yaml")
    return data["recommendations"]


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
