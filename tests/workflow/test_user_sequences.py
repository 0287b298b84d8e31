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


def _cell(column: str, row: int, value: str):
    """A breaker that sets one cell (row 0 = first data row)."""
    def breaker(text: str) -> str:
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(text)))
        rows[row][column] = value
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    return breaker


# One case per class of bad input; each is refused on every run.
BREAKS = {
    "malformed csv": ("laws.csv", lambda text: text + 'broken,"unterminated\n', "laws.csv"),
    "header only": ("strategies.csv", lambda text: text.splitlines()[0] + "\n", "strategies.csv"),
    "impossible date": ("treaty_actions.csv", _cell("date", 0, "31/02/2009"), "treaty_actions.csv"),
    "future date": ("treaty_actions.csv", _cell("date", 0, "14 April 2031"), "treaty_actions.csv"),
    "penalty min above max": ("provisions.csv", _cell("penalty", 0, "ten to five years"), "provisions.csv"),
    "malformed penalty span": ("provisions.csv", _cell("penalty", 0, "5 years 13 months"), "provisions.csv"),
    "unknown source id": ("laws.csv", _cell("source_id", 0, "nobody_2099"), "laws.csv"),
    "malformed number": ("statistics.csv", _cell("value", 0, "12.5.1"), "statistics.csv"),
    "unknown country": ("institutions.csv", _cell("country", 0, "Atlantis"), "institutions.csv"),
    "10,000-character name": ("laws.csv", _cell("law", 0, "Law" + "w" * 9997), "at most 500 characters"),
    "latin-1 file": ("strategies.csv", lambda text: text + "Serbia,Strat\xe9gie\n", "strategies.csv"),
}
_LATIN1 = {"latin-1 file"}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_a_rejected_table_stays_rejected_until_fixed(built, case):
    repo = built
    file, breaker, named = BREAKS[case]
    path = repo / "data" / "raw" / file
    good = path.read_text(encoding="utf-8")
    before = hashes(repo)
    if case in _LATIN1:
        path.write_bytes(breaker(good).encode("latin-1"))
    else:
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
    for _ in range(2):
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


def test_the_stamp_and_the_content_always_come_from_the_same_data(built):
    """Build, change data, fail, fix, rebuild, undo: after every run the raw-data
    hash the report and manifest state is the hash of the data its content shows."""
    import re

    from tomas_pipeline.core.io import tree_hash

    repo = built
    raw, html = repo / "data/raw", repo / "report/_output/tomas.html"
    manifest = repo / "report/_output/tomas.sha256"
    original_html = html.read_bytes()

    def stamped() -> tuple[str, str]:
        report = re.search(r"raw\s+data\s+([0-9a-f]{12})", html.read_text(encoding="utf-8")).group(1)
        listed = re.search(r"raw data ([0-9a-f]{12})", manifest.read_text(encoding="utf-8").splitlines()[0]).group(1)
        return report, listed

    def shows_marker() -> bool:
        return marker in " ".join(html.read_text(encoding="utf-8").split())

    def data_hash() -> str:
        return tree_hash(raw, "*.csv")[:12]

    h0 = data_hash()
    assert stamped() == (h0, h0)
    laws, stats = raw / "laws.csv", raw / "statistics.csv"
    good_laws, good_stats = laws.read_text(encoding="utf-8"), stats.read_text(encoding="utf-8")
    marker = "Law on Reporting Duties of Internet Providers"
    # A valid change the report shows, and at the same time a broken table.
    changed_laws = good_laws.replace("Criminal Code of the Republic of North Macedonia", marker, 1)
    assert changed_laws != good_laws
    laws.write_text(changed_laws, encoding="utf-8")
    stats.write_text(_cell("value", 0, "12.5.1")(good_stats), encoding="utf-8")
    for _ in range(2):
        assert snakemake(repo).returncode != 0
        assert stamped() == (h0, h0) and not shows_marker()
    stats.write_text(good_stats, encoding="utf-8")
    result = snakemake(repo)
    assert result.returncode == 0, tail(result)
    h1 = data_hash()
    assert h1 != h0 and stamped() == (h1, h1) and shows_marker()
    laws.write_text(good_laws, encoding="utf-8")
    assert snakemake(repo).returncode == 0
    assert stamped() == (h0, h0) and html.read_bytes() == original_html
