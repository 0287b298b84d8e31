"""Helpers the report's code cells use to show processed data safely.

Everything shown comes from ``data/processed/`` (or the figures folder) and
passes through ``escape`` first: a law title that contains markup appears
as text, never as HTML.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from tomas_pipeline.io import read_processed

MISSING = "—"  # shown for a value no source gives; never 0 or "no"


def processed_dir() -> Path:
    # Cells run with report/ as working directory, as Quarto runs them.
    return Path(os.environ.get("TOMAS_PROCESSED_DIR", "../data/processed"))


def figures_dir() -> Path:
    return Path(os.environ.get("TOMAS_FIGURES_DIR", "figures"))


@lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    return read_processed(processed_dir() / f"{name}.csv")


def table(name: str) -> pd.DataFrame:
    """A processed table by name (a fresh copy each time)."""
    return _load(name).copy()


def preferred(name: str) -> pd.DataFrame:
    frame = table(name)
    return frame[frame["preferred"].astype(bool)] if "preferred" in frame.columns else frame


def countries(focus_only: bool = True) -> pd.DataFrame:
    frame = table("countries")
    frame = frame[frame["focus"].astype(bool)] if focus_only else frame[frame["comparison"].astype(bool)]
    return frame.sort_values("order")


def country_name(iso2: str) -> str:
    return str(table("countries").set_index("iso2").at[iso2, "name"])


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|@$~^])")


def escape(value: object) -> str:
    """Text safe to put in Pandoc markdown: no markup, no citation, no raw HTML."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


def code(value: object) -> str:
    """Inline code: nothing inside is markup, so nothing is escaped; backticks are dropped."""
    return "`" + str(value).replace("`", "") + "`"


def fmt_number(value: object, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return MISSING
    return f"{float(value):,.{digits}f}"


def fmt_years(months: object) -> str:
    """Months -> '5 years', '6 months', '1.5 years'."""
    if months is None or pd.isna(months):
        return MISSING
    months = float(months)
    if months < 12:
        return f"{months:g} months"
    years = months / 12
    return f"{years:g} year" + ("" if years == 1 else "s")


def md_table(frame: pd.DataFrame, columns: dict[str, str] | None = None, raw: tuple[str, ...] = ()) -> str:
    """A pipe table with every cell escaped (columns named in ``raw`` are trusted markdown)."""
    frame = frame.copy()
    if columns:
        frame = frame[list(columns)].rename(columns=columns)
    header = [escape(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([" --- "] * len(header)) + "|"]
    raw_names = {columns.get(c, c) if columns else c for c in raw}
    for _, row in frame.iterrows():
        cells = [str(v) if c in raw_names and isinstance(v, str) else escape(v) for c, v in row.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def cite(source_ids: object) -> str:
    """Source ids ('a;b') -> a Pandoc citation '[@a; @b]'."""
    if source_ids is None or (not isinstance(source_ids, str) and pd.isna(source_ids)):
        return ""
    ids = [s.strip() for s in str(source_ids).split(";") if s.strip()]
    return "[" + "; ".join("@" + s for s in ids) + "]" if ids else ""


def provenance_note(stem: str | Path) -> str:
    """A one-paragraph note under a figure or table: inputs, hashes, code, sources."""
    path = Path(stem)
    if not path.suffix:
        path = figures_dir() / f"{stem}.provenance.json"
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    inputs = ", ".join(f"{code(Path(i['path']).name)} (sha256 {i['sha256'][:10]})" for i in record["inputs"])
    sources = "; ".join("@" + s for s in record["sources"])
    note = f"*Provenance:* made by {code(record['code'])} from {inputs}"
    if sources:
        note += f"; sources [{sources}]"
    return "::: {.provenance}\n" + note + ".\n:::\n"


def figure_path(stem: str, fmt: str = "svg") -> Path:
    return figures_dir() / f"{stem}.{fmt}"


class _FigureBundle:
    """SVG and PNG of one figure; the renderer picks what each format needs."""

    def __init__(self, stem: str):
        self.stem = stem

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "image/svg+xml": figure_path(self.stem, "svg").read_text(encoding="utf-8"),
            "image/png": figure_path(self.stem, "png").read_bytes(),
        }


def show_figure(stem: str):
    """Display a figure the figures stage made (use in a ``fig-`` labelled cell)."""
    from IPython.display import display

    display(_FigureBundle(stem))


# --- Helpers for the report's prose (chapters and appendices) -------------------
#
# Inline expressions put their value into the markdown as it is, so everything
# below returns text that is already escaped. A value no source gives is "—"
# (MISSING); a table or figure that this build has not made yet is shown as
# NOT_AVAILABLE instead of breaking the render.

NOT_AVAILABLE = "not available in this build"
NO_SOURCE = "no source gives this yet"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def quote(text: object) -> str:
    """A quotation (a law's own wording, a source's term), escaped and marked ``{.quote}``.

    The terminology check skips text inside these spans; data-driven values
    such as ``penalties.term_used`` go through here.
    """
    if _missing(text):
        return MISSING
    return "[" + escape(text) + "]{.quote}"


def law_title(text: object) -> str:
    """The official title of a law or treaty, escaped and marked ``{.law-title}``."""
    if _missing(text):
        return MISSING
    return "[" + escape(text) + "]{.law-title}"


def available(name: str) -> bool:
    """Whether this build has made the processed table ``name``."""
    return (processed_dir() / f"{name}.csv").is_file()


def table_or_none(name: str) -> pd.DataFrame | None:
    return table(name) if available(name) else None


def not_available(what: str = "This table") -> str:
    return f"*{escape(what)}: {NOT_AVAILABLE}.*"


def guarded(name: str | tuple[str, ...], make, what: str = "This table") -> str:
    """Markdown made by ``make(frame, ...)`` from processed tables, or a note when one is missing.

    Used in ``tbl-`` cells so that a table another stage has not made yet (or
    whose columns changed) shows as "not available in this build", keeping the
    table's number and caption, instead of stopping the render.
    """
    names = (name,) if isinstance(name, str) else tuple(name)
    missing = [n for n in names if not available(n)]
    if missing:
        return _note_table(f"{what}: {NOT_AVAILABLE} ({', '.join(n + '.csv' for n in missing)} missing)")
    try:
        return make(*(table(n) for n in names))
    except KeyError as exc:  # a column renamed by the stage that makes the table
        return _note_table(f"{what}: {NOT_AVAILABLE} (column {exc} missing)")


def _note_table(text: str) -> str:
    return "| Note |\n| --- |\n| " + escape(text) + " |\n"


def provenance_or_note(stem: str | Path) -> str:
    """``provenance_note`` when the provenance record exists, else a short note."""
    path = Path(stem)
    if not path.suffix:
        path = figures_dir() / f"{stem}.provenance.json"
    if not path.is_file():
        return "::: {.provenance}\n*Provenance: " + NOT_AVAILABLE + ".*\n:::\n"
    return provenance_note(path)


def table_provenance(name: str) -> str:
    """The provenance note of a processed metric table (``<name>.provenance.json``)."""
    return provenance_or_note(processed_dir() / f"{name}.provenance.json")


# A placeholder drawn when a figure file does not exist yet: the figure keeps
# its number and caption, and the text says it is not available.
_PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="60" viewBox="0 0 480 60">'
    '<rect x="1" y="1" width="478" height="58" fill="none" stroke="#767676"/>'
    '<text x="240" y="35" font-family="sans-serif" font-size="14" text-anchor="middle" fill="#333333">'
    "Figure not available in this build</text></svg>"
)


def _placeholder_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"\x00\xff\xff\xff"  # one white pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class _Placeholder:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": _PLACEHOLDER_SVG, "image/png": _placeholder_png()}


def figure_available(stem: str) -> bool:
    return figure_path(stem, "svg").is_file() and figure_path(stem, "png").is_file()


def show_figure_or_placeholder(stem: str):
    """``show_figure`` when the figures stage has made ``stem``, else a placeholder image."""
    from IPython.display import display

    display(_FigureBundle(stem) if figure_available(stem) else _Placeholder())


# --- Values for inline expressions ------------------------------------------------

def fmt_int(value: object) -> str:
    """A count with thousands separators ('26,718'); '—' when missing."""
    if _missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def fmt_date(value: object) -> str:
    """An ISO date of any precision as prose: '20 June 2002', 'August 2002', '2009'."""
    if _missing(value):
        return MISSING
    text = str(value).strip()
    if text.endswith(".0"):  # a year read as a float
        text = text[:-2]
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return escape(text)
    return escape(text)


def year_of(value: object) -> str:
    if _missing(value):
        return MISSING
    return escape(str(value).strip()[:4])


def fmt_range(min_months: object, max_months: object, life: object = False) -> str:
    """A statutory range in prose: 'from 3 years to 10 years', 'at least 5 years', 'up to 3 years'."""
    low = None if _missing(min_months) else fmt_years(min_months)
    high = "life imprisonment" if (not _missing(life) and bool(life)) else (
        None if _missing(max_months) else fmt_years(max_months))
    if low and high:
        if low == high:
            return low
        unit = high.split(" ")[-1]
        if low.split(" ")[-1].rstrip("s") == unit.rstrip("s") and not high.startswith("life"):
            return f"{low.split(' ')[0]} to {high}"  # '3 to 10 years'
        return f"{low} to {high}"
    if low:
        return f"at least {low}"
    if high:
        return f"up to {high}"
    return MISSING


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
    values = rows["out_of"].dropna() if "out_of" in rows.columns else []
    return fmt_int(values.iloc[0]) if len(values) else MISSING


def stat_cite(indicator: str, country: str | None = None, area: str | None = None, extra: str = "") -> str:
    """The citation of every preferred source of a statistic, plus ``extra`` ids: '[@a; @b]'."""
    rows = _stat_rows(indicator, country, None, area)
    ids = sorted(set(rows["source_id"].dropna()))
    ids += [i for i in extra.split(";") if i and i not in ids]
    return cite(";".join(ids))


def stat_words(indicator: str, country: str | None = None, year: object = None, area: str | None = None) -> str:
    """A small whole number as a word ('eight'), larger ones as digits; '—' when missing."""
    value = stat_value(indicator, country, year, area)
    if _missing(value):
        return MISSING
    number = float(value)
    return count_words(int(number)) if number.is_integer() and 0 < number <= 10 else fmt_int(number)


def ordinal(value: object) -> str:
    if _missing(value):
        return MISSING
    n = int(round(float(value)))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def treaty(iso2: str, instrument: str) -> pd.Series | None:
    """One row of the ratification table (status, signature and binding dates)."""
    frame = table("ratification")
    rows = frame[(frame["country_iso2"] == iso2) & (frame["instrument"] == instrument)]
    return None if rows.empty else rows.iloc[0]


def treaty_date(iso2: str, instrument: str, which: str = "bound") -> str:
    """'20 June 2002' for which='bound' (ratification, accession, succession) or 'signature'."""
    row = treaty(iso2, instrument)
    if row is None:
        return MISSING
    return fmt_date(row["bound_date" if which == "bound" else "signature_date"])


def treaty_cite(iso2: str, instrument: str) -> str:
    row = treaty(iso2, instrument)
    return "" if row is None else cite(row["source_ids"])


def action_value(iso2: str, instrument: str, action: str, source_id: str | None = None) -> str:
    """A date as one source gives it (from treaty_actions), e.g. what the paper says."""
    frame = table("treaty_actions")
    rows = frame[(frame["country_iso2"] == iso2) & (frame["instrument"] == instrument) & (frame["action"] == action)]
    if source_id:
        rows = rows[rows["source_id"] == source_id]
    else:
        rows = rows[rows["preferred"].astype(bool)]
    return MISSING if rows.empty else fmt_date(rows.iloc[0]["date"])


def instrument_field(instrument: str, field: str) -> str:
    frame = table("instruments").set_index("instrument_id")
    if instrument not in frame.index:
        return MISSING
    value = frame.at[instrument, field]
    return fmt_date(value) if field in ("opened", "in_force") else escape(value)


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


def penalty_cite(iso2: str, offence: str, source_id: str | None = None) -> str:
    row = penalty_row(iso2, offence, source_id=source_id)
    return "" if row is None else cite(row["source_id"])


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


def _conflict_value(field: str, value: object) -> str:
    if field == "date":
        return fmt_date(value)
    if field.endswith("_months"):
        return fmt_years(value)
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
    if table_name == "penalties":
        labels = table("offences").set_index("offence")["label"].to_dict()
        return f"the penalty for {labels.get(parts[0], parts[0]).lower()}"
    return str(key).replace("_", " ")


def _side(rows: pd.DataFrame, value_col: str, source_col: str) -> str:
    fields = dict(zip(rows["field"].astype(str), rows[value_col]))
    if "min_months" in fields or "max_months" in fields:
        text = fmt_range(fields.get("min_months"), fields.get("max_months"))
    else:
        text = ", ".join(_conflict_value(f, v) for f, v in fields.items())
    return f"{text} {cite(';'.join(sorted(set(rows[source_col].dropna()))))}"


def conflict_sentences(table_name: str | None = None, iso2: str | None = None, key: str | None = None) -> str:
    """One sentence per disputed fact: what each source says and which value the report follows, and why."""
    frame = conflicts(table_name, iso2, key)
    out = []
    for (tbl, iso, fact, other_src), rows in frame.groupby(
            ["table", "country_iso2", "key", "other_source"], sort=False, dropna=False):
        who = "the region" if _missing(iso) else country_name(iso)
        rule = "; ".join(dict.fromkeys(str(r) for r in rows["rule"]))
        other, chosen = _side(rows, "other_value", "other_source"), _side(rows, "chosen_value", "chosen_source")
        if tbl == "penalties" and not _missing(iso):
            # Show each source's whole statutory range, not only the fields that differ.
            offence = str(fact).split("/")[0].strip()
            chosen_src = ";".join(sorted(set(rows["chosen_source"].dropna())))
            other = f"{penalty(iso, offence, source_id=str(other_src))} {cite(other_src)}"
            chosen = f"{penalty(iso, offence, source_id=chosen_src)} {cite(chosen_src)}"
        out.append(
            f"For {escape(who)}, {escape(_fact_words(str(tbl), str(fact)))} is "
            f"{other} in one source and {chosen} in another; the report uses the latter "
            f"({escape(rule)})."
        )
    return " ".join(out)


def names(iso2s) -> str:
    """'Serbia, Albania and North Macedonia'."""
    items = [escape(country_name(c)) for c in iso2s]
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def count_words(n: int) -> str:
    """Small counts as words for prose ('three'), larger as digits."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def figure_description(stem: str) -> str:
    """The figure's full text description (its ``.alt.txt``, with the values), as a small paragraph."""
    path = figures_dir() / f"{stem}.alt.txt"
    if not path.is_file():
        return ""
    return "::: {.figure-description}\n*Description:* " + escape(path.read_text(encoding="utf-8").strip()) + "\n:::\n"


# --- Tables the chapters show (each takes the processed frame(s), returns markdown) ---

def method_path() -> Path:
    return Path(os.environ.get("TOMAS_METHOD_FILE", "../config/indicators.yaml"))


def indicator_labels() -> dict[str, str]:
    """Indicator id -> label from the method file ({} when the method file is not there yet)."""
    try:
        from tomas_pipeline.metrics import load_indicators

        return {ind["id"]: ind["label"] for ind in load_indicators(method_path())}
    except (ImportError, FileNotFoundError, OSError):
        return {}


def _iso_columns(frame: pd.DataFrame, comparison: bool = True) -> list[str]:
    order = list(countries(focus_only=not comparison)["iso2"])
    present = set(frame["country_iso2"].dropna())
    return [c for c in order if c in present]


def pivot_by_country(frame: pd.DataFrame, value: str = "value", row: str = "indicator",
                     labels: dict[str, str] | None = None, fmt=None, comparison: bool = True) -> str:
    """Rows = indicators (in the table's order), columns = countries; cells escaped, missing as '—'."""
    if "level" in frame.columns:
        frame = frame[frame["level"].fillna("country") == "country"]
    isos = _iso_columns(frame, comparison)
    rows = list(dict.fromkeys(frame[row]))
    lookup = {(r[row], r["country_iso2"]): r[value] for _, r in frame.iterrows()}
    # ``fmt`` returns markdown (escaped text, or a marked span such as quote()); the default escapes.
    out = pd.DataFrame({
        "Indicator": [(labels or {}).get(r, str(r).replace("_", " ")) for r in rows],
        **{country_name(c): [(fmt or (lambda v: MISSING if _missing(v) else escape(v)))(lookup.get((r, c)))
                             for r in rows] for c in isos},
    })
    return md_table(out, raw=tuple(country_name(c) for c in isos))


def units_table(institutions: pd.DataFrame) -> str:
    kinds = {"police_unit": "police", "prosecution_unit": "prosecution", "court_unit": "court"}
    rows = institutions[institutions["kind"].isin(kinds)].copy()
    rows = rows.sort_values(["country_iso2", "kind", "name"], key=lambda s: s.map(
        {c: i for i, c in enumerate(countries(False)["iso2"])}) if s.name == "country_iso2" else s)
    view = rows.assign(country=rows["country_iso2"].map(country_name), kind=rows["kind"].map(kinds),
                       sources=rows["source_id"].map(cite))
    return md_table(view, {"country": "Country", "kind": "Type", "name": "Body", "parent": "Part of",
                           "sources": "Source"}, raw=("sources",))


def parity_table(parity: pd.DataFrame) -> str:
    rows = parity[parity["level"].fillna("country") == "country"]
    out = []
    for iso in _iso_columns(rows):
        mine = rows[rows["country_iso2"] == iso].set_index("indicator")
        get = lambda ind, col: mine.at[ind, col] if ind in mine.index else None  # noqa: E731
        out.append({
            "Country": country_name(iso),
            "Producing, minimum": fmt_years(get("parity_min_ratio", "producing_months")),
            "Trafficking, minimum": fmt_years(get("parity_min_ratio", "trafficking_months")),
            "Ratio of minima": fmt_number(get("parity_min_ratio", "ratio"), 2),
            "Producing, maximum": fmt_years(get("parity_max_ratio", "producing_months")),
            "Trafficking, maximum": fmt_years(get("parity_max_ratio", "trafficking_months")),
            "Ratio of maxima": fmt_number(get("parity_max_ratio", "ratio"), 2),
            "Sources": cite(";".join(sorted({s for s in mine["source_ids"].dropna() for s in str(s).split(";")}))),
        })
    return md_table(pd.DataFrame(out), raw=("Sources",))


def _iso_list(value: object) -> str:
    if _missing(value):
        return MISSING
    return ", ".join(country_name(c) for c in str(value).split(";") if c)


def uniformity_table(uniformity: pd.DataFrame) -> str:
    labels = table("offences").set_index("offence")["label"].to_dict()
    view = uniformity.assign(
        offence_label=uniformity["offence"].map(lambda o: labels.get(o, o)),
        with_data=uniformity["countries"].map(_iso_list),
        without=uniformity["countries_missing"].map(_iso_list),
        low=uniformity["min_months"].map(fmt_years),
        high=uniformity["max_months"].map(fmt_years),
        cv_text=uniformity["cv"].map(lambda v: fmt_number(v, 2)),
        sources=uniformity["source_ids"].map(cite),
    )
    return md_table(view, {"offence_label": "Offence", "with_data": "Countries on record", "low": "Lowest maximum",
                           "high": "Highest maximum", "cv_text": "Coefficient of variation",
                           "without": "No penalty on record", "sources": "Sources"}, raw=("sources",))


def floors_table(offences: pd.DataFrame) -> str:
    view = offences[offences["directive_article"].notna() | offences["lanzarote_article"].notna()]
    view = view.assign(floor=view["floor_max_months"].map(
        lambda v: "at least " + fmt_years(v) if not _missing(v) else MISSING),
        sources=view["source_id"].map(cite))
    return md_table(view, {"label": "Offence", "lanzarote_article": "Lanzarote article",
                           "directive_article": "Directive article", "floor": "Floor for the maximum penalty",
                           "sources": "Source"}, raw=("sources",))


def _yes_no(value: object) -> str:
    return MISSING if _missing(value) else escape(value)


def criminalisation_table(crim: pd.DataFrame) -> str:
    def cell(row):
        if _missing(row["value"]):
            return MISSING
        art = "" if _missing(row.get("article")) else f" (Art. {escape(row['article'])})"
        return escape(row["value"]) + art
    crim = crim.assign(shown=crim.apply(cell, axis=1))
    return pivot_by_country(crim, "shown", labels=indicator_labels(), fmt=lambda v: MISSING if v is None else v)


def alignment_table(alignment: pd.DataFrame) -> str:
    def cell(row):
        if _missing(row["max_months"]) and not bool(row.get("life") is True):
            return MISSING
        text = fmt_years(row["max_months"])
        if _missing(row["floor_max_months"]):
            return text + " (no floor)"
        if _missing(row["meets_floor"]):
            return text
        return text + (" — meets" if str(row["meets_floor"]) in ("True", "true", "1") else " — below")
    alignment = alignment.assign(shown=alignment.apply(cell, axis=1))
    return pivot_by_country(alignment, "shown", labels=indicator_labels(), fmt=lambda v: MISSING if v is None else v)


def score_table(frame: pd.DataFrame) -> str:
    """Any family table as indicator x country of its coded value."""
    return pivot_by_country(frame, "value", labels=indicator_labels(),
                            fmt=lambda v: MISSING if _missing(v) else escape(v))


def terminology_use_table(frame: pd.DataFrame) -> str:
    def cell(row):
        if _missing(row.get("terms")):
            return MISSING
        return quote(row["terms"])
    frame = frame.assign(shown=frame.apply(cell, axis=1))
    return pivot_by_country(frame, "shown", labels={"term_pornography": "Term the law uses"},
                            fmt=lambda v: MISSING if v is None else v)


def scorecard_summary(scorecard: pd.DataFrame) -> str:
    """Per country: indicators met, partly met, not met, without data, not applicable."""
    out = []
    for iso in _iso_columns(scorecard):
        mine = scorecard[scorecard["country_iso2"] == iso]
        score = pd.to_numeric(mine["score"], errors="coerce")
        na = mine["value"].astype(str).eq("not applicable")
        out.append({
            "Country": country_name(iso),
            "Met": int((score >= 1).sum()),
            "Partly met": int(((score > 0) & (score < 1)).sum()),
            "Not met": int((score == 0).sum()),
            "No data": int((score.isna() & ~na).sum()),
            "Not applicable": int(na.sum()),
        })
    return md_table(pd.DataFrame(out))


def tracker_table(tracker: pd.DataFrame) -> str:
    isos = _iso_columns(tracker)
    out = []
    for (rec, title), rows in tracker.groupby(["recommendation", "title"], sort=False):
        status = dict(zip(rows["country_iso2"], rows["status"]))
        out.append({"Recommendation": quote(title) if re.search(r"pornograph", str(title), re.I) else escape(title),
                    **{country_name(c): escape(status.get(c, MISSING)) for c in isos}})
    frame = pd.DataFrame(out)
    return md_table(frame, raw=tuple(frame.columns))


def laws_table(laws: pd.DataFrame, iso2: str) -> str:
    rows = laws[laws["country_iso2"] == iso2]
    view = rows.assign(title=rows["law"].map(law_title), year_text=rows["year"].map(year_of),
                       online=rows["covers_online"].map(_yes_no), sources=rows["source_id"].map(cite))
    return md_table(view, {"title": "Law", "year_text": "Year", "kind": "Field", "online": "Covers the online environment",
                           "sources": "Source"}, raw=("title", "sources"))


def strategies_table(strategies: pd.DataFrame, iso2s) -> str:
    rows = strategies[strategies["country_iso2"].isin(list(iso2s))]
    view = rows.assign(country=rows["country_iso2"].map(country_name), title_md=rows["title"].map(law_title),
                       period=[f"{year_of(a)}–{year_of(b)}" for a, b in zip(rows["start_year"], rows["end_year"])],
                       children=rows["addresses_children_online"].map(_yes_no), sources=rows["source_id"].map(cite))
    return md_table(view, {"country": "Country", "title_md": "Strategy", "period": "Period", "field": "Field",
                           "children": "Addresses children online", "sources": "Source"},
                    raw=("title_md", "sources"))


def civil_society_table(institutions: pd.DataFrame) -> str:
    rows = institutions[institutions["kind"].isin(["hotline", "ecpat_member"])]
    order = {c: i for i, c in enumerate(countries(False)["iso2"])}
    rows = rows.assign(_o=rows["country_iso2"].map(order)).sort_values(["_o", "kind", "name"])
    view = rows.assign(country=rows["country_iso2"].map(country_name),
                       kind_text=rows["kind"].map({"hotline": "hotline", "ecpat_member": "ECPAT member"}),
                       since=[fmt_date(e) if _missing(s) else year_of(s)
                              for e, s in zip(rows["established"], rows["inhope_since"])],
                       inhope=rows["inhope_member"].map(_yes_no), sources=rows["source_id"].map(cite))
    return md_table(view, {"country": "Country", "kind_text": "Type", "name": "Name",
                           "inhope": "INHOPE member", "since": "Since (INHOPE or ECPAT membership, or founding)",
                           "sources": "Source"}, raw=("sources",))


def hotline_fact(iso2: str, field: str) -> object:
    """The first non-missing value of a hotline field for a country, preferring primary sources."""
    rows = table("institutions")
    rows = rows[(rows["country_iso2"] == iso2) & (rows["kind"] == "hotline")]
    rows = rows.sort_values("source_kind", key=lambda s: s.map({"primary": 0}).fillna(1))
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


def sources_table(sources: pd.DataFrame) -> str:
    view = sources.sort_values("source_id")
    view = view.assign(key=view["source_id"].map(lambda s: "@" + s if re.fullmatch(r"[a-z0-9_]+", str(s)) else escape(s)),
                       year_text=view["year"].map(year_of),
                       accessed_text=view["accessed"].map(lambda v: MISSING if _missing(v) else escape(v)))
    return md_table(view, {"source_id": "Id", "key": "Reference", "kind": "Kind", "accessed_text": "Accessed"},
                    raw=("key",))


def conflicts_table(conflicts_frame: pd.DataFrame) -> str:
    if conflicts_frame.empty:
        return _note_table("No two sources disagree in this build.")
    view = conflicts_frame.assign(
        country=conflicts_frame["country_iso2"].map(lambda c: MISSING if _missing(c) else country_name(c)),
        chosen=[f"{_conflict_value(str(f), v)} {cite(s)}" for f, v, s in
                zip(conflicts_frame["field"], conflicts_frame["chosen_value"], conflicts_frame["chosen_source"])],
        other=[f"{_conflict_value(str(f), v)} {cite(s)}" for f, v, s in
               zip(conflicts_frame["field"], conflicts_frame["other_value"], conflicts_frame["other_source"])],
        field_text=conflicts_frame["field"].map(lambda f: str(f).replace("_", " ")),
    )
    return md_table(view, {"table": "Table", "country": "Country", "key": "Fact", "field_text": "Field",
                           "chosen": "Report uses", "other": "Other source says", "rule": "Why"},
                    raw=("chosen", "other"))


def gaps_table(gaps: pd.DataFrame) -> str:
    if gaps.empty:
        return _note_table("The data has no known gaps in this build.")
    order = {c: i for i, c in enumerate(countries(False)["iso2"])}
    view = gaps.assign(_o=gaps["country_iso2"].map(order)).sort_values(["_o", "table", "key"], kind="stable")
    view = view.assign(country=view["country_iso2"].map(lambda c: MISSING if _missing(c) else country_name(c)))
    return md_table(view, {"country": "Country", "table": "Table", "what": "Missing fact"})


def changes_table(changes: pd.DataFrame) -> str:
    if changes.empty:
        return _note_table("No finding changed since the previous release (or there is no previous release).")
    view = changes.assign(country=changes["country_iso2"].map(lambda c: MISSING if _missing(c) else country_name(c)))
    return md_table(view, {"kind": "Kind", "table": "Table", "country": "Country", "sentence": "Change"})


def changes_note() -> str:
    """The note the changes stage records (what it compared with), escaped."""
    path = processed_dir() / "changes.provenance.json"
    if not path.is_file():
        return ""
    record = json.loads(path.read_text(encoding="utf-8"))
    return escape(record.get("note", "")) if record.get("note") else ""


def method_markdown() -> str:
    """The method appendix's table, from config/indicators.yaml (a note until the method exists)."""
    try:
        from tomas_pipeline.metrics import load_indicators, method_table
    except ImportError:
        return _note_table(f"Method: {NOT_AVAILABLE}")
    if not method_path().is_file():
        return _note_table(f"Method: {NOT_AVAILABLE} (config/indicators.yaml missing)")
    frame = method_table(load_indicators(method_path()))
    return md_table(frame, {"id": "Indicator", "label": "Label", "measures": "What it measures", "scale": "Scale",
                            "score_rule": "Score", "clause": "Standard", "coding_rule": "How it is coded"})


def method_families() -> list[dict]:
    try:
        from tomas_pipeline.metrics import load_method

        return list(load_method(method_path())["families"]) if method_path().is_file() else []
    except (ImportError, FileNotFoundError, OSError):
        return []


def citation_parts(path: str | Path = "../CITATION.cff") -> tuple[str, str] | None:
    """(text citation, BibTeX) from CITATION.cff; None until the citation module and file exist."""
    try:
        from tomas_pipeline.citation import formatted_citation, load_citation, to_bibtex
    except ImportError:
        return None
    if not Path(path).is_file():
        return None
    cff = load_citation(path)
    return formatted_citation(cff), to_bibtex(cff)


def instrument_title(instrument: str) -> str:
    """An instrument's official title from instruments.csv, marked as a title."""
    frame = table("instruments").set_index("instrument_id")
    return law_title(frame.at[instrument, "title"]) if instrument in frame.index else MISSING


def bound_sentence(iso2: str, instrument: str) -> str:
    """'ratified on 14 April 2009 [@src]' / 'no source in the data yet gives its ratification' for one country."""
    row = treaty(iso2, instrument)
    if row is None or _missing(row["status"]):
        return f"no source in the data yet says when (or whether) {escape(country_name(iso2))} became a party"
    if str(row["status"]) == "not applicable":
        return "not applicable"
    verb = {"ratification": "ratified it", "accession": "acceded to it", "succession": "succeeded to it"}.get(
        str(row["bound_action"]), "became a party")
    when = fmt_date(row["bound_date"])
    on = "in" if len(str(row["bound_date"])) <= 7 else "on"
    text = f"{escape(country_name(iso2))} {verb} {on} {when}"
    if not _missing(row["signature_date"]):
        sig = fmt_date(row["signature_date"])
        text = f"{escape(country_name(iso2))} signed it {'in' if len(str(row['signature_date'])) <= 7 else 'on'} {sig} and {verb.split(' ')[0]}{' it' if ' it' in verb else ''} {on} {when}"
    return text + " " + cite(row["source_ids"])
