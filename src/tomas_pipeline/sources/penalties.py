"""Statutory penalties as codes and reports write them -> months and flags.

"six months to five years" becomes min 6, max 60; "up to 3 years" max 36 with
no minimum; "at least one year" min 12 with no maximum (a code's general
maximum is not invented here); "10 to 20 years or life imprisonment" min 120,
max 240 with ``life``; "fine or imprisonment up to one year" max 12 with
``fine``; "fine" alone or "life imprisonment" alone have no months.

A bare term with no qualifier ("six months") is read as exactly that term
(min = max); if a source means a ceiling it must say "up to".

Numbers are digits (``1.5`` or ``1,5`` allowed) or English words one to twenty
(and thirty, forty, fifty); units are years and months. Anything else in the
text is an error rather than a guess: "5 years 13 months", "1,000 years" (a
thousand, or one?) and terms over 50 years are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tomas_pipeline.core.errors import ParseError, TomasInputError, TomasInputErrors, spreadsheet_row

EXPECTED = (
    "a penalty such as 'six months to five years', '1-8 years', 'from 3 to 10 years', "
    "'up to 3 years', 'at least one year', 'life imprisonment', 'fine', "
    "'fine or imprisonment up to one year' (positive numbers in years or months)"
)
ORDER_EXPECTED = "a minimum not above the maximum"
# No code compared here sets a fixed term above 40 years; longer is a typing slip.
MAX_TERM_MONTHS = 50 * 12
TERM_EXPECTED = "a prison term of at most 50 years (a life sentence is written 'life imprisonment')"

_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50})

_UNITS = {"year": 12, "years": 12, "yr": 12, "yrs": 12, "month": 1, "months": 1}
_LIFE = re.compile(r"\b(?:life\s*(?:long)?\s*(?:imprisonment|sentence|term)?|lifelong(?:\s+imprisonment)?"
                   r"|imprisonment\s+for\s+life)\b")
_FINE = re.compile(r"\b(?:fines?|fined|monetary\s+penalty|pecuniary\s+penalty)\b")
# Words that only say what kind of penalty it is; they carry no number.
_FILLER = {"imprisonment", "prison", "in", "of", "a", "an", "the", "by", "sentence", "term", "jail",
           "punishable", "punished", "with", "custodial", "penalty", "both", "shall", "be", "is",
           "for", "period", "deprivation", "liberty", "plus", "only", "may", "also"}
_KEYWORDS = {"to", "from", "between", "and", "or", "up", "not", "no", "less", "more", "than", "at",
             "least", "most", "minimum", "min", "maximum", "max", "exceeding", "over", "until", "till",
             "above"}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+|-|\S")

# Shapes of the whole clause once every duration is the symbol D.
_RANGE = re.compile(r"^(?:from |between )?D (?:to|until|till|-) D$|^between D and D$")
_MAX = re.compile(r"^(?:up to|not more than|no more than|at most|maximum|max|not exceeding|not over"
                  r"|until|till) D$")
_MIN = re.compile(r"^(?:at least|not less than|no less than|minimum|min) D$|^D (?:or|and) (?:more|over|above)$")
# "from 10 years to life imprisonment": once life is taken out, a range open at the top.
_TO_LIFE = re.compile(r"^(?:from )?D (?:to|-)$")


@dataclass(frozen=True)
class Penalty:
    """Prison range in months (None = the text gives no bound) and two flags."""

    min_months: float | None
    max_months: float | None
    life: bool = False
    fine: bool = False


def parse_penalty(text: str) -> Penalty:
    """Read one penalty; ParseError says what was expected."""
    if not isinstance(text, str) or not text.strip():
        raise ParseError(text, EXPECTED)
    cleaned = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    life = bool(_LIFE.search(cleaned))
    cleaned = _LIFE.sub(" ", cleaned)
    fine = bool(_FINE.search(cleaned))
    cleaned = _FINE.sub(" ", cleaned)
    tokens = _tokens(text, cleaned)
    symbols, durations = _durations(text, tokens)
    if symbols[-2:] == ["between", "D"] or symbols == ["between", "D"]:
        # "between 1 year and 12 months": the "and" separates the two ends, not one compound term.
        symbols, durations = _durations(text, tokens, compound=False)
    # "or"/"and" left at either end joined the prison term to a fine or to life.
    while symbols and symbols[0] in ("or", "and"):
        symbols.pop(0)
    while symbols and symbols[-1] in ("or", "and"):
        symbols.pop()
    shape = " ".join(symbols)
    if not shape:
        if life or fine:
            return Penalty(None, None, life, fine)
        raise ParseError(text, EXPECTED)
    if shape == "D":
        low = high = durations[0]
    elif _RANGE.match(shape):
        low, high = durations
    elif _MAX.match(shape):
        low, high = None, durations[0]
    elif _MIN.match(shape) or (life and _TO_LIFE.match(shape)):
        low, high = durations[0], None
    else:
        raise ParseError(text, EXPECTED)
    if low is not None and high is not None and low > high:
        raise ParseError(text, ORDER_EXPECTED)
    return Penalty(low, high, life, fine)


def _tokens(original: str, cleaned: str) -> list[str | float]:
    """Numbers (as floats), units, keywords; filler dropped; unknown words are an error."""
    out: list[str | float] = []
    words = _TOKEN.findall(cleaned)
    for k, token in enumerate(words):
        if token[0].isdigit():
            # "1,5" is a decimal comma; "1,000" could be a thousand or 1.000: refused, not guessed.
            if re.fullmatch(r"\d+,\d{3}", token):
                raise ParseError(original, EXPECTED)
            out.append(float(token.replace(",", ".")))
        elif token in _WORDS:
            out.append(float(_WORDS[token]))
        elif token in ("a", "an") and k + 1 < len(words) and words[k + 1] in _UNITS:
            out.append(1.0)  # "up to a year"
        elif token in _UNITS or token in _KEYWORDS or token == "-":
            out.append(token)
        elif token in _FILLER or token in ",;:()/.'":
            continue
        else:
            raise ParseError(original, EXPECTED)
    return out


def _durations(original: str, tokens: list[str | float], compound: bool = True) -> tuple[list[str], list[float]]:
    """Fold each term into the symbol D with its months.

    "1 year and 6 months" is one term; a number with no unit ("3" in
    "3 to 10 years") takes the unit of the next term that has one.
    """
    symbols: list[str] = []
    terms: list[tuple[float, int | None]] = []  # (number or months, unit factor or None)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if isinstance(token, float):
            if token <= 0:
                raise ParseError(original, EXPECTED)
            unit = tokens[i + 1] if i + 1 < len(tokens) else None
            if unit in _UNITS:
                term, factor = token * _UNITS[unit], _UNITS[unit]
                i += 2
                # "1 year (and) 6 months": the months belong to the same term.
                j = i + 1 if i < len(tokens) and tokens[i] == "and" else i
                extra = tokens[j] if j + 1 < len(tokens) else None
                # Only whole years and fewer than 12 months fold: "5 years 13 months" stays two
                # terms side by side, which no shape accepts, rather than 6 years 1 month.
                if (compound and factor == 12 and isinstance(extra, float)
                        and tokens[j + 1] in ("month", "months") and extra < 12 and token == int(token)):
                    term += extra
                    i = j + 2
                terms.append((term, factor))
            else:
                terms.append((token, None))
                i += 1
            symbols.append("D")
            continue
        if token in _UNITS:  # a unit with no number before it
            raise ParseError(original, EXPECTED)
        symbols.append(str(token))
        i += 1
    months: list[float] = []
    for k, (value, unit_factor) in enumerate(terms):
        if unit_factor is None:
            following = [f for _, f in terms[k + 1:] if f is not None]
            if not following:
                raise ParseError(original, EXPECTED)
            value = value * following[0]
        if value > MAX_TERM_MONTHS:
            raise ParseError(original, TERM_EXPECTED)
        months.append(value)
    return symbols, months


def describe_months(months: float | str, short: bool = False) -> str:
    """The one way a term is written back, in the report, on figures and in the
    release notes: whole years in years, otherwise years and months as codes
    state them. 60 -> '5 years', 18 -> '1 year 6 months', 6 -> '6 months'
    (short, for figure labels: '5 yr', '1 yr 6 mo', '6 mo')."""
    months = float(months)
    years, rest = divmod(months, 12)
    unit_y = "yr" if short else ("year" if years == 1 else "years")
    unit_m = "mo" if short else ("month" if rest == 1 else "months")
    parts = ([f"{years:g} {unit_y}"] if years else []) + ([f"{rest:g} {unit_m}"] if rest or not years else [])
    return " ".join(parts)


def parse_penalty_column(df: pd.DataFrame, column: str, file: Path | str) -> pd.DataFrame:
    """Add min_months, max_months, life, fine; empty cells stay unknown (NA)."""
    out = df.copy()
    rows: dict[object, Penalty | None] = {}
    errors = []
    for index, value in df[column].items():
        if pd.isna(value) or not str(value).strip():
            rows[index] = None
            continue
        try:
            rows[index] = parse_penalty(str(value))
        except ParseError as exc:
            errors.append(TomasInputError(file, spreadsheet_row(index), column, value, exc.expected))
    if errors:
        raise TomasInputErrors(errors)

    def pick(attr: str) -> list[Any]:
        return [None if rows[i] is None else getattr(rows[i], attr) for i in df.index]

    out["min_months"] = pd.array(pick("min_months"), dtype="Float64")
    out["max_months"] = pd.array(pick("max_months"), dtype="Float64")
    out["life"] = pd.array(pick("life"), dtype="boolean")
    out["fine"] = pd.array(pick("fine"), dtype="boolean")
    return out

