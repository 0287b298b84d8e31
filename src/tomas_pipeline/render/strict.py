"""Checks that make the built-in engine refuse what real Quarto would refuse or
render wrongly, so a `.qmd` that breaks under Quarto breaks here too.

docs/engine.md ("Behaviours mirrored from Quarto") lists each with its source.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import RenderError
from .formats import FORMATS
from .qmd import Chunk, CodeCell

# Cell options the built-in engine carries out.
SUPPORTED_CELL_OPTIONS = {"label", "fig-cap", "fig-alt", "tbl-cap", "echo", "eval", "output", "include",
                          "warning", "error"}
# Options Quarto's cell schema knows (src/resources/schema/cell-*.yml) that this engine does not carry out:
# refused, so the two engines never give different documents.
QUARTO_CELL_OPTIONS = {
    "fig-subcap", "fig-link", "fig-align", "fig-env", "fig-pos", "fig-scap", "fig-width", "fig-height",
    "fig-format", "fig-dpi", "fig-asp", "fig-responsive", "fig-column", "fig-cap-location", "tbl-subcap",
    "tbl-colwidths", "tbl-column", "tbl-cap-location", "cap-location", "lst-label", "lst-cap", "code-fold",
    "code-summary", "code-overflow", "code-line-numbers", "code-copy", "code-tools", "classes", "panel",
    "column", "layout", "layout-ncol", "layout-nrow", "layout-align", "layout-valign", "output-location",
    "html-table-processing", "message", "file", "filename", "tags", "id", "class-output", "attr-output",
    "class-source", "attr-source", "renderings", "cache", "freeze", "comment", "prompt", "lightbox",
}

# Quarto's cross-reference kinds (https://quarto.org/docs/authoring/cross-references.html); only the
# first three are numbered by this engine. `@<other>-x` is a citation key for Pandoc and Quarto alike.
SUPPORTED_XREF = ("fig", "tbl", "sec")
QUARTO_XREF = ("eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "sol", "rem", "alg",
               "tip", "nte", "wrn", "imp", "cau")
_XREF_RE = re.compile(r"(?<![\w@\\])-?@(" + "|".join(QUARTO_XREF) + r")-[\w-]*\w")

_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
DATE_KEYWORDS = ("today", "now", "last-modified")
# Typst reads these bibliography formats itself (Typst 0.15: no CSL JSON).
TYPST_BIB_SUFFIXES = (".bib", ".yml", ".yaml")


def check_cell_options(chunks: list[Chunk]) -> None:
    """An unknown `#|` option fails, as Quarto's cell schema validation does; a Quarto option
    this engine does not carry out fails too, naming it."""
    for chunk in chunks:
        if not isinstance(chunk, CodeCell):
            continue
        for key in chunk.options:
            if key in SUPPORTED_CELL_OPTIONS:
                continue
            if key in QUARTO_CELL_OPTIONS:
                raise RenderError(f"{chunk.where()}: cell option {key!r} is not supported by the built-in engine "
                                  f"(supported: {', '.join(sorted(SUPPORTED_CELL_OPTIONS))})")
            raise RenderError(f"{chunk.where()}: unknown cell option {key!r}: Quarto's cell schema rejects it")


def check_xref_kinds(text: str, where) -> None:
    """A Quarto cross-reference kind the engine does not number (`@eq-x`, `@thm-x`, ...) fails."""
    match = _XREF_RE.search(text)
    if match:
        raise RenderError(f"{where(match.start())}: cross-reference {match.group(0).lstrip('-')}: "
                          f"only {', '.join(k + '-' for k in SUPPORTED_XREF)} references are supported")


def check_date(metadata: dict) -> None:
    """A `date` must be a date: Quarto prints "Invalid Date" for anything else (E3); and dates print
    as ISO in both engines only with `date-format: iso`."""
    date = metadata.get("date")
    if date is None:
        return
    ok = isinstance(date, (dt.date, dt.datetime)) or (
        isinstance(date, str) and (date.strip() in DATE_KEYWORDS or _ISO_DATE_RE.fullmatch(date.strip())))
    if not ok:
        raise RenderError(f"date {date!r} is not a date (YYYY-MM-DD or today/now/last-modified): "
                          f"Quarto would print 'Invalid Date'")
    fmt = metadata.get("date-format")
    if fmt != "iso":
        raise RenderError(f"date-format {fmt!r}: set `date-format: iso` so that Quarto prints the date as "
                          f"this engine does (YYYY-MM-DD); Quarto's default is a long, localised date")


def check_bibliography(paths: list[Path], formats, typst_options: dict, project_root: Path) -> None:
    """The bibliography must be readable under Quarto's rules for every format rendered.

    HTML and DOCX: Pandoc's citeproc reads any file that exists. Quarto's Typst format defaults to
    `citeproc: false` and lets Typst read the file: it must then lie inside Typst's root (the project)
    and be BibTeX or Hayagriva YAML. This engine always formats citations with citeproc, so
    `citeproc: true` is required under `format: typst:`, which makes Quarto do the same (E2).
    """
    typst = any(FORMATS[f].typst for f in formats if f in FORMATS)
    if not paths or not typst or typst_options.get("citeproc") is True:
        return
    outside = [p for p in paths if not p.resolve().is_relative_to(project_root.resolve())]
    unreadable = [p for p in paths if p.suffix.lower() not in TYPST_BIB_SUFFIXES]
    why = []
    if outside:
        why.append(f"{', '.join(p.name for p in outside)} lies outside the project root, which Typst cannot read")
    if unreadable:
        why.append(f"Typst cannot read {', '.join(p.name for p in unreadable)} "
                   f"(only {', '.join(TYPST_BIB_SUFFIXES)})")
    why.append("and Typst would format the citations differently from citeproc")
    raise RenderError("format typst: without `citeproc: true`, Quarto hands the bibliography to Typst: "
                      + "; ".join(why) + ". Set `citeproc: true` under `format: typst:`")


def check_fig_format(fmt: str, options: dict) -> None:
    """`fig-format:` under a format must be the one this engine uses for it: under Quarto it decides
    what the kernel offers (W3), here the engine links the format's `image` (formats.FORMATS)."""
    wanted = options.get("fig-format")
    used = FORMATS[fmt].image  # the figure file assemble.py links for this format
    if wanted is not None and wanted != used:
        raise RenderError(f"format {fmt}: fig-format {wanted!r} is not supported; "
                          f"the built-in engine uses {used!r}")
