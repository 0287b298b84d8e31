"""Fast checks on the report's .qmd sources (no render): references, chapters, numbers, own words."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from buildkit import placeholders
from conftest import TESTS

from tomas_pipeline.reporting.terminology import mask, report_files

ROOT = TESTS.parent
REPORT = ROOT / "report"
PAPER = Path(os.environ.get("TOMAS_PAPER", ROOT.parent / "shared" / "seed" / "000_c034069436ad2949.txt"))

FILES = report_files(REPORT)
TEXTS = {p: p.read_text(encoding="utf-8") for p in FILES}
ALL = "\n".join(TEXTS.values())

_LABEL_RE = re.compile(r"#\|\s*label:\s*((?:fig|tbl)-[\w-]+)|\{[^{}]*#((?:fig|tbl|sec)-[\w-]+)[^{}]*\}")
_REF_RE = re.compile(r"(?<![\w@\\#])-?@((?:fig|tbl|sec)-[\w-]*[\w])")
_LINK_RE = re.compile(r"\]\(#((?:sec|fig|tbl)-[\w-]+)\)")


def labels() -> set[str]:
    return {a or b for a, b in _LABEL_RE.findall(ALL)}


def references() -> set[str]:
    prose = "\n".join(_strip_cells(t) for t in TEXTS.values())
    return set(_REF_RE.findall(prose)) | set(_LINK_RE.findall(prose))


def _strip_cells(text: str) -> str:
    """Drop ```{python} cells (their options hold labels, not references)."""
    return re.sub(r"^```\{python\}.*?^```", "", text, flags=re.S | re.M)


def test_report_files_found():
    names = {p.name for p in FILES}
    assert "tomas.qmd" in names and len(names) >= 8


def test_every_reference_has_a_label():
    missing = references() - labels()
    assert not missing, f"references without a label: {sorted(missing)}"


def test_every_figure_and_table_is_referenced_from_the_text():
    unreferenced = {label for label in labels() if label.startswith(("fig-", "tbl-"))} - references()
    assert not unreferenced, f"figures/tables never cross-referenced: {sorted(unreferenced)}"


def test_figure_cells_have_caption_alt_and_provenance():
    for cell in re.findall(r"^```\{python\}\n(.*?)^```", ALL, flags=re.S | re.M):
        if re.search(r"#\|\s*label:\s*fig-", cell):
            assert "#| fig-cap:" in cell and "#| fig-alt:" in cell, cell
        if re.search(r"#\|\s*label:\s*tbl-", cell):
            assert "#| tbl-cap:" in cell, cell
    for stem in re.findall(r"show_figure\w*\(\"(\w+)\"\)", ALL):
        assert f'provenance_or_note("{stem}")' in ALL or f'provenance_note("{stem}")' in ALL, stem


CHAPTERS = [
    r"^# Introduction",
    r"^# What child sexual abuse material is",
    r"^# Online sexual exploitation and abuse of children \(OCSEA\) in the Western Balkans",
    r"^# The international and European framework",
    r"^# Organisations, legislative initiatives and cybersecurity in the three countries",
    r"^# Conclusions and recommendations",
    r"^# Acronyms and abbreviations",
    r"^# References",
    r"^# Appendix A: Method", r"^# Appendix B: Sources", r"^# Appendix C: Where sources disagree",
    r"^# Appendix D: Gaps", r"^# Appendix E: What changed", r"^# Appendix F: How to cite",
]
TOPICS = [
    # chapter 2
    "Live-streamed abuse", "Sextortion", "artificial\nintelligence|artificial intelligence", "Self-generated material",
    "Grooming", "circle of trust",
    # chapter 3
    "Armageddon", "Directorate for the\nSuppression of Organised Crime|Suppression of Organised Crime",
    "drivers", "referral mechanism", "restorative",
    # chapter 4
    "## The UN Convention on the Rights of the Child", "### The Optional Protocol", "### General Comment No. 25",
    "## The Lanzarote Convention", "## The Warsaw Convention", "Palermo Protocol", "## The Budapest Convention",
    "## Resolution 1307", "## The European Declaration on Digital Rights", "## The EU strategy",
    "proposed Regulation", r"recast of \[Directive", "## The Digital Services Act",
    # chapter 5
    "INHOPE", "ECPAT", "Eurochild", "## Albania", "## Serbia", "## North Macedonia", "Global Cybersecurity Index",
    # chapter 6
    "Barnahus", "forensic experts", "Regional centres", "single law on child protection", "@tbl-tracker",
]


@pytest.mark.parametrize("pattern", CHAPTERS)
def test_every_chapter_and_appendix_is_present(pattern):
    assert re.search(pattern, ALL, flags=re.M), pattern


@pytest.mark.parametrize("topic", TOPICS)
def test_every_section_of_the_paper_is_covered(topic):
    assert re.search(topic, ALL), topic


def test_title_block_placeholders_for_pipeline_metadata():
    front = TEXTS[REPORT / "tomas.qmd"].split("---")[1]
    for key in ("title:", "subtitle:", "version:", "commit:", "data_hash:"):
        assert re.search(rf"^{key}", front, flags=re.M), key
    # No placeholder date: under Quarto a front-matter date wins over the pipeline's -M date.
    assert not re.search(r"^date:", front, flags=re.M)


# --- No number typed by hand ------------------------------------------------------

_ALLOWED = [
    re.compile(r"\[-?@[^\]]*\]"),                      # citations
    re.compile(r"(?<![\w])-?@[\w:-]+"),                # bare citations and cross-references
    re.compile(r"\{[^{}]*\}"),                         # attributes {#sec-x .unnumbered}
    re.compile(r"\]\([^)]*\)"),                        # link targets
    re.compile(r"https?://\S+"),
    re.compile(r"\b(?:Articles?|Art\.)\s+\d+[\w().-]*(?:\s+(?:to|and)\s+\d+[\w().-]*)?"),  # legal references
    re.compile(r"\bCOVID-19\b"),
    re.compile(r"\w*[A-Za-z]\d+\w*"),                  # acronyms with digits (EC3)
]


def prose_lines(path: Path, text: str):
    masked = mask(text)
    for lineno, line in enumerate(masked.split("\n"), 1):
        if re.match(r"^\s*#{1,6}\s", line) or re.match(r"^\s*\|?[\s:|-]+\|?\s*$", line):
            continue  # headings, table rules
        yield lineno, line


def test_no_numbers_typed_in_prose():
    offenders = []
    for path, text in TEXTS.items():
        for lineno, line in prose_lines(path, text):
            for pattern in _ALLOWED:
                line = pattern.sub(" ", line)
            if re.search(r"(?<![\w])\d", line):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "numbers typed in prose (use inline code):\n" + "\n".join(offenders)


def test_the_digit_check_catches_a_typed_number():
    line = "In 2023 NCMEC received 26,718 reports [@ncmec2023] under Article 185, not EC3."
    for pattern in _ALLOWED:
        line = pattern.sub(" ", line)
    assert re.findall(r"(?<![\w])\d+", line) == ["2023", "26", "718"]


# --- Own words: no eight-word sequence shared with the paper -----------------------

def _words(text: str) -> list[str]:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.findall(r"[^\W_]+(?:'[^\W_]+)?", text)


_FUNCTION_WORDS = {"the", "of", "on", "and", "for", "in", "to", "a", "an", "from", "with", "by", "against", "or",
                   "at", "as", "its", "their"}


def shingles(words: list[str], n: int = 8, skip_names: bool = False) -> set[tuple[str, ...]]:
    """Lower-cased n-word sequences. With skip_names, a sequence made of capitalised words and function
    words only (the name of an organisation, a law or a treaty, which the report may repeat) is left out."""
    out = set()
    for i in range(len(words) - n + 1):
        run = words[i:i + n]
        if skip_names and sum(not w[0].isupper() and w.lower() not in _FUNCTION_WORDS for w in run) <= 1:
            continue
        out.add(tuple(w.lower() for w in run))
    return out


def test_no_sentence_of_the_paper_is_copied():
    if not PAPER.exists():
        pytest.skip(f"paper not found at {PAPER}")
    paper = shingles(_words(PAPER.read_text(encoding="utf-8")))
    hits = []
    for path, text in TEXTS.items():
        masked = mask(text)
        masked = re.sub(r"\[-?@[^\]]*\]|(?<![\w])@[\w-]+", " ", masked)
        masked = re.sub(r"^\s*\|.*$", " ", masked, flags=re.M)  # tables list names, not sentences
        for paragraph in re.split(r"\n\s*\n", masked):
            for sh in shingles(_words(paragraph), skip_names=True) & paper:
                hits.append(f"{path.name}: {' '.join(sh)}")
    assert not hits, "eight-word sequences copied from the paper:\n" + "\n".join(sorted(set(hits)))


@pytest.mark.slow
def test_every_reading_list_entry_is_cited(built_repo):
    sources = built_repo / "data" / "processed" / "sources.csv"
    frame = pd.read_csv(sources, keep_default_na=False)
    listed = frame[frame["note"].str.contains("reading list", case=False)]["source_id"]
    cited = set(re.findall(r"@([a-z0-9_]+)", ALL))
    missing = sorted(set(listed) - cited)
    assert not missing, f"reading-list entries never cited: {missing}"


# --- No to-do notes in a publication --------------------------------------------------

# Wording that tells the reader the data is unfinished instead of stating a fact (issue 16). A fact the paper
# gives belongs in data/raw; a value truly unknown is left to the gaps appendix.
SENTENCE_BUILDERS = sorted((ROOT / "src" / "tomas_pipeline" / "reporting").glob("*.py"))


def test_the_placeholder_check_catches_the_old_wording():
    old = ("the paper gives an age range that the data does not yet hold; the exact figure is\n not yet in the "
           "data; no source in the data yet says when (or whether) Serbia became a party")
    assert len(placeholders(old)) == 3
    assert placeholders("Serbia ratified it on 14 April 2009, and the data holds the year.") == []


def test_no_placeholder_wording_in_the_sources():
    found = {str(p.relative_to(ROOT)): hits for p in list(FILES) + SENTENCE_BUILDERS
             if (hits := placeholders(p.read_text(encoding="utf-8")))}
    assert not found, f"placeholder wording in the report's sources: {found}"


def test_no_placeholder_wording_in_the_rendered_report(built_repo):
    page = (built_repo / "report" / "_output" / "tomas.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Appendix D" in text  # the page was read as text, not as an empty shell
    assert not placeholders(text), placeholders(text)


# --- The helpers the prose relies on ------------------------------------------------

def test_quote_and_law_title_escape_and_mark():
    from tomas_pipeline import reporting as R

    assert R.quote("child *pornography* <b>") == r"[child \*pornography\* \<b\>]{.quote}"
    assert R.law_title("Law [on] children") == r"[Law \[on\] children]{.law-title}"
    assert R.quote(None) == R.MISSING and R.law_title(float("nan")) == R.MISSING


def test_formatting_helpers():
    from tomas_pipeline import reporting as R

    assert R.fmt_range(36, 120) == "3 to 10 years"
    assert R.fmt_range(3, 36) == "3 months to 3 years"
    assert R.fmt_range(60, None) == "at least 5 years" and R.fmt_range(None, 36) == "up to 3 years"
    assert R.fmt_range(6, 6) == "6 months" and R.fmt_range(None, None) == R.MISSING
    written = (R.fmt_date("2002-06-20"), R.fmt_date("2002-08"), R.fmt_date(2009.0))
    assert written == ("20 June 2002", "August 2002", "2009")
    assert [R.ordinal(n) for n in (1, 2, 3, 11, 38, 80, 101)] == ["1st", "2nd", "3rd", "11th", "38th", "80th", "101st"]
    assert R.fmt_int(26718.0) == "26,718" and R.fmt_int(None) == R.MISSING
    assert R.count_words(3) == "three" and R.count_words(12) == "12"


def test_guarded_shows_a_note_for_a_missing_table(tmp_path, monkeypatch):
    from tomas_pipeline import reporting as R

    monkeypatch.setenv("TOMAS_PROCESSED_DIR", str(tmp_path))
    R.data._load.cache_clear()
    out = R.guarded("scorecard", lambda f: "never", "Scorecard")
    assert "not available in this build" in out and out.startswith("| Note |")
    (tmp_path / "scorecard.csv").write_text("country_iso2,value\nRS,1\n", encoding="utf-8")
    assert "column" in R.guarded("scorecard", lambda f: f["missing_column"], "Scorecard")
    assert "Provenance: not available" in R.provenance_or_note(tmp_path / "nothing.provenance.json")
    R.data._load.cache_clear()


def test_placeholder_figure_is_a_valid_png_and_svg(tmp_path, monkeypatch):
    from tomas_pipeline import reporting as R

    monkeypatch.setenv("TOMAS_FIGURES_DIR", str(tmp_path))
    assert not R.figure_available("nothing")
    bundle = R.display._Placeholder()._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG") and "not available" in bundle["image/svg+xml"]
    assert R.figure_description("nothing") == ""


def test_scorecard_numbers_in_prose_figure_and_table_agree(tmp_path_factory):
    """The heat map's description, the summary table and the prose of a built report
    count the same cells: scored indicators only, the same countries."""
    from buildkit import base_build

    from tomas_pipeline.metrics.method import load_indicators
    from tomas_pipeline.metrics.scorecard import SCORE_CATEGORIES

    repo = base_build(tmp_path_factory)
    page = html.unescape(re.sub(r"<[^>]+>", " ", (repo / "report/_output/tomas.html").read_text(encoding="utf-8")))
    text = " ".join(page.split())
    said = re.search(r"Heat map of (\d+) scored indicators for (\d+) countries .*?: (\d+) cells meet the standard, "
                     r"(\d+) partly, (\d+) do not, (\d+) have no data and (\d+) are not", text)
    assert said, "the heat map's description is not in the report"
    n_scored, n_countries, *cells = map(int, said.groups())
    indicators = load_indicators(repo / "config" / "indicators.yaml")
    assert n_scored == sum(1 for i in indicators if i["scored"])
    assert sum(cells) == n_scored * n_countries
    assert f"scorecard of {n_scored} scored indicators per country" in text
    # The summary table: one row per country, columns in SCORE_CATEGORIES order.
    header = "Country Met Partly met Not met No data Not applicable "
    table = re.search(re.escape(header) + r"(.*?)(?:Provenance|Table|Source)", text).group(1)
    rows = re.findall(r"[A-Z][A-Za-z ]+? ((?:\d+ ){4}\d+)", table + " ")
    assert len(rows) == n_countries, table
    totals = [sum(int(r.split()[k]) for r in rows) for k in range(len(SCORE_CATEGORIES))]
    assert totals == cells


def test_tracker_table_cites_the_evidence_and_names_what_is_not_measured(monkeypatch):
    """A met cell cites the rows behind it; a recommendation the toolkit does not measure reads
    "not measured" in both tables, with the reason as its criteria, never as "unknown"."""
    from tomas_pipeline import reporting as R
    from tomas_pipeline.reporting import tables as T

    monkeypatch.setattr(T, "country_name", lambda iso: {"RS": "Serbia", "AL": "Albania"}[iso])
    monkeypatch.setattr(T, "_iso_columns", lambda frame, comparison=True: ["RS", "AL"])
    tracker = pd.DataFrame({
        "recommendation": ["r2_4", "r2_4", "r3_1", "r3_1"], "group": [2, 2, 3, 3],
        "title": ["Hotlines to join INHOPE"] * 2 + ["Train and specialise professionals"] * 2,
        "country_iso2": ["RS", "AL", "RS", "AL"], "status": ["met", "unknown", "not measured", "not measured"],
        "indicators": ["inhope_hotline", "inhope_hotline", None, None], "basis": ["1 of 1", "0 of 1", "x", "x"],
        "criteria": ["Met: a member hotline.", "Met: a member hotline.", "Training is practice.",
                     "Training is practice."],
        "evidence": ["inhope_src", None, None, None], "source_ids": ["inhope_src", None, None, None]})
    table = R.tracker_table(tracker)
    assert "met [@inhope_src]" in table
    assert "not measured" in table and "not measured [@" not in table
    criteria = R.tracker_criteria_table(tracker)
    assert "`inhope_hotline`" in criteria and "Training is practice." in criteria
    row = next(line for line in criteria.splitlines() if "Train and specialise" in line)
    assert "not measured" in row and "unknown" not in row


def test_chapter_six_counts_unknown_only_among_measured_recommendations():
    text = TEXTS[REPORT / "chapters" / "06-recommendations.qmd"]
    assert "@tbl-tracker-criteria" in text and "#| label: tbl-tracker-criteria" in text
    assert '"not measured", "not applicable"' in text  # left out of the measured combinations
    assert "does not measure" in text
