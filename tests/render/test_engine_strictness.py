"""The built-in engine is as strict as Quarto where the two could differ (docs/engine.md,
"Behaviours mirrored from Quarto"). Each test names the behaviour it pins."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from conftest import TESTS

from tomas_pipeline.render import RenderError, render_project
from tomas_pipeline.render.inline import inline_text, plain_markup, quarto_escaped
from tomas_pipeline.render.pandoc import run_pandoc
from tomas_pipeline.render.project import Line, load_document, load_project
from tomas_pipeline.render.qmd import parse
from tomas_pipeline.render.strict import check_bibliography, check_cell_options, check_date, check_xref_kinds
from tomas_pipeline.reporting import Md, cite, escape, quote


def _lines(text: str) -> list[Line]:
    return [Line(t, Path("doc.qmd"), i + 1) for i, t in enumerate(textwrap.dedent(text).splitlines())]


# --- inline values (quarto-compat E1) ---------------------------------------------------------------

def test_plain_str_inline_value_is_escaped_as_quarto_escapes_it():
    # Quarto's own example (inline-code docs, "Markdown Output"): '**not bold**' -> \*\*not bold\*\*
    assert quarto_escaped("'**not bold**'") == r"\*\*not bold\*\*"
    assert quarto_escaped("'[Convention]{.law-title}'") == r"\[Convention\]\{\.law\-title\}"
    assert quarto_escaped("'26,718 (2020)'") == r"26\,718 \(2020\)"  # `+-.` is a range in Quarto's class
    assert quarto_escaped("'a\\\\b'") == "a\\\\\\\\\\\\\\\\b"  # backslashes doubled, then escaped again
    assert quarto_escaped("42") == "42" and quarto_escaped("None") == "None"  # unquoted reprs stay


def test_markdown_result_wins_over_plain_text_and_html_is_refused():
    assert inline_text({"text/markdown": "**b**", "text/plain": "'x'"}) == ("**b**", False)
    assert inline_text({"text/plain": "'**b**'"}) == (r"\*\*b\*\*", True)
    with pytest.raises(RenderError, match="text/html"):
        inline_text({"text/html": "<b>x</b>", "text/plain": "'x'"})


def test_plain_markup_names_markdown_in_a_plain_value():
    assert plain_markup("'[@aksk_gci_2024]'") == ["@", "[", "]", "_"]
    assert plain_markup("'26,718 reports (2021)'") == []
    assert plain_markup("np.float64(3.5)") == ["np.float64(3.5)"]
    assert plain_markup("3.5") == []


def test_md_helpers_have_a_markdown_representation_and_joins_lose_it():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(cite("a;b"))
    assert data["text/markdown"] == "[@a; @b]"
    data, _ = DisplayFormatter().format(quote("x") + " y")  # a plain str again
    assert "text/markdown" not in data and data["text/plain"] == "'[x]{.quote} y'"
    assert isinstance(escape("a_b"), Md) and isinstance(Md("x") + "y", str) and not isinstance(Md("x") + "y", Md)


QMD = """\
---
title: Inline
---

```{{python}}
from IPython.display import Markdown
from tomas_pipeline.reporting import Md
```

{body}
"""


def _render(tmp_path: Path, body: str, name: str = "doc") -> str:
    (tmp_path / f"{name}.qmd").write_text(QMD.format(body=body), encoding="utf-8")
    out = render_project(tmp_path / f"{name}.qmd", tmp_path / "out", formats=("html",), engine="builtin")
    return out[0].read_text(encoding="utf-8")


def test_inline_values_in_a_real_render(tmp_path):
    html = _render(tmp_path, "A `{python} Markdown('**bold**')` B `{python} Md('*it*')` "
                             "C `{python} 'x (y) 2.5, z!'` D `{python} 7`.")
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html
    assert "C x (y) 2.5, z! D 7." in html


def test_a_plain_str_of_markdown_stops_the_render_naming_every_site(tmp_path):
    with pytest.raises(RenderError) as info:
        _render(tmp_path, "One `{python} '[@key]'` and `{python} 'a *b*'` and `{python} Md('*ok*')`.")
    message = str(info.value)
    assert "plain str" in message and "'[@key]'" in message and "'a *b*'" in message
    assert "Md('*ok*')" not in message


# --- date (E3) ---------------------------------------------------------------------------------------

def test_front_matter_date_wins_over_metadata_but_other_keys_are_overridden(tmp_path):
    (tmp_path / "d.qmd").write_text("---\ntitle: t\ndate: 2024-01-02\nversion: old\n---\nx\n", encoding="utf-8")
    project = load_project(tmp_path / "d.qmd")
    doc = load_document(project, tmp_path / "d.qmd", {"date": "2026-11-30", "version": "1.0"})
    assert doc.metadata["date"] == dt.date(2024, 1, 2) and doc.metadata["version"] == "1.0"
    (tmp_path / "e.qmd").write_text("---\ntitle: t\n---\nx\n", encoding="utf-8")
    assert load_document(project, tmp_path / "e.qmd", {"date": "2026-11-30"}).metadata["date"] == "2026-11-30"


def test_a_date_must_be_a_date_printed_as_iso():
    check_date({"date": "2026-11-30", "date-format": "iso"})
    check_date({"date": "today", "date-format": "iso"})
    check_date({"date": dt.date(2026, 1, 1), "date-format": "iso"})
    check_date({})
    with pytest.raises(RenderError, match="Invalid Date"):
        check_date({"date": "undated", "date-format": "iso"})
    with pytest.raises(RenderError, match="date-format"):
        check_date({"date": "2026-11-30"})


def test_placeholder_date_fails_a_real_render(tmp_path):
    (tmp_path / "_quarto.yml").write_text("date-format: iso\n", encoding="utf-8")
    (tmp_path / "doc.qmd").write_text("---\ntitle: t\ndate: undated\n---\nx\n", encoding="utf-8")
    with pytest.raises(RenderError, match="undated"):
        render_project(tmp_path, formats=("html",), engine="builtin", metadata={"date": "2026-11-30"})


# --- bibliography (E2) -------------------------------------------------------------------------------

def test_bibliography_must_be_readable_by_quartos_typst_route(tmp_path):
    root = tmp_path / "report"
    root.mkdir()
    outside_json = tmp_path / "data" / "references.json"
    inside_bib = root / "refs.bib"
    check_bibliography([outside_json], ["html", "docx"], {}, root)  # citeproc reads anything there
    check_bibliography([outside_json], ["pdf"], {"citeproc": True}, root)
    with pytest.raises(RenderError, match="outside the project root.*cannot read references.json"):
        check_bibliography([outside_json], ["pdf"], {}, root)
    with pytest.raises(RenderError, match="citeproc: true"):
        check_bibliography([inside_bib], ["pdf"], {"citeproc": False}, root)


# --- cell options, cross-references, Pandoc warnings -----------------------------------------------

def test_unknown_cell_option_fails_and_unsupported_quarto_option_is_named():
    check_cell_options(parse(_lines("```{python}\n#| label: fig-a\n#| fig-cap: A\n#| echo: false\n1\n```")))
    with pytest.raises(RenderError, match="unknown cell option 'fig-caption'"):
        check_cell_options(parse(_lines("```{python}\n#| fig-caption: A\n1\n```")))
    with pytest.raises(RenderError, match="'fig-width' is not supported"):
        check_cell_options(parse(_lines("```{python}\n#| fig-width: 4\n1\n```")))


def test_unnumbered_quarto_crossref_kind_fails():
    check_xref_kinds("See @fig-a and @sec-b, mail me@eq-x.org.", lambda i: "doc.qmd:1")
    with pytest.raises(RenderError, match="@eq-energy"):
        check_xref_kinds("As @eq-energy shows.", lambda i: "doc.qmd:1")


def test_missing_label_and_unknown_prefix_fail_in_a_real_render(tmp_path):
    with pytest.raises(RenderError, match="unknown cross-reference @fig-nope"):
        _render(tmp_path, "See @fig-nope.", "a")
    (tmp_path / "refs.bib").write_text("@book{known, title={T}, author={A}, year={2000}}\n", encoding="utf-8")
    body = "See @fgi-typo and [@known]."
    (tmp_path / "b.qmd").write_text(QMD.format(body=body).replace("title: Inline", "title: I\nbibliography: refs.bib"),
                                    encoding="utf-8")
    # `@fgi-typo` is a citation key for Pandoc and Quarto alike: citeproc's "not found" warning fails here.
    with pytest.raises(RenderError, match="fgi-typo"):
        render_project(tmp_path / "b.qmd", tmp_path / "out", formats=("html",), engine="builtin")


def test_pandoc_warning_fails(tmp_path):
    (tmp_path / "in.md").write_text("[@nobody]\n", encoding="utf-8")
    (tmp_path / "r.json").write_text("[]", encoding="utf-8")
    with pytest.raises(RenderError, match="nobody"):
        run_pandoc(["in.md", "--citeproc", "--bibliography=r.json", "-o", "out.html"], tmp_path, 0)
    run_pandoc(["in.md", "-o", "out.html"], tmp_path, 0)


# --- Quarto's own warnings (W5) ----------------------------------------------------------------------

def test_quarto_warnings_on_success_reach_the_log(monkeypatch, tmp_path, caplog):
    import logging
    import os
    import stat

    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "quarto"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do case "$1" in --output-dir) out="$2";; esac; shift; done\n'
        'echo "WARNING (citeproc): citation aksk not found" >&2\n'
        'echo "Output created: tomas.html" >&2\n'
        'echo fake > "$out/tomas.html"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    fixture = TESTS / "fixtures" / "render" / "basic"
    with caplog.at_level(logging.INFO, logger="tomas.render"):
        render_project(fixture, tmp_path / "out", ("html",), engine="quarto")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["quarto --to html: WARNING (citeproc): citation aksk not found"]
    assert any("Output created" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)


# --- figure formats (W3) -----------------------------------------------------------------------------

def test_fig_format_must_match_what_the_engine_uses():
    from tomas_pipeline.render.strict import check_fig_format

    check_fig_format("docx", {"fig-format": "png"})
    check_fig_format("html", {"fig-format": "svg"})
    check_fig_format("pdf", {})
    with pytest.raises(RenderError, match="fig-format 'svg'"):
        check_fig_format("docx", {"fig-format": "svg"})


def test_figures_offer_only_quartos_fig_format_in_its_kernel(monkeypatch, tmp_path):
    from tomas_pipeline.reporting import display

    monkeypatch.setattr(display, "figure_path", lambda stem, fmt="svg": tmp_path / f"{stem}.{fmt}")
    (tmp_path / "f.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "f.png").write_bytes(b"\x89PNG")
    bundle = display._FigureBundle("f")
    monkeypatch.delenv("QUARTO_FIG_FORMAT", raising=False)
    assert set(bundle._repr_mimebundle_()) == {"image/svg+xml", "image/png"}  # built-in: both
    monkeypatch.setenv("QUARTO_FIG_FORMAT", "png")
    assert set(bundle._repr_mimebundle_()) == {"image/png"}  # Quarto's DOCX kernel
    monkeypatch.setenv("QUARTO_FIG_FORMAT", "svg")
    assert set(bundle._repr_mimebundle_()) == {"image/svg+xml"}


def test_quarto_yml_paths_resolve_against_the_project_and_front_matter_against_the_document(tmp_path):
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [sub/doc.qmd]\nbibliography: refs.bib\n",
                                          encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "doc.qmd").write_text("---\ntitle: t\ncsl: style.csl\n---\nx\n", encoding="utf-8")
    project = load_project(tmp_path)
    doc = load_document(project, tmp_path / "sub" / "doc.qmd")
    assert Path(doc.metadata["bibliography"]) == (tmp_path / "refs.bib").resolve()
    assert doc.metadata["csl"] == "style.csl"  # resolved against sub/ when the engine reads it
