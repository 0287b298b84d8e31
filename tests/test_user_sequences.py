"""Sequences of events as a user produces them, on one scratch build, with
nothing restored between steps: break a table, build, build again, validate,
fix, build; delete or empty a table, build. After every failed run the public
folders must be byte-identical to before."""

from __future__ import annotations

import pytest

from buildkit import base_build, copy_build, hashes, snakemake, tail


@pytest.fixture
def built(tmp_path_factory, tmp_path):
    return copy_build(base_build(tmp_path_factory), tmp_path / "repo")


BREAKS = {
    "malformed csv": ("laws.csv", lambda text: text + 'broken,"unterminated\n', "laws.csv"),
    "header only": ("strategies.csv", lambda text: text.splitlines()[0] + "\n", "strategies.csv"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_a_rejected_table_stays_rejected_until_fixed(built, case):
    repo = built
    file, breaker, named = BREAKS[case]
    path = repo / "data" / "raw" / file
    good = path.read_text(encoding="utf-8")
    before = hashes(repo)
    path.write_text(breaker(good), encoding="utf-8")
    messages = []
    for attempt in range(3):
        result = snakemake(repo)
        assert result.returncode != 0, f"run {attempt + 1} after breaking {file} published:\n" + tail(result)
        out = result.stdout + result.stderr
        assert named in out, tail(result)
        messages.append([line for line in out.splitlines() if line.startswith(f"data/raw/{file}")][:1])
        assert hashes(repo) == before, f"run {attempt + 1} changed a public file"
    assert messages[0] == messages[1] == messages[2], messages
    path.write_text(good, encoding="utf-8")
    fixed = snakemake(repo)
    assert fixed.returncode == 0, tail(fixed)


@pytest.mark.parametrize("how", ["delete", "empty"])
def test_a_deleted_or_emptied_table_is_an_error_naming_it(built, how):
    repo = built
    path = repo / "data" / "raw" / "laws.csv"
    good = path.read_bytes()
    before = hashes(repo)
    for attempt in range(2):
        if how == "delete":
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(b"")
        result = snakemake(repo)
        assert result.returncode != 0, tail(result)
        out = result.stdout + result.stderr
        assert "data/raw/laws.csv" in out and ("missing" if how == "delete" else "a header row") in out, tail(result)
        assert hashes(repo) == before
    path.write_bytes(good)
    assert snakemake(repo).returncode == 0
