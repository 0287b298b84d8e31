import os
import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
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


def ignore_outputs(*names: str):
    """copytree's ignore for what a build makes: these names anywhere, and the figures folder of
    report/ only (src/tomas_pipeline/figures/ is code)."""
    by_name = shutil.ignore_patterns(".venv", ".git", "build", "_output", ".snakemake", "__pycache__",
                                     ".pytest_cache", *names)

    def ignore(directory: str, entries: list[str]) -> set[str]:
        ignored = set(by_name(directory, entries))
        if Path(directory).name == "report" and "figures" in entries:
            ignored.add("figures")
        return ignored

    return ignore


def copy_repo(target: Path) -> Path:
    """The repository's sources (no outputs, no venv) in a fresh folder."""
    shutil.copytree(ROOT, target, ignore=ignore_outputs(".hypothesis", "dist", "*.egg-info", "bench"))
    for leftover in (target / "data" / "processed").glob("*"):
        if leftover.name != "README.md":
            leftover.unlink()
    return target


# 2026-12-01: the date every test build states (no fact in data/raw may be later).
BUILD_EPOCH = "1796083200"
BUILD_DAY = "2026-12-01"


def build_env(repo: Path, *pythonpath: str, **extra: str) -> dict[str, str]:
    """The environment of a test build in `repo`: a fixed date, the built-in
    engine, and the copy's own package ahead of the editable install, so that
    what is built is exactly the copied sources."""
    import sys

    env = dict(os.environ, SOURCE_DATE_EPOCH=BUILD_EPOCH, TOMAS_RENDER_ENGINE="builtin")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = os.pathsep.join([*pythonpath, str(repo / "src")])
    env.update(extra)
    return env


def snakemake_cmd(*args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "snakemake", *args]


def run_snakemake(repo: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 1200):
    """`python -m snakemake` in a repository copy, as a user runs it."""
    import subprocess

    return subprocess.run(snakemake_cmd(*args), cwd=repo, env=env or build_env(repo),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory) -> Path:
    """One whole build shared by the tests that only read its outputs (or restore what they change)."""
    repo = copy_repo(tmp_path_factory.mktemp("built") / "repo")
    result = run_snakemake(repo)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    return repo
