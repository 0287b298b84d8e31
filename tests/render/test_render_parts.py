"""Fast unit tests of the renderer's parts: no kernel, no Pandoc."""

from __future__ import annotations

import os
import stat
import types
from pathlib import Path

import pytest
from conftest import TESTS

from tomas_pipeline.render import RenderError, choose_engine, render_project
from tomas_pipeline.render.crossref import crossref
from tomas_pipeline.render.engine import check_references, source_date_epoch
from tomas_pipeline.render.project import (
    Line,
    expand_includes,
    format_options,
    load_document,
    load_project,
    resolve_shortcodes,
)
from tomas_pipeline.render.qmd import CodeCell, Markdown, inline_expressions, parse

FIXTURES = TESTS / "fixtures" / "render"


def lines(text: str) -> list[Line]:
    return [Line(t, Path("doc.qmd"), i + 1) for i, t in enumerate(text.split("\n"))]


# --- qmd parsing ---------------------------------------------------------------


def test_parse_cells_options_and_plain_code_blocks():
    chunks = parse(lines(
        "Intro\n\n```{python}\n#| label: fig-a\n#| fig-cap: \"A: caption\"\nx = 1\n```\n\n"
        "````markdown\n```{python}\nnot a cell\n```\n````\nEnd"
    ))
    assert [type(c) for c in chunks] == [Markdown, CodeCell, Markdown]
    cell = chunks[1]
    assert cell.options == {"label": "fig-a", "fig-cap": "A: caption"}
    assert cell.code == "x = 1"
    assert "not a cell" in chunks[2].text  # a ```{python} shown inside a longer fence stays text
    assert cell.where() == "doc.qmd:3 (cell 'fig-a')"


def test_parse_rejects_other_languages_and_unclosed_cells():
    with pytest.raises(RenderError, match=r"only \{python\}"):
        parse(lines("```{r}\n1\n```"))
    with pytest.raises(RenderError, match="never closed"):
        parse(lines("```{python}\nx = 1"))


def test_inline_expressions_skip_code_blocks():
    chunk = parse(lines("A `{python} 1 + 1` B\n\n```\n`{python} no`\n```\n"))[0]
    assert [m.group(1) for m in inline_expressions(chunk)] == ["1 + 1"]
    assert chunk.where(next(inline_expressions(chunk)).start()) == "doc.qmd:1"


# --- project, includes, shortcodes --------------------------------------------


def test_project_metadata_merges_config_front_matter_and_overrides():
    project = load_project(FIXTURES / "basic")
    assert project.output_dir == (FIXTURES / "basic" / "_output").resolve()
    doc = load_document(project, project.documents[0], {"version": "9.9", "commit": "feed"})
    assert doc.metadata["title"] == "Fixture Paper"
    assert doc.metadata["version"] == "9.9" and doc.metadata["commit"] == "feed"
    assert doc.metadata["execute"]["echo"] is False
    assert format_options(doc.metadata, "pdf")["papersize"] == "a4"
    assert format_options(doc.metadata, "html")["toc"] is True


def test_includes_are_relative_to_the_including_file_and_keep_origins(tmp_path):
    (tmp_path / "ch").mkdir()
    (tmp_path / "main.qmd").write_text("---\ntitle: x\n---\nA\n{{< include ch/one.qmd >}}\nB\n")
    (tmp_path / "ch" / "one.qmd").write_text("One\n{{< include two.qmd >}}\n")
    (tmp_path / "ch" / "two.qmd").write_text("Two\n")
    got = expand_includes(tmp_path / "main.qmd")
    assert [line.text for line in got] == ["A", "One", "Two", "B"]
    assert (got[2].file.name, got[2].lineno) == ("two.qmd", 1)


def test_include_cycle_and_missing_file_are_errors(tmp_path):
    (tmp_path / "a.qmd").write_text("{{< include b.qmd >}}\n")
    (tmp_path / "b.qmd").write_text("{{< include a.qmd >}}\n")
    with pytest.raises(RenderError, match="include cycle"):
        expand_includes(tmp_path / "a.qmd")
    (tmp_path / "c.qmd").write_text("{{< include nope.qmd >}}\n")
    with pytest.raises(RenderError, match="nope.qmd"):
        expand_includes(tmp_path / "c.qmd")


def test_meta_shortcode():
    meta = {"version": "1.2", "author": [{"name": "A"}, "B"]}
    assert resolve_shortcodes("v{{< meta version >}} by {{< meta author >}}", meta, "x") == "v1.2 by A, B"
    assert resolve_shortcodes("{{{< meta version >}}}", meta, "x") == "{{< meta version >}}"
    with pytest.raises(RenderError, match="commit"):
        resolve_shortcodes("{{< meta commit >}}", meta, "doc.qmd:3")
    with pytest.raises(RenderError, match="unsupported shortcode"):
        resolve_shortcodes("{{< video x >}}", meta, "doc.qmd:3")


# --- cross-references ------------------------------------------------------------


def test_crossref_numbers_and_links():
    md = (
        "# Intro {#sec-intro}\n\nSee @fig-a, [-@tbl-b] and [see @sec-deep].\n\n"
        "![Caption](a.svg){#fig-a fig-alt=\"Alt\"}\n\n"
        "| a |\n|---|\n| 1 |\n\n: Numbers {#tbl-b}\n\n"
        "# Next {.unnumbered}\n\n## Deep {#sec-deep}\n\n`@fig-a` in code and mail x@fig-a.org stay.\n"
    )
    out = crossref(md, {}, number_sections=True)
    assert "See [Figure 1](#fig-a), [1](#tbl-b) and see [Section 1.1](#sec-deep)." in out
    assert '![Figure 1: Caption](a.svg){#fig-a alt="Alt"}' in out
    assert "::: {#tbl-b}" in out and ": Table 1: Numbers" in out
    assert "`@fig-a` in code and mail x@fig-a.org stay." in out


def test_crossref_unknown_label_is_an_error_naming_it():
    with pytest.raises(RenderError, match="fig-nope"):
        crossref("See @fig-nope.", {})


def test_reference_precheck_names_file_and_line():
    chunks = parse(lines("# A {#sec-a}\n\nSee @sec-a and\n@tbl-gone."))
    with pytest.raises(RenderError, match=r"doc.qmd:4: unknown cross-reference @tbl-gone"):
        check_references(chunks)


# --- engine selection, quarto path, atomic writes ------------------------------


def test_engine_choice(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto here
    monkeypatch.delenv("TOMAS_RENDER_ENGINE", raising=False)
    assert choose_engine("auto") == "builtin"
    monkeypatch.setenv("TOMAS_RENDER_ENGINE", "quarto")
    with pytest.raises(RenderError, match="no `quarto` executable"):
        choose_engine("auto")
    assert choose_engine("builtin") == "builtin"  # an explicit choice beats the variable
    with pytest.raises(RenderError, match="unknown render engine"):
        choose_engine("latex")


def test_forcing_quarto_without_one_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="'quarto' was requested"):
        render_project(FIXTURES / "basic", tmp_path / "out", engine="quarto")


def test_real_quarto_is_called_with_metadata_and_epoch(monkeypatch, tmp_path):
    """A fake `quarto` on PATH records its arguments and writes the output file."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.txt"
    fake = bindir / "quarto"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$SOURCE_DATE_EPOCH $*" >> "{log}"\n'
        'while [ $# -gt 0 ]; do case "$1" in --output-dir) out="$2";; --to) to="$2";; esac; shift; done\n'
        'case "$to" in typst) ext=pdf;; *) ext=$to;; esac\n'
        'echo fake > "$out/tomas.$ext"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.delenv("TOMAS_RENDER_ENGINE", raising=False)
    out = tmp_path / "out"
    made = render_project(FIXTURES / "basic", out, ("html", "pdf"), metadata={"version": "1.0"})
    assert made == [out / "tomas.html", out / "tomas.pdf"]
    assert all(p.read_text() == "fake\n" for p in made)
    calls = log.read_text().splitlines()
    assert len(calls) == 2
    assert calls[0].startswith("1700000000 render ")
    assert "--to html" in calls[0] and "--to typst" in calls[1]  # _quarto.yml configures typst
    assert "-M version:1.0" in calls[0]
    assert sorted(p.name for p in out.iterdir()) == ["tomas.html", "tomas.pdf"]


def _fake_conversions(tmp_path, monkeypatch, fail: str | None, seen: list):
    """Three formats whose writers record their thread and write a file, one may fail."""
    import threading
    import time

    from tomas_pipeline.render import engine, pandoc

    def writer(fmt):
        def write(args, output, *rest):
            seen.append((fmt, threading.current_thread().name))
            time.sleep(0.2)  # long enough for the others to start beside it
            if fmt == fail:
                raise RenderError(f"{fmt} writer died")
            output.write_text(f"new {fmt}")
        return write

    for fmt, name in (("html", "to_html"), ("docx", "to_docx"), ("pdf", "to_pdf")):
        monkeypatch.setattr(pandoc, name, writer(fmt))
    for fmt in ("html", "docx", "pdf"):
        (tmp_path / f"paper.{fmt}").write_text(f"old {fmt}")
    doc = types.SimpleNamespace(stem="paper", metadata={})
    return [engine._Conversion(fmt, [], {}, tmp_path / f"paper.{fmt}") for fmt in ("html", "docx", "pdf")], doc


def test_formats_convert_side_by_side_and_publish_together(tmp_path, monkeypatch):
    from tomas_pipeline.render import engine

    seen: list = []
    conversions, doc = _fake_conversions(tmp_path, monkeypatch, None, seen)
    monkeypatch.setenv(engine.ENV_JOBS, "3")
    engine._convert_all(conversions, doc, tmp_path, tmp_path, 0)
    assert len({thread for _, thread in seen}) == 3  # each format on a thread of its own
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.docx", "paper.html", "paper.pdf"]
    assert all(p.read_text().startswith("new") for p in tmp_path.iterdir())


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_failed_format_leaves_the_earlier_set_whole(tmp_path, monkeypatch, jobs):
    from tomas_pipeline.render import engine

    seen: list = []
    conversions, doc = _fake_conversions(tmp_path, monkeypatch, "docx", seen)
    monkeypatch.setenv(engine.ENV_JOBS, jobs)
    with pytest.raises(RenderError, match="docx writer died"):
        engine._convert_all(conversions, doc, tmp_path, tmp_path, 0)
    # HTML had finished, but nothing is published unless every format is.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.docx", "paper.html", "paper.pdf"]
    assert all(p.read_text().startswith("old") for p in tmp_path.iterdir())


def test_render_jobs_setting(monkeypatch):
    from tomas_pipeline.render import engine

    monkeypatch.setenv(engine.ENV_JOBS, "0")
    with pytest.raises(RenderError, match="TOMAS_RENDER_JOBS='0'"):
        engine.render_jobs()
    monkeypatch.setenv(engine.ENV_JOBS, "2")
    assert engine.render_jobs() == 2
    monkeypatch.delenv(engine.ENV_JOBS)
    assert engine.render_jobs() >= 1


def test_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch({"date": "2024-05-01"}) == 1714521600
    assert source_date_epoch({}) == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "42")
    assert source_date_epoch({"date": "2024-05-01"}) == 42
    # The build's own epoch, passed as an argument, wins: no caller need set the environment.
    assert source_date_epoch({"date": "2024-05-01", "epoch": "1796083200"}) == 1796083200


# --- assembling cell outputs -----------------------------------------------------


def test_cell_options_echo_asis_include_and_warning(tmp_path):
    from tomas_pipeline.render.assemble import assemble
    from tomas_pipeline.render.execute import Executed

    chunks = parse(lines(
        "```{python}\n#| echo: true\nprint('x')\n```\n"
        "```{python}\n#| output: asis\nprint('**bold**')\n```\n"
        "```{python}\n#| include: false\nprint('hidden')\n```\n"
        "```{python}\n#| warning: false\nimport warnings\n```\n"
        "```{python}\n#| label: tbl-t\n#| tbl-cap: Cap\nMarkdown(t)\n```\n"
    ))
    stdout = lambda text: {"output_type": "stream", "name": "stdout", "text": text}  # noqa: E731
    executed = Executed(cells={
        0: [stdout("x\n")],
        1: [stdout("**bold**\n")],
        2: [stdout("hidden\n")],
        3: [{"output_type": "stream", "name": "stderr", "text": "UserWarning: w\n"}],
        4: [{"output_type": "execute_result", "data": {"text/markdown": "| a |\n|---|\n| 1 |"}}],
    })
    md = assemble(chunks, executed, {}, "html", {"execute": {"echo": False}}, tmp_path, tmp_path)
    assert "```python\nprint('x')\n```\n\n```\nx\n```" in md
    assert "\n**bold**\n" in md and "```\n**bold**" not in md
    assert "hidden" not in md and "UserWarning" not in md
    assert "| 1 |\n\n: Cap {#tbl-t}" in md


def test_typst_alt_text_is_restored():
    from tomas_pipeline.render.pandoc import add_typst_alt

    typ = '#figure(image("f/a.svg", width: 50%),\n'
    md = '![Figure 1: c](f/a.svg){#fig-a alt="Say \\"hi\\""}'
    assert add_typst_alt(typ, md) == '#figure(image("f/a.svg", alt: "Say \\"hi\\"", width: 50%),\n'


def test_tomas_render_hands_its_arguments_to_the_engine_cli(capsys):
    from tomas_pipeline.cli import main

    with pytest.raises(SystemExit) as info:
        main(["render", "-h"])
    assert info.value.code == 0
    # The engine's own options, not the top-level parser's.
    assert "-M KEY=VALUE" in capsys.readouterr().out
