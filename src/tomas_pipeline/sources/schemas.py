"""The shape of every raw table, as pandera schemas.

These check what can be checked cell by cell (required, allowed values,
patterns, unique keys, no unknown columns). Meaning that needs other tables
or parsing (country names, dates, penalties, foreign keys) is checked by
the normalisers, which report in the same file/row/column form.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from tomas_pipeline.sources.dates import parse_date

INSTRUMENTS = ("uncrc", "opsc", "palermo", "lanzarote", "budapest", "warsaw")
ACTIONS = ("signature", "ratification", "accession", "succession", "entry_into_force")
# Actions that make a state a party.
BINDING_ACTIONS = ("ratification", "accession", "succession")
OFFENCES = (
    "producing", "offering", "distributing", "procuring",
    "possessing", "accessing", "grooming", "trafficking_children",
)
YES_NO = ("yes", "no")
YES_NO_PARTIAL = ("yes", "no", "partial")

_ID = r"^[a-z0-9_]+$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_YEAR = r"^\d{4}$"


def _text(required: bool = True, **kwargs) -> pa.Column:
    return pa.Column("string", nullable=not required, required=True, **kwargs)


def _optional(**kwargs) -> pa.Column:
    return pa.Column("string", nullable=True, required=False, **kwargs)


def _one_of(values, required: bool = True) -> pa.Column:
    return _text(required, checks=pa.Check.isin(list(values)))


def _pattern(regex: str, required: bool = True) -> pa.Column:
    return _text(required, checks=pa.Check.str_matches(regex))


def _is_date(text: str) -> bool:
    try:
        parse_date(text)
    except (ValueError, TypeError):
        return False
    return True


def _schema(name: str, columns: dict, key: list[str] | None = None) -> pa.DataFrameSchema:
    # strict: an unknown column is more likely a typo than new data.
    return pa.DataFrameSchema(columns, strict=True, unique=key, name=name, coerce=False)


SOURCES = _schema(
    "sources.csv",
    {
        "source_id": _pattern(_ID),
        "kind": _one_of(("primary", "secondary")),
        # What sort of source it is (source_kinds.csv); required for a primary one.
        "type": pa.Column("string", nullable=True, required=False, checks=pa.Check.str_matches(_ID)),
        "author": _text(),
        "title": _text(),
        "publisher": _optional(),
        "year": _pattern(_YEAR, required=False),
        "url": _pattern(r"^https?://\S+$", required=False),
        "accessed": _pattern(_ISO_DATE, required=False),
        "csl_type": _one_of(
            ("report", "legislation", "treaty", "webpage", "article-journal",
             "book", "chapter", "dataset", "article-newspaper", "document"),
        ),
        "container": _optional(),
        "note": _optional(),
        # BCP 47 tag of the title's language; citeproc title-cases only English titles.
        "language": _pattern(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", required=False),
        # What a citation prints for a source without an author of its own (a law, a treaty, a gazette).
        "short_title": pa.Column("string", nullable=True, required=False),
    },
    key=["source_id"],
)

INSTRUMENTS_TABLE = _schema(
    "instruments.csv",
    {
        "instrument_id": _pattern(_ID),
        "short_name": _text(),
        "title": _text(),
        "body": _one_of(("UN", "Council of Europe")),
        "reference": _optional(),
        # Date the treaty text was adopted (CRC: by the UN General Assembly), as the source writes it.
        # The normaliser does not parse this column, so it is checked here.
        "adopted": pa.Column("string", nullable=True, required=False,
                             checks=pa.Check(_is_date, element_wise=True, error="a date the pipeline can read")),
        "opened": _optional(),
        "in_force": _optional(),
        "source_id": _pattern(_ID),
    },
    key=["instrument_id"],
)

OFFENCES_TABLE = _schema(
    "offences.csv",
    {
        "offence": _one_of(OFFENCES),
        "label": _text(),
        "lanzarote_article": _optional(),
        "directive_article": _optional(),
        "directive_floor": _optional(),
        "source_id": _pattern(_ID),
    },
    key=["offence"],
)

TREATY_ACTIONS = _schema(
    "treaty_actions.csv",
    {
        "country": _text(),
        "instrument": _pattern(_ID),
        "action": _one_of(ACTIONS),
        "date": _text(),
        "source_id": _pattern(_ID),
        "note": _optional(),
    },
    key=["country", "instrument", "action", "source_id"],
)

SOURCE_KINDS = _schema(
    "source_kinds.csv",
    {
        "type": _pattern(_ID),
        "primary": _one_of(YES_NO),
        "label": _text(),
        "description": _text(),
    },
    key=["type"],
)

# One row per provision version as one source gives it: a paragraph of a code in
# one version of its text carries exactly one penalty (the key refuses a second).
PROVISIONS = _schema(
    "provisions.csv",
    {
        "provision": _pattern(_ID),
        "country": _text(),
        "jurisdiction": _optional(),
        "code": _text(),
        "article": _optional(),
        "form": pa.Column("string", nullable=True, required=False, checks=pa.Check.isin(["basic", "aggravated"])),
        "penalty": _text(),
        "term_used": _optional(),
        "as_of": _optional(),
        "amending_law": _optional(),
        "quoted": pa.Column("string", nullable=True, required=False, checks=pa.Check.isin(list(YES_NO))),
        "source_id": _pattern(_ID),
        "note": _optional(),
    },
    key=["provision", "as_of", "source_id"],
)

# Which offences a provision covers (one provision may cover several), and who says so.
PENALTIES = _schema(
    "penalties.csv",
    {
        "offence": _one_of(OFFENCES),
        "provision": _pattern(_ID),
        "source_id": _pattern(_ID),
        "note": _optional(),
    },
    key=["offence", "provision", "source_id"],
)

LEGAL_FEATURES = _schema(
    "legal_features.csv",
    {
        "country": _text(),
        "feature": _pattern(_ID),
        "value": _one_of(YES_NO_PARTIAL),
        "article": _optional(),
        "as_of": _optional(),
        "source_id": _pattern(_ID),
        "note": _optional(),
    },
    key=["country", "feature", "source_id"],
)

LAWS = _schema(
    "laws.csv",
    {
        "country": _text(),
        "law": _text(),
        "year": _pattern(_YEAR, required=False),
        "kind": _pattern(_ID),
        "covers_online": _one_of(YES_NO, required=False),
        "source_id": _pattern(_ID),
        "note": _optional(),
    },
    key=["country", "law", "source_id"],
)

STRATEGIES = _schema(
    "strategies.csv",
    {
        "country": _text(),
        "title": _text(),
        "start_year": _pattern(_YEAR, required=False),
        "end_year": _pattern(_YEAR, required=False),
        "field": _pattern(_ID),
        "addresses_children_online": _one_of(YES_NO, required=False),
        "source_id": _pattern(_ID),
        "note": _optional(),
        # yes: it provides for educating children, parents or the public about sexual abuse of children.
        "educates_public": pa.Column("string", nullable=True, required=False, checks=pa.Check.isin(list(YES_NO))),
    },
    key=["country", "title", "start_year", "source_id"],
)

INSTITUTIONS = _schema(
    "institutions.csv",
    {
        "country": _text(),
        "name": _text(),
        "kind": _pattern(_ID),
        "parent": _optional(),
        "established": _optional(),
        "inhope_member": _one_of(YES_NO, required=False),
        "inhope_since": _pattern(_YEAR, required=False),
        "url": _pattern(r"^https?://\S+$", required=False),
        "source_id": _pattern(_ID),
        "note": _optional(),
        # no: the source states that the country has no body of this kind; empty means the body exists.
        "exists": pa.Column("string", nullable=True, required=False, checks=pa.Check.isin(list(YES_NO))),
    },
    key=["country", "name", "kind", "source_id"],
)

# Cells an institutions row stating an absence (exists = no) must leave empty: an absent body has none of them.
ABSENT_BODY_EMPTY = ("parent", "established", "inhope_member", "inhope_since", "url")


def stated_absent(frame: pd.DataFrame) -> pd.Series:
    """Rows of an institutions frame that state a body's absence (exists = no); a frame without the column
    states none. Every other row names a body that exists."""
    if "exists" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["exists"].astype("string").str.strip().str.lower().eq("no").fillna(False).astype(bool)

STATISTICS = _schema(
    "statistics.csv",
    {
        "country": _text(),
        "indicator": _pattern(_ID),
        "year": _pattern(_YEAR, required=False),
        "value": _text(),
        "unit": _text(),
        "out_of": _pattern(r"^\d+$", required=False),
        "source_id": _pattern(_ID),
        "note": _optional(),
    },
    key=["country", "indicator", "year", "source_id"],
)

TERMINOLOGY = _schema(
    "terminology.csv",
    {
        "term": _text(),
        "preferred": _optional(),
        "status": _one_of(("avoid", "never_use")),
        "source_id": _pattern(_ID),
    },
    key=["term"],
)

# The search log: one row per attempt to find a fact that is (or was) missing. `table` is the fact table
# of the gap (audit.gaps' `table`); `key` is the gap's key there or `*` for every key of that table and
# country. Whether a key is one the audit knows is checked by audit.check_searches (it needs the
# expectations); the country code by normalise.
SEARCH_TABLES = ("treaty_actions", "penalties", "legal_features", "institutions", "statistics", "strategies",
                 "scorecard")
SEARCH_OUTCOMES = ("not_reached", "not_stated", "found")
ALL_KEYS = "*"

SEARCHES = _schema(
    "searches.csv",
    {
        "table": _one_of(SEARCH_TABLES),
        # Empty for a global or regional fact.
        "country_iso2": _pattern(r"^[A-Z]{2}$", required=False),
        "key": _text(),
        "searched_on": pa.Column("string", nullable=False, required=True,
                                 checks=[pa.Check.str_matches(_ISO_DATE),
                                         pa.Check(_is_date, element_wise=True, error="a date the pipeline can read")]),
        "where": _text(),
        "outcome": _one_of(SEARCH_OUTCOMES),
    },
    key=["table", "country_iso2", "key", "searched_on", "where"],
)

# File name -> schema. The register's own tables are checked by countries.py.
RAW_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "sources.csv": SOURCES,
    "instruments.csv": INSTRUMENTS_TABLE,
    "offences.csv": OFFENCES_TABLE,
    "treaty_actions.csv": TREATY_ACTIONS,
    "source_kinds.csv": SOURCE_KINDS,
    "provisions.csv": PROVISIONS,
    "penalties.csv": PENALTIES,
    "legal_features.csv": LEGAL_FEATURES,
    "laws.csv": LAWS,
    "strategies.csv": STRATEGIES,
    "institutions.csv": INSTITUTIONS,
    "statistics.csv": STATISTICS,
    "terminology.csv": TERMINOLOGY,
    "searches.csv": SEARCHES,
}
