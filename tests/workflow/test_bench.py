"""The benchmark's data generator writes raw data the pipeline accepts (no timings here)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pycountry
import pytest
from conftest import TESTS

from tomas_pipeline.sources.normalise import validate_all

ROOT = TESTS.parent


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pycountry_codes() -> set[str]:
    return {c.alpha_2 for c in pycountry.countries}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("countries", [6, 253])  # 253: past the register (250), so made-up countries are added
def test_generated_raw_data_validates(tmp_path, countries):
    raw = tmp_path / "raw"
    codes = _generator().generate(ROOT / "data" / "raw", raw, countries, seed=1)
    assert len(codes) == len(set(codes)) == countries
    assert codes[:3] == ["RS", "AL", "MK"]
    counts = validate_all(raw, ["RS", "AL", "MK"], codes)
    assert counts["countries"] >= countries
    # Made-up countries only past the register's 250 (ISO 3166-1 and Kosovo), all with user-assigned codes.
    made_up = [r for r in _rows(raw / "countries.csv") if r["source_id"] == "bench_register"]
    assert len(made_up) == max(0, countries - 250)
    assert all(r["user_assigned"] == "yes" and r["iso2"] not in pycountry_codes() for r in made_up)
    penalties = {r["country"] for r in _rows(raw / "provisions.csv")}
    assert len(penalties) >= countries  # every country has rows (under one or more spellings)


def test_generator_is_deterministic(tmp_path):
    gen = _generator()
    gen.generate(ROOT / "data" / "raw", tmp_path / "a", 10, seed=3)
    gen.generate(ROOT / "data" / "raw", tmp_path / "b", 10, seed=3)
    for path in sorted((tmp_path / "a").glob("*.csv")):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
