"""The processed tables as a Frictionless data package (``datapackage.json``).

Every CSV gets a Table Schema: field types read from the data (so the schema
always fits what ships), descriptions and keys from the dictionary below, and
foreign keys to the country register, the instruments, the offences and the
sources. A table the dictionary does not know yet still ships, with inferred
types; add it to ``TABLES`` to give it descriptions and a key.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from tomas_pipeline.io import read_processed, sha256_file

# The facts are compiled from the cited sources; the compilation is offered
# under CC BY 4.0 (the code is MIT). Each source keeps its own terms.
DATA_LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
                "path": "https://creativecommons.org/licenses/by/4.0/"}

# ISO 8601 at the precision the source gives: YYYY, YYYY-MM or YYYY-MM-DD.
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
DATE_COLUMNS = {"date", "as_of", "established", "opened", "in_force", "signature_date", "bound_date",
                "entry_into_force", "accessed"}
TEXT_COLUMNS = {"iso2", "iso3", "numeric", "country_iso2", "article", "lanzarote_article", "directive_article"}

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

TABLES: dict[str, dict] = {
    "countries": {
        "title": "Country register",
        "description": "Every ISO 3166-1 country (pycountry's iso-codes data) and Kosovo, with the build's focus "
                       "and comparison sets.",
        "primaryKey": ["iso2"],
        "fields": {"iso2": "ISO 3166-1 alpha-2 code.", "iso3": "ISO 3166-1 alpha-3 code.",
                   "numeric": "ISO 3166-1 numeric code, as text (008).",
                   "name": "English short name the report prints.",
                   "iso_name": "ISO's English short name.", "official_name": "Full official name.",
                   "user_assigned": "True for a code outside ISO 3166-1 proper (Kosovo).",
                   "focus": "True for the countries the report focuses on.",
                   "comparison": "True for the countries shown in regional comparisons.",
                   "order": "Position in the report's country order; empty for others."},
    },
    "sources": {
        "title": "Sources",
        "description": "Every source a row cites, with its address and the date it was read.",
        "primaryKey": ["source_id"],
        "fields": {"source_id": "Short unique id of the source.", "kind": "primary or secondary.",
                   "type": "What sort of source it is (data/raw/source_kinds.csv): treaty_depositary, "
                           "official_text and own_statistics are primary; study and copy are secondary.",
                   "author": "Person(s) or body.", "title": "Title of the document or page.",
                   "publisher": "Publisher, where not the author.", "year": "Year of publication.",
                   "url": "Address where it was read.", "accessed": "Date it was read.",
                   "csl_type": "Citation type for citeproc.", "container": "Journal or book title.",
                   "note": "What a reader must know about the source.",
                   "language": "Language of the title (BCP 47), where not English."},
    },
    "instruments": {
        "title": "International instruments",
        "description": "The treaties and conventions the laws are compared against.",
        "primaryKey": ["instrument_id"],
        "fields": {"instrument_id": "Instrument id.", "short_name": "Short name.", "title": "Official title.",
                   "body": "UN or Council of Europe.", "reference": "Treaty series number.",
                   "adopted": "Date the text was adopted, as the source writes it (not normalised).",
                   "opened": "Date opened for signature.", "in_force": "Date of entry into force."},
    },
    "offences": {
        "title": "Offences and the Directive's floors",
        "description": "The common list of offences, the articles that require them and EU Directive 2011/93/EU's "
                       "floor for the maximum penalty.",
        "primaryKey": ["offence"],
        "fields": {"offence": "Offence id.", "label": "Readable name.",
                   "lanzarote_article": "Lanzarote Convention article that requires it.",
                   "directive_article": "Directive 2011/93/EU article.",
                   "directive_floor": "The Directive's floor for the maximum penalty, as written.",
                   "floor_max_months": "That floor in months."},
    },
    "terminology": {
        "title": "Deprecated terms",
        "description": "Terms the Luxembourg Terminology Guidelines advise against, and what to say instead.",
        "primaryKey": ["term"],
        "fields": {"term": "The deprecated term, lower case.", "preferred": "What to say instead.",
                   "status": "avoid or never_use."},
    },
    "treaty_actions": {
        "title": "Treaty actions",
        "description": "Signatures, ratifications, accessions, successions and entries into force, one row per source.",
        "primaryKey": ["country_iso2", "instrument", "action", "source_id"],
        "fields": {"action": "signature, ratification, accession, succession or entry_into_force.",
                   "date": "Date of the action; ISO 8601 at the source's precision.",
                   "date_precision": "year, month or day.", "country": "The state as the source names it.",
                   "date_as_written": "The date as the source writes it."},
    },
    "penalties": {
        "title": "Penalties in criminal codes",
        "description": "Statutory penalties per country, offence and form: one row per offence and provision "
                       "version (a paragraph of a code in one version of its text, as one source gives it), "
                       "which carries one penalty (key: country, jurisdiction, offence, form, provision, as_of, "
                       "source).",
        "fields": {"provision": "The provision id (data/raw/provisions.csv): one paragraph of a code.",
                   "amending_law": "The law that gave the paragraph this wording, where the source names it.",
                   "reading": "primary_text (the provision's text or a quotation of its wording) or "
                              "secondary_claim (a penalty stated without the text).",
                   "disputed": "True when sources disagree and no rule settles it; then no row of the fact is "
                               "preferred.",
                   "jurisdiction": "The code's territory where a country has several; empty for the whole state.",
                   "form": "basic (what comparisons use) or aggravated.", "code": "The law.",
                   "article": "Article and paragraph.", "min_months": "Minimum term of imprisonment in months.",
                   "max_months": "Maximum term of imprisonment in months.",
                   "life": "True when life imprisonment is possible.", "fine": "True when a fine is possible.",
                   "term_used": "The term the law uses for the material.",
                   "penalty_as_written": "The penalty as the text writes it."},
    },
    "legal_features": {
        "title": "Features of national law",
        "description": "Yes/no features of each country's law (the ICMEC criteria and others), one row per source.",
        "primaryKey": ["country_iso2", "feature", "source_id"],
        "fields": {"feature": "Feature id.", "value": "yes, no or partial.", "article": "Where in the law."},
    },
    "laws": {
        "title": "Laws",
        "description": "Laws relevant to child protection online, per country.",
        "primaryKey": ["country_iso2", "law", "source_id"],
        "fields": {"law": "Name of the law.", "year": "Year of the law.", "kind": "Kind of law.",
                   "covers_online": "yes or no: whether it covers the online sphere; empty when unknown."},
    },
    "strategies": {
        "title": "Strategies",
        "description": "National strategies and action plans, per country.",
        "fields": {"title": "Title of the strategy.", "start_year": "First year.", "end_year": "Last year.",
                   "field": "Field of the strategy.",
                   "addresses_children_online": "yes or no: whether it addresses children online; empty when unknown."},
    },
    "institutions": {
        "title": "Institutions",
        "description": "Police, prosecution and court units, hotlines, ECPAT members and contact points.",
        "primaryKey": ["country_iso2", "kind", "name", "source_id"],
        "fields": {"name": "Name of the body.", "kind": "Kind of body.", "parent": "The body it belongs to.",
                   "established": "Date established.", "inhope_member": "yes or no (hotlines only).",
                   "inhope_since": "Year it joined INHOPE.", "url": "Its web address.",
                   "exists": "yes, or no when the source states that the country has no such body.",
                   "body": "Which body the row is about: 'national hotline' for every row on a country's hotline "
                           "(one per country, however a source spells it), else the name."},
    },
    "statistics": {
        "title": "Statistics and indices",
        "description": "Figures per country or area, one row per source "
                       "(key: scope, area, country, indicator, year, source).",
        "fields": {"scope": "country, region or global.", "area": "The area, for a figure about an area.",
                   "year": "The year the figure describes.", "value": "The number.", "unit": "Unit of the value.",
                   "out_of": "For ranks, the number of countries ranked."},
    },
    "ratification": {
        "title": "Ratification status",
        "description": "Per comparison country and instrument: signed when, bound when and how, years between.",
        "primaryKey": ["country_iso2", "instrument"],
        "fields": {"status": "party, signed, not applicable, or empty when no source records an action.",
                   "signature_date": "Date of signature.", "bound_action": "How the state became bound.",
                   "bound_date": "Date it became bound.", "entry_into_force": "Date of entry into force for it.",
                   "years_to_ratify": "Years from signature to ratification.",
                   "years_precision": "Precision of that figure: year, month or day."},
    },
    "scorecard": {
        "title": "Scorecard",
        "description": "Each indicator's value and score per country.",
        "primaryKey": ["country_iso2", "indicator"],
        "fields": {"score": "The indicator's score."},
    },
    "index": {
        "title": "Composite index",
        "description": "Per comparison country, each pillar's score and the index under the chosen method "
                       "(config/indicators.yaml, block index), with coverage and rank.",
        "primaryKey": ["country_iso2", "component"],
        "fields": {"component": "A pillar id, or index for the total.", "label": "Readable name of the component.",
                   "weight": "Pillar weight, scaled so the pillar weights sum to 1 (1 for the index row).",
                   "score": "Score from 0 to 1; empty when no indicator of the component counts.",
                   "indicators_scored": "Indicators of the component with a score from a source.",
                   "indicators_applicable": "Indicators of the component that apply to the country.",
                   "coverage": "indicators_scored / indicators_applicable.",
                   "complete": "Index row: True when coverage reaches the method's minimum, so the country is "
                               "ranked.",
                   "rank": "Index row: rank among the complete countries (1 = highest score); empty otherwise.",
                   "aggregation": "arithmetic or geometric mean of the pillar scores.",
                   "missing_rule": "How a missing score counts: excluded_and_reweighted, scored_as_not_met or "
                                   "imputed_from_region."},
    },
    "index_weights": {
        "title": "Composite index: pillars and weights",
        "description": "The method of the index as a table: each scored indicator's pillar, its weight within "
                       "the pillar and the pillar's weight, both scaled to sum to 1.",
        "primaryKey": ["indicator"],
        "fields": {"pillar": "Pillar id.", "pillar_label": "Pillar name.", "pillar_weight": "Weight of the pillar.",
                   "indicator_label": "Indicator name.", "indicator_weight": "Weight within the pillar."},
    },
    "index_sensitivity": {
        "title": "Composite index under other choices",
        "description": "Each country's index and rank under every missing-data rule, both aggregations and "
                       "with each pillar left out.",
        "primaryKey": ["scenario_kind", "scenario", "country_iso2"],
        "fields": {"scenario_kind": "chosen, missing_rule, aggregation or drop_pillar.",
                   "scenario": "The rule, aggregation or pillar left out.",
                   "complete": "True when the country is ranked.",
                   "rank": "Rank among the complete countries under this scenario (1 = highest); empty otherwise."},
    },
    "index_stability": {
        "title": "Composite index: rank stability under random weights",
        "description": "Per country, the rank under the chosen weights and its distribution over Dirichlet draws "
                       "of the weights (seeded, so reproducible), with a verdict on robustness.",
        "primaryKey": ["country_iso2"],
        "fields": {"complete": "True when the country is ranked.",
                   "rank": "Rank under the chosen method (1 = highest score); empty when not ranked.",
                   "rank_median": "Median rank over the draws.", "rank_p05": "5th percentile of the rank.",
                   "rank_p95": "95th percentile of the rank.", "share_first": "Share of draws ranking it first.",
                   "share_last": "Share of draws ranking it last.",
                   "score_p05": "5th percentile of the index.", "score_median": "Median index.",
                   "score_p95": "95th percentile of the index.",
                   "scenario_rank_min": "Best rank under the alternatives of index_sensitivity.csv.",
                   "scenario_rank_max": "Worst rank under those alternatives.",
                   "scenarios_moving_rank": "The alternatives that change its rank, as kind:scenario.",
                   "draws": "Number of weight draws.",
                   "verdict": "robust, sensitive to weights, sensitive to method choices, both, or not ranked."},
    },
    "changes": {
        "title": "Changes since the previous release",
        "description": "What changed in the findings since the previous release, one sentence each.",
        "fields": {"kind": "world (the world changed) or correction (the data about the same moment changed).",
                   "table": "The table the finding comes from.", "sentence": "The change in plain words."},
    },
}

# Foreign keys to add wherever the column and the referenced table are both there.
REFERENCES = {"country_iso2": ("countries", "iso2"), "source_id": ("sources", "source_id"),
              "instrument": ("instruments", "instrument_id"), "offence": ("offences", "offence")}


_INTEGER = r"-?\d+"
_NUMBER = r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"


def _field_type(name: str, column: pd.Series) -> dict:
    """A Table Schema type that fits every cell as written (``column`` is text),
    so "36.0" is a number, never an integer."""
    if name in DATE_COLUMNS:
        return {"type": "string", "constraints": {"pattern": DATE_PATTERN}}
    values = column.dropna()
    if name in TEXT_COLUMNS or values.empty:
        return {"type": "string"}
    if values.isin(["True", "False"]).all():
        return {"type": "boolean"}
    if values.str.fullmatch(_INTEGER).all():
        return {"type": "integer"}
    if values.str.fullmatch(_NUMBER).all():
        return {"type": "number"}
    return {"type": "string"}


def table_schema(name: str, frame: pd.DataFrame, available: set[str]) -> dict:
    meta = TABLES.get(name, {})
    descriptions = {**COMMON_FIELDS, **meta.get("fields", {})}
    fields = []
    for column in frame.columns:
        field = {"name": column, **_field_type(column, frame[column])}
        if column in descriptions:
            field["description"] = descriptions[column]
        fields.append(field)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if meta.get("primaryKey"):
        schema["primaryKey"] = meta["primaryKey"]
    foreign = []
    for column, (target, target_field) in REFERENCES.items():
        if column in frame.columns and target in available and not (target == name and column == target_field):
            foreign.append({"fields": column, "reference": {"resource": target, "fields": target_field}})
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _source_entries(sources: pd.DataFrame) -> list[dict]:
    out = []
    for row in sources.to_dict("records"):
        year = f" ({int(row['year'])})" if pd.notna(row.get("year")) else ""
        entry = {"title": f"{row['author']}: {row['title']}{year} [{row['source_id']}]"}
        if isinstance(row.get("url"), str) and row["url"].startswith(("http://", "https://")):
            entry["path"] = row["url"]
        out.append(entry)
    return out


def build_descriptor(folder: Path | str, data_subdir: str, version: str, epoch: int) -> dict:
    """The descriptor for every CSV in ``folder/data_subdir``; paths relative to ``folder``."""
    folder = Path(folder)
    files = sorted((folder / data_subdir).glob("*.csv"))
    names = [p.stem for p in files]
    available = set(names)
    resources = []
    for path in files:
        # As text: the schema must fit the cells as written, whatever pandas would infer.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        meta = TABLES.get(path.stem, {})
        resource = {
            "name": path.stem,
            "path": f"{data_subdir}/{path.name}",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": path.stat().st_size,
            "hash": "sha256:" + sha256_file(path),
            "schema": table_schema(path.stem, frame, available),
        }
        for key in ("title", "description"):
            if key in meta:
                resource[key] = meta[key]
        resources.append(resource)
    created = dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sources = read_processed(folder / data_subdir / "sources.csv") if "sources" in available else pd.DataFrame()
    return {
        "profile": "tabular-data-package",
        "name": "tomas-toolkit-data",
        "title": "TOMAS toolkit: processed data on CSAM legislation in the Western Balkans",
        "description": "The tables behind the TOMAS report: treaty actions, penalties, features of law, "
                       "institutions and statistics for Serbia, Albania, North Macedonia and their neighbours, "
                       "each row citing its source (sources.csv).",
        "version": version,
        "created": created,
        "contributors": [{"title": "TOMAS toolkit contributors", "role": "author"}],
        "licenses": [DATA_LICENCE],
        "sources": _source_entries(sources) if len(sources) else [],
        "resources": resources,
    }
