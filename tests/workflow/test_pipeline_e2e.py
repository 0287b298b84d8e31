"""The whole pipeline in a scratch copy of the repository, as a user runs it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import BUILD_DAY
from conftest import run_snakemake as snakemake

from tomas_pipeline import __version__

pytestmark = pytest.mark.slow


def planned_rules(repo: Path) -> set[str]:
    """Rules a run would execute now (from a dry run's job table)."""
    result = snakemake(repo, "--dry-run")
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return set()
    table = text.split("Job stats:", 1)[1] if "Job stats:" in text else text
    return {m.group(1) for m in re.finditer(r"^(\w+)\s+\d+\s*$", table, re.MULTILINE)} - {"total"}


@pytest.fixture(scope="module")
def built(built_repo) -> Path:
    return built_repo


def test_report_files_exist(built):
    out = built / "report" / "_output"
    for name in ("tomas.html", "tomas.pdf", "tomas.docx"):
        assert (out / name).stat().st_size > 1000, name
    manifest = (out / "tomas.sha256").read_text()
    assert "tomas.html" in manifest and "tomas.pdf" in manifest


def test_pdf_has_every_chapter(built):
    from pypdf import PdfReader

    pdf = built / "report" / "_output" / "tomas.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    text = re.sub(r"\s+", " ", text)
    headings = []
    for qmd in sorted((built / "report" / "chapters").glob("*.qmd")):
        prose = re.sub(r"^```.*?^```", "", qmd.read_text(), flags=re.MULTILINE | re.DOTALL)  # not code comments
        headings += re.findall(r"^# ([^{\n]+?)\s*(\{[^}]*\})?\s*$", prose, re.MULTILINE)
    chapters = [title for title, attrs in headings if ".unnumbered" not in attrs]
    # The paper's six chapters are the numbered ones; acronyms and appendices come besides.
    assert len(chapters) == 6, chapters
    for title, _ in headings:
        assert title in text, f"chapter {title!r} not in the PDF"


def test_html_names_version_and_shows_the_figure(built):
    html = (built / "report" / "_output" / "tomas.html").read_text(encoding="utf-8")
    assert __version__ in html
    assert BUILD_DAY in html
    assert re.search(r'id="fig-treaty-timeline"', html)
    # The figure is embedded (self-contained) and has alt text.
    assert re.search(r'<(img|svg)[^>]*(alt|aria-label)="[^"]{20,}"', html) or "data:image/svg+xml" in html
    assert "Figure 1" in html


def test_rebuild_with_nothing_changed_runs_no_job(built):
    assert planned_rules(built) == set()


def test_changing_one_table_reruns_only_its_dependants(built):
    stats = built / "data" / "raw" / "statistics.csv"
    original = stats.read_bytes()
    try:
        stats.write_bytes(original + b"\n" if not original.endswith(b"\n\n") else original)
        os.utime(stats)
        rules = planned_rules(built)
        assert "validate" in rules and "normalise" in rules and "render" in rules
        # Treaty data did not change: its metric and figure do not re-run.
        assert "ratification" not in rules
        result = snakemake(built, "--dry-run")
        outputs = " ".join(re.findall(r"^\s+output: (.+)$", result.stdout, re.MULTILINE))
        assert "data/processed/statistics.csv" in outputs
        assert "data/processed/treaty_actions.csv" not in outputs
        assert "report/figures/treaty_timeline.svg" not in outputs
    finally:
        stats.write_bytes(original)
