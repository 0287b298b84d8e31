"""A brief's Markdown -> HTML and PDF, with the project's pinned Pandoc and Typst.

Same calls as the report's render (render/pandoc.py): the Pandoc inside
pypandoc-binary, SOURCE_DATE_EPOCH from the caller, Typst in-process with its
embedded fonts only, so the same Markdown gives the same bytes on any machine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tomas_pipeline.figures.charts import save_figure
from tomas_pipeline.render.errors import RenderError
from tomas_pipeline.render.pandoc import run_pandoc, template_path, typst_lang

TEMPLATE = Path(__file__).parent / "templates" / "brief.typ"
# Pandoc's user data folder for the briefs: its translations/ give Pandoc's own terms for a language
# Pandoc ships none for (Montenegrin, cnr), so it does not warn; for anything else Pandoc uses its own.
PANDOC_DATA = Path(__file__).parent / "pandoc"
FORMATS = ("md", "html", "pdf")


def _lang(markdown: str) -> str | None:
    for line in markdown.split("\n---", 1)[0].splitlines():
        if line.startswith("lang:"):
            return line.split(":", 1)[1].strip()
    return None


def render_brief(markdown: str, out_dir: Path | str, stem: str, epoch: int,
                 formats: tuple[str, ...] = FORMATS, figures: dict | None = None) -> dict[str, Path]:
    """Write `stem`.md, .html and .pdf into `out_dir`; returns the paths by format.

    `figures` are the FigureSpecs the Markdown shows, by file stem (content.brief_figures): each is
    written as SVG (figures.save_figure, the paper's deterministic bytes) for Pandoc and Typst to embed,
    and beside the .md when it is written (key "svg:<stem>"), so the Markdown stays whole.
    The work folder sits inside `out_dir` because Typst reads only files under
    its root, and is removed afterwards.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise RenderError(f"brief format {unknown[0]!r} unknown; expected one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / f".{stem}.work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        source = work / f"{stem}.md"
        source.write_text(markdown, encoding="utf-8")
        written: dict[str, Path] = {}
        for name, spec in (figures or {}).items():
            save_figure(spec, work / name, formats=("svg",))
            if "md" in formats:
                written[f"svg:{name}"] = out_dir / f"{name}.svg"
                shutil.copyfile(work / f"{name}.svg", written[f"svg:{name}"])
        # No smart quotes: a cell shows what the source wrote, quote marks included.
        args = [str(source), "--from", "markdown-smart", "--data-dir", str(PANDOC_DATA)]
        if "md" in formats:
            written["md"] = out_dir / f"{stem}.md"
            shutil.copyfile(source, written["md"])
        if "html" in formats:
            written["html"] = out_dir / f"{stem}.html"
            run_pandoc(args + ["--to", "html5", "--standalone", "--embed-resources",
                               "--css", str(template_path("tomas.css")), "--output", str(written["html"])],
                       work, epoch)
        if "pdf" in formats:
            written["pdf"] = out_dir / f"{stem}.pdf"
            typ = work / f"{stem}.typ"
            run_pandoc(args + ["--to", "typst", "--standalone", "--template", str(TEMPLATE),
                               *typst_lang(_lang(markdown)), "--output", str(typ)], work, epoch)
            _typst_alt(typ, figures or {})
            import typst

            try:
                typst.compile(str(typ), output=str(written["pdf"]), root=str(out_dir), timestamp=epoch,
                              ignore_system_fonts=True)
            except Exception as exc:
                raise RenderError(f"typst failed on {typ}:\n{exc}") from exc
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _typst_alt(typ: Path, figures: dict) -> None:
    """Give each figure's image its alt text in the PDF: Pandoc's Typst writer drops the image's alt."""
    text = typ.read_text(encoding="utf-8")
    for name, spec in figures.items():
        call = f'image("{name}.svg")'
        if call not in text:
            raise RenderError(f"{typ}: the brief's figure {name}.svg is not where Pandoc should have put it")
        alt = spec.alt.replace("\\", "\\\\").replace('"', '\\"')
        text = text.replace(call, f'image("{name}.svg", alt: "{alt}")')
    typ.write_text(text, encoding="utf-8")
