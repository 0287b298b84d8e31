import json
import subprocess

from packaging.version import Version

from tomas_pipeline import __version__
from tomas_pipeline.core.buildinfo import RELEASE_ENV, build_info


def test_date_comes_from_source_date_epoch(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("x\n1\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    info = build_info(tmp_path, raw)
    assert info.date == "2023-11-14"
    # Outside git the build cannot say how far it is from a release, and says so.
    assert Version(info.version).public == __version__ and Version(info.version).local == "unknown"
    assert info.commit == "unknown"  # not a git checkout
    (raw / "a.csv").write_text("x\n2\n")
    assert build_info(tmp_path, raw).data_hash != info.data_hash


def test_commit_and_date_from_git(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    env = {"GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": "/usr/bin:/bin"}
    (tmp_path / "f").write_text("1")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, env=env)
    subprocess.run(["git", "add", "f"], cwd=tmp_path, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "x"], cwd=tmp_path, check=True, env=env)
    info = build_info(tmp_path, tmp_path)
    assert info.date == "2024-01-02"
    assert len(info.commit) == 12 and not info.commit.endswith("-dirty")
    (tmp_path / "f").write_text("2")
    assert build_info(tmp_path, tmp_path).commit.endswith("-dirty")


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "PATH": "/usr/bin:/bin"}


def _git(repo, *args):
    return subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgSign=false", *args], cwd=repo,
                          check=True, env=GIT_ENV, capture_output=True, text=True).stdout.strip()


def _commit(repo, text):
    (repo / "f").write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", text)
    return _git(repo, "rev-parse", "HEAD")


def _record(repo, version, commit):
    (repo / "releases" / version).mkdir(parents=True)
    (repo / "releases" / version / "release.json").write_text(json.dumps({"version": version,
                                                                          "commit": commit[:12]}))


def test_between_releases_the_version_counts_commits_since_the_release(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    _git(tmp_path, "init", "-q")
    released = _commit(tmp_path, "released")
    _record(tmp_path, "0.1.0", released)
    for n in range(3):
        head = _commit(tmp_path, f"after {n}")
    version = Version(build_info(tmp_path, tmp_path).version)
    # The record is committed with the first of the 3 commits since the release.
    assert version.public == __version__ and version.local == f"3.g{head[:7]}"
    # The same commit states the same version on every build.
    assert build_info(tmp_path, tmp_path).version == str(version)
    # A tag v0.1.0 (what `tomas release` leaves) is counted from in preference.
    _git(tmp_path, "tag", "-a", "v0.1.0", "-m", "x", "HEAD~1")
    assert Version(build_info(tmp_path, tmp_path).version).local == f"1.g{head[:7]}"
    # Uncommitted changes are part of the label.
    (tmp_path / "f").write_text("edited")
    assert build_info(tmp_path, tmp_path).version.endswith(".dirty")


def test_without_a_recorded_release_commits_count_from_the_start(tmp_path, monkeypatch):
    monkeypatch.delenv(RELEASE_ENV, raising=False)
    _git(tmp_path, "init", "-q")
    _commit(tmp_path, "one")
    head = _commit(tmp_path, "two")
    assert build_info(tmp_path, tmp_path).version == f"{__version__}+2.g{head[:7]}"


def test_a_release_build_states_the_plain_version(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q")
    _commit(tmp_path, "one")
    monkeypatch.setenv(RELEASE_ENV, "0.2.0")
    assert build_info(tmp_path, tmp_path).version == "0.2.0"


def test_outside_git_without_a_date_the_build_is_refused(tmp_path, monkeypatch):
    import pytest

    from tomas_pipeline.core.buildinfo import BuildDateUnknown
    from tomas_pipeline.core.errors import TomasError

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "raw").mkdir()
    # Never 1970 (which would refuse every dated fact), never the clock: a clear refusal.
    with pytest.raises(BuildDateUnknown, match="SOURCE_DATE_EPOCH") as caught:
        build_info(tmp_path, tmp_path / "raw")
    assert isinstance(caught.value, TomasError) and "not a git checkout" in str(caught.value)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(BuildDateUnknown, match="whole seconds"):
        build_info(tmp_path, tmp_path / "raw")


def test_reading_the_commit_writes_nothing_into_git(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    _git(tmp_path, "init", "-q")
    _commit(tmp_path, "1")
    index = tmp_path / ".git" / "index"
    # A touched file makes `git status` want to refresh the index; parsing a workflow must not let it.
    (tmp_path / "f").write_text("1")
    before = (index.stat().st_mtime_ns, index.read_bytes())
    info = build_info(tmp_path, tmp_path)
    assert not info.commit.endswith("-dirty")
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before
