"""Country briefs (issue 20): a short document per country and language from the processed tables.

``make_brief`` is the one call a command or a pipeline rule needs; i18n.py holds
the catalogs, content.py writes the Markdown, render.py makes HTML and PDF.
"""

from __future__ import annotations

from pathlib import Path


def make_brief(iso2: str, lang: str, out_dir: Path | str, processed: Path | str, method: Path | str,
               raw: Path | str, stamp, epoch: int, formats: tuple[str, ...] = ("md", "html", "pdf"),
               citation: Path | str | None = None) -> dict:
    """Write `<iso2>-<lang>`.md/.html/.pdf into `out_dir`; returns the paths by format.

    `citation` is the CITATION.cff the brief's "How to cite" adapts; by default the one at the
    repository root, beside the method's config/ folder."""
    from tomas_pipeline.briefs.content import BriefData

    return write_brief(BriefData.load(processed, method, raw, citation), iso2, lang, out_dir, stamp, epoch, formats)


def write_brief(data, iso2: str, lang: str, out_dir: Path | str, stamp, epoch: int,
                formats: tuple[str, ...] = ("md", "html", "pdf")) -> dict:
    """make_brief on tables already loaded (content.BriefData): the Markdown, its figure, the files."""
    from tomas_pipeline.briefs.content import brief_figures, brief_markdown
    from tomas_pipeline.briefs.i18n import Translator
    from tomas_pipeline.briefs.render import render_brief

    t = Translator(lang)
    return render_brief(brief_markdown(data, iso2, t, stamp), out_dir, f"{iso2}-{lang}", epoch, formats,
                        brief_figures(data, iso2, t))
