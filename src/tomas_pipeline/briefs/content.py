"""One country brief as Pandoc Markdown, from the processed tables, in one language.

Every word of a brief that is not data comes from the catalogs (``t._`` and
``t.n``, see i18n.py); names of laws and institutions are data and are shown as
the sources write them, escaped. A value the tables do not have is the
translated "no data", never a sentence about it. The stamp (version, date,
commit, data hash) is passed in: a brief never reads the clock.
"""

from __future__ import annotations

import datetime as dt
import gettext
import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pycountry

from tomas_pipeline.briefs.i18n import FALLBACK_MARK, Translator
from tomas_pipeline.core.errors import TomasError
from tomas_pipeline.core.io import read_processed, read_raw_csv
from tomas_pipeline.figures.charts import country_penalties_alt, country_penalty_rows
from tomas_pipeline.metrics.method import load_indicators
from tomas_pipeline.metrics.scorecard import SCORE_CATEGORIES, score_counts
from tomas_pipeline.release.changes import NO_PREVIOUS_NOTE, NO_RELEASE_NOTE
from tomas_pipeline.release.citation import CITATION_FILE, formatted_citation, load_citation
from tomas_pipeline.reporting.text import escape, is_missing, md_table
from tomas_pipeline.sources.schemas import INSTRUMENTS, stated_absent
from tomas_pipeline.sources.vocabulary import FEATURE_LABELS, FIELD_LABELS

TABLES = ("countries", "ratification", "scorecard", "penalty_alignment", "institutions", "recommendation_tracker",
          "conflicts", "gaps", "instruments", "statistics", "changes", "strategies")
OFFENCES = ("producing", "offering", "distributing", "procuring", "possessing", "accessing", "grooming")
# iso-codes' locale for each brief language (pycountry's translations of ISO names); it has none for
# Montenegrin (cnr), whose names are the register's rows alone.
_ISO_LOCALE = {"sr_Cyrl": "sr", "sr_Latn": "sr@latin", "sq": "sq", "mk": "mk", "bs": "bs", "hr": "hr"}


class BriefError(TomasError):
    """A brief that cannot be made from these inputs."""


@dataclass(frozen=True)
class Stamp:
    version: str
    date: dt.date
    commit: str
    data_hash: str


@dataclass
class BriefData:
    tables: dict[str, pd.DataFrame]
    indicators: list[dict]
    names: pd.DataFrame | None  # data/raw/country_names.csv
    changes_note: str | None = None  # changes.provenance.json's note: what the changes were compared with
    citation: dict | None = None  # CITATION.cff

    @classmethod
    def load(cls, processed: Path | str, method: Path | str, raw: Path | str | None = None,
             citation: Path | str | None = None) -> BriefData:
        """`citation` defaults to CITATION.cff beside the method's config/ folder (the repository root)."""
        processed = Path(processed)
        tables = {}
        for name in TABLES:
            path = processed / f"{name}.csv"
            if not path.is_file():
                raise BriefError(f"{path}: missing; a brief is made from the processed tables (run the pipeline)")
            tables[name] = read_processed(path)
        names_path = Path(raw) / "country_names.csv" if raw is not None else None
        names = read_raw_csv(names_path) if names_path is not None and names_path.is_file() else None
        note_path = processed / "changes.provenance.json"
        note = json.loads(note_path.read_text(encoding="utf-8")).get("note") if note_path.is_file() else None
        citation = Path(citation) if citation is not None else Path(method).parent.parent / CITATION_FILE
        if not citation.is_file():
            raise BriefError(f"{citation}: missing; the brief's 'How to cite' is made from the project's CITATION.cff")
        return cls(tables, load_indicators(method), names, note, load_citation(citation))

    def region(self) -> list[str]:
        """The comparison countries, in the report's order: the region a country is set beside."""
        frame = self.tables["countries"]
        frame = frame[frame["comparison"].astype(str) == "True"].sort_values("order")
        return list(frame["iso2"])


def cell(t: Translator, value: object) -> str:
    """A data value as escaped Markdown; a missing one is the translated 'no data'."""
    return t._("no data") if is_missing(value) else escape(value)


def country_name(data: BriefData, iso2: str, t: Translator) -> str:
    """The country's name in the brief's language and script: the register's local name,
    else iso-codes' translation, else the English name marked as untranslated."""
    countries = data.tables["countries"].set_index("iso2")
    if iso2 not in countries.index:
        raise BriefError(f"countries.csv: no country with iso2 {iso2!r}")
    english = str(countries.at[iso2, "name"])
    if t.lang.language == "en":
        return english
    if data.names is not None:
        rows = data.names[(data.names["iso2"] == iso2) & (data.names["language"] == t.lang.language)
                          & (data.names["script"] == t.lang.script) & (data.names["kind"] == "local")]
        if not rows.empty:
            # The project's own choice (a curated row) over CLDR's, e.g. Albanian's definite "Shqipëria".
            rows = rows.assign(_cldr=rows["source_id"] == "cldr").sort_values("_cldr", kind="stable")
            return str(rows.iloc[0]["name"])
    iso_locale = _ISO_LOCALE.get(t.code)
    country = pycountry.countries.get(alpha_2=iso2)
    if iso_locale and country is not None:
        catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[iso_locale], fallback=True)
        translated = catalog.gettext(country.name)
        if translated != country.name:
            return translated
    return english + FALLBACK_MARK


def instrument_name(t: Translator, instrument: str, fallback: object) -> str:
    names = {
        "uncrc": t._("UN Convention on the Rights of the Child"),
        "opsc": t._("Optional Protocol on the sale of children, child prostitution and child pornography"),
        "palermo": t._("Palermo Protocol on trafficking in persons"),
        "lanzarote": t._("Lanzarote Convention"),
        "budapest": t._("Budapest Convention on Cybercrime"),
        "warsaw": t._("Warsaw Convention on Action against Trafficking in Human Beings"),
    }
    if instrument in names:
        return names[instrument]
    return cell(t, fallback) + FALLBACK_MARK


def offence_name(t: Translator, offence: str) -> str:
    names = {
        "producing": t._("Producing"),
        "offering": t._("Offering or making available"),
        "distributing": t._("Distributing or transmitting"),
        "procuring": t._("Procuring for oneself or another"),
        "possessing": t._("Possessing"),
        "accessing": t._("Knowingly obtaining access"),
        "grooming": t._("Solicitation of children (grooming)"),
    }
    return names.get(offence, escape(offence) + FALLBACK_MARK)


def action_name(t: Translator, action: object) -> str:
    names = {"ratification": t._("ratification"), "accession": t._("accession"),
             "succession": t._("succession"), "acceptance": t._("acceptance"), "approval": t._("approval")}
    if is_missing(action):
        return t._("no data")
    return names.get(str(action), escape(action) + FALLBACK_MARK)


def date_cell(t: Translator, value: object) -> str:
    """A date that never wraps: no-break spaces, which also keep "21. мај" from reading as
    a numbered list item in Pandoc's Typst output."""
    if is_missing(value):
        return t._("no data")
    try:
        return escape(t.date(str(value))).replace(" ", "\u00a0")
    except ValueError:
        return escape(value)


def sources_cell(t: Translator, value: object) -> str:
    """Source ids 'a;b' as 'a; b', so a narrow cell can wrap between them."""
    if is_missing(value):
        return t._("no data")
    return "; ".join(escape(s.strip()) for s in str(value).split(";") if s.strip())


def duration(t: Translator, months: object, life: object = False) -> str:
    """A prison term: '5 years', '1 year 6 months', 'life imprisonment'; 'no data' when missing."""
    if not is_missing(life) and str(life) == "True":
        return t._("life imprisonment")
    if is_missing(months):
        return t._("no data")
    total = round(float(cast(Any, months)))  # a number, or its text (checked missing above)
    years, rest = divmod(total, 12)
    parts = []
    if years:
        parts.append(t.n("{n} year", "{n} years", years).format(n=t.number(years)))
    if rest or not years:
        parts.append(t.n("{n} month", "{n} months", rest).format(n=t.number(rest)))
    return " ".join(parts)


def _table(frame: pd.DataFrame, widths: tuple[int, ...] | None = None) -> str:
    """Every cell is already escaped Markdown here; md_table escapes the header.

    `widths` are relative column widths: Pandoc reads them from the dashes of a pipe
    table's separator line, so a long sentence gets its room instead of an equal share."""
    text = md_table(frame, raw=tuple(frame.columns))
    if widths is None:
        return text
    lines = text.split("\n")
    lines[1] = "|" + "|".join("-" * (3 * w) for w in widths) + "|"
    return "\n".join(lines)


def instruments_section(data: BriefData, iso2: str, t: Translator) -> str:
    rat = data.tables["ratification"]
    rows = rat[rat["country_iso2"] == iso2]
    titles = data.tables["instruments"].set_index("instrument_id")["short_name"].to_dict()
    out = []
    for _, row in rows.iterrows():
        bound = t._("no data") if is_missing(row["bound_date"]) else (
            f"{date_cell(t, row['bound_date'])} ({action_name(t, row['bound_action'])})")
        out.append({t._("Instrument"): instrument_name(t, row["instrument"], titles.get(row["instrument"])),
                    t._("Signature"): date_cell(t, row["signature_date"]),
                    t._("Consent to be bound"): bound,
                    t._("Entry into force"): date_cell(t, row["entry_into_force"])})
    if not out:
        return t._("The tables hold no treaty record for this country.") + "\n"
    return _table(pd.DataFrame(out))


def scorecard_counts(data: BriefData, iso2: str) -> tuple[dict[str, int], dict[str, float]]:
    """The country's count per score category (metrics.score_counts, the paper's count)
    and the median of the same count over the region's countries."""
    region = data.region()
    if iso2 not in region:
        region = [*region, iso2]
    counts = score_counts(data.tables["scorecard"], data.indicators, region).set_index("country_iso2")
    own = {c: int(cast(Any, counts.at[iso2, c])) for c in SCORE_CATEGORIES}  # counts are integers
    median = {c: float(statistics.median(counts[c].astype(int))) for c in SCORE_CATEGORIES}
    return own, median


def category_name(t: Translator, category: str) -> str:
    return {"met": t._("met"), "partly met": t._("partly met"), "not met": t._("not met"),
            "no data": t._("no data"), "not applicable": t._("not applicable")}[category]


def scorecard_section(data: BriefData, iso2: str, t: Translator, name: str) -> str:
    own, median = scorecard_counts(data, iso2)
    scored = sum(own.values())
    intro = t.n("The scorecard codes {n} indicator against the paper's benchmarks.",
                "The scorecard codes {n} indicators against the paper's benchmarks.", scored).format(
        n=t.number(scored))
    frame = pd.DataFrame([{t._("Indicators"): category_name(t, c), name: t.number(own[c]),
                           t._("Regional median"): t.number(median[c], 1 if median[c] % 1 else 0)}
                          for c in SCORE_CATEGORIES])
    return intro + "\n\n" + _table(frame)


def penalty_spread(t: Translator, low: object, high: object) -> str:
    """The region's range of maxima: one term when all agree, 'no data' when none is known."""
    if is_missing(low):
        return t._("no data")
    return duration(t, low) if low == high else f"{duration(t, low)} – {duration(t, high)}"


def penalties_section(data: BriefData, iso2: str, t: Translator, name: str) -> str:
    # The same rows the brief's figure draws (figures.country_penalty_rows).
    rows = country_penalty_rows(data.tables["penalty_alignment"], iso2, data.region())
    if rows.empty:
        return t._("The tables hold no penalty record for this country.") + "\n"
    out = [{t._("Offence"): offence_name(t, r["offence"]),
            t._("Maximum penalty"): duration(t, r["max_months"], r["life"]),
            t._("Directive's floor"): duration(t, r["floor_max_months"]),
            t._("Meets the floor"): t._("no data") if is_missing(r["meets_floor"]) else (
                t._("yes") if r["meets_floor"] else t._("no")),
            t._("Range in the region"): penalty_spread(t, r["region_min_months"], r["region_max_months"])}
           for _, r in rows.iterrows()]
    lead = t._("Directive 2011/93/EU sets, for each offence, the least maximum penalty a law must provide.")
    figure = figure_markdown(figure_name(iso2, t), country_penalties_alt(rows, name, t))
    return lead + "\n\n" + figure + "\n\n" + _table(pd.DataFrame(out))


def figure_name(iso2: str, t: Translator) -> str:
    """The file the brief's figure is written to, beside the brief (render_brief's `figures`)."""
    return f"{iso2}-{t.code}-penalties"


def brief_figures(data: BriefData, iso2: str, t: Translator) -> dict:
    """The brief's figures by file stem: the country's penalties beside the floors and the region."""
    from tomas_pipeline.figures.charts import country_penalties

    name = country_name(data, iso2, t)
    return {figure_name(iso2, t): country_penalties(data.tables["penalty_alignment"], iso2, data.region(),
                                                    name, t)}


def figure_markdown(stem: str, alt: str) -> str:
    """The figure's place in the brief: `stem`.svg (render_brief writes it from brief_figures) with the
    figure's alt text, as the image's alt (HTML) and Typst's `alt` (PDF, render.py). No caption: the
    figure carries its title and legend, and a brief has at most four pages."""
    quoted = alt.replace("\\", "\\\\").replace('"', '\\"')
    return f'![]({stem}.svg){{alt="{quoted}"}}'


def institution_kind(t: Translator, kind: object) -> str:
    names = {"hotline": t._("hotline"), "contact_point": t._("contact point"), "ecpat_member": t._("ECPAT member"),
             "police_unit": t._("police unit"), "prosecution_unit": t._("prosecution unit"),
             "court_unit": t._("court unit"), "child_abuse_unit": t._("unit for online child abuse"),
             "barnahus": t._("Barnahus-style service")}
    return names.get(str(kind), cell(t, kind) + FALLBACK_MARK)


def institutions_section(data: BriefData, iso2: str, t: Translator) -> str:
    inst = data.tables["institutions"]
    mine = inst[inst["country_iso2"] == iso2]
    # One row per body, as its preferred row writes it, citing every source that mentions it.
    # INHOPE membership is a fact of its own: every value a source gives (the preferred row may be silent).
    grouped = mine.groupby(["kind", "body"])
    cited = grouped["source_id"].agg(lambda ids: ";".join(dict.fromkeys(ids)))
    member = grouped["inhope_member"].agg(lambda v: [str(x) for x in dict.fromkeys(v) if not is_missing(x)])
    rows = mine[mine["preferred"].astype(bool)].drop_duplicates(["kind", "body"])
    rows = rows.assign(source_id=[cited[(k, b)] for k, b in zip(rows["kind"], rows["body"])],
                       inhope_member=[member[(k, b)] for k, b in zip(rows["kind"], rows["body"])])
    if rows.empty:
        return t._("The tables hold no institution for this country.") + "\n"
    order = {"hotline": 0, "child_abuse_unit": 1, "police_unit": 2, "prosecution_unit": 3, "court_unit": 4,
             "barnahus": 5, "contact_point": 6}
    rows = rows.assign(_o=rows["kind"].map(lambda k: order.get(k, 9))).sort_values(["_o", "name"], kind="stable")
    # A row stating an absence (North Macedonia's hotline) names the body that does not exist.
    absent = stated_absent(rows)
    frame = pd.DataFrame([{t._("Type"): institution_kind(t, r["kind"]),
                           t._("Name"): t._("{name}: none exists").format(name=cell(t, r["name"])) if gone
                           else cell(t, r["name"]),
                           t._("INHOPE member"): t._("not applicable") if gone else " / ".join(
                               t._("yes") if v == "yes" else t._("no") for v in r["inhope_member"]) or t._("no data"),
                           t._("Source"): sources_cell(t, r["source_id"])}
                          for (_, r), gone in zip(rows.iterrows(), absent)])
    return _table(frame)


def strategy_field(t: Translator, field: object) -> str:
    """A strategy's field in the brief's language (the vocabulary the report reads too)."""
    if is_missing(field):
        return t._("no data")
    label = FIELD_LABELS.get(str(field))
    return t._(label) if label else escape(field) + FALLBACK_MARK


def _period(t: Translator, start: str, end: str) -> str:
    """'2017–2020', '2017' (one year or one end known), or 'no data' when the source gives no year."""
    if not start and not end:
        return t._("no data")
    return "–".join(filter(None, (start, end))) if start != end else start


def _year(value: object) -> str:
    return "" if is_missing(value) else str(int(float(cast(Any, value))))


def country_strategies(data: BriefData, iso2: str) -> list[dict]:
    """The country's strategies and action plans (strategies.csv), one per period and field: sources that
    record the same plan under different titles (a translation each) are one row with each title they
    write and every source. `children` is what the sources say on children online: 'yes', 'no', None
    (none says) or 'disputed'; `said_by` the sources that say it, when others are silent."""
    frame = data.tables["strategies"]
    rows = frame[frame["country_iso2"] == iso2]
    out = []
    for _, group in rows.groupby(["start_year", "end_year", "field"], sort=True, dropna=False):
        sources = list(dict.fromkeys(str(v) for v in group["source_id"]))
        speaking = group[group["addresses_children_online"].map(lambda v: not is_missing(v))]
        said = set(speaking["addresses_children_online"].astype(str))
        sayers = list(dict.fromkeys(str(v) for v in speaking["source_id"]))
        children = None if not said else next(iter(said)) if len(said) == 1 else "disputed"
        out.append({"titles": list(dict.fromkeys(str(v) for v in group["title"])),
                    "start": _year(group["start_year"].iloc[0]), "end": _year(group["end_year"].iloc[0]),
                    "field": group["field"].iloc[0],
                    "children": children, "said_by": sayers if said and len(sayers) < len(sources) else [],
                    "sources": ";".join(sources)})
    return out


def strategies_section(data: BriefData, iso2: str, t: Translator) -> str:
    plans = country_strategies(data, iso2)
    if not plans:
        text = t._("The tables hold no national strategy or action plan for this country.")
        gaps = data.tables["gaps"]
        if ((gaps["table"] == "strategies") & (gaps["country_iso2"] == iso2)).any():
            # Only where the audit expects one (a comparison country) is it a gap.
            text += " " + t._("The gap is listed with the other missing facts below.")
        return text + "\n"
    lead = t.n("The sources record {n} national strategy or action plan.",
               "The sources record {n} national strategies or action plans.", len(plans)).format(
        n=t.number(len(plans)))
    children = sum(p["children"] == "yes" for p in plans)
    if children:
        lead += " " + t.n("By its source, {n} of them addresses children online.",
                          "By their sources, {n} of them address children online.", children).format(
            n=t.number(children))
    answers = {"yes": t._("yes"), "no": t._("no"), None: t._("no data"), "disputed": t._("sources disagree")}
    frame = pd.DataFrame([{
        t._("Strategy or action plan"): " / ".join(escape(title) for title in p["titles"]),
        t._("Period"): _period(t, p["start"], p["end"]),
        t._("Field"): strategy_field(t, p["field"]),
        t._("Addresses children online"): answers[p["children"]] + (
            f" ({sources_cell(t, ';'.join(p['said_by']))})" if p["said_by"] else ""),
        t._("Source"): sources_cell(t, p["sources"])} for p in plans])
    return lead + "\n\n" + _table(frame, (8, 2, 3, 3, 3))


def recommendation_title(t: Translator, rec: str, fallback: object) -> str:
    titles = {
        "r1_1": t._("One law dedicated to child protection"),
        "r1_2": t._("Update laws for new forms of online abuse"),
        "r1_3": t._("Say \"child sexual abuse material\""),
        "r1_4": t._("Harmonise penalties for abuse material"),
        "r1_5": t._("A strategy on abuse material with a dedicated unit"),
        "r1_6": t._("Amend laws along restorative-justice lines"),
        "r2_1": t._("Fund innovation and research against online abuse"),
        "r2_2": t._("Better infrastructure and a special cybercrime department"),
        "r2_3": t._("Regional centres against abuse material"),
        "r2_4": t._("Hotlines to join INHOPE"),
        "r2_5": t._("Closer work with service providers and platforms"),
        "r3_1": t._("Train and specialise professionals"),
        "r3_2": t._("More forensic experts and better-resourced police units"),
        "r3_3": t._("Multidisciplinary Barnahus-style support services"),
        "r3_4": t._("Manuals and guides for work with child victims"),
        "r3_5": t._("Treat abuse as a societal problem; educate children and parents"),
    }
    return titles.get(rec, cell(t, fallback) + FALLBACK_MARK)


def status_name(t: Translator, status: object) -> str:
    names = {"met": t._("met"), "partly met": t._("partly met"), "not met": t._("not met"),
             "unknown": t._("unknown"), "not measured": t._("not measured")}
    return t._("no data") if is_missing(status) else names.get(str(status), escape(status) + FALLBACK_MARK)


def recommendations_section(data: BriefData, iso2: str, t: Translator) -> str:
    tracker = data.tables["recommendation_tracker"]
    rows = tracker[tracker["country_iso2"] == iso2]
    if rows.empty:
        return t._("The tables hold no recommendation for this country.") + "\n"
    def evidence(r: pd.Series) -> str:
        # The rows behind the status (met cites what meets the criterion); a recommendation the
        # toolkit does not measure has none, and that is not a gap in the data.
        if str(r["status"]) == "not measured":
            return "–"
        ids = r.get("evidence", r["source_ids"])
        return "–" if is_missing(ids) else sources_cell(t, ids)

    frame = pd.DataFrame([{t._("Recommendation"): recommendation_title(t, r["recommendation"], r["title"]),
                           t._("Status"): status_name(t, r["status"]),
                           t._("Indicators"): "–" if is_missing(r["indicators"]) else ", ".join(
                               escape(i) for i in str(r["indicators"]).split(";")),
                           t._("Evidence"): evidence(r)} for _, r in rows.iterrows()])
    out = _table(frame)
    if (rows["status"] == "not measured").any():
        out += "\n" + t._("The toolkit does not measure the recommendations marked \u201cnot measured\u201d: no "
                          "indicator in its data can show them for a single country, so they are neither met "
                          "nor missing data.") + "\n"
    return out


def table_name(t: Translator, table: object) -> str:
    names = {"countries": t._("countries"), "ratification": t._("treaties"), "conflicts": t._("conflicts"),
             "treaty_actions": t._("treaties"), "penalties": t._("penalties"), "legal_features": t._("legal features"),
             "scorecard": t._("scorecard"), "institutions": t._("institutions"), "statistics": t._("statistics"),
             "laws": t._("laws"), "strategies": t._("strategies")}
    return names.get(str(table), cell(t, table) + FALLBACK_MARK)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def fact_name(t: Translator, table: object, key: object) -> str:
    """A conflict's or gap's fact as a reader names it: the instrument and what was done,
    the offence, the statistic and its year; ids the catalogs do not name stay as written."""
    text = str(key)
    parts = [p for p in text.replace(" / ", " ").split(" ") if p]
    head, rest = (parts[0], parts[1:]) if parts else ("", [])
    if table == "treaty_actions" and head in INSTRUMENTS:
        acts = {"signature": t._("Signature"), "entry_into_force": t._("Entry into force")}
        act = rest[0] if rest else ""
        what = acts.get(act) or (action_name(t, act) if act else t._("Consent to be bound"))
        return f"{instrument_name(t, head, head)}: {_first_lower(what)}"
    if table == "penalties" and head in OFFENCES:
        return offence_name(t, head) + (f" ({cell(t, ' '.join(rest))})" if rest else "")
    if table == "strategies" and text == "strategy":
        return t._("national strategy or action plan")
    if table == "legal_features" and text in FEATURE_LABELS:
        return t._(FEATURE_LABELS[text])
    if table == "statistics" and head in statistic_labels(t):
        return statistic_label(t, head) + (f" ({cell(t, ' '.join(rest))})" if rest else "")
    return cell(t, text)


def field_name(t: Translator, field: object) -> str:
    names = {"date": t._("date"), "max_months": t._("longest term"), "min_months": t._("shortest term"),
             "name": t._("name")}
    return names.get(str(field), cell(t, field))


def fact_value(t: Translator, field: object, value: object) -> str:
    """A disputed value as the brief shows its kind: a term in years and months, a date, else as written."""
    if is_missing(value):
        return t._("no data")
    if str(field).endswith("_months"):
        try:
            return duration(t, float(cast(Any, value)))
        except ValueError:
            return cell(t, value)
    if str(field) == "date":
        return date_cell(t, value)
    return cell(t, value)


def conflicts_section(data: BriefData, iso2: str, t: Translator) -> str:
    conflicts = data.tables["conflicts"]
    rows = conflicts[conflicts["country_iso2"] == iso2]
    if rows.empty:
        return t._("No two sources disagree on this country.") + "\n"
    lead = t.n("On {n} fact two sources disagree; the brief uses the value the paper's rules prefer.",
               "On {n} facts two sources disagree; the brief uses the value the paper's rules prefer.",
               len(rows)).format(n=t.number(len(rows)))
    frame = pd.DataFrame([{t._("Table"): table_name(t, r["table"]), t._("Fact"): fact_name(t, r["table"], r["key"]),
                           t._("Field"): field_name(t, r["field"]),
                           t._("Value used"): f"{fact_value(t, r['field'], r['chosen_value'])} "
                                               f"({cell(t, r['chosen_source'])})",
                           t._("Other source says"): f"{fact_value(t, r['field'], r['other_value'])} "
                                                     f"({cell(t, r['other_source'])})"}
                          for _, r in rows.iterrows()])
    return lead + "\n\n" + _table(frame)


def gaps_section(data: BriefData, iso2: str, t: Translator) -> str:
    gaps = data.tables["gaps"]
    rows = gaps[gaps["country_iso2"] == iso2]
    if "kind" in rows.columns:
        rows = rows[rows["kind"].fillna("missing") == "missing"]
    if rows.empty:
        return t._("The data has no known gaps for this country.") + "\n"
    lead = t.n("The toolkit's sources give no value for {n} fact about this country.",
               "The toolkit's sources give no value for {n} facts about this country.",
               len(rows)).format(n=t.number(len(rows)))
    grouped = rows.groupby("table", sort=False)
    frame = pd.DataFrame([{t._("Table"): table_name(t, table), t._("Missing facts"): t.number(len(group)),
                           t._("Facts"): _missing_facts(t, str(table), list(group["key"]))}
                          for table, group in grouped])
    return lead + "\n\n" + _table(frame)


def _missing_facts(t: Translator, table: str, keys: list[str]) -> str:
    # A scorecard cell is missing because a fact above is: its indicator ids would only repeat them.
    if table == "scorecard":
        return t.n("{n} indicator cannot be scored until the facts it reads are found",
                   "{n} indicators cannot be scored until the facts they read are found", len(keys)).format(
            n=t.number(len(keys)))
    return "; ".join(fact_name(t, table, k) for k in keys)


def statistic_label(t: Translator, indicator: str) -> str:
    labels = statistic_labels(t)
    return labels.get(indicator, escape(indicator) + FALLBACK_MARK)


def statistic_labels(t: Translator) -> dict[str, str]:
    """The country statistics with a year, in the order a brief lists them; a label carries the unit."""
    return {
        "ncmec_cybertipline_reports": t._("Reports to NCMEC's CyberTipline about the country"),
        "art185_adults_accused": t._("Adults accused under Article 185 of the Criminal Code"),
        "prosecutor_art185_case_subjects": t._("Persons in Article 185 cases at the prosecutor's office for "
                                               "high-tech crime"),
        "ecpat_respondents_concerned_public_awareness_share": t._("Respondents worried about public awareness "
                                                                  "(ECPAT survey, %)"),
        "itu_gci_2020_score": t._("Global Cybersecurity Index 2020: score out of 100"),
        "itu_gci_2020_rank_global": t._("Global Cybersecurity Index 2020: rank in the world"),
        "itu_gci_2020_rank_europe": t._("Global Cybersecurity Index 2020: rank in Europe"),
        "itu_gci_2024_score": t._("Global Cybersecurity Index 2024: score out of 100"),
        "itu_gci_2024_rank_global": t._("Global Cybersecurity Index 2024: rank in the world"),
        "itu_gci_2024_rank_europe": t._("Global Cybersecurity Index 2024: rank in Europe"),
    }


def _digits(*values: float) -> int:
    """The decimals the values are written with, at most two: a score of 64.32 keeps both, a count none."""
    found = 0
    for value in values:
        text = f"{float(value):.2f}".rstrip("0").rstrip(".")
        found = max(found, len(text.split(".")[1]) if "." in text else 0)
    return found


@dataclass(frozen=True)
class Trend:
    indicator: str
    year: int
    value: float
    sources: str
    earlier_year: int | None = None
    earlier_value: float | None = None


def country_statistics(data: BriefData, iso2: str) -> tuple[list[Trend], int]:
    """Each of the country's statistics with a year: its newest year's value and, when the series has
    one, the year before it in the series. Also the number of the country's statistics without a year."""
    stats = data.tables["statistics"]
    if "preferred" in stats.columns:
        stats = stats[stats["preferred"].astype(str) == "True"]
    stats = stats[(stats["scope"] == "country") & (stats["country_iso2"] == iso2)]
    stats = stats[stats["value"].map(lambda v: not is_missing(v))]
    stats = stats.assign(_y=pd.to_numeric(stats["year"], errors="coerce"))
    undated = stats[stats["_y"].isna()]["indicator"].nunique()
    order = list(statistic_labels(Translator("en")))
    rank = {name: i for i, name in enumerate(order)}
    trends = []
    for indicator, group in sorted(stats.dropna(subset=["_y"]).groupby("indicator"),
                                   key=lambda item: (rank.get(cast(str, item[0]), len(rank)), cast(str, item[0]))):
        series = group.sort_values("_y", kind="stable").drop_duplicates("_y", keep="last")
        newest = series.iloc[-1]
        earlier = series.iloc[-2] if len(series) > 1 else None
        ids = sorted({s.strip() for r in (newest, earlier) if r is not None
                      for s in str(r["source_id"]).split(";") if s.strip()})
        trends.append(Trend(str(indicator), int(newest["_y"]), float(newest["value"]), ";".join(ids),
                            None if earlier is None else int(earlier["_y"]),
                            None if earlier is None else float(earlier["value"])))
    return trends, int(undated)


def trend_words(t: Translator, trend: Trend) -> str:
    if trend.earlier_value is None:
        return t._("one year only: no trend")
    change = trend.value - trend.earlier_value
    digits = _digits(trend.value, trend.earlier_value)
    if round(change, digits) == 0:
        return t._("unchanged")
    amount = t.number(abs(change), digits)
    return (t._("up by {amount}") if change > 0 else t._("down by {amount}")).format(amount=amount)


def statistics_section(data: BriefData, iso2: str, t: Translator) -> str:
    trends, undated = country_statistics(data, iso2)
    undated_note = t.n("{n} figure on this country has no year; the paper cites it.",
                       "{n} figures on this country have no year; the paper cites them.", undated).format(
        n=t.number(undated)) if undated else ""
    if not trends:
        return " ".join(filter(None, [t._("The tables hold no dated statistic for this country."),
                                      undated_note])) + "\n"
    lead = t._("Each statistic's newest year beside the year before it in the series; "
               "a figure recorded for one year only has no trend.")
    frame = pd.DataFrame([{
        t._("Statistic"): statistic_label(t, s.indicator),
        t._("Year"): escape(str(s.year)),
        t._("Value"): t.number(s.value, _digits(s.value)),
        t._("Earlier year"): "" if s.earlier_year is None else escape(str(s.earlier_year)),
        t._("Earlier value"): "" if s.earlier_value is None else t.number(s.earlier_value, _digits(s.earlier_value)),
        t._("Change"): trend_words(t, s),
        # A zero-width space after each underscore: a long source id can wrap instead of running
        # into the next cell of the PDF.
        t._("Source"): sources_cell(t, s.sources).replace("\\_", "\\_\u200b")} for s in trends])
    return " ".join(filter(None, [lead, undated_note])) + "\n\n" + _table(frame, (7, 2, 3, 3, 3, 4, 6))


_COMPARED = re.compile(r"Compared with release (?P<version>\S+?)(?: of (?P<date>\d{4}-\d{2}-\d{2}))?\.")


def changes_note(t: Translator, note: str | None) -> str:
    """What the changes were compared with (changes.provenance.json's note, written by changes.py), translated."""
    if note is None:
        return t._("The tables do not record which release the changes were compared with.")
    if note == NO_PREVIOUS_NOTE:
        return t._("This is the first release: there is no earlier release to compare with.")
    if note == NO_RELEASE_NOTE:
        return t._("No release has been recorded yet, so there is no earlier release to compare with.")
    found = _COMPARED.fullmatch(note.strip())
    if found is None:
        return escape(note) + FALLBACK_MARK
    if found["date"]:
        return t._("Compared with release {version} of {date}.").format(
            version=escape(found["version"]), date=date_cell(t, found["date"]))
    return t._("Compared with release {version}.").format(version=escape(found["version"]))


def change_kind(t: Translator, kind: object) -> str:
    names = {"world": t._("change in law or practice"), "correction": t._("correction of the data")}
    return names.get(str(kind), cell(t, kind) + FALLBACK_MARK)


def changes_section(data: BriefData, iso2: str, t: Translator) -> str:
    note = changes_note(t, data.changes_note)
    if data.changes_note in (NO_PREVIOUS_NOTE, NO_RELEASE_NOTE):
        return note + "\n"
    changes = data.tables["changes"]
    rows = changes[changes["country_iso2"] == iso2]
    if rows.empty:
        return note + " " + t._("No finding about this country changed.") + "\n"
    lead = note + " " + t.n("{n} finding about this country changed.", "{n} findings about this country changed.",
                            len(rows)).format(n=t.number(len(rows)))
    if t.lang.language != "en":
        # The change log is written in English by changes.py; saying so beats a silent switch of language.
        lead += " " + t._("Each change is described in English, as the release's change log records it.")
    frame = pd.DataFrame([{t._("Kind"): change_kind(t, r["kind"]), t._("Table"): table_name(t, r["table"]),
                           t._("Change"): cell(t, r["sentence"])} for _, r in rows.iterrows()])
    return lead + "\n\n" + _table(frame, (2, 2, 7))


def citation_line(data: BriefData, t: Translator, stamp: Stamp, name: str) -> str:
    """The paper's citation (citation.formatted_citation of CITATION.cff) with the brief's title, and the
    version, date and commit of the stamp passed in."""
    cff = {key: value for key, value in (data.citation or {}).items() if key not in ("doi", "url", "repository-code")}
    cff.update({"title": t._("{country} brief").format(country=name), "version": stamp.version,
                "date-released": stamp.date.isoformat(), "type": "report"})
    text = formatted_citation(cff, {"Version": t._("Version"), "Report": t._("Policy brief")})
    text += " " + t._("{date}, commit {commit}.").format(date=t.date(stamp.date), commit=stamp.commit)
    source = data.citation or {}
    if source.get("doi"):
        text += f" https://doi.org/{source['doi']}"
    elif source.get("url") or source.get("repository-code"):
        text += " " + str(source.get("url") or source.get("repository-code"))
    return escape(text)


def citation_section(data: BriefData, t: Translator, stamp: Stamp, name: str) -> str:
    return (t._("Please cite the version you used:") + "\n\n" + citation_line(data, t, stamp, name) + "\n")


def stamp_line(t: Translator, stamp: Stamp) -> str:
    return t._("Version {version} · {date} · commit {commit} · data {data_hash}").format(
        version=escape(stamp.version), date=escape(t.date(stamp.date)), commit=escape(stamp.commit),
        data_hash=escape(stamp.data_hash))


def brief_markdown(data: BriefData, iso2: str, t: Translator, stamp: Stamp) -> str:
    """The brief for one country in one language, as Pandoc Markdown with a YAML title block."""
    name = country_name(data, iso2, t)
    title = t._("{country}: where the law stands on child sexual abuse material").format(country=name)
    head = "---\n" + f"title: {_yaml_str(title)}\nlang: {t.lang.bcp47}\n" + "---\n\n"
    sections = [
        (t._("International instruments"), instruments_section(data, iso2, t)),
        (t._("Scorecard beside the region"), scorecard_section(data, iso2, t, name)),
        (t._("Penalties beside the Directive's floors"), penalties_section(data, iso2, t, name)),
        (t._("Hotline and institutions"), institutions_section(data, iso2, t)),
        (t._("Strategies and action plans"), strategies_section(data, iso2, t)),
        (t._("Latest statistics and their trend"), statistics_section(data, iso2, t)),
        (t._("Recommendations and their status"), recommendations_section(data, iso2, t)),
        (t._("Where sources disagree"), conflicts_section(data, iso2, t)),
        (t._("What is missing"), gaps_section(data, iso2, t)),
        (t._("What changed since the previous release"), changes_section(data, iso2, t)),
        (t._("How to cite"), citation_section(data, t, stamp, name)),
    ]
    body = "\n".join(f"## {heading}\n\n{text}" for heading, text in sections)
    return head + body + "\n" + stamp_line(t, stamp) + "\n"


def _yaml_str(text: str) -> str:
    """A YAML double-quoted scalar; Pandoc reads metadata as Markdown, so the text is escaped first."""
    return '"' + escape(text).replace("\\", "\\\\").replace('"', '\\"') + '"'
