"""CITATION.cff is valid CFF 1.2.0, carries the toolkit's version, and the
BibTeX entry and formatted citation are made from it."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import TESTS

from tomas_pipeline import __version__
from tomas_pipeline.release.citation import formatted_citation, load_citation, to_bibtex

ROOT = TESTS.parent
SCHEMA = json.loads((TESTS / "data" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))


def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_citation_file_is_valid_cff_1_2_0():
    errors = sorted(validator().iter_errors(load_citation(ROOT / "CITATION.cff")), key=str)
    assert not errors, "\n".join(e.message for e in errors)


def test_schema_rejects_what_cff_forbids():
    cff = load_citation(ROOT / "CITATION.cff")
    broken = {k: v for k, v in cff.items() if k != "authors"} | {"date-released": "30/11/2026"}
    messages = " ".join(e.message for e in validator().iter_errors(broken))
    assert "'authors' is a required property" in messages
    assert "30/11/2026" in messages


def test_citation_version_is_the_toolkit_version():
    assert str(load_citation(ROOT / "CITATION.cff")["version"]) == __version__


def test_citation_credits_the_paper_and_its_author():
    cff = load_citation(ROOT / "CITATION.cff")
    assert cff["authors"] == [{"name": "TOMAS toolkit contributors"}]
    paper = cff["references"][0]
    assert paper["authors"][0]["family-names"] == "Škorić"
    assert "Uniformed Legislation Against CSAM" in paper["title"]


def test_unquoted_yaml_date_is_read_as_text(tmp_path):
    path = tmp_path / "CITATION.cff"
    path.write_text("cff-version: 1.2.0\nmessage: m\ntitle: T\nauthors:\n  - name: A\ndate-released: 2026-11-30\n",
                    encoding="utf-8")
    cff = load_citation(path)
    assert cff["date-released"] == "2026-11-30"
    assert not list(validator().iter_errors(cff))


HAND_MADE = {
    "cff-version": "1.2.0",
    "message": "Cite me.",
    "title": "Tables & Figures_2",
    "version": "1.4.0",
    "date-released": "2027-03-15",
    "doi": "10.5281/zenodo.1234567",
    "license": "MIT",
    "authors": [
        {"family-names": "Škorić", "given-names": "Jovana Ana"},
        {"family-names": "Humboldt", "name-particle": "von", "given-names": "Alexander"},
        {"name": "TOMAS toolkit contributors"},
    ],
}


def test_formatted_citation_of_a_hand_made_file():
    assert formatted_citation(HAND_MADE) == (
        "Škorić, J. A., von Humboldt, A., & TOMAS toolkit contributors (2027). Tables & Figures_2 "
        "(Version 1.4.0) [Computer software]. https://doi.org/10.5281/zenodo.1234567"
    )


def test_bibtex_of_a_hand_made_file():
    assert to_bibtex(HAND_MADE) == (
        "@software{tables_figures_2_1_4_0,\n"
        "  author = {Škorić, Jovana Ana and von Humboldt, Alexander and {TOMAS toolkit contributors}},\n"
        "  title = {{Tables \\& Figures\\_2}},\n"
        "  version = {1.4.0},\n"
        "  date = {2027-03-15},\n"
        "  year = {2027},\n"
        "  doi = {10.5281/zenodo.1234567},\n"
        "  license = {MIT}\n"
        "}\n"
    )


def test_repository_citation_renders_without_doi():
    cff = load_citation(ROOT / "CITATION.cff")
    text = formatted_citation(cff)
    assert f"(Version {__version__})" in text and "doi.org" not in text
    bib = to_bibtex(cff)
    assert bib.startswith("@software{") and f"version = {{{__version__}}}" in bib
    assert bib.count("{") == bib.count("}")


@pytest.mark.parametrize("field", ["title", "version", "date-released", "license"])
def test_citation_has_required_metadata(field):
    assert load_citation(ROOT / "CITATION.cff").get(field)
