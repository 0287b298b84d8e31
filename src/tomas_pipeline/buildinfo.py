"""What a build states about itself: version, date, commit and data hash.

The date never comes from the clock: SOURCE_DATE_EPOCH if set, else the last
commit's time, so the same commit always builds the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from tomas_pipeline import __version__
from tomas_pipeline.io import tree_hash


@dataclass(frozen=True)
class BuildInfo:
    version: str
    date: str  # YYYY-MM-DD
    epoch: int
    commit: str
    data_hash: str

    def metadata(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def source_date_epoch(repo: Path | str = ".") -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH={value!r}: expected whole seconds since 1970") from None
    from_git = _git(["log", "-1", "--format=%ct"], Path(repo))
    return int(from_git) if from_git else 0


def commit(repo: Path | str = ".") -> str:
    short = _git(["rev-parse", "--short=12", "HEAD"], Path(repo))
    if not short:
        return "unknown"
    # A build from uncommitted changes must not pass for the commit itself.
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], Path(repo))
    return short + ("-dirty" if dirty else "")


def build_info(repo: Path | str = ".", raw_dir: Path | str = "data/raw") -> BuildInfo:
    epoch = source_date_epoch(repo)
    date = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).strftime("%Y-%m-%d")
    return BuildInfo(__version__, date, epoch, commit(repo), tree_hash(raw_dir, "*.csv")[:12])
