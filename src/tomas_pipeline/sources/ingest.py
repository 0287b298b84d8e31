"""Reading the raw source tables and checking them against their schemas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.errors

from tomas_pipeline.core.errors import TomasInputError, TomasInputErrors, spreadsheet_row
from tomas_pipeline.core.io import once_per_content, read_raw_csv
from tomas_pipeline.sources.schemas import RAW_SCHEMAS

# pandera check names -> words a researcher understands.
_EXPECTED = {
    "column_in_dataframe": "this required column in the header",
    "column_in_schema": "no column of this name (check the spelling against data/raw/README.md)",
    "not_nullable": "a value (this column is required)",
    "multiple_fields_uniqueness": "a unique key; another row has the same {key}",
    "field_uniqueness": "a unique value",
}


def _expected_for(check: str, schema, column: str | None) -> str:
    check = str(check)
    if check.startswith("isin("):
        allowed = schema.columns[column].checks[0].statistics.get("allowed_values", [])
        return "one of: " + ", ".join(map(str, allowed))
    if check.startswith("str_matches("):
        pattern = schema.columns[column].checks[0].statistics.get("pattern")
        return f"text matching {pattern}"
    for name, words in _EXPECTED.items():
        if check.startswith(name):
            return words.format(key=", ".join(schema.unique or []))
    return check


def _to_input_errors(exc: pandera.errors.SchemaErrors, path: Path, schema, frame) -> list[TomasInputError]:
    errors: list[TomasInputError] = []
    cases = exc.failure_cases.copy()
    for record in cases.to_dict("records"):
        column = record.get("column")
        column = None if pd.isna(column) else str(column)
        check = str(record.get("check"))
        value = record.get("failure_case")
        index = record.get("index")
        row = None if index is None or pd.isna(index) else spreadsheet_row(index)
        if check.startswith("column_in_schema"):
            column, row = str(value), 1
        elif check.startswith("column_in_dataframe"):
            column, row = str(value), 1
        elif check.startswith("multiple_fields_uniqueness"):
            column = ", ".join(schema.unique or [])
            value = " | ".join(str(frame.at[index, c]) for c in schema.unique)
        errors.append(TomasInputError(path, row, column, None if pd.isna(value) else value,
                                      _expected_for(check, schema, column)))
    # One message per cell is enough (uniqueness reports every column of a key).
    seen, unique = set(), []
    for err in errors:
        key = (err.row, err.column)
        if key not in seen:
            seen.add(key)
            unique.append(err)
    return sorted(unique, key=lambda e: (e.row or 0, e.column or ""))


# Tables already checked in this process (io.once_per_content).
_CHECKED: dict[tuple, pd.DataFrame] = {}


def load_table(raw_dir: Path | str, name: str) -> pd.DataFrame:
    """Read one raw table and check it against its schema."""
    path = Path(raw_dir) / name
    if not path.exists():
        raise TomasInputError(path, None, None, "missing file", f"the raw table {name} (see data/raw/README.md)")
    return once_per_content(_CHECKED, [path], lambda: _check(path, name)).copy()


# A cell longer than this is pasted by mistake (a page in a name cell) and would
# run off every table in every format; notes and URLs may be longer.
MAX_CHARS = 500
MAX_CHARS_BY_COLUMN = {"note": 2000, "url": 2000}


def _check_lengths(frame: pd.DataFrame, path: Path) -> None:
    errors = []
    for column in frame.columns:
        limit = MAX_CHARS_BY_COLUMN.get(str(column), MAX_CHARS)
        for index, value in frame[column].dropna().items():
            if len(value) > limit:
                errors.append(TomasInputError(path, spreadsheet_row(index), column, value[:60] + "…",
                                              f"at most {limit:,} characters (this cell has {len(value):,})"))
    if errors:
        raise TomasInputErrors(errors)


def _check(path: Path, name: str) -> pd.DataFrame:
    frame = read_raw_csv(path)
    _check_lengths(frame, path)
    schema = RAW_SCHEMAS[name]
    # Columns a schema lists as optional may be left out of a file: add them empty.
    for column, spec in schema.columns.items():
        if not spec.required and column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise TomasInputErrors(_to_input_errors(exc, path, schema, frame)) from None
    return frame


def check_source_ids(frame: pd.DataFrame, path: Path | str, sources: pd.DataFrame) -> None:
    """Every cited source id must resolve in sources.csv."""
    known = set(sources["source_id"].dropna())
    errors = [
        TomasInputError(path, spreadsheet_row(i), "source_id", v, "a source_id listed in sources.csv")
        for i, v in frame["source_id"].items()
        if pd.notna(v) and v not in known
    ]
    if errors:
        raise TomasInputErrors(errors)


def check_foreign_key(frame, path, column: str, allowed, table: str) -> None:
    allowed = set(allowed)
    errors = [
        TomasInputError(path, spreadsheet_row(i), column, v, f"an id listed in {table}")
        for i, v in frame[column].items()
        if pd.notna(v) and v not in allowed
    ]
    if errors:
        raise TomasInputErrors(errors)
