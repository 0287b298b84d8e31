"""Helpers the report's code cells use to show processed data safely.

Everything shown comes from ``data/processed/`` (or the figures folder) and
passes through ``escape`` first: a law title that contains markup appears as
text, never as HTML. The cells import this package as ``R`` and use the names
below; each lives in the module that says what it is for:

- ``data``: reading the processed tables;
- ``text``: escaping and formatting values, markdown tables;
- ``display``: figures, provenance notes, placeholders;
- ``facts``: single facts for inline expressions, with their citations;
- ``tables``: the tables the chapters and appendices show.
"""

from tomas_pipeline.reporting.data import (
    available,
    countries,
    country_name,
    figures_dir,
    indicator_counts,
    indicator_labels,
    method_path,
    preferred,
    processed_dir,
    table,
    table_or_none,
)
from tomas_pipeline.reporting.display import (
    figure_available,
    figure_description,
    figure_path,
    guarded,
    not_available,
    note_table,
    provenance_note,
    provenance_or_note,
    show_figure,
    show_figure_or_placeholder,
    table_provenance,
)
from tomas_pipeline.reporting.facts import (
    action_value,
    bound_sentence,
    conflict_sentences,
    conflict_value,
    conflicts,
    gci,
    hotline_fact,
    instrument_field,
    instrument_title,
    penalty,
    penalty_cite,
    penalty_row,
    stat,
    stat_cite,
    stat_out_of,
    stat_value,
    stat_words,
    stat_year,
    treaty,
    treaty_cite,
    treaty_date,
)
from tomas_pipeline.reporting.tables import (
    alignment_table,
    changes_note,
    changes_table,
    citation_parts,
    civil_society_table,
    conflicts_table,
    criminalisation_table,
    floors_table,
    gaps_searched_sentence,
    gaps_table,
    laws_table,
    method_families,
    method_markdown,
    parity_table,
    pivot_by_country,
    score_table,
    scorecard_summary,
    searches_table,
    sources_table,
    strategies_table,
    terminology_use_table,
    tracker_criteria_table,
    tracker_table,
    uniformity_table,
    units_table,
)
from tomas_pipeline.reporting.text import (
    MISSING,
    NO_SOURCE,
    NOT_AVAILABLE,
    Md,
    cite,
    code,
    count_words,
    escape,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_range,
    fmt_years,
    is_missing,
    law_title,
    md_table,
    names,
    ordinal,
    quote,
    year_of,
)

__all__ = [
    "available", "countries", "country_name", "figures_dir", "indicator_counts", "indicator_labels", "method_path",
    "preferred", "processed_dir", "table", "table_or_none", "MISSING", "NO_SOURCE", "NOT_AVAILABLE",
    "Md", "cite", "code", "count_words", "escape", "fmt_date", "fmt_int", "fmt_number", "fmt_range",
    "fmt_years", "is_missing", "law_title", "md_table", "names", "ordinal", "quote", "year_of",
    "figure_available", "figure_description", "figure_path", "guarded", "not_available",
    "note_table", "provenance_note", "provenance_or_note", "show_figure",
    "show_figure_or_placeholder", "table_provenance", "action_value", "bound_sentence",
    "conflict_sentences", "conflict_value", "conflicts", "gci", "hotline_fact", "instrument_field",
    "instrument_title", "penalty", "penalty_cite", "penalty_row", "stat", "stat_cite",
    "stat_out_of", "stat_value", "stat_words", "stat_year", "treaty", "treaty_cite", "treaty_date",
    "alignment_table", "changes_note", "changes_table", "citation_parts", "civil_society_table",
    "conflicts_table", "criminalisation_table", "floors_table", "gaps_searched_sentence", "gaps_table", "laws_table",
    "method_families", "method_markdown", "parity_table", "pivot_by_country", "score_table",
    "scorecard_summary", "searches_table", "sources_table", "strategies_table", "terminology_use_table",
    "tracker_criteria_table", "tracker_table", "uniformity_table", "units_table",
]
