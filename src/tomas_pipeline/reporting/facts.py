"""Single facts for inline expressions: statistics, treaty dates, penalties and conflicts, each with its citation."""

from __future__ import annotations

from typing import cast

import pandas as pd

from tomas_pipeline.reporting.data import country_name, preferred, table, table_or_none
from tomas_pipeline.reporting.text import (
    MISSING,
    Md,
    cite,
    count_words,
    escape,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_range,
    fmt_years,
    is_missing,
    law_title,
    ordinal,
)
from tomas_pipeline.sources.dates import parse_date
from tomas_pipeline.sources.schemas import stated_absent


def _stat_rows(indicator: str, country: str | None = None, year: object = None, area: str | None = None):
    frame = preferred("statistics")
    rows = frame[frame["indicator"] == indicator]
    if country is not None:
        rows = rows[rows["country_iso2"] == country]
    if area is not None:
        rows = rows[rows["area"] == area]
    if year is not None:
        # A year that is itself missing ("—") matches nothing: the value stays missing.
        wanted = pd.to_numeric(pd.Series([year]), errors="coerce").iloc[0]
        rows = rows[pd.to_numeric(rows["year"], errors="coerce") == wanted] if pd.notna(wanted) else rows.iloc[0:0]
    return rows


def stat_value(indicator: str, country: str | None = None, year: object = None, area: str | None = None):
    """The preferred value of one statistic (None when no source gives it; the latest year if not named)."""
    rows = _stat_rows(indicator, country, year, area)
    if rows.empty:
        return None
    rows = rows.assign(_y=pd.to_numeric(rows["year"], errors="coerce")).sort_values("_y", na_position="first")
    return rows.iloc[-1]["value"]


def stat(indicator: str, country: str | None = None, year: object = None, area: str | None = None,
         digits: int = 0) -> str:
    """One statistic as text ('26,718'), '—' when missing."""
    value = stat_value(indicator, country, year, area)
    return fmt_int(value) if digits == 0 else fmt_number(value, digits)


def stat_year(indicator: str, country: str | None = None, area: str | None = None, which: str = "last") -> str:
    rows = _stat_rows(indicator, country, None, area)
    years = pd.to_numeric(rows["year"], errors="coerce").dropna()
    if years.empty:
        return MISSING
    return str(int(years.max() if which == "last" else years.min()))


def stat_out_of(indicator: str, country: str | None = None) -> str:
    rows = _stat_rows(indicator, country)
    if "out_of" not in rows.columns:
        return MISSING
    values = rows["out_of"].dropna()
    return fmt_int(values.iloc[0]) if len(values) else MISSING


def stat_cite(indicator: str, country: str | None = None, area: str | None = None, extra: str = "") -> Md:
    """The citation of every preferred source of a statistic, plus ``extra`` ids: '[@a; @b]'."""
    rows = _stat_rows(indicator, country, None, area)
    ids = sorted(set(rows["source_id"].dropna()))
    ids += [i for i in extra.split(";") if i and i not in ids]
    return cite(";".join(ids))


def stat_words(indicator: str, country: str | None = None, year: object = None, area: str | None = None) -> str:
    """A small whole number as a word ('eight'), larger ones as digits; '—' when missing."""
    value = stat_value(indicator, country, year, area)
    if is_missing(value):
        return MISSING
    number = float(value)
    return count_words(int(number)) if number.is_integer() and 0 < number <= 10 else fmt_int(number)


def treaty(iso2: str, instrument: str) -> pd.Series | None:
    """One row of the ratification table (status, signature and binding dates)."""
    frame = table("ratification")
    rows = frame[(frame["country_iso2"] == iso2) & (frame["instrument"] == instrument)]
    return None if rows.empty else rows.iloc[0]


def treaty_date(iso2: str, instrument: str, which: str = "bound") -> Md:
    """'20 June 2002' for which='bound' (ratification, accession, succession) or 'signature'."""
    row = treaty(iso2, instrument)
    if row is None:
        return Md(MISSING)
    return fmt_date(row["bound_date" if which == "bound" else "signature_date"])


def treaty_cite(iso2: str, instrument: str) -> Md:
    row = treaty(iso2, instrument)
    return Md("") if row is None else cite(row["source_ids"])


def action_value(iso2: str, instrument: str, action: str, source_id: str | None = None) -> Md:
    """A date as one source gives it (from treaty_actions), e.g. what the paper says."""
    frame = table("treaty_actions")
    rows = frame[(frame["country_iso2"] == iso2) & (frame["instrument"] == instrument) & (frame["action"] == action)]
    if source_id:
        rows = rows[rows["source_id"] == source_id]
    else:
        rows = rows[rows["preferred"].astype(bool)]
    return Md(MISSING) if rows.empty else fmt_date(rows.iloc[0]["date"])


def instrument_field(instrument: str, field: str) -> Md:
    frame = table("instruments").set_index("instrument_id")
    if instrument not in frame.index:
        return Md(MISSING)
    value = frame.at[instrument, field]
    if field == "adopted" and not is_missing(value):
        # The normaliser passes this column through as written (the schema checks it parses).
        value = parse_date(str(value)).iso
    return fmt_date(value) if field in ("adopted", "opened", "in_force") else escape(value)


def penalty_row(iso2: str, offence: str, jurisdiction: str | None = None, source_id: str | None = None):
    frame = table("penalties")
    rows = frame[(frame["country_iso2"] == iso2) & (frame["offence"] == offence)]
    if "form" in rows.columns:
        rows = rows[rows["form"].fillna("basic") == "basic"]
    if jurisdiction is not None:
        rows = rows[rows["jurisdiction"] == jurisdiction]
    rows = rows[rows["source_id"] == source_id] if source_id else rows[rows["preferred"].astype(bool)]
    return None if rows.empty else rows.iloc[0]


def penalty(iso2: str, offence: str, source_id: str | None = None) -> str:
    """The statutory range the report uses for one offence, in prose."""
    row = penalty_row(iso2, offence, source_id=source_id)
    if row is None:
        return MISSING
    return fmt_range(row["min_months"], row["max_months"], row.get("life", False))


def penalty_cite(iso2: str, offence: str, source_id: str | None = None) -> Md:
    row = penalty_row(iso2, offence, source_id=source_id)
    return Md("") if row is None else cite(row["source_id"])


def conflicts(table_name: str | None = None, iso2: str | None = None, key: str | None = None) -> pd.DataFrame:
    """Rows of conflicts.csv (empty when this build has none)."""
    frame = table_or_none("conflicts")
    if frame is None:
        return pd.DataFrame(columns=["table", "country_iso2", "key", "field", "chosen_value", "chosen_source",
                                     "other_value", "other_source", "rule"])
    if table_name:
        frame = frame[frame["table"] == table_name]
    if iso2:
        frame = frame[frame["country_iso2"] == iso2]
    if key:
        frame = frame[frame["key"].astype(str).str.startswith(key)]
    return frame


def conflict_value(field: str, value: object) -> Md:
    if field == "date":
        return fmt_date(value)
    if field.endswith("_months"):
        return Md(fmt_years(cast("float | str | None", value)))  # a *_months value: a number of months
    return escape(value)


_FACT_WORDS = {
    "signature": "signature", "ratification": "ratification", "accession": "accession",
    "succession": "succession", "entry_into_force": "entry into force",
}


def _fact_words(table_name: str, key: str) -> str:
    """'its signature of the Budapest Convention' / 'the penalty for producing' from a conflict key."""
    parts = [p.strip() for p in str(key).split("/")]
    if table_name == "treaty_actions" and len(parts) == 2:
        short = table("instruments").set_index("instrument_id")["short_name"].to_dict().get(parts[0], parts[0])
        return f"the date of its {_FACT_WORDS.get(parts[1], parts[1])} of the {short}"
    if table_name == "institutions" and parts[-1] == "national hotline":
        return "the name of its national hotline"
    if table_name == "penalties":
        labels = table("offences").set_index("offence")["label"].to_dict()
        return f"the penalty for {labels.get(parts[0], parts[0]).lower()}"
    return str(key).replace("_", " ")


def _side(rows: pd.DataFrame, value_col: str, source_col: str) -> Md:
    fields = dict(zip(rows["field"].astype(str), rows[value_col]))
    if "min_months" in fields or "max_months" in fields:
        text = fmt_range(fields.get("min_months"), fields.get("max_months"))
    else:
        text = ", ".join(conflict_value(f, v) for f, v in fields.items())
    return Md(f"{text} {cite(';'.join(sorted(set(rows[source_col].dropna()))))}")


def conflict_sentences(table_name: str | None = None, iso2: str | None = None, key: str | None = None) -> Md:
    """One sentence per disputed fact: what each source says and which value the report follows, and why."""
    frame = conflicts(table_name, iso2, key)
    out = []
    for (tbl, iso, fact, other_src), rows in frame.groupby(
            ["table", "country_iso2", "key", "other_source"], sort=False, dropna=False):
        who = "the region" if is_missing(iso) else country_name(str(iso))
        rule = "; ".join(dict.fromkeys(str(r) for r in rows["rule"]))
        other, chosen = _side(rows, "other_value", "other_source"), _side(rows, "chosen_value", "chosen_source")
        if tbl == "penalties" and not is_missing(iso):
            # Show each source's whole statutory range, not only the fields that differ.
            offence = str(fact).split("/")[0].strip()
            chosen_src = ";".join(sorted(set(rows["chosen_source"].dropna())))
            other = Md(f"{penalty(str(iso), offence, source_id=str(other_src))} {cite(other_src)}")
            chosen = Md(f"{penalty(str(iso), offence, source_id=chosen_src)} {cite(chosen_src)}")
        if rule.startswith("unresolved"):
            # Left open on purpose: both values, neither used.
            out.append(f"For {escape(who)}, {escape(_fact_words(str(tbl), str(fact)))} is {other} in one source "
                       f"and {chosen} in another; no rule settles this, so the report uses neither value.")
            continue
        out.append(
            f"For {escape(who)}, {escape(_fact_words(str(tbl), str(fact)))} is "
            f"{other} in one source and {chosen} in another; the report uses the latter "
            f"({escape(rule)})."
        )
    return Md(" ".join(out))


def hotline_fact(iso2: str, field: str) -> object:
    """The first non-missing value of a hotline field for a country, from the preferred row, then primary
    sources; a row stating that the country has no hotline gives none."""
    rows = table("institutions")
    rows = rows[(rows["country_iso2"] == iso2) & (rows["kind"] == "hotline") & ~stated_absent(rows)]
    # The preferred row first (normalise marks one per country's hotline), then primary sources.
    first = rows["preferred"].astype(str).str.lower().isin(["true", "1"]) if "preferred" in rows else False
    rows = rows.assign(_p=~pd.Series(first, index=rows.index), _k=rows["source_kind"].map({"primary": 0}).fillna(1))
    rows = rows.sort_values(["_p", "_k"], kind="stable")
    values = rows[field].dropna()
    return None if values.empty else values.iloc[0]


def gci(iso2: str, year: int, scope: str = "global") -> str:
    """'80th of 132' / '57th' from the ITU GCI rows."""
    indicator = f"itu_gci_{year}_rank_{scope}"
    value = stat_value(indicator, iso2)
    if value is None:
        return MISSING
    out_of = stat_out_of(indicator, iso2)
    return ordinal(value) + ("" if out_of == MISSING else f" of {out_of}")


def instrument_title(instrument: str) -> Md:
    """An instrument's official title from instruments.csv, marked as a title."""
    frame = table("instruments").set_index("instrument_id")
    return law_title(frame.at[instrument, "title"]) if instrument in frame.index else Md(MISSING)


def bound_sentence(iso2: str, instrument: str) -> Md:
    """'Serbia ratified it on 14 April 2009 [@src]' for one country; without a dated source, a neutral clause
    that neither doubts nor asserts party status (the gaps appendix lists the missing date)."""
    row = treaty(iso2, instrument)
    if row is None or is_missing(row["status"]):
        return Md(f"for {escape(country_name(iso2))} the sources collected give no date (see Appendix D)")
    if str(row["status"]) == "not applicable":
        return Md("not applicable")
    verb = {"ratification": "ratified it", "accession": "acceded to it", "succession": "succeeded to it"}.get(
        str(row["bound_action"]), "became a party")
    when = fmt_date(row["bound_date"])
    on = "in" if len(str(row["bound_date"])) <= 7 else "on"
    text = f"{escape(country_name(iso2))} {verb} {on} {when}"
    if not is_missing(row["signature_date"]):
        sig = fmt_date(row["signature_date"])
        at = "in" if len(str(row["signature_date"])) <= 7 else "on"
        act = verb.split(" ")[0] + (" it" if " it" in verb else "")
        text = f"{escape(country_name(iso2))} signed it {at} {sig} and {act} {on} {when}"
    return Md(text + " " + cite(row["source_ids"]))
