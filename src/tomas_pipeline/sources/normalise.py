"""Raw tables -> tidy processed tables keyed by ISO alpha-2 code and ISO dates.

Each ``normalise_<table>`` reads what it needs from ``data/raw/``, checks it
(schema, foreign keys, parsing) and returns the processed frame. Nothing is
dropped: every raw row is a processed row or an error naming its cell. When
several sources give the same fact, every row stays and ``preferred`` marks
the one the report uses (see ``mark_preferred``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

import pandas as pd

from tomas_pipeline.core.config import line_of
from tomas_pipeline.core.errors import ParseError, TomasInputError, TomasInputErrors, spreadsheet_row
from tomas_pipeline.core.io import exact_number, is_na, read_raw_csv
from tomas_pipeline.sources import provisions
from tomas_pipeline.sources.countries import Register, resolve_column
from tomas_pipeline.sources.dates import PartialDate, parse_date, parse_date_column
from tomas_pipeline.sources.ingest import check_foreign_key, check_source_ids, load_table
from tomas_pipeline.sources.penalties import parse_penalty_column
from tomas_pipeline.sources.schemas import ABSENT_BODY_EMPTY, stated_absent

# statistics.csv: figures for an area, not a country (key: casefolded name).
AREAS = {"world": ("global", "World"), "europe": ("region", "Europe"), "european union": ("region", "European Union"),
         "western balkans": ("region", "Western Balkans")}

PREFERENCE_RULE = (
    "primary sources over secondary ones; then the more precise value "
    "(a full date over a year); then the newer source. Criminal-law penalties follow "
    "provisions.RULE instead, decided per provision version"
)


class Context:
    """The raw folder with the reference tables every normaliser needs, read once."""

    def __init__(self, raw_dir: Path | str, build_date: dt.date | None = None):
        self.raw_dir = Path(raw_dir)
        # Facts dated after the build cannot be true yet; None checks nothing.
        self.build_date = build_date
        self._cache: dict[str, object] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = load_table(self.raw_dir, name)
        return cast(pd.DataFrame, self._cache[name]).copy()  # the cache holds tables and the register

    def path(self, name: str) -> Path:
        return self.raw_dir / name

    @property
    def register(self) -> Register:
        if "register" not in self._cache:
            self._cache["register"] = _load_register(self.raw_dir)
        return cast(Register, self._cache["register"])

    @property
    def sources(self) -> pd.DataFrame:
        return self.table("sources.csv")

    def cited(self, name: str) -> pd.DataFrame:
        """A fact table, checked, with the kind and year of each row's source."""
        frame = self.table(name)
        check_source_ids(frame, self.path(name), self.sources)
        meta = self.sources.set_index("source_id")[["kind", "year"]]
        frame["source_kind"] = frame["source_id"].map(meta["kind"]).astype("string")
        frame["_source_year"] = frame["source_id"].map(meta["year"]).astype("string")
        return frame

    def with_countries(self, frame: pd.DataFrame, name: str, allow_areas: bool = False,
                       date_column: str | None = None) -> pd.DataFrame:
        """Resolve the `country` column to ISO codes (errors name file/row/column).

        `date_column` is the row's date: it decides which state a historical name
        meant then ("Yugoslavia" in 1991 or 1995). With ``allow_areas``,
        World/Europe/Western Balkans rows keep no code and get ``scope`` and
        ``area`` instead.
        """
        frame = frame.copy()
        key = frame["country"].str.casefold().str.strip()
        is_area = key.isin(AREAS) if allow_areas else pd.Series(False, index=frame.index)
        resolved = resolve_column(frame.loc[~is_area], "country", self.path(name), self.register, date_column)
        frame["country_iso2"] = pd.Series(pd.NA, index=frame.index, dtype="string")
        frame["via_predecessor"] = pd.Series(pd.NA, index=frame.index, dtype="string")
        frame.loc[~is_area, "country_iso2"] = resolved["country_iso2"]
        frame.loc[~is_area, "via_predecessor"] = resolved["via_predecessor"]
        if allow_areas:
            frame["scope"] = key.map(lambda k: AREAS[k][0] if k in AREAS else "country")
            frame["area"] = key.map(lambda k: AREAS[k][1] if k in AREAS else pd.NA).astype("string")
        return frame


# Registers already loaded in this process, by the content of their three files
# (pipeline jobs run as threads of one process; a Register is not changed after loading).
_REGISTERS: dict[tuple, Register] = {}


def _load_register(raw_dir: Path) -> Register:
    key = tuple(hashlib.sha256((raw_dir / name).read_bytes()).hexdigest() if (raw_dir / name).exists() else None
                for name in REGISTER_RAW) + (str(raw_dir.resolve()),)
    if key not in _REGISTERS:
        _REGISTERS[key] = Register.load(raw_dir)
    return _REGISTERS[key]


def _parse_columns(frame: pd.DataFrame, path: Path, dates: tuple[str, ...] = (),
                   penalty: str | None = None, not_after: dt.date | None = None) -> pd.DataFrame:
    """Parse date columns (adding `<col>_iso`, `<col>_precision`; none after
    `not_after`) and one penalty column (adding min_months, max_months, life,
    fine); every bad cell of all of them is reported together."""
    errors: list[TomasInputError] = []
    for column in dates:
        try:
            frame = parse_date_column(frame, column, path, not_after)
        except TomasInputErrors as exc:
            errors.extend(exc.errors)
    if penalty:
        try:
            frame = parse_penalty_column(frame, penalty, path)
        except TomasInputErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise TomasInputErrors(errors)
    return frame


def mark_preferred(frame: pd.DataFrame, key: list[str], precision_rank: pd.Series | None = None) -> pd.Series:
    """Pick one row per key by PREFERENCE_RULE; returns a boolean Series."""
    rank = pd.DataFrame(index=frame.index)
    rank["_kind"] = (frame["source_kind"] == "primary").astype(int)
    rank["_precision"] = 0 if precision_rank is None else precision_rank
    rank["_year"] = pd.to_numeric(frame["_source_year"], errors="coerce").fillna(0)
    # Stable tie-break on source id so the choice never depends on row order.
    rank["_sid"] = frame["source_id"]
    order = ["_kind", "_precision", "_year", "_sid"]
    ordered = rank.join(frame[key].astype("string").fillna("")).sort_values(
        key + order, ascending=[True] * len(key) + [False, False, False, True]
    )
    first = ~ordered.duplicated(subset=key, keep="first")
    return first.reindex(frame.index)


def _finish(frame: pd.DataFrame, columns: list[str], sort: list[str]) -> pd.DataFrame:
    out = frame[columns].copy()
    return out.sort_values(sort, kind="mergesort", na_position="first").reset_index(drop=True)


# --- reference tables -------------------------------------------------------


def normalise_countries(ctx: Context, focus: list[str], comparison: list[str]) -> pd.DataFrame:
    """The register as a processed table, with the build's focus and comparison sets."""
    register = ctx.register
    for name in REGISTER_RAW:
        check_source_ids(read_raw_csv(ctx.path(name)), ctx.path(name), ctx.sources)
    focus_iso = [resolve_setting(register, name, "focus_countries", i) for i, name in enumerate(focus)]
    comparison_iso = [resolve_setting(register, name, "comparison_countries", i) for i, name in enumerate(comparison)]
    table = register.countries().copy()
    table["user_assigned"] = table["user_assigned"].map(lambda v: str(v).strip().lower() in ("yes", "true"))
    table["focus"] = table["iso2"].isin(focus_iso)
    table["comparison"] = table["iso2"].isin(set(comparison_iso) | set(focus_iso))
    # Order of focus countries as configured, so the report lists them that way.
    order = {iso: i for i, iso in enumerate(focus_iso + [c for c in comparison_iso if c not in focus_iso])}
    table["order"] = table["iso2"].map(order).astype("Int64")
    return table.sort_values(["order", "iso2"], na_position="last", kind="mergesort").reset_index(drop=True)


def resolve_setting(register: Register, name: str, key: str, index: int | None = None) -> str:
    """A country named in config/config.yaml (item `index` of `key`) -> ISO alpha-2, or a clear error."""
    text = str(name).strip()
    if len(text) == 2 and text.isupper():
        known = set(register.countries()["iso2"])
        if text in known:
            return text
    try:
        return register.resolve(text).iso2
    except ParseError as exc:
        suggestions = getattr(exc, "suggestions", [])
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        path = "config/config.yaml"
        line = line_of(path, [key] if index is None else [key, index])
        raise TomasInputError(path, line, key, name,
                              f"a country name or ISO alpha-2 code the register knows{hint}") from None


def normalise_sources(ctx: Context) -> pd.DataFrame:
    sources = ctx.sources
    check_source_types(sources, ctx.table("source_kinds.csv"), ctx.path("sources.csv"))
    return _finish(sources, list(sources.columns), ["source_id"])


def check_source_types(sources: pd.DataFrame, kinds: pd.DataFrame, path: Path | str) -> None:
    """A source is primary exactly when its type is one source_kinds.csv counts as primary;
    a primary source must say which type it is."""
    check_foreign_key(sources, path, "type", kinds["type"], "source_kinds.csv")
    primary = set(kinds.loc[kinds["primary"] == "yes", "type"])
    errors = []
    for index, row in sources.iterrows():
        kind, typ = row["kind"], row["type"]
        if kind == "primary" and (pd.isna(typ) or typ not in primary):
            errors.append(TomasInputError(path, spreadsheet_row(index), "type", typ,
                                          "for a primary source, one of the primary types in source_kinds.csv: "
                                          + ", ".join(sorted(primary))))
        elif kind == "secondary" and pd.notna(typ) and typ in primary:
            errors.append(TomasInputError(path, spreadsheet_row(index), "kind", kind,
                                          f"primary, as source_kinds.csv counts the type {typ}"))
    if errors:
        raise TomasInputErrors(errors)


def normalise_instruments(ctx: Context) -> pd.DataFrame:
    name = "instruments.csv"
    table = ctx.table(name)
    check_source_ids(table, ctx.path(name), ctx.sources)
    parsed = _parse_columns(table, ctx.path(name), dates=("opened", "in_force"), not_after=ctx.build_date)
    for column in ("opened", "in_force"):
        table[column] = parsed[f"{column}_iso"]
    return _finish(table, list(table.columns), ["instrument_id"])


def normalise_offences(ctx: Context) -> pd.DataFrame:
    name = "offences.csv"
    table = ctx.table(name)
    check_source_ids(table, ctx.path(name), ctx.sources)
    floors = _parse_columns(table, ctx.path(name), penalty="directive_floor")
    # A floor for the maximum penalty: "at least 3 years" reads as a minimum of 36 months.
    table["floor_max_months"] = floors["min_months"]
    return _finish(table, list(table.columns), ["offence"])


def normalise_terminology(ctx: Context) -> pd.DataFrame:
    name = "terminology.csv"
    table = ctx.table(name)
    check_source_ids(table, ctx.path(name), ctx.sources)
    table["term"] = table["term"].str.casefold()
    return _finish(table, list(table.columns), ["term"])


# --- fact tables ------------------------------------------------------------

_PRECISION_RANK = {"year": 1, "month": 2, "day": 3}


def normalise_treaty_actions(ctx: Context) -> pd.DataFrame:
    name = "treaty_actions.csv"
    path = ctx.path(name)
    frame = ctx.cited(name)
    instruments = ctx.table("instruments.csv")
    check_foreign_key(frame, path, "instrument", instruments["instrument_id"], "instruments.csv")
    frame = ctx.with_countries(frame, name, date_column="date")
    frame = _parse_columns(frame, path, dates=("date",), not_after=ctx.build_date)
    parsed = {i: parse_date(v) for i, v in frame["date_iso"].items() if pd.notna(v)}
    _check_signature_order(frame, parsed, path)
    _check_against_instrument(frame, parsed, path, instruments)
    frame["preferred"] = mark_preferred(
        frame, ["country_iso2", "instrument", "action"], frame["date_precision"].map(_PRECISION_RANK)
    )
    frame = frame.rename(columns={"date": "date_as_written", "date_iso": "date"})
    columns = ["country_iso2", "instrument", "action", "date", "date_precision", "source_id", "source_kind",
               "preferred", "via_predecessor", "country", "date_as_written", "note"]
    return _finish(frame, columns, ["country_iso2", "instrument", "action", "preferred", "source_id"])


def _check_signature_order(frame: pd.DataFrame, parsed: dict, path: Path) -> None:
    """Within one source, a state cannot become party before it signed."""
    errors = []
    key = list(zip(frame["country_iso2"], frame["instrument"], frame["source_id"]))
    # One pass for the signatures, one for the ratifications: linear in rows.
    signed_by: dict[tuple, PartialDate] = {}
    for k, index, action in zip(key, frame.index, frame["action"]):
        if action == "signature" and parsed.get(index) is not None:
            signed_by.setdefault(k, parsed[index])
    for k, index, action in zip(key, frame.index, frame["action"]):
        signed = signed_by.get(k)
        if action == "ratification" and signed is not None and parsed.get(index) is not None:
            if parsed[index].definitely_before(signed):
                errors.append(TomasInputError(
                    path, spreadsheet_row(index), "date", frame.at[index, "date"],
                    f"a ratification date on or after the signature this source gives ({signed.iso})",
                ))
    if errors:
        raise TomasInputErrors(errors)


# A successor's notification takes over its predecessor's earlier acts, so it is
# the one action that may be dated after the treaty's own entry into force for it.
_CONSENT = ("ratification", "accession")


def _check_against_instrument(frame: pd.DataFrame, parsed: dict, path: Path, instruments: pd.DataFrame) -> None:
    """No action before the instrument opened for signature; within one source,
    no ratification or accession after the entry into force it brought about."""
    opened = {}
    for _, row in instruments.iterrows():
        if pd.notna(row["opened"]):
            with contextlib.suppress(ParseError):
                opened[row["instrument_id"]] = parse_date(str(row["opened"]))
    errors = []
    in_force: dict[tuple, PartialDate] = {}
    for index, action in frame["action"].items():
        if action == "entry_into_force" and parsed.get(index) is not None:
            in_force.setdefault((frame.at[index, "country_iso2"], frame.at[index, "instrument"],
                                 frame.at[index, "source_id"]), parsed[index])
    for index, action in frame["action"].items():
        date = parsed.get(index)
        if date is None:
            continue
        instrument = frame.at[index, "instrument"]
        if instrument in opened and date.definitely_before(opened[instrument]):
            errors.append(TomasInputError(
                path, spreadsheet_row(index), "date", frame.at[index, "date"],
                f"a date on or after {str(instrument)} opened for signature "
                f"({opened[instrument].iso}, instruments.csv)"))
            continue
        key = (frame.at[index, "country_iso2"], instrument, frame.at[index, "source_id"])
        if action in _CONSENT and key in in_force and in_force[key].definitely_before(date):
            errors.append(TomasInputError(
                path, spreadsheet_row(index), "date", frame.at[index, "date"],
                f"a {action} date before the entry into force this source gives for it ({in_force[key].iso})"))
    if errors:
        raise TomasInputErrors(errors)


def normalise_penalties(ctx: Context) -> pd.DataFrame:
    """One row per offence x provision version; the penalty comes whole from its provision version."""
    name, pname = "penalties.csv", "provisions.csv"
    path, ppath = ctx.path(name), ctx.path(pname)
    versions = ctx.with_countries(ctx.cited(pname), pname, date_column="as_of")
    versions = _parse_columns(versions, ppath, dates=("as_of",), penalty="penalty", not_after=ctx.build_date)
    versions["as_of"] = versions["as_of_iso"]
    versions["form"] = versions["form"].fillna("basic")
    versions["jurisdiction"] = versions["jurisdiction"].astype("string")
    _check_one_paragraph_one_provision(versions, ppath)
    versions["reading"] = provisions.reading(versions)
    offences = ctx.table(name)
    check_source_ids(offences, path, ctx.sources)
    check_foreign_key(offences, path, "provision", versions["provision"], pname)
    # Who says an offence falls under a provision is the map's source; the penalty's is the version's.
    mapped = offences[["offence", "provision", "note"]].drop_duplicates(["offence", "provision"])
    frame = mapped.merge(versions.drop(columns=["note"]), on="provision", how="left", validate="many_to_many")
    frame["note"] = frame["note"].astype("string")
    key = ["country_iso2", "jurisdiction", "offence", "form"]
    frame["preferred"], frame["disputed"] = provisions.choose(frame, key)
    frame = frame.rename(columns={"penalty": "penalty_as_written"})
    columns = ["country_iso2", "jurisdiction", "offence", "form", "provision", "code", "article", "min_months",
               "max_months", "life", "fine", "term_used", "as_of", "amending_law", "reading", "source_id",
               "source_kind", "preferred", "disputed", "penalty_as_written", "note"]
    return _finish(frame, columns, ["country_iso2", "jurisdiction", "offence", "form", "preferred", "source_id",
                                    "article", "provision", "as_of"])


def _check_one_paragraph_one_provision(frame: pd.DataFrame, path: Path) -> None:
    """A provision id names one paragraph (country, jurisdiction, article, form), and a paragraph has one id."""
    errors = []
    seen: dict[tuple, str] = {}
    owner: dict[str, tuple] = {}
    for index, row in frame.iterrows():
        paragraph = (row["country_iso2"], row["jurisdiction"] if pd.notna(row["jurisdiction"]) else "",
                     row["article"], row["form"])
        pid = row["provision"]
        if pid in owner and owner[pid] != paragraph:
            errors.append(TomasInputError(path, spreadsheet_row(index), "provision", pid,
                                          f"one paragraph per provision id; {pid} is also "
                                          f"article {owner[pid][2] if pd.notna(owner[pid][2]) else '(none)'} "
                                          f"({owner[pid][3]}) of {owner[pid][0]}"))
            continue
        owner.setdefault(pid, paragraph)
        if pd.notna(row["article"]):
            if paragraph in seen and seen[paragraph] != pid:
                errors.append(TomasInputError(path, spreadsheet_row(index), "provision", pid,
                                              f"the provision id {seen[paragraph]} that another row gives "
                                              f"article {row['article']} ({row['form']}): "
                                              "one paragraph is one provision"))
            seen.setdefault(paragraph, pid)
    if errors:
        raise TomasInputErrors(errors)


def normalise_legal_features(ctx: Context) -> pd.DataFrame:
    name = "legal_features.csv"
    frame = ctx.with_countries(ctx.cited(name), name, date_column="as_of")
    frame["as_of"] = _parse_columns(frame, ctx.path(name), dates=("as_of",), not_after=ctx.build_date)["as_of_iso"]
    frame["preferred"] = mark_preferred(frame, ["country_iso2", "feature"],
                                        pd.to_numeric(frame["as_of"].str[:4], errors="coerce").fillna(0))
    columns = ["country_iso2", "feature", "value", "article", "as_of", "source_id", "source_kind", "preferred", "note"]
    return _finish(frame, columns, ["country_iso2", "feature", "preferred", "source_id"])


def _simple(ctx: Context, name: str, columns: list[str], sort: list[str]) -> pd.DataFrame:
    frame = ctx.with_countries(ctx.cited(name), name)
    return _finish(frame, ["country_iso2"] + columns + ["source_id", "source_kind"], ["country_iso2"] + sort)


def normalise_laws(ctx: Context) -> pd.DataFrame:
    return _simple(ctx, "laws.csv", ["law", "year", "kind", "covers_online", "note"], ["kind", "law", "source_id"])


def normalise_strategies(ctx: Context) -> pd.DataFrame:
    name = "strategies.csv"
    raw = ctx.table(name)
    columns = ["title", "start_year", "end_year", "field", "addresses_children_online", "educates_public", "note"]
    frame = _simple(ctx, name, [c for c in columns if c in raw.columns], ["start_year", "title", "source_id"])
    # An older raw file without educates_public states nothing about it: the column reads empty.
    frame = frame.reindex(columns=["country_iso2"] + columns + ["source_id", "source_kind"])
    bad = raw[pd.to_numeric(raw["start_year"]) > pd.to_numeric(raw["end_year"])]
    if len(bad):
        raise TomasInputErrors([TomasInputError(ctx.path(name), spreadsheet_row(i), "end_year", r["end_year"],
                                                f"a year not before start_year ({r['start_year']})")
                                for i, r in bad.iterrows()])
    return frame


NATIONAL_HOTLINE = "national hotline"


def spelling_key(name: object) -> str:
    """A name without case, punctuation or extra spaces: two spellings with one key name one body."""
    return " ".join(re.sub(r"[\W_]+", " ", str(name).casefold()).split())


def normalise_institutions(ctx: Context) -> pd.DataFrame:
    name = "institutions.csv"
    frame = ctx.with_countries(ctx.cited(name), name, date_column="established")
    frame["established"] = _parse_columns(frame, ctx.path(name), dates=("established",),
                                          not_after=ctx.build_date)["established_iso"]
    _check_absences(ctx.table(name), ctx.path(name))
    # Empty means the row names a body that exists; only "no" states an absence.
    frame["exists"] = (frame["exists"] if "exists" in frame.columns else pd.Series(pd.NA, index=frame.index,
                                                                                    dtype="string")).fillna("yes")
    # A country has one national hotline: every source's row about it is one body, however each spells the
    # name, so one row is preferred (PREFERENCE_RULE) and a differing name is a disagreement (audit.conflicts).
    # Other bodies are one body per name, however punctuated ("... in the World – Megjashi" and "... in the
    # World Megjashi"), written as the preferred row spells it.
    hotline = (frame["kind"] == "hotline") & ~stated_absent(frame)
    frame["body"] = frame["name"].map(spelling_key).where(~hotline, NATIONAL_HOTLINE)
    frame["preferred"] = mark_preferred(frame, ["country_iso2", "kind", "body"])
    written = frame[frame["preferred"]].set_index(["country_iso2", "kind", "body"])["name"]
    frame["body"] = [NATIONAL_HOTLINE if h else written[(c, k, b)]
                     for h, c, k, b in zip(hotline, frame["country_iso2"], frame["kind"], frame["body"])]
    columns = ["country_iso2", "name", "kind", "parent", "established", "inhope_member", "inhope_since", "url",
               "exists", "body", "source_id", "source_kind", "preferred", "note"]
    return _finish(frame, columns, ["country_iso2", "kind", "name", "source_id"])


def _check_absences(raw: pd.DataFrame, path: Path) -> None:
    """A row stating that a body does not exist cannot also give its parent, date, membership or address."""
    errors = []
    for index in raw.index[stated_absent(raw)]:
        for column in ABSENT_BODY_EMPTY:
            value = raw.at[index, column] if column in raw.columns else pd.NA
            if not is_na(value) and str(value).strip():
                errors.append(TomasInputError(path, spreadsheet_row(index), column, value,
                                              "an empty cell: the row says the body does not exist (exists = no)"))
    if errors:
        raise TomasInputErrors(errors)


# Digits with optional thousands separators in groups of three (comma, space,
# no-break or thin space), an optional decimal part and an optional %.
_NUMBER = re.compile(r"-?(?:\d{1,3}(?:([,\u00a0\u202f ])\d{3})?(?:\1\d{3})*|\d+)(?:\.\d+)?%?")


def _number(text: str) -> float:
    """A statistic's value as written; anything but a well-formed number is an error
    (a stray "1,23,4" or "12.5.1" is refused, not read as some other number)."""
    text = str(text)
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    digits = re.sub(r"[,\u00a0\u202f %]", "", text)
    value = float(digits)
    # A float holds about 15 significant digits; more would be silently rounded.
    if Decimal(exact_number(value)) != Decimal(digits):
        raise ValueError(text)
    return value


def normalise_statistics(ctx: Context) -> pd.DataFrame:
    name = "statistics.csv"
    path = ctx.path(name)
    frame = ctx.with_countries(ctx.cited(name), name, allow_areas=True)
    values, errors = {}, []
    for index, text in frame["value"].items():
        try:
            values[index] = _number(text)
        except ValueError:
            errors.append(TomasInputError(path, spreadsheet_row(index), "value", text,
                                          "a number of at most 15 significant digits, optionally with thousands "
                                          "separators in groups of three, a decimal point and a %"))
    if errors:
        raise TomasInputErrors(errors)
    frame["value"] = pd.Series(values, dtype="Float64")
    frame["year"] = pd.to_numeric(frame["year"]).astype("Int64")
    frame["out_of"] = pd.to_numeric(frame["out_of"]).astype("Int64")
    frame["preferred"] = mark_preferred(frame, ["scope", "area", "country_iso2", "indicator", "year"])
    columns = ["country_iso2", "scope", "area", "indicator", "year", "value", "unit", "out_of", "source_id",
               "source_kind", "preferred", "note"]
    return _finish(frame, columns, ["scope", "area", "country_iso2", "indicator", "year", "preferred", "source_id"])


def normalise_searches(ctx: Context) -> pd.DataFrame:
    """The search log (searches.csv), checked: each country code is one the register knows. Its keys are
    checked against the expectations by the audit (audit.check_searches), which joins the log to the gaps.
    A search is not a fact, so its date is not held against the build date (like sources' `accessed`)."""
    name = "searches.csv"
    path = ctx.path(name)
    frame = ctx.table(name)
    known = set(ctx.register.countries()["iso2"])
    errors = [TomasInputError(path, spreadsheet_row(i), "country_iso2", v,
                              "an ISO 3166-1 alpha-2 code in the country register, or empty for a global fact")
              for i, v in frame["country_iso2"].items() if not is_na(v) and v not in known]
    if errors:
        raise TomasInputErrors(errors)
    columns = ["table", "country_iso2", "key", "searched_on", "where", "outcome"]
    return _finish(frame, columns, columns[:-1])


@dataclass(frozen=True)
class Step:
    """One processed table: the raw tables it reads and the function that makes it."""

    raw: tuple[str, ...]
    make: Callable[..., pd.DataFrame]
    # Its facts carry dates, checked against the build date (none may be later).
    dated: bool = False


REGISTER_RAW = ("countries.csv", "country_names.csv", "predecessors.csv")
_FACT = REGISTER_RAW + ("sources.csv",)

STEPS: dict[str, Step] = {
    "countries": Step(REGISTER_RAW + ("sources.csv",), normalise_countries),
    "sources": Step(("sources.csv", "source_kinds.csv"), normalise_sources),
    "instruments": Step(("instruments.csv", "sources.csv"), normalise_instruments, dated=True),
    "offences": Step(("offences.csv", "sources.csv"), normalise_offences),
    "terminology": Step(("terminology.csv", "sources.csv"), normalise_terminology),
    "treaty_actions": Step(_FACT + ("treaty_actions.csv", "instruments.csv"), normalise_treaty_actions, dated=True),
    "penalties": Step(_FACT + ("penalties.csv", "provisions.csv"), normalise_penalties, dated=True),
    "legal_features": Step(_FACT + ("legal_features.csv",), normalise_legal_features, dated=True),
    "laws": Step(_FACT + ("laws.csv",), normalise_laws),
    "strategies": Step(_FACT + ("strategies.csv",), normalise_strategies),
    "institutions": Step(_FACT + ("institutions.csv",), normalise_institutions, dated=True),
    "statistics": Step(_FACT + ("statistics.csv",), normalise_statistics),
    "searches": Step(REGISTER_RAW + ("sources.csv", "searches.csv"), normalise_searches),
}


def make_table(name: str, raw_dir: Path | str, focus: list[str] | None = None,
               comparison: list[str] | None = None, ctx: Context | None = None,
               build_date: dt.date | None = None) -> pd.DataFrame:
    ctx = ctx or Context(raw_dir, build_date)
    step = STEPS[name]
    if name == "countries":
        return step.make(ctx, focus or [], comparison or [])
    return step.make(ctx)


def validate_all(raw_dir: Path | str, focus: list[str], comparison: list[str],
                 build_date: dt.date | None = None) -> dict[str, int]:
    """Run every normaliser in memory; raise all input errors together, write nothing.

    The pipeline's first stage: a bad table stops the build before any
    processed file or report is touched.
    """
    check_raw_tables(raw_dir)
    ctx = Context(raw_dir, build_date)
    errors: list[TomasInputError] = []
    counts: dict[str, int] = {}
    for name in STEPS:
        try:
            counts[name] = len(make_table(name, raw_dir, focus, comparison, ctx))
        except TomasInputErrors as exc:
            errors.extend(exc.errors)
        except TomasInputError as exc:
            errors.append(exc)
    if errors:
        unique = {e.message(): e for e in errors}
        raise TomasInputErrors(list(unique.values()))
    return counts


def check_raw_tables(raw_dir: Path | str) -> None:
    """Every raw table a step reads must exist.

    Snakemake only looks at an input when its job has to run, so a deleted
    table would otherwise go unnoticed while an older processed copy is
    published; the workflow calls this when it is parsed.
    """
    raw_dir = Path(raw_dir)
    readers: dict[str, list[str]] = {}
    for name, step in STEPS.items():
        for file in step.raw:
            readers.setdefault(file, []).append(name)
    errors = []
    for file, tables in readers.items():
        path = raw_dir / file
        # An emptied table is left to the table's own check ("expected a header row").
        if not path.is_file():
            errors.append(TomasInputError(
                str(path), None, None, "missing",
                f"the raw table {file} that the processed table(s) {', '.join(tables)} are made from "
                "(see data/raw/README.md); restore it, e.g. `git checkout -- " + str(path) + "`"))
    if errors:
        raise TomasInputErrors(errors)
