"""Figures in one house style, written as deterministic SVG and PNG.

Each figure function takes processed frames and returns a ``FigureSpec``:
the matplotlib figure plus its alt text, so the report can describe it to
readers who cannot see it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, SupportsFloat, cast

import matplotlib

matplotlib.use("Agg")  # no screen here, and the same bytes everywhere

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from tomas_pipeline.core.io import atomic_write_bytes, is_na
from tomas_pipeline.metrics.scorecard import score_category
from tomas_pipeline.sources.penalties import describe_months
from tomas_pipeline.sources.schemas import INSTRUMENTS

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

STYLE: dict[str, Any] = {
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


# Figure name (= its function in tomas_pipeline.figures.charts) -> the source line under it.
@dataclass
class FigureSpec:
    figure: Figure
    alt: str
    title: str
    data: pd.DataFrame | None = None  # the numbers drawn, where a test holds them against a table


def _apply_style() -> None:
    # matplotlib's stubs type rcParams' keys as literals; STYLE's keys are all real ones.
    matplotlib.rcParams.update(cast(Any, STYLE))


def new_figure(width: float = 7.0, height: float = 4.0) -> Figure:
    _apply_style()
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def add_source_line(fig: Figure, text: str) -> None:
    # new_figure's layout is constrained, whose engine takes the pads.
    cast(ConstrainedLayoutEngine, fig.get_layout_engine()).set(h_pad=0.1)
    fig.supxlabel(f"Source: {text}", fontsize=7, color="#444444", x=0.0, ha="left")


def save_figure(spec: FigureSpec, stem: Path | str, formats: tuple[str, ...] = ("svg", "png")) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png`` (those of `formats`) and ``stem.alt.txt``, with no dates or
    software tags inside."""
    import io

    stem = Path(stem)
    written = []
    _apply_style()
    engine = spec.figure.get_layout_engine()
    if engine is not None:
        # Lay the figure out once, at the files' resolution, and keep that layout:
        # laying out again can move things by a fraction of a point, and with no
        # layout engine left each save draws the figure once instead of twice.
        spec.figure.set_dpi(150)
        engine.execute(spec.figure)
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            spec.figure.set_layout_engine(None)
    for fmt, metadata in (("svg", {"Date": None, "Creator": None}), ("png", {"Software": None})):
        if fmt not in formats:
            continue
        buffer = io.BytesIO()
        _apply_style()
        spec.figure.savefig(buffer, format=fmt, metadata=metadata, dpi=150)
        target = stem.with_suffix("." + fmt)
        atomic_write_bytes(target, buffer.getvalue())
        written.append(target)
    atomic_write_bytes(stem.with_suffix(".alt.txt"), (spec.alt + "\n").encode("utf-8"))
    return written


def _year_fraction(iso: str) -> float:
    """ISO date of any precision -> decimal year, centred in its period."""
    year = int(iso[:4])
    if len(iso) >= 10:
        ts = pd.Timestamp(iso)
        return year + (ts.day_of_year - 0.5) / (366 if ts.is_leap_year else 365)
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
    fig = new_figure(7.5, 2.6 + 1.0 * len(shown))
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
    # A country with no date on record says so on its row, rather than looking blank by accident.
    dated = status[status["signature_date"].notna() | status["bound_date"].notna()]
    empty_rows = [(row, iso) for row, iso in enumerate(shown) if iso not in set(dated["country_iso2"])]
    if len(empty_rows) == len(shown):
        no_data_panel(ax, "No data: no signature or ratification dates are on record for "
                          + ", ".join(names.get(i, i) for i in shown) + ".")
        ax.set_title("When each country signed and became party to the instruments")
        add_source_line(fig, source_text)
        return FigureSpec(fig, "Empty timeline: no signature or ratification dates are on record for the focus "
                          "countries.", ax.get_title())
    for row, iso in empty_rows:
        mine = status[status["country_iso2"] == iso]
        not_applicable = not mine.empty and (mine["status"] == "not applicable").all()
        text = "not applicable (cannot join these treaties)" if not_applicable else "no dates on record"
        ax.text(0.01, row, text, transform=ax.get_yaxis_transform(), va="center", fontsize=8, color="#555555",
                style="italic")
        described.append(f"{names.get(iso, iso)}: {text}")
    ax.set_yticks(range(len(shown)), [names.get(i, i) for i in shown])
    for row in range(1, len(shown)):
        ax.axhline(row - 0.5, color="#BBBBBB", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    # Every country keeps a full band, even one with nothing drawn in it.
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlabel("Year")
    ax.set_title("When each country signed and became party to the instruments")
    handles = [Line2D([], [], color=PALETTE[k % len(PALETTE)], marker=MARKERS[k % len(MARKERS)], linewidth=2,
                      label=labels.get(inst, inst)) for k, inst in enumerate(inst_ids)]
    handles += [Line2D([], [], color="#555555", marker="o", markerfacecolor="white", linestyle="none",
                       label="open marker: signature"),
                Line2D([], [], color="#555555", marker="o", linestyle="none",
                       label="filled marker: ratification, accession, succession")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, frameon=False, fontsize=8)
    add_source_line(fig, source_text)
    alt = ("Timeline chart. " + "; ".join(described) + "." if described
           else "Timeline chart with no ratification on record for the focus countries.")
    return FigureSpec(fig, alt, ax.get_title())


# --- Shared pieces for the comparison figures -------------------------------------

NO_DATA_FACE = "#E6E6E6"
NO_DATA_HATCH = "///"
MEETS, SHORT, UNKNOWN_COLOUR = OKABE_ITO["blue"], OKABE_ITO["vermillion"], "#888888"


def no_data_panel(ax, message: str) -> None:
    """An honest empty panel: grey hatched box and a sentence saying what is missing."""
    from matplotlib.patches import Rectangle

    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.add_patch(Rectangle((0.02, 0.1), 0.96, 0.8, facecolor=NO_DATA_FACE, edgecolor="#999999",
                           hatch=NO_DATA_HATCH, linewidth=0.6))
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=9, wrap=True,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 4})
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)


def _names(countries: pd.DataFrame) -> pd.Series:
    return countries.set_index("iso2")["name"]


def _shown(countries: pd.DataFrame, which: str = "comparison") -> list[str]:
    frame = countries[countries[which].astype(bool)]
    if "order" in frame.columns:
        frame = frame.sort_values("order", kind="mergesort")
    return list(frame["iso2"])


def _years(months: object) -> float | None:
    return None if months is None or is_na(months) else _number(months) / 12


def _number(value: object) -> float:
    # A numeric cell of a processed table (its schema says so); the stubs type a cell as object.
    return float(cast(SupportsFloat, value))


# --- Penalty ranges against the Directive's floors --------------------------------

RANGE_OFFENCES = ("producing", "offering", "distributing", "procuring", "possessing", "accessing", "grooming")


def penalty_ranges(penalties: pd.DataFrame, offences: pd.DataFrame, countries: pd.DataFrame,
                   source_text: str) -> FigureSpec:
    """Min-max statutory penalty per offence and country (each code of a multi-code country), vs the floor."""
    chosen = penalties[penalties["preferred"].astype(bool) & (penalties["form"].fillna("basic") == "basic")]
    names = _names(countries)
    shown = _shown(countries)
    ref = offences.set_index("offence")
    panels = [o for o in RANGE_OFFENCES if o in ref.index]
    # One row per country, or per code where a country's rows name codes.
    rows: list[tuple[str, str | None, str]] = []
    for iso in shown:
        name = str(names.get(iso, iso))
        codes = sorted({j for j in chosen.loc[chosen["country_iso2"] == iso, "jurisdiction"].dropna()})
        if codes:
            rows += [(iso, code, f"{name}: {code.replace(' of ' + name, '')}") for code in codes]
        else:
            rows.append((iso, None, name))
    known_max = chosen.loc[chosen["offence"].isin(panels), ["min_months", "max_months"]].max().max()
    floors = pd.to_numeric(ref["floor_max_months"], errors="coerce") if "floor_max_months" in ref else pd.Series()
    top = max([v for v in (known_max, floors.max()) if pd.notna(v)] + [12.0]) / 12 * 1.15
    ncols = 2
    nrows = (len(panels) + 1 + ncols - 1) // ncols
    fig = new_figure(8.5, 0.9 + nrows * (0.75 + 0.2 * len(rows)))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True, sharex=True)
    described = []
    for k, offence in enumerate(panels):
        ax = axes[k // ncols][k % ncols]
        floor = floors.get(offence, pd.NA)
        mine = chosen[chosen["offence"] == offence]
        label_text = str(ref.at[offence, "label"]) if "label" in ref else offence
        ax.set_title(textwrap.shorten(label_text, 40, placeholder="…"), fontsize=9, loc="left")
        ax.set_xlim(0, top)
        # Headroom above the first row for the floor's label.
        ax.set_ylim(len(rows) - 0.5, -1.3)
        ax.set_yticks(range(len(rows)), [label for _, _, label in rows], fontsize=7.5)
        if pd.notna(floor):
            ax.axvline(float(floor) / 12, color=OKABE_ITO["black"], linestyle="--", linewidth=1)
            ax.text(float(floor) / 12, -0.9, f" floor {describe_months(floor, short=True)}", fontsize=7, va="center")
        else:
            ax.text(0.99, -0.9, "no Directive floor on record", fontsize=7, va="center", ha="right",
                    color="#555555", transform=ax.get_yaxis_transform())
        for y, (iso, code, label) in enumerate(rows):
            found = mine[(mine["country_iso2"] == iso)
                         & (mine["jurisdiction"].isna() if code is None else mine["jurisdiction"] == code)]
            if found.empty:
                ax.text(0.02, y, "no data", fontsize=7, va="center", color="#555555", style="italic",
                        transform=ax.get_yaxis_transform(),
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
                continue
            cell = found.iloc[0]
            lo = _years(cell["min_months"]) or 0.0
            hi = _years(cell["max_months"])
            if hi is None:
                # Only a minimum is known: a tick at it and a label, no bar. A bar to the
                # edge would look harsher than a bounded range whose maximum is real.
                ax.plot(lo, y, marker="|", color=UNKNOWN_COLOUR, markersize=9, markeredgewidth=2)
                ax.text(lo, y, f"  min. {describe_months(lo * 12, short=True)}, no max. given", fontsize=6.5,
                        va="center", color="#444444")
                described.append(f"{label}, {offence}: at least {describe_months(lo * 12)}, no maximum given")
                continue
            if pd.isna(floor):
                colour, marker = UNKNOWN_COLOUR, "o"
            elif hi * 12 >= float(floor):
                colour, marker = MEETS, "o"
            else:
                colour, marker = SHORT, "X"
            ax.plot([lo, hi], [y, y], color=colour, linewidth=4, solid_capstyle="butt", alpha=0.55)
            ax.plot(hi, y, marker=marker, color=colour, markersize=6, linestyle="none")
            described.append(f"{label}, {offence}: {describe_months(lo * 12)} to {describe_months(hi * 12)}")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="x", labelbottom=True)
        if k + ncols >= len(panels):
            ax.set_xlabel("Statutory penalty (years of imprisonment)")
    legend_ax = axes[-1][-1] if len(panels) % ncols else None
    for k in range(len(panels), nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    handles = [
        Line2D([], [], color=MEETS, marker="o", linewidth=4, alpha=0.8, label="maximum meets the Directive floor"),
        Line2D([], [], color=SHORT, marker="X", linewidth=4, alpha=0.8, label="maximum below the floor"),
        Line2D([], [], color=UNKNOWN_COLOUR, marker="|", markersize=9, markeredgewidth=2, linestyle="none",
               label="only a minimum given (no maximum to draw)"),
        Line2D([], [], color=UNKNOWN_COLOUR, marker="o", linewidth=4, alpha=0.8, label="no floor to compare with"),
        Line2D([], [], color=OKABE_ITO["black"], linestyle="--", label="Directive floor for the maximum"),
    ]
    if legend_ax is not None:
        legend_ax.legend(handles=handles, loc="center", frameon=False, fontsize=8, title="Bar: minimum to maximum")
    else:
        fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    title = "Statutory penalties per offence and country against the Directive's floors"
    fig.suptitle(title, fontsize=11, fontweight="bold")
    add_source_line(fig, source_text)
    alt = ("Panel chart of penalty ranges in years, one panel per offence. " + "; ".join(described) + "."
           if described else "Panel chart of penalty ranges with no penalty on record for any country.")
    return FigureSpec(fig, alt, title)


# --- Scorecard heat map --------------------------------------------------------------

_CATEGORIES = [
    # (name, face colour, text colour, hatch)
    ("meets the standard (score 1)", OKABE_ITO["blue"], "white", None),
    ("partly (score between 0 and 1)", OKABE_ITO["orange"], "black", None),
    ("does not meet (score 0)", OKABE_ITO["vermillion"], "white", None),
    ("no data", NO_DATA_FACE, "#444444", NO_DATA_HATCH),
    ("not applicable", "white", "#444444", ".."),
]


def scorecard_heatmap(scorecard: pd.DataFrame, indicators: list[dict], countries: pd.DataFrame,
                      source_text: str) -> FigureSpec:
    """Scored indicators (rows) by country (columns); missing cells hatched grey, labelled "no data"."""
    from matplotlib.patches import Patch, Rectangle

    names = _names(countries)
    shown = _shown(countries)
    scored = [i for i in indicators if i["scored"]]
    fig = new_figure(2.6 + 1.05 * max(len(shown), 1), 1.6 + 0.24 * max(len(scored), 1))
    ax = fig.add_subplot()
    cells = scorecard.set_index(["country_iso2", "indicator"]) if not scorecard.empty else None
    counts = [0] * len(_CATEGORIES)
    for y, ind in enumerate(scored):
        for x, iso in enumerate(shown):
            score: object = pd.NA
            value: object = pd.NA
            if cells is not None and (iso, ind["id"]) in cells.index:
                score, value = cells.at[(iso, ind["id"]), "score"], cells.at[(iso, ind["id"]), "value"]
            cat = score_category(score, value)
            counts[cat] += 1
            _, face, ink, hatch = _CATEGORIES[cat]
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=face, hatch=hatch,
                                   edgecolor="#999999" if hatch else "white", linewidth=0.8))
            text = "n/a" if cat == 4 else ("—" if is_na(value) else str(value))
            box = {"facecolor": face, "edgecolor": "none", "pad": 0.6} if hatch else None
            ax.text(x, y, text[:9], ha="center", va="center", fontsize=6.5, color=ink, bbox=box)
    ax.set_xlim(-0.5, len(shown) - 0.5)
    ax.set_ylim(len(scored) - 0.5, -0.5)
    ax.set_xticks(range(len(shown)), [names.get(i, i) for i in shown], rotation=30, ha="left")
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(scored)), [i["label"] for i in scored], fontsize=7.5)
    ax.grid(False)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    # A rule between families so the eye finds each group.
    for y in range(1, len(scored)):
        if scored[y]["family"] != scored[y - 1]["family"]:
            ax.axhline(y - 0.5, color=OKABE_ITO["black"], linewidth=1.2)
    ax.set_xlabel("Country (cell text: the indicator's value; ratios are national maximum / standard)")
    ax.xaxis.set_label_position("top")
    title = "Scorecard: each country against the standards, indicator by indicator"
    ax.set_title(title, pad=12)
    handles = [Patch(facecolor=face, edgecolor="#999999", hatch=hatch, label=name)
               for name, face, _, hatch in _CATEGORIES]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncols=3, frameon=False,
              fontsize=8)
    add_source_line(fig, source_text)
    total = sum(counts)
    if total:
        from tomas_pipeline.metrics.scorecard import score_counts

        # The same count the summary table states (metrics.score_counts), never a copy of it.
        n = list(score_counts(scorecard, indicators, shown).drop(columns="country_iso2").sum())
        alt = (f"Heat map of {len(scored)} scored indicators for {len(shown)} countries "
               f"({', '.join(names.get(i, i) for i in shown)}): {n[0]} cells meet the standard, "
               f"{n[1]} partly, {n[2]} do not, {n[3]} have no data and {n[4]} are not applicable.")
    else:
        alt = "Heat map with no indicator or country to show."
    return FigureSpec(fig, alt, title)


# --- NCMEC CyberTipline reports per country --------------------------------------------


def ncmec_reports(statistics: pd.DataFrame, countries: pd.DataFrame, source_text: str,
                  indicator: str = "ncmec_cybertipline_reports") -> FigureSpec:
    """CyberTipline reports per comparison country and year (lines, one marker per country)."""
    names = _names(countries)
    shown = _shown(countries)
    chosen = statistics[statistics["preferred"].astype(bool)] if "preferred" in statistics else statistics
    data = chosen[(chosen["indicator"] == indicator) & chosen["country_iso2"].isin(shown)
                  & chosen["year"].notna()]
    fig = new_figure(7.0, 4.0)
    ax = fig.add_subplot()
    title = "NCMEC CyberTipline reports per country and year"
    described = []
    if data.empty:
        no_data_panel(ax, "No data: no per-country CyberTipline report counts are on record\n"
                          f"for {', '.join(names.get(i, i) for i in shown)}.")
    else:
        for k, iso in enumerate(shown):
            mine = data[data["country_iso2"] == iso].sort_values("year")
            if mine.empty:
                continue
            ax.plot(mine["year"].astype(int), mine["value"].astype(float), color=PALETTE[k % len(PALETTE)],
                    marker=MARKERS[k % len(MARKERS)], label=names.get(iso, iso))
            described.append(f"{names.get(iso, iso)}: " + ", ".join(
                f"{int(y)} {v:,.0f}" for y, v in zip(mine["year"], mine["value"].astype(float))))
        missing = [names.get(i, i) for i in shown if i not in set(data["country_iso2"])]
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Year")
        ax.set_ylabel("CyberTipline reports (count per year)")
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_ylim(bottom=0)  # counts: a bar from zero reads true, a cut axis exaggerates change
        # Beside the plot, not over it: the lines can run anywhere in the frame.
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        if missing:
            ax.text(0.0, -0.22, "No data: " + ", ".join(missing), transform=ax.transAxes, fontsize=7,
                    color="#555555")
    ax.set_title(title)
    add_source_line(fig, source_text)
    alt = ("Line chart of CyberTipline reports per year. " + "; ".join(described) + "." if described
           else "Empty chart: no per-country CyberTipline report counts are on record for the comparison countries.")
    return FigureSpec(fig, alt, title)


# --- Global sextortion and online enticement trend --------------------------------------

TREND_SERIES = (("ncmec_online_enticement_reports", "Online enticement reports"),
                ("ncmec_sextortion_reports", "Sextortion reports"))


def sextortion_trend(statistics: pd.DataFrame, source_text: str) -> FigureSpec:
    """World totals per year on a log scale; open markers where the figure comes from a secondary source."""
    chosen = statistics[statistics["preferred"].astype(bool)] if "preferred" in statistics else statistics
    world = chosen[(chosen["country_iso2"].isna()) & chosen["year"].notna()]
    if "area" in world.columns:
        world = world[world["area"] == "World"]
    fig = new_figure(7.0, 4.0)
    ax = fig.add_subplot()
    title = "Reports of online enticement and sextortion to NCMEC, worldwide"
    described = []
    for k, (indicator, label) in enumerate(TREND_SERIES):
        mine = world[world["indicator"] == indicator].sort_values("year")
        if mine.empty:
            continue
        colour, marker = PALETTE[k], MARKERS[k]
        years, values = mine["year"].astype(int).tolist(), mine["value"].astype(float).tolist()
        ax.plot(years, values, color=colour, linewidth=1.5, label=label)
        for y, v, kind in zip(years, values, mine.get("source_kind", pd.Series("primary", index=mine.index))):
            ax.plot(y, v, marker=marker, markersize=7, linestyle="none", color=colour,
                    markerfacecolor=colour if kind == "primary" else "white")
            ax.annotate(f"{v:,.0f}", (y, v), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7)
        described.append(f"{label}: " + ", ".join(f"{y} {v:,.0f}" for y, v in zip(years, values)))
    if not described:
        no_data_panel(ax, "No data: no worldwide enticement or sextortion counts are on record.")
    else:
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_xlabel("Year")
        ax.set_ylabel("Reports per year (count, log scale)")
        handles, _ = ax.get_legend_handles_labels()
        handles += [Line2D([], [], color="#555555", marker="o", linestyle="none", label="NCMEC's own figure"),
                    Line2D([], [], color="#555555", marker="o", markerfacecolor="white", linestyle="none",
                           label="figure as the paper quotes it")]
        ax.legend(handles=handles, frameon=False, fontsize=8, loc="lower right")
        ax.margins(x=0.08, y=0.15)
    ax.set_title(title)
    add_source_line(fig, source_text)
    alt = ("Line chart on a log scale of worldwide reports per year. " + "; ".join(described) + "."
           if described else "Empty chart: no worldwide enticement or sextortion counts are on record.")
    return FigureSpec(fig, alt, title)


# --- Regional spread per offence -----------------------------------------------------------


def regional_spread(alignment: pd.DataFrame, uniformity: pd.DataFrame, offences: pd.DataFrame,
                    countries: pd.DataFrame, source_text: str) -> FigureSpec:
    """Each country's maximum per offence (dots), the range (line), the median (tick), CV as text."""
    names = _names(countries)
    shown = _shown(countries)
    labels = offences.set_index("offence")["label"] if "label" in offences else pd.Series(dtype=str)
    country_rows = alignment[alignment["level"] == "country"]
    spread_rows = uniformity.set_index("offence")
    order = [o for o in RANGE_OFFENCES if o in spread_rows.index]
    fig = new_figure(8.0, 1.6 + 0.55 * max(len(order), 1))
    ax = fig.add_subplot()
    title = "How far apart the countries' maximum penalties lie, per offence"
    described = []
    any_data = False
    for y, offence in enumerate(order):
        row = spread_rows.loc[offence]
        ind = row["indicator"].replace("spread_", "pen_")
        values = country_rows[country_rows["indicator"] == ind].set_index("country_iso2")["max_months"]
        values = values.reindex(shown).dropna().astype(float) / 12
        if values.empty:
            ax.text(0.1, y, "no data", va="center", fontsize=7.5, color="#555555", style="italic")
            continue
        any_data = True
        ax.plot([values.min(), values.max()], [y, y], color="#AAAAAA", linewidth=2, zorder=1)
        if pd.notna(row["median_months"]):
            ax.plot(_number(row["median_months"]) / 12, y, marker="|", markersize=16, color=OKABE_ITO["black"],
                    zorder=2)
        # Jitter ties vertically so every country stays visible.
        seen: dict[float, int] = {}
        for iso, v in values.items():
            k = shown.index(str(iso))
            offset = 0.12 * seen.get(v, 0)
            seen[v] = seen.get(v, 0) + 1
            ax.plot(v, y - offset, marker=MARKERS[k % len(MARKERS)], color=PALETTE[k % len(PALETTE)],
                    markersize=7, linestyle="none", zorder=3)
        furthest = row["furthest"] if isinstance(row["furthest"], str) else ""
        bits = [f"n={int(_number(row['n_countries']))}"]
        if pd.notna(row["cv"]):
            bits.append(f"CV {_number(row['cv']):.2f}")
        if furthest:
            bits.append("furthest: " + ", ".join(names.get(i, i) for i in furthest.split(";")))
        ax.annotate("  ".join(bits), (1.0, y), xycoords=("axes fraction", "data"), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=7)
        described.append(f"{offence}: " + ", ".join(f"{names.get(i, i)} {describe_months(v * 12)}"
                                                     for i, v in values.items())
                         + (f", coefficient of variation {_number(row['cv']):.2f}" if pd.notna(row["cv"]) else ""))
    ax.set_yticks(range(len(order)), [textwrap.fill(str(labels.get(o, o)), 30) for o in order], fontsize=8)
    ax.set_ylim(len(order) - 0.5, -0.6)
    ax.set_xlim(left=0)
    if not any_data:
        ax.set_xlim(0, 1)
    ax.set_xlabel("Maximum statutory penalty (years of imprisonment); tick = median")
    ax.grid(axis="y", visible=False)
    ax.set_title(title)
    handles = [Line2D([], [], color=PALETTE[k % len(PALETTE)], marker=MARKERS[k % len(MARKERS)], linestyle="none",
                      label=names.get(iso, iso)) for k, iso in enumerate(shown)]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=min(len(shown), 3),
              frameon=False, fontsize=8)
    add_source_line(fig, source_text)
    alt = ("Dot chart of each country's maximum penalty per offence. " + "; ".join(described) + "."
           if described else "Dot chart with no maximum penalty on record for any country.")
    return FigureSpec(fig, alt, title)


# --- Composite index: ranks with their intervals ------------------------------------------


def index_ranks(index: pd.DataFrame, stability: pd.DataFrame, countries: pd.DataFrame,
                source_text: str) -> FigureSpec:
    """Each ranked country's rank (dot), median rank over the weight draws (diamond) and 5-95%
    interval (bar); a country with too little data is listed, marked, and never placed on the axis."""
    names = _names(countries)
    shown = [iso for iso in _shown(countries) if iso in set(stability["country_iso2"])]
    totals = index[index["component"] == "index"].set_index("country_iso2")
    rows = stability.set_index("country_iso2")
    fig = new_figure(7.0, 1.6 + 0.45 * max(len(shown), 1))
    ax = fig.add_subplot()
    title = "Composite index: rank per country and its 5-95% interval"
    ax.set_title(title, loc="left")
    ranked = [iso for iso in shown if not is_na(rows.at[iso, "rank"])]
    n_ranked = len(ranked)
    right = max(n_ranked, 1) + 0.5
    described: list[str] = []
    unranked: list[str] = []
    for y, iso in enumerate(shown):
        row = rows.loc[iso]
        name = names.get(iso, iso)
        if pd.isna(row["rank"]):
            n, of = int(totals.at[iso, "indicators_scored"]), int(totals.at[iso, "indicators_applicable"])
            ax.text(0.6, y, f"not ranked: data for {n} of {of} indicators (fewer than half)", va="center",
                    fontsize=7.5, color="#444444", style="italic")
            unranked.append(f"{name} ({n} of {of} indicators)")
            continue
        lo, hi, med, rank = (int(row[c]) for c in ("rank_p05", "rank_p95", "rank_median", "rank"))
        ax.plot([lo, hi], [y, y], color=OKABE_ITO["blue"], linewidth=3, solid_capstyle="round", zorder=2)
        ax.plot(rank, y, marker="o", color=OKABE_ITO["blue"], markersize=10, linestyle="none", zorder=3)
        ax.plot(med, y, marker="D", markerfacecolor="white", markeredgecolor=OKABE_ITO["vermillion"],
                markersize=5, linestyle="none", zorder=4)
        described.append(f"{name}: rank {rank}, median {med}, interval {lo} to {hi}, first in "
                         f"{float(row['share_first']):.0%} of draws, last in {float(row['share_last']):.0%}")
    ax.set_yticks(range(len(shown)), [names.get(i, i) + ("" if i in ranked else " *") for i in shown])
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(0.5, right)
    ax.set_xticks(range(1, n_ranked + 1))
    ax.set_xlabel("Rank among the countries with enough data (1 = highest index score)")
    ax.set_ylabel("Country (* = not ranked)")
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], color=OKABE_ITO["blue"], marker="o", linestyle="none", label="rank, chosen weights"),
               Line2D([], [], color=OKABE_ITO["vermillion"], marker="D", markerfacecolor="white", linestyle="none",
                      label="median rank, random weights"),
               Line2D([], [], color=OKABE_ITO["blue"], linewidth=3, label="5-95% interval over random weights")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, frameon=False,
              fontsize=8)
    add_source_line(fig, source_text)
    draws = int(stability["draws"].iloc[0]) if len(stability) else 0
    alt = (f"Dot and interval chart of the composite index ranks over {draws} random weightings. "
           + ("; ".join(described) + ". " if described else "No country has enough data to be ranked. ")
           + ("Not ranked: " + ", ".join(unranked) + "." if unranked else ""))
    return FigureSpec(fig, alt.strip(), title)



# --- One country's penalties beside the floors and the region (the country briefs) ---------

BRIEF_OFFENCES = RANGE_OFFENCES


def country_penalty_rows(alignment: pd.DataFrame, iso2: str, region: list[str]) -> pd.DataFrame:
    """The country's maximum per offence (penalty_alignment.csv, country level), the Directive's floor
    and the range of the region's known maxima: the numbers both the brief's table and its figure show."""
    align = alignment[alignment["level"].fillna("country") == "country"] if "level" in alignment else alignment
    peers = align[align["country_iso2"].isin(region)]
    rows = []
    for offence in BRIEF_OFFENCES:
        mine = align[(align["country_iso2"] == iso2) & (align["indicator"] == f"pen_{offence}")]
        if mine.empty:
            continue
        row = mine.iloc[0]
        known = pd.to_numeric(peers.loc[peers["indicator"] == f"pen_{offence}", "max_months"],
                              errors="coerce").dropna()
        life = row.get("life")
        meets = row["meets_floor"]
        rows.append({"offence": offence,
                     "max_months": pd.to_numeric(row["max_months"], errors="coerce"),
                     "life": (not pd.isna(life)) and str(life) == "True",
                     "floor_max_months": pd.to_numeric(row["floor_max_months"], errors="coerce"),
                     "meets_floor": pd.NA if pd.isna(meets) else str(meets) == "True",
                     "region_min_months": known.min() if len(known) else float("nan"),
                     "region_max_months": known.max() if len(known) else float("nan")})
    columns = ["offence", "max_months", "life", "floor_max_months", "meets_floor", "region_min_months",
               "region_max_months"]
    return pd.DataFrame(rows, columns=columns)


def country_penalties(alignment: pd.DataFrame, iso2: str, region: list[str], name: str, t) -> FigureSpec:
    """One country's maximum penalty per offence (marker) beside the Directive's floor (dashed tick) and
    the range of the region's maxima (grey band), every word through the brief's catalogs.

    `t` is a briefs.i18n.Translator; `name` the country's name in its language. The numbers drawn are
    `FigureSpec.data` (country_penalty_rows), so a test can hold them against the table."""
    from tomas_pipeline.briefs.content import duration, offence_name

    data = country_penalty_rows(alignment, iso2, region)
    title = t._("{country}: maximum penalty per offence beside the Directive's floor").format(country=name)
    # Short and wide: it sits in a brief of at most four pages, above the table of the same numbers.
    fig = new_figure(6.7, 0.7 + 0.19 * max(len(data), 1))
    ax = fig.add_subplot()
    fig.suptitle(textwrap.fill(title, 95), x=0.0, ha="left", fontsize=9, fontweight="bold")
    if data.empty:
        no_data_panel(ax, t._("No data: the tables hold no penalty for this country."))
        return FigureSpec(fig, country_penalties_alt(data, name, t), title, data)
    months = pd.concat([data[c] for c in ("max_months", "floor_max_months", "region_max_months")])
    top = max(float(months.max()) if months.notna().any() else 12.0, 12.0) / 12 * 1.22
    for y, (_, row) in enumerate(data.reset_index(drop=True).iterrows()):
        if pd.notna(row["region_min_months"]):
            lo, hi = row["region_min_months"] / 12, row["region_max_months"] / 12
            # A region whose maxima are all equal still gets a visible band.
            ax.barh(y, max(hi - lo, top * 0.006), left=lo, height=0.56, color="#CCCCCC", zorder=1)
        if pd.notna(row["floor_max_months"]):
            floor = row["floor_max_months"] / 12
            ax.plot([floor, floor], [y - 0.36, y + 0.36], color=OKABE_ITO["black"], linestyle="--", linewidth=1.1,
                    zorder=2)
        words = duration(t, row["max_months"], row["life"])
        if row["life"]:
            x, colour, marker = top * 0.97, MEETS, ">"
        elif pd.isna(row["max_months"]):
            x = None
        else:
            x = row["max_months"] / 12
            meets = row["meets_floor"]
            colour, marker = ((UNKNOWN_COLOUR, "D") if pd.isna(meets) else (MEETS, "o") if meets else (SHORT, "X"))
        if x is None:
            # Right of the floor and the band, so the label hides neither.
            known = [v / 12 for v in (row["floor_max_months"], row["region_max_months"]) if pd.notna(v)]
            ax.text(max(known, default=0.0) + top * 0.02, y, t._("no data"), va="center", fontsize=7,
                    color="#444444", style="italic", zorder=4)
        else:
            ax.plot(x, y, marker=marker, color=colour, markersize=6, linestyle="none", zorder=3)
            # Life imprisonment sits at the right edge, its words to its left.
            ax.annotate(words, (x, y), xytext=(-8, 0) if row["life"] else (6, 0), textcoords="offset points",
                        va="center", fontsize=7, ha="right" if row["life"] else "left", zorder=4)
    ax.set_yticks(range(len(data)), [textwrap.shorten(offence_name(t, o), 40, placeholder="…")
                                     for o in data["offence"]], fontsize=7)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(0, top)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t._("Maximum penalty (years of imprisonment)"), fontsize=7.5)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], color=MEETS, marker="o", linestyle="none", label=t._("{country}: meets the floor")
                      .format(country=name)),
               Line2D([], [], color=SHORT, marker="X", linestyle="none", label=t._("{country}: below the floor")
                      .format(country=name)),
               Line2D([], [], color=OKABE_ITO["black"], linestyle="--", label=t._("Directive's floor")),
               Patch(facecolor="#CCCCCC", label=t._("Range in the region"))]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=7)
    return FigureSpec(fig, country_penalties_alt(data, name, t), title, data)


def country_penalties_alt(data: pd.DataFrame, name: str, t) -> str:
    """country_penalties' alt text from its rows (country_penalty_rows): every number the chart shows."""
    from tomas_pipeline.briefs.content import duration, offence_name, penalty_spread

    if data.empty:
        return t._("Empty chart: the tables hold no penalty for this country.")
    meeting = int(data["meets_floor"].map(lambda v: v is True).sum())
    described = [t._("{offence}: {maximum} (Directive's floor: {floor}; range in the region: {range})").format(
        offence=offence_name(t, r["offence"]), maximum=duration(t, r["max_months"], r["life"]),
        floor=duration(t, r["floor_max_months"]),
        range=penalty_spread(t, r["region_min_months"], r["region_max_months"])) for _, r in data.iterrows()]
    return (t.n("Dot chart of {country}'s maximum penalty for {n} offence beside the Directive's floor and the "
                "region's range.", "Dot chart of {country}'s maximum penalty for {n} offences beside the "
                "Directive's floor and the region's range.", len(data)).format(country=name, n=t.number(len(data)))
            + " " + t.n("{n} maximum meets the floor.", "{n} maxima meet the floor.", meeting).format(
                n=t.number(meeting))
            + " " + "; ".join(described) + ".")
