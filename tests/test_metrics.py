"""Metric functions on small hand-made frames; answers worked out by hand."""

import pandas as pd
import pytest

from tomas_pipeline.metrics import NOT_APPLICABLE, ratification_status


def _countries():
    return pd.DataFrame({
        "iso2": ["RS", "AL", "XK", "ME"],
        "name": ["Serbia", "Albania", "Kosovo", "Montenegro"],
        "user_assigned": [False, False, True, False],
        "focus": [True, True, False, False],
        "comparison": [True, True, True, True],
    })


def _instruments():
    return pd.DataFrame({"instrument_id": ["budapest", "lanzarote"], "short_name": ["Budapest", "Lanzarote"]})


def _action(iso, inst, action, date, source="s1", preferred=True, via=None):
    return {"country_iso2": iso, "instrument": inst, "action": action, "date": date, "source_id": source,
            "preferred": preferred, "via_predecessor": via}


def test_status_dates_and_years():
    actions = pd.DataFrame([
        # Serbia: signed 7 April 2005 (as Serbia and Montenegro), ratified 14 April 2009.
        _action("RS", "budapest", "signature", "2005-04-07", via="Serbia and Montenegro"),
        _action("RS", "budapest", "ratification", "2009-04-14"),
        # A non-preferred row with another date must not be used.
        _action("RS", "budapest", "ratification", "2010", source="paper", preferred=False),
        # Albania: signed only.
        _action("AL", "budapest", "signature", "2001-11-23"),
        # Albania acceded to Lanzarote (no signature): no years to ratify.
        _action("AL", "lanzarote", "accession", "2009"),
    ])
    out = ratification_status(actions, _countries(), _instruments()).set_index(["country_iso2", "instrument"])
    rs = out.loc[("RS", "budapest")]
    assert rs["status"] == "party"
    assert rs["bound_date"] == "2009-04-14"
    # 2005-04-07 -> 2009-04-14 is 1468 days; 1468 / 365.25 = 4.019...
    assert rs["years_to_ratify"] == pytest.approx(4.02)
    assert rs["years_precision"] == "day"
    assert rs["via_predecessor"] == "Serbia and Montenegro"
    assert out.loc[("AL", "budapest"), "status"] == "signed"
    assert pd.isna(out.loc[("AL", "budapest"), "years_to_ratify"])
    assert out.loc[("AL", "lanzarote"), "status"] == "party"
    assert pd.isna(out.loc[("AL", "lanzarote"), "years_to_ratify"])


def test_missing_is_missing_and_kosovo_not_applicable():
    out = ratification_status(pd.DataFrame([_action("RS", "budapest", "signature", "2005")]), _countries(),
                              _instruments()).set_index(["country_iso2", "instrument"])
    assert out.loc[("XK", "budapest"), "status"] == NOT_APPLICABLE
    # No source says anything about Montenegro: a gap, not "not ratified".
    assert pd.isna(out.loc[("ME", "lanzarote"), "status"])
    assert len(out) == 4 * 2


def test_years_at_coarser_precision():
    actions = pd.DataFrame([
        _action("RS", "lanzarote", "signature", "2010-10"),
        _action("RS", "lanzarote", "ratification", "2013"),
    ])
    row = ratification_status(actions, _countries(), _instruments()).set_index(
        ["country_iso2", "instrument"]).loc[("RS", "lanzarote")]
    assert row["years_to_ratify"] == 3.0
    assert row["years_precision"] == "year"
