"""Hostile strings: markup in a law or source title shows as text in the HTML
report; a cell a spreadsheet would run (=, +, -, @) is neutralised in every
published CSV; YAML is read with safe loaders only. The hostile cells are
planted in the session's base build (buildkit.plant_hostile_cells)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from buildkit import FORMULAS, HOSTILE_SOURCE_TITLE, IMG, LINK, SCRIPT, TITLE_FORMULA, Elements, base_build

SPREADSHEET_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return base_build(tmp_path_factory)


@pytest.mark.slow
def test_markup_in_titles_is_text_in_the_html(hostile):
    page = parse((hostile / "report/_output/tomas.html").read_text(encoding="utf-8"))
    assert not [s for s in page.scripts if "alert" in s]
    assert not [e for e in page.elements if e[0] == "img" and e[1].get("src") == "x"]
    assert not [e for e in page.elements if any(name.lower().startswith("on") for name in e[1])]
    assert not [e for e in page.elements if str(e[1].get("href", "")).lower().startswith("javascript:")]
    text = re.sub(r"\s+", " ", "".join(page.text))
    for title in (f"Law on {SCRIPT} Protection", f"Law on {IMG} Communications", f"Law {LINK}"):
        assert title in text  # the law title, shown as written
    # The source title in the bibliography (which puts it in title case).
    assert HOSTILE_SOURCE_TITLE.lower() in text.lower()
    # The report is not a spreadsheet: it shows the title as written, without the CSV's apostrophe.
    assert TITLE_FORMULA in text and "'" + TITLE_FORMULA not in text


def _cells_of(text: str):
    for row_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        for value in row:
            yield row_no, value


def _cells(path: Path):
    return _cells_of(path.read_text(encoding="utf-8"))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def published_csvs(repo: Path) -> list[Path]:
    """Every CSV the build wrote outside the raw data and the tests."""
    skip = ("data/raw/", "tests/", "build/", ".snakemake/", "releases/")
    return sorted(p for p in repo.rglob("*.csv") if not p.relative_to(repo).as_posix().startswith(skip))


@pytest.mark.slow
def test_no_published_csv_cell_starts_a_formula(hostile):
    csvs = published_csvs(hostile)
    assert hostile / "data/processed/laws.csv" in csvs and len(csvs) > 10
    bad = [(p.relative_to(hostile).as_posix(), row, value) for p in csvs for row, value in _cells(p)
           if value.startswith(SPREADSHEET_PREFIXES) and not _number(value)]
    assert not bad
    laws = {value for _, value in _cells(hostile / "data/processed/laws.csv")}
    for formula in [*FORMULAS, TITLE_FORMULA]:
        assert "'" + formula in laws
    sources = {value for _, value in _cells(hostile / "data/processed/sources.csv")}
    assert "'" + FORMULAS[1] in sources and "'" + FORMULAS[3] in sources


def test_neutralised_cells_read_back_as_written():
    import pandas as pd

    from tomas_pipeline.core.io import frame_to_csv_bytes, read_processed

    texts = [*FORMULAS, "'=already quoted", "''@twice", "plain", "'plain", "\tTAB"]
    data = frame_to_csv_bytes(pd.DataFrame({"text": texts, "number": range(-3, len(texts) - 3)}))
    cells = [value for _, value in _cells_of(data.decode("utf-8"))]
    assert not [c for c in cells if c.startswith(SPREADSHEET_PREFIXES) and not _number(c)]
    assert read_processed(io.BytesIO(data))["text"].tolist() == texts


# Loaders that build Python objects from tags; every YAML read must use safe_load / SafeLoader.
_UNSAFE_YAML = re.compile(r"yaml\.(?:load|load_all|full_load|unsafe_load)\s*\((?![^)]*SafeLoader)")


def test_yaml_is_read_with_safe_loaders_only(root):
    files = [*sorted((root / "src").rglob("*.py")), *sorted((root / "workflow").rglob("*.smk")), root / "Snakefile",
             *sorted((root / "report").rglob("*.qmd"))]
    offenders = [f"{p.relative_to(root)}:{n}" for p in files
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if _UNSAFE_YAML.search(line)]
    assert not offenders
    # The Snakefile reads config/config.yaml safely before Snakemake's own loader does.
    snakefile = (root / "Snakefile").read_text(encoding="utf-8")
    assert snakefile.index("load_config(") < snakefile.index("configfile:")
