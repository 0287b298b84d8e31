"""Bad input: each broken table stops the build with a message naming the
file, row, column, value and what was expected, and leaves what was published
(data/processed/, report/_output/) byte for byte as it was."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from buildkit import base_build, copy_build, hashes, read_rows, snakemake, tail

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    file: str  # relative to the repository
    change: Callable[[str], tuple[str, int | None]]  # old text -> (new text, row of the bad cell)
    column: str | None
    value: object
    expected: str  # a phrase the "expected ..." part must contain


def cell(old: str, new: str) -> Callable[[str], tuple[str, int]]:
    """Replace text on the first line holding `old`; the row is that line's number."""
    def change(text: str) -> tuple[str, int]:
        lines = text.split("\n")
        row = next(i for i, line in enumerate(lines) if old in line)
        lines[row] = lines[row].replace(old, new, 1)
        return "\n".join(lines), row + 1
    return change


def drop_column(name: str):
    def change(text: str) -> tuple[str, int]:
        rows = list(csv.reader(io.StringIO(text)))
        k = rows[0].index(name)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(r[:k] + r[k + 1:] for r in rows)
        return out.getvalue(), 1
    return change


def add_column(name: str):
    def change(text: str) -> tuple[str, int]:
        lines = text.rstrip("\n").split("\n")
        return "\n".join([lines[0] + "," + name] + [line + "," for line in lines[1:]]) + "\n", 1
    return change


def duplicate_first_row(text: str) -> tuple[str, int]:
    return text + text.split("\n")[1] + "\n", 2


def header_only(text: str) -> tuple[str, int]:
    return text.split("\n")[0] + "\n", 2


CASES = {
    "unknown country": Case("data/raw/laws.csv", cell("Albania,Criminal Code", "Albnia,Criminal Code"),
                            "country", "Albnia", "a country name the register knows; closest: Albania"),
    "ambiguous country (no date)": Case("data/raw/laws.csv", cell("Albania,Criminal Code", "Yugoslavia,Criminal Code"),
                                        "country", "Yugoslavia", "the name of one state"),
    "ambiguous country (SFRY)": Case(
        "data/raw/laws.csv", cell("Albania,Criminal Code", "Socialist Federal Republic of Yugoslavia,Criminal Code"),
        "country", "Socialist Federal Republic of Yugoslavia", "no single continuing state"),
    "impossible date": Case("data/raw/treaty_actions.csv",
                            cell(",entry_into_force,1/7/2004,", ",entry_into_force,31/02/2004,"),
                            "date", "31/02/2004", "February 2004 has 29 days"),
    "date in an unknown format": Case("data/raw/treaty_actions.csv",
                                      cell(",entry_into_force,1/7/2004,", ",entry_into_force,2004/07/01,"),
                                      "date", "2004/07/01", "DD/MM/YYYY"),
    "ratification before signature": Case(
        "data/raw/treaty_actions.csv", cell("budapest,ratification,20/6/2002,coe_chart_185_2004",
                                            "budapest,ratification,20/6/2000,coe_chart_185_2004"),
        "date", "20/6/2000", "on or after the signature this source gives (2001-11-23)"),
    "penalty minimum above maximum": Case("data/raw/provisions.csv", cell(",3 to 10 years,", ",10 to 3 years,"),
                                          "penalty", "10 to 3 years", "a minimum not above the maximum"),
    "negative penalty": Case("data/raw/provisions.csv", cell(",3 to 10 years,", ",-3 to 10 years,"),
                             "penalty", "-3 to 10 years", "positive numbers"),
    "non-numeric penalty": Case("data/raw/provisions.csv", cell(",3 to 10 years,", ",several years,"),
                                "penalty", "several years", "a penalty such as"),
    "missing required column": Case("data/raw/laws.csv", drop_column("covers_online"),
                                    "covers_online", "covers_online", "this required column in the header"),
    "unknown extra column": Case("data/raw/laws.csv", add_column("comments"),
                                 "comments", "comments", "no column of this name"),
    "duplicated key": Case("data/raw/laws.csv", duplicate_first_row, "country, law, source_id",
                           "Albania | Criminal Code | tomas2024", "a unique key"),
    "source id that resolves nowhere": Case(
        "data/raw/laws.csv", cell("criminal_code,yes,tomas2024,", "criminal_code,yes,tomas2042,"),
        "source_id", "tomas2042", "a source_id listed in sources.csv"),
    # The audit reads the raw log too: it must not run, fail and lose conflicts.csv and gaps.csv.
    "unknown search outcome": Case("data/raw/searches.csv", cell(",not_reached", ",maybe"),
                                   "outcome", "maybe", "one of: not_reached, not_stated, found"),
    "empty file": Case("data/raw/laws.csv", lambda text: ("", 1), None, "", "a header row"),
    "header-only file": Case("data/raw/laws.csv", header_only, None, "", "at least one data row"),
    "malformed config value": Case("config/config.yaml", cell("engine: auto", "engine: pandoc"),
                                   "report.engine", "pandoc", "is not one of"),
    "unknown country in the config": Case("config/config.yaml", cell("focus_countries: [RS, AL, MK]",
                                                                     "focus_countries: [RS, AL, Narnia]"),
                                          "focus_countries", "Narnia", "a country name or ISO alpha-2 code"),
}


def message(case: Case, row: int | None, path: str) -> str:
    """The head of the TomasInputError line, as errors.py words it."""
    where = path + (f", row {row}" if row is not None else "") + (f", column '{case.column}'"
                                                                     if case.column is not None else "")
    return f"{where}: got {case.value!r}; expected "


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return copy_build(base_build(tmp_path_factory), tmp_path_factory.mktemp("bad") / "repo")


@pytest.fixture(scope="module")
def published(repo) -> dict[str, str]:
    found = hashes(repo)
    assert any(k.startswith("report/_output/") for k in found) and any(k.endswith(".csv") for k in found)
    return found


def _break_and_build(repo: Path, file: str, data: bytes):
    """Write the broken file, build, then put back the file, its mtime and the
    validated tables (Snakemake deletes a failed job's output), so the next
    case starts from an up-to-date build."""
    target = repo / file
    original, stat = target.read_bytes(), target.stat()
    validated = repo / "build" / "validated"
    saved = repo / "build" / ".validated-saved"
    shutil.copytree(validated, saved)
    try:
        target.write_bytes(data)
        return snakemake(repo)
    finally:
        target.write_bytes(original)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        shutil.rmtree(validated)
        saved.rename(validated)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_stops_the_build_and_names_the_cell(repo, published, name):
    case = CASES[name]
    text, row = case.change((repo / case.file).read_text(encoding="utf-8"))
    result = _break_and_build(repo, case.file, text.encode("utf-8"))
    output = result.stdout + result.stderr
    assert result.returncode != 0, tail(result)
    head = message(case, row, case.file)
    lines = [line for line in output.splitlines() if head in line]
    assert lines, f"no line starting {head!r} in:\n{tail(result)}"
    assert any(case.expected in line for line in lines), lines
    assert hashes(repo) == published


def test_file_that_is_not_utf8(repo, published):
    path = repo / "data/raw/provisions.csv"
    data = path.read_bytes()
    at = data.index("ë".encode())
    row = data[:at].count(b"\n") + 1
    column = "code"  # the first "ë" sits in the code's Albanian name
    assert b"Republik" in data[data.rfind(b"\n", 0, at):at]
    result = _break_and_build(repo, "data/raw/provisions.csv", data.replace("ë".encode(), b"\xeb"))
    assert result.returncode != 0, tail(result)
    head = f"data/raw/provisions.csv, row {row}, column '{column}': got {bytes([0xEB])!r}; expected UTF-8 text"
    assert head in result.stdout + result.stderr, tail(result)
    assert hashes(repo) == published


def test_yaml_tags_in_the_config_are_refused_not_run(repo, published, tmp_path):
    # Snakemake reads config files with YAML's FullLoader and YTE templates (which
    # evaluate Python); the Snakefile reads the file with safe_load first.
    marker = tmp_path / "ran"
    config = (repo / "config/config.yaml").read_text(encoding="utf-8")
    for evil in (f"__use_yte__: true\nx: ?__import__('pathlib').Path({str(marker)!r}).touch()\n",
                 f"x: !!python/object/apply:os.system ['touch {marker}']\n"):
        result = _break_and_build(repo, "config/config.yaml", (evil + config).encode("utf-8"))
        assert result.returncode != 0
        assert not marker.exists(), f"the config ran code: {evil}"
    assert hashes(repo) == published


def test_bom_and_crlf_are_read_like_plain_utf8(tmp_path_factory):
    """What Excel writes ('CSV UTF-8': a byte-order mark, CRLF line ends) is
    validated and normalised into the same processed tables as the plain file.
    Only the tables read are rebuilt (sources.csv would re-run every table), and
    only up to data/processed/: every later stage reads those."""
    base = base_build(tmp_path_factory)
    repo = copy_build(base, tmp_path_factory.mktemp("excel") / "repo")
    names = ["laws", "treaty_actions", "penalties", "statistics", "instruments"]
    for name in names:
        path = repo / "data/raw" / f"{name}.csv"
        text = path.read_text(encoding="utf-8")
        # Every "\n" ends a row: no cell holds a line break.
        assert not any("\n" in str(v) for row in read_rows(path) for v in row.values())
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    tables = [f"data/processed/{name}.csv" for name in names]
    result = snakemake(repo, *tables)
    assert result.returncode == 0, tail(result)
    assert result.stderr.count("localrule normalise:") == len(tables)  # each was read again, not skipped
    assert {t: hashes(repo)[t] for t in tables} == {t: hashes(base)[t] for t in tables}
