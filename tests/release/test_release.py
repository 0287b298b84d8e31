"""`tomas release`: refusals, the bundle's contents, checksums, the data
package, byte-identical rebuilds, and what changed between two releases.

Most tests release a small scratch git repository whose "build" writes
prepared processed tables and report files (fast); one slow test runs the real
release, with the real pipeline, on a scratch copy of this repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from buildkit import commit_all, files_under, git
from conftest import TESTS, copy_repo

from tomas_pipeline import __version__, steps
from tomas_pipeline.cli import main
from tomas_pipeline.core.buildinfo import RELEASE_ENV
from tomas_pipeline.core.io import sha256_file, write_csv
from tomas_pipeline.release.bundle import (
    MANIFEST,
    Paths,
    ReleaseRefused,
    build_bundle,
    make_release,
    verify_release,
    write_zip,
)
from tomas_pipeline.release.changes import previous_release

ROOT = TESTS.parent
FROZEN = (2026, 11, 30, 0, 0, 0)  # the date-released of the scratch CITATION.cff


def citation_text(version: str, date: str = "2026-11-30") -> str:
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: .*$", f"version: {version}", text)
    return re.sub(r"(?m)^date-released: .*$", f'date-released: "{date}"', text)


def processed_tables(max_possessing: int = 36, as_of: str = "2019") -> dict[str, pd.DataFrame]:
    return {
        "countries": pd.DataFrame({"iso2": ["RS", "AL", "NA"], "iso3": ["SRB", "ALB", "NAM"],
                                   "numeric": ["688", "008", "516"], "name": ["Serbia", "Albania", "Namibia"],
                                   "comparison": [True, True, False], "source_id": ["iso3166"] * 3}),
        "sources": pd.DataFrame({"source_id": ["iso3166", "rs_cc", "coe"], "kind": ["primary"] * 3,
                                 "author": ["ISO", "Serbia", "Council of Europe"],
                                 "title": ["Country codes", "Criminal Code", "Chart of signatures"],
                                 "year": [2020, 2019, pd.NA], "url": ["https://www.iso.org/", pd.NA,
                                                                      "https://www.coe.int/"]}),
        "instruments": pd.DataFrame({"instrument_id": ["lanzarote"], "short_name": ["Lanzarote Convention"],
                                     "opened": ["2007-10-25"], "source_id": ["coe"]}),
        "ratification": pd.DataFrame({"country_iso2": ["RS", "AL"], "instrument": ["lanzarote"] * 2,
                                      "status": ["party", "party"], "bound_date": ["2010-07-29", "2009"],
                                      "source_ids": ["coe", "coe"]}),
        "penalties": pd.DataFrame({"country_iso2": ["RS"], "jurisdiction": [pd.NA], "offence": ["possessing"],
                                   "form": ["basic"], "code": ["Criminal Code"], "article": ["185(4)"],
                                   "min_months": [3], "max_months": [max_possessing], "life": [False],
                                   "as_of": [as_of], "source_id": ["rs_cc"], "preferred": [True],
                                   "note": ["=SUM(A1)"]}),
    }


class FakeBuild:
    """Stands in for snakemake: writes what the pipeline would, from fixed inputs."""

    def __init__(self, tables=None, processed="data/processed", formats=("html", "pdf", "docx")):
        self.tables = tables or processed_tables()
        self.processed, self.formats = processed, formats
        self.envs: list[dict] = []

    def __call__(self, repo: Path, env: dict) -> None:
        self.envs.append(env)
        processed, output = repo / self.processed, repo / "report" / "_output"
        for name, frame in self.tables.items():
            write_csv(frame, processed / f"{name}.csv")
        for name in (f"tomas.{fmt}" for fmt in self.formats):
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            (output / name).write_bytes(f"report {name}\n".encode())
        # The briefs as briefs.smk publishes them (ignored unless the config asks for briefs).
        briefs = output / "briefs"
        briefs.mkdir(parents=True, exist_ok=True)
        (briefs / "RS-sr_Cyrl.pdf").write_bytes("брифинг\n".encode())
        (briefs / "briefs.sha256").write_text(f"# stamp\n{sha256_file(briefs / 'RS-sr_Cyrl.pdf')}  RS-sr_Cyrl.pdf\n")
        version = re.search(r"(?m)^version: (.*)$", (repo / "CITATION.cff").read_text()).group(1)
        # Run from the repository with relative paths, as snakemake does, so no
        # absolute path of this checkout ends up in the provenance.
        with contextlib.chdir(repo):
            previous = previous_release("releases", version)
            steps.changes(str(previous) if previous else None, self.processed, [],
                          f"{self.processed}/changes.csv", "build/changes.log")


@pytest.fixture
def repo(tmp_path) -> Path:
    repo = tmp_path / "repo"
    (repo / "data" / "raw").mkdir(parents=True)
    (repo / "data" / "raw" / "sources.csv").write_text("source_id\ncoe\n")
    (repo / ".gitignore").write_text("data/processed/\nreport/_output/\ndist/\nbuild/\n")
    (repo / "CITATION.cff").write_text(citation_text("0.1.0"), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    return repo


def bump(repo: Path, version: str) -> None:
    (repo / "CITATION.cff").write_text(citation_text(version), encoding="utf-8")
    commit_all(repo, f"version {version}")


# --- refusals ---------------------------------------------------------------


def test_untracked_file_is_refused(repo):
    (repo / "data" / "raw" / "new.csv").write_text("a\n1\n")
    build = FakeBuild()
    with pytest.raises(ReleaseRefused, match=r"not clean \(data/raw/new.csv\)"):
        make_release(repo, "0.1.0", build)
    assert not build.envs and not (repo / "dist").exists() and not (repo / "releases").exists()


def test_modified_tracked_file_is_refused(repo):
    (repo / "data" / "raw" / "sources.csv").write_text("source_id\nother\n")
    with pytest.raises(ReleaseRefused, match="not clean"):
        make_release(repo, "0.1.0", FakeBuild())


def test_same_version_as_last_release_is_refused(repo):
    make_release(repo, "0.1.0", FakeBuild())
    commit_all(repo, "release 0.1.0")
    build = FakeBuild()
    with pytest.raises(ReleaseRefused, match=r"0.1.0 equals the last release \(0.1.0\)"):
        make_release(repo, "0.1.0", build)
    assert not build.envs


def test_older_version_than_last_release_is_refused(repo):
    make_release(repo, "0.1.0", FakeBuild())
    commit_all(repo, "release 0.1.0")
    bump(repo, "0.0.9")
    with pytest.raises(ReleaseRefused, match="older than the last release"):
        make_release(repo, "0.0.9", FakeBuild())


def test_citation_version_must_match_the_toolkit(repo):
    with pytest.raises(ReleaseRefused, match="CITATION.cff says version '0.1.0' but the toolkit is 0.2.0"):
        make_release(repo, "0.2.0", FakeBuild())


def test_cli_reports_a_refusal(repo, capsys):
    (repo / "stray.txt").write_text("x")
    assert main(["release", "--repo", str(repo)]) == 1
    assert "tomas release: refused: the working tree is not clean (stray.txt)" in capsys.readouterr().err


# --- config in charge -------------------------------------------------------


def configure(repo: Path, **changes: str) -> None:
    """The project's config and schema in the scratch repository, with `changes` applied."""
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    for pattern, line in changes.items():
        # The first match: report's `formats` comes before briefs' own.
        text, count = re.subn(rf"(?m)^  {pattern}: .*$", f"  {pattern}: {line}", text, count=1)
        assert count == 1, pattern
    (repo / "config").mkdir(exist_ok=True)
    (repo / "config" / "config.yaml").write_text(text, encoding="utf-8")
    (repo / "workflow" / "schemas").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "workflow" / "schemas" / "config.schema.yaml", repo / "workflow" / "schemas")
    commit_all(repo, "config")


def test_release_bundles_only_the_configured_formats(repo):
    configure(repo, formats="[html]")
    bundle, _ = make_release(repo, "0.1.0", FakeBuild(formats=("html",)))
    assert sorted(p.name for p in (bundle / "report").iterdir()) == ["tomas.html"]
    notes = (bundle / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert "| `report/tomas.html` | the report |" in notes and "tomas.pdf" not in notes


def test_the_configured_briefs_are_bundled_as_published(repo):
    configure(repo)
    bundle, _ = make_release(repo, "0.1.0", FakeBuild())
    assert (bundle / "briefs" / "RS-sr_Cyrl.pdf").read_text(encoding="utf-8") == "брифинг\n"
    assert "briefs/RS-sr_Cyrl.pdf" in (bundle / "SHA256SUMS").read_text(encoding="utf-8")


class DamagedBriefBuild(FakeBuild):
    def __call__(self, repo: Path, env: dict) -> None:
        super().__call__(repo, env)
        (repo / "report" / "_output" / "briefs" / "RS-sr_Cyrl.pdf").write_bytes(b"edited by hand\n")


def test_a_brief_that_differs_from_its_manifest_is_refused(repo):
    configure(repo)
    with pytest.raises(ReleaseRefused, match=r"RS-sr_Cyrl.pdf is missing or differs from briefs.sha256"):
        make_release(repo, "0.1.0", DamagedBriefBuild())
    assert not (repo / "releases").exists()


def test_without_briefs_configured_none_are_bundled(repo):
    configure(repo)
    config = repo / "config" / "config.yaml"
    config.write_text(re.sub(r"(?ms)^briefs:.*?(?=^\S|\Z)", "", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    commit_all(repo, "no briefs")
    bundle, _ = make_release(repo, "0.1.0", FakeBuild())
    assert not (bundle / "briefs").exists()


def test_a_configured_format_the_build_did_not_make_is_refused_by_name(repo):
    configure(repo, formats="[html, docx]")
    with pytest.raises(ReleaseRefused, match=r"did not produce tomas.docx in .*report.formats: html, docx"):
        make_release(repo, "0.1.0", FakeBuild(formats=("html",)))
    assert not (repo / "releases").exists()


def test_release_reads_the_configured_processed_folder(repo):
    configure(repo, processed="out/tables")
    (repo / ".gitignore").write_text((repo / ".gitignore").read_text() + "out/\n")
    commit_all(repo, "ignore out")
    bundle, _ = make_release(repo, "0.1.0", FakeBuild(processed="out/tables"))
    assert (bundle / "data" / "penalties.csv").read_bytes() == (repo / "out/tables/penalties.csv").read_bytes()
    assert not (repo / "data" / "processed").exists()
    findings = repo / "releases" / "0.1.0" / "findings"
    assert (findings / "penalties.csv").is_file()


# --- the bundle -------------------------------------------------------------


EXPECTED_FILES = {
    "CITATION.bib", "CITATION.cff", "RELEASE_NOTES.md", MANIFEST, "datapackage.json",
    "report/tomas.html", "report/tomas.pdf", "report/tomas.docx",
    "data/countries.csv", "data/sources.csv", "data/instruments.csv", "data/ratification.csv",
    "data/penalties.csv", "data/changes.csv", "data/changes.provenance.json",
}


@pytest.fixture
def released(repo):
    build = FakeBuild()
    bundle, archive = make_release(repo, "0.1.0", build)
    return repo, bundle, archive, build


def test_release_builds_with_the_release_date_and_writes_bundle_and_zip(released):
    repo, bundle, archive, build = released
    assert build.envs[0]["SOURCE_DATE_EPOCH"] == "1795996800"  # 2026-11-30T00:00:00Z
    assert build.envs[0][RELEASE_ENV] == "0.1.0"  # the build states the plain version
    assert bundle == repo / "dist" / "tomas-toolkit-0.1.0"
    assert archive == repo / "dist" / "tomas-toolkit-0.1.0.zip"
    assert files_under(bundle) == EXPECTED_FILES


def test_manifest_lists_every_other_file_with_its_hash(released):
    _, bundle, _, _ = released
    lines = (bundle / MANIFEST).read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == EXPECTED_FILES - {MANIFEST}
    assert list(listed) == sorted(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest, name


def test_zip_holds_the_bundle_with_fixed_dates_and_permissions(released):
    _, bundle, archive, _ = released
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {n.removeprefix("tomas-toolkit-0.1.0/") for n in names} == EXPECTED_FILES
        for info in infos:
            assert info.date_time == FROZEN
            assert (info.external_attr >> 16) == 0o100644
            assert zf.read(info) == (bundle / info.filename.split("/", 1)[1]).read_bytes()


def test_datapackage_validates_with_frictionless(released):
    _, bundle, _, _ = released
    result = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json",
                             "datapackage.json"], cwd=bundle, capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]
    assert result.returncode == 0


def test_datapackage_describes_every_table(released):
    _, bundle, _, _ = released
    package = json.loads((bundle / "datapackage.json").read_text())
    assert package["version"] == "0.1.0" and package["created"] == "2026-11-30T00:00:00Z"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {"title": "Council of Europe: Chart of signatures [coe]", "path": "https://www.coe.int/"} \
        in package["sources"]
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {p.removeprefix("data/").removesuffix(".csv") for p in EXPECTED_FILES
                              if p.endswith(".csv")}
    for name, resource in resources.items():
        assert resource["description"], name
        for field in resource["schema"]["fields"]:
            assert field.get("description"), f"{name}.{field['name']}"
    fields = {f["name"]: f for f in resources["penalties"]["schema"]["fields"]}
    assert fields["max_months"]["type"] == "integer" and fields["life"]["type"] == "boolean"
    assert fields["as_of"]["constraints"]["pattern"]
    countries = {f["name"]: f["type"] for f in resources["countries"]["schema"]["fields"]}
    assert countries["numeric"] == "string"  # "008" must not become 8
    assert resources["ratification"]["schema"]["primaryKey"] == ["country_iso2", "instrument"]
    assert {"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}} \
        in resources["penalties"]["schema"]["foreignKeys"]


def test_bundle_keeps_namibia_and_neutralised_formulas(released):
    _, bundle, _, _ = released
    text = (bundle / "data" / "countries.csv").read_text()
    assert "\nNA,NAM,516," in text
    assert "'=SUM(A1)" in (bundle / "data" / "penalties.csv").read_text()


def test_citation_and_notes_in_the_bundle(released):
    repo, bundle, _, _ = released
    assert (bundle / "CITATION.cff").read_bytes() == (repo / "CITATION.cff").read_bytes()
    assert (bundle / "CITATION.bib").read_text().startswith("@software{tomas_toolkit_0_1_0,")
    notes = (bundle / "RELEASE_NOTES.md").read_text()
    assert notes.startswith("# TOMAS toolkit 0.1.0\n")
    assert "Released 2026-11-30 · commit " in notes
    assert "TOMAS toolkit contributors (2026)." in notes
    assert "This is the first release" in notes


def test_release_is_recorded_for_the_next_comparison(released):
    repo, bundle, archive, _ = released
    record = json.loads((repo / "releases" / "0.1.0" / "release.json").read_text())
    assert record["version"] == "0.1.0" and record["date"] == "2026-11-30"
    assert re.fullmatch(r"[0-9a-f]{12}", record["commit"])  # clean tree: no "-dirty"
    assert record["archive"] == {"name": archive.name, "sha256": hashlib.sha256(archive.read_bytes()).hexdigest()}
    assert set(record["files"]) == EXPECTED_FILES - {MANIFEST}
    findings = files_under(repo / "releases" / "0.1.0" / "findings")
    assert findings == {"countries.csv", "sources.csv", "instruments.csv", "ratification.csv", "penalties.csv"}


def test_next_release_notes_say_what_changed(released):
    repo = released[0]
    commit_all(repo, "release 0.1.0")
    bump(repo, "0.2.0")
    bundle, _ = make_release(repo, "0.2.0", FakeBuild(processed_tables(max_possessing=96, as_of="2027")))
    notes = (bundle / "RELEASE_NOTES.md").read_text()
    world = notes.split("### Changes in the world\n", 1)[1].split("###", 1)[0]
    assert "- Criminal Code raised the penalty for possessing in Serbia from 3–36 months to 3–96 months " \
           "(text as of 2027)." in world
    assert "Compared with release 0.1.0 of 2026-11-30." in notes
    assert "### Corrections to the data\n\nNone." in notes


def test_same_inputs_give_byte_identical_bundles(released, tmp_path):
    repo, first, first_zip, _ = released
    # Different file times and a different target folder must not leak into the bytes.
    for path in (repo / "data" / "processed").iterdir():
        os.utime(path, (1, 1))
    paths = Paths.of(repo)
    info = json.loads((repo / "releases" / "0.1.0" / "release.json").read_text())
    info["epoch"] = "1795996800"
    from tomas_pipeline.release.citation import load_citation

    second = build_bundle(paths, tmp_path / "again" / "tomas-toolkit-0.1.0", load_citation(repo / "CITATION.cff"),
                          info)
    second_zip = write_zip(second, tmp_path / "again" / "tomas-toolkit-0.1.0.zip", 1795996800)
    assert files_under(first) == files_under(second)
    for name in sorted(files_under(first)):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert first_zip.read_bytes() == second_zip.read_bytes()


def test_zip_changes_when_a_file_changes(released, tmp_path):
    _, bundle, archive, _ = released
    copy = tmp_path / "tomas-toolkit-0.1.0"
    shutil.copytree(bundle, copy)
    (copy / "report" / "tomas.html").write_bytes(b"tampered\n")
    assert write_zip(copy, tmp_path / "x.zip", 1795996800).read_bytes() != archive.read_bytes()


# --- the tag and proving a release ------------------------------------------


def test_release_tags_its_commit_with_an_annotated_tag(released):
    repo = released[0]
    record = json.loads((repo / "releases" / "0.1.0" / "release.json").read_text())
    assert git(repo, "cat-file", "-t", "v0.1.0").strip() == "tag"  # annotated, not lightweight
    assert git(repo, "rev-parse", "v0.1.0^{commit}").startswith(record["commit"])


def test_a_tag_on_another_commit_is_refused_before_building(repo):
    git(repo, "tag", "-a", "v0.1.0", "-m", "elsewhere")
    (repo / "more.txt").write_text("x")
    commit_all(repo, "later")
    build = FakeBuild()
    with pytest.raises(ReleaseRefused, match=r"tag v0.1.0 already exists on commit [0-9a-f]{12}, not on this"):
        make_release(repo, "0.1.0", build)
    assert not build.envs


def test_a_tag_already_on_this_commit_is_kept(repo, capsys):
    git(repo, "tag", "-a", "v0.1.0", "-m", "by hand")
    make_release(repo, "0.1.0", FakeBuild())
    assert "tag v0.1.0 already on this commit, kept" in capsys.readouterr().err
    assert git(repo, "tag", "-n1", "-l", "v0.1.0").split() == ["v0.1.0", "by", "hand"]


@pytest.fixture
def recorded(released):
    """A release made and its record committed, as the README says to."""
    repo = released[0]
    commit_all(repo, "release 0.1.0")
    (repo / "later.txt").write_text("work after the release\n")
    commit_all(repo, "later work")
    return repo


def fake_release(build):
    """Releases the clone as `tomas release` does, with a FakeBuild for snakemake."""
    return lambda clone, version: make_release(clone, version, build)


def test_verify_release_rebuilds_a_release_byte_for_byte(recorded, tmp_path):
    build = FakeBuild()
    assert verify_release(recorded, "0.1.0", fake_release(build), scratch=tmp_path / "scratch") == []
    clone = tmp_path / "scratch" / "tomas-0.1.0"
    # Rebuilt at the release commit (not at the later one), with the release's date and plain version.
    record = json.loads((recorded / "releases" / "0.1.0" / "release.json").read_text())
    assert git(clone, "rev-parse", "HEAD").startswith(record["commit"])
    assert not (clone / "later.txt").exists()
    assert build.envs[0]["SOURCE_DATE_EPOCH"] == "1795996800" and build.envs[0][RELEASE_ENV] == "0.1.0"


def test_verify_release_reports_every_tampered_hash(recorded, tmp_path, capsys):
    record_file = recorded / "releases" / "0.1.0" / "release.json"
    record = json.loads(record_file.read_text())
    record["files"]["data/penalties.csv"] = "0" * 64
    record["files"]["report/tomas.pdf"] = "1" * 64
    record_file.write_text(json.dumps(record))
    commit_all(recorded, "tamper")
    problems = verify_release(recorded, "0.1.0", fake_release(FakeBuild()), scratch=tmp_path / "scratch")
    assert [p.split(":")[0] for p in problems] == ["data/penalties.csv", "report/tomas.pdf"]
    assert "recorded " + "0" * 64 in problems[0]


def test_verify_release_cli_exits_non_zero_and_prints_each_mismatch(recorded, monkeypatch, capsys):
    from tomas_pipeline.release import bundle as release

    # The real rebuild runs snakemake; here a build that makes one report file differ.
    class Drifting(FakeBuild):
        def __call__(self, repo, env):
            super().__call__(repo, env)
            (repo / "report" / "_output" / "tomas.html").write_bytes(b"different\n")

    monkeypatch.setattr(release, "own_release", fake_release(Drifting()))
    assert main(["verify-release", "0.1.0", "--repo", str(recorded)]) == 1
    out = capsys.readouterr()
    assert "MISMATCH report/tomas.html: rebuilt sha256" in out.out
    assert "MISMATCH tomas-toolkit-0.1.0.zip" in out.out  # the zip holds the html
    assert "does not rebuild as recorded (2 mismatches)" in out.err


def test_verify_release_of_an_unrecorded_version_is_refused(recorded, capsys):
    assert main(["verify-release", "9.9.9", "--repo", str(recorded)]) == 1
    err = capsys.readouterr().err
    assert "no release 9.9.9 is recorded" in err and "(recorded: 0.1.0)" in err


# --- the real thing ---------------------------------------------------------


@pytest.mark.slow
def test_real_release_twice_from_clean_clones_is_byte_identical(tmp_path):
    """The whole path as a maintainer runs it: two fresh clones of one commit,
    checked out at the same path one after the other, each `tomas release`d,
    give the same bytes; then, with the record committed, a second release of
    the same version is refused, and `tomas verify-release` proves the recorded
    release from its tag's commit."""
    source = copy_repo(tmp_path / "source")
    shutil.rmtree(source / "releases", ignore_errors=True)
    git(source, "init", "-q")
    commit_all(source, "snapshot")
    checkout = tmp_path / "work" / "tomas"
    env = dict(os.environ, TOMAS_RENDER_ENGINE="builtin", PYTHONPATH=str(checkout / "src"))
    env.pop("SOURCE_DATE_EPOCH", None)  # the release takes its date from CITATION.cff
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    tomas = str(Path(sys.executable).parent / "tomas")
    name = f"tomas-toolkit-{__version__}"
    kept = []
    for label in ("first", "second"):
        if checkout.exists():
            checkout.rename(tmp_path / "first")
        git(tmp_path, "clone", "-q", str(source), str(checkout))
        # PYTHONPATH: the checkout runs its own code, not the editable install's tree.
        result = subprocess.run([tomas, "release"], cwd=checkout, env=env, capture_output=True, text=True,
                                timeout=1500)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
        kept.append(tmp_path / label if label == "first" else checkout)
    first, second = (k / "dist" / name for k in kept)
    names = files_under(first)
    assert {"report/tomas.html", "report/tomas.pdf", "report/tomas.docx", "datapackage.json", "CITATION.cff",
            "CITATION.bib", "RELEASE_NOTES.md", MANIFEST, "data/changes.csv", "data/treaty_actions.csv"} <= names
    assert names == files_under(second)
    differ = [n for n in sorted(names) if (first / n).read_bytes() != (second / n).read_bytes()]
    assert not differ, f"not byte-identical: {differ}"
    assert (kept[0] / "dist" / f"{name}.zip").read_bytes() == (kept[1] / "dist" / f"{name}.zip").read_bytes()
    check = subprocess.run(["sha256sum", "--check", "--strict", MANIFEST], cwd=second, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    valid = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"],
                           cwd=second, capture_output=True, text=True, timeout=600)
    assert valid.returncode == 0, valid.stdout[-3000:]
    # The record is what the maintainer commits; then the same version is refused.
    assert (checkout / "releases" / __version__ / "release.json").exists()
    commit_all(checkout, "release")
    again = subprocess.run([tomas, "release"], cwd=checkout, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 1 and "equals the last release" in again.stderr
    # The release commit is tagged, and a researcher can prove the recorded release rebuilds.
    assert git(checkout, "cat-file", "-t", f"v{__version__}").strip() == "tag"
    proof = subprocess.run([tomas, "verify-release", __version__], cwd=checkout, env=env, capture_output=True,
                           text=True, timeout=1500)
    assert proof.returncode == 0 and "rebuilds byte for byte" in proof.stdout, proof.stdout[-3000:] + \
        proof.stderr[-3000:]


def test_schema_types_fit_the_cells_as_written(tmp_path):
    """'36.0' is a number, '008' stays text, and Frictionless agrees."""
    from tomas_pipeline.release.datapackage import build_descriptor

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "metric.csv").write_text(
        "country_iso2,numeric,max_months,count,flag,as_of,label\n"
        "NA,008,36.0,3,True,2024,x\n"
        "RS,688,,4,False,2024-05,\n")
    package = build_descriptor(tmp_path, "data", "9.9.9", 0)
    types = {f["name"]: f["type"] for f in package["resources"][0]["schema"]["fields"]}
    assert types == {"country_iso2": "string", "numeric": "string", "max_months": "number", "count": "integer",
                     "flag": "boolean", "as_of": "string", "label": "string"}
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    from frictionless import validate

    assert validate(str(tmp_path / "datapackage.json")).valid


def test_hostile_text_in_release_notes_stays_text():
    """A source title or law name with markup ends in the change sentences; under a
    CommonMark renderer with raw HTML allowed, it must still come out as text."""
    from markdown_it import MarkdownIt

    from tomas_pipeline.release.bundle import release_notes

    script, img = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    cff = {"title": f"TOMAS {script}", "version": "9.9.9", "date-released": "2026-11-30",
           "authors": [{"name": f"Team {img}"}], "type": "software"}
    changes = pd.DataFrame({"kind": ["world", "correction"],
                            "sentence": [f"The {script} law now applies.", f"[click](javascript:alert(1)) {img} ```"]})
    notes = release_notes(cff, {"version": "9.9.9", "date": "2026-11-30", "commit": "abc", "data_hash": "def"},
                          changes, f"Compared with {img}.")
    html = MarkdownIt("commonmark", {"html": True}).render(notes)
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    # The words are all still there, shown as text.
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2
