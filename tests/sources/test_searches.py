"""The search log (data/raw/searches.csv): its schema, its join to the gaps, and what the report shows.

Unit tests on hand-made gaps and logs; the checks of the real file as a user edits it (a scratch copy of
data/raw); and a real build on a scratch copy whose gaps appendix lists the logged searches."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from buildkit import read_rows, write_rows
from conftest import TESTS

from tomas_pipeline.core.errors import TomasInputErrors
from tomas_pipeline.metrics.method import load_indicators
from tomas_pipeline.sources import audit
from tomas_pipeline.sources.ingest import load_table
from tomas_pipeline.sources.normalise import make_table
from tomas_pipeline.sources.schemas import SEARCHES

ROOT = TESTS.parent
COLUMNS = ["table", "country_iso2", "key", "searched_on", "where", "outcome"]
INDICATORS = [i["id"] for i in load_indicators(ROOT / "config" / "indicators.yaml")]


def _gaps() -> pd.DataFrame:
    rows = [
        ("treaty_actions", "RS", "opsc signature", "the date Serbia signed the OPSC", audit.MISSING,
         "no source row in treaty_actions.csv gives its signature"),
        ("penalties", "RS", "accessing", "the penalty for accessing in Serbia", audit.MISSING,
         "no source row in penalties.csv gives a provision for this offence"),
        ("penalties", "AL", "grooming", "the penalty for grooming in Albania", audit.MISSING,
         "no source row in penalties.csv gives a provision for this offence"),
        ("statistics", None, "ncmec_cybertipline_reports 2023", "NCMEC reports worldwide in 2023", audit.MISSING,
         "rows for other years only"),
        ("penalties", "RS", "rs_cc_185_2", "the current text of art. 185(2)", "check: text older than 5 years",
         "newest version on record: 2009 (srb_ngo_coalition_2010)"),
    ]
    return pd.DataFrame(rows, columns=audit.GAP_COLUMNS)


def _log(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS).astype("string")


LOG = _log(
    # Two searches for Serbia's accessing penalty, given out of date order.
    ("penalties", "RS", "accessing", "2026-12-03", "news pages quoting Art. 185(5)", "not_reached"),
    ("penalties", "RS", "accessing", "2026-11-30", "Legislationline PDF of the code", "not_stated"),
    # One for the world total.
    ("statistics", None, "ncmec_cybertipline_reports 2023", "2026-11-30", "NCMEC 2023 report", "not_reached"),
    # Every penalty of Albania, and a search for another country's treaty that must not leak to Serbia's.
    ("penalties", "AL", "*", "2026-12-03", "English copies of the Albanian code", "not_reached"),
    ("treaty_actions", "ME", "opsc signature", "2026-11-30", "UN Treaty Collection OPSC page", "not_reached"),
    # A search of the check's provision key changes nothing: the checks are not gaps of the log.
    ("penalties", "RS", "*", "2026-11-29", "the Serbian code", "not_reached"),
)


def test_a_gap_with_no_search_says_so_after_what_no_row_gives():
    found = audit.with_searches(_gaps(), LOG.iloc[[0, 1, 2, 3]]).set_index("key")
    assert found.loc["opsc signature", "tried"] == ("no source row in treaty_actions.csv gives its signature; "
                                                    "no search recorded")
    assert found.loc["opsc signature", "tried"].startswith(audit.NO_ROW)


def test_one_and_two_searches_are_listed_in_date_order():
    found = audit.with_searches(_gaps(), LOG.iloc[[0, 1, 2]]).set_index("key")
    assert found.loc["accessing", "tried"] == (
        "no source row in penalties.csv gives a provision for this offence; "
        "searched 2026-11-30: Legislationline PDF of the code (read, does not state it); "
        "searched 2026-12-03: news pages quoting Art. 185(5) (not reached)")
    # A global fact matches only a search with no country.
    assert found.loc["ncmec_cybertipline_reports 2023", "tried"] == (
        "rows for other years only; searched 2026-11-30: NCMEC 2023 report (not reached)")


def test_the_appendix_sentence_counts_the_searched_gaps_and_says_when_every_one_was(monkeypatch):
    from tomas_pipeline.reporting import tables

    monkeypatch.setattr(tables, "countries", lambda focus: pd.DataFrame({"iso2": ["RS", "AL"]}))
    monkeypatch.setattr(tables, "names", lambda codes: "Serbia and Albania")
    assert tables.gaps_searched_sentence(_gaps(), LOG) == (
        "Of the 3 facts missing for Serbia and Albania, 2 have at least one search on record; for the other 1 "
        "the column says that no search is recorded.")
    every = pd.concat([LOG, _log(("treaty_actions", "RS", "*", "2026-12-04", "UN Treaty Collection", "not_reached"))])
    assert tables.gaps_searched_sentence(_gaps(), every) == (
        "Each of the 3 facts missing for Serbia and Albania has at least one search on record.")


def test_a_star_search_covers_every_key_of_its_table_and_country_only():
    found = audit.with_searches(_gaps(), LOG).set_index("key")
    assert found.loc["grooming", "tried"].endswith("searched 2026-12-03: English copies of the Albanian code "
                                                   "(not reached)")
    # Serbia's `*` joins Serbia's accessing gap, first by date; Montenegro's treaty search reaches no Serbian gap.
    assert found.loc["accessing", "tried"].split("; ")[1] == "searched 2026-11-29: the Serbian code (not reached)"
    assert found.loc["opsc signature", "tried"].endswith("no search recorded")
    # The check of an old text keeps its own wording.
    assert found.loc["rs_cc_185_2", "tried"] == "newest version on record: 2009 (srb_ngo_coalition_2010)"


def test_gaps_without_a_log_are_unchanged_and_with_an_empty_log_say_no_search():
    countries = pd.DataFrame({"iso2": ["RS"], "name": ["Serbia"], "comparison": [True], "user_assigned": [False]})
    plain = audit.gaps({}, countries)
    empty = audit.gaps({}, countries, searches=_log())
    assert (plain["kind"] == audit.MISSING).all() and len(plain) == len(empty)
    assert all(e == f"{p}; {audit.NO_SEARCH}" for p, e in zip(plain["tried"], empty["tried"]))


def test_searched_count_counts_the_countries_gaps_with_a_search():
    assert audit.searched_count(_gaps(), LOG, ["RS", "AL"]) == (2, 3)
    assert audit.searched_count(_gaps(), _log(), ["RS", "AL"]) == (0, 3)


# --- the file as a user edits it ---------------------------------------------------------------------------


def _append(raw: Path, **cells: str) -> int:
    """Append a searches row; returns its spreadsheet row number."""
    path = raw / "searches.csv"
    rows = read_rows(path)
    rows.append({k: cells.get(k, "") for k in COLUMNS})
    write_rows(path, rows)
    return len(rows) + 1


def _messages(exc: TomasInputErrors) -> list[str]:
    return [e.message() for e in exc.errors]


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("outcome", "maybe", "one of: not_reached, not_stated, found"),
    ("table", "hotlines", "one of: treaty_actions, penalties"),
    ("searched_on", "30/11/2026", "text matching"),
])
def test_a_bad_row_names_file_row_column_value_and_what_was_expected(raw_copy, column, value, expected):
    good = {"table": "penalties", "country_iso2": "RS", "key": "accessing", "searched_on": "2026-12-03",
            "where": "a test search", "outcome": "not_reached"}
    row = _append(raw_copy, **dict(good, **{column: value}))
    with pytest.raises(TomasInputErrors) as caught:
        make_table("searches", raw_copy)
    [message] = [m for m in _messages(caught.value) if f"row {row}" in m]
    assert "searches.csv" in message and column in message and value in message and expected in message


def test_an_unknown_country_code_is_refused_at_its_row(raw_copy):
    row = _append(raw_copy, table="penalties", country_iso2="QQ", key="accessing", searched_on="2026-12-03",
                  where="a test search", outcome="not_reached")
    with pytest.raises(TomasInputErrors) as caught:
        make_table("searches", raw_copy)
    [message] = _messages(caught.value)
    assert "searches.csv" in message and f"row {row}" in message and "country_iso2" in message and "QQ" in message


def test_a_key_no_gap_of_its_table_can_have_is_refused_at_its_row(raw_copy):
    row = _append(raw_copy, table="treaty_actions", country_iso2="RS", key="opsc signing", searched_on="2026-12-03",
                  where="a test search", outcome="not_reached")
    log = load_table(raw_copy, "searches.csv")
    with pytest.raises(TomasInputErrors) as caught:
        audit.check_searches(log, raw_copy / "searches.csv", audit.load_expectations(), INDICATORS)
    [message] = _messages(caught.value)
    assert "searches.csv" in message and f"row {row}" in message and "key" in message and "opsc signing" in message
    assert "opsc signature" in message  # what was expected lists the table's keys


def test_the_real_log_is_valid_and_written_in_the_shared_format():
    path = ROOT / "data" / "raw" / "searches.csv"
    log = load_table(path.parent, path.name)
    audit.check_searches(log, path, audit.load_expectations(), INDICATORS)
    assert list(log.columns) == COLUMNS == list(SEARCHES.columns)
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    body = sorted(rows[1:], key=lambda r: tuple(r[:5]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([rows[0], *body])
    assert text == out.getvalue(), "searches.csv: sort by table, country_iso2, key, searched_on, where; csv defaults"


# --- a real build -------------------------------------------------------------------------------------------


def _appendix(repo: Path) -> str:
    page = (repo / "report" / "_output" / "tomas.html").read_text(encoding="utf-8")
    start = page.index('id="sec-app-gaps"')
    return html.unescape(re.sub(r"<[^>]+>", " ", page[start:page.index('id="sec-app-changes"')]))


def _html_searches(repo: Path) -> tuple[dict[int, tuple[str, str, str]], dict[str, list[int]]]:
    """From the HTML: number -> (date, where, outcome) of the searches table, and fact -> the numbers its
    gaps row cites (each missing fact's wording names its country and is unique)."""
    from lxml import html as lxml_html

    page = lxml_html.fromstring((repo / "report" / "_output" / "tomas.html").read_bytes())

    def rows(label):
        table = page.xpath(f"//*[@id='{label}']//table")[0]
        return [[_plain(td.text_content()).strip() for td in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")]

    numbered = {int(r[0]): (r[1], r[2], r[3]) for r in rows("tbl-searches")}
    cited: dict[str, list[int]] = {}
    for _country, _table, fact, kind, _why, searches in rows("tbl-gaps"):
        if kind == audit.MISSING:
            assert fact not in cited, fact
            cited[fact] = [int(n) for n in re.findall(r"\d+", searches)]
    return numbered, cited


def _plain(text: str) -> str:
    """Pandoc's typographic quotes and dashes back to ASCII, spaces collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
def test_the_built_appendix_lists_each_gaps_searches_and_counts_them(built_repo):
    processed = built_repo / "data" / "processed"
    gaps = pd.read_csv(processed / "gaps.csv", dtype="string")
    log = pd.read_csv(processed / "searches.csv", dtype="string")
    assert len(log) == len(pd.read_csv(built_repo / "data" / "raw" / "searches.csv", dtype="string"))
    missing = gaps[gaps["kind"] == audit.MISSING]
    # Every missing fact keeps what no row gives first, then its searches or "no search recorded".
    assert missing["tried"].map(lambda t: "; searched " in t or t.endswith(audit.NO_SEARCH)).all()
    assert missing["tried"].str.contains("no source row in").any()
    appendix = _plain(_appendix(built_repo))
    # Each gap's row cites its searches by number, and the searches table gives each number's search: read
    # back from the HTML, the numbers of every gap row are exactly the searches the log has for that fact.
    numbered, cited = _html_searches(built_repo)
    assert sorted(numbered) == list(range(1, len(numbered) + 1))
    shown = 0
    for row in missing.itertuples():
        attempts = audit.attempts_for(log, row.table, row.country_iso2, row.key)
        expected = {(a.searched_on, _plain(a.where), audit.OUTCOME_WORDS[a.outcome]) for a in attempts.itertuples()}
        for attempt in attempts.itertuples():
            assert f"searched {attempt.searched_on}: {attempt.where}" in row.tried
        numbers = cited[_plain(row.what)]
        assert {numbered[n] for n in numbers} == expected, row.what
        shown += len(numbers)
    assert shown > 0
    # The count of the focus countries' gaps with a search, from the two files.
    done, total = audit.searched_count(gaps, log, ["RS", "AL", "MK"])
    assert 0 < done <= total
    if done == total:
        assert (f"Each of the {total:,} facts missing for Serbia, Albania and North Macedonia has at least one "
                "search on record.") in appendix
    else:
        assert (f"Of the {total:,} facts missing for Serbia, Albania and North Macedonia, {done:,} have at least "
                f"one search on record; for the other {total - done:,}") in appendix
    assert "not yet" not in appendix.lower()
