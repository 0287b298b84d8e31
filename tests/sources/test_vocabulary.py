"""One vocabulary for a law's `kind` and a strategy's `field`: the report's tables and the briefs
read the same words, and the briefs' catalogs translate each of them."""

from __future__ import annotations

import pytest
from conftest import ROOT

from tomas_pipeline.briefs.content import fact_name, strategy_field
from tomas_pipeline.briefs.i18n import LANGUAGES, Translator
from tomas_pipeline.core.io import read_raw_csv
from tomas_pipeline.reporting.tables import field_label
from tomas_pipeline.sources.vocabulary import FEATURE_LABELS, FIELD_LABELS


def test_every_field_and_kind_in_the_data_has_its_words():
    raw = ROOT / "data" / "raw"
    used = set(read_raw_csv(raw / "strategies.csv")["field"].dropna())
    used |= set(read_raw_csv(raw / "laws.csv")["kind"].dropna())
    assert used - set(FIELD_LABELS) == set(), "add the id to sources/vocabulary.py (and translate it)"


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_a_brief_translates_every_field_the_report_names(lang):
    t = Translator(lang)
    for field, english in FIELD_LABELS.items():
        assert field_label(field) == english
        words = strategy_field(t, field)
        assert words and "†" not in words, (lang, field, words)


def test_an_id_outside_the_vocabulary_is_marked_in_a_brief_and_spelt_out_in_the_report():
    assert field_label("maritime_law") == "maritime law"
    assert strategy_field(Translator("sr_Cyrl"), "maritime_law").endswith("†")


def test_every_legal_feature_the_data_or_the_audit_names_has_its_words():
    from tomas_pipeline.sources.audit import load_expectations

    raw = ROOT / "data" / "raw"
    used = set(read_raw_csv(raw / "legal_features.csv")["feature"].dropna())
    used |= set(load_expectations()["legal_features"]["features"])
    assert used - set(FEATURE_LABELS) == set(), "add the feature to sources/vocabulary.py (and translate it)"


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_a_brief_names_a_missing_legal_feature_in_words_not_its_id(lang):
    t = Translator(lang)
    for feature in FEATURE_LABELS:
        words = fact_name(t, "legal_features", feature)
        assert "_" not in words and "†" not in words, (lang, feature, words)
