"""The terminology check: deprecated terms fail in prose, pass inside marked quotations and titles."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TESTS

from tomas_pipeline import steps
from tomas_pipeline.reporting.terminology import (
    TerminologyError,
    check,
    check_files,
    check_text,
    load_terms,
    main,
    mask,
    report_files,
)

TERMS = ["child pornography", "child prostitute", "child prostitution", "child sex tourism", "self-victimization"]
ROOT = TESTS.parent


def test_term_in_prose_fails_with_file_line_and_term():
    text = "# Title\n\nA clean first line.\nThe old law spoke of child pornography here.\n"
    findings = check_text(text, TERMS, "chapters/x.qmd")
    assert [(f.file, f.line, f.term) for f in findings] == [("chapters/x.qmd", 4, "child pornography")]
    assert str(findings[0]).startswith('chapters/x.qmd:4: deprecated term "child pornography"')


def test_case_insensitive():
    assert [f.term for f in check_text("Child PORNOGRAPHY is wrong.", TERMS)] == ["child pornography"]


def test_word_boundaries():
    # a longer word, a prefix, or a hyphenated compound is not the term
    assert check_text("child pornographic, grandchild pornography, child-pornography-like", TERMS) == []
    assert check_text("nonself-victimization", TERMS) == []
    assert [f.term for f in check_text("(child pornography)", TERMS)] == ["child pornography"]


def test_term_wrapped_across_lines_is_found_on_its_first_line():
    findings = check_text("line one\nthe law says child\npornography here\n", TERMS, "f.qmd")
    assert [(f.line, f.term) for f in findings] == [(2, "child pornography")]


def test_longest_term_reported_once():
    findings = check_text("no child sex tourism here", TERMS + ["child sex"])
    assert [f.term for f in findings] == ["child sex tourism"]


@pytest.mark.parametrize("text", [
    "The code says [child pornography]{.quote} in Article 185.",
    "The [Optional Protocol on the sale of children, child prostitution and child pornography]{.law-title}.",
    "A title that wraps: [Directive on combating abuse and child\npornography]{.law-title} ends here.",
    "With attributes: [child pornography]{.quote lang=en}.",
    "> The paper writes child pornography in a quotation.",
    "Inline code `child pornography` is not prose, nor `{python} R.quote('child prostitution')`.",
    "<!-- a comment about child pornography -->",
    "```{python}\nx = 'child pornography'\n```",
    "---\ntitle: child pornography in front matter\n---\nclean",
])
def test_marked_quotations_titles_and_code_pass(text):
    assert check_text(text, TERMS) == []


def test_marked_span_does_not_cover_following_prose():
    text = "[child pornography]{.quote} and then child prostitution in prose."
    assert [f.term for f in check_text(text, TERMS)] == ["child prostitution"]


def test_other_span_classes_do_not_exempt():
    assert [f.term for f in check_text("[child pornography]{.smallcaps}", TERMS)] == ["child pornography"]
    assert [f.term for f in check_text("[child pornography]{.quoted}", TERMS)] == ["child pornography"]


def test_mask_keeps_line_numbers():
    text = "---\na: b\n---\n```{python}\nx\n```\nprose\n"
    assert mask(text).count("\n") == text.count("\n")


def test_check_files_and_check_raise_on_a_planted_term(tmp_path):
    (tmp_path / "chapters").mkdir()
    good = tmp_path / "tomas.qmd"
    bad = tmp_path / "chapters" / "bad.qmd"
    good.write_text("All clean: [child pornography]{.quote}.\n", encoding="utf-8")
    bad.write_text("# Heading\n\nA child prostitute is a deprecated term.\n", encoding="utf-8")
    terms_csv = tmp_path / "terminology.csv"
    terms_csv.write_text("term,preferred,status,source_id\nchild prostitute,,avoid,x\nChild Pornography,,avoid,x\n",
                         encoding="utf-8")
    assert load_terms(terms_csv) == ["child pornography", "child prostitute"]
    files = report_files(tmp_path)
    assert files == sorted([good, bad])
    assert [(Path(f.file).name, f.line) for f in check_files(files, load_terms(terms_csv))] == [("bad.qmd", 3)]
    with pytest.raises(TerminologyError, match=r"bad\.qmd:3: deprecated term \"child prostitute\""):
        check(files, terms_csv)
    # the Snakemake step writes its marker only on success
    ok = tmp_path / "build" / "terminology.ok"
    with pytest.raises(TerminologyError):
        steps.terminology([str(p) for p in files], str(terms_csv), str(ok), str(tmp_path / "t.log"))
    assert not ok.exists() and "child prostitute" in (tmp_path / "t.log").read_text(encoding="utf-8")
    steps.terminology([str(good)], str(terms_csv), str(ok), str(tmp_path / "t.log"))
    assert ok.read_text(encoding="utf-8").startswith("terminology check passed")
    assert main([str(tmp_path), str(terms_csv)]) == 1


@pytest.mark.slow
def test_the_report_itself_passes_the_check(built_repo):
    terms_csv = built_repo / "data" / "processed" / "terminology.csv"
    findings = check_files(report_files(ROOT / "report"), load_terms(terms_csv))
    assert findings == [], "\n".join(map(str, findings))
