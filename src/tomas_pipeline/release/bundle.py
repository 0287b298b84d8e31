"""`tomas release`: a citable, checksummed bundle of one version.

Refuses a dirty tree and a version that is not newer than the last recorded
release, runs the build with the release date from CITATION.cff as
SOURCE_DATE_EPOCH, then writes ``dist/tomas-toolkit-<version>/`` (report, data
package, citation, release notes, SHA256SUMS) and its zip, and records the
release in ``releases/<version>/`` (release.json and the findings the next
release compares against). The same commit always gives the same bytes, and
the release commit is tagged ``v<version>``.

`tomas verify-release <version>` proves that: it clones the repository into a
scratch folder, checks out the recorded commit, releases it there the same way
and compares every file with the recorded SHA-256.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from packaging.version import InvalidVersion, Version

from tomas_pipeline import __version__
from tomas_pipeline.core.buildinfo import RELEASE_ENV, commit
from tomas_pipeline.core.config import DEFAULT as CONFIG_FILE
from tomas_pipeline.core.config import load_config
from tomas_pipeline.core.errors import TomasError
from tomas_pipeline.core.io import atomic_write_bytes, iter_files, read_processed, sha256_file, tree_hash, write_json
from tomas_pipeline.core.publish import read_manifest
from tomas_pipeline.release.changes import COLUMNS as CHANGE_COLUMNS
from tomas_pipeline.release.citation import formatted_citation, load_citation, to_bibtex
from tomas_pipeline.release.datapackage import build_descriptor
from tomas_pipeline.render.formats import DEFAULT_FORMATS, output_names
from tomas_pipeline.reporting.text import escape

# A module constant, not a call in the default below: one list of default report files.
DEFAULT_REPORT_FILES = tuple(output_names("tomas", DEFAULT_FORMATS))
MANIFEST = "SHA256SUMS"
# Zip cannot store dates before 1980.
_ZIP_EPOCH_MIN = (1980, 1, 1, 0, 0, 0)


class ReleaseRefused(TomasError):
    """The release cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Paths:
    """Where a release reads and writes, and which report formats it bundles:
    the repository's config/config.yaml decides, as it decides for the build."""

    repo: Path
    raw: Path
    processed: Path
    report_output: Path
    citation: Path
    releases: Path
    dist: Path
    formats: tuple[str, ...] = DEFAULT_FORMATS
    briefs: bool = False  # config's briefs.languages names any country

    @classmethod
    def of(cls, repo: Path | str) -> Paths:
        repo = Path(repo)
        config = load_config(repo / CONFIG_FILE) if (repo / CONFIG_FILE).is_file() else {}
        folders, report = config.get("paths", {}), config.get("report", {})
        return cls(repo, repo / folders.get("raw", "data/raw"), repo / folders.get("processed", "data/processed"),
                   repo / report.get("output", "report/_output"), repo / "CITATION.cff", repo / "releases",
                   repo / "dist", tuple(report.get("formats", DEFAULT_FORMATS)),
                   bool(config.get("briefs", {}).get("languages")))

    @property
    def briefs_manifest(self) -> Path:
        # Where workflow/rules/briefs.smk publishes the briefs and their manifest.
        return self.report_output / "briefs" / "briefs.sha256"

    @property
    def report_files(self) -> tuple[str, ...]:
        return tuple(output_names("tomas", self.formats))


# --- checks -----------------------------------------------------------------


def dirty_files(repo: Path | str) -> list[str]:
    """Uncommitted or untracked files (a release must be rebuildable from its commit)."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo,
                             capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ReleaseRefused(f"{repo} is not a git working tree a release can be made from ({exc})") from None
    return [line[3:] for line in out.stdout.splitlines() if line.strip()]


def recorded_versions(releases: Path | str) -> list[str]:
    """Versions recorded in releases/, oldest first."""
    found = []
    for record in Path(releases).glob("*/release.json"):
        try:
            found.append((Version(record.parent.name), record.parent.name))
        except InvalidVersion:
            continue
    return [name for _, name in sorted(found)]


def check_can_release(paths: Paths, version: str, cff: dict) -> None:
    dirty = dirty_files(paths.repo)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise ReleaseRefused(f"the working tree is not clean ({shown}): commit or remove the changes first, "
                             "so the release can be rebuilt from its commit")
    if str(cff.get("version")) != version:
        raise ReleaseRefused(f"CITATION.cff says version {cff.get('version')!r} but the toolkit is {version}: "
                             "set both (src/tomas_pipeline/_version.py and CITATION.cff) to the new version")
    if not cff.get("date-released"):
        raise ReleaseRefused("CITATION.cff has no date-released: set it to the release date (YYYY-MM-DD)")
    versions = recorded_versions(paths.releases)
    if versions:
        last = versions[-1]
        if Version(version) == Version(last):
            raise ReleaseRefused(f"version {version} equals the last release ({last}): bump the version in "
                                 "src/tomas_pipeline/_version.py and CITATION.cff first")
        if Version(version) < Version(last):
            raise ReleaseRefused(f"version {version} is older than the last release ({last})")


def _tag_target(repo: Path, tag: str) -> str | None:
    """The commit an existing tag points at, or None if there is no such tag."""
    out = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"], cwd=repo,
                         capture_output=True, text=True)
    return out.stdout.strip() or None


def _head(repo: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


def check_tag(repo: Path, version: str) -> None:
    """A tag v<version> on another commit means that version was released from
    there: a release never moves it. On this very commit it is simply kept."""
    tag, target = f"v{version}", _tag_target(repo, f"v{version}")
    if target and target != _head(repo):
        raise ReleaseRefused(f"tag {tag} already exists on commit {target[:12]}, not on this commit: a released "
                             f"version keeps its commit; bump the version, or if {version} was never published, "
                             f"delete the tag first (git tag -d {tag})")


def tag_release(repo: Path, version: str) -> str:
    """Tag the commit just released (annotated); says what it did."""
    tag = f"v{version}"
    if commit(repo).endswith("-dirty"):
        return f"not tagged: the build changed tracked files, so {tag} would not name what was built"
    if _tag_target(repo, tag):
        return f"tag {tag} already on this commit, kept"
    subprocess.run(["git", "-c", "tag.gpgSign=false", "tag", "-a", tag, "-m", f"TOMAS toolkit {version}"],
                   cwd=repo, check=True, capture_output=True, text=True)
    return f"tagged this commit {tag} (push it with: git push origin {tag})"


def release_epoch(cff: dict) -> int:
    """Midnight UTC of date-released: the one date the report, data and zip carry."""
    day = dt.date.fromisoformat(str(cff["date-released"]))
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


# --- the bundle -------------------------------------------------------------


def _copy(source: Path, target: Path) -> None:
    atomic_write_bytes(target, source.read_bytes())


def _fence(text: str) -> str:
    """A code fence longer than any backtick run in `text`, so nothing inside can close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def release_notes(cff: dict, info: dict, changes: pd.DataFrame, changes_note: str,
                  report_files: tuple[str, ...] = DEFAULT_REPORT_FILES) -> str:
    # Everything from data or CITATION.cff is escaped: a source title with <script> stays text.
    bibtex = to_bibtex(cff).rstrip()
    fence = _fence(bibtex)
    lines = [f"# TOMAS toolkit {escape(info['version'])}", "",
             f"Released {info['date']} · commit {info['commit']} · raw data {info['data_hash']}", "",
             "## How to cite", "", escape(formatted_citation(cff)), "", f"{fence}bibtex", bibtex, fence, "",
             "## What changed", "", escape(changes_note), ""]
    for kind, heading in (("world", "Changes in the world"), ("correction", "Corrections to the data")):
        sentences = changes.loc[changes["kind"] == kind, "sentence"].tolist() if len(changes) else []
        lines += [f"### {heading}", ""] + ([f"- {escape(s)}" for s in sentences] or ["None."]) + [""]
    lines += ["## Contents", "",
              "| path | what |", "| --- | --- |",
              "| " + ", ".join(f"`report/{name}`" for name in report_files) + " | the report |",
              "| `datapackage.json`, `data/` | the processed data as a Frictionless data package |",
              "| `CITATION.cff`, `CITATION.bib` | how to cite this version |",
              f"| `{MANIFEST}` | SHA-256 of every other file (`sha256sum -c {MANIFEST}`) |", ""]
    return "\n".join(lines)


def write_manifest(folder: Path) -> list[str]:
    """SHA256SUMS of every file but itself, in `sha256sum -c` form, sorted by path."""
    lines = [f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}"
             for p in iter_files(folder) if p.relative_to(folder).as_posix() != MANIFEST]
    atomic_write_bytes(folder / MANIFEST, ("\n".join(lines) + "\n").encode("utf-8"))
    return lines


def brief_files(paths: Paths) -> list[str]:
    """The published briefs, as their manifest lists them, each checked against it."""
    if not paths.briefs:
        return []
    manifest = paths.briefs_manifest
    if not manifest.is_file():
        raise ReleaseRefused(f"config briefs.languages asks for country briefs, but the build published none "
                             f"({manifest} is missing); nothing was released")
    recorded = read_manifest(manifest)
    for name, digest in recorded.items():
        path = manifest.parent / name
        if not path.is_file() or sha256_file(path) != digest:
            raise ReleaseRefused(f"{path} is missing or differs from {manifest.name}: run `make report` again; "
                                 "nothing was released")
    return [manifest.name, *sorted(recorded)]


def build_bundle(paths: Paths, target: Path, cff: dict, info: dict) -> Path:
    """Fill ``target`` (emptied first) with everything a reader of this version needs."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    missing = [n for n in paths.report_files if not (paths.report_output / n).is_file()]
    if missing:
        raise ReleaseRefused(f"the build did not produce {', '.join(missing)} in {paths.report_output} "
                             f"(config report.formats: {', '.join(paths.formats)}); nothing was released")
    for name in paths.report_files:
        _copy(paths.report_output / name, target / "report" / name)
    for name in brief_files(paths):
        _copy(paths.briefs_manifest.parent / name, target / "briefs" / name)
    for source in sorted(paths.processed.iterdir()):
        if source.is_file() and source.suffix in (".csv", ".json"):
            _copy(source, target / "data" / source.name)
    _copy(paths.citation, target / "CITATION.cff")
    atomic_write_bytes(target / "CITATION.bib", to_bibtex(cff).encode("utf-8"))
    changes_csv = paths.processed / "changes.csv"
    changes = read_processed(changes_csv) if changes_csv.exists() else pd.DataFrame(columns=CHANGE_COLUMNS)
    note_file = paths.processed / "changes.provenance.json"
    note = json.loads(note_file.read_text(encoding="utf-8")).get("note", "") if note_file.exists() else ""
    notes = release_notes(cff, info, changes, note, paths.report_files)
    atomic_write_bytes(target / "RELEASE_NOTES.md", notes.encode("utf-8"))
    write_json(build_descriptor(target, "data", info["version"], int(info["epoch"])), target / "datapackage.json")
    write_manifest(target)
    return target


def write_zip(folder: Path, archive: Path, epoch: int) -> Path:
    """A zip that is the same bytes every time: sorted entries, one fixed date,
    fixed permissions and compression, all under the folder's name."""
    stamp = max(dt.datetime.fromtimestamp(epoch, tz=dt.UTC).timetuple()[:6], _ZIP_EPOCH_MIN)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in iter_files(folder):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.create_system = 3  # Unix, so the permission bits below are read
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    atomic_write_bytes(archive, buffer.getvalue())
    return archive


def validate_package(folder: Path) -> None:
    """The data package must pass Frictionless' own checks (types, keys, hashes)."""
    from frictionless import validate

    report = validate(str(folder / "datapackage.json"))
    if not report.valid:
        errors = [f"{task.name}: {e.message}" for task in report.tasks for e in task.errors][:10]
        errors += [e.message for e in report.errors][:10]
        raise ReleaseRefused("the data package is not valid:\n  " + "\n  ".join(errors))


def record_release(paths: Paths, info: dict, bundle: Path, archive: Path) -> Path:
    """releases/<version>/: what was released, and its findings for the next comparison."""
    record = paths.releases / info["version"]
    findings = record / "findings"
    if findings.exists():
        shutil.rmtree(findings)
    for source in sorted(paths.processed.glob("*.csv")):
        if source.name != "changes.csv":  # derived from two releases, not a finding
            _copy(source, findings / source.name)
    # Manifest lines are "digest  name".
    lines = (bundle / MANIFEST).read_text().splitlines()
    files = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    write_json({**{k: info[k] for k in ("version", "date", "commit", "data_hash")},
                "archive": {"name": archive.name, "sha256": sha256_file(archive)},
                "files": files}, record / "release.json")
    return record


# --- the whole release ------------------------------------------------------


def snakemake_build(repo: Path, env: dict) -> None:
    changes = (Paths.of(repo).processed / "changes.csv").relative_to(repo)
    targets = ["all", changes.as_posix()]
    result = subprocess.run([sys.executable, "-m", "snakemake", *targets], cwd=repo, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"the build failed (snakemake exit {result.returncode}); nothing was released")


def make_release(repo: Path | str = ".", version: str = __version__,
                 build: Callable[[Path, dict], None] = snakemake_build) -> tuple[Path, Path]:
    """Check, build, bundle, zip, record. Returns (bundle folder, zip)."""
    paths = Paths.of(Path(repo).resolve())
    cff = load_citation(paths.citation)
    check_can_release(paths, version, cff)
    check_tag(paths.repo, version)
    epoch = release_epoch(cff)
    # RELEASE_ENV: the build states the plain version and compares with the release before.
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), **{RELEASE_ENV: version})
    # Tools the venv installs (snakemake, pandoc, typst) must be found by the build.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    build(paths.repo, env)
    day = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%d")
    info = {"version": version, "date": day, "epoch": str(epoch), "commit": commit(paths.repo),
            "data_hash": tree_hash(paths.raw, "*.csv")[:12]}
    name = f"tomas-toolkit-{version}"
    bundle = build_bundle(paths, paths.dist / name, cff, info)
    validate_package(bundle)
    archive = write_zip(bundle, paths.dist / f"{name}.zip", epoch)
    record_release(paths, info, bundle, archive)
    print(f"tomas release: {tag_release(paths.repo, version)}", file=sys.stderr)
    return bundle, archive


# --- proving a recorded release ---------------------------------------------


def own_release(clone: Path, version: str) -> tuple[Path, Path]:
    """Run the clone's own `tomas release` (its code, not this checkout's), as its
    maintainer did; the bundle and zip it wrote."""
    env = dict(os.environ, PYTHONPATH=str(clone / "src"))
    env.pop("SOURCE_DATE_EPOCH", None)  # the release takes its date from its CITATION.cff
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run([sys.executable, "-m", "tomas_pipeline.cli", "release"], cwd=clone, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"`tomas release` of {version} in {clone} failed (exit {done.returncode})")
    name = f"tomas-toolkit-{version}"
    return clone / "dist" / name, clone / "dist" / f"{name}.zip"


def verify_release(repo: Path | str, version: str,
                   release: Callable[[Path, str], tuple[Path, Path]] | None = None,
                   scratch: Path | str | None = None) -> list[str]:
    """Rebuild a recorded release from its commit in a scratch clone; the
    mismatches with its recorded hashes (none: it rebuilds byte for byte).
    ``release`` makes the release in the clone (default: its own `tomas release`)."""
    repo = Path(repo).resolve()
    record_file = repo / "releases" / version / "release.json"
    if not record_file.is_file():
        known = ", ".join(recorded_versions(repo / "releases")) or "none"
        raise ReleaseRefused(f"no release {version} is recorded in {record_file.parent} (recorded: {known})")
    record = json.loads(record_file.read_text(encoding="utf-8"))
    recorded_commit = str(record.get("commit", ""))
    if not recorded_commit or recorded_commit == "unknown" or recorded_commit.endswith("-dirty"):
        raise ReleaseRefused(f"release {version} records commit {recorded_commit!r}: there is no commit to rebuild")
    with tempfile.TemporaryDirectory(prefix="tomas-verify-") as tmp:
        clone = Path(scratch or tmp).resolve() / f"tomas-{version}"
        for args in (["clone", "--quiet", "--no-checkout", str(repo), str(clone)],
                     ["-C", str(clone), "checkout", "--quiet", "--detach", recorded_commit]):
            done = subprocess.run(["git", *args], capture_output=True, text=True)
            if done.returncode != 0:
                raise ReleaseRefused(f"cannot check out commit {recorded_commit} of release {version}: "
                                     f"{done.stderr.strip()}")
        bundle, archive = (release or own_release)(clone, version)
        if not bundle.is_dir() or not archive.is_file():
            raise FileNotFoundError(f"the rebuild wrote no {bundle.name} bundle and zip in {bundle.parent}")
        return compare_with_record(record, bundle, archive)


def compare_with_record(record: dict, bundle: Path, archive: Path) -> list[str]:
    """One line per file whose bytes differ from, or are missing from, the record."""
    problems = []
    built = {p.relative_to(bundle).as_posix() for p in iter_files(bundle)} - {MANIFEST}
    for name, digest in sorted(record.get("files", {}).items()):
        if name not in built:
            problems.append(f"{name}: recorded but not rebuilt")
        elif sha256_file(bundle / name) != digest:
            problems.append(f"{name}: rebuilt sha256 {sha256_file(bundle / name)}, recorded {digest}")
    problems += [f"{name}: rebuilt but not recorded" for name in sorted(built - set(record.get("files", {})))]
    recorded_zip = record.get("archive", {}).get("sha256")
    if recorded_zip and sha256_file(archive) != recorded_zip:
        problems.append(f"{archive.name}: rebuilt sha256 {sha256_file(archive)}, recorded {recorded_zip}")
    return problems
