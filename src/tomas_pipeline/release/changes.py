"""What changed in the findings since the previous release, in plain sentences.

Each release keeps its processed tables in ``releases/<version>/findings/``.
This module compares the current ``data/processed/`` tables with the previous
release's and writes one sentence per changed finding, sorted into two kinds:

- ``world``: the world moved (a new ratification, a newer text of a code with a
  different penalty, a hotline that joined INHOPE, a country added to the
  comparison);
- ``correction``: the data about the same moment changed (a date that was
  wrong, the same text of a law read again or from a better source, a fact the
  previous release lacked although it was already true then, a conflict
  between sources resolved).

A fact that is new to the record counts as ``world`` unless it is dated before
the previous release (then it was true already: a ``correction``). Only the values the report
uses (``preferred`` rows) are compared. A table that is absent on either side
(the scorecard before it existed, say) is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import SupportsFloat

import pandas as pd
from packaging.version import InvalidVersion, Version

from tomas_pipeline.core.io import is_na, read_processed
from tomas_pipeline.sources.penalties import describe_months
from tomas_pipeline.sources.schemas import stated_absent
from tomas_pipeline.sources.tables import TABLES

# Declared with the table (tables.py).
COLUMNS = TABLES["changes"].names
KINDS = TABLES["changes"].column("kind").values or ()
# The tables whose findings are compared, in the order the sentences are listed.
FINDING_TABLES = ("countries", "ratification", "penalties", "legal_features", "institutions", "scorecard",
                  "conflicts")
# Reference tables a comparison reads for names, besides the findings.
LOOKUP_TABLES = ("instruments",)
NO_PREVIOUS_NOTE = "This is the first release: there is no earlier release to compare with."
NO_RELEASE_NOTE = "No release has been recorded yet, so there is no earlier release to compare with."


@dataclass(frozen=True)
class Change:
    kind: str
    table: str
    country_iso2: str | None
    sentence: str


# --- releases on disk -------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def previous_release(releases_dir: Path | str, version: str | None = None) -> Path | None:
    """The newest recorded release older than ``version`` (so re-building a
    release after it was recorded still compares with the one before it);
    with no version (a build between releases), the newest recorded at all."""
    current = Version(version) if version is not None else None
    found = []
    for folder in Path(releases_dir).glob("*/findings"):
        v = _version(folder.parent.name)
        if v is not None and (current is None or v < current):
            found.append((v, folder.parent))
    return max(found)[1] if found else None


def release_date(release_dir: Path | str) -> str | None:
    record = Path(release_dir) / "release.json"
    if not record.exists():
        return None
    return json.loads(record.read_text(encoding="utf-8")).get("date")


def load_tables(folder: Path | str, names=FINDING_TABLES + LOOKUP_TABLES) -> dict[str, pd.DataFrame]:
    folder = Path(folder)
    return {name: read_processed(folder / f"{name}.csv") for name in names if (folder / f"{name}.csv").exists()}


# --- small helpers ----------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, (list, tuple)) and is_na(value)) else str(value)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _date(value: object) -> str:
    """An ISO date of any precision as a reader writes it: '14 December 2009', 'June 2025', '2009'."""
    text = _text(value).removesuffix(".0")  # a year read as a number
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return text


def _on(value: object) -> str:
    """' on 14 December 2009', ' in June 2025', ' in 2009', or nothing without a date."""
    text = _text(value)
    if not text:
        return ""
    return (" on " if text.count("-") == 2 else " in ") + _date(text)


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _not_before(date: object, since: str | None) -> bool:
    """Could an ISO date of any precision be after ``since`` (the previous
    release)? Compared at the coarser precision: '2025' may be after
    '2025-03-01', '2024' is surely before it; no date at all says nothing."""
    if since is None:
        return True
    text = _text(date)
    if not text:
        return False
    n = min(len(text), len(since))
    return text[:n] >= since[:n]


def _preferred(frame: pd.DataFrame) -> pd.DataFrame:
    if "preferred" in frame.columns:
        frame = frame[frame["preferred"].astype(str).str.lower() == "true"]
    return frame


def _index(frame: pd.DataFrame, key: list[str]) -> dict[tuple, dict]:
    rows = {}
    for record in frame.to_dict("records"):
        rows[tuple(_text(record.get(k)) for k in key)] = record
    return rows


class _Names:
    """Readable names for countries and instruments, from either side."""

    def __init__(self, previous: dict, current: dict):
        self.countries: dict[str, str] = {}
        self.instruments: dict[str, str] = {}
        for tables in (previous, current):
            if "countries" in tables:
                self.countries.update(zip(tables["countries"]["iso2"], tables["countries"]["name"]))
            if "instruments" in tables:
                self.instruments.update(zip(tables["instruments"]["instrument_id"],
                                            tables["instruments"]["short_name"]))

    def country(self, iso2: str) -> str:
        return self.countries.get(iso2, iso2)

    def instrument(self, instrument_id: str) -> str:
        name = self.instruments.get(instrument_id, instrument_id)
        return name if name.lower().startswith("the ") else "the " + name


def _comparison_set(tables: dict) -> set[str]:
    countries = tables.get("countries")
    if countries is None or "comparison" not in countries.columns:
        return set()
    return set(countries.loc[countries["comparison"].astype(str).str.lower() == "true", "iso2"])


@dataclass
class _Context:
    names: _Names
    since: str | None
    # Countries new to the comparison: their facts are summed up by "added".
    added: set[str]
    # Indicator id -> the label the report shows (config/indicators.yaml).
    labels: dict[str, str]


# --- one comparer per table -------------------------------------------------


def _countries(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    before, after = _comparison_set({"countries": prev}), _comparison_set({"countries": cur})
    out = [Change("world", "countries", iso, f"{ctx.names.country(iso)} was added to the countries compared.")
           for iso in sorted(after - before)]
    out += [Change("world", "countries", iso, f"{ctx.names.country(iso)} is no longer among the countries compared.")
            for iso in sorted(before - after)]
    return out


# What a party did to be bound, as a verb; other actions read "became a party to ... by <action>".
_BOUND_VERBS = {"ratification": "ratified", "accession": "acceded to", "succession": "succeeded to",
                "acceptance": "accepted", "approval": "approved"}
_STATUS_WORDS = {"party": "a party to", "signed": "a signatory of"}


def _act_of(act: str) -> str:
    """'ratification of', but 'accession to' and 'succession to'."""
    return f"{act} to" if act in ("accession", "succession") else f"{act} of"


def _bound(country: str, treaty: str, row: dict) -> tuple[str, str, str]:
    """(what happened as a sentence, the act as a noun, its date) for a row's status."""
    if _text(row.get("status")) == "party":
        action, date = _text(row.get("bound_action")) or "ratification", _text(row.get("bound_date"))
        verb = _BOUND_VERBS.get(action)
        done = f"{country} {verb} {treaty}" if verb else f"{country} became a party to {treaty} by {action}"
        return done + _on(date) + ".", action, date
    date = _text(row.get("signature_date"))
    return f"{country} signed {treaty}{_on(date)}.", "signature", date


def _ratification(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    key = ["country_iso2", "instrument"]
    old, new = _index(prev, key), _index(cur, key)
    out = []
    for (iso, instrument), row in sorted(new.items()):
        if iso in ctx.added:
            continue
        was = old.get((iso, instrument), {})
        country, treaty = ctx.names.country(iso), ctx.names.instrument(instrument)
        status, old_status = _text(row.get("status")), _text(was.get("status"))
        if status != old_status:
            if status in ("party", "signed"):
                sentence, act, date = _bound(country, treaty, row)
                if _not_before(date, ctx.since):
                    out.append(Change("world", "ratification", iso, sentence))
                else:
                    # True before the previous release: the record was missing it.
                    before = (f"the previous release had it as {_STATUS_WORDS.get(old_status, old_status)} only"
                              if old_status else "the previous release did not record it")
                    out.append(Change("correction", "ratification", iso,
                                      f"{_possessive(country)} {_act_of(act)} {treaty} is now recorded"
                                      f"{': ' + _date(date) if date else ''} ({before})."))
            elif old_status:
                now = _STATUS_WORDS.get(status, status) if status else "without a status"
                out.append(Change("correction", "ratification", iso,
                                  f"{country} is no longer recorded as {_STATUS_WORDS.get(old_status, old_status)} "
                                  f"{treaty}; the data now show it {'as ' + now if status else now}."))
            continue
        for column, what in (("bound_date", _text(row.get("bound_action")) or "ratification"),
                             ("signature_date", "signature")):
            a, b = _text(was.get(column)), _text(row.get(column))
            if a != b and (a or b):
                out.append(Change("correction", "ratification", iso,
                                  f"The date of {_possessive(country)} {_act_of(what)} {treaty} is corrected to "
                                  f"{_date(b) or 'no date'}; the previous release had {_date(a) or 'no date'}."))
    return out


def _months(value: SupportsFloat | str | None) -> str:
    if value is None or _text(value) == "":
        return "?"
    return describe_months(float(value))


def _penalty(row: dict) -> str:
    if _text(row.get("life")).lower() == "true":
        return "life imprisonment"
    low, high = _text(row.get("min_months")), _text(row.get("max_months"))
    if low and high:
        # One unit for both ends, so "from 1–3 years to 1–5 years" reads plainly.
        a, b = float(low), float(high)
        return f"{a / 12:g}–{b / 12:g} years" if a % 12 == 0 and b % 12 == 0 else f"{a:g}–{b:g} months"
    if high:
        return f"up to {_months(high)}"
    return f"at least {_months(low)}" if low else "no term given"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _penalty_subject(row: dict, ctx: _Context) -> str:
    offence = _text(row.get("offence")).replace("_", " ")
    where = ctx.names.country(_text(row.get("country_iso2")))
    if _text(row.get("jurisdiction")):
        where += f" ({row['jurisdiction']})"
    form = " (aggravated form)" if _text(row.get("form")) == "aggravated" else ""
    return f"the penalty for {offence}{form} in {where}"


def _penalties(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    key = ["country_iso2", "jurisdiction", "offence", "form"]
    old, new = _index(_preferred(prev), key), _index(_preferred(cur), key)
    out = []
    for k, row in sorted(new.items()):
        iso = k[0]
        if iso in ctx.added:
            continue
        subject, now, as_of = _penalty_subject(row, ctx), _penalty(row), _text(row.get("as_of"))
        if k not in old:
            kind = "world" if _not_before(as_of, ctx.since) else "correction"
            code = _text(row.get("code")) or "code not named"
            out.append(Change(kind, "penalties", iso, f"{_cap(subject)} is now recorded: {now} "
                                                      f"({code}, text as of {_date(as_of) or 'an unstated date'})."))
            continue
        was = old[k]
        before = _penalty(was)
        if before == now:
            continue
        old_as_of = _text(was.get("as_of"))
        if as_of and as_of != old_as_of and (not old_as_of or as_of > old_as_of):
            direction = _direction(was, row)
            code = _text(row.get("code")) or "The code"
            out.append(Change("world", "penalties", iso,
                              f"{code} {direction} {subject} from {before} to {now} (text as of {_date(as_of)})."))
        else:
            source = _text(row.get("source_id"))
            via = f", now read from {source}" if source and source != _text(was.get("source_id")) else ""
            out.append(Change("correction", "penalties", iso,
                              f"{_cap(subject)} was corrected from {before} to {now} "
                              f"(same text, as of {_date(as_of) or 'an unstated date'}{via})."))
    for k, was in sorted(old.items()):
        if k not in new and k[0] not in ctx.added:
            subject = _penalty_subject(was, ctx)
            out.append(Change("correction", "penalties", k[0],
                              f"{_cap(subject)} is no longer recorded (was {_penalty(was)})."))
    return out


def _direction(was: dict, row: dict) -> str:
    def top(r):
        return float("inf") if _text(r.get("life")).lower() == "true" else float(_text(r.get("max_months")) or 0)

    def bottom(r):
        return float(_text(r.get("min_months")) or 0)

    up = (top(row), bottom(row)) > (top(was), bottom(was))
    down = (top(row), bottom(row)) < (top(was), bottom(was))
    return "raised" if up else "lowered" if down else "changed"


def _legal_features(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    key = ["country_iso2", "feature"]
    old, new = _index(_preferred(prev), key), _index(_preferred(cur), key)
    out = []
    for (iso, feature), row in sorted(new.items()):
        if iso in ctx.added:
            continue
        country, label, value = ctx.names.country(iso), feature.replace("_", " "), _text(row.get("value")) or "unknown"
        as_of = _text(row.get("as_of"))
        when = _date(as_of) or "an unstated date"
        if (iso, feature) not in old:
            kind = "world" if _not_before(as_of, ctx.since) else "correction"
            out.append(Change(kind, "legal_features", iso,
                              f"For {country}, '{label}' is now recorded: {value} (law as of {when})."))
            continue
        was = old[(iso, feature)]
        before = _text(was.get("value")) or "unknown"
        if before == value:
            continue
        old_as_of = _text(was.get("as_of"))
        if as_of and as_of != old_as_of and (not old_as_of or as_of > old_as_of):
            out.append(Change("world", "legal_features", iso,
                              f"For {country}, '{label}' is now {value}, where the previous release had {before}: "
                              f"the law changed (text as of {when})."))
        else:
            out.append(Change("correction", "legal_features", iso,
                              f"For {country}, '{label}' is corrected to {value}; the previous release had {before} "
                              f"for the same text (as of {when})."))
    return out


def _inhope(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Per country with a hotline in INHOPE: (hotline name, member-since year or '')."""
    yes = frame[(frame["kind"] == "hotline") & (frame["inhope_member"].astype(str).str.lower() == "yes")]
    out: dict[str, tuple[str, str]] = {}
    for iso, group in yes.groupby("country_iso2"):
        years = sorted(_text(y).split(".")[0] for y in group["inhope_since"] if _text(y))
        out[str(iso)] = (sorted(group["name"])[0], years[0] if years else "")
    return out


def _institutions(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    old, new = _inhope(prev), _inhope(cur)
    out = []
    for iso, (name, year) in sorted(new.items()):
        if iso in old or iso in ctx.added:
            continue
        country = ctx.names.country(iso)
        since = f" (member since {year})" if year else ""
        if not year or _not_before(year, ctx.since):
            out.append(Change("world", "institutions", iso, f"{country}'s hotline {name} joined INHOPE{since}."))
        else:
            out.append(Change("correction", "institutions", iso,
                              f"{country}'s hotline {name} is now recorded as an INHOPE member{since}; "
                              "the previous release did not record it."))
    for iso in sorted(set(old) - set(new) - ctx.added):
        out.append(Change("correction", "institutions", iso,
                          f"{ctx.names.country(iso)} is no longer recorded as having a hotline in INHOPE "
                          f"(was {old[iso][0]})."))
    # Bodies new to the record (units, hotlines, members of networks).
    def bodies(frame, absent=False):
        frame = frame[stated_absent(frame) == absent]
        return {(_text(r["country_iso2"]), _text(r["kind"]), _text(r["name"]).casefold()): r
                for r in frame.to_dict("records")}

    before, after = bodies(prev), bodies(cur)
    # A source stating that a country has no such body: recorded, but not as a body.
    for k, row in sorted(bodies(cur, True).items()):
        if k not in bodies(prev, True) and k[0] not in ctx.added:
            out.append(Change("correction", "institutions", k[0],
                              f"Now recorded for {ctx.names.country(k[0])}: a source states there is no "
                              f"{_text(row['name'])[:1].lower()}{_text(row['name'])[1:]}."))
    for k, row in sorted(after.items()):
        if k in before or k[0] in ctx.added:
            continue
        established = _text(row.get("established"))
        kind = "world" if established and _not_before(established, ctx.since) else "correction"
        out.append(Change(kind, "institutions", k[0],
                          f"Now recorded in {ctx.names.country(k[0])}: {row['name']} ({k[1].replace('_', ' ')})."))
    return out


def _score_sentence(country: str, label: str, a: str, b: str) -> str:
    what = f"{_possessive(country)} score for '{label}'"
    if not a:
        return f"{country} now has a score for '{label}': {b} (the previous release had none)."
    if not b:
        return f"{country} no longer has a score for '{label}': a fact behind it is missing (it was {a})."
    try:
        up = float(b) > float(a)
    except ValueError:
        return f"{_cap(what)} is now {b} (it was {a})."
    return f"{_cap(what)} {'rose' if up else 'fell'} from {a} to {b}."


def _scorecard(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    """A cell that moved. Its kind is settled afterwards from the facts behind it."""
    column = "score" if "score" in cur.columns and "score" in prev.columns else "value"
    key = ["country_iso2", "indicator"]
    old, new = _index(prev, key), _index(cur, key)
    out = []
    for (iso, indicator), row in sorted(new.items()):
        if iso in ctx.added or (iso, indicator) not in old:
            continue
        a, b = _text(old[(iso, indicator)].get(column)), _text(row.get(column))
        if a != b:
            label = ctx.labels.get(indicator) or indicator.replace("_", " ")
            out.append(Change("", "scorecard", iso, _score_sentence(ctx.names.country(iso), label, a, b)))
    return out


# Columns that identify a conflict, whichever of them conflicts.csv has.
_CONFLICT_KEY = ("table", "country_iso2", "jurisdiction", "instrument", "action", "offence", "form", "feature",
                 "indicator", "year", "field", "column")


def _conflicts(prev: pd.DataFrame, cur: pd.DataFrame, ctx: _Context) -> list[Change]:
    key = [c for c in _CONFLICT_KEY if c in cur.columns and c in prev.columns] or list(cur.columns)
    old, new = _index(prev, key), _index(cur, key)

    def iso(k):
        return (k[key.index("country_iso2")] or None) if "country_iso2" in key else None

    def describe(k):
        what = ", ".join(f"{c.replace('_', ' ')} {v}" for c, v in zip(key, k) if v and c != "country_iso2")
        return what + (f" ({ctx.names.country(iso(k))})" if iso(k) else "")

    out = [Change("correction", "conflicts", iso(k), f"The disagreement between sources on {describe(k)} is resolved.")
           for k in sorted(set(old) - set(new))]
    out += [Change("correction", "conflicts", iso(k), f"Sources now disagree on {describe(k)}.")
            for k in sorted(set(new) - set(old))]
    return out


COMPARERS: dict[str, Callable[[pd.DataFrame, pd.DataFrame, _Context], list[Change]]] = {
    "countries": _countries,
    "ratification": _ratification,
    "penalties": _penalties,
    "legal_features": _legal_features,
    "institutions": _institutions,
    "scorecard": _scorecard,
    "conflicts": _conflicts,
}


def compare(previous: dict[str, pd.DataFrame], current: dict[str, pd.DataFrame],
            since: str | None = None, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Sentences for every finding that changed; ``since`` is the previous release's date,
    ``labels`` the indicators' names (their ids, with _ as spaces, without)."""
    ctx = _Context(_Names(previous, current), since, _comparison_set(current) - _comparison_set(previous)
                   if "countries" in previous else set(),
                   labels or {})
    changes: list[Change] = []
    for name in FINDING_TABLES:
        if name in previous and name in current:
            changes += COMPARERS[name](previous[name], current[name], ctx)
    # A scorecard cell moves because a fact behind it did: a change in the world
    # when that country has one, else the consequence of a correction.
    moved_world = {c.country_iso2 for c in changes if c.kind == "world"}
    changes = [c if c.kind else Change("world" if c.country_iso2 in moved_world else "correction", c.table,
                                       c.country_iso2, c.sentence) for c in changes]
    frame = pd.DataFrame([c.__dict__ for c in changes], columns=COLUMNS)
    order = {name: i for i, name in enumerate(FINDING_TABLES)}
    frame["_kind"] = frame["kind"].map({k: i for i, k in enumerate(KINDS)})
    frame["_table"] = frame["table"].map(order)
    frame = frame.sort_values(["_kind", "_table", "country_iso2", "sentence"], kind="mergesort", na_position="first")
    return frame[COLUMNS].reset_index(drop=True)


def indicator_labels(method: Path | str | None) -> dict[str, str]:
    """Indicator id -> label from the method file (none without one)."""
    if not method or not Path(method).is_file():
        return {}
    from tomas_pipeline.metrics.method import load_indicators

    return {ind["id"]: ind["label"] for ind in load_indicators(method) if ind.get("label")}


def compare_with_release(release_dir: Path | str | None, processed_dir: Path | str,
                         release: bool = True, method: Path | str | None = None) -> tuple[pd.DataFrame, str]:
    """Changes since a recorded release, and a note saying against what.
    ``release`` is False for a build between releases: with nothing recorded
    it is not "the first release"."""
    if release_dir is None:
        return pd.DataFrame(columns=COLUMNS), NO_PREVIOUS_NOTE if release else NO_RELEASE_NOTE
    release_dir = Path(release_dir)
    frame = compare(load_tables(release_dir / "findings"), load_tables(processed_dir), release_date(release_dir),
                    indicator_labels(method))
    note = f"Compared with release {release_dir.name}"
    date = release_date(release_dir)
    return frame, note + (f" of {date}." if date else ".")
