"""Country briefs (issue 20): catalogs, plural forms, the brief's numbers against the
processed tables, hostile strings, the Cyrillic PDF and byte-identical output."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from babel.numbers import parse_decimal
from buildkit import Elements
from conftest import TESTS

from tomas_pipeline.briefs import i18n, write_brief
from tomas_pipeline.briefs.content import (
    OFFENCES,
    BriefData,
    Stamp,
    brief_figures,
    brief_markdown,
    duration,
    figure_name,
    offence_name,
    penalty_spread,
)
from tomas_pipeline.briefs.i18n import FALLBACK_MARK, LANGUAGES, Translator, untranslated
from tomas_pipeline.core.io import read_processed, write_csv

ROOT = TESTS.parent
STAMP = Stamp("9.9.9", dt.date(2026, 12, 1), "0123abcd", "feedbeef0123")
EPOCH = 1796083200
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
FORMULA = '=HYPERLINK("http://example.invalid","click")'
PREVIOUS_NOTE = "Compared with release 0.1.0 of 2026-11-30."


# --- catalogs ---------------------------------------------------------------------------------

def _ids(pot: Path) -> set:
    with pot.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "briefs.pot"
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *i18n.EXTRACT_ARGS,
                             "-o", str(fresh), *i18n.EXTRACT_PATHS], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    shipped = _ids(i18n.pot_path())
    assert _ids(fresh) == shipped, ("re-extract briefs.pot (command in i18n.py); new: "
                                    f"{sorted(map(str, _ids(fresh) - shipped))}, gone: "
                                    f"{sorted(map(str, shipped - _ids(fresh)))}")
    assert len(shipped) > 50 and ("{n} year", "{n} years") in shipped


@pytest.mark.parametrize("lang", LANGUAGES)
def test_shipped_languages_translate_every_message(lang):
    assert untranslated(lang) == []


def test_a_missing_translation_is_listed_and_shown_in_english_with_a_mark(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    po = locale / "sq" / "LC_MESSAGES" / "briefs.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Fact"\nmsgstr "Fakti"', 'msgid "Fact"\nmsgstr ""')
    text = text.replace('msgid "Field"\nmsgstr "Fusha"', '#, fuzzy\nmsgid "Field"\nmsgstr "Fusha"')
    text = text.replace('msgid "Name"\nmsgstr "Emri"\n', "")
    po.write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.translations.cache_clear()
    try:
        assert untranslated("sq") == ["Fact", "Field", "Name"]
        t = Translator("sq")
        assert t._("Fact") == "Fact" + FALLBACK_MARK
        assert t._("Field") == "Field" + FALLBACK_MARK
        assert t._("Name") == "Name" + FALLBACK_MARK
        assert t._("Source") == "Burimi"
    finally:
        i18n.translations.cache_clear()


def _num_plurals(lang: str) -> int:
    with i18n.po_path(lang).open("rb") as handle:
        return read_po(handle).num_plurals


@pytest.mark.parametrize("lang", ["sr_Cyrl", "sr_Latn", "bs", "hr", "cnr"])
def test_serbian_bosnian_croatian_montenegrin_have_three_plural_forms(lang):
    assert _num_plurals(lang) == 3
    t = Translator(lang)
    years = {k: t.n("{n} year", "{n} years", k).format(n=k) for k in (1, 2, 4, 5, 11, 12, 21, 22, 25, 101)}
    one, few, many = (("година", "године", "година") if lang == "sr_Cyrl" else ("godina", "godine", "godina"))
    assert [years[k].split()[1] for k in (1, 21, 101)] == [one] * 3
    assert [years[k].split()[1] for k in (2, 4, 22)] == [few] * 3
    assert [years[k].split()[1] for k in (5, 11, 12, 25)] == [many] * 4
    months = {k: t.n("{n} month", "{n} months", k).format(n=k) for k in (1, 3, 7)}
    assert len({m.split()[1] for m in months.values()}) == 3  # mesec, meseca, meseci
    if lang in ("bs", "hr", "cnr"):  # ijekavian
        assert [months[k].split()[1] for k in (1, 3, 7)] == ["mjesec", "mjeseca", "mjeseci"]


def test_macedonian_plural_follows_cldr():
    # CLDR: one = ends in 1 but not 11; babel's own table would say n != 1 and get 21 wrong.
    assert _num_plurals("mk") == 2
    t = Translator("mk")
    word = {k: t.n("{n} year", "{n} years", k).format(n=k).split()[1] for k in (1, 2, 5, 11, 21, 111)}
    assert word == {1: "година", 21: "година", 2: "години", 5: "години", 11: "години", 111: "години"}


def test_numbers_and_dates_follow_the_locale():
    assert Translator("en").number(1234.5, 1) == "1,234.5"
    assert Translator("sr_Latn").number(1234.5, 1) == "1.234,5"
    assert Translator("sr_Cyrl").date("2010-05-21") == "21. мај 2010."
    assert Translator("sq").date("2002-08") == "gusht 2002"
    assert Translator("mk").date("2009") == "2009"
    # Croatian months are its own, in the genitive after a day; Bosnian and Montenegrin (by sr_Latn_ME) are not.
    assert Translator("hr").date("2010-05-21") == "21. svibnja 2010." and Translator("hr").date("2002-08") == \
        "kolovoz 2002"
    assert Translator("bs").date("2002-08") == "august 2002" and Translator("bs").date("2010-07-01") == \
        "1. juli 2010."
    assert Translator("cnr").date("2002-08") == "avgust 2002" and Translator("cnr").date("2010-07-01") == \
        "1. jul 2010."
    assert {Translator(c).number(1234.5, 1) for c in ("bs", "hr", "cnr")} == {"1.234,5"}


def test_montenegrin_is_its_own_language_formatted_by_the_montenegrin_serbian_locale():
    lang = i18n.lang_info("cnr")
    # babel alone would read cnr as Serbian (CLDR's alias) and the brief would take Serbian names.
    assert (lang.language, lang.script, lang.bcp47, lang.babel) == ("cnr", "Latn", "cnr-Latn", "sr_Latn_ME")
    assert str(Translator("cnr").locale) == "sr_Latn_ME"
    assert [(i18n.lang_info(c).language, i18n.lang_info(c).bcp47) for c in ("bs", "hr")] == [("bs", "bs"),
                                                                                             ("hr", "hr")]


# --- small tables -----------------------------------------------------------------------------

def small_tables(folder: Path, names_dir: Path | None = None) -> Path:
    """Processed tables for two comparison countries, with hostile cells, written as the pipeline writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "countries": pd.DataFrame({"iso2": ["RS", "AL"], "name": ["Serbia", "Albania"], "focus": [True, True],
                                   "comparison": [True, True], "order": [0, 1]}),
        "ratification": pd.DataFrame({
            "country_iso2": ["RS", "RS"], "instrument": ["lanzarote", "budapest"], "status": ["party", "party"],
            "signature_date": ["2007-10-25", None], "bound_action": ["ratification", None],
            "bound_date": ["2010-05-21", None], "entry_into_force": ["2010-09-01", None],
            "source_ids": ["src_a", None]}),
        "instruments": pd.DataFrame({"instrument_id": ["lanzarote", "budapest"],
                                     "short_name": ["Lanzarote Convention", "Budapest Convention"]}),
        "scorecard": pd.DataFrame({
            "country_iso2": ["RS", "RS", "RS", "AL", "AL", "AL"],
            "indicator": ["crim_producing", "crim_offering", "pen_producing"] * 2,
            "value": ["yes", "no", "1.5", "yes", "yes", None], "score": [1, 0, 0.5, 1, 1, None],
            "source_ids": ["s"] * 6}),
        "penalty_alignment": pd.DataFrame({
            "country_iso2": ["RS", "RS", "AL"], "indicator": ["pen_producing", "pen_offering", "pen_producing"],
            "level": ["country"] * 3, "max_months": [60.0, None, 180.0], "life": [False, None, False],
            "floor_max_months": [36, 24, 36], "meets_floor": [True, None, True]}),
        "institutions": pd.DataFrame({
            "country_iso2": ["RS", "RS", "RS", "RS"], "kind": ["hotline", "police_unit", "ecpat_member", "court_unit"],
            "name": [f"Hotline {SCRIPT}", f"Unit {IMG}", LINK, FORMULA], "inhope_member": ["yes", None, None, None],
            "body": ["national hotline", f"Unit {IMG}", LINK, FORMULA], "preferred": [True] * 4,
            "source_id": ["src_a", "src_b", "src_c", "src_d"]}),
        "recommendation_tracker": pd.DataFrame({
            "recommendation": ["r2_4", "r9_9"], "title": ["Hotlines to join INHOPE", f"New one {SCRIPT}"],
            "country_iso2": ["RS", "RS"], "status": ["met", "unknown"], "indicators": ["inhope_hotline", None],
            "source_ids": ["src_a", None]}),
        "conflicts": pd.DataFrame({
            "table": ["penalties"], "country_iso2": ["RS"], "key": ["producing / basic"], "field": ["max_months"],
            "chosen_value": ["60"], "chosen_source": ["src_a"], "other_value": ["120"], "other_source": [LINK],
            "rule": ["primary over secondary"]}),
        "gaps": pd.DataFrame({"table": ["treaty_actions", "treaty_actions", "penalties", "strategies"],
                              "country_iso2": ["RS", "RS", "RS", "AL"],
                              "key": ["uncrc", "opsc signature", "grooming", "strategy"],
                              "what": ["x", "y", "z", "w"], "kind": ["missing"] * 4, "tried": [None] * 4}),
        # RS: a rising three-year series (its newest row not preferred), a one-year series, a decimal score
        # and an undated figure; AL: a falling series; a regional row that is no country's.
        "statistics": pd.DataFrame({
            "country_iso2": ["RS", "RS", "RS", "RS", "RS", "RS", "RS", "AL", "AL", None],
            "scope": ["country"] * 9 + ["region"], "area": [None] * 9 + ["Western Balkans"],
            "indicator": ["ncmec_cybertipline_reports"] * 3 + ["ncmec_cybertipline_reports", "art185_adults_accused",
                          "itu_gci_2020_score", "operation_armageddon_criminal_charges"]
                         + ["ncmec_cybertipline_reports"] * 2 + ["ncmec_cybertipline_reports"],
            "year": [2021, 2022, 2023, 2023, 2021, 2020, None, 2022, 2023, 2023],
            "value": [22695, 27575, 27575, 99999, 36, 64.32, 200, 11376, 8821, 70000],
            "unit": ["reports"] * 4 + ["count", "score", "count", "reports", "reports", "reports"],
            "source_id": ["grimm", "grimm", "ncmec_own", "other", "cybercrime_rs", "aksk", "tomas2024", "grimm",
                          "grimm", "grimm"],
            "preferred": [True, True, True, False, True, True, True, True, True, True]}),
        # RS: one plan under two sources' titles, one of them saying it does not address children online;
        # AL: none, so its brief says so and lists the gap.
        "strategies": pd.DataFrame({
            "country_iso2": ["RS", "RS"], "title": [f"Strategy {SCRIPT}", "Strategija razvoja"],
            "start_year": [2021, 2021], "end_year": [2026, 2026], "field": ["information_society"] * 2,
            "addresses_children_online": [None, "no"], "note": [None, None], "source_id": ["atlas", "tomas2024"],
            "source_kind": ["secondary"] * 2}),
        "changes": pd.DataFrame({
            "kind": ["world", "correction", "correction"], "table": ["ratification", "penalties", "ratification"],
            "country_iso2": ["RS", "RS", "AL"],
            "sentence": [f"Serbia ratified {SCRIPT} on 1 May 2026.", "The penalty for producing in Serbia was "
                         "corrected.", "Albania's ratification of the Lanzarote Convention is now recorded."]}),
    }
    for name, frame in frames.items():
        write_csv(frame, folder / f"{name}.csv")
    (folder / "changes.provenance.json").write_text(json.dumps({"note": PREVIOUS_NOTE}), encoding="utf-8")
    return folder


def section_rows(markdown: str, heading: str) -> list[dict[str, str]]:
    """The pipe table under `## heading`, cells unescaped."""
    part = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    split = [[re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [dict(zip(split[0], row)) for row in split[1:]]


@pytest.fixture
def small(tmp_path) -> BriefData:
    return BriefData.load(small_tables(tmp_path / "processed"), ROOT / "config/indicators.yaml", ROOT / "data/raw")


def test_small_brief_numbers_equal_the_tables(small):
    t = Translator("en")
    md = brief_markdown(small, "RS", t, STAMP)
    rows = {r["Indicators"]: r for r in section_rows(md, "Scorecard beside the region")}
    # RS: crim_producing met, crim_offering not met, pen_producing partly; AL: two met, one no data.
    assert rows["met"]["Serbia"] == "1" and rows["not met"]["Serbia"] == "1" and rows["partly met"]["Serbia"] == "1"
    scored = sum(int(r["Serbia"]) for r in rows.values())
    assert rows["no data"]["Serbia"] == str(scored - 3)
    assert rows["met"]["Regional median"] == "1.5"  # median of 1 and 2
    pens = {r["Offence"]: r for r in section_rows(md, "Penalties beside the Directive's floors")}
    assert pens["Producing"]["Maximum penalty"] == "5 years"
    assert pens["Producing"]["Directive's floor"] == "3 years"
    assert pens["Producing"]["Range in the region"] == "5 years – 15 years"
    assert pens["Offering or making available"]["Maximum penalty"] == "no data"
    assert pens["Offering or making available"]["Meets the floor"] == "no data"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_values_are_a_translated_no_data(small, lang):
    t = Translator(lang)
    md = brief_markdown(small, "RS", t, STAMP)
    budapest = section_rows(md, t._("International instruments"))[1]
    assert list(budapest.values())[1:] == [t._("no data")] * 3
    assert "—" not in md.replace(" – ", "") and "TODO" not in md and "nan" not in md.lower().split()
    # A recommendation the catalogs do not know shows in English, visibly marked.
    assert f"New one {SCRIPT}{FALLBACK_MARK}" in re.sub(r"\\(.)", r"\1", md)


def test_hostile_cells_are_text_in_the_html(small, tmp_path):
    html = write_brief(small, "RS", "sr_Latn", tmp_path / "out", STAMP, EPOCH, ("html",))["html"]
    page = Elements()
    page.feed(html.read_text(encoding="utf-8"))
    assert not [s for s in page.scripts if "alert" in s]
    # The one image is the brief's own figure, embedded as SVG.
    images = [e for e in page.elements if e[0] == "img"]
    assert len(images) == 1 and images[0][1]["src"].startswith("data:image/svg+xml;base64,")
    assert not [e for e in page.elements if any(name.lower().startswith("on") for name in e[1])]
    assert not [e for e in page.elements if str(e[1].get("href", "")).lower().startswith("javascript:")]
    text = re.sub(r"\s+", " ", "".join(page.text))
    for shown in (f"Hotline {SCRIPT}", f"Unit {IMG}", LINK, FORMULA, f"New one {SCRIPT}{FALLBACK_MARK}"):
        assert shown in text
    assert "'" + FORMULA not in text  # the CSV's spreadsheet guard is not shown
    assert "Srbija" in text and "nema podataka" in text


def test_the_stamp_is_the_one_passed_in(small):
    md = brief_markdown(small, "RS", Translator("sr_Cyrl"), STAMP)
    assert md.rstrip().splitlines()[-1] == "Верзија 9.9.9 · 1. децембар 2026. · комит 0123abcd · подаци feedbeef0123"


def test_country_names_come_from_the_register(small):
    assert Translator("sr_Cyrl") and "Србија" in brief_markdown(small, "RS", Translator("sr_Cyrl"), STAMP)
    assert "Shqipëria:" in brief_markdown(small, "AL", Translator("sq"), STAMP)
    assert "Србија:" in brief_markdown(small, "RS", Translator("mk"), STAMP)
    # Montenegrin names are the register's own rows (iso-codes has no cnr); Croatian's come from iso-codes.
    assert 'title: "Albanija:' in brief_markdown(small, "AL", Translator("cnr"), STAMP)
    assert 'title: "Srbija:' in brief_markdown(small, "RS", Translator("hr"), STAMP)
    from tomas_pipeline.core.io import read_raw_csv

    names = read_raw_csv(ROOT / "data/raw/country_names.csv")
    cnr = names[names["language"] == "cnr"].set_index("iso2")
    assert cnr.at["ME", "name"] == "Crna Gora" and cnr.at["MK", "name"] == "Sjeverna Makedonija"
    assert set(cnr.index) >= {"RS", "AL", "MK", "ME", "BA", "XK"}


# --- the real tables --------------------------------------------------------------------------

def _category(value: object, score: object) -> str:
    if isinstance(value, str) and value == "not applicable":
        return "not applicable"
    if pd.isna(score):
        return "no data"
    return "met" if float(score) >= 1 else "not met" if float(score) <= 0 else "partly met"


@pytest.fixture(scope="module")
def real(built_repo) -> tuple[Path, BriefData]:
    data = BriefData.load(built_repo / "data/processed", built_repo / "config/indicators.yaml",
                          built_repo / "data/raw")
    return built_repo, data


# The other comparison countries in their official languages, as docs/briefs.md lists them.
OTHER_BRIEFS = [("ME", "en"), ("ME", "cnr"), ("BA", "en"), ("BA", "bs"), ("BA", "hr"), ("BA", "sr_Cyrl"),
                ("XK", "en"), ("XK", "sq"), ("XK", "sr_Cyrl")]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("iso2", ["RS", "AL", "MK"])
def test_brief_numbers_equal_the_processed_tables(real, iso2, lang):
    repo, data = real
    t = Translator(lang)
    _check_brief_numbers(repo, brief_markdown(data, iso2, t, STAMP), iso2, t)


@pytest.mark.slow
@pytest.mark.parametrize("iso2,lang", OTHER_BRIEFS)
def test_other_countries_brief_numbers_equal_the_processed_tables(real, iso2, lang):
    repo, data = real
    t = Translator(lang)
    md = brief_markdown(data, iso2, t, STAMP)
    assert FALLBACK_MARK not in md
    _check_brief_numbers(repo, md, iso2, t)


def _check_brief_numbers(repo: Path, md: str, iso2: str, t: Translator) -> None:
    """The brief's scorecard counts and regional medians, and its penalties, against scorecard.csv and
    penalty_alignment.csv themselves."""
    processed = repo / "data/processed"
    # Scorecard: count each category from scorecard.csv, for the country and the region's median.
    import yaml

    scored = [i["id"] for i in yaml.safe_load((repo / "config/indicators.yaml").read_text())["indicators"]
              if i.get("scored", True)]
    card = read_processed(processed / "scorecard.csv").set_index(["country_iso2", "indicator"])
    countries = read_processed(processed / "countries.csv")
    region = list(countries[countries["comparison"].astype(str) == "True"]["iso2"])

    def count(iso: str, category: str) -> int:
        return sum(1 for ind in scored if _category(*(card.loc[(iso, ind), ["value", "score"]]
                                                      if (iso, ind) in card.index else (None, None))) == category)

    rows = section_rows(md, t._("Scorecard beside the region"))
    assert len(rows) == 5
    name = list(rows[0])[1]
    for row, category in zip(rows, ("met", "partly met", "not met", "no data", "not applicable")):
        assert int(parse_decimal(row[name], locale=t.locale)) == count(iso2, category)
        median = pd.Series([count(c, category) for c in region]).median()
        assert float(parse_decimal(row[t._("Regional median")], locale=t.locale)) == median
    # Penalties: each offence's maximum and floor as penalty_alignment.csv has them.
    align = read_processed(processed / "penalty_alignment.csv")
    align = align[(align["country_iso2"] == iso2) & (align["level"].fillna("country") == "country")]
    pens = section_rows(md, t._("Penalties beside the Directive's floors"))
    by_indicator = align.set_index("indicator")
    assert len(pens) == sum(f"pen_{o}" in by_indicator.index for o in OFFENCES)
    for row, offence in zip(pens, [o for o in OFFENCES if f"pen_{o}" in by_indicator.index]):
        want = by_indicator.loc[f"pen_{offence}"]
        assert row[t._("Maximum penalty")] == duration(t, want["max_months"], want["life"])
        assert row[t._("Directive's floor")] == duration(t, want["floor_max_months"])
        # The terms read back from the words themselves, in any language.
        assert _months_in(t, row[t._("Directive's floor")]) == float(want["floor_max_months"])
        if not pd.isna(want["max_months"]) and str(want["life"]) != "True":
            assert _months_in(t, row[t._("Maximum penalty")]) == float(want["max_months"])


def _months_in(t: Translator, text: str) -> float:
    """A term as a brief writes it ('1 godina 6 mjeseci', '2 years') back in months: each number with the
    word after it, a year when the word is one of the language's forms of "year"."""
    year_words = {t.n("{n} year", "{n} years", k).format(n="#").split("#", 1)[1].strip() for k in (1, 2, 5)}
    pairs = re.findall(r"(\d+)\s+(\w+)", text)
    assert pairs, text
    return float(sum(int(n) * (12 if word in year_words else 1) for n, word in pairs))


@pytest.mark.slow
def test_serbian_cyrillic_pdf_has_real_cyrillic_glyphs(real, tmp_path):
    _, data = real
    pdf = write_brief(data, "RS", "sr_Cyrl", tmp_path / "out", STAMP, EPOCH, ("pdf",))["pdf"]
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    else:
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Србија:" in text and "Међународни инструменти" in text and "нема података" in text
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # Only the named font: no glyph fell back to another (or to a missing-glyph box).
    assert fonts and all("LibertinusSerif" in f for f in fonts), fonts
    assert 2 <= len(PdfReader(pdf).pages) <= 4


@pytest.mark.slow
def test_same_inputs_give_byte_identical_briefs(real, tmp_path):
    _, data = real
    outputs = []
    for run in ("a", "b"):
        written = write_brief(data, "MK", "mk", tmp_path / run, STAMP, EPOCH)
        outputs.append({fmt: path.read_bytes() for fmt, path in written.items()})
        assert sorted(p.name for p in (tmp_path / run).iterdir()) == ["MK-mk-penalties.svg", "MK-mk.html",
                                                                      "MK-mk.md", "MK-mk.pdf"]
    assert outputs[0] == outputs[1]


# --- the command ------------------------------------------------------------------------------

def _tomas(repo: Path, *args: str) -> subprocess.CompletedProcess:
    from conftest import build_env

    return subprocess.run([str(Path(sys.executable).parent / "tomas"), *args], cwd=repo, env=build_env(repo),
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_tomas_brief_writes_the_files_with_the_build_stamp(built_repo, tmp_path):
    result = _tomas(built_repo, "brief", "Северна", "Македонија", "--lang", "mk", "--lang", "en",
                    "--out", str(tmp_path / "briefs"))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "briefs").iterdir())
    assert names == ["MK-en-penalties.svg", "MK-en.html", "MK-en.md", "MK-en.pdf", "MK-mk-penalties.svg",
                     "MK-mk.html", "MK-mk.md", "MK-mk.pdf"]
    md = (tmp_path / "briefs" / "MK-mk.md").read_text(encoding="utf-8")
    assert md.startswith('---\ntitle: "Северна Македонија:')
    assert "1 декември 2026" in md.splitlines()[-1]  # SOURCE_DATE_EPOCH of the test build, not today


def _pdf_text(pdf: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        return subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.mark.slow
@pytest.mark.parametrize("country,lang,iso2,words", [
    # The country as a user types it, and words of the catalog with č ć đ š ž in them.
    ("Crna Gora", "cnr", "ME", ("Crna Gora:", "Međunarodni instrumenti", "Krivično djelo", "Šta nedostaje",
                                "Najveća kazna", "Tabela ocjena u poređenju sa regionom")),
    ("Bosna i Hercegovina", "bs", "BA", ("Bosna i Hercegovina:", "Međunarodni instrumenti", "Krivično djelo",
                                         "Šta nedostaje", "Najveća kazna", "Tabela ocjena u poređenju s regijom")),
    ("BA", "hr", "BA", ("Bosna i Hercegovina:", "Međunarodni instrumenti", "Kazneno djelo", "Što nedostaje",
                        "Najveća kazna", "Tablica ocjena u usporedbi s regijom")),
])
def test_tomas_brief_in_a_new_language_equals_the_tables_with_its_letters_in_the_pdf(built_repo, tmp_path,
                                                                                    country, lang, iso2, words):
    """End to end as a user makes one: `tomas brief` on the built tables, then the brief's numbers against
    the processed tables and the PDF's text, with the letters of the language, from its one font."""
    out = tmp_path / "briefs"
    result = _tomas(built_repo, "brief", country, "--lang", lang, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"{iso2}-{lang}-penalties.svg", f"{iso2}-{lang}.html",
                                                     f"{iso2}-{lang}.md", f"{iso2}-{lang}.pdf"]
    t = Translator(lang)
    md = (out / f"{iso2}-{lang}.md").read_text(encoding="utf-8")
    assert FALLBACK_MARK not in md and f"lang: {t.lang.bcp47}\n" in md
    _check_brief_numbers(built_repo, md, iso2, t)
    expected = _expected_statistics(built_repo / "data/processed", iso2)
    _check_statistics(md, t, expected)
    # The stamp's date in the locale's own words (SOURCE_DATE_EPOCH of the test build: 1 December 2026).
    assert {"cnr": "1. decembar 2026.", "bs": "1. decembar 2026.", "hr": "1. prosinca 2026."}[lang] in md
    html = (out / f"{iso2}-{lang}.html").read_text(encoding="utf-8")
    assert f'lang="{t.lang.bcp47}"' in html
    pdf = out / f"{iso2}-{lang}.pdf"
    text = _pdf_text(pdf)
    for word in words:
        assert word in text, word
    assert set("čćđšž") <= set(text) and set("ČŠ") <= set(text)
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("LibertinusSerif" in f for f in fonts), fonts
    assert 2 <= len(reader.pages) <= 4


def test_tomas_brief_refuses_an_unknown_country_and_missing_tables(tmp_path):
    from conftest import copy_repo

    repo = copy_repo(tmp_path / "repo")
    unknown = _tomas(repo, "brief", "Narnia", "--out", str(tmp_path / "out"))
    assert unknown.returncode == 1 and "Narnia" in unknown.stderr and "Traceback" not in unknown.stderr
    unbuilt = _tomas(repo, "brief", "RS", "--out", str(tmp_path / "out"))
    assert unbuilt.returncode == 1 and "countries.csv: missing" in unbuilt.stderr, unbuilt.stderr
    assert "Traceback" not in unbuilt.stderr


def test_no_placeholder_wording_in_the_briefs(small):
    from buildkit import placeholders as _placeholders

    assert _placeholders("no source on record yet says when")  # the check is live
    sources = [ROOT / "src/tomas_pipeline/briefs/content.py", i18n.pot_path()]
    found = {str(p): hits for p in sources if (hits := _placeholders(p.read_text(encoding="utf-8")))}
    found.update({lang: hits for lang in LANGUAGES
                  if (hits := _placeholders(brief_markdown(small, "RS", Translator(lang), STAMP)))})
    assert not found


@pytest.mark.slow
def test_every_value_kind_in_the_real_tables_has_a_translation(real):
    """A new institution kind, treaty action or recommendation in the data shows as English with the mark;
    this lists which, for every comparison country and language."""
    _, data = real
    marked = {(iso2, lang): [line for line in brief_markdown(data, iso2, Translator(lang), STAMP).splitlines()
                             if FALLBACK_MARK in line]
              for iso2 in data.region() for lang in LANGUAGES}
    assert not {k: v for k, v in marked.items() if v}
    assert len(marked) == len(data.region()) * len(LANGUAGES) >= 15


# --- statistics, changes, citation ------------------------------------------------------------

def _expected_statistics(processed: Path, iso2: str) -> dict[str, dict]:
    """From statistics.csv itself: per dated indicator, the newest and the next-newest year's preferred value."""
    stats = read_processed(processed / "statistics.csv")
    stats = stats[(stats["preferred"].astype(str) == "True") & (stats["scope"] == "country")
                  & (stats["country_iso2"] == iso2)].dropna(subset=["year", "value"])
    out = {}
    for indicator, group in stats.groupby("indicator"):
        years = sorted({int(float(y)) for y in group["year"]})
        value = {int(float(r["year"])): float(r["value"]) for _, r in group.iterrows()}
        out[indicator] = {"year": years[-1], "value": value[years[-1]],
                          "earlier_year": years[-2] if len(years) > 1 else None,
                          "earlier_value": value[years[-2]] if len(years) > 1 else None,
                          "sources": set(group["source_id"])}
    return out


def _check_statistics(md: str, t: Translator, expected: dict[str, dict]) -> None:
    from tomas_pipeline.briefs.content import statistic_label

    rows = {r[t._("Statistic")]: r for r in section_rows(md, t._("Latest statistics and their trend"))}
    assert set(rows) == {statistic_label(t, i) for i in expected}
    for indicator, want in expected.items():
        row = rows[statistic_label(t, indicator)]
        assert int(row[t._("Year")]) == want["year"]
        assert float(parse_decimal(row[t._("Value")], locale=t.locale)) == pytest.approx(want["value"])
        assert set(row[t._("Source")].replace("\u200b", "").split("; ")) <= want["sources"]
        if want["earlier_year"] is None:
            assert row[t._("Earlier year")] == row[t._("Earlier value")] == ""
            assert row[t._("Change")] == t._("one year only: no trend")
            continue
        assert int(row[t._("Earlier year")]) == want["earlier_year"]
        assert float(parse_decimal(row[t._("Earlier value")], locale=t.locale)) == pytest.approx(
            want["earlier_value"])
        change = want["value"] - want["earlier_value"]
        if change == 0:
            assert row[t._("Change")] == t._("unchanged")
            continue
        word = t._("up by {amount}") if change > 0 else t._("down by {amount}")
        prefix, suffix = word.split("{amount}")
        shown = row[t._("Change")]
        assert shown.startswith(prefix) and shown.endswith(suffix), shown
        amount = shown[len(prefix):len(shown) - len(suffix)] if suffix else shown[len(prefix):]
        assert float(parse_decimal(amount, locale=t.locale)) == pytest.approx(abs(change))


@pytest.mark.parametrize("lang", ["en", "sr_Cyrl", "sq", "mk"])
def test_small_statistics_equal_the_table(small, tmp_path, lang):
    t = Translator(lang)
    md = brief_markdown(small, "RS", t, STAMP)
    expected = _expected_statistics(tmp_path / "processed", "RS")
    assert set(expected) == {"ncmec_cybertipline_reports", "art185_adults_accused", "itu_gci_2020_score"}
    _check_statistics(md, t, expected)
    part = md.split(t._("Latest statistics and their trend"), 1)[1].split("\n## ", 1)[0]
    # The row not preferred, the region's row and Albania's are not Serbia's statistics.
    assert "99" + ("," if lang == "en" else ".") + "999" not in part and "70" not in part and "8" + (
        "," if lang == "en" else ".") + "821" not in part
    assert t.n("{n} figure on this country has no year; the paper cites it.",
               "{n} figures on this country have no year; the paper cites them.", 1).format(n="1") in part


def test_the_statistics_numbers_are_the_locales():
    md_en = Translator("en").number(27575)
    assert md_en == "27,575" and Translator("sr_Cyrl").number(27575) == "27.575"
    assert Translator("sr_Latn").number(64.32, 2) == "64,32"


def test_a_one_year_series_shows_no_trend(small):
    for lang in LANGUAGES:
        t = Translator(lang)
        rows = section_rows(brief_markdown(small, "RS", t, STAMP), t._("Latest statistics and their trend"))
        from tomas_pipeline.briefs.content import statistic_label

        one = [r for r in rows if r[t._("Statistic")] == statistic_label(t, "art185_adults_accused")]
        assert len(one) == 1 and one[0][t._("Change")] == t._("one year only: no trend")
        assert one[0][t._("Earlier year")] == one[0][t._("Earlier value")] == ""
        assert not re.search(r"\d", one[0][t._("Change")])


def test_falling_series_says_down(small):
    t = Translator("sq")
    rows = section_rows(brief_markdown(small, "AL", t, STAMP), t._("Latest statistics and their trend"))
    assert [r[t._("Change")] for r in rows] == [t._("down by {amount}").format(amount=t.number(2555))]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_changes_rows_of_the_country_appear_and_no_others(small, lang):
    t = Translator(lang)
    md = brief_markdown(small, "RS", t, STAMP)
    rows = section_rows(md, t._("What changed since the previous release"))
    assert [r[t._("Change")] for r in rows] == [f"Serbia ratified {SCRIPT} on 1 May 2026.",
                                                 "The penalty for producing in Serbia was corrected."]
    assert [r[t._("Kind")] for r in rows] == [t._("change in law or practice"), t._("correction of the data")]
    assert "Albania's ratification" not in md
    part = md.split(t._("What changed since the previous release"), 1)[1].split("\n## ", 1)[0]
    assert t._("Compared with release {version} of {date}.").split("{version}")[0] in part
    assert "0.1.0" in part and FALLBACK_MARK not in part
    al = brief_markdown(small, "AL", t, STAMP)
    assert len(section_rows(al, t._("What changed since the previous release"))) == 1
    assert "Serbia ratified" not in al


def test_the_note_changes_py_writes_is_the_one_the_brief_translates(tmp_path):
    from tomas_pipeline.briefs.content import changes_note
    from tomas_pipeline.release.changes import compare_with_release

    release = tmp_path / "releases" / "0.1.0"
    (release / "findings").mkdir(parents=True)
    (release / "release.json").write_text(json.dumps({"date": "2026-11-30"}), encoding="utf-8")
    _, note = compare_with_release(release, small_tables(tmp_path / "processed"))
    assert note == PREVIOUS_NOTE
    notes = [note, compare_with_release(None, tmp_path / "processed")[1],
             compare_with_release(None, tmp_path / "processed", release=False)[1]]
    for lang in LANGUAGES:
        shown = [changes_note(Translator(lang), n) for n in notes]
        assert all(FALLBACK_MARK not in s for s in shown) and len(set(shown)) == 3
    assert changes_note(Translator("sr_Cyrl"), note) == ("Поређено са издањем 0.1.0; датум издања: "
                                                         "30.\u00a0новембар\u00a02026.")
    assert changes_note(Translator("mk"), note) == "Споредено со изданието 0.1.0 од 30\u00a0ноември\u00a02026\u202fг."


@pytest.mark.parametrize("lang", LANGUAGES)
def test_with_no_previous_release_the_section_says_so(small, tmp_path, lang):
    from tomas_pipeline.release.changes import NO_PREVIOUS_NOTE

    folder = tmp_path / "processed"
    write_csv(pd.DataFrame(columns=["kind", "table", "country_iso2", "sentence"]), folder / "changes.csv")
    (folder / "changes.provenance.json").write_text(json.dumps({"note": NO_PREVIOUS_NOTE}), encoding="utf-8")
    data = BriefData.load(folder, ROOT / "config/indicators.yaml", ROOT / "data/raw")
    t = Translator(lang)
    md = brief_markdown(data, "RS", t, STAMP)
    part = md.split(t._("What changed since the previous release"), 1)[1].split("\n## ", 1)[0]
    assert part.strip() == t._("This is the first release: there is no earlier release to compare with.")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_citation_carries_the_version_and_date_passed_in(small, lang):
    from tomas_pipeline.release.citation import load_citation

    t = Translator(lang)
    other = Stamp("3.4.5", dt.date(2031, 2, 7), "fedc9876", "00aa")
    for stamp in (STAMP, other):
        md = brief_markdown(small, "RS", t, stamp)
        part = md.split("## " + t._("How to cite"), 1)[1].split("\n## ", 1)[0]
        line = re.sub(r"\\(.)", r"\1", part.strip().split("\n\n")[1].replace("\n", " "))
        authors = load_citation(ROOT / "CITATION.cff")["authors"][0]["name"]
        assert line.startswith(f"{authors} ({stamp.date.year}). ")
        assert t._("{country} brief").format(country="Serbia" if lang == "en" else "") .strip(": ") in line
        assert f"{t._('Version')} {stamp.version}" in line and t.date(stamp.date) in line and stamp.commit in line
    assert "2031" not in brief_markdown(small, "RS", t, STAMP)


def test_the_citation_needs_the_citation_file(tmp_path):
    from tomas_pipeline.briefs.content import BriefError

    with pytest.raises(BriefError, match="nowhere/CITATION.cff: missing"):
        BriefData.load(small_tables(tmp_path / "processed"), ROOT / "config/indicators.yaml", ROOT / "data/raw",
                       tmp_path / "nowhere" / "CITATION.cff")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "sr_Cyrl"])
@pytest.mark.parametrize("iso2", ["RS", "AL", "MK"])
def test_real_statistics_equal_statistics_csv(real, iso2, lang):
    repo, data = real
    t = Translator(lang)
    expected = _expected_statistics(repo / "data/processed", iso2)
    assert expected  # each focus country has dated statistics
    _check_statistics(brief_markdown(data, iso2, t, STAMP), t, expected)


@pytest.mark.slow
@pytest.mark.parametrize("iso2,lang", [("RS", "sr_Cyrl"), ("RS", "sr_Latn"), ("AL", "sq"), ("MK", "mk"),
                                       ("RS", "en"), ("AL", "en"), ("MK", "en")])
def test_a_brief_is_two_to_four_pages(real, tmp_path, iso2, lang):
    from pypdf import PdfReader

    _, data = real
    pdf = write_brief(data, iso2, lang, tmp_path / "out", STAMP, EPOCH, ("pdf",))["pdf"]
    assert 2 <= len(PdfReader(pdf).pages) <= 4


def test_conflicts_and_gaps_name_facts_as_a_reader_does():
    from tomas_pipeline.briefs.content import fact_name, field_name
    from tomas_pipeline.briefs.i18n import Translator

    en, sr = Translator("en"), Translator("sr_Cyrl")
    assert fact_name(en, "treaty_actions", "budapest signature") == "Budapest Convention on Cybercrime: signature"
    assert fact_name(en, "treaty_actions", "uncrc") == ("UN Convention on the Rights of the Child: "
                                                        "consent to be bound")
    assert fact_name(en, "treaty_actions", "budapest / ratification").endswith(": ratification")
    assert fact_name(en, "penalties", "producing / basic") == "Producing (basic)"
    assert fact_name(sr, "treaty_actions", "lanzarote entry_into_force").endswith(": ступање на снагу")
    # An id the catalogs do not name stays as the data writes it, never invented.
    assert fact_name(en, "scorecard", "crim_grooming") == r"crim\_grooming"  # Markdown-escaped
    assert fact_name(en, "penalties", "rs_cc_185_2") == r"rs\_cc\_185\_2"
    assert field_name(sr, "max_months") == "најдужа казна" and field_name(en, "rule") == "rule"


# --- the figure -------------------------------------------------------------------------------

def _embedded_figure(html: Path) -> tuple[bytes, str]:
    """The brief's one image: the SVG bytes embedded in the HTML and its alt text."""
    page = Elements()
    page.feed(html.read_text(encoding="utf-8"))
    (image,) = [e for e in page.elements if e[0] == "img"]
    return base64.b64decode(image[1]["src"].split(",", 1)[1]), image[1]["alt"]


def _pdf_figure_alts(pdf: Path) -> list[str]:
    """The alt text of every figure in the tagged PDF's structure tree."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject

    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt")))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


def _expected_penalties(processed: Path, iso2: str) -> list[dict]:
    """Each offence's maximum and floor and the region's range of maxima, read from the CSVs here."""
    align = read_processed(processed / "penalty_alignment.csv")
    align = align[align["level"].fillna("country") == "country"]
    countries = read_processed(processed / "countries.csv")
    region = set(countries[countries["comparison"].astype(str) == "True"]["iso2"])
    rows = []
    for offence in OFFENCES:
        mine = align[(align["country_iso2"] == iso2) & (align["indicator"] == f"pen_{offence}")]
        if mine.empty:
            continue
        peers = align[align["country_iso2"].isin(region) & (align["indicator"] == f"pen_{offence}")]
        known = peers["max_months"].dropna().astype(float)
        rows.append({"offence": offence, "max_months": mine.iloc[0]["max_months"],
                     "floor_max_months": mine.iloc[0]["floor_max_months"],
                     "region_min_months": known.min() if len(known) else None,
                     "region_max_months": known.max() if len(known) else None})
    return rows


def _same(a: object, b: object) -> bool:
    return (pd.isna(a) and pd.isna(b)) if pd.isna(a) or pd.isna(b) else float(a) == float(b)


def _check_figure(spec, expected: list[dict], t: Translator) -> None:
    drawn = spec.data.to_dict("records")
    assert [r["offence"] for r in drawn] == [r["offence"] for r in expected]
    for got, want in zip(drawn, expected):
        for column in ("max_months", "floor_max_months", "region_min_months", "region_max_months"):
            assert _same(got[column], want[column]), (want["offence"], column, got[column], want[column])
        # The alt text states each row's numbers in the brief's language.
        words = t._("{offence}: {maximum} (Directive's floor: {floor}; range in the region: {range})").format(
            offence=offence_name(t, want["offence"]),
            maximum=duration(t, want["max_months"], got["life"]), floor=duration(t, want["floor_max_months"]),
            range=penalty_spread(t, want["region_min_months"], want["region_max_months"]))
        assert words in spec.alt


@pytest.mark.parametrize("lang", LANGUAGES)
def test_small_figure_numbers_equal_the_table(small, tmp_path, lang):
    t = Translator(lang)
    spec = brief_figures(small, "RS", t)[figure_name("RS", t)]
    _check_figure(spec, _expected_penalties(small_tables(tmp_path / "again"), "RS"), t)
    assert spec.data["max_months"].tolist()[0] == 60.0 and spec.data["region_max_months"].tolist()[0] == 180.0
    assert FALLBACK_MARK not in spec.alt + spec.title
    if lang == "en":
        assert spec.alt.startswith("Dot chart of Serbia's maximum penalty for 2 offences")
        assert "Offering or making available: no data (Directive's floor: 2 years; range in the region: no data)" \
            in spec.alt


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "own"])
@pytest.mark.parametrize("iso2", ["RS", "AL", "MK"])
def test_real_figure_numbers_equal_penalty_alignment(real, iso2, lang):
    repo, data = real
    lang = lang if lang == "en" else {"RS": "sr_Cyrl", "AL": "sq", "MK": "mk"}[iso2]
    t = Translator(lang)
    expected = _expected_penalties(repo / "data/processed", iso2)
    assert expected
    _check_figure(brief_figures(data, iso2, t)[figure_name(iso2, t)], expected, t)


@pytest.mark.slow
def test_every_configured_brief_embeds_its_figure_with_alt_text(real):
    """The published HTML and PDF of every configured brief carry the figure that brief_figures draws
    from this build's tables, byte for byte, with its alt text."""
    import yaml

    from tomas_pipeline.figures.charts import save_figure

    repo, data = real
    briefs = yaml.safe_load((repo / "config/config.yaml").read_text(encoding="utf-8"))["briefs"]
    folder = repo / "report" / "_output" / "briefs"
    checked = 0
    for iso2, langs in briefs["languages"].items():
        for lang in langs:
            t = Translator(lang)
            spec = brief_figures(data, iso2, t)[figure_name(iso2, t)]
            svg, alt = _embedded_figure(folder / f"{iso2}-{lang}.html")
            assert alt == spec.alt and len(alt) > 100 and FALLBACK_MARK not in alt
            rebuilt = save_figure(spec, repo / "build" / f"check-{iso2}-{lang}", formats=("svg",))[0]
            assert svg == rebuilt.read_bytes()  # the same bytes when drawn again
            assert _pdf_figure_alts(folder / f"{iso2}-{lang}.pdf") == [spec.alt]
            checked += 1
    assert checked == 7


# --- strategies -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_small_strategies_are_one_row_per_plan_with_each_sources_title(small, lang):
    t = Translator(lang)
    md = brief_markdown(small, "RS", t, STAMP)
    (row,) = section_rows(md, t._("Strategies and action plans"))
    assert row[t._("Strategy or action plan")] == f"Strategy {SCRIPT} / Strategija razvoja"
    assert row[t._("Period")] == "2021–2026"
    assert row[t._("Field")] == t._("information society")
    # Only tomas2024 says; the other source is silent, so the answer names who gave it.
    assert row[t._("Addresses children online")] == f"{t._('no')} (tomas2024)"
    assert row[t._("Source")] == "atlas; tomas2024"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_country_without_strategies_says_so_and_lists_the_gap(small, lang):
    t = Translator(lang)
    md = brief_markdown(small, "AL", t, STAMP)
    part = md.split(f"## {t._('Strategies and action plans')}\n", 1)[1].split("\n## ", 1)[0]
    assert part.strip() == (t._("The tables hold no national strategy or action plan for this country.") + " "
                            + t._("The gap is listed with the other missing facts below."))
    gaps = section_rows(md, t._("What is missing"))
    assert {r[t._("Table")]: r[t._("Facts")] for r in gaps}[t._("strategies")] == t._(
        "national strategy or action plan")


@pytest.mark.slow
@pytest.mark.parametrize("iso2", ["RS", "AL", "MK"])
def test_real_strategies_equal_strategies_csv(real, iso2):
    repo, data = real
    t = Translator("en")
    raw = read_processed(repo / "data/processed/strategies.csv")
    mine = raw[raw["country_iso2"] == iso2]
    rows = section_rows(brief_markdown(data, iso2, t, STAMP), "Strategies and action plans")
    assert len(rows) == len(mine.drop_duplicates(["start_year", "end_year", "field"])) >= 1
    shown = " / ".join(r["Strategy or action plan"] for r in rows)
    assert all(title in shown for title in mine["title"])
    periods = {"no data" if pd.isna(a) and pd.isna(b) else f"{int(a)}–{int(b)}"
               for a, b in zip(mine["start_year"], mine["end_year"])}
    assert {r["Period"] for r in rows} == periods


@pytest.mark.slow
def test_the_audit_lists_the_comparison_countries_without_a_strategy(real):
    repo, data = real
    gaps = read_processed(repo / "data/processed/gaps.csv")
    strategies = read_processed(repo / "data/processed/strategies.csv")
    listed = set(gaps.loc[gaps["table"] == "strategies", "country_iso2"])
    assert listed == set(data.region()) - set(strategies["country_iso2"]) and listed


def test_a_country_the_audit_expects_nothing_of_has_no_gap_sentence(small):
    # A brief for a country outside the comparison: no strategy, and none expected, so no gap to point to.
    small.tables["gaps"] = small.tables["gaps"][small.tables["gaps"]["table"] != "strategies"]
    md = brief_markdown(small, "AL", Translator("en"), STAMP)
    part = md.split("## Strategies and action plans\n", 1)[1].split("\n## ", 1)[0]
    assert part.strip() == "The tables hold no national strategy or action plan for this country."


def test_a_body_the_sources_say_is_missing_is_not_listed_as_existing():
    from tomas_pipeline.briefs.content import BriefData, institutions_section
    from tomas_pipeline.briefs.i18n import Translator

    frame = pd.DataFrame({
        "country_iso2": ["MK", "MK", "MK"], "kind": ["hotline", "police_unit", "hotline"],
        "name": ["National hotline for reporting illegal content", "Directorate", "National hotline"],
        "body": ["national hotline", "Directorate", "other"], "preferred": [True, True, False],
        "inhope_member": [None, None, "yes"], "exists": ["no", None, None], "source_id": ["paper", "paper", "x"]})
    data = BriefData(tables={"institutions": frame}, indicators=[], names=None)
    english = institutions_section(data, "MK", Translator("en"))
    assert "National hotline for reporting illegal content: none exists" in english
    assert "not applicable" in english and "Directorate" in english
    assert "не постои" in institutions_section(data, "MK", Translator("mk"))


@pytest.mark.parametrize("lang", ["en", *LANGUAGES])
def test_brief_says_plainly_what_the_toolkit_does_not_measure(lang):
    """A "not measured" recommendation reads as such in every language (never "unknown"), the brief says
    the toolkit does not measure it, and a met one cites the evidence rows, not the indicator ids only."""
    from tomas_pipeline.briefs.content import recommendations_section, status_name

    t = Translator(lang)
    tracker = pd.DataFrame({
        "recommendation": ["r2_4", "r3_1"], "title": ["Hotlines to join INHOPE", "Train and specialise professionals"],
        "country_iso2": ["RS", "RS"], "status": ["met", "not measured"], "indicators": ["inhope_hotline", None],
        "evidence": ["src_hotline", None], "source_ids": ["src_hotline;src_other", None]})
    text = recommendations_section(BriefData(tables={"recommendation_tracker": tracker}, indicators=[], names=None),
                                   "RS", t)
    assert status_name(t, "not measured") != status_name(t, "unknown")
    assert status_name(t, "not measured") in text
    assert FALLBACK_MARK not in text
    sentence = t._("The toolkit does not measure the recommendations marked \u201cnot measured\u201d: no indicator in "
                   "its data can show them for a single country, so they are neither met nor missing data.")
    assert sentence in text
    assert "src\\_hotline" in text or "src_hotline" in text
    assert "src\\_other" not in text and "src_other" not in text  # only the rows behind the status
