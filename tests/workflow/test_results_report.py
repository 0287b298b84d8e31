"""`snakemake --report` on a finished build gives a browsable results report: every
figure and the metric tables, each with its own caption, under the workflow's front
text, and making it changes none of the build's results."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from buildkit import base_build, copy_build, hashes, snakemake, tail

pytestmark = pytest.mark.slow

# Figure -> words its caption must hold (workflow/report/figure.rst).
FIGURES = {
    "treaty_timeline": "Treaty timeline.",
    "penalty_ranges": "Penalty ranges.",
    "scorecard_heatmap": "Scorecard.",
    "ncmec_reports": "CyberTipline reports.",
    "sextortion_trend": "Online enticement and sextortion.",
    "regional_spread": "Regional spread of penalties.",
    "index_ranks": "Composite index ranks.",
}
# Metric table -> words its caption must hold (workflow/report/*.rst).
TABLES = {
    "ratification": "Ratification.",
    "criminalisation": "Offences criminalised.",
    "penalty_alignment": "Penalties against the Directive's floors.",
    "parity": "Parity of online and offline harm.",
    "icmec": "ICMEC model legislation criteria.",
    "terminology_use": "Terminology.",
    "institutions_score": "Institutions and treaties.",
    "uniformity": "Regional uniformity.",
    "scorecard": "Scorecard.",
    "recommendation_tracker": "Recommendation tracker.",
    "index": "Composite index.",
    "index_weights": "Index weights.",
    "index_sensitivity": "Index sensitivity.",
    "index_stability": "Index stability.",
}
RESULTS = ("data/processed", "report/_output", "report/figures")


def embedded(html: str, name: str) -> dict:
    """The JSON object Snakemake's report page assigns to `var <name>`."""
    match = re.search(rf"var {name} =\s*(?=\{{\")", html)
    assert match, f"no `var {name}` in report.html"
    return json.JSONDecoder().raw_decode(html, match.end())[0]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict:
    repo = copy_build(base_build(tmp_path_factory), tmp_path_factory.mktemp("results-report") / "repo")
    before = hashes(repo, RESULTS)
    result = snakemake(repo, "--report", "build/report.zip")
    assert result.returncode == 0, tail(result)
    with zipfile.ZipFile(repo / "build/report.zip") as archive:
        names = archive.namelist()
        (page,) = [n for n in names if n.endswith("/report.html")]
        html = archive.read(page).decode("utf-8")
        files = {Path(n).name: archive.read(n) for n in names if not n.endswith("/report.html")}
    return {"repo": repo, "before": before, "html": html, "files": files}


def test_making_the_report_changes_no_result(made):
    assert hashes(made["repo"], RESULTS) == made["before"]


def test_every_figure_and_metric_table_is_in_the_report_as_built(made):
    repo = made["repo"]
    # Every figure the build drew and every metric table it wrote (each has provenance)
    # is listed here: a new one without a caption fails this test.
    assert {p.stem for p in (repo / "report/figures").glob("*.svg")} == set(FIGURES)
    assert {p.name.removesuffix(".provenance.json") for p in (repo / "data/processed").glob("*.provenance.json")
            } - {"changes"} == set(TABLES)
    for name in FIGURES:
        assert made["files"].get(f"{name}.svg") == (repo / "report/figures" / f"{name}.svg").read_bytes(), name
    for name in TABLES:
        assert made["files"].get(f"{name}.csv") == (repo / "data/processed" / f"{name}.csv").read_bytes(), name


def test_each_result_has_its_own_caption_and_category(made):
    results, categories = embedded(made["html"], "results"), embedded(made["html"], "categories")
    expected = {f"report/figures/{n}.svg": ("Figures", words) for n, words in FIGURES.items()}
    expected |= {f"data/processed/{n}.csv": ("Metric tables", words) for n, words in TABLES.items()}
    assert set(results) == set(expected)
    for path, (category, words) in expected.items():
        caption = results[path]["caption"]
        assert words in caption, f"{path}: {caption[:300]}"
        listed = [p for sub in categories[category].values() for p in sub]
        assert path in listed, f"{path} is not under {category}"
    captions = [results[p]["caption"] for p in expected]
    assert len(set(captions)) == len(captions), "two results share one caption"


def test_the_front_text_is_the_workflows(made):
    text = " ".join(made["html"].split())
    assert "TOMAS toolkit: results of one build" in text
    assert "report/_output" in text  # filled in from the configuration
