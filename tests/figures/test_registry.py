"""The figure registry is the one list of figures: the report shows exactly its figures, each
drawn by the chart function of its name from the tables it declares."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import ROOT

from tomas_pipeline.figures import charts
from tomas_pipeline.figures.registry import FIGURES
from tomas_pipeline.sources.tables import TABLES


def _shown_in_report() -> set[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "report").rglob("*.qmd"))
    return set(re.findall(r'show_figure_or_placeholder\("([a-z_]+)"\)', text))


def test_the_report_shows_exactly_the_registered_figures():
    assert _shown_in_report() == set(FIGURES)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_each_figure_has_its_chart_function_and_declared_tables(name):
    figure = FIGURES[name]
    assert callable(getattr(charts, name, None)), f"charts.{name} draws the figure and names its provenance"
    assert figure.inputs and set(figure.inputs) <= set(TABLES), figure.inputs
    assert figure.source.strip()


def test_the_scorecard_figure_refuses_to_draw_without_the_method():
    tables = {"scorecard": pd.DataFrame(), "countries": pd.DataFrame()}
    with pytest.raises(ValueError, match="method file"):
        FIGURES["scorecard_heatmap"].draw(tables, None, "test")
