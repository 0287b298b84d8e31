"""No value loses a digit between data/raw and data/processed."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from buildkit import base_build, read_rows
from conftest import RAW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tomas_pipeline.core.errors import TomasInputErrors
from tomas_pipeline.core.io import frame_to_csv_bytes, read_processed
from tomas_pipeline.sources.normalise import STEPS, make_table


def _decimal(cell: str) -> Decimal:
    return Decimal(cell.replace(",", "").replace("\u00a0", "").replace(" ", "").rstrip("%"))


def _grouped(value: Decimal, sep: str) -> str:
    """How a person types a number with thousands separators."""
    sign, whole, dot, frac = ("-" if value < 0 else ""), *f"{abs(value):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", sep)
    return sign + groups + dot + frac


# Counts up to a trillion and decimals of up to 15 significant digits: what a
# statistic can hold without a float rounding it.
counts = st.integers(min_value=0, max_value=10**12).map(Decimal)
decimals = st.decimals(min_value=-10**6, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
cells = st.tuples(st.one_of(counts, decimals), st.sampled_from(["", ",", "\u00a0"]))


def _statistics_with(raw: Path, written: list[str]) -> None:
    rows = read_rows(raw / "statistics.csv")
    template = rows[0]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(template), lineterminator="\n")
    writer.writeheader()
    for k, value in enumerate(written):
        # A distinct year per row keeps every generated row its own fact.
        writer.writerow({**template, "value": value, "year": str(1000 + k), "unit": "count", "out_of": ""})
    (raw / "statistics.csv").write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def scratch_raw(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("exact") / "raw"
    shutil.copytree(RAW, target)
    return target


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(cells, min_size=1, max_size=30))
def test_generated_values_round_trip_raw_to_processed(scratch_raw, generated):
    written = [(str(v) if sep == "" else _grouped(v, sep)) for v, sep in generated]
    _statistics_with(scratch_raw, written)
    processed_bytes = frame_to_csv_bytes(make_table("statistics", scratch_raw))
    back = read_processed(io.BytesIO(processed_bytes))
    assert "e+" not in processed_bytes.decode() and "e-" not in processed_bytes.decode()
    by_year = {int(y): v for y, v in zip(back["year"], back["value"])}
    for k, cell in enumerate(written):
        assert Decimal(repr(float(by_year[1000 + k]))) == _decimal(cell), cell


@pytest.mark.parametrize("cell", ["1,23,4", "12.5.1", "1,000 000", "1e5", ".5", "12 %5",
                                  "1234567890123456789"])
def test_a_malformed_or_overlong_number_is_refused(scratch_raw, cell):
    _statistics_with(scratch_raw, [cell])
    with pytest.raises(TomasInputErrors) as caught:
        make_table("statistics", scratch_raw)
    message = caught.value.errors[0].message()
    assert "statistics.csv" in message and "row 2" in message and "value" in message and cell in message


def _numeric(cells: pd.Series) -> bool:
    texts = cells.dropna().astype(str)
    return len(texts) > 0 and texts.str.fullmatch(r"-?[\d,\u00a0 ]*\d(\.\d+)?%?").all()


def test_every_numeric_cell_of_todays_raw_tables_arrives_exactly(tmp_path_factory):
    """Column by column, the multiset of raw numbers equals the processed one."""
    repo = base_build(tmp_path_factory)
    checked = 0
    for table, step in STEPS.items():
        processed = pd.read_csv(repo / "data/processed" / f"{table}.csv", dtype="string",
                                keep_default_na=False, na_values=[""])
        raw_name = next((f for f in step.raw if f == f"{table}.csv"), None)
        if raw_name is None:
            continue
        raw = pd.read_csv(repo / "data/raw" / raw_name, dtype="string", keep_default_na=False, na_values=[""])
        for column in raw.columns:
            if column not in processed.columns or not _numeric(raw[column]):
                continue
            want = sorted(_decimal(c.strip()) for c in raw[column].dropna())
            got = sorted(Decimal(c) for c in processed[column].dropna())
            assert got == want, f"{table}.{column}"
            checked += 1
    # statistics.value/year/out_of, laws.year, strategies' years at least.
    assert checked >= 5
