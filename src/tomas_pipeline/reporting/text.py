"""Turning values into the report's text: escaping, numbers, dates, ranges and markdown tables.

Helpers that return Markdown (escaped text, citations, spans) return ``Md``:
Quarto inserts an inline value as Markdown only when it has a ``text/markdown``
representation and escapes a plain ``str``, so a plain ``str`` of Markdown
would show its markup literally. A value no source gives is "—"
(MISSING); a table or figure that this build has not made yet is shown as
NOT_AVAILABLE instead of breaking the render.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import SupportsFloat

import pandas as pd

from tomas_pipeline.core.io import is_na
from tomas_pipeline.reporting.data import country_name
from tomas_pipeline.sources.penalties import describe_months


class Md(str):
    """Markdown text. Like ``IPython.display.Markdown`` it has a ``text/markdown``
    representation, so an inline expression (Quarto or the built-in engine)
    inserts it as Markdown; unlike it, it is still a ``str``. Joining it with a
    plain ``str`` gives a plain ``str``: wrap the result in ``Md`` again."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return str(self)


MISSING = "—"  # shown for a value no source gives; never 0 or "no"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|@$~^])")


def escape(value: object) -> Md:
    """Text safe to put in Pandoc markdown: no markup, no citation, no raw HTML."""
    if value is None or (not isinstance(value, str) and is_na(value)):
        return Md(MISSING)
    return Md(_MD_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " "))


def code(value: object) -> Md:
    """Inline code: nothing inside is markup, so nothing is escaped; backticks are dropped."""
    return Md("`" + str(value).replace("`", "") + "`")


def fmt_number(value: SupportsFloat | str | None, digits: int = 0) -> str:
    if value is None or is_na(value):
        return MISSING
    return f"{float(value):,.{digits}f}"


def fmt_years(months: float | str | None) -> str:
    """Months -> '5 years', '6 months', '1 year 6 months' (penalties.describe_months)."""
    if months is None or is_na(months):
        return MISSING
    return describe_months(months)


def md_table(frame: pd.DataFrame, columns: dict[str, str] | None = None, raw: tuple[str, ...] = ()) -> str:
    """A pipe table with every cell escaped (columns named in ``raw`` are trusted markdown)."""
    frame = frame.copy()
    if columns:
        frame = frame[list(columns)].rename(columns=columns)
    header = [escape(c) for c in frame.columns]
    raw_names = {columns.get(c, c) if columns else c for c in raw}
    body = [[str(v) if c in raw_names and isinstance(v, str) else escape(v) for c, v in row.items()]
            for _, row in frame.iterrows()]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" " + "-" * w + " " for w in _widths(header, body)) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines) + "\n"


def _widths(header: Sequence[str], body: Sequence[Sequence[str]]) -> list[int]:
    """Dashes per column in proportion to its text, which Pandoc turns into relative column widths once
    a row is too long for one line: a column of long rules no longer gets the width of a column of years.
    A column weighs its mean length, up to 60, and at least its longest word, which cannot break (an id,
    a number): 1.6 times its length, up to 32, as a word needs more room than the same letters wrapped."""
    widths = []
    for i, name in enumerate(header):
        cells = [row[i] for row in body] or [""]
        word = max(len(w) for text in [name, *cells] for w in (text.split() or [""]))
        mean = round(sum(map(len, cells)) / len(cells))
        widths.append(max(3, min(32, round(1.6 * word)), min(60, mean)))
    return widths


def cite(source_ids: object) -> Md:
    """Source ids ('a;b') -> a Pandoc citation '[@a; @b]'."""
    if source_ids is None or (not isinstance(source_ids, str) and is_na(source_ids)):
        return Md("")
    ids = [s.strip() for s in str(source_ids).split(";") if s.strip()]
    return Md("[" + "; ".join("@" + s for s in ids) + "]" if ids else "")


NOT_AVAILABLE = "not available in this build"


NO_SOURCE = "no source found"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return is_na(value)
    except (TypeError, ValueError):
        return False


def quote(text: object) -> Md:
    """A quotation (a law's own wording, a source's term), escaped and marked ``{.quote}``.

    The terminology check skips text inside these spans; data-driven values
    such as ``penalties.term_used`` go through here.
    """
    if is_missing(text):
        return Md(MISSING)
    return Md("[" + escape(text) + "]{.quote}")


def law_title(text: object) -> Md:
    """The official title of a law or treaty, escaped and marked ``{.law-title}``."""
    if is_missing(text):
        return Md(MISSING)
    return Md("[" + escape(text) + "]{.law-title}")


def fmt_int(value: SupportsFloat | str | None) -> str:
    """A count with thousands separators ('26,718'); '—' when missing."""
    if value is None or is_missing(value):
        return MISSING
    return f"{round(float(value)):,}"


def fmt_date(value: object) -> Md:
    """An ISO date of any precision as prose: '20 June 2002', 'August 2002', '2009'."""
    if is_missing(value):
        return Md(MISSING)
    text = str(value).strip()
    if text.endswith(".0"):  # a year read as a float
        text = text[:-2]
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return Md(f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}")
        if len(parts) == 2:
            return Md(f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}")
    except (ValueError, IndexError):
        return escape(text)
    return escape(text)


def year_of(value: object) -> Md:
    if is_missing(value):
        return Md(MISSING)
    return escape(str(value).strip()[:4])


def fmt_range(min_months: float | str | None, max_months: float | str | None, life: object = False) -> str:
    """A statutory range in prose: 'from 3 years to 10 years', 'at least 5 years', 'up to 3 years'."""
    low = None if is_missing(min_months) else fmt_years(min_months)
    high = "life imprisonment" if (not is_missing(life) and bool(life)) else (
        None if is_missing(max_months) else fmt_years(max_months))
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


def ordinal(value: SupportsFloat | str | None) -> str:
    if value is None or is_missing(value):
        return MISSING
    n = int(round(float(value)))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def names(iso2s: Iterable[str]) -> Md:
    """'Serbia, Albania and North Macedonia'."""
    items = [escape(country_name(c)) for c in iso2s]
    if not items:
        return Md("none")
    return Md(items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1])


def count_words(n: int) -> str:
    """Small counts as words for prose ('three'), larger as digits."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[n] if 0 <= n < len(words) else f"{n:,}"
