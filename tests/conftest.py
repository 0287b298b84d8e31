import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A scratch copy of data/raw that a test may break."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


def copy_repo(target: Path) -> Path:
    """The repository's sources (no outputs, no venv) in a fresh folder."""
    ignore = shutil.ignore_patterns(".venv", ".git", "build", "_output", "figures", ".snakemake", "__pycache__",
                                    ".pytest_cache", ".hypothesis", "dist", "*.egg-info", "bench")
    shutil.copytree(ROOT, target, ignore=ignore)
    for leftover in (target / "data" / "processed").glob("*"):
        if leftover.name != "README.md":
            leftover.unlink()
    return target
