"""Dates as sources write them -> ISO 8601 at the precision the source gives.

A source that says "April 2009" knows the month, not the day: the date is kept
as ``2009-04`` and never padded to ``2009-04-01``, so a later check cannot
mistake a guess for a fact.

Accepted forms (case and surrounding spaces do not matter)::

    2009            2009-04          2009-04-14
    14/04/2009      14.04.2009       14-04-2009     14. 4. 2009.
    14 April 2009   14th April 2009  14 Apr. 2009
    April 14, 2009  April 14th 2009  April 2009     Apr 2009

Numeric dates are always read day first (``04/05/2009`` is 4 May), as every
source in this project, European by origin, writes them. Years must lie in
1800-2100; two-digit years are refused because they are ambiguous.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tomas_pipeline.core.errors import ParseError, TomasInputError, TomasInputErrors, spreadsheet_row

YEAR_MIN, YEAR_MAX = 1800, 2100

EXPECTED = (
    "a date as YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY "
    "(day first), '14 April 2009', 'April 14, 2009', 'April 2009' or '2009', "
    f"with a real day and a year in {YEAR_MIN}-{YEAR_MAX}"
)

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_MONTH = r"(?P<month>[a-z]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?"
_YEAR = r"(?P<year>\d{4})\.?"
# Tried in order; each is matched against the whole (lower-cased) text.
_PATTERNS = [
    re.compile(rf"^{_YEAR}$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
    re.compile(r"^(?P<day>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<year>\d{4})\.?$"),
    re.compile(rf"^{_DAY}\s*(?:of\s+)?{_MONTH},?\s*{_YEAR}$"),
    re.compile(rf"^{_MONTH}\s*{_DAY},?\s*{_YEAR}$"),
    re.compile(rf"^{_MONTH},?\s*{_YEAR}$"),
]


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if not YEAR_MIN <= self.year <= YEAR_MAX:
            raise ValueError(f"year {self.year} outside {YEAR_MIN}-{YEAR_MAX}")
        # Raises ValueError for month 13, 31 February, or a day or month 0.
        dt.date(self.year, 1 if self.month is None else self.month, 1 if self.day is None else self.day)

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def earliest(self) -> dt.date:
        """First day the date can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """Last day the date can mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def definitely_before(self, other: PartialDate) -> bool | None:
        """True if every day this date can mean is before every day `other` can;
        False if none is; None when the precision leaves it open ("2009" vs "2009-04")."""
        if self.latest() < other.earliest():
            return True
        if self.earliest() >= other.latest():
            return False
        return None

    def sort_key(self) -> tuple[int, int, int]:
        """For sorting only: a year sorts before any of its months, a month before its days."""
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        return self.iso


def check_order(earlier: PartialDate, later: PartialDate) -> bool | None:
    """Is `later` on or after `earlier` (e.g. ratification after signature)?

    True when certain, False when `later` is certainly before `earlier`,
    None when the precision of the two cannot tell (both "2009").
    """
    if later.definitely_before(earlier):
        return False
    if earlier.latest() <= later.earliest():
        return True
    return None


def parse_date(text: str) -> PartialDate:
    """Read one date in any accepted form; ParseError names the accepted forms."""
    if not isinstance(text, str):
        raise ParseError(text, EXPECTED)
    cleaned = " ".join(text.replace("\u00a0", " ").split()).lower()
    for pattern in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            return _build(text, match.groupdict())
    raise ParseError(text, EXPECTED)


def _build(text: str, parts: dict[str, str | None]) -> PartialDate:
    month_text = parts.get("month")
    month: int | None
    if month_text is not None and not month_text.isdigit():
        if month_text not in _MONTHS:
            raise ParseError(text, EXPECTED)
        month = _MONTHS[month_text]
    else:
        month = int(month_text) if month_text is not None else None
    year_text, day_text = parts["year"], parts.get("day")
    assert year_text is not None  # every date pattern has a year group
    year = int(year_text)
    day = int(day_text) if day_text is not None else None
    try:
        return PartialDate(year, month, day)
    except ValueError:
        raise ParseError(text, _why_not_a_date(year, month, day)) from None


def _why_not_a_date(year: int, month: int | None, day: int | None) -> str:
    """Say which part of a well-formed date does not exist, so the fix is obvious."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        return EXPECTED
    if month is not None and not 1 <= month <= 12:
        return "a month from 1 to 12 (numeric dates are read day first, DD/MM/YYYY)"
    if month is not None and day is not None:
        days = calendar.monthrange(year, month)[1]
        return (f"a day that exists: {calendar.month_name[month]} {year} has {days} days "
                "(numeric dates are read day first, DD/MM/YYYY)")
    return EXPECTED


def parse_date_column(df: pd.DataFrame, column: str, file: Path | str,
                      not_after: dt.date | None = None) -> pd.DataFrame:
    """Add `<column>_iso` and `<column>_precision`; empty cells stay empty (unknown).

    A date that can only lie after `not_after` (the build date: a ratification
    "in 2031") is an error too. Every bad cell is reported at once as a
    TomasInputErrors.
    """
    out = df.copy()
    iso: dict[object, str | None] = {}
    precision: dict[object, str | None] = {}
    errors = []
    for index, value in df[column].items():
        if pd.isna(value) or not str(value).strip():
            iso[index] = precision[index] = None
            continue
        try:
            parsed = parse_date(str(value))
        except ParseError as exc:
            errors.append(TomasInputError(file, spreadsheet_row(index), column, value, exc.expected))
            continue
        if not_after is not None and parsed.earliest() > not_after:
            errors.append(TomasInputError(file, spreadsheet_row(index), column, value,
                                          f"a date not after the build date ({not_after.isoformat()})"))
            continue
        iso[index], precision[index] = parsed.iso, parsed.precision
    if errors:
        raise TomasInputErrors(errors)
    out[f"{column}_iso"] = pd.Series(iso, dtype="string").reindex(df.index)
    out[f"{column}_precision"] = pd.Series(precision, dtype="string").reindex(df.index)
    return out

