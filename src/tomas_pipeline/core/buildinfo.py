"""What a build states about itself: version, date, commit and data hash.

The date never comes from the clock: SOURCE_DATE_EPOCH if set, else the last
commit's time, so the same commit always builds the same bytes. A copy outside
git with no SOURCE_DATE_EPOCH is refused (BuildDateUnknown): any stand-in date
would either be wrong in the stamp or refuse every fact dated after it.

Only a release build (`tomas release`, which sets TOMAS_RELEASE) states the
plain version. Any other build is a development state after the latest
recorded release and says so in a PEP 440 local version:
``0.1.0+29.g5d5e474`` is 29 commits after the release commit (tag
``v<release>``, else the commit in releases/<release>/release.json), at commit
5d5e474; ``.dirty`` marks uncommitted changes, ``+unknown`` a build outside
git (a test's scratch copy) that cannot say where it stands.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from tomas_pipeline import __version__
from tomas_pipeline.core.errors import TomasError
from tomas_pipeline.core.io import tree_hash

# Set by `tomas release` (and `tomas verify-release`) to the version it releases.
RELEASE_ENV = "TOMAS_RELEASE"


@dataclass(frozen=True)
class BuildInfo:
    version: str
    date: str  # YYYY-MM-DD
    epoch: int
    commit: str
    data_hash: str

    def metadata(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


class BuildDateUnknown(TomasError):
    """Neither SOURCE_DATE_EPOCH nor a git commit says what date the build states."""


def _git(args: list[str], cwd: Path) -> str | None:
    # GIT_OPTIONAL_LOCKS=0: `git status` would otherwise refresh .git/index, and
    # merely parsing the workflow (`snakemake -n`) must change no file.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=30,
                             env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def source_date_epoch(repo: Path | str = ".") -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        try:
            return int(value)
        except ValueError:
            raise BuildDateUnknown(f"SOURCE_DATE_EPOCH={value!r}: expected whole seconds since 1970") from None
    from_git = _git(["log", "-1", "--format=%ct"], Path(repo))
    if not from_git:
        raise BuildDateUnknown(
            f"cannot tell the date this build states: {Path(repo).resolve()} is not a git checkout and "
            "SOURCE_DATE_EPOCH is not set. Build from a git clone, or set the date the report should state "
            "in seconds since 1970, e.g. SOURCE_DATE_EPOCH=$(date -u -d 2026-12-01 +%s) make report")
    return int(from_git)


def commit(repo: Path | str = ".") -> str:
    short = _git(["rev-parse", "--short=12", "HEAD"], Path(repo))
    if not short:
        return "unknown"
    # A build from uncommitted changes must not pass for the commit itself.
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], Path(repo))
    return short + ("-dirty" if dirty else "")


def latest_release(releases: Path | str) -> tuple[str, str | None] | None:
    """(version, recorded commit) of the newest release recorded in ``releases``."""
    from packaging.version import InvalidVersion, Version

    found = []
    for record in Path(releases).glob("*/release.json"):
        try:
            found.append((Version(record.parent.name), record))
        except InvalidVersion:
            continue
    if not found:
        return None
    record = max(found)[1]
    return record.parent.name, json.loads(record.read_text(encoding="utf-8")).get("commit")


def release_build() -> str | None:
    """The version a release build is making, or None for any other build."""
    return os.environ.get(RELEASE_ENV) or None


def dev_version(repo: Path | str = ".", releases: Path | str | None = None, version: str = __version__) -> str:
    """``version`` with a local label saying how far this commit is from the latest release."""
    repo = Path(repo)
    short = _git(["rev-parse", "--short=7", "HEAD"], repo)
    if not short:
        return f"{version}+unknown"
    latest = latest_release(repo / "releases" if releases is None else releases)
    since = None
    if latest:
        # The tag is what `tomas release` leaves; the recorded commit works without it.
        for ref in (f"refs/tags/v{latest[0]}", (latest[1] or "").removesuffix("-dirty")):
            if ref and _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo):
                since = ref
                break
    # With no release recorded (or its commit unknown here), count from the first commit.
    count = _git(["rev-list", "--count", f"{since}..HEAD" if since else "HEAD"], repo) or "0"
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], repo)
    return f"{version}+{count}.g{short}" + (".dirty" if dirty else "")


def build_info(repo: Path | str = ".", raw_dir: Path | str = "data/raw") -> BuildInfo:
    epoch = source_date_epoch(repo)
    date = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d")
    version = release_build() or dev_version(repo)
    return BuildInfo(version, date, epoch, commit(repo), tree_hash(raw_dir, "*.csv")[:12])
