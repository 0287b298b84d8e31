"""One declaration per processed table: what every file in data/processed/ holds.

Each ``Table`` lists its columns in the order they are written, each column's
type as written in the CSV (``date`` is ISO 8601 at the source's precision:
YYYY, YYYY-MM or YYYY-MM-DD), whether it may be empty, what it means and, where
the set is fixed, its allowed values; and the table's key, title and meaning.
Foreign keys follow from the column names (``REFERENCES``).

Generated from it: the pandera schema every processed table is checked against
when it is written (``write_table``), the Table Schemas of the release's
``datapackage.json`` (datapackage.py) and the data dictionary
(docs/data-dictionary.md, ``python -m tomas_pipeline.sources.tables``).

A Python module rather than YAML beside the data: the writers and the checks
are Python, the allowed values reuse the raw schemas' constants (schemas.py),
and mypy checks every entry. See docs/architecture.md for adding a table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from tomas_pipeline.core.errors import TomasError, TomasInputError, TomasInputErrors, spreadsheet_row
from tomas_pipeline.core.io import atomic_write_bytes, frame_to_csv_bytes
from tomas_pipeline.sources.schemas import ACTIONS, BINDING_ACTIONS, OFFENCES, SEARCH_OUTCOMES, YES_NO, YES_NO_PARTIAL

ColumnType = Literal["string", "integer", "number", "boolean", "date"]

# The cell patterns of each type, as the CSV writes them (io.frame_to_csv_bytes).
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
INTEGER_PATTERN = r"^-?\d+$"
NUMBER_PATTERN = r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
BOOLEAN_VALUES = ("True", "False")
PRECISIONS = ("year", "month", "day")

# A column of this name means the same in every table, unless the table says otherwise.
COMMON_FIELDS = {
    "country_iso2": "ISO 3166-1 alpha-2 code of the country (XK for Kosovo, a user-assigned code); empty for an area.",
    "source_id": "The source of the row; see sources.csv.",
    "source_ids": "The sources behind the value, separated by ';'; see sources.csv.",
    "source_kind": "primary (treaty office, official text, publisher's own statistics) or secondary.",
    "preferred": "True for the one row per fact the report uses (primary over secondary, then the more precise, "
                 "then the newer source).",
    "note": "Remarks about the row, as plain text.",
    "as_of": "Date the fact is valid as of (version of the text read); ISO 8601 at the source's precision.",
    "via_predecessor": "The predecessor state named by the source, when the fact was attributed to its continuator.",
    "instrument": "Instrument id; see instruments.csv.",
    "offence": "Offence id; see offences.csv.",
    "indicator": "Indicator id (see config/indicators.yaml).",
    "value": "The value.",
    "score": "The indicator's score.",
    "level": "Level the value applies to (country or a jurisdiction within it).",
    "jurisdiction": "The code's territory where a country has several; empty for the whole state.",
    "year": "Year.",
    "code": "The law.",
    "article": "Article and paragraph of the law.",
    "min_months": "Minimum term of imprisonment in months.",
    "max_months": "Maximum term of imprisonment in months.",
    "life": "True when life imprisonment is possible.",
    "fine": "True when a fine is possible.",
    "floor_max_months": "EU Directive 2011/93/EU's floor for the maximum penalty, in months.",
    "directive_article": "Directive 2011/93/EU article.",
    "ratio": "Ratio of the two values compared.",
}

# Foreign keys wherever the column is there (a table's own key excepted): column -> (table, column).
REFERENCES = {"country_iso2": ("countries", "iso2"), "source_id": ("sources", "source_id"),
              "instrument": ("instruments", "instrument_id"), "offence": ("offences", "offence")}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    # None: the common description of a column of this name (COMMON_FIELDS), if any.
    description: str | None = None
    nullable: bool = True
    values: tuple[str, ...] | None = None

    @property
    def meaning(self) -> str | None:
        """The description the outputs carry: the table's own, else the common one, else none."""
        return COMMON_FIELDS.get(self.name) if self.description is None else self.description


@dataclass(frozen=True)
class Table:
    name: str
    title: str | None
    description: str | None
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def foreign_keys(self) -> list[tuple[str, str, str]]:
        """(column, table, column) for every column that names a row of another table."""
        return [(column, target, field) for column, (target, field) in REFERENCES.items()
                if column in self.names and not (target == self.name and column == field)]


_TABLES = (
    Table(
        "changes",
        title="Changes since the previous release",
        description="What changed in the findings since the previous release, one sentence each.",
        columns=(
            Column("kind", "string",
                   "world (the world changed) or correction (the data about the same moment changed).",
                   values=("world", "correction")),
            Column("table", "string", "The table the finding comes from."),
            Column("country_iso2", "string"),
            Column("sentence", "string", "The change in plain words."),
        ),
    ),
    Table(
        "conflicts",
        title="Conflicts between sources",
        description=("Every fact for which two sources give different values: the value the report uses, the other "
                     "source's value, and the rule that chose between them."),
        columns=(
            Column("table", "string", "The processed table the fact is in."),
            Column("country_iso2", "string"),
            Column("key", "string",
                   "The fact within the table: its key columns other than the country, joined by ' / '."),
            Column("field", "string", "The column whose values differ."),
            Column("chosen_value", "string",
                   "The value the report uses (the preferred row's); when no rule settles the disagreement, the first "
                   "row's by source."),
            Column("chosen_source", "string", "The source of chosen_value."),
            Column("other_value", "string", "The value another source gives."),
            Column("other_source", "string", "The source of other_value."),
            Column("rule", "string", "The rule that chose chosen_value, or unresolved when none settles it."),
        ),
    ),
    Table(
        "countries",
        title="Country register",
        description=("Every ISO 3166-1 country (pycountry's iso-codes data) and Kosovo, with the build's focus and "
                     "comparison sets."),
        key=("iso2",),
        columns=(
            Column("iso2", "string", "ISO 3166-1 alpha-2 code.", nullable=False),
            Column("iso3", "string", "ISO 3166-1 alpha-3 code."),
            Column("numeric", "string", "ISO 3166-1 numeric code, as text (008)."),
            Column("name", "string", "English short name the report prints."),
            Column("iso_name", "string", "ISO's English short name."),
            Column("official_name", "string", "Full official name."),
            Column("user_assigned", "boolean", "True for a code outside ISO 3166-1 proper (Kosovo)."),
            Column("source_id", "string", nullable=False),
            Column("note", "string"),
            Column("focus", "boolean", "True for the countries the report focuses on."),
            Column("comparison", "boolean", "True for the countries shown in regional comparisons."),
            Column("order", "integer", "Position in the report's country order; empty for others."),
        ),
    ),
    Table(
        "criminalisation",
        title="Criminalisation",
        description=("Per country, and per code where a country has several, whether each conduct the method lists is "
                     "an offence, and under which article."),
        columns=(
            Column("country_iso2", "string"),
            Column("indicator", "string"),
            Column("level", "string"),
            Column("jurisdiction", "string"),
            Column("value", "string"),
            Column("score", "integer"),
            Column("article", "string"),
            Column("code", "string"),
            Column("note", "string"),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "gaps",
        title="Gaps",
        description=("Every fact config/expectations.yaml declares that has no value, with what was tried, and the "
                     "facts whose text is older than the configured age at the build date (checks to make)."),
        columns=(
            Column("table", "string", "The processed table the fact belongs in."),
            Column("country_iso2", "string"),
            Column("key", "string", "The fact within the table."),
            Column("what", "string", "The fact, in words."),
            Column("kind", "string",
                   "missing, a check of a text older than the configured age (audit.outdated_after_years), or "
                   "a check of a strategy whose newest period on record has ended."),
            Column("tried", "string", "What was searched and what no row of it gives, or why no value could be coded."),
        ),
    ),
    Table(
        "icmec",
        title="ICMEC criteria",
        description=("The five ICMEC model legislation criteria per country, as the legal_features sources code them "
                     "(yes 1, partial 0.5, no 0)."),
        columns=(
            Column("country_iso2", "string"),
            Column("indicator", "string"),
            Column("level", "string"),
            Column("jurisdiction", "string"),
            Column("value", "string"),
            Column("score", "number", "0 to 1: 1 yes, 0.5 partial, 0 no (legal_features.csv's value)."),
            Column("article", "string"),
            Column("note", "string"),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "index",
        title="Composite index",
        description=("Per comparison country, each pillar's score and the index under the chosen method "
                     "(config/indicators.yaml, block index), with coverage and rank."),
        key=("country_iso2", "component"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("component", "string", "A pillar id, or index for the total.", nullable=False),
            Column("label", "string", "Readable name of the component."),
            Column("weight", "number", "Pillar weight, scaled so the pillar weights sum to 1 (1 for the index row)."),
            Column("score", "number", "Score from 0 to 1; empty when no indicator of the component counts."),
            Column("indicators_scored", "integer", "Indicators of the component with a score from a source."),
            Column("indicators_applicable", "integer", "Indicators of the component that apply to the country."),
            Column("coverage", "number", "indicators_scored / indicators_applicable."),
            Column("complete", "boolean",
                   "Index row: True when coverage reaches the method's minimum, so the country is ranked."),
            Column("rank", "integer",
                   "Index row: rank among the complete countries (1 = highest score); empty otherwise."),
            Column("source_ids", "string"),
            Column("aggregation", "string",
                   "arithmetic or geometric mean of the pillar scores.", values=("arithmetic", "geometric")),
            Column("missing_rule", "string",
                   "How a missing score counts: excluded_and_reweighted, scored_as_not_met or imputed_from_region.",
                   values=("excluded_and_reweighted", "scored_as_not_met", "imputed_from_region")),
        ),
    ),
    Table(
        "index_sensitivity",
        title="Composite index under other choices",
        description=("Each country's index and rank under every missing-data rule, both aggregations and with each "
                     "pillar left out."),
        key=("scenario_kind", "scenario", "country_iso2"),
        columns=(
            Column("scenario_kind", "string",
                   "chosen, missing_rule, aggregation or drop_pillar.",
                   nullable=False, values=("chosen", "missing_rule", "aggregation", "drop_pillar")),
            Column("scenario", "string", "The rule, aggregation or pillar left out.", nullable=False),
            Column("country_iso2", "string", nullable=False),
            Column("score", "number"),
            Column("rank", "integer",
                   "Rank among the complete countries under this scenario (1 = highest); empty otherwise."),
            Column("complete", "boolean", "True when the country is ranked."),
        ),
    ),
    Table(
        "index_stability",
        title="Composite index: rank stability under random weights",
        description=("Per country, the rank under the chosen weights and its distribution over Dirichlet draws of the "
                     "weights (seeded, so reproducible), with a verdict on robustness."),
        key=("country_iso2",),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("complete", "boolean", "True when the country is ranked."),
            Column("rank", "integer", "Rank under the chosen method (1 = highest score); empty when not ranked."),
            Column("rank_median", "integer", "Median rank over the draws."),
            Column("rank_p05", "integer", "5th percentile of the rank."),
            Column("rank_p95", "integer", "95th percentile of the rank."),
            Column("share_first", "number", "Share of draws ranking it first."),
            Column("share_last", "number", "Share of draws ranking it last."),
            Column("score_p05", "number", "5th percentile of the index."),
            Column("score_median", "number", "Median index."),
            Column("score_p95", "number", "95th percentile of the index."),
            Column("scenario_rank_min", "integer", "Best rank under the alternatives of index_sensitivity.csv."),
            Column("scenario_rank_max", "integer", "Worst rank under those alternatives."),
            Column("scenarios_moving_rank", "string", "The alternatives that change its rank, as kind:scenario."),
            Column("draws", "integer", "Number of weight draws."),
            Column("verdict", "string",
                   "robust, sensitive to weights, sensitive to method choices, both, or not ranked."),
        ),
    ),
    Table(
        "index_weights",
        title="Composite index: pillars and weights",
        description=("The method of the index as a table: each scored indicator's pillar, its weight within the pillar "
                     "and the pillar's weight, both scaled to sum to 1."),
        key=("indicator",),
        columns=(
            Column("pillar", "string", "Pillar id."),
            Column("pillar_label", "string", "Pillar name."),
            Column("pillar_weight", "number", "Weight of the pillar."),
            Column("indicator", "string", nullable=False),
            Column("indicator_label", "string", "Indicator name."),
            Column("indicator_weight", "number", "Weight within the pillar."),
        ),
    ),
    Table(
        "institutions",
        title="Institutions",
        description="Police, prosecution and court units, hotlines, ECPAT members and contact points.",
        key=("country_iso2", "kind", "name", "source_id"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("name", "string", "Name of the body.", nullable=False),
            Column("kind", "string", "Kind of body.", nullable=False),
            Column("parent", "string", "The body it belongs to."),
            Column("established", "date", "Date established."),
            Column("inhope_member", "string", "yes or no (hotlines only).", values=YES_NO),
            Column("inhope_since", "integer", "Year it joined INHOPE."),
            Column("url", "string", "Its web address."),
            Column("exists", "string",
                   "yes, or no when the source states that the country has no such body.", values=YES_NO),
            Column("body", "string",
                   "Which body the row is about: 'national hotline' for every row on a country's hotline (one per "
                   "country, however a source spells it), else the name."),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
            Column("preferred", "boolean"),
            Column("note", "string"),
        ),
    ),
    Table(
        "institutions_score",
        title="Treaties and institutions",
        description=("Per country, treaty status and years to ratify (from ratification.csv) and whether the "
                     "recommended institutions and strategies are on record."),
        columns=(
            Column("country_iso2", "string"),
            Column("indicator", "string"),
            Column("level", "string"),
            Column("jurisdiction", "string"),
            Column("value", "string"),
            Column("score", "number", "0 to 1: 1 met, 0.5 partial (a signature only, a partial feature), 0 not met."),
            Column("detail", "string",
                   "What the value rests on: the treaty actions and their dates, or the names of the bodies or "
                   "strategies on record, separated by ' | '."),
            Column("note", "string"),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "instruments",
        title="International instruments",
        description="The treaties and conventions the laws are compared against.",
        key=("instrument_id",),
        columns=(
            Column("instrument_id", "string", "Instrument id.", nullable=False),
            Column("short_name", "string", "Short name."),
            Column("title", "string", "Official title."),
            Column("body", "string", "UN or Council of Europe.", values=("UN", "Council of Europe")),
            Column("reference", "string", "Treaty series number."),
            Column("adopted", "string", "Date the text was adopted, as the source writes it (not normalised)."),
            Column("opened", "date", "Date opened for signature."),
            Column("in_force", "date", "Date of entry into force."),
            Column("source_id", "string", nullable=False),
        ),
    ),
    Table(
        "laws",
        title="Laws",
        description="Laws relevant to child protection online, per country.",
        key=("country_iso2", "law", "source_id"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("law", "string", "Name of the law.", nullable=False),
            Column("year", "integer", "Year of the law."),
            Column("kind", "string", "Kind of law."),
            Column("covers_online", "string",
                   "yes or no: whether it covers the online sphere; empty when unknown.", values=YES_NO),
            Column("note", "string"),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
        ),
    ),
    Table(
        "legal_features",
        title="Features of national law",
        description="Yes/no features of each country's law (the ICMEC criteria and others), one row per source.",
        key=("country_iso2", "feature", "source_id"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("feature", "string", "Feature id.", nullable=False),
            Column("value", "string", "yes, no or partial.", values=YES_NO_PARTIAL),
            Column("article", "string", "Where in the law."),
            Column("as_of", "date"),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
            Column("preferred", "boolean"),
            Column("note", "string"),
        ),
    ),
    Table(
        "offences",
        title="Offences and the Directive's floors",
        description=("The common list of offences, the articles that require them and EU Directive 2011/93/EU's floor "
                     "for the maximum penalty."),
        key=("offence",),
        columns=(
            Column("offence", "string", "Offence id.", nullable=False, values=OFFENCES),
            Column("label", "string", "Readable name."),
            Column("lanzarote_article", "string", "Lanzarote Convention article that requires it."),
            Column("directive_article", "string", "Directive 2011/93/EU article."),
            Column("directive_floor", "string", "The Directive's floor for the maximum penalty, as written."),
            Column("source_id", "string", nullable=False),
            Column("floor_max_months", "integer", "That floor in months."),
        ),
    ),
    Table(
        "parity",
        title="Producing against trafficking penalties",
        description=("Per country, the penalty for producing child sexual abuse material against the penalty for "
                     "trafficking in children (minimum and maximum terms); the score is the ratio, capped at 1."),
        columns=(
            Column("country_iso2", "string"),
            Column("indicator", "string"),
            Column("level", "string"),
            Column("jurisdiction", "string"),
            Column("value", "number"),
            Column("score", "number"),
            Column("ratio", "number"),
            Column("producing_months", "number",
                   "The penalty for producing, in months (the minimum or the maximum term, as the indicator says)."),
            Column("trafficking_months", "number",
                   "The penalty for trafficking in children, in months (the same term)."),
            Column("note", "string"),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "penalties",
        title="Penalties in criminal codes",
        description=("Statutory penalties per country, offence and form: one row per offence and provision version (a "
                     "paragraph of a code in one version of its text, as one source gives it), which carries one "
                     "penalty (key: country, jurisdiction, offence, form, provision, as_of, source)."),
        columns=(
            Column("country_iso2", "string"),
            Column("jurisdiction", "string",
                   "The code's territory where a country has several; empty for the whole state."),
            Column("offence", "string", values=OFFENCES),
            Column("form", "string", "basic (what comparisons use) or aggravated.", values=("basic", "aggravated")),
            Column("provision", "string", "The provision id (data/raw/provisions.csv): one paragraph of a code."),
            Column("code", "string", "The law."),
            Column("article", "string", "Article and paragraph."),
            Column("min_months", "integer", "Minimum term of imprisonment in months."),
            Column("max_months", "integer", "Maximum term of imprisonment in months."),
            Column("life", "boolean", "True when life imprisonment is possible."),
            Column("fine", "boolean", "True when a fine is possible."),
            Column("term_used", "string", "The term the law uses for the material."),
            Column("as_of", "date"),
            Column("amending_law", "string",
                   "The law that gave the paragraph this wording, where the source names it."),
            Column("reading", "string",
                   "primary_text (the provision's text or a quotation of its wording) or secondary_claim (a penalty "
                   "stated without the text).", values=("primary_text", "secondary_claim")),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
            Column("preferred", "boolean"),
            Column("disputed", "boolean",
                   "True when sources disagree and no rule settles it; then no row of the fact is preferred."),
            Column("penalty_as_written", "string", "The penalty as the text writes it."),
            Column("note", "string"),
        ),
    ),
    Table(
        "penalty_alignment",
        title="Penalties against the Directive's floors",
        description=("Per country and offence, the national maximum penalty divided by EU Directive 2011/93/EU's floor "
                     "for it; the floor is met when the ratio is at least 1."),
        columns=(
            Column("country_iso2", "string"),
            Column("indicator", "string"),
            Column("level", "string"),
            Column("jurisdiction", "string"),
            Column("value", "number"),
            Column("score", "integer"),
            Column("meets_floor", "boolean",
                   "True when the maximum reaches the Directive's floor (life imprisonment always does)."),
            Column("ratio", "number"),
            Column("max_months", "number"),
            Column("life", "boolean"),
            Column("article", "string"),
            Column("floor_max_months", "integer"),
            Column("directive_article", "string"),
            Column("note", "string"),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "ratification",
        title="Ratification status",
        description="Per comparison country and instrument: signed when, bound when and how, years between.",
        key=("country_iso2", "instrument"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("instrument", "string", nullable=False),
            Column("status", "string", "party, signed, not applicable, or empty when no source records an action."),
            Column("signature_date", "date", "Date of signature."),
            Column("bound_action", "string", "How the state became bound.", values=BINDING_ACTIONS),
            Column("bound_date", "date", "Date it became bound."),
            Column("entry_into_force", "date", "Date of entry into force for it."),
            Column("via_predecessor", "string"),
            Column("years_to_ratify", "number", "Years from signature to ratification."),
            Column("years_precision", "string", "Precision of that figure: year, month or day.", values=PRECISIONS),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "recommendation_tracker",
        title="Recommendation tracker",
        description=("Each of the report's recommendations (config/recommendations.yaml) per comparison country, with "
                     "its status from the scorecard rows of its indicators."),
        columns=(
            Column("recommendation", "string", "Recommendation id (config/recommendations.yaml)."),
            Column("group", "integer",
                   "The paper's group of the recommendation: 1 revising and harmonising the law with international "
                   "standards, 2 technical solutions and infrastructure, 3 human resources, education and public "
                   "awareness."),
            Column("title", "string", "The recommendation, in short."),
            Column("country_iso2", "string"),
            Column("status", "string",
                   "met, partly met or not met on the indicators' scores; unknown while missing data could still "
                   "change it; not measured when no per-country indicator can show it (the toolkit does not "
                   "track it, which is not a gap in the data); not applicable when no indicator applies.",
                   values=("met", "partly met", "not met", "unknown", "not measured", "not applicable")),
            Column("indicators", "string", "The indicators that measure it, separated by ';'; empty when none does."),
            Column("basis", "string", "How many of those indicators have a value on record."),
            Column("criteria", "string",
                   "The written criteria (config/recommendations.yaml): what evidence meets it, partly meets it "
                   "or does not; for a recommendation that is not measured, why no indicator can show it."),
            Column("evidence", "string",
                   "Source ids of the rows behind the status: for met and partly met the indicator cells that "
                   "meet the criterion (or the part met), for not met those that fail it; empty otherwise."),
            Column("source_ids", "string", "Source ids of every indicator cell on record for it."),
        ),
    ),
    Table(
        "scorecard",
        title="Scorecard",
        description="Each indicator's value and score per country.",
        key=("country_iso2", "indicator"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("indicator", "string", nullable=False),
            Column("value", "string"),
            Column("score", "number", "The indicator's score."),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "sources",
        title="Sources",
        description="Every source a row cites, with its address and the date it was read.",
        key=("source_id",),
        columns=(
            Column("source_id", "string", "Short unique id of the source.", nullable=False),
            Column("kind", "string", "primary or secondary.", values=("primary", "secondary")),
            Column("type", "string",
                   "What sort of source it is (data/raw/source_kinds.csv): treaty_depositary, official_text and "
                   "own_statistics are primary; study and copy are secondary."),
            Column("author", "string", "Person(s) or body."),
            Column("title", "string", "Title of the document or page."),
            Column("publisher", "string", "Publisher, where not the author."),
            Column("year", "integer", "Year of publication."),
            Column("url", "string", "Address where it was read."),
            Column("accessed", "date", "Date it was read."),
            Column("csl_type", "string", "Citation type for citeproc."),
            Column("container", "string", "Journal or book title."),
            Column("note", "string", "What a reader must know about the source."),
            Column("language", "string", "Language of the title (BCP 47), where not English."),
            Column("short_title", "string", "What a citation prints for a source cited by its title, where the "
                                            "title is long."),
        ),
    ),
    Table(
        "statistics",
        title="Statistics and indices",
        description=("Figures per country or area, one row per source (key: scope, area, country, indicator, year, "
                     "source)."),
        columns=(
            Column("country_iso2", "string"),
            Column("scope", "string", "country, region or global.", values=("country", "region", "global")),
            Column("area", "string", "The area, for a figure about an area."),
            Column("indicator", "string"),
            Column("year", "integer", "The year the figure describes."),
            Column("value", "number", "The number."),
            Column("unit", "string", "Unit of the value."),
            Column("out_of", "integer", "For ranks, the number of countries ranked."),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
            Column("preferred", "boolean"),
            Column("note", "string"),
        ),
    ),
    Table(
        "searches",
        title="Search log",
        description="Every search made for a missing fact: where it was looked for, when, and what came of it.",
        columns=(
            Column("table", "string", "The fact table of the missing fact (as gaps.csv's table).", nullable=False),
            Column("country_iso2", "string"),
            Column("key", "string", "The gap's key as in gaps.csv, or * for every key of the table and country.",
                   nullable=False),
            Column("searched_on", "date", "Date of the search.", nullable=False),
            Column("where", "string", "What was searched.", nullable=False),
            Column("outcome", "string", "not_reached (the source was not returned or was cut before the fact), "
                                        "not_stated (read, and it does not state it) or found.",
                   nullable=False, values=SEARCH_OUTCOMES),
        ),
    ),
    Table(
        "strategies",
        title="Strategies",
        description="National strategies and action plans, per country.",
        columns=(
            Column("country_iso2", "string"),
            Column("title", "string", "Title of the strategy."),
            Column("start_year", "integer", "First year."),
            Column("end_year", "integer", "Last year."),
            Column("field", "string", "Field of the strategy."),
            Column("addresses_children_online", "string",
                   "yes or no: whether it addresses children online; empty when unknown.", values=YES_NO),
            Column("educates_public", "string",
                   "yes or no: whether it provides for educating children, parents or the public about sexual "
                   "abuse and exploitation of children; empty when unknown.", values=YES_NO),
            Column("note", "string"),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
        ),
    ),
    Table(
        "terminology",
        title="Deprecated terms",
        description="Terms the Luxembourg Terminology Guidelines advise against, and what to say instead.",
        key=("term",),
        columns=(
            Column("term", "string", "The deprecated term, lower case.", nullable=False),
            Column("preferred", "string", "What to say instead."),
            Column("status", "string", "avoid or never_use.", values=("avoid", "never_use")),
            Column("source_id", "string", nullable=False),
        ),
    ),
    Table(
        "terminology_use",
        title="Terminology in the law",
        description=("Per country, and per code where a country has several, whether the law still calls the material "
                     "pornography (yes scores 0, no scores 1)."),
        columns=(
            Column("country_iso2", "string"),
            Column("indicator", "string"),
            Column("level", "string"),
            Column("jurisdiction", "string"),
            Column("value", "string"),
            Column("score", "integer"),
            Column("terms", "string", "The terms the law uses for the material, separated by ' | '."),
            Column("note", "string"),
            Column("source_ids", "string"),
        ),
    ),
    Table(
        "treaty_actions",
        title="Treaty actions",
        description="Signatures, ratifications, accessions, successions and entries into force, one row per source.",
        key=("country_iso2", "instrument", "action", "source_id"),
        columns=(
            Column("country_iso2", "string", nullable=False),
            Column("instrument", "string", nullable=False),
            Column("action", "string",
                   "signature, ratification, accession, succession or entry_into_force.",
                   nullable=False, values=ACTIONS),
            Column("date", "date", "Date of the action; ISO 8601 at the source's precision."),
            Column("date_precision", "string", "year, month or day.", values=PRECISIONS),
            Column("source_id", "string", nullable=False),
            Column("source_kind", "string", values=("primary", "secondary")),
            Column("preferred", "boolean"),
            Column("via_predecessor", "string"),
            Column("country", "string", "The state as the source names it."),
            Column("date_as_written", "string", "The date as the source writes it."),
            Column("note", "string"),
        ),
    ),
    Table(
        "uniformity",
        title="Spread of maximum penalties",
        description="Per offence, how far apart the comparison countries' maximum penalties lie.",
        columns=(
            Column("indicator", "string"),
            Column("offence", "string"),
            Column("n_countries", "integer", "Countries with a known maximum penalty."),
            Column("countries", "string", "Those countries, separated by ';'."),
            Column("countries_missing", "string", "The countries with no known maximum, separated by ';'."),
            Column("min_months", "integer", "The lowest of the maxima, in months."),
            Column("max_months", "integer", "The highest of the maxima, in months."),
            Column("range_months", "integer", "Highest minus lowest, in months (two countries or more)."),
            Column("mean_months", "number", "Mean of the maxima, in months, to three decimals."),
            Column("cv", "number",
                   "Coefficient of variation of the maxima (population standard deviation over the mean), to four "
                   "decimals (two countries or more)."),
            Column("median_months", "number", "Median of the maxima, in months."),
            Column("furthest", "string",
                   "The country whose maximum lies furthest from the median (ties separated by ';'; three countries or "
                   "more)."),
            Column("furthest_deviation_months", "number", "That distance from the median, in months."),
            Column("source_ids", "string"),
        ),
    ),
)

TABLES: dict[str, Table] = {table.name: table for table in _TABLES}


class UndeclaredTableError(TomasError):
    """A processed table was written that tables.py does not declare."""

    def __init__(self, name: str) -> None:
        super().__init__(f"processed table {name!r} has no declaration: add a Table for it to "
                         "src/tomas_pipeline/sources/tables.py (see docs/architecture.md)")


def _checks(column: Column) -> list[pa.Check]:
    # Each check's error is the wording the user reads after "expected".
    checks = []
    if column.type == "integer":
        checks.append(pa.Check.str_matches(INTEGER_PATTERN, error="an integer"))
    elif column.type == "number":
        checks.append(pa.Check.str_matches(NUMBER_PATTERN, error="a number"))
    elif column.type == "boolean":
        checks.append(pa.Check.isin(list(BOOLEAN_VALUES), error="True or False"))
    elif column.type == "date":
        checks.append(pa.Check.str_matches(DATE_PATTERN, error="an ISO date: YYYY, YYYY-MM or YYYY-MM-DD"))
    if column.values is not None:
        checks.append(pa.Check.isin(list(column.values), error="one of: " + ", ".join(column.values)))
    return checks


def pandera_schema(table: Table) -> pa.DataFrameSchema:
    """The table's shape as a pandera schema over the cells as written (text, empty = missing)."""
    columns = {c.name: pa.Column("string", nullable=c.nullable, checks=_checks(c)) for c in table.columns}
    return pa.DataFrameSchema(columns, strict=True, ordered=True, unique=list(table.key) or None,
                              name=table.name, coerce=False)


_DECLARED = "as declared for table {table} in src/tomas_pipeline/sources/tables.py"


def _errors(exc: pandera.errors.SchemaErrors, path: Path | str, table: Table,
            cells: pd.DataFrame) -> list[TomasInputError]:
    where = _DECLARED.format(table=table.name)
    found: list[TomasInputError] = []
    for record in exc.failure_cases.to_dict("records"):
        check = str(record.get("check"))
        column = None if pd.isna(record.get("column")) else str(record.get("column"))
        value = record.get("failure_case")
        index = record.get("index")
        row = None if index is None or pd.isna(index) else spreadsheet_row(index)
        if check.startswith("column_in_schema"):
            column, row, expected = str(value), 1, f"only the columns {table.names} ({where})"
        elif check.startswith("column_in_dataframe"):
            column, row, expected = str(value), 1, f"this column ({where})"
        elif check.startswith("column_ordered"):
            column, row, expected = str(value), 1, f"the columns in the order {table.names} ({where})"
        elif check.startswith("not_nullable"):
            expected = f"a value: the column may not be empty ({where})"
        elif check.startswith("multiple_fields_uniqueness"):
            column = ", ".join(table.key)
            value = " | ".join(str(cells.at[index, c]) for c in table.key)
            expected = f"a unique key ({column}); another row has the same ({where})"
        else:
            expected = f"{check} ({where})"
        found.append(TomasInputError(path, row, column, None if pd.isna(value) else value, expected))
    seen: set[tuple[int | None, str | None]] = set()
    unique = []
    for error in found:
        if (error.row, error.column) not in seen:
            seen.add((error.row, error.column))
            unique.append(error)
    return sorted(unique, key=lambda e: (e.row or 0, e.column or ""))


def check_cells(name: str, data: bytes, path: Path | str) -> None:
    """Check a processed table's CSV bytes against its declaration; raises naming file, row, column, value."""
    if name not in TABLES:
        raise UndeclaredTableError(name)
    table = TABLES[name]
    cells = pd.read_csv(io.BytesIO(data), dtype="string", keep_default_na=False, na_values=[""])
    try:
        pandera_schema(table).validate(cells, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        errors = _errors(exc, path, table, cells)
        if len(errors) == 1:
            raise errors[0] from None
        raise TomasInputErrors(errors) from None


def write_table(name: str, frame: pd.DataFrame, path: Path | str) -> None:
    """Write processed table ``name`` once its cells, as written, match its declaration."""
    data = frame_to_csv_bytes(frame)
    check_cells(name, data, path)
    atomic_write_bytes(path, data)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def dictionary() -> str:
    """The data dictionary (docs/data-dictionary.md): every processed table and column."""
    lines = ["# Data dictionary: `data/processed/`", "",
             "Generated from `src/tomas_pipeline/sources/tables.py` by `python -m tomas_pipeline.sources.tables`; "
             "do not edit by hand.",
             "Types are as the CSV writes them: `date` is ISO 8601 at the source's precision (YYYY, YYYY-MM or "
             "YYYY-MM-DD), `boolean` is True or False, an empty cell is missing.", ""]
    for table in _TABLES:
        lines += [f"## `{table.name}.csv`" + (f": {table.title}" if table.title else ""), ""]
        if table.description:
            lines += [table.description, ""]
        if table.key:
            lines += ["Key: " + ", ".join(f"`{c}`" for c in table.key) + ".", ""]
        if table.foreign_keys:
            lines += ["References: " + ", ".join(f"`{c}` → `{t}.{f}`" for c, t, f in table.foreign_keys) + ".", ""]
        lines += ["| column | type | may be empty | allowed values | description |", "|---|---|---|---|---|"]
        for column in table.columns:
            allowed = ", ".join(f"`{v}`" for v in column.values) if column.values else ""
            lines.append(f"| `{column.name}` | {column.type} | {'yes' if column.nullable else 'no'} | {allowed} | "
                         f"{_cell(column.meaning or '')} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(dictionary(), end="")
