"""Real renders of the fixture projects with the built-in engine (kernel, Pandoc, Typst).

The fixture project is rendered twice per module and shared, to keep the suite fast.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import TESTS

from tomas_pipeline.render import RenderError, cli_render, render_project

FIXTURES = TESTS / "fixtures" / "render"
META = {"version": "1.2.3-test", "commit": "c0ffee1", "data-hash": "sha256:abc"}


def copy_fixture(name: str, target: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, target / name))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Two renders of the same input into different folders: (first outputs, second outputs)."""
    base = tmp_path_factory.mktemp("render")
    project = copy_fixture("basic", base)
    first = render_project(project, engine="builtin", metadata=META)
    second = render_project(project, base / "again", engine="builtin", metadata=META)
    return first, second


@pytest.fixture
def no_quarto(monkeypatch):
    monkeypatch.setenv("TOMAS_RENDER_ENGINE", "builtin")


def test_outputs_are_named_after_the_document_in_output_dir(rendered):
    first, _ = rendered
    assert [p.name for p in first] == ["tomas.html", "tomas.pdf", "tomas.docx"]
    assert all(p.parent.name == "_output" and p.stat().st_size > 0 for p in first)
    # nothing but the outputs is left behind (no build folder, no partial files)
    assert sorted(p.name for p in first[0].parent.iterdir()) == ["tomas.docx", "tomas.html", "tomas.pdf"]


def test_html_has_resolved_refs_alt_text_inline_values_and_no_remote_links(rendered):
    html = rendered[0][0].read_text(encoding="utf-8")
    assert '<a href="#fig-scores">Figure 1</a>' in html
    assert '<a href="#tbl-scores">Table 1</a>' in html
    assert '<a href="#sec-methods">Section 2</a>' in html
    assert '<figure id="fig-scores">' in html and "Figure 1: Scores by country" in html
    assert 'alt="Bar chart of scores: Albania 7, Serbia 9"' in html
    assert "scores 2 countries, version 1.2.3-test." in html  # inline expression + meta over front matter
    assert "The highest score is 9" in html
    assert "European Parliament and Council" in html  # citeproc ran
    assert "@fig-" not in html and "{python}" not in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)
    assert 'lang="en-GB"' in html and "Commit: c0ffee1" in html


def test_pdf_reads_and_has_footer_and_title_page(rendered):
    from pypdf import PdfReader

    pdf = rendered[0][1]
    assert pdf.read_bytes().startswith(b"%PDF")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3  # title page, contents, body
    for page in reader.pages:
        text = page.extract_text()
        assert "Version 1.2.3-test" in text and "c0ffee1" in text
    body = "".join(p.extract_text() for p in reader.pages[2:])
    assert "Figure 1: Scores by country" in body and "Table 1: Scores by country" in body
    assert "see 1 in Section 2.1" in body


def test_docx_opens_with_text_and_image(rendered):
    import docx

    path = rendered[0][2]
    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "Fixture Paper" in text and "Figure 1" in text
    with zipfile.ZipFile(path) as zf:
        assert any(n.startswith("word/media/") for n in zf.namelist())


def test_two_renders_are_byte_identical(rendered):
    first, second = rendered
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_kernel_error_names_the_cell_and_leaves_no_file(tmp_path, no_quarto):
    project = copy_fixture("kernel_error", tmp_path)
    with pytest.raises(RenderError) as info:
        render_project(project, formats=("html",))
    message = str(info.value)
    assert "paper.qmd:7" in message and "compute-total" in message and "KeyError" in message
    out = project / "_output"
    assert not out.exists() or list(out.iterdir()) == []


def test_unknown_crossref_stops_before_running_anything(tmp_path, no_quarto):
    project = copy_fixture("bad_ref", tmp_path)
    with pytest.raises(RenderError, match=r"paper.qmd:7: unknown cross-reference @fig-missing"):
        render_project(project, formats=("html",))


def test_cli_reports_errors_and_outputs(tmp_path, capsys, no_quarto):
    project = copy_fixture("bad_ref", tmp_path)
    assert cli_render([str(project), "--to", "html"]) == 1
    assert "fig-missing" in capsys.readouterr().err
    (project / "paper.qmd").write_text("---\ntitle: Fine\n---\n\n# Results {#sec-r}\n\nSee @sec-r.\n")
    assert cli_render([str(project), "--to", "html", "-M", "version=2"]) == 0
    assert (project / "_output" / "paper.html").exists()


def test_cli_cache_reuses_cells_and_changes_no_byte(tmp_path, no_quarto):
    project = tmp_path / "p"
    project.mkdir()
    (project / "paper.qmd").write_text(
        "---\ntitle: Cached\n---\n\n```{python}\nwords = open('w.txt').read().split()\nprint(len(words))\n```\n")
    (project / "w.txt").write_text("one two", encoding="utf-8")
    out = project / "paper.html"
    assert cli_render([str(project), "--to", "html"]) == 0
    clean = out.read_bytes()
    cache = tmp_path / "cache"

    def ran() -> list:
        return json.loads((cache / "paper" / "stats.json").read_text(encoding="utf-8"))["executed"]

    assert cli_render([str(project), "--to", "html", "--cache", str(cache)]) == 0
    assert out.read_bytes() == clean and len(ran()) == 1
    assert cli_render([str(project), "--to", "html", "--cache", str(cache)]) == 0
    assert out.read_bytes() == clean and ran() == []
    # The cell read w.txt: a change to it runs the cell again.
    (project / "w.txt").write_text("one two three", encoding="utf-8")
    assert cli_render([str(project), "--to", "html", "--cache", str(cache)]) == 0
    cached = out.read_bytes()
    assert cached != clean and len(ran()) == 1
    assert cli_render([str(project), "--to", "html"]) == 0 and out.read_bytes() == cached
