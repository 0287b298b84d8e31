"""Figures in one house style, written as deterministic SVG and PNG.

Each figure function takes processed frames and returns a ``FigureSpec``:
the matplotlib figure plus its alt text, so the report can describe it to
readers who cannot see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen here, and the same bytes everywhere

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from tomas_pipeline.schemas import INSTRUMENTS

from tomas_pipeline.io import atomic_write_bytes
# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow", "black")]
# Markers differ too, so no reading depends on colour alone.
MARKERS = ["o", "s", "D", "^", "v", "P", "X", "*"]

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "svg.hashsalt": "tomas",
    "svg.fonttype": "path",
    "path.simplify": False,
}


@dataclass
class FigureSpec:
    figure: Figure
    alt: str
    title: str


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    matplotlib.rcParams.update(STYLE)
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def add_source_line(fig: Figure, text: str) -> None:
    fig.get_layout_engine().set(h_pad=0.1)
    fig.supxlabel(f"Source: {text}", fontsize=7, color="#444444", x=0.0, ha="left")


def save_figure(spec: FigureSpec, stem: Path | str) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png`` with no dates or software tags inside."""
    import io

    stem = Path(stem)
    written = []
    for fmt, metadata in (("svg", {"Date": None, "Creator": None}), ("png", {"Software": None})):
        buffer = io.BytesIO()
        matplotlib.rcParams.update(STYLE)
        spec.figure.savefig(buffer, format=fmt, metadata=metadata, dpi=150)
        target = stem.with_suffix("." + fmt)
        atomic_write_bytes(target, buffer.getvalue())
        written.append(target)
    (stem.with_suffix(".alt.txt")).write_text(spec.alt + "\n", encoding="utf-8")
    return written


def _year_fraction(iso: str) -> float:
    """ISO date of any precision -> decimal year, centred in its period."""
    year = int(iso[:4])
    if len(iso) >= 10:
        ts = pd.Timestamp(iso)
        return year + (ts.dayofyear - 0.5) / (366 if ts.is_leap_year else 365)
    if len(iso) >= 7:
        return year + (int(iso[5:7]) - 0.5) / 12
    return year + 0.5


def treaty_timeline(status: pd.DataFrame, countries: pd.DataFrame, instruments: pd.DataFrame,
                    source_text: str) -> FigureSpec:
    """Signature-to-ratification spans per country and instrument."""
    names = countries.set_index("iso2")["name"]
    shown = [c for c in countries.loc[countries["focus"].astype(bool), "iso2"]]
    # The paper's order: UN instruments first, then the Council of Europe's.
    rank = {inst: i for i, inst in enumerate(INSTRUMENTS)}
    inst_ids = sorted(instruments["instrument_id"], key=lambda i: (rank.get(i, len(rank)), i))
    labels = instruments.set_index("instrument_id")["short_name"]
    fig = new_figure(7.5, 1.0 + 1.1 * len(shown))
    ax = fig.add_subplot()
    band = 0.8 / max(len(inst_ids), 1)
    described = []
    for row, iso in enumerate(shown):
        for k, inst in enumerate(inst_ids):
            y = row - 0.4 + band * (k + 0.5)
            cell = status[(status["country_iso2"] == iso) & (status["instrument"] == inst)]
            if cell.empty:
                continue
            cell = cell.iloc[0]
            colour, marker = PALETTE[k % len(PALETTE)], MARKERS[k % len(MARKERS)]
            points = [d for d in (cell["signature_date"], cell["bound_date"]) if isinstance(d, str)]
            xs = [_year_fraction(d) for d in points]
            if len(xs) == 2:
                ax.plot(xs, [y, y], color=colour, linewidth=2)
            if isinstance(cell["signature_date"], str):
                ax.plot(_year_fraction(cell["signature_date"]), y, marker=marker, markersize=6,
                        markerfacecolor="white", markeredgecolor=colour, linestyle="none")
            if isinstance(cell["bound_date"], str):
                ax.plot(_year_fraction(cell["bound_date"]), y, marker=marker, markersize=6, color=colour,
                        linestyle="none")
            if isinstance(cell["bound_date"], str):
                described.append(f"{names.get(iso, iso)} became party to the {labels.get(inst, inst)} "
                                 f"in {cell['bound_date'][:4]}")
    ax.set_yticks(range(len(shown)), [names.get(i, i) for i in shown])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.set_xlabel("Year (open marker: signature; filled marker: ratification, accession or succession)")
    ax.set_title("When each country signed and became party to the instruments")
    handles = [Line2D([], [], color=PALETTE[k % len(PALETTE)], marker=MARKERS[k % len(MARKERS)], linewidth=2,
                      label=labels.get(inst, inst)) for k, inst in enumerate(inst_ids)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    add_source_line(fig, source_text)
    alt = ("Timeline chart. " + "; ".join(described) + "." if described
           else "Timeline chart with no ratification on record for the focus countries.")
    return FigureSpec(fig, alt, ax.get_title())
