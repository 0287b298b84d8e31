"""The one declaration per processed table (tables.py) and what is generated from it:
the check every table passes as it is written, the data package's Table Schemas and
the data dictionary."""

from __future__ import annotations

import json

import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import TESTS

from tomas_pipeline import steps
from tomas_pipeline.core.errors import TomasInputError, TomasInputErrors
from tomas_pipeline.release.datapackage import build_descriptor
from tomas_pipeline.sources import tables
from tomas_pipeline.sources.tables import (
    TABLES,
    UndeclaredTableError,
    check_cells,
    dictionary,
    pandera_schema,
    write_table,
)

ROOT = TESTS.parent


def test_every_table_a_build_writes_is_declared_and_matches_it(built_repo):
    written = sorted((built_repo / "data" / "processed").glob("*.csv"))
    assert {p.stem for p in written} == set(TABLES), "declared tables a build does not write, or the reverse"
    for path in written:
        check_cells(path.stem, path.read_bytes(), path)
        assert path.read_text(encoding="utf-8").split("\n", 1)[0].split(",") == TABLES[path.stem].names


def test_each_declaration_makes_a_strict_ordered_pandera_schema():
    for name, table in TABLES.items():
        schema = pandera_schema(table)
        assert isinstance(schema, pa.DataFrameSchema) and schema.strict and schema.ordered
        assert list(schema.columns) == table.names, name
        assert set(table.key) <= set(table.names), name


def test_every_table_and_column_says_what_it_holds():
    undescribed = [(t.name, c.name) for t in TABLES.values() for c in t.columns if not c.meaning]
    assert not undescribed, f"columns without a description in tables.py: {undescribed}"
    assert all(t.title and t.description for t in TABLES.values())


def _terminology(**extra) -> pd.DataFrame:
    return pd.DataFrame({"term": ["child pornography", "child prostitute"], "preferred": ["x", None],
                         "status": ["avoid", "avoid"], "source_id": ["tomas2024", "tomas2024"], **extra})


def test_a_column_the_writer_adds_without_declaring_it_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "terminology.csv"
    with pytest.raises(TomasInputError) as caught:
        write_table("terminology", _terminology(added=["a", "b"]), out)
    assert (caught.value.file, caught.value.row, caught.value.column) == (str(out), 1, "added")
    assert "tables.py" in caught.value.expected and "terminology" in caught.value.expected
    assert not out.exists()


def test_a_writer_step_that_adds_a_column_fails(tmp_path, monkeypatch):
    """As a developer meets it: the changes writer gains a column nobody declared; the step stops."""
    from tomas_pipeline.release import changes

    real = changes.compare_with_release

    def with_extra(*args, **kwargs):
        frame, note = real(*args, **kwargs)
        return frame.assign(confidence=pd.Series(dtype="string")), note

    out = tmp_path / "changes.csv"
    steps.changes(None, str(tmp_path), [], str(out), str(tmp_path / "changes.log"), release=False)
    assert out.read_text(encoding="utf-8") == ",".join(TABLES["changes"].names) + "\n"
    monkeypatch.setattr(changes, "compare_with_release", with_extra)
    out.unlink()
    with pytest.raises(TomasInputError) as caught:
        steps.changes(None, str(tmp_path), [], str(out), str(tmp_path / "changes.log"), release=False)
    assert caught.value.column == "confidence"
    assert not out.exists()


def test_a_cell_off_its_declared_type_names_file_row_column_value_and_expectation(tmp_path):
    frame = _terminology()
    frame.loc[1, "status"] = "banned"
    out = tmp_path / "terminology.csv"
    with pytest.raises(TomasInputError) as caught:
        write_table("terminology", frame, out)
    err = caught.value
    assert (err.row, err.column, err.value) == (3, "status", "banned")
    assert "one of: avoid, never_use" in err.expected
    several = _terminology(status=["avoid", "bad"], source_id=["tomas2024", None])
    with pytest.raises(TomasInputErrors) as both:
        write_table("terminology", several, out)
    assert {(e.row, e.column) for e in both.value.errors} == {(3, "status"), (3, "source_id")}


def test_types_are_checked_as_written(tmp_path):
    table = TABLES["index_weights"]
    row = {c: "x" for c in table.names} | {"pillar_weight": 0.5, "indicator_weight": 0.25}
    write_table("index_weights", pd.DataFrame([row]), tmp_path / "ok.csv")
    with pytest.raises(TomasInputError) as caught:
        write_table("index_weights", pd.DataFrame([row | {"pillar_weight": "half"}]), tmp_path / "bad.csv")
    assert (caught.value.column, caught.value.value, caught.value.row) == ("pillar_weight", "half", 2)
    assert caught.value.expected.startswith("a number")


def test_an_undeclared_table_is_refused(tmp_path):
    with pytest.raises(UndeclaredTableError, match="tables.py"):
        write_table("new_metric", pd.DataFrame({"a": [1]}), tmp_path / "new_metric.csv")
    assert not (tmp_path / "new_metric.csv").exists()


def test_the_steps_write_through_the_declaration():
    source = (ROOT / "src" / "tomas_pipeline" / "steps.py").read_text(encoding="utf-8")
    assert "write_csv(" not in source, "a step writes a table without checking it against tables.py"
    assert steps.write_table is tables.write_table


def test_the_dictionary_is_generated_and_lists_every_declared_column():
    text = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert text == dictionary(), "docs/data-dictionary.md is stale: python -m tomas_pipeline.sources.tables > it"
    sections = {part.split("`", 1)[0].removesuffix(".csv"): part for part in text.split("\n## `")[1:]}
    assert set(sections) == set(TABLES)
    for name, table in TABLES.items():
        for column in table.columns:
            assert f"| `{column.name}` | {column.type} |" in sections[name], (name, column.name)


def test_the_data_package_carries_every_declared_column(tmp_path):
    (tmp_path / "data").mkdir()
    for name, table in TABLES.items():
        (tmp_path / "data" / f"{name}.csv").write_text(",".join(table.names) + "\n", encoding="utf-8")
    package = build_descriptor(tmp_path, "data", "9.9.9", 0)
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == set(TABLES)
    for name, table in TABLES.items():
        schema = resources[name]["schema"]
        assert [f["name"] for f in schema["fields"]] == table.names
        for field, column in zip(schema["fields"], table.columns, strict=True):
            assert field["type"] == ("string" if column.type == "date" else column.type), (name, column.name)
            assert field.get("description") == column.meaning, (name, column.name)
        assert schema.get("primaryKey", []) == list(table.key)
        assert {fk["fields"] for fk in schema.get("foreignKeys", [])} == {c for c, _, _ in table.foreign_keys}
        assert resources[name].get("title") == table.title
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    from frictionless import validate

    assert validate(str(tmp_path / "datapackage.json")).valid
