"""The processed tables as a Frictionless data package (``datapackage.json``).

Every CSV gets a Table Schema from its declaration in tables.py (types,
descriptions, key, title), and foreign keys to the country register, the
instruments, the offences and the sources where both ship. A CSV tables.py
does not declare (the build refuses to write one) gets types inferred from
its cells.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from tomas_pipeline.core.io import read_processed, sha256_file
from tomas_pipeline.sources.tables import (
    COMMON_FIELDS,
    DATE_PATTERN,
    INTEGER_PATTERN,
    NUMBER_PATTERN,
    REFERENCES,
    TABLES,
    ColumnType,
)

# The facts are compiled from the cited sources; the compilation is offered
# under CC BY 4.0 (the code is MIT). Each source keeps its own terms.
DATA_LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
                "path": "https://creativecommons.org/licenses/by/4.0/"}

# A column name declared with one type wherever it appears (tables.py) keeps it in a table not declared yet.
def _types_by_name() -> dict[str, ColumnType]:
    seen: dict[str, set[ColumnType]] = {}
    for table in TABLES.values():
        for column in table.columns:
            seen.setdefault(column.name, set()).add(column.type)
    return {name: next(iter(types)) for name, types in seen.items() if len(types) == 1}


_TYPES_BY_NAME = _types_by_name()


def _type(kind: ColumnType) -> dict:
    if kind == "date":
        return {"type": "string", "constraints": {"pattern": DATE_PATTERN}}
    return {"type": kind}


def _field_type(name: str, column: pd.Series) -> dict:
    """For a table tables.py does not declare: a Table Schema type that fits every cell
    as written (``column`` is text), so "36.0" is a number, never an integer."""
    if name in _TYPES_BY_NAME:
        return _type(_TYPES_BY_NAME[name])
    values = column.dropna()
    if values.empty:
        return {"type": "string"}
    if values.isin(["True", "False"]).all():
        return {"type": "boolean"}
    if values.str.fullmatch(INTEGER_PATTERN).all():
        return {"type": "integer"}
    if values.str.fullmatch(NUMBER_PATTERN).all():
        return {"type": "number"}
    return {"type": "string"}


def table_schema(name: str, frame: pd.DataFrame, available: set[str]) -> dict:
    """The Table Schema of one CSV: from its declaration (tables.py), else inferred from the cells."""
    declared = TABLES.get(name)
    fields = []
    for column in frame.columns:
        if declared is not None and column in declared.names:
            spec = declared.column(column)
            field = {"name": column, **_type(spec.type)}
            description = spec.meaning
        else:
            field = {"name": column, **_field_type(column, frame[column])}
            description = COMMON_FIELDS.get(column)
        if description:
            field["description"] = description
        fields.append(field)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if declared is not None and declared.key:
        schema["primaryKey"] = list(declared.key)
    foreign = []
    for column, (target, target_field) in REFERENCES.items():
        if column in frame.columns and target in available and not (target == name and column == target_field):
            foreign.append({"fields": column, "reference": {"resource": target, "fields": target_field}})
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _source_entries(sources: pd.DataFrame) -> list[dict]:
    out = []
    for row in sources.to_dict("records"):
        year = f" ({int(row['year'])})" if pd.notna(row.get("year")) else ""
        entry = {"title": f"{row['author']}: {row['title']}{year} [{row['source_id']}]"}
        if isinstance(row.get("url"), str) and row["url"].startswith(("http://", "https://")):
            entry["path"] = row["url"]
        out.append(entry)
    return out


def build_descriptor(folder: Path | str, data_subdir: str, version: str, epoch: int) -> dict:
    """The descriptor for every CSV in ``folder/data_subdir``; paths relative to ``folder``."""
    folder = Path(folder)
    files = sorted((folder / data_subdir).glob("*.csv"))
    names = [p.stem for p in files]
    available = set(names)
    resources = []
    for path in files:
        # As text: the schema must fit the cells as written, whatever pandas would infer.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        declared = TABLES.get(path.stem)
        resource = {
            "name": path.stem,
            "path": f"{data_subdir}/{path.name}",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": "sha256:" + sha256_file(path),
            "schema": table_schema(path.stem, frame, available),
        }
        if declared is not None and declared.title:
            resource["title"] = declared.title
        if declared is not None and declared.description:
            resource["description"] = declared.description
        resources.append(resource)
    created = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sources = read_processed(folder / data_subdir / "sources.csv") if "sources" in available else pd.DataFrame()
    return {
        "profile": "tabular-data-package",
        "name": "tomas-toolkit-data",
        "title": "TOMAS toolkit: processed data on CSAM legislation in the Western Balkans",
        "description": "The tables behind the TOMAS report: treaty actions, penalties, features of law, "
                       "institutions and statistics for Serbia, Albania, North Macedonia and their neighbours, "
                       "each row citing its source (sources.csv).",
        "version": version,
        "created": created,
        "contributors": [{"title": "TOMAS toolkit contributors", "role": "author"}],
        "licenses": [DATA_LICENCE],
        "sources": _source_entries(sources) if len(sources) else [],
        "resources": resources,
    }
