"""What the data says about itself: where sources disagree, and what is missing.

``conflicts`` lists every fact for which two sources give different values,
with the value the report uses and the rule that chose it. ``gaps`` lists every
fact config/expectations.yaml declares that has no value, with what was tried,
and the facts whose text is older than the configured age at the build date
(checks to make). Both are published in ``data/processed/`` and shown in the
report's appendices.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from tomas_pipeline.core.io import is_na
from tomas_pipeline.sources import provisions
from tomas_pipeline.sources.normalise import PREFERENCE_RULE, spelling_key
from tomas_pipeline.sources.schemas import ALL_KEYS, BINDING_ACTIONS, stated_absent
from tomas_pipeline.sources.tables import TABLES

# The column orders are declared with the tables (tables.py).
CONFLICT_COLUMNS = TABLES["conflicts"].names
GAP_COLUMNS = TABLES["gaps"].names

# The fields compared per fact table, and the columns that identify one fact.
FACTS = {
    "treaty_actions": (["country_iso2", "instrument", "action"], ["date"]),
    "penalties": (["country_iso2", "jurisdiction", "offence", "form"], ["min_months", "max_months", "life"]),
    "legal_features": (["country_iso2", "feature"], ["value"]),
    "statistics": (["scope", "area", "country_iso2", "indicator", "year"], ["value"]),
    # A country's national hotline is one body (normalise.NATIONAL_HOTLINE): sources spelling it differently
    # disagree on its name.
    "institutions": (["country_iso2", "kind", "body"], ["name"]),
}

# The declared facts (config/expectations.yaml) and the schema that checks them.
EXPECTATIONS = Path(__file__).resolve().parents[3] / "config" / "expectations.yaml"
EXPECTATIONS_SCHEMA = Path("workflow/schemas/expectations.schema.yaml")
DEFAULT_MAX_AGE_YEARS = 5

# What a gap row's `kind` and `tried` say. `tried` names the table searched and what no row of it gives;
# every `tried` of a fact no row gives starts with NO_ROW.
MISSING = "missing"
NO_ROW = "no source row"
DISAGREE = "sources disagree"
NO_DATE = "the member rows give no year of admission"


# What a gap's `tried` adds from the search log (data/raw/searches.csv) after what no row gives.
NO_SEARCH = "no search recorded"
OUTCOME_WORDS = {"not_reached": "not reached", "not_stated": "read, does not state it", "found": "found"}


def _no_row(table: str, gives: str) -> str:
    """'no source row in treaty_actions.csv gives its entry into force'."""
    return f"{NO_ROW} in {table}.csv gives {gives}"


def _dates_agree(a: str, b: str) -> bool:
    """Two ISO dates of any precision agree if they match at the coarser one."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _same(field: str, a: object, b: object) -> bool:
    if is_na(a) and is_na(b):
        return True
    if is_na(a) or is_na(b):
        # One source is silent on this field: not a disagreement.
        return True
    if field == "date":
        return _dates_agree(str(a), str(b))
    if field == "name":  # "... in the World – Megjashi" and "... in the World Megjashi" agree
        return spelling_key(a) == spelling_key(b)
    try:
        return abs(float(a) - float(b)) < 1e-9  # type: ignore[arg-type]  # any cell: float() refusing it is the test
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
        # A table that marks no preferred row (an institutions table of an older build) has nothing to compare.
        if frame is None or frame.empty or "preferred" not in frame.columns:
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


def load_expectations(path: Path | str | None = None, schema: Path | str | None = None) -> dict:
    """config/expectations.yaml, checked against its schema (an error names the key and its line)."""
    from tomas_pipeline.core.config import load_config

    path = Path(path) if path else EXPECTATIONS
    return load_config(path, schema or path.resolve().parent.parent / EXPECTATIONS_SCHEMA)


ENDED = "check: period ended"


def _check_kind(years: int) -> str:
    return f"check: text older than {years} years"


def _flag(series: pd.Series) -> pd.Series:
    """A yes/no column as booleans, whether it was read as bool or as text."""
    return series.astype("string").str.lower().isin(["true", "1", "yes"])


def _true(value: object) -> bool:
    return bool(_flag(pd.Series([value])).iloc[0])


def _chosen(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[_flag(frame["preferred"])] if "preferred" in frame.columns else frame


def _table(tables: dict, name: str, columns: list[str]) -> pd.DataFrame:
    frame = tables.get(name)
    if frame is None:
        frame = pd.DataFrame(columns=columns)
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = pd.NA
    return frame


def _year(value: object) -> str:
    """A year cell as text ('2021'), whether it was read as text, integer or float."""
    if is_na(value) or str(value).strip() == "":
        return ""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


def gaps(tables: dict[str, pd.DataFrame], countries: pd.DataFrame, expectations: dict | None = None,
         labels: dict[str, str] | None = None, build_date: dt.date | str | None = None,
         max_age_years: int = DEFAULT_MAX_AGE_YEARS, searches: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every declared fact without a value for each comparison country, then (given a build date) the
    facts whose text is older than `max_age_years` at that date, as checks to make.

    `labels` names the scorecard's indicators (config/indicators.yaml); the build date is the date the
    build states, never the clock, so the same data gives the same rows on any day. Given the search log
    (`searches`, data/raw/searches.csv), each missing fact's `tried` goes on to say what was searched
    (see with_searches)."""
    spec = expectations if expectations is not None else load_expectations()
    compared = countries[_flag(countries["comparison"])]
    names = dict(zip(countries["iso2"], countries["name"]))
    rows = []
    for _, country in compared.iterrows():
        rows += _missing_for(tables, spec, country, labels or {})
    rows += _missing_global(tables, spec)
    if build_date:
        day = build_date if isinstance(build_date, dt.date) else dt.date.fromisoformat(str(build_date))
        rows += outdated(tables, names, set(compared["iso2"]), day, max_age_years, spec)
    frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
    return frame if searches is None else with_searches(frame, searches)


def _iso(value: object) -> str:
    return "" if is_na(value) else str(value)


def attempts_for(searches: pd.DataFrame, table: str, iso: object, key: str) -> pd.DataFrame:
    """The logged searches for one gap: same table and country (both empty for a global fact), its key
    or `*`; in date order, then by place."""
    if searches.empty:
        return searches
    iso2 = searches["country_iso2"].map(_iso)
    hit = (searches["table"] == table) & (iso2 == _iso(iso)) & searches["key"].isin([key, ALL_KEYS])
    return searches[hit].sort_values(["searched_on", "where", "outcome"], kind="mergesort")


def _searched(attempts: pd.DataFrame) -> str:
    """'searched 2026-11-30: UN Treaty Collection CRC page (not reached); searched 2026-12-03: ...'."""
    if attempts.empty:
        return NO_SEARCH
    return "; ".join(f"searched {r['searched_on']}: {r['where']} ({OUTCOME_WORDS[str(r['outcome'])]})"
                     for _, r in attempts.iterrows())


def search_entries(attempts: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Each distinct search among the attempts, as (date, where, outcome), in their order: one search
    that served several gaps (a key `*`, or one chart read for several facts) is one entry."""
    return list(dict.fromkeys((str(r["searched_on"]), str(r["where"]), str(r["outcome"]))
                              for _, r in attempts.iterrows()))


def before_searches(tried: str, attempts: pd.DataFrame) -> str:
    """A missing fact's `tried` without what with_searches appended from the log: what no row gives."""
    added = _searched(attempts)
    if tried == added:
        return ""
    return tried[:-len(added) - 2] if tried.endswith("; " + added) else tried


def with_searches(frame: pd.DataFrame, searches: pd.DataFrame) -> pd.DataFrame:
    """Each missing fact's `tried`, then what the search log records for it (or NO_SEARCH).

    The first part (what no row gives, NO_ROW ...) is kept as it was, so `tried` still starts with it. The
    checks of old texts are not gaps of the log: their `tried` names the version on record."""
    out = frame.copy()
    for index, row in out[out["kind"] == MISSING].iterrows():
        found = _searched(attempts_for(searches, row["table"], row["country_iso2"], row["key"]))
        out.at[index, "tried"] = f"{row['tried']}; {found}" if row["tried"] else found
    return out


def searched_count(frame: pd.DataFrame, searches: pd.DataFrame, iso2s) -> tuple[int, int]:
    """(missing facts of these countries with at least one logged search, all their missing facts)."""
    mine = frame[(frame["kind"] == MISSING) & frame["country_iso2"].isin(list(iso2s))]
    done = sum(1 for _, r in mine.iterrows()
               if len(attempts_for(searches, str(r["table"]), r["country_iso2"], str(r["key"]))) > 0)
    return done, len(mine)


def known_keys(spec: dict, indicators: list[str] | tuple[str, ...] = ()) -> dict[str, set[str]]:
    """Every key a gap of each table can have, from the expectations (and the scorecard's indicators)."""
    treaties = spec["treaties"]["instruments"]
    dated = {f"{i} {fact}" for i in treaties for fact in ("signature", "entry_into_force")}
    return {
        "treaty_actions": set(treaties) | dated,
        "penalties": set(spec["penalties"]["offences"]),
        "legal_features": set(spec["legal_features"]["features"]),
        "institutions": set(spec["institutions"]["kinds"]) | {"hotline inhope_member", "hotline inhope_since"},
        "statistics": {f"{s['indicator']} {y}" for s in spec["statistics"] for y in s["years"]},
        "strategies": {"strategy"},
        "scorecard": set(indicators),
    }


def check_searches(searches: pd.DataFrame, path: Path | str, spec: dict,
                   indicators: list[str] | tuple[str, ...] = ()) -> None:
    """Each logged search names a key the audit knows for its table, or `*` (error: file, row, column)."""
    from tomas_pipeline.core.errors import TomasInputError, TomasInputErrors, spreadsheet_row

    keys = known_keys(spec, indicators)
    errors = []
    for index, row in searches.iterrows():
        allowed = keys.get(str(row["table"]), set())
        if row["key"] != ALL_KEYS and row["key"] not in allowed:
            shown = ", ".join(sorted(allowed)[:12]) + (", ..." if len(allowed) > 12 else "")
            errors.append(TomasInputError(path, spreadsheet_row(index), "key", row["key"],
                                          f"{ALL_KEYS} or a key of a {row['table']} gap ({shown})"))
    if errors:
        raise TomasInputErrors(errors)


def _row(table: str, iso: object, key: str, what: str, tried: str, kind: str = MISSING) -> dict:
    return {"table": table, "country_iso2": iso, "key": key, "what": what, "kind": kind, "tried": tried}


def _missing_for(tables: dict, spec: dict, country: pd.Series, labels: dict[str, str]) -> list[dict]:
    iso, name = country["iso2"], country["name"]
    rows: list[dict] = []

    def missing(table, key, what, tried):
        rows.append(_row(table, iso, key, what, tried))

    # Treaties: consent; then a signature where consent was a ratification, and entry into force.
    if not _true(country.get("user_assigned", False)):
        instruments = _table(tables, "instruments", ["instrument_id", "short_name"])
        short = dict(zip(instruments["instrument_id"], instruments["short_name"]))
        actions = _chosen(_table(tables, "treaty_actions", ["country_iso2", "instrument", "action", "date"]))
        mine = actions[actions["country_iso2"] == iso]
        facts = spec["treaties"]["facts"]
        for inst in spec["treaties"]["instruments"]:
            label = short.get(inst, inst)  # every short name takes "the" ("the Palermo Protocol")
            done = set(mine.loc[mine["instrument"] == inst, "action"])
            consent = done & set(BINDING_ACTIONS)
            if not consent:
                if "consent" in facts:
                    missing("treaty_actions", inst, f"the act by which {name} became a party to the {label} "
                            "(ratification, accession or succession) and its date",
                            _no_row("treaty_actions", "a ratification, accession or succession"))
                continue
            if "signature" in facts and "ratification" in consent and "signature" not in done:
                missing("treaty_actions", f"{inst} signature",
                        f"the date {name} signed the {label}, which it later ratified",
                        _no_row("treaty_actions", "its signature"))
            if "entry_into_force" in facts and "entry_into_force" not in done:
                missing("treaty_actions", f"{inst} entry_into_force",
                        f"the date the {label} entered into force for {name}",
                        _no_row("treaty_actions", "its entry into force"))

    # Penalties: one provision version for the basic form of each offence.
    penalties_all = _table(tables, "penalties", ["country_iso2", "offence", "form", "disputed"])
    mine = penalties_all[penalties_all["country_iso2"] == iso]
    basic = _chosen(mine)
    basic = basic[basic["form"] == "basic"]
    for offence in spec["penalties"]["offences"]:
        if offence in set(basic["offence"]):
            continue
        what = f"the statutory penalty for {offence.replace('_', ' ')} in {name}"
        of = mine[mine["offence"] == offence]
        if _flag(of["disputed"].fillna(False)).any():
            missing("penalties", offence, what + " (sources disagree; see the disagreements)", DISAGREE)
        elif len(of):
            missing("penalties", offence, what, "the provisions on record cover only aggravated forms")
        else:
            missing("penalties", offence, what, _no_row("penalties", "a provision for this offence"))

    # Legal features: the ICMEC criteria and the others declared.
    features = _chosen(_table(tables, "legal_features", ["country_iso2", "feature", "value"]))
    have = set(features.loc[(features["country_iso2"] == iso) & features["value"].notna(), "feature"])
    for feature in spec["legal_features"]["features"]:
        if feature not in have:
            missing("legal_features", feature,
                    f"{name}'s law on '{feature.replace('_', ' ')}': yes, no or partial, with the article",
                    _no_row("legal_features", "this feature"))

    # Institutions, and for a hotline its INHOPE membership and year.
    institutions = _table(tables, "institutions", ["country_iso2", "kind", "inhope_member", "inhope_since"])
    ours = institutions[institutions["country_iso2"] == iso]
    # A row stating that there is no such body answers the question too: it is a fact, not a gap.
    for kind in spec["institutions"]["kinds"]:
        if kind not in set(ours["kind"]):
            missing("institutions", kind, f"the name of {name}'s {kind.replace('_', ' ')}, or a source stating "
                    "it has none", _no_row("institutions", "a body of this kind or its absence"))
    ours = ours[~stated_absent(ours)]
    hotlines = ours[ours["kind"] == "hotline"]
    if spec["institutions"]["hotline_inhope"] and len(hotlines):
        member = set(hotlines["inhope_member"].dropna().astype(str))
        what = f"the INHOPE membership (yes or no) of {name}'s hotline"
        if not member:
            missing("institutions", "hotline inhope_member", what, "the hotline rows leave INHOPE membership empty")
        elif member == {"yes", "no"}:
            missing("institutions", "hotline inhope_member", what, DISAGREE)
        elif member == {"yes"} and not hotlines["inhope_since"].map(_year).ne("").any():
            missing("institutions", "hotline inhope_since", f"the year {name}'s hotline joined INHOPE", NO_DATE)

    # National strategies and action plans: at least one on record (the country brief lists them).
    if spec.get("strategies"):
        strategies = _table(tables, "strategies", ["country_iso2"])
        if iso not in set(strategies["country_iso2"]):
            missing("strategies", "strategy", f"{name}'s national strategies or action plans (title, years, "
                    "whether they address children online)", _no_row("strategies", "a strategy or action plan"))

    # Statistics declared per country and year.
    stats = _table(tables, "statistics", ["scope", "country_iso2", "indicator", "year"])
    for stat in spec["statistics"]:
        if stat["scope"] == "country":
            rows += [dict(r, country_iso2=iso) for r in
                     _missing_stat(stats[stats["country_iso2"] == iso], stat, f"for {name}")]

    # The scorecard: every indicator for every comparison country.
    if spec.get("scorecard"):
        card = _table(tables, "scorecard", ["country_iso2", "indicator", "value", "source_ids"])
        mine = card[card["country_iso2"] == iso].set_index("indicator")
        for indicator in dict.fromkeys(card["indicator"]):
            value = mine["value"].get(indicator) if indicator in mine.index else None
            if pd.notna(value) and str(value).strip():
                continue
            read = mine["source_ids"].get(indicator) if indicator in mine.index else None
            tried = (f"no value can be coded from the rows read ({str(read).replace(';', ', ')})"
                     if pd.notna(read) and str(read).strip() else f"{NO_ROW} in the tables this indicator reads")
            missing("scorecard", indicator, f"{name}'s scorecard value for '{labels.get(indicator, indicator)}'",
                    tried)
    return rows


def _missing_stat(stats: pd.DataFrame, stat: dict, where: str) -> list[dict]:
    """The declared years of one statistic that have no preferred value."""
    rows = []
    of = stats[stats["indicator"] == stat["indicator"]]
    years = of["year"].map(_year)
    chosen = set(_chosen(of)["year"].map(_year))
    for year in stat["years"]:
        if str(year) in chosen:
            continue
        if (years == str(year)).any():
            tried = DISAGREE
        elif (years == "").any():
            tried = "rows without a year"
        elif len(of):
            tried = "rows for other years only"
        else:
            tried = _no_row("statistics", "this figure")
        rows.append(_row("statistics", None, f"{stat['indicator']} {year}", f"{stat['label']} {where} in {year}",
                         tried))
    return rows


def _missing_global(tables: dict, spec: dict) -> list[dict]:
    stats = _table(tables, "statistics", ["scope", "country_iso2", "indicator", "year"])
    world = stats[stats["scope"] == "global"]
    rows = []
    for stat in spec["statistics"]:
        if stat["scope"] == "global":
            rows += _missing_stat(world, stat, "worldwide")
    return rows


def _as_of(value: object):
    """The last day an as-of cell can mean (a year means its 31 December), or None."""
    from tomas_pipeline.core.errors import ParseError
    from tomas_pipeline.sources.dates import parse_date

    text = _year(value)
    if not text:
        return None
    try:
        return parse_date(text).latest()
    except (ParseError, ValueError, TypeError):
        return None


def _older(as_of: dt.date, day: dt.date, years: int) -> bool:
    try:
        limit = as_of.replace(year=as_of.year + years)
    except ValueError:  # 29 February
        limit = as_of.replace(year=as_of.year + years, day=28)
    return limit < day


def outdated(tables: dict, names: dict, compared: set, day: dt.date, years: int, spec: dict) -> list[dict]:
    """Facts whose text or figure is older than `years` at `day`: checks to make, not errors.

    Code texts (provision versions) and legal features by their `as_of`; a statistic declared `yearly`
    by the newest year on record for its series. Treaty actions are not aged: a consent stays in force until the
    depositary records a denunciation, so an old ratification is not an old text."""
    kind, rows = _check_kind(years), []
    penalties = _chosen(_table(tables, "penalties", ["country_iso2", "provision", "code", "article", "as_of",
                                                     "source_id"]))
    versions = penalties.drop_duplicates(["provision", "as_of"]).sort_values(["country_iso2", "provision"])
    for _, r in versions.iterrows():
        when = _as_of(r["as_of"])
        if r["country_iso2"] in compared and when and _older(when, day, years):
            place = f"art. {r['article']} of the " if pd.notna(r["article"]) and str(r["article"]) else "the "
            rows.append(_row("penalties", r["country_iso2"], str(r["provision"]),
                             f"the current text of {place}{r['code']} "
                             f"({names.get(r['country_iso2'], r['country_iso2'])}), to set beside the "
                             f"{_year(r['as_of'])} version on record",
                             f"newest version on record: {_year(r['as_of'])} ({r['source_id']})", kind))
    features = _chosen(_table(tables, "legal_features", ["country_iso2", "feature", "as_of", "source_id"]))
    for _, r in features.sort_values(["country_iso2", "feature"]).iterrows():
        when = _as_of(r["as_of"])
        if r["country_iso2"] in compared and when and _older(when, day, years):
            name = names.get(r["country_iso2"], r["country_iso2"])
            rows.append(_row("legal_features", r["country_iso2"], str(r["feature"]),
                             f"a statement of {name}'s law on '{str(r['feature']).replace('_', ' ')}' newer than "
                             f"the one of {_year(r['as_of'])}", f"stated as of {_year(r['as_of'])} ({r['source_id']})",
                             kind))
    # Strategies: a plan is in force for its period, so a country whose newest period on record ended
    # before the build's year still counts on the scorecard (the data says what was adopted) but is a
    # check to make: a newer plan may exist that no source here records.
    plans = _table(tables, "strategies", ["country_iso2", "title", "end_year", "source_id"])
    plans = plans.assign(_end=plans["end_year"].map(_year))
    for country, mine in plans[plans["_end"] != ""].groupby("country_iso2", sort=True):
        code = str(country)
        if code not in compared or (plans["country_iso2"].eq(code) & (plans["_end"] == "")).any():
            continue  # a plan with no end year on record may still be in force
        latest = mine.sort_values(["_end", "title"], kind="stable").iloc[-1]
        if int(latest["_end"]) < day.year:
            rows.append(_row("strategies", code, "strategy",
                             f"a national strategy or action plan of {names.get(code, code)} in force after "
                             f"{latest['_end']}",
                             f"newest period on record ended in {latest['_end']} ({latest['source_id']})",
                             ENDED))
    # Statistics: only a declared yearly series ages (a strategy's adoption year or one edition's rank
    # does not); its newest year on record is checked.
    series_of = {s["indicator"]: s["label"] for s in spec["statistics"] if s.get("yearly")}
    stats = _chosen(_table(tables, "statistics", ["scope", "area", "country_iso2", "indicator", "year",
                                                  "source_id"]))
    stats = stats.assign(_y=stats["year"].map(_year))
    stats = stats[(stats["_y"] != "") & stats["indicator"].isin(series_of)]
    stats = stats[stats["country_iso2"].isin(compared) | (stats["scope"] != "country")]
    series = ["scope", "area", "country_iso2", "indicator"]
    newest = stats.sort_values("_y", kind="stable").drop_duplicates(series, keep="last")
    for _, r in newest.sort_values(series, na_position="first").iterrows():
        when = _as_of(r["_y"])
        if when and _older(when, day, years):
            iso = r["country_iso2"] if pd.notna(r["country_iso2"]) and str(r["country_iso2"]) else None
            place = names.get(iso, iso) if iso else str(r["area"])
            rows.append(_row("statistics", iso, f"{r['indicator']} {r['_y']}",
                             f"{series_of[r['indicator']]} for {place} for a year after {r['_y']}",
                             f"newest year on record: {r['_y']} ({r['source_id']})", kind))
    return rows
