"""Static checks for what only real Quarto would reject or render wrongly in report/.

CI cannot run Quarto (it is not installable here), so these read the sources:
no inline expression returns a plain ``str`` of Markdown (Quarto escapes it,
quarto-compat.md E1), every path `_quarto.yml` names resolves under Quarto's
project rules, and the front matter and cell options are ones Quarto accepts
and the built-in engine renders the same way.
"""

from __future__ import annotations

import ast
import inspect
import re
import typing

import pytest
import yaml
from conftest import TESTS

from tomas_pipeline import reporting
from tomas_pipeline.render.project import expand_includes, load_project, split_front_matter
from tomas_pipeline.render.qmd import CodeCell, Markdown, inline_expressions, parse
from tomas_pipeline.render.strict import check_bibliography, check_cell_options, check_date

REPORT = TESTS.parent / "report"
_MARKUP = re.compile(r"[\\`*_{}\[\]<>#@$~^|]")
MD, TEXT = "markdown", "text"


def _returns_md(name: str) -> bool:
    func = getattr(reporting, name, None)
    if func is reporting.Md:
        return True
    hints = typing.get_type_hints(func) if inspect.isfunction(func) else {}
    return hints.get("return") is reporting.Md


class Classifier:
    """An expression's value: Markdown (``Md``), text (a plain ``str`` or number Quarto may escape
    safely), or a reason why it is a plain ``str`` holding Markdown.

    A helper annotated ``-> Md`` gives Markdown; any other value is text, unless Markdown is
    joined into a plain ``str`` (``+``, f-string, ``str.join``) or a literal holds markup.
    """

    def __init__(self, assignments: dict[str, list[ast.expr]]):
        self.assignments = assignments
        self.seen: set[str] = set()

    def kind(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and _MARKUP.search(node.value):
                return f"string literal {node.value!r} holds Markdown"
            return TEXT
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Markdown":
                return MD
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "R":
                return MD if _returns_md(func.attr) else TEXT
            if isinstance(func, ast.Attribute) and func.attr == "join" and node.args:
                items = node.args[0]
                elt = items.elt if isinstance(items, (ast.GeneratorExp, ast.ListComp)) else items
                inner = self.kind(elt)
                if inner == MD:
                    return "str.join of Markdown gives a plain str: wrap it in R.Md(...)"
                return inner
            if isinstance(func, ast.Name) and func.id == "str" and node.args and self.kind(node.args[0]) == MD:
                return "str() of Markdown gives a plain str"
            return TEXT
        if isinstance(node, ast.Name):
            if node.id in self.seen or node.id not in self.assignments:
                return TEXT
            self.seen.add(node.id)
            kinds = {self.kind(v) for v in self.assignments[node.id]}
            self.seen.discard(node.id)
            return self._merge(kinds)
        if isinstance(node, ast.IfExp):
            return self._merge({self.kind(node.body), self.kind(node.orelse)})
        if isinstance(node, (ast.BinOp, ast.JoinedStr)):
            parts = [node.left, node.right] if isinstance(node, ast.BinOp) else [
                v.value if isinstance(v, ast.FormattedValue) else v for v in node.values]
            kinds = {self.kind(p) for p in parts}
            bad = sorted(k for k in kinds if k not in (MD, TEXT))
            if bad:
                return bad[0]
            return "joins Markdown into a plain str: wrap it in R.Md(...)" if MD in kinds else TEXT
        return TEXT

    @staticmethod
    def _merge(kinds: set[str]) -> str:
        bad = sorted(k for k in kinds if k not in (MD, TEXT))
        return bad[0] if bad else (MD if MD in kinds else TEXT)


def _report_chunks():
    chunks = []
    for doc in load_project(REPORT).documents:
        chunks += parse(expand_includes(doc))
    return chunks


def _assignments(chunks) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for chunk in chunks:
        if not isinstance(chunk, CodeCell):
            continue
        for node in ast.walk(ast.parse(chunk.code)):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                found.setdefault(node.targets[0].id, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                found.setdefault(node.target.id, []).append(ast.BinOp(node.target, node.op, node.value))
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple) and isinstance(
                    node.value, ast.Tuple):
                for target, value in zip(node.targets[0].elts, node.value.elts):
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append(value)
    return found


def test_no_inline_expression_returns_a_plain_str_of_markdown():
    chunks = _report_chunks()
    classify = Classifier(_assignments(chunks))
    problems, count = [], 0
    for chunk in chunks:
        if isinstance(chunk, Markdown):
            for match in inline_expressions(chunk):
                count += 1
                kind = classify.kind(ast.parse(match.group(1), mode="eval").body)
                if kind not in (MD, TEXT):
                    problems.append(f"{chunk.where(match.start())} `{match.group(1)}`: {kind}")
    assert count > 50, "the report's inline expressions were not found"
    assert not problems, "\n".join(problems)


def test_classifier_catches_markdown_in_a_plain_str():
    classify = Classifier({"x": [ast.parse('R.cite("a") + " more"', mode="eval").body],
                           "y": [ast.parse('R.Md(R.cite("a") + " more")', mode="eval").body]})
    assert classify.kind(ast.parse("x", mode="eval").body) not in (MD, TEXT)
    assert classify.kind(ast.parse("y", mode="eval").body) == MD
    assert classify.kind(ast.parse('"; ".join(R.quote(t) for t in ts)', mode="eval").body) not in (MD, TEXT)
    assert classify.kind(ast.parse('"**bold**"', mode="eval").body) not in (MD, TEXT)
    assert classify.kind(ast.parse("R.fmt_int(3)", mode="eval").body) == TEXT
    assert classify.kind(ast.parse('f"{R.fmt_int(3)} files"', mode="eval").body) == TEXT
    assert classify.kind(ast.parse('R.MISSING if z else R.cite("a")', mode="eval").body) == MD


def _config() -> dict:
    return yaml.safe_load((REPORT / "_quarto.yml").read_text(encoding="utf-8"))


def _paths(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _paths(v)
    elif isinstance(value, dict) and "file" in value:
        yield value["file"]


def test_every_path_in_quarto_yml_resolves_under_quartos_project_rules():
    """Quarto resolves `_quarto.yml` paths against the project folder; render targets must lie inside it."""
    config = _config()
    root = REPORT.resolve()
    for doc in config["project"]["render"]:
        target = (root / doc).resolve()
        assert target.is_file() and target.is_relative_to(root), doc
    keys = {"bibliography": config.get("bibliography"), "csl": config.get("csl")}
    for fmt, options in (config.get("format") or {}).items():
        for key in ("css", "include-in-header", "include-before-body", "include-after-body", "reference-doc",
                    "bibliography", "template", "template-partials", "filters"):
            if isinstance(options, dict) and key in options:
                keys[f"{fmt}.{key}"] = options[key]
    checked = 0
    for key, value in keys.items():
        for path in _paths(value):
            checked += 1
            resolved = (root / path).resolve()
            if key != "bibliography":  # resources Quarto copies or includes must lie in the project
                assert resolved.is_relative_to(root), f"{key}: {path} is outside the project"
            # The bibliography is built by the pipeline; everything else is a source file.
            assert resolved.exists() or path.startswith("../data/processed/"), f"{key}: {path} not found"
    assert checked >= 5
    bib = [(root / p).resolve() for p in _paths(config.get("bibliography"))]
    check_bibliography(bib, ["pdf"], config["format"]["typst"], root)  # raises if Typst would read it


def test_bibliography_outside_the_project_needs_citeproc_for_typst():
    config = _config()
    bib = [(REPORT / p).resolve() for p in _paths(config["bibliography"])]
    typst = {k: v for k, v in config["format"]["typst"].items() if k != "citeproc"}
    with pytest.raises(Exception, match="citeproc: true"):
        check_bibliography(bib, ["pdf"], typst, REPORT)


def test_front_matter_has_no_date_and_dates_print_as_iso():
    front, _, _ = split_front_matter((REPORT / "tomas.qmd").read_text(encoding="utf-8"), "tomas.qmd")
    assert "date" not in front, "a front-matter date wins over the pipeline's -M date under Quarto"
    config = _config()
    check_date({"date": "2026-11-30", "date-format": config.get("date-format")})


def test_every_cell_option_in_the_report_is_one_quarto_accepts_and_the_engine_carries_out():
    chunks = _report_chunks()
    assert any(isinstance(c, CodeCell) and c.options for c in chunks)
    check_cell_options(chunks)


def test_typst_numbers_sections_as_the_built_in_engine_does():
    typst = _config()["format"]["typst"]
    assert typst.get("section-numbering") == "1.1.1"


def test_typst_partial_prints_the_stamp_and_footer_on_every_page(tmp_path):
    """Quarto composes its Typst template from partials; a stand-in main template checks that
    report/typst-show.typ is a valid Pandoc template and valid Typst that stamps every page (D1)."""
    import shutil
    import subprocess

    import typst
    from pypdf import PdfReader

    from tomas_pipeline.render.pandoc import pandoc_executable

    partials = _config()["format"]["typst"]["template-partials"]
    assert partials == ["typst-show.typ"]
    shutil.copy(REPORT / "typst-show.typ", tmp_path / "typst-show.typ")
    (tmp_path / "main.typ").write_text(
        "$for(header-includes)$\n$header-includes$\n$endfor$\n$typst-show.typ()$\n$body$\n", encoding="utf-8")
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump({
        "title": "T", "subtitle": "S", "version": "9.9.9", "date": "2026-11-30", "commit": "c0ffee1",
        "data_hash": "sha256:abcd", "lang": "en", "region": "GB",
        "by-author": [{"name": {"literal": "Writer One"}}]}), encoding="utf-8")
    body = "\n\n".join(f"# Part {i}\n\n" + "Words of the section. " * 120 for i in range(4))
    (tmp_path / "in.md").write_text(body, encoding="utf-8")
    subprocess.run([pandoc_executable(), "in.md", "--to", "typst", "--standalone", "--template", "main.typ",
                    "--metadata-file", "meta.yaml", "--toc", "--number-sections",
                    "--variable", "section-numbering=1.1.1",
                    f"--include-in-header={REPORT / 'tomas-typst-header.typ'}", "-o", "out.typ"],
                   cwd=tmp_path, check=True, capture_output=True)
    typst.compile(str(tmp_path / "out.typ"), output=str(tmp_path / "out.pdf"), root=str(tmp_path))
    pages = [p.extract_text() for p in PdfReader(tmp_path / "out.pdf").pages]
    assert len(pages) >= 3
    assert "Writer One" in pages[0] and "sha256:abcd" in pages[0] and "Raw data" in pages[0]
    for n, text in enumerate(pages, start=1):
        assert "Version 9.9.9" in text and "2026-11-30" in text and "Commit c0ffee1" in text
        assert f"{n} / {len(pages)}" in text
    assert "Contents" in pages[1]


def test_html_filter_prints_the_built_in_engines_footer(tmp_path):
    """Under Quarto the HTML footer comes from report/tomas-stamp.lua: the same bytes as html_footer (D1)."""
    import subprocess

    from tomas_pipeline.render.pandoc import html_footer, pandoc_executable

    assert _config()["format"]["html"]["filters"] == ["tomas-stamp.lua"]
    # Values as the pipeline passes them (Pandoc reads metadata as Markdown, so they hold no markup).
    meta = {"title": "T", "version": "1.4.0-rc.1", "date": "2026-11-30", "commit": "a7078504e971-dirty"}
    (tmp_path / "meta.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    (tmp_path / "in.md").write_text("Body.\n", encoding="utf-8")
    out = subprocess.run([pandoc_executable(), "in.md", "--to", "html5", "--metadata-file", "meta.yaml",
                          f"--lua-filter={REPORT / 'tomas-stamp.lua'}"], cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout
    expected = html_footer(meta, tmp_path / "footer.html").read_text(encoding="utf-8").strip()
    assert expected in out and "Commit: a7078504e971-dirty" in expected
