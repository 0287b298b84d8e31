"""Figures, provenance notes and placeholders for what a build has not made yet."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tomas_pipeline.reporting.data import available, figures_dir, processed_dir, table
from tomas_pipeline.reporting.text import NOT_AVAILABLE, code, escape


def provenance_note(stem: str | Path) -> str:
    """A one-paragraph note under a figure or table: inputs, hashes, code, sources."""
    path = Path(stem)
    if not path.suffix:
        path = figures_dir() / f"{stem}.provenance.json"
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    # By file name, as shown: where the configured folders lie must not reorder the note.
    shown = sorted(record["inputs"], key=lambda i: (Path(i["path"]).name, i["path"]))
    inputs = ", ".join(f"{code(Path(i['path']).name)} (sha256 {i['sha256'][:10]})" for i in shown)
    sources = "; ".join("@" + s for s in record["sources"])
    note = f"*Provenance:* made by {code(record['code'])} from {inputs}"
    if sources:
        note += f"; sources [{sources}]"
    return "::: {.provenance}\n" + note + ".\n:::\n"


def figure_path(stem: str, fmt: str = "svg") -> Path:
    return figures_dir() / f"{stem}.{fmt}"


class _FigureBundle:
    """SVG and PNG of one figure; the built-in renderer picks what each format needs.

    Under Quarto the kernel runs once per format and ranks SVG above PNG, so DOCX
    would need rsvg-convert (quarto-compat.md W3): there only the format that
    `_quarto.yml` sets as `fig-format:` (QUARTO_FIG_FORMAT in the kernel) is offered.
    """

    def __init__(self, stem: str):
        self.stem = stem

    def _repr_mimebundle_(self, include=None, exclude=None):
        wanted = os.environ.get("QUARTO_FIG_FORMAT", "").strip().lower()
        bundle = {}
        if wanted in ("", "svg"):
            bundle["image/svg+xml"] = figure_path(self.stem, "svg").read_text(encoding="utf-8")
        if wanted != "svg":
            bundle["image/png"] = figure_path(self.stem, "png").read_bytes()
        return bundle


def show_figure(stem: str):
    """Display a figure the figures stage made (use in a ``fig-`` labelled cell)."""
    from IPython.display import display

    display(_FigureBundle(stem))


def not_available(what: str = "This table") -> str:
    return f"*{escape(what)}: {NOT_AVAILABLE}.*"


def guarded(name: str | tuple[str, ...], make, what: str = "This table") -> str:
    """Markdown made by ``make(frame, ...)`` from processed tables, or a note when one is missing.

    Used in ``tbl-`` cells so that a table another stage has not made yet (or
    whose columns changed) shows as "not available in this build", keeping the
    table's number and caption, instead of stopping the render.
    """
    names = (name,) if isinstance(name, str) else tuple(name)
    missing = [n for n in names if not available(n)]
    if missing:
        return note_table(f"{what}: {NOT_AVAILABLE} ({', '.join(n + '.csv' for n in missing)} missing)")
    try:
        return make(*(table(n) for n in names))
    except KeyError as exc:  # a column renamed by the stage that makes the table
        return note_table(f"{what}: {NOT_AVAILABLE} (column {exc} missing)")


def note_table(text: str) -> str:
    return "| Note |\n| --- |\n| " + escape(text) + " |\n"


def provenance_or_note(stem: str | Path) -> str:
    """``provenance_note`` when the provenance record exists, else a short note."""
    path = Path(stem)
    if not path.suffix:
        path = figures_dir() / f"{stem}.provenance.json"
    if not path.is_file():
        return "::: {.provenance}\n*Provenance: " + NOT_AVAILABLE + ".*\n:::\n"
    return provenance_note(path)


def table_provenance(name: str) -> str:
    """The provenance note of a processed metric table (``<name>.provenance.json``)."""
    return provenance_or_note(processed_dir() / f"{name}.provenance.json")


# A placeholder drawn when a figure file does not exist yet: the figure keeps
# its number and caption, and the text says it is not available.
_PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="60" viewBox="0 0 480 60">'
    '<rect x="1" y="1" width="478" height="58" fill="none" stroke="#767676"/>'
    '<text x="240" y="35" font-family="sans-serif" font-size="14" text-anchor="middle" fill="#333333">'
    "Figure not available in this build</text></svg>"
)


def _placeholder_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"\x00\xff\xff\xff"  # one white pixel
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class _Placeholder:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": _PLACEHOLDER_SVG, "image/png": _placeholder_png()}


def figure_available(stem: str) -> bool:
    return figure_path(stem, "svg").is_file() and figure_path(stem, "png").is_file()


def show_figure_or_placeholder(stem: str):
    """``show_figure`` when the figures stage has made ``stem``, else a placeholder image."""
    from IPython.display import display

    display(_FigureBundle(stem) if figure_available(stem) else _Placeholder())


def figure_description(stem: str) -> str:
    """The figure's full text description (its ``.alt.txt``, with the values), as a small paragraph."""
    path = figures_dir() / f"{stem}.alt.txt"
    if not path.is_file():
        return ""
    return "::: {.figure-description}\n*Description:* " + escape(path.read_text(encoding="utf-8").strip()) + "\n:::\n"
