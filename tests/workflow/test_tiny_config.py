"""The tiny test configuration (.test/, the Snakemake workflow catalog's convention)
runs every stage of the workflow and writes only under .test/results/."""

from __future__ import annotations

import csv
import shutil

import pytest
import yaml
from conftest import copy_repo, run_snakemake

pytestmark = pytest.mark.slow

TINY = ".test/config/config.yaml"


def test_the_tiny_configuration_builds_everything_and_only_under_its_results(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / ".test" / "results", ignore_errors=True)
    # As `make report` runs it: quiet, a line per step, and last where the report went.
    result = run_snakemake(repo, "--configfile", TINY, "--quiet", "rules", "host", "reason", "progress")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    lines = (result.stdout + result.stderr).splitlines()
    report_line = next(line for line in reversed(lines) if line.startswith("Report: "))
    assert report_line == ("Report: .test/results/report/tomas.html, .test/results/report/tomas.sha256, "
                           ".test/results/report/briefs/briefs.sha256")
    assert len(lines) < 200, f"{len(lines)} lines of output for a quiet build"

    tiny = yaml.safe_load((repo / TINY).read_text(encoding="utf-8"))
    out = repo / ".test" / "results"
    # Every stage ran: the tables, the figures, the report and the brief the file asks for.
    processed = out / "processed"
    assert (processed / "scorecard.csv").is_file() and (processed / "gaps.csv").is_file()
    assert any((out / "figures").glob("*.svg"))
    assert sorted(p.name for p in (out / "report").iterdir() if p.is_file()) == ["tomas.html", "tomas.sha256"]
    briefs = sorted(p.name for p in (out / "report" / "briefs").iterdir())
    assert briefs == ["RS-en.html", "briefs.sha256"]
    # The metrics cover the configured countries and no others.
    with (processed / "countries.csv").open(encoding="utf-8") as f:
        compared = {r["iso2"] for r in csv.DictReader(f) if r["comparison"] == "True"}
    assert compared == set(tiny["comparison_countries"])
    # Nothing landed in the default build's folders.
    assert sorted(p.name for p in (repo / "data" / "processed").iterdir()) == ["README.md"]
    assert not (repo / "report" / "_output").exists() and not (repo / "report" / "figures").exists()
    assert not (repo / "build").exists()
