"""Merely parsing the workflow changes no file: `snakemake -n` in a finished build
leaves every file as it was, even when a published file was deleted or edited;
a real run then republishes it, and the run after that has nothing to do."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from buildkit import base_build, copy_build, snakemake, tail

pytestmark = pytest.mark.slow


def tree(repo: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file of the tree (.snakemake, Snakemake's own records, excluded)."""
    out = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo)
        if rel.parts[0] == ".snakemake" or not path.is_file() or path.is_symlink():
            continue
        out[rel.as_posix()] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return out


@pytest.fixture
def repo(tmp_path_factory, tmp_path) -> Path:
    return copy_build(base_build(tmp_path_factory), tmp_path / "repo")


def dry_run_changes_nothing(repo: Path) -> str:
    before = tree(repo)
    result = snakemake(repo, "-n")
    assert result.returncode == 0, tail(result)
    after = tree(repo)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"changed by snakemake -n: {changed}"
    return result.stdout + result.stderr


def test_a_dry_run_of_a_finished_build_changes_nothing(repo):
    assert "Nothing to be done" in dry_run_changes_nothing(repo)


@pytest.mark.parametrize("name", ["tomas.pdf", "tomas.sha256"])
def test_a_deleted_published_file_is_planned_not_touched_then_rebuilt(repo, name):
    out = repo / "report/_output"
    good = (out / name).read_bytes()
    (out / name).unlink()
    log = dry_run_changes_nothing(repo)
    assert "publish" in log and "Nothing to be done" not in log, log[-3000:]
    result = snakemake(repo)
    assert result.returncode == 0, tail(result)
    assert (out / name).read_bytes() == good
    assert "Nothing to be done" in dry_run_changes_nothing(repo)


def test_an_edited_published_file_is_planned_not_touched_then_republished_once(repo):
    pdf = repo / "report/_output/tomas.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(good[: len(good) // 3])
    log = dry_run_changes_nothing(repo)
    assert "republish" in log, log[-3000:]
    result = snakemake(repo)
    assert result.returncode == 0, tail(result)
    assert pdf.read_bytes() == good
    # The repair is not repeated: the next run has nothing to do.
    assert "Nothing to be done" in dry_run_changes_nothing(repo)
    # The same edit again is repaired again.
    pdf.write_bytes(good[: len(good) // 3])
    assert snakemake(repo).returncode == 0
    assert pdf.read_bytes() == good
