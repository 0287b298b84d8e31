"""The tables the chapters and appendices show, each from processed frames to markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from tomas_pipeline.reporting.data import (
    countries,
    country_name,
    indicator_labels,
    method_path,
    processed_dir,
    table,
)
from tomas_pipeline.reporting.display import note_table
from tomas_pipeline.reporting.facts import conflict_value
from tomas_pipeline.reporting.text import (
    MISSING,
    NOT_AVAILABLE,
    cite,
    escape,
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_years,
    is_missing,
    law_title,
    md_table,
    names,
    quote,
    year_of,
)
from tomas_pipeline.sources.normalise import spelling_key
from tomas_pipeline.sources.schemas import stated_absent
from tomas_pipeline.sources.vocabulary import FIELD_LABELS


def _iso_columns(frame: pd.DataFrame, comparison: bool = True) -> list[str]:
    order = list(countries(focus_only=not comparison)["iso2"])
    present = set(frame["country_iso2"].dropna())
    return [c for c in order if c in present]


def pivot_by_country(frame: pd.DataFrame, value: str = "value", row: str = "indicator",
                     labels: dict[str, str] | None = None, fmt=None, comparison: bool = True) -> str:
    """Rows = indicators (in the table's order), columns = countries; cells escaped, missing as '—'."""
    if "level" in frame.columns:
        frame = frame[frame["level"].fillna("country") == "country"]
    isos = _iso_columns(frame, comparison)
    rows = list(dict.fromkeys(frame[row]))
    lookup = {(r[row], r["country_iso2"]): r[value] for _, r in frame.iterrows()}
    # ``fmt`` returns markdown (escaped text, or a marked span such as quote()); the default escapes.
    out = pd.DataFrame({
        "Indicator": [(labels or {}).get(r, str(r).replace("_", " ")) for r in rows],
        **{country_name(c): [(fmt or (lambda v: MISSING if is_missing(v) else escape(v)))(lookup.get((r, c)))
                             for r in rows] for c in isos},
    })
    return md_table(out, raw=tuple(country_name(c) for c in isos))


def units_table(institutions: pd.DataFrame) -> str:
    kinds = {"child_abuse_unit": "unit for online child abuse", "police_unit": "police",
             "prosecution_unit": "prosecution", "court_unit": "court"}
    rows = institutions[institutions["kind"].isin(kinds) & ~stated_absent(institutions)].copy()
    rows = rows.sort_values(["country_iso2", "kind", "name"], key=lambda s: s.map(
        {c: i for i, c in enumerate(countries(False)["iso2"])}) if s.name == "country_iso2" else s)
    view = rows.assign(country=rows["country_iso2"].map(country_name), kind=rows["kind"].map(kinds),
                       sources=rows["source_id"].map(cite))
    return md_table(view, {"country": "Country", "kind": "Type", "name": "Body", "parent": "Part of",
                           "sources": "Source"}, raw=("sources",))


def parity_table(parity: pd.DataFrame) -> str:
    rows = parity[parity["level"].fillna("country") == "country"]
    out = []
    for iso in _iso_columns(rows):
        mine = rows[rows["country_iso2"] == iso].set_index("indicator")
        get = lambda ind, col, mine=mine: mine.at[ind, col] if ind in mine.index else None  # noqa: E731
        out.append({
            "Country": country_name(iso),
            "Producing, minimum": fmt_years(get("parity_min_ratio", "producing_months")),
            "Trafficking, minimum": fmt_years(get("parity_min_ratio", "trafficking_months")),
            "Ratio of minima": fmt_number(get("parity_min_ratio", "ratio"), 2),
            "Producing, maximum": fmt_years(get("parity_max_ratio", "producing_months")),
            "Trafficking, maximum": fmt_years(get("parity_max_ratio", "trafficking_months")),
            "Ratio of maxima": fmt_number(get("parity_max_ratio", "ratio"), 2),
            "Sources": cite(";".join(sorted({s for s in mine["source_ids"].dropna() for s in str(s).split(";")}))),
        })
    return md_table(pd.DataFrame(out), raw=("Sources",))


def _iso_list(value: object) -> str:
    if is_missing(value):
        return MISSING
    return ", ".join(country_name(c) for c in str(value).split(";") if c)


def uniformity_table(uniformity: pd.DataFrame) -> str:
    labels = table("offences").set_index("offence")["label"].to_dict()
    view = uniformity.assign(
        offence_label=uniformity["offence"].map(lambda o: labels.get(o, o)),
        with_data=uniformity["countries"].map(_iso_list),
        without=uniformity["countries_missing"].map(_iso_list),
        low=uniformity["min_months"].map(fmt_years),
        high=uniformity["max_months"].map(fmt_years),
        cv_text=uniformity["cv"].map(lambda v: fmt_number(v, 2)),
        sources=uniformity["source_ids"].map(cite),
    )
    return md_table(view, {"offence_label": "Offence", "with_data": "Countries on record", "low": "Lowest maximum",
                           "high": "Highest maximum", "cv_text": "Coefficient of variation",
                           "without": "No penalty on record", "sources": "Sources"}, raw=("sources",))


def floors_table(offences: pd.DataFrame) -> str:
    view = offences[offences["directive_article"].notna() | offences["lanzarote_article"].notna()]
    view = view.assign(floor=view["floor_max_months"].map(
        lambda v: "at least " + fmt_years(v) if not is_missing(v) else MISSING),
        sources=view["source_id"].map(cite))
    return md_table(view, {"label": "Offence", "lanzarote_article": "Lanzarote article",
                           "directive_article": "Directive article", "floor": "Floor for the maximum penalty",
                           "sources": "Source"}, raw=("sources",))


def _yes_no(value: object) -> str:
    return MISSING if is_missing(value) else escape(value)


def criminalisation_table(crim: pd.DataFrame) -> str:
    def cell(row):
        if is_missing(row["value"]):
            return MISSING
        art = "" if is_missing(row.get("article")) else f" (Art. {escape(row['article'])})"
        return escape(row["value"]) + art
    crim = crim.assign(shown=crim.apply(cell, axis=1))
    return pivot_by_country(crim, "shown", labels=indicator_labels(), fmt=lambda v: MISSING if v is None else v)


def alignment_table(alignment: pd.DataFrame) -> str:
    def cell(row):
        if is_missing(row["max_months"]) and not bool(row.get("life") is True):
            return MISSING
        text = fmt_years(row["max_months"])
        if not is_missing(row.get("article")):
            text += f" (art. {escape(row['article'])})"
        if is_missing(row["floor_max_months"]):
            return text + " (no floor)"
        if is_missing(row["meets_floor"]):
            return text
        return text + (" — meets" if str(row["meets_floor"]) in ("True", "true", "1") else " — below")
    alignment = alignment.assign(shown=alignment.apply(cell, axis=1))
    return pivot_by_country(alignment, "shown", labels=indicator_labels(), fmt=lambda v: MISSING if v is None else v)


def score_table(frame: pd.DataFrame) -> str:
    """Any family table as indicator x country of its coded value."""
    return pivot_by_country(frame, "value", labels=indicator_labels(),
                            fmt=lambda v: MISSING if is_missing(v) else escape(v))


def terminology_use_table(frame: pd.DataFrame) -> str:
    def cell(row):
        if is_missing(row.get("terms")):
            return MISSING
        return quote(row["terms"])
    frame = frame.assign(shown=frame.apply(cell, axis=1))
    return pivot_by_country(frame, "shown", labels={"term_pornography": "Term the law uses"},
                            fmt=lambda v: MISSING if v is None else v)


def scorecard_summary(scorecard: pd.DataFrame) -> str:
    """Per country: scored indicators met, partly met, not met, without data, not applicable
    (metrics.score_counts: the same count as the heat map and its description)."""
    from tomas_pipeline.metrics.method import load_indicators
    from tomas_pipeline.metrics.scorecard import SCORE_CATEGORIES, score_counts

    counts = score_counts(scorecard, load_indicators(method_path()), _iso_columns(scorecard))
    counts.insert(0, "Country", counts.pop("country_iso2").map(country_name))
    return md_table(counts.rename(columns={c: c[0].upper() + c[1:] for c in SCORE_CATEGORIES}))


def _rec_title(title: object) -> str:
    return quote(title) if re.search(r"pornograph", str(title), re.I) else escape(title)


def tracker_table(tracker: pd.DataFrame) -> str:
    """One row per recommendation, one column per country: the status, and for met, partly met and not
    met the citation of the rows behind it (the tracker's evidence column)."""
    isos = _iso_columns(tracker)
    out = []
    for (_, title), rows in tracker.groupby(["recommendation", "title"], sort=False):
        cells = {}
        for _, r in rows.iterrows():
            evidence = r["evidence"] if "evidence" in rows.columns else pd.NA
            cited = cite(evidence)
            cells[r["country_iso2"]] = escape(r["status"]) + (f" {cited}" if cited else "")
        out.append({"Recommendation": _rec_title(title),
                    **{country_name(c): cells.get(c, escape(MISSING)) for c in isos}})
    frame = pd.DataFrame(out)
    return md_table(frame, raw=tuple(frame.columns))


def tracker_criteria_table(tracker: pd.DataFrame) -> str:
    """The written criteria of each recommendation (config/recommendations.yaml) and its indicators;
    for one the toolkit does not measure, why not."""
    out = []
    for (_, title), rows in tracker.groupby(["recommendation", "title"], sort=False):
        first = rows.iloc[0]
        indicators = first["indicators"]
        measured = not is_missing(indicators)
        out.append({"Recommendation": _rec_title(title),
                    "Indicators": ", ".join(f"`{i}`" for i in str(indicators).split(";")) if measured
                    else "not measured",
                    "Criteria": escape(first["criteria"]) if not is_missing(first.get("criteria")) else MISSING})
    frame = pd.DataFrame(out)
    return md_table(frame, raw=tuple(frame.columns))


def field_label(value: object) -> str:
    """A law's `kind` or a strategy's `field` as a table shows it; an id the vocabulary lacks reads with spaces."""
    return MISSING if is_missing(value) else FIELD_LABELS.get(str(value), str(value).replace("_", " "))


def laws_table(laws: pd.DataFrame, iso2: str) -> str:
    rows = laws[laws["country_iso2"] == iso2]
    view = rows.assign(title=rows["law"].map(law_title), year_text=rows["year"].map(year_of),
                       online=rows["covers_online"].map(_yes_no), sources=rows["source_id"].map(cite),
                       field_text=rows["kind"].map(field_label))
    columns = {"title": "Law", "year_text": "Year", "field_text": "Field", "online": "Covers the online environment",
               "sources": "Source"}
    return md_table(view, columns, raw=("title", "sources"))


def strategies_table(strategies: pd.DataFrame, iso2s) -> str:
    rows = strategies[strategies["country_iso2"].isin(list(iso2s))]
    view = rows.assign(country=rows["country_iso2"].map(country_name), title_md=rows["title"].map(law_title),
                       period=[f"{year_of(a)}–{year_of(b)}" for a, b in zip(rows["start_year"], rows["end_year"])],
                       children=rows["addresses_children_online"].map(_yes_no), sources=rows["source_id"].map(cite),
                       field_text=rows["field"].map(field_label))
    return md_table(view, {"country": "Country", "title_md": "Strategy", "period": "Period", "field_text": "Field",
                           "children": "Addresses children online", "sources": "Source"},
                    raw=("title_md", "sources"))


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values if not is_missing(v)))


def civil_society_table(institutions: pd.DataFrame) -> str:
    """One row per body: the preferred row's name (other spellings after it), each fact as the sources
    give it (two values when they differ) and every source that mentions the body."""
    rows = institutions[institutions["kind"].isin(["hotline", "ecpat_member"])]
    order = {c: i for i, c in enumerate(countries(False)["iso2"])}
    rows = rows.assign(_o=rows["country_iso2"].map(order), _p=~rows["preferred"].astype(bool))
    out = []
    for _, body in rows.sort_values(["_o", "kind", "_p", "source_id"]).groupby(["_o", "kind", "body"], sort=False):
        first = body.iloc[0]
        # A row stating an absence names the body that is missing: shown as "No national hotline ...".
        absent = bool(stated_absent(body.iloc[[0]]).iloc[0])
        name = f"No {first['name'][:1].lower()}{first['name'][1:]}" if absent else str(first["name"])
        # Spellings that differ only in punctuation are not worth a mention.
        spellings = {spelling_key(first["name"]): str(first["name"])}
        for other in _distinct(body["name"]):
            spellings.setdefault(spelling_key(other), other)
        others = list(spellings.values())[1:]
        since = (_distinct(year_of(v) for v in body["inhope_since"] if not is_missing(v))
                 or _distinct(fmt_date(v) for v in body["established"] if not is_missing(v)))
        out.append({"country": country_name(first["country_iso2"]),
                    "kind_text": {"hotline": "hotline", "ecpat_member": "ECPAT member"}[first["kind"]],
                    "name": escape(name) + (f" (also written {', '.join(map(escape, others))})" if others else ""),
                    "inhope": " / ".join(_yes_no(v) for v in _distinct(body["inhope_member"])) or MISSING,
                    "since": " / ".join(since) or MISSING,
                    "sources": cite(";".join(_distinct(body["source_id"])))})
    return md_table(pd.DataFrame(out), {"country": "Country", "kind_text": "Type", "name": "Name",
                                        "inhope": "INHOPE member",
                                        "since": "Since (INHOPE or ECPAT membership, or founding)",
                                        "sources": "Sources"}, raw=("name", "sources"))


def sources_table(sources: pd.DataFrame) -> str:
    view = sources.sort_values("source_id")
    def key(s: object) -> str:
        return "@" + str(s) if re.fullmatch(r"[a-z0-9_]+", str(s)) else escape(s)

    view = view.assign(key=view["source_id"].map(key),
                       year_text=view["year"].map(year_of),
                       accessed_text=view["accessed"].map(lambda v: MISSING if is_missing(v) else escape(v)))
    return md_table(view, {"source_id": "Id", "key": "Reference", "kind": "Kind", "accessed_text": "Accessed"},
                    raw=("key",))


def conflicts_table(conflicts_frame: pd.DataFrame) -> str:
    if conflicts_frame.empty:
        return note_table("No two sources disagree in this build.")
    view = conflicts_frame.assign(
        country=conflicts_frame["country_iso2"].map(lambda c: MISSING if is_missing(c) else country_name(c)),
        chosen=[f"{conflict_value(str(f), v)} {cite(s)}" for f, v, s in
                zip(conflicts_frame["field"], conflicts_frame["chosen_value"], conflicts_frame["chosen_source"])],
        other=[f"{conflict_value(str(f), v)} {cite(s)}" for f, v, s in
               zip(conflicts_frame["field"], conflicts_frame["other_value"], conflicts_frame["other_source"])],
        field_text=conflicts_frame["field"].map(lambda f: str(f).replace("_", " ")),
    )
    return md_table(view, {"table": "Table", "country": "Country", "key": "Fact", "field_text": "Field",
                           "chosen": "Report uses", "other": "Other source says", "rule": "Why"},
                    raw=("chosen", "other"))


def _gap_view(gaps: pd.DataFrame, searches: pd.DataFrame | None) -> tuple[pd.DataFrame, dict, dict]:
    """The gaps in the appendix's order, each with what no row gives and the numbers of its searches;
    the searches so numbered, (date, where, outcome) -> number, in order of first use; and how many
    gaps each number serves."""
    from tomas_pipeline.sources.audit import MISSING as GAP
    from tomas_pipeline.sources.audit import attempts_for, before_searches, search_entries

    order = {c: i for i, c in enumerate(countries(False)["iso2"])}
    # Missing facts first, then the checks of old texts (audit.gaps' `kind`); older gaps files have neither.
    kind = (gaps["kind"] if "kind" in gaps.columns else pd.Series(GAP, index=gaps.index)).fillna(GAP)
    tried = (gaps["tried"] if "tried" in gaps.columns else pd.Series("", index=gaps.index)).fillna("")
    view = gaps.assign(kind=kind, tried=tried, _o=gaps["country_iso2"].map(order), _check=kind != GAP)
    view = view.sort_values(["_check", "_o", "table", "key"], kind="stable")
    numbers: dict[tuple[str, str, str], int] = {}
    uses: dict[int, int] = {}
    found, searched = [], []
    for _, row in view.iterrows():
        if searches is None or row["kind"] != GAP:
            found.append(row["tried"])
            searched.append("")
            continue
        attempts = attempts_for(searches, str(row["table"]), row["country_iso2"], str(row["key"]))
        mine = [numbers.setdefault(entry, len(numbers) + 1) for entry in search_entries(attempts)]
        for n in mine:
            uses[n] = uses.get(n, 0) + 1
        found.append(before_searches(str(row["tried"]), attempts))
        searched.append(", ".join(str(n) for n in mine) if mine else "none recorded")
    view = view.assign(found=found, searched=searched,
                       country=view["country_iso2"].map(lambda c: MISSING if is_missing(c) else country_name(c)))
    return view, numbers, uses


def gaps_table(gaps: pd.DataFrame, searches: pd.DataFrame | None = None) -> str:
    """One row per gap; given the search log, its searches as numbers into searches_table."""
    if gaps.empty:
        return note_table("The data has no known gaps in this build.")
    view, _, _ = _gap_view(gaps, searches)
    columns = {"country": "Country", "table": "Table", "what": "Fact", "kind": "Kind", "found": "Why it is listed"}
    if searches is not None:
        columns["searched"] = "Searches"
    return md_table(view, columns if searches is not None else {**columns, "found": "What was tried"})


def searches_table(gaps: pd.DataFrame, searches: pd.DataFrame) -> str:
    """Each search the gaps table cites, once, by its number: date, where, what it gave, how many gaps."""
    from tomas_pipeline.sources.audit import OUTCOME_WORDS

    _, numbers, uses = _gap_view(gaps, searches)
    if not numbers:
        return note_table("No search is on record for the gaps of this build.")
    rows = pd.DataFrame([{"n": str(n), "on": day, "where": where, "outcome": OUTCOME_WORDS.get(outcome, outcome),
                          "gaps": fmt_int(uses.get(n, 0))} for (day, where, outcome), n in numbers.items()])
    return md_table(rows, {"n": "No.", "on": "Searched on", "where": "Where", "outcome": "Outcome",
                           "gaps": "Gaps it served"})


def gaps_searched_sentence(gaps: pd.DataFrame, searches: pd.DataFrame) -> str:
    """How many missing facts of the focus countries have at least one search in the log (audit.searched_count)."""
    from tomas_pipeline.sources.audit import searched_count

    focus = list(countries(True)["iso2"])
    if "kind" not in gaps.columns:
        return ""
    done, total = searched_count(gaps, searches, focus)
    if not total:
        return f"No fact is missing for {names(focus)}."
    if done == total:
        return f"Each of the {total:,} facts missing for {names(focus)} has at least one search on record."
    return (f"Of the {total:,} facts missing for {names(focus)}, {done:,} have at least one search on record; "
            f"for the other {total - done:,} the column says that no search is recorded.")


def changes_table(changes: pd.DataFrame) -> str:
    if changes.empty:
        return note_table("No finding changed since the previous release (or there is no previous release).")
    view = changes.assign(country=changes["country_iso2"].map(lambda c: MISSING if is_missing(c) else country_name(c)))
    return md_table(view, {"kind": "Kind", "table": "Table", "country": "Country", "sentence": "Change"})


def changes_note() -> str:
    """The note the changes stage records (what it compared with), escaped."""
    path = processed_dir() / "changes.provenance.json"
    if not path.is_file():
        return ""
    record = json.loads(path.read_text(encoding="utf-8"))
    return escape(record.get("note", "")) if record.get("note") else ""


def method_markdown() -> str:
    """The method appendix's table, from config/indicators.yaml (a note until the method exists)."""
    try:
        from tomas_pipeline.metrics.method import load_indicators, method_table
    except ImportError:
        return note_table(f"Method: {NOT_AVAILABLE}")
    if not method_path().is_file():
        return note_table(f"Method: {NOT_AVAILABLE} (config/indicators.yaml missing)")
    frame = method_table(load_indicators(method_path()))
    return md_table(frame, {"id": "Indicator", "label": "Label", "measures": "What it measures", "scale": "Scale",
                            "score_rule": "Score", "clause": "Standard", "coding_rule": "How it is coded"})


def method_families() -> list[dict]:
    try:
        from tomas_pipeline.metrics.method import load_method

        return list(load_method(method_path())["families"]) if method_path().is_file() else []
    except (ImportError, FileNotFoundError, OSError):
        return []


def citation_parts(path: str | Path = "../CITATION.cff") -> tuple[str, str] | None:
    """(text citation, BibTeX) from CITATION.cff; None until the citation module and file exist."""
    try:
        from tomas_pipeline.release.citation import formatted_citation, load_citation, to_bibtex
    except ImportError:
        return None
    if not Path(path).is_file():
        return None
    cff = load_citation(path)
    return formatted_citation(cff), to_bibtex(cff)
