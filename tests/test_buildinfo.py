import subprocess

from tomas_pipeline import __version__
from tomas_pipeline.buildinfo import build_info


def test_date_comes_from_source_date_epoch(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("x\n1\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    info = build_info(tmp_path, raw)
    assert info.date == "2023-11-14"
    assert info.version == __version__
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
