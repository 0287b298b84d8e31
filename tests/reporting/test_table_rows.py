"""No table row is lost in any format (issue 15).

The report is built once (the session's `built_repo`) and each table it prints
from data is checked against the processed table it is made from: every row's
identifying text must be in the table as the reader gets it, in the PDF's text
layer (only text drawn inside the page's body counts), in the DOCX and in the
HTML. In the PDF no text may be drawn over or below the page footer: that is
where a table that does not break across pages puts its last rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from buildkit import read_rows
from conftest import TESTS

from tomas_pipeline.render import RenderError
from tomas_pipeline.render import pandoc as render_pandoc
from tomas_pipeline.render.project import format_options, load_document, load_project

ROOT = TESTS.parent
HEADER = ROOT / "report" / "tomas-typst-header.typ"
# Tables the report prints from data: label -> processed table (or method file) it comes from.
TABLES = ("tbl-gaps", "tbl-sources", "tbl-method", "tbl-ratification", "tbl-alignment", "tbl-scorecard",
          "tbl-tracker", "tbl-conflicts", "tbl-searches")
PAGE_NUMBER = re.compile(r"^\d+ / \d+$")


def norm(text: str) -> str:
    """Letters and digits only, case-folded: PDF text comes with line breaks, hyphens
    from hyphenation and typographic quotes that the data does not have."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def expected_rows(repo: Path) -> dict[str, list[str]]:
    """Per table, one identifying text per row, from the data the table is made from."""
    from tomas_pipeline.metrics.method import load_indicators

    def rows(name):
        return read_rows(repo / "data" / "processed" / f"{name}.csv")

    countries = rows("countries")
    name = {c["iso2"]: c["name"] for c in countries}
    focus = {c["iso2"] for c in countries if c["focus"] == "True"}
    comparison = sorted((c for c in countries if c["comparison"] == "True"), key=lambda c: float(c["order"]))
    short = {i["instrument_id"]: i["short_name"] for i in rows("instruments")}
    indicators = load_indicators(repo / "config" / "indicators.yaml")
    label = {i["id"]: i["label"] for i in indicators}
    scored = {r["country_iso2"] for r in rows("scorecard")}
    return {
        "tbl-gaps": [r["what"] for r in rows("gaps")],
        "tbl-sources": [r["source_id"] for r in rows("sources")],
        "tbl-method": [i["id"] for i in indicators],
        # A row is a country and an instrument, in adjacent cells.
        "tbl-ratification": [f"{name[r['country_iso2']]} {short[r['instrument']]}" for r in rows("ratification")
                             if r["country_iso2"] in focus],
        # Indicator x country tables: one row per indicator (country level only).
        "tbl-alignment": [label[i] for i in dict.fromkeys(
            r["indicator"] for r in rows("penalty_alignment") if r["level"] in ("", "country"))],
        "tbl-scorecard": [c["name"] for c in comparison if c["iso2"] in scored],
        "tbl-tracker": list(dict.fromkeys(r["title"] for r in rows("recommendation_tracker"))),
        "tbl-conflicts": [f"{r['table']} {name.get(r['country_iso2'], '')} {r['key']}" for r in rows("conflicts")],
        # Each search the gaps cite, once: its date and where it was made.
        "tbl-searches": [f"{day} {where}" for day, where, _ in _cited_searches(repo)],
    }


def _cited_searches(repo: Path) -> list[tuple[str, str, str]]:
    import pandas as pd

    from tomas_pipeline.sources import audit

    gaps = pd.read_csv(repo / "data" / "processed" / "gaps.csv", dtype="string")
    log = pd.read_csv(repo / "data" / "processed" / "searches.csv", dtype="string")
    entries: dict[tuple[str, str, str], None] = {}
    for row in gaps[gaps["kind"] == audit.MISSING].itertuples():
        entries.update(dict.fromkeys(audit.search_entries(audit.attempts_for(log, row.table, row.country_iso2,
                                                                             row.key))))
    return list(entries)


@pytest.fixture(scope="module")
def expected(built_repo) -> dict[str, list[str]]:
    rows = expected_rows(built_repo)
    for label in TABLES:  # a table the data leaves empty would make its check vacuous
        assert rows[label], f"{label}: no rows in the data"
    return rows


@pytest.fixture(scope="module")
def html(built_repo):
    from lxml import html as lxml_html

    return lxml_html.fromstring((built_repo / "report" / "_output" / "tomas.html").read_bytes())


@pytest.fixture(scope="module")
def captions(html) -> dict[str, str]:
    """Label -> caption as numbered by the engine ("Table 22: ..."), read from the HTML."""
    out = {}
    for element in html.xpath("//*[starts-with(@id, 'tbl-')]"):
        caption = element.find(".//caption")
        if caption is not None:
            out[element.get("id")] = re.sub(r"\s+", " ", caption.text_content()).strip()
    return out


def text_pieces(page) -> list[tuple[float, str]]:
    """(baseline y in points from the page bottom, text) of every piece drawn on a page."""
    pieces = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            pieces.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text))

    page.extract_text(visitor_text=visit)
    return pieces


@pytest.fixture(scope="module")
def pdf_pages(built_repo) -> list[dict]:
    """Per page: the footer's baseline, the pieces drawn too low, and the body text."""
    from pypdf import PdfReader

    pages = []
    for number, page in enumerate(PdfReader(built_repo / "report" / "_output" / "tomas.pdf").pages, 1):
        pieces = text_pieces(page)
        footer = [y for y, t in pieces if PAGE_NUMBER.match(t.strip())]
        assert len(footer) == 1, f"page {number}: no single page number in the footer"
        footer_y = footer[0]
        # The footer is one 8 pt line; body text must stay clear above it.
        body_floor = footer_y + 12
        height = float(page.mediabox.height)
        body = [(y, t) for y, t in pieces if abs(y - footer_y) > 0.5]
        pages.append({
            "number": number, "footer_y": footer_y,
            "too_low": [(round(y, 1), t.strip()) for y, t in body if not body_floor <= y <= height],
            "text": norm("".join(t for y, t in body if body_floor <= y <= height)),
        })
    return pages


@pytest.mark.slow
def test_no_text_is_drawn_over_or_below_the_page_footer(pdf_pages):
    # Before tables could break, rows ran past the foot of the page, over the footer and off the sheet.
    bad = {p["number"]: p["too_low"][:3] for p in pdf_pages if p["too_low"]}
    assert not bad, f"text in the footer area or off the page (page: [(y, text)]): {bad}"


@pytest.mark.slow
def test_footer_sits_at_the_same_place_on_every_page(pdf_pages):
    assert len({round(p["footer_y"], 1) for p in pdf_pages}) == 1


def missing_in(text: str, wanted: list[str]) -> list[str]:
    """Identifiers found fewer times in `text` than the data has rows with them."""
    return [w for w, n in Counter(norm(w) for w in wanted).items() if text.count(w) < n]


@pytest.mark.slow
@pytest.mark.parametrize("label", TABLES)
def test_pdf_table_has_every_row(label, expected, captions, pdf_pages):
    text = "".join(p["text"] for p in pdf_pages)
    assert label in captions, f"{label}: no captioned table in the HTML to find it by"
    start = text.find(norm(captions[label]))
    assert start >= 0, f"{label}: caption {captions[label]!r} not in the PDF's body text"
    # The table runs from its caption to the next table's caption.
    ends = [i for i in (text.find(norm(c), start + 1) for c in captions.values()) if i > start]
    segment = text[start:min(ends, default=len(text))]
    missing = missing_in(segment, expected[label])
    assert not missing, f"{label}: {len(missing)} of {len(expected[label])} rows not in the PDF: {missing[:5]}"


def html_rows(html, label: str) -> list[str]:
    table = html.get_element_by_id(label).find(".//table")
    return [norm(tr.text_content()) for tr in table.xpath("./tbody/tr")]


def docx_tables(path: Path) -> dict[str, list[str]]:
    """Caption ("Table N: ...", normalised) -> the body rows of the table that follows it."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    out, caption = {}, None
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            text = Paragraph(element, document).text
            caption = norm(text) if text.strip() else caption
        elif element.tag.endswith("}tbl") and caption:
            rows = Table(element, document).rows[1:]  # the first row is the header
            out[caption] = [norm("".join(cell.text for cell in row.cells)) for row in rows]
            caption = None
    return out


def rows_missing(rows: list[str], wanted: list[str]) -> list[str]:
    """Identifiers that fewer rows contain than the data has rows with them."""
    return [w for w, n in Counter(wanted).items() if sum(norm(w) in r for r in rows) < n]


@pytest.mark.slow
@pytest.mark.parametrize("label", TABLES)
def test_html_table_has_every_row(label, expected, html):
    rows = html_rows(html, label)
    assert len(rows) == len(expected[label]), f"{label}: {len(rows)} rows, the data has {len(expected[label])}"
    assert not rows_missing(rows, expected[label])


@pytest.fixture(scope="module")
def docx_by_caption(built_repo):
    return docx_tables(built_repo / "report" / "_output" / "tomas.docx")


@pytest.mark.slow
@pytest.mark.parametrize("label", TABLES)
def test_docx_table_has_every_row(label, expected, captions, docx_by_caption):
    rows = docx_by_caption.get(norm(captions[label]))
    assert rows is not None, f"{label}: no table after the caption {captions[label]!r} in the DOCX"
    assert len(rows) == len(expected[label]), f"{label}: {len(rows)} rows, the data has {len(expected[label])}"
    assert not rows_missing(rows, expected[label])


# --- The shared Typst rules, without a whole build ------------------------------------

def long_table(kind: str, rows: int = 120) -> str:
    """A captioned table in a figure, as Pandoc (`table`) or Quarto (`"quarto-float-tbl"`) writes it."""
    cells = ", ".join(f"[row {i}], [value {i}]" for i in range(rows))
    return (f"#figure([#table(columns: 2, table.header([Name], [Value]), {cells})], "
            f"caption: figure.caption(position: top, [A long table]), kind: {kind}, supplement: [Table])\n")


def compile_pages(tmp_path: Path, source: str) -> list[list[tuple[float, str]]]:
    import typst
    from pypdf import PdfReader

    typ = tmp_path / "doc.typ"
    typ.write_text(source, encoding="utf-8")
    pdf = tmp_path / "doc.pdf"
    typst.compile(str(typ), output=str(pdf), root=str(tmp_path), ignore_system_fonts=True)
    return [text_pieces(page) for page in PdfReader(pdf).pages]


# A footer like the report's; the body must end above the bottom margin (2.5 cm = 70.9 pt).
PAGE = '#set page(paper: "a5", margin: 2.5cm, footer: context counter(page).display("1 / 1", both: true))\n'


@pytest.mark.parametrize("kind", ["table", '"quarto-float-tbl"'])
def test_shared_header_breaks_long_tables_of_both_engines(tmp_path, kind):
    pages = compile_pages(tmp_path, PAGE + HEADER.read_text(encoding="utf-8") + long_table(kind))
    text = norm("".join(t for page in pages for _, t in page))
    assert len(pages) > 1
    assert all(norm(f"row {i}value {i}") in text for i in range(120))
    for number, page in enumerate(pages, 1):
        body = [y for y, t in page if not PAGE_NUMBER.match(t.strip())]
        assert min(body) > 70.9, f"page {number}: text below the bottom margin"
        assert sum(t.strip() == "Name" for _, t in page) == 1, f"page {number}: header row not repeated"


def test_without_the_rules_a_long_table_runs_off_the_page(tmp_path):
    # The check above can fail: by default Typst keeps a figure on one page and the table overflows it.
    pages = compile_pages(tmp_path, PAGE + long_table('"quarto-float-tbl"'))
    assert len(pages) == 1
    assert min(y for y, t in pages[0] if not PAGE_NUMBER.match(t.strip())) < 70.9


def test_report_names_the_header_for_typst_and_the_engine_reads_it():
    project = load_project(ROOT / "report")
    doc = load_document(project, project.documents[0])
    value = format_options(doc.metadata, "pdf")["include-in-header"]
    # One path inside the project, as Quarto requires; the same file for both routes.
    assert (project.root / value).resolve() == HEADER.resolve()
    assert "include-in-header" not in format_options(doc.metadata, "html")


def test_include_in_header_goes_after_the_house_rules(tmp_path):
    (tmp_path / "doc.md").write_text("Some text.\n", encoding="utf-8")
    (tmp_path / "meta.yaml").write_text("title: T\n", encoding="utf-8")
    header = tmp_path / "extra.typ"
    header.write_text("// project rule marker\n", encoding="utf-8")
    args = render_pandoc.common_args(tmp_path / "doc.md", tmp_path / "meta.yaml", {}, [], None)
    options = {"include-in-header": [str(header), {"text": "// inline rule marker"}]}
    typ = render_pandoc.to_pdf(args, tmp_path / "doc.pdf", "doc", {"title": "T"}, options, tmp_path, tmp_path, 0)
    source = typ.read_text(encoding="utf-8")
    house = source.index("#show figure.where(kind: table): set block(breakable: true)")
    assert house < source.index("// project rule marker") < source.index("// inline rule marker")
    assert (tmp_path / "doc.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("value", ["missing.typ", [{"file": "missing.typ"}], [{"url": "x"}], [3]])
def test_a_bad_include_in_header_fails_as_quarto_fails(tmp_path, value):
    resolved = [str(tmp_path / v) if isinstance(v, str) else v for v in ([value] if isinstance(value, str) else value)]
    with pytest.raises(RenderError, match="include-in-header"):
        render_pandoc.header_includes({"include-in-header": resolved}, tmp_path, "typst")
