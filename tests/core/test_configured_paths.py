"""Paths and formats set in config/config.yaml are honoured by every stage, the report's cells and the release."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import build_env, copy_repo, run_snakemake

from tomas_pipeline.reporting.data import cell_environment


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cell_environment_is_relative_to_the_report(tmp_path):
    env = cell_environment(tmp_path / "report", processed=tmp_path / "build" / "tables",
                           figures=tmp_path / "report" / "figures")
    assert env == {"TOMAS_PROCESSED_DIR": "../build/tables", "TOMAS_FIGURES_DIR": "figures"}


@pytest.mark.parametrize("route", ["edited config.yaml", "tomas build --configfile"])
def test_moved_processed_and_figures_folders_give_the_same_report(tmp_path, built_repo, route):
    repo = copy_repo(tmp_path / "repo")
    moved = {"paths": {"processed": "build/tables", "figures": "build/drawn"}}
    if route == "edited config.yaml":
        config_file = repo / "config" / "config.yaml"
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
        config["paths"].update(moved["paths"])
        config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        result = run_snakemake(repo)
    else:
        # Only what differs, merged over config/config.yaml as Snakemake merges --configfile.
        (repo / "elsewhere.yaml").write_text(yaml.safe_dump(moved), encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "tomas_pipeline.cli", "build", "--configfile",
                                 "elsewhere.yaml"], cwd=repo / "docs", env=build_env(repo),
                                capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]

    # Nothing was written to, or read from, the default folders.
    assert sorted(p.name for p in (repo / "data" / "processed").iterdir()) == ["README.md"]
    assert not (repo / "report" / "figures").exists()
    assert (repo / "build" / "tables" / "references.json").is_file()
    assert any((repo / "build" / "drawn").glob("*.svg"))
    # Where the tables lie is no part of what the report says: same bytes as the default build.
    for name in ("tomas.html", "tomas.pdf", "tomas.docx"):
        assert _sha(repo / "report" / "_output" / name) == _sha(built_repo / "report" / "_output" / name), name


@pytest.mark.slow
def test_a_build_of_html_alone_makes_publishes_and_releases_html_alone(tmp_path):
    """`formats: [html]` as a user sets it: `tomas release` builds only the HTML, publishes it
    with its manifest, and bundles it alone (no FileNotFoundError for the formats not made)."""
    from buildkit import commit_all, files_under, git

    from tomas_pipeline import __version__

    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / "releases", ignore_errors=True)  # the scratch release is the first one
    config_file = repo / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["report"]["formats"] = ["html"]
    config["briefs"]["languages"] = {}  # briefs have their own formats; none here, to keep this quick
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    git(repo, "init", "-q")
    commit_all(repo, "html only")
    env = build_env(repo)
    env.pop("SOURCE_DATE_EPOCH")  # the release takes its date from CITATION.cff
    result = subprocess.run([sys.executable, "-m", "tomas_pipeline.cli", "release"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]

    published = repo / "report" / "_output"
    assert sorted(p.name for p in published.iterdir() if p.is_file()) == ["tomas.html", "tomas.sha256"]
    assert "tomas.html" in (published / "tomas.sha256").read_text(encoding="utf-8")
    bundle = repo / "dist" / f"tomas-toolkit-{__version__}"
    assert sorted(n for n in files_under(bundle) if n.startswith("report/")) == ["report/tomas.html"]
    assert _sha(bundle / "report" / "tomas.html") == _sha(published / "tomas.html")
    notes = (bundle / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "| `report/tomas.html` | the report |" in notes and "tomas.pdf" not in notes
    check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=bundle, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
