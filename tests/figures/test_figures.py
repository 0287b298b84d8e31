"""Figures: files written, bytes stable across saves, alt text about the data, empty data still drawn."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import TESTS

from tomas_pipeline.figures import charts as figures
from tomas_pipeline.metrics.method import load_indicators

ROOT = TESTS.parent


def _countries():
    return pd.DataFrame({"iso2": ["RS", "AL", "BA"], "name": ["Serbia", "Albania", "Bosnia and Herzegovina"],
                         "focus": [True, True, False], "comparison": [True, True, True], "order": [0, 1, 2]})


def _offences():
    return pd.DataFrame({"offence": ["producing", "distributing", "possessing"],
                         "label": ["Producing", "Distributing", "Possessing"],
                         "floor_max_months": [36.0, 24.0, None], "source_id": ["dir"] * 3})


def _penalties():
    rows = [("RS", None, "producing", 6, 60), ("AL", None, "producing", 36, 120),
            ("BA", "Brčko District of Bosnia and Herzegovina", "distributing", 12, None)]
    return pd.DataFrame([{"country_iso2": c, "jurisdiction": j, "offence": o, "form": "basic", "min_months": lo,
                          "max_months": hi, "preferred": True, "source_id": "s"} for c, j, o, lo, hi in rows])


def _statistics(rows):
    return pd.DataFrame(rows, columns=["country_iso2", "area", "indicator", "year", "value", "source_kind",
                                       "preferred", "source_id"])


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _save_twice(spec, tmp_path):
    first = figures.save_figure(spec, tmp_path / "a" / "fig")
    second = figures.save_figure(spec, tmp_path / "b" / "fig")
    return first, second


def _figures(empty: bool):
    """Every comparison figure, on small data or on frames with no rows at all."""
    countries = _countries()
    penalties = _penalties().iloc[0:0] if empty else _penalties()
    stats = _statistics([] if empty else [
        ("RS", None, "ncmec_cybertipline_reports", 2021, 3000, "primary", True, "n"),
        ("RS", None, "ncmec_cybertipline_reports", 2022, 4500, "primary", True, "n"),
        (None, "World", "ncmec_sextortion_reports", 2022, 10731, "secondary", True, "p"),
        (None, "World", "ncmec_sextortion_reports", 2023, 26718, "primary", True, "n"),
    ])
    card = pd.DataFrame(columns=["country_iso2", "indicator", "value", "score", "source_ids"]) if empty else \
        pd.DataFrame({"country_iso2": ["RS", "AL"], "indicator": ["pen_producing", "pen_producing"],
                      "value": ["1.667", "0.5"], "score": [1.0, 0.0], "source_ids": ["s", "s"]})
    alignment = pd.DataFrame({"country_iso2": ["RS", "AL"], "indicator": ["pen_producing"] * 2,
                              "level": ["country"] * 2, "max_months": [60.0, 120.0]})
    spread = pd.DataFrame({"indicator": ["spread_producing"], "offence": ["producing"], "n_countries": [2],
                           "median_months": [90.0], "cv": [0.3333], "furthest": [pd.NA]})
    if empty:
        alignment, spread = alignment.iloc[0:0], spread.iloc[0:0]
    status = pd.DataFrame({"country_iso2": ["RS"], "instrument": ["budapest"], "status": [pd.NA if empty else "party"],
                           "signature_date": [pd.NA if empty else "2005-04-07"],
                           "bound_date": [pd.NA if empty else "2009-04-14"]})
    instruments = pd.DataFrame({"instrument_id": ["budapest"], "short_name": ["Budapest Convention"]})
    indicators = load_indicators(ROOT / "config" / "indicators.yaml")
    return {
        "penalty_ranges": figures.penalty_ranges(penalties, _offences(), countries, "test"),
        "scorecard_heatmap": figures.scorecard_heatmap(card, indicators, countries, "test"),
        "ncmec_reports": figures.ncmec_reports(stats, countries, "test"),
        "sextortion_trend": figures.sextortion_trend(stats, "test"),
        "regional_spread": figures.regional_spread(alignment, spread, _offences(), countries, "test"),
        "treaty_timeline": figures.treaty_timeline(status, countries, instruments, "test"),
    }


@pytest.mark.parametrize("empty", [False, True])
def test_every_figure_writes_identical_bytes_twice(tmp_path, empty):
    for name, spec in _figures(empty).items():
        first, second = _save_twice(spec, tmp_path / name)
        assert [p.suffix for p in first] == [".svg", ".png"]
        for a, b in zip(first, second):
            assert a.stat().st_size > 1000, (name, a)
            assert _digest(a) == _digest(b), (name, a)
        assert (tmp_path / name / "a" / "fig.alt.txt").read_text(encoding="utf-8").strip() == spec.alt
        assert spec.title


def test_alt_text_describes_the_data():
    specs = _figures(empty=False)
    # Terms read as the report writes them (penalties.describe_months), not as decimals of years.
    assert "Serbia, producing: 6 months to 5 years" in specs["penalty_ranges"].alt
    assert "no maximum given" in specs["penalty_ranges"].alt  # the open-ended Brčko row
    assert "Serbia: 2021 3,000, 2022 4,500" in specs["ncmec_reports"].alt
    assert "Sextortion reports: 2022 10,731, 2023 26,718" in specs["sextortion_trend"].alt
    # Every scored indicator x 3 countries: 1 meets, 1 does not, the rest no data.
    heat = specs["scorecard_heatmap"].alt
    assert "1 cells meet the standard" in heat and "1 do not" in heat and f"{_no_data_cells()} have no data" in heat
    assert "Serbia 5 years" in specs["regional_spread"].alt and "Albania 10 years" in specs["regional_spread"].alt


def test_no_data_figures_say_so():
    specs = _figures(empty=True)
    assert "no per-country CyberTipline" in specs["ncmec_reports"].alt
    assert "no worldwide" in specs["sextortion_trend"].alt
    assert "no penalty on record" in specs["penalty_ranges"].alt
    assert "Empty timeline" in specs["treaty_timeline"].alt
    # The no-data text is drawn on the figure, not only in the alt text.
    texts = [t.get_text() for ax in specs["ncmec_reports"].figure.axes for t in ax.texts]
    assert any(t.startswith("No data") for t in texts)


def test_heatmap_marks_missing_cells_and_has_a_no_data_legend_entry():
    spec = _figures(empty=False)["scorecard_heatmap"]
    ax = spec.figure.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "no data" in labels and "not applicable" in labels
    hatched = [p for p in ax.patches if p.get_hatch() == figures.NO_DATA_HATCH]
    assert len(hatched) == _no_data_cells()


def _no_data_cells() -> int:
    """The fixture's scorecard has two scored cells of its three countries; the rest have no data."""
    scored = sum(1 for i in load_indicators(ROOT / "config" / "indicators.yaml") if i["scored"])
    return 3 * scored - 2


def test_an_open_ended_penalty_is_not_drawn_as_a_long_bar():
    """'At least 1 year' must not look harsher than a bounded range: nothing is drawn
    to the right of its minimum (no bar, no arrow to the panel's edge)."""
    from matplotlib.text import Annotation

    spec = _figures(empty=False)["penalty_ranges"]
    panel = next(ax for ax in spec.figure.axes if ax.get_title(loc="left").startswith("Distributing"))
    # The panels share their rows; the left-hand panel carries the labels.
    labels = [t.get_text() for t in spec.figure.axes[0].get_yticklabels()]
    y = next(i for i, text in enumerate(labels) if "Brčko" in text)
    at_row = [line for line in panel.lines if len(line.get_ydata()) and all(v == y for v in line.get_ydata())]
    assert at_row, "the open-ended row drew nothing"
    assert max(max(line.get_xdata()) for line in at_row) == 1.0  # its minimum, 12 months
    assert not [c for c in panel.get_children() if isinstance(c, Annotation)]
    assert any("no max" in t.get_text() for t in panel.texts)


def test_every_directive_article_5_offence_shows_its_floor():
    """Art. 5(2)-(6) set a floor for each offence they name; the raw table records it."""
    from tomas_pipeline.core.io import read_raw_csv

    offences = read_raw_csv(ROOT / "data" / "raw" / "offences.csv")
    article5 = offences[offences["directive_article"].fillna("").str.startswith("5(")]
    assert set(article5["offence"]) >= {"possessing", "procuring", "accessing", "distributing", "offering", "producing"}
    assert article5["directive_floor"].notna().all(), article5[article5["directive_floor"].isna()]
