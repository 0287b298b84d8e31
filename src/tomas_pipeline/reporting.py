"""Helpers the report's code cells use to show processed data safely.

Everything shown comes from ``data/processed/`` (or the figures folder) and
passes through ``escape`` first: a law title that contains markup appears
as text, never as HTML.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from tomas_pipeline.io import read_processed

MISSING = "—"  # shown for a value no source gives; never 0 or "no"


def processed_dir() -> Path:
    # Cells run with report/ as working directory, as Quarto runs them.
    return Path(os.environ.get("TOMAS_PROCESSED_DIR", "../data/processed"))


def figures_dir() -> Path:
    return Path(os.environ.get("TOMAS_FIGURES_DIR", "figures"))


@lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    return read_processed(processed_dir() / f"{name}.csv")


def table(name: str) -> pd.DataFrame:
    """A processed table by name (a fresh copy each time)."""
    return _load(name).copy()


def preferred(name: str) -> pd.DataFrame:
    frame = table(name)
    return frame[frame["preferred"].astype(bool)] if "preferred" in frame.columns else frame


def countries(focus_only: bool = True) -> pd.DataFrame:
    frame = table("countries")
    frame = frame[frame["focus"].astype(bool)] if focus_only else frame[frame["comparison"].astype(bool)]
    return frame.sort_values("order")


def country_name(iso2: str) -> str:
    return str(table("countries").set_index("iso2").at[iso2, "name"])


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|@$~^])")


def escape(value: object) -> str:
    """Text safe to put in Pandoc markdown: no markup, no citation, no raw HTML."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


def fmt_number(value: object, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return MISSING
    return f"{float(value):,.{digits}f}"


def fmt_years(months: object) -> str:
    """Months -> '5 years', '6 months', '1.5 years'."""
    if months is None or pd.isna(months):
        return MISSING
    months = float(months)
    if months < 12:
        return f"{months:g} months"
    years = months / 12
    return f"{years:g} year" + ("" if years == 1 else "s")


def md_table(frame: pd.DataFrame, columns: dict[str, str] | None = None, raw: tuple[str, ...] = ()) -> str:
    """A pipe table with every cell escaped (columns named in ``raw`` are trusted markdown)."""
    frame = frame.copy()
    if columns:
        frame = frame[list(columns)].rename(columns=columns)
    header = [escape(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([" --- "] * len(header)) + "|"]
    raw_names = {columns.get(c, c) if columns else c for c in raw}
    for _, row in frame.iterrows():
        cells = [str(v) if c in raw_names and isinstance(v, str) else escape(v) for c, v in row.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def cite(source_ids: object) -> str:
    """Source ids ('a;b') -> a Pandoc citation '[@a; @b]'."""
    if source_ids is None or (not isinstance(source_ids, str) and pd.isna(source_ids)):
        return ""
    ids = [s.strip() for s in str(source_ids).split(";") if s.strip()]
    return "[" + "; ".join("@" + s for s in ids) + "]" if ids else ""


def provenance_note(stem: str | Path) -> str:
    """A one-paragraph note under a figure or table: inputs, hashes, code, sources."""
    path = Path(stem)
    if not path.suffix:
        path = figures_dir() / f"{stem}.provenance.json"
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    inputs = ", ".join(f"`{escape(Path(i['path']).name)}` (sha256 {i['sha256'][:10]})" for i in record["inputs"])
    sources = "; ".join("@" + s for s in record["sources"])
    note = f"*Provenance:* made by `{escape(record['code'])}` from {inputs}"
    if sources:
        note += f"; sources [{sources}]"
    return "::: {.provenance}\n" + note + ".\n:::\n"


def figure_path(stem: str, fmt: str = "svg") -> Path:
    return figures_dir() / f"{stem}.{fmt}"


class _FigureBundle:
    """SVG and PNG of one figure; the renderer picks what each format needs."""

    def __init__(self, stem: str):
        self.stem = stem

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "image/svg+xml": figure_path(self.stem, "svg").read_text(encoding="utf-8"),
            "image/png": figure_path(self.stem, "png").read_bytes(),
        }


def show_figure(stem: str):
    """Display a figure the figures stage made (use in a ``fig-`` labelled cell)."""
    from IPython.display import display

    display(_FigureBundle(stem))
