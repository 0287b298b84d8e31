"""The country register: any name a source uses -> one ISO 3166-1 country.

ISO 3166-1 itself comes from ``pycountry`` (its copy of Debian's iso-codes):
every code, the short, official and common English names, and their
translations in the iso-codes locales of the region (LOCALES). Three tables
in ``data/raw/`` (documented in its README) are layered on top:
``countries.csv`` (the project's overrides of ISO's rows, and extra rows with
user-assigned codes such as Kosovo), ``country_names.csv`` (every other name a
source may use, in any language or script) and ``predecessors.csv`` (former
states and the states that continue or succeeded them).

Names are compared by :func:`normalise_key`, so "Republika Srbija",
"Република Србија", "Serbia, Republic of" and "SERBIA" are one name. A name
that matches nothing, or more than one state, is an error with suggestions:
a country is never guessed.
"""

from __future__ import annotations

import dataclasses
import functools
import gettext
import re
import sys
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
import pycountry
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from tomas_pipeline.core.errors import ParseError, TomasInputError, TomasInputErrors, spreadsheet_row
from tomas_pipeline.core.io import is_na
from tomas_pipeline.sources.dates import PartialDate, parse_date

COUNTRIES, NAMES, PREDECESSORS = "countries.csv", "country_names.csv", "predecessors.csv"
EXPECTED_NAME = "a country name the register knows"
# iso-codes locales whose translations are names too: Serbian (Cyrillic and
# Latin), Albanian, Macedonian, Bosnian, Croatian. iso-codes has no Montenegrin
# (cnr) locale; Montenegrin names come from country_names.csv.
LOCALES = ("sr", "sr@latin", "sq", "mk", "bs", "hr")
ISO_SOURCE = "iso3166"

# Serbian and Macedonian Cyrillic to the Latin the same languages use, then
# reduced like any Latin text (ђ -> dj like đ; ћ/ч -> c like ć/č; џ -> dz like dž;
# ќ -> k, ѓ -> g, ѕ -> dz). Letters of Russian, Bulgarian, Ukrainian and
# Belarusian are mapped too, so their names get a stable key.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z", "з": "z",
    "ѕ": "dz", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "c", "ќ": "k", "ѓ": "g", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s",
    "й": "j", "ё": "e", "э": "e", "ы": "y", "ь": "", "ъ": "a", "я": "ja", "ю": "ju", "щ": "st",
    "є": "je", "і": "i", "ї": "ji", "ґ": "g", "ў": "u",
}
# Latin letters that Unicode does not decompose into base letter + accent.
_LATIN = {"đ": "dj", "ð": "d", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
_TRANSLIT = str.maketrans({**_CYRILLIC, **_LATIN})
# Connectives dropped everywhere: "Bosnia-Herzegovina" = "Bosnia and Herzegovina"
# = "Bosna i Hercegovina" = "Bosnja dhe Hercegovina".
_DROP = {"the", "and", "i", "dhe"}


@functools.lru_cache(maxsize=1 << 16)  # the same names recur in every table and every load
def normalise_key(name: str) -> str:
    """The form names are compared in: see the module docstring and the README.

    Casefold; transliterate Cyrillic; strip accents; delete dots and apostrophes
    ("F.Y.R.O.M." = "FYROM"); other punctuation is a space; drop "the", "and",
    "i", "dhe"; drop a leading "republic of", "republika", "republika e" or a
    trailing "republic of" ("Serbia, Republic of"); collapse spaces.
    """
    text = unicodedata.normalize("NFC", str(name)).casefold().replace("&", " and ")
    text = text.translate(_TRANSLIT)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[.'\u2019\u02bc`]", "", text)
    words = [w for w in re.split(r"[\W_]+", text) if w and w not in _DROP]
    while True:  # until stable, so that a key normalises to itself
        if words[:2] in (["republic", "of"], ["republika", "e"]) and len(words) > 2:
            words = words[2:]
        elif words[:1] == ["republika"] and len(words) > 1:
            words = words[1:]
        elif words[-2:] == ["republic", "of"] and len(words) > 2:
            words = words[:-2]
        else:
            return " ".join(words)


_INVERTED = re.compile(r"\s*([^,()]+?)\s*(?:,\s*([^,()]+?)|\(\s*([^()]+?)\s*\))\s*")


def inverted(name: str) -> str | None:
    """ "Macedonia, North" or "Bolivia (Plurinational State of)" written the
    other way round ("North Macedonia", "Plurinational State of Bolivia");
    None for a name without one comma or one bracket."""
    match = _INVERTED.fullmatch(str(name))
    if not match:
        return None
    head, tail = match.group(1), match.group(2) or match.group(3)
    return f"{tail} {head}"


# --- ISO 3166-1 from pycountry --------------------------------------------------


@functools.cache
def iso_countries() -> pd.DataFrame:
    """ISO 3166-1 as pycountry ships it: one row per code, the register's columns
    (`name` is the common name where ISO gives one: "Bolivia", "South Korea")."""
    rows = []
    for c in pycountry.countries:
        common, official = getattr(c, "common_name", ""), getattr(c, "official_name", "")
        rows.append({"iso2": c.alpha_2, "iso3": c.alpha_3, "numeric": c.numeric, "name": common or c.name,
                     "iso_name": c.name, "official_name": official, "user_assigned": "no",
                     "source_id": ISO_SOURCE, "note": ""})
    return pd.DataFrame(rows).sort_values("iso2", kind="mergesort").reset_index(drop=True)


@functools.cache
def iso_names() -> tuple[tuple[str, str], ...]:
    """(iso2, English name) for ISO's short, official and common names."""
    return tuple((c.alpha_2, name) for c in pycountry.countries
                 for name in (c.name, getattr(c, "official_name", ""), getattr(c, "common_name", "")) if name)


@functools.cache
def iso_translations(locales: tuple[str, ...] = LOCALES) -> tuple[tuple[str, str], ...]:
    """(iso2, translated name) for every ISO name iso-codes translates in `locales`."""
    out = []
    for locale in locales:
        catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        for iso2, name in iso_names():
            translated = catalog.gettext(name)
            if translated != name:
                out.append((iso2, translated))
    return tuple(out)


def _user_assigned_code(iso2: str) -> bool:
    """ISO 3166-1 leaves AA, QM-QZ, XA-XZ and ZZ to its users (Kosovo's XK)."""
    return iso2 in ("AA", "ZZ") or "QM" <= iso2 <= "QZ" or iso2.startswith("X")


@dataclass(frozen=True)
class CountryMatch:
    iso2: str
    iso3: str
    numeric: str  # "" for Kosovo, which has no numeric code
    name: str  # English short name, canonical
    via_predecessor: str | None = None  # the predecessor the input named, if any
    user_assigned: bool = False  # code outside ISO 3166-1 proper (Kosovo)


class UnknownCountryError(ParseError):
    """No register name matches."""

    def __init__(self, value: object, suggestions: list[str], expected: str = EXPECTED_NAME) -> None:
        self.suggestions = list(suggestions)
        closest = f"; closest: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(value, expected + closest)


class AmbiguousCountryError(ParseError):
    """The name fits several states; the row must name the state itself."""

    def __init__(self, value: object, suggestions: list[str], why: str = "") -> None:
        self.suggestions = list(suggestions)
        super().__init__(
            value,
            f"the name of one state; {why or 'this name fits'} {', '.join(self.suggestions)}: "
            "name the state itself",
        )


@dataclass(frozen=True)
class _Target:
    """What a key points at: a country (iso2) or a predecessor (its name)."""

    kind: str  # "country" | "predecessor"
    id: str


class Register:
    """The three register tables, checked, with a lookup from name keys to targets."""

    def __init__(self, countries: pd.DataFrame, names: pd.DataFrame, predecessors: pd.DataFrame,
                 keys: dict[str, set[_Target]]) -> None:
        self._countries = countries
        self._names = names
        self._predecessors = predecessors
        self._keys = keys
        # Suggestions compare against every key; each key's targets as labels, once.
        self._choices = list(keys)
        self._choice_labels: list[list[str]] | None = None
        self._by_iso2 = countries.set_index("iso2")
        # The register's tables are all text (missing is ""), so str() below only tells mypy so.
        self._by_iso3 = {str(row.iso3): str(row.iso2) for row in countries.itertuples()}
        # One match object per code, built once: resolving runs for every row of every table.
        self._matches = {
            str(row.iso2): CountryMatch(str(row.iso2), str(row.iso3), str(row.numeric), str(row.name), None,
                                        str(row.user_assigned) == "yes")
            for row in countries.itertuples()
        }

    # --- loading and checking -------------------------------------------

    @classmethod
    def load(cls, raw_dir: Path | str, translations: tuple[tuple[str, str], ...] | None = None) -> Register:
        """Read and check the register; a bad row raises TomasInputError naming its cell
        (``.errors`` on it lists every bad cell found). `translations` replaces
        pycountry's (iso2, name) translations (tests use it)."""
        raw_dir = Path(raw_dir)
        errors: list[TomasInputError] = []
        overrides = _read(raw_dir / COUNTRIES, errors)
        names = _read(raw_dir / NAMES, errors)
        predecessors = _read(raw_dir / PREDECESSORS, errors)
        _raise(errors)
        countries = _merge_countries(overrides, raw_dir / COUNTRIES, errors)
        _raise(errors)
        _check_predecessors(predecessors, set(countries["iso2"]), raw_dir / PREDECESSORS, errors)
        _raise(errors)
        if translations is None:
            translations = iso_translations()
        keys = _build_keys(countries, overrides, names, predecessors, translations, raw_dir, errors)
        _raise(errors)
        return cls(countries, names, predecessors, keys)

    # --- lookups ----------------------------------------------------------

    def resolve(self, name: str, on_date: str | PartialDate | None = None) -> CountryMatch:
        """The one country a name means; a predecessor resolves to the state that
        continues it. `on_date` (the date of the fact) settles names that meant
        different states at different times ("Yugoslavia")."""
        if not isinstance(name, str) or not name.strip():
            raise UnknownCountryError(name, [])
        text = name.strip()
        # Codes are exact: "RS", "SRB" (never "rs", which could be a typo).
        if re.fullmatch(r"[A-Z]{2}", text) and text in self._by_iso2.index:
            return self._match(text)
        if re.fullmatch(r"[A-Z]{3}", text) and text in self._by_iso3:
            return self._match(self._by_iso3[text])
        targets = self._keys.get(normalise_key(text), set())
        if not targets and (other := inverted(text)):  # "Macedonia, North"
            targets = self._keys.get(normalise_key(other), set())
        if not targets:
            raise self._unknown(name, text)
        if len(targets) > 1 and on_date is not None:
            date = on_date if isinstance(on_date, PartialDate) else parse_date(str(on_date))
            targets = {t for t in targets if self._may_exist_on(t, date)} or targets
        if len(targets) > 1:
            labels = sorted(self._label(t) for t in targets)
            why = "on this date the name still fits" if on_date is not None else "without a date this name fits"
            raise AmbiguousCountryError(name, labels, why)
        (target,) = targets
        if target.kind == "country":
            return self._match(target.id)
        return self._via_predecessor(name, target.id)

    def _unknown(self, name: str, text: str) -> UnknownCountryError:
        """The error for a name no key matches. Input shaped like a code gets a code's
        answer: spelling similarity between two-letter strings ranks at random."""
        if re.fullmatch(r"[A-Za-z]{2}|[A-Z]{3}", text):
            code = text.upper()
            iso2 = code if code in self._by_iso2.index else self._by_iso3.get(code)
            if iso2 is not None:  # "rs": codes are exact, so say which one was meant
                return UnknownCountryError(name, [f"{code} ({self.name_of(iso2)})"],
                                           f"a code in capitals or {EXPECTED_NAME}")
            kind = "alpha-2" if len(code) == 2 else "alpha-3"
            return UnknownCountryError(name, [], f"an ISO 3166-1 {kind} code the register holds "
                                                 f"(no country has {code}) or {EXPECTED_NAME}")
        return UnknownCountryError(name, self.suggest(text))

    def suggest(self, name: str) -> list[str]:
        """The 3 register names closest to `name`, by similarity of normalised keys.

        The score is the mean of three rapidfuzz measures: edit distance (typos:
        "Albnia"), Jaro-Winkler (a short input that starts a name: "Srb") and
        token sets (a word of a longer name: "Herzegovina")."""
        key = normalise_key(name) if isinstance(name, str) else ""
        if self._choice_labels is None:
            self._choice_labels = [sorted({self._label(t) for t in self._keys[k]}) for k in self._choices]

        def measure(scorer, scale: float = 1.0) -> np.ndarray:
            return process.cdist([key], self._choices, scorer=scorer, dtype=np.float64)[0] * scale

        # All three on a 0..100 scale.
        scores = measure(fuzz.ratio) + measure(JaroWinkler.normalized_similarity, 100) + measure(fuzz.token_set_ratio)
        best: dict[str, float] = {}
        for labels, score in zip(self._choice_labels, scores.tolist()):
            for label in labels:
                best[label] = max(score, best.get(label, 0.0))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [label for label, _ in ranked[:3]]

    def countries(self) -> pd.DataFrame:
        """The register as a table, one row per country (a copy)."""
        return self._countries.copy()

    def names(self) -> pd.DataFrame:
        return self._names.copy()

    def predecessors(self) -> pd.DataFrame:
        return self._predecessors.copy()

    def name_of(self, iso2: str) -> str:
        if iso2 not in self._by_iso2.index:
            raise UnknownCountryError(iso2, self.suggest(str(iso2)))
        return str(self._by_iso2.at[iso2, "name"])

    def succession_note(self, predecessor: str) -> str:
        """One sentence the report can print: who continues or succeeded a predecessor."""
        rows = self._predecessors[self._predecessors["predecessor"] == predecessor]
        if rows.empty:
            raise UnknownCountryError(predecessor, self.suggest(predecessor))
        first = rows.iloc[0]
        span = f"{first['start'] or '?'} to {first['end'] or '?'}"
        parts = []
        for row in rows.itertuples():
            who = self.name_of(str(row.successor_iso2))  # all text, as in __init__
            if row.relation == "continuator":
                parts.append(f"continued by {who}")
            else:
                parts.append(f"{who} succeeded" + (f" ({str(row.since)})" if row.since else ""))
        return f"{predecessor} ({span}): " + "; ".join(parts)

    # --- helpers ----------------------------------------------------------

    def _match(self, iso2: str, via: str | None = None) -> CountryMatch:
        match = self._matches[iso2]
        return dataclasses.replace(match, via_predecessor=via) if via else match

    def _via_predecessor(self, name: str, predecessor: str) -> CountryMatch:
        rows = self._predecessors[self._predecessors["predecessor"] == predecessor]
        continuators = rows.loc[rows["relation"] == "continuator", "successor_iso2"].tolist()
        if len(continuators) == 1:
            return self._match(continuators[0], predecessor)
        successors = sorted(self.name_of(i) for i in rows["successor_iso2"])
        raise AmbiguousCountryError(name, successors,
                                    f"{predecessor} has no single continuing state; its successors are")

    def _label(self, target: _Target) -> str:
        return self.name_of(target.id) if target.kind == "country" else target.id

    def _may_exist_on(self, target: _Target, date: PartialDate) -> bool:
        """False only when the date is certainly outside a predecessor's lifetime."""
        if target.kind == "country":
            return True
        row = self._predecessors[self._predecessors["predecessor"] == target.id].iloc[0]
        if row["start"] and date.definitely_before(parse_date(row["start"])):
            return False
        if row["end"] and parse_date(row["end"]).definitely_before(date):
            return False
        return True


# --- reading and checking the tables -------------------------------------

_COLUMNS = {
    COUNTRIES: ["iso2", "iso3", "numeric", "name", "iso_name", "official_name", "user_assigned", "source_id"],
    NAMES: ["name", "iso2", "predecessor", "language", "script", "kind", "source_id"],
    PREDECESSORS: ["predecessor", "start", "end", "successor_iso2", "relation", "since", "source_id"],
}
_SOURCE_ID = re.compile(r"[a-z0-9_]+")


def _read(path: Path, errors: list[TomasInputError]) -> pd.DataFrame:
    """All cells as text, empty as "" (so that the code "NA", Namibia, stays a code)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        errors.append(TomasInputError(path, None, None, str(exc), "a readable UTF-8 CSV table"))
        return pd.DataFrame()
    frame = frame.apply(lambda column: column.str.strip())
    missing = [c for c in _COLUMNS[path.name] if c not in frame.columns]
    if missing:
        errors.append(TomasInputError(path, 1, missing[0], "", f"the columns {', '.join(_COLUMNS[path.name])}"))
    return frame


def _raise(errors: list[TomasInputError]) -> None:
    """Raise the first error, carrying all of them, so one run shows every bad cell."""
    if errors:
        first = errors[0]
        first.errors = list(errors)
        if len(errors) > 1:
            first.args = (str(TomasInputErrors(errors)),)
        raise first


def _bad(errors, path, index, column, value, expected) -> None:
    errors.append(TomasInputError(path, int(index) + 2, column, value, expected))


def _merge_countries(overrides: pd.DataFrame, path: Path, errors: list[TomasInputError]) -> pd.DataFrame:
    """ISO 3166-1 from pycountry with the rows of countries.csv laid over it.

    A row whose iso2 ISO knows overrides that country's `name`, `official_name`,
    `source_id` and `note` (its codes and `iso_name` may only repeat ISO's); a
    row with any other code adds a country, which must be user-assigned (Kosovo).
    """
    merged: dict[str, dict[Hashable, Any]] = {row["iso2"]: row for row in iso_countries().to_dict("records")}
    iso = {code: dict(row) for code, row in merged.items()}  # ISO's own values, for the checks
    rules = {
        "iso2": (r"[A-Z]{2}", "two capital letters (ISO 3166-1 alpha-2)"),
        "iso3": (r"[A-Z]{3}", "three capital letters (ISO 3166-1 alpha-3)"),
        "numeric": (r"\d{3}", "three digits (ISO 3166-1 numeric), empty only for a user-assigned code"),
        "user_assigned": (r"yes|no", "yes or no"),
        "source_id": (_SOURCE_ID.pattern, "a source_id from sources.csv"),
        "name": (r".+", "the English short name"),
    }
    where: dict[str, Hashable] = {}  # iso2 -> index of its countries.csv row, to name the cell of a clash
    for index, row in overrides.iterrows():
        code = row["iso2"]
        known = code in iso
        for column, (pattern, expected) in rules.items():
            value = row[column]
            if known and column in ("iso3", "numeric", "name") and value == "":
                continue  # ISO's value stands
            if column == "numeric" and value == "" and row["user_assigned"] == "yes":
                continue
            if not re.fullmatch(pattern, value):
                _bad(errors, path, index, column, value, expected)
        if code in where:
            _bad(errors, path, index, "iso2", code, "an iso2 no other row has")
            continue
        if known:
            for column in ("iso3", "numeric", "iso_name"):
                if row[column] and row[column] != iso[code][column]:
                    _bad(errors, path, index, column, row[column], f"ISO's {iso[code][column]} (or empty)")
            if row["user_assigned"] != "no":
                _bad(errors, path, index, "user_assigned", row["user_assigned"], "no: the code is ISO's")
            filled = {k: row.get(k, "") for k in ("name", "official_name", "source_id", "note")}
            merged[code].update({k: v for k, v in filled.items() if v})
        elif not _user_assigned_code(code):
            _bad(errors, path, index, "iso2", code,
                 "an ISO 3166-1 code or a user-assigned one (AA, QM-QZ, XA-XZ, ZZ)")
            continue
        else:
            if row["user_assigned"] != "yes":
                _bad(errors, path, index, "user_assigned", row["user_assigned"],
                     "yes exactly when the code is user-assigned (AA, QM-QZ, XA-XZ, ZZ)")
            merged[code] = {column: row[column] for column in _COLUMNS[COUNTRIES] + ["note"] if column in row}
        where[code] = index
    by_code = sorted(merged.values(), key=lambda r: r["iso2"])
    frame = pd.DataFrame(by_code)
    frame = frame.reindex(columns=list(iso_countries().columns)).fillna("").reset_index(drop=True)
    for column in ("iso3", "numeric", "name"):
        values = frame[column]
        for code in frame.loc[(values != "") & values.duplicated(keep=False), "iso2"]:
            if code in where:  # only the project's rows can clash: ISO's codes and names are unique
                _bad(errors, path, where[code], column, frame.loc[frame["iso2"] == code, column].iloc[0],
                     f"a {column} no other country has")
    return frame


def _check_predecessors(frame: pd.DataFrame, known: set[str], path: Path,
                        errors: list[TomasInputError]) -> None:
    for index, row in frame.iterrows():
        if not row["predecessor"]:
            _bad(errors, path, index, "predecessor", "", "the predecessor state's name")
        if row["successor_iso2"] not in known:
            _bad(errors, path, index, "successor_iso2", row["successor_iso2"],
                 "an iso2 of the register (ISO 3166-1 or countries.csv)")
        if row["relation"] not in ("continuator", "successor"):
            _bad(errors, path, index, "relation", row["relation"], "continuator or successor")
        if not _SOURCE_ID.fullmatch(row["source_id"]):
            _bad(errors, path, index, "source_id", row["source_id"], "a source_id from sources.csv")
        dates = {}
        for column in ("start", "end", "since"):
            if row[column]:
                try:
                    dates[column] = parse_date(row[column])
                except ParseError as exc:
                    _bad(errors, path, index, column, row[column], exc.expected)
        if "start" in dates and "end" in dates and dates["end"].definitely_before(dates["start"]):
            _bad(errors, path, index, "end", row["end"], "an end on or after the start")
    for name, group in frame.groupby("predecessor", sort=False):
        if (group["relation"] == "continuator").sum() > 1:
            index = group.index[group["relation"] == "continuator"][1]
            _bad(errors, path, index, "relation", "continuator", "at most one continuator per predecessor")
        for column in ("start", "end"):
            if group[column].nunique() > 1:
                _bad(errors, path, group.index[1], column, group[column].iloc[1],
                     f"the same {column} on every row of {name}")


def _build_keys(countries: pd.DataFrame, overrides: pd.DataFrame, names: pd.DataFrame,
                predecessors: pd.DataFrame, translations: tuple[tuple[str, str], ...], raw_dir: Path,
                errors: list[TomasInputError]) -> dict[str, set[_Target]]:
    """Every normalised name -> its targets, in layers; a higher layer wins a key.

    1. the countries' names (ISO's English names, countries.csv) and the
       predecessors' names; two countries sharing one is an error;
    2. country_names.csv; a name another state's layer-1 name has is an error;
    3. what is derived from ISO: inverted forms ("Korea, Republic of" ->
       "Republic of Korea") and iso-codes' translations. They only fill keys no
       higher layer holds, and a key they give to two countries is given to none
       (never guessed), so the outcome does not depend on any order.
    """
    keys: dict[str, set[_Target]] = {}
    rows = {row["iso2"]: index for index, row in overrides.iterrows()}
    owner: dict[str, str] = {}
    # The register's tables are all text (missing is ""), so str() only tells mypy so.
    canonical = [(str(row.iso2), str(name), column) for row in countries.itertuples()
                 for column, name in (("name", row.name), ("iso_name", row.iso_name),
                                      ("official_name", row.official_name)) if name]
    canonical += [(iso2, name, "name") for iso2, name in iso_names()]  # ISO's, where countries.csv overrides
    for iso2, name, column in canonical:
        key = normalise_key(name)
        if owner.setdefault(key, iso2) != iso2:
            # A clash needs a project row (ISO's names are unique; tests check).
            culprit = iso2 if iso2 in rows else owner[key]
            _bad(errors, raw_dir / COUNTRIES, rows.get(culprit, -1), column, name,
                 f"a name no other country has (it also means {iso2 if culprit != iso2 else owner[key]})")
            continue
        keys.setdefault(key, set()).add(_Target("country", iso2))
    for name in predecessors["predecessor"].unique():
        keys.setdefault(normalise_key(name), set()).add(_Target("predecessor", name))
    # Layer 1 as it stands: an alias may not take one of its keys from another state.
    base = {k: set(v) for k, v in keys.items()}
    known_iso2 = set(countries["iso2"])
    known_pred = set(predecessors["predecessor"])
    path = raw_dir / NAMES
    for index, row in names.iterrows():
        if bool(row["iso2"]) == bool(row["predecessor"]):
            _bad(errors, path, index, "iso2", row["iso2"], "either an iso2 or a predecessor, not both")
            continue
        if row["iso2"] and row["iso2"] not in known_iso2:
            _bad(errors, path, index, "iso2", row["iso2"], "an iso2 of the register (ISO 3166-1 or countries.csv)")
            continue
        if row["predecessor"] and row["predecessor"] not in known_pred:
            _bad(errors, path, index, "predecessor", row["predecessor"], "a predecessor from predecessors.csv")
            continue
        if not _SOURCE_ID.fullmatch(row["source_id"]):
            _bad(errors, path, index, "source_id", row["source_id"], "a source_id from sources.csv")
        key = normalise_key(row["name"])
        if not key:
            _bad(errors, path, index, "name", row["name"], "a name with letters in it")
            continue
        target = _Target("country", row["iso2"]) if row["iso2"] else _Target("predecessor", row["predecessor"])
        targets = keys.setdefault(key, set()) | {target}
        # Only predecessors may share a name ("Yugoslavia"): their dates tell them apart.
        if len(targets) > 1 and (key in base and target not in base[key]
                                 or any(t.kind == "country" for t in targets)):
            others = sorted(t.id for t in targets if t != target)
            _bad(errors, path, index, "name", row["name"],
                 f"a name no other state uses (it also means {', '.join(others)})")
            continue
        keys[key] = targets
    derived: dict[str, set[str]] = {}
    for iso2, name in [(i, n) for i, n, _ in canonical] + list(translations):
        for form in (name, inverted(name)):
            if form and (key := normalise_key(form)):
                derived.setdefault(key, set()).add(iso2)
    for key, codes in derived.items():
        if key not in keys and len(codes) == 1 and codes <= known_iso2:
            keys[key] = {_Target("country", next(iter(codes)))}
    return keys


# --- columns of a table ---------------------------------------------------


def resolve_column(df: pd.DataFrame, column: str, file: str | Path, register: Register,
                   date_column: str | None = None) -> pd.DataFrame:
    """Add `country_iso2` and `via_predecessor` for every row, or raise
    TomasInputErrors listing every cell the register cannot read.

    `date_column`, if given, is the row's date, used only to tell apart names
    that meant different states at different times.
    """
    out = df.copy()
    iso2: list[str | None] = []
    via: list[str | None] = []
    errors: list[TomasInputError] = []
    for index, value in df[column].items():
        on_date = None
        if date_column is not None and not is_na(df.at[index, date_column]):
            try:
                on_date = parse_date(str(df.at[index, date_column]))
            except ParseError:
                on_date = None  # the date column reports its own errors
        try:
            match = register.resolve("" if pd.isna(value) else str(value), on_date)
        except ParseError as exc:
            errors.append(TomasInputError(file, spreadsheet_row(index), column, "" if pd.isna(value) else value,
                                          exc.expected))
            iso2.append(None)
            via.append(None)
            continue
        iso2.append(match.iso2)
        via.append(match.via_predecessor)
    if errors:
        raise TomasInputErrors(errors)
    out["country_iso2"] = pd.array(iso2, dtype="string")
    out["via_predecessor"] = pd.array(via, dtype="string")
    return out



# --- command line ---------------------------------------------------------


def cli_country(name: str, raw_dir: Path | str, on_date: str | None = None,
                out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`tomas country NAME`: print `iso2 iso3 numeric  Name` and return 0, or
    print why not (with suggestions) to stderr and return 1."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        register = Register.load(raw_dir)
        match = register.resolve(name, on_date)
    except (ParseError, TomasInputError) as exc:
        print(f"tomas country: {exc}", file=err)
        return 1
    numeric = match.numeric or "---"
    flag = " (user-assigned code, not in ISO 3166-1)" if match.user_assigned else ""
    print(f"{match.iso2} {match.iso3} {numeric}  {match.name}{flag}", file=out)
    if match.via_predecessor:
        print(f"  via predecessor: {register.succession_note(match.via_predecessor)}", file=out)
    return 0
