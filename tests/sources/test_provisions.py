"""Provisions as the unit of criminal law: one paragraph version carries one penalty,
and the preference between versions is a rule of legal method, decided per provision."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from buildkit import edit_cells, read_rows
from conftest import TESTS
from hypothesis import given, settings
from hypothesis import strategies as st

from tomas_pipeline.core.errors import TomasInputErrors
from tomas_pipeline.sources import audit, provisions
from tomas_pipeline.sources.normalise import check_source_types, make_table

RAW = TESTS.parent / "data" / "raw"
FACT = ["country_iso2", "jurisdiction", "offence", "form"]


def _append(path: Path, row: dict) -> int:
    """Add a row (missing columns empty); return its spreadsheet row number."""
    rows = read_rows(path)
    rows.append({k: row.get(k, "") for k in rows[0]})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return len(rows) + 1


def _one_penalty_per_paragraph(frame: pd.DataFrame) -> None:
    """Among the rows the report uses, a paragraph has one version and so one penalty."""
    chosen = frame[frame["preferred"].astype(bool)]
    for provision, rows in chosen.groupby("provision"):
        assert len(rows[["as_of", "source_id"]].astype("string").drop_duplicates()) == 1, provision
        assert len(rows[provisions.PENALTY_FIELDS].astype("string").drop_duplicates()) == 1, provision
    with_article = chosen[chosen["article"].notna()]
    for paragraph, rows in with_article.groupby(["country_iso2", with_article["jurisdiction"].fillna(""),
                                                 "article", "form"]):
        assert len(rows[provisions.PENALTY_FIELDS].astype("string").drop_duplicates()) == 1, paragraph


@pytest.fixture(scope="module")
def penalties() -> pd.DataFrame:
    return make_table("penalties", RAW)


# --- one paragraph, one penalty ----------------------------------------------------


def test_no_paragraph_of_the_data_carries_two_penalties(penalties):
    _one_penalty_per_paragraph(penalties)
    # Every fact the report uses comes from exactly one row.
    chosen = penalties[penalties["preferred"]]
    assert not chosen.duplicated(FACT).any()


def test_albania_117_2_gives_production_and_distribution_one_penalty(penalties):
    rows = penalties[(penalties["country_iso2"] == "AL") & penalties["preferred"]
                     & penalties["offence"].isin(["producing", "distributing"])]
    assert set(rows["offence"]) == {"producing", "distributing"}
    assert set(rows["provision"]) == {"al_cc_117_2"}
    assert len(rows[["min_months", "max_months"]].drop_duplicates()) == 1


def test_serbia_185_4_covers_four_offences_with_one_penalty(penalties):
    rows = penalties[(penalties["provision"] == "rs_cc_185_4") & penalties["preferred"]]
    assert set(rows["offence"]) >= {"distributing", "possessing", "procuring", "offering"}
    assert len(rows[["min_months", "max_months"]].drop_duplicates()) == 1


def test_serbia_185_3_is_the_aggravated_form(penalties):
    # The text quoted makes 185(3) the paragraph-2 offence committed against a child.
    rows = penalties[penalties["provision"] == "rs_cc_185_3"]
    assert len(rows) and set(rows["form"]) == {"aggravated"}
    basic = penalties[(penalties["country_iso2"] == "RS") & (penalties["offence"] == "producing")
                      & (penalties["form"] == "basic") & penalties["preferred"]]
    assert basic["provision"].tolist() == ["rs_cc_185_2"]


def test_a_second_penalty_for_the_same_provision_version_is_refused(raw_copy):
    path = raw_copy / "provisions.csv"
    first = read_rows(path)[0]
    row = _append(path, {**first, "penalty": "two to eight years"})
    with pytest.raises(TomasInputErrors) as info:
        make_table("penalties", raw_copy)
    hits = [e for e in info.value.errors if e.file.endswith("provisions.csv") and e.row == row]
    assert hits and hits[0].column == "provision, as_of, source_id", [e.message() for e in info.value.errors]
    assert "unique key" in hits[0].expected


def test_a_second_provision_id_for_one_paragraph_is_refused(raw_copy):
    path = raw_copy / "provisions.csv"
    first = read_rows(path)[0]
    assert first["article"]
    row = _append(path, {**first, "provision": "al_cc_117_2_again", "penalty": "3 to 10 years"})
    with pytest.raises(TomasInputErrors) as info:
        make_table("penalties", raw_copy)
    hits = [(e.file, e.row, e.column) for e in info.value.errors]
    assert (str(path), row, "provision") in hits, hits


def test_a_penalty_cell_in_the_offence_map_is_refused(raw_copy):
    # The map cannot give an offence a penalty of its own: its schema has no such column.
    path = raw_copy / "penalties.csv"
    rows = read_rows(path)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) + ["penalty"], lineterminator="\n")
    writer.writeheader()
    writer.writerows([{**r, "penalty": "3 to 10 years"} for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(TomasInputErrors) as info:
        make_table("penalties", raw_copy)
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "penalty")]


def test_an_offence_mapped_to_an_unknown_provision_is_refused(raw_copy):
    path = raw_copy / "penalties.csv"
    edit_cells(path, [(0, "provision", "rs_cc_999_9")])
    with pytest.raises(TomasInputErrors) as info:
        make_table("penalties", raw_copy)
    assert [(e.row, e.column, e.value) for e in info.value.errors] == [(2, "provision", "rs_cc_999_9")]


# --- the preference rule --------------------------------------------------------------


def _version(provision, penalty, as_of, reading, amending_law=None, source_id=None, offence="producing",
             article="1(1)"):
    low, high = penalty
    return {"country_iso2": "RS", "jurisdiction": pd.NA, "offence": offence, "form": "basic",
            "provision": provision, "article": article, "min_months": low, "max_months": high, "life": False,
            "fine": False, "as_of": as_of, "amending_law": amending_law, "reading": reading,
            "source_id": source_id or f"{provision}_{as_of}"}


def _choose(*rows):
    frame = pd.DataFrame(list(rows))
    preferred, disputed = provisions.choose(frame, FACT)
    return frame.assign(preferred=preferred, disputed=disputed)


TEXT, CLAIM = provisions.PRIMARY_TEXT, provisions.CLAIM


def test_a_primary_text_beats_a_newer_secondary_claim():
    out = _choose(_version("p", (12, 60), "2008", TEXT), _version("claim", (36, 120), "2024", CLAIM, article=None))
    assert out.loc[out["preferred"], "provision"].tolist() == ["p"]
    assert not out["disputed"].any()


def test_a_claim_naming_a_newer_amending_law_beats_an_older_text():
    out = _choose(_version("p", (12, 60), "2008", TEXT),
                  _version("p", (36, 120), "2013-05-01", CLAIM, amending_law="Law no. 144/2013", source_id="paper"))
    assert out.loc[out["preferred"], "source_id"].tolist() == ["paper"]


def test_a_claim_naming_an_amending_law_older_than_the_text_does_not_win():
    out = _choose(_version("p", (12, 60), "2015", TEXT),
                  _version("p", (36, 120), "2013", CLAIM, amending_law="Law no. 144/2013", source_id="paper"))
    assert out.loc[out["preferred"], "source_id"].tolist() == ["p_2015"]


def test_among_versions_of_one_text_the_newer_in_force_wins():
    out = _choose(_version("p", (6, 60), "2009", TEXT), _version("p", (12, 96), "2019-12-01", TEXT))
    assert out.loc[out["preferred"], "as_of"].tolist() == ["2019-12-01"]


def test_two_texts_of_one_version_that_disagree_stay_open():
    out = _choose(_version("p", (6, 60), "2009", TEXT, source_id="a"),
                  _version("p", (12, 96), "2009", TEXT, source_id="b"))
    assert not out["preferred"].any() and out["disputed"].all()
    found = audit.conflicts({"penalties": out})
    assert len(found) and set(found["rule"]) == {audit.UNRESOLVED}
    assert set(found["chosen_source"]) | set(found["other_source"]) == {"a", "b"}


def test_two_claims_that_disagree_stay_open_and_the_gap_says_why():
    out = _choose(_version("c1", (6, 60), "2020", CLAIM, article=None),
                  _version("c2", (12, 96), "2024", CLAIM, article=None))
    assert not out["preferred"].any() and out["disputed"].all()
    countries = pd.DataFrame([{"iso2": "RS", "name": "Serbia", "comparison": True, "user_assigned": False}])
    gaps = audit.gaps({"penalties": out}, countries)
    line = gaps[(gaps["table"] == "penalties") & (gaps["key"] == "producing")]["what"].tolist()
    assert line and "sources disagree" in line[0]


def test_a_text_settles_a_fact_even_when_claims_about_it_disagree():
    out = _choose(_version("p", (6, 60), "2009", TEXT),
                  _version("claim", (12, 96), "2020", CLAIM, article=None, source_id="a"),
                  _version("claim", (24, 96), "2024", CLAIM, article=None, source_id="b"))
    assert out.loc[out["preferred"], "provision"].tolist() == ["p"] and not out["disputed"].any()
    # Without the text the same two claims stay open: the newer paper is not a newer version.
    alone = _choose(*[_version("claim", pen, as_of, CLAIM, article=None, source_id=sid)
                      for pen, as_of, sid in [((12, 96), "2020", "a"), ((24, 96), "2024", "b")]])
    assert not alone["preferred"].any() and alone["disputed"].all()


def test_paragraphs_that_agree_are_not_a_dispute():
    out = _choose(_version("a", (12, 60), "2026-11-30", TEXT), _version("b", (12, 60), "2026-11-30", TEXT))
    assert out["preferred"].sum() == 1 and not out["disputed"].any()


def test_the_real_data_applies_the_rule_to_the_paper(penalties):
    # The paper names no article: the quoted code texts win in Albania and Serbia.
    for iso, offence, provision in [("AL", "producing", "al_cc_117_2"), ("RS", "distributing", "rs_cc_185_4"),
                                    ("RS", "producing", "rs_cc_185_2")]:
        rows = penalties[(penalties["country_iso2"] == iso) & (penalties["offence"] == offence)
                         & (penalties["form"] == "basic")]
        assert "tomas2024" in set(rows["source_id"])
        assert rows.loc[rows["preferred"], "provision"].tolist() == [provision]
    found = audit.conflicts({"penalties": penalties})
    against_paper = found[found["other_source"] == "tomas2024"]
    assert len(against_paper) >= 3
    assert against_paper["rule"].str.startswith("a primary text").all()
    # Any other disagreement on record is between versions of one text, decided by the newer in force.
    others = found[found["other_source"] != "tomas2024"]
    assert others["rule"].str.startswith(("a primary text", "the newer version")).all(), set(others["rule"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from(["producing", "distributing"]),
                          st.integers(1, 4), st.sampled_from(["2004", "2009", "2019"]),
                          st.sampled_from([TEXT, CLAIM]), st.booleans(), st.integers(0, 2)),
                min_size=1, max_size=12))
def test_whatever_the_versions_a_paragraph_shows_one_penalty(specs):
    # As in the pipeline: every offence mapped to a provision sees all of its versions.
    versions, mapped = {}, set()
    for provision, offence, years, as_of, reading, amended, source in specs:
        versions.setdefault((provision, as_of, f"s{source}"), (years, reading, amended))
        mapped.add((offence, provision))
    rows = [_version(provision, (12, 12 * years), as_of, reading, "Law 1" if amended else None,
                     source_id=source, offence=offence, article=provision)
            for (provision, as_of, source), (years, reading, amended) in sorted(versions.items())
            for offence, mapped_to in sorted(mapped) if mapped_to == provision]
    frame = pd.DataFrame(rows)
    preferred, disputed = provisions.choose(frame, FACT)
    out = frame.assign(preferred=preferred, disputed=disputed)
    _one_penalty_per_paragraph(out)
    assert not (out["preferred"] & out["disputed"]).any()
    assert not out[out["preferred"]].duplicated(FACT).any()
    # A fact is either decided (one row) or open (none preferred, all marked).
    for _, rows_of_fact in out.groupby("offence"):
        assert rows_of_fact["preferred"].sum() == 1 or rows_of_fact["disputed"].all()


# --- what counts as primary -----------------------------------------------------------

KINDS = pd.read_csv(RAW / "source_kinds.csv", dtype="string")


def _source(kind: str, typ: str | None) -> pd.DataFrame:
    return pd.DataFrame({"source_id": ["x"], "kind": [kind], "type": pd.Series([typ], dtype="string")})


def test_the_source_kinds_named_by_the_method_are_primary():
    primary = dict(zip(KINDS["type"], KINDS["primary"]))
    assert {t for t, p in primary.items() if p == "yes"} == {"treaty_depositary", "official_text", "own_statistics"}
    assert primary["study"] == primary["copy"] == "no"


@pytest.mark.parametrize("typ", KINDS["type"].tolist())
def test_each_source_kind_decides_primary_or_secondary(typ):
    is_primary = KINDS.set_index("type").at[typ, "primary"] == "yes"
    right, wrong = ("primary", "secondary") if is_primary else ("secondary", "primary")
    check_source_types(_source(right, typ), KINDS, "sources.csv")
    with pytest.raises(TomasInputErrors) as info:
        check_source_types(_source(wrong, typ), KINDS, "sources.csv")
    assert [(e.file, e.row) for e in info.value.errors] == [("sources.csv", 2)]
    assert info.value.errors[0].column in ("kind", "type")


def test_a_primary_source_must_say_what_kind_of_primary_it_is():
    with pytest.raises(TomasInputErrors) as info:
        check_source_types(_source("primary", None), KINDS, "sources.csv")
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "type")]
    with pytest.raises(TomasInputErrors):
        check_source_types(_source("secondary", "gazette"), KINDS, "sources.csv")  # no such type


def test_every_source_of_the_data_has_a_consistent_kind():
    sources = make_table("sources", RAW)
    primary = sources[sources["kind"] == "primary"]
    assert len(primary) and primary["type"].notna().all()
    assert sources.loc[sources["source_id"] == "tomas2024", "kind"].tolist() == ["secondary"]
