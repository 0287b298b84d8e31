"""One function per pipeline step: paths in, files out, a log beside.

Snakemake rules call these and nothing else, so every step can also be run
and tested without Snakemake. The work itself lives in the stage modules
(normalise, metrics, figures, render, publish).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tomas_pipeline.core.io import atomic_write_bytes, read_processed, write_json
from tomas_pipeline.joblog import logged

# Every processed table is checked against its declaration as it is written.
from tomas_pipeline.sources.tables import write_table


def validate(table: str, raw: str, focus: Sequence[str], comparison: Sequence[str], output: str,
             log_path: str, build_date: str = "") -> None:
    """Check and normalise one table into the build folder (not yet public).

    `build_date` (YYYY-MM-DD) is the date the build states; no fact may be later."""
    from tomas_pipeline.sources.normalise import make_table

    with logged(log_path) as lg:
        day = dt.date.fromisoformat(build_date) if build_date else None
        frame = make_table(table, raw, list(focus), list(comparison), build_date=day)
        write_table(table, frame, output)
        lg.info("%s: %d rows valid -> %s", table, len(frame), output)


def promote(validated: str, output: str, log_path: str) -> None:
    """Publish a validated table to data/processed/ whole (atomic rename)."""
    with logged(log_path) as lg:
        atomic_write_bytes(output, Path(validated).read_bytes())
        lg.info("published %s", output)


def ratification(actions: str, countries: str, instruments: str, output: str, log_path: str) -> None:
    from tomas_pipeline.core.provenance import split_source_ids, write_provenance
    from tomas_pipeline.metrics.ratification import ratification_status

    with logged(log_path) as lg:
        frame = ratification_status(read_processed(actions), read_processed(countries), read_processed(instruments))
        write_table("ratification", frame, output)
        write_provenance(output, [actions, countries, instruments], ratification_status,
                         split_source_ids(frame["source_ids"]))
        lg.info("ratification: %d rows", len(frame))


def metric_family(family: str, inputs: dict[str, str], method: str, output: str, log_path: str) -> None:
    """One metric family's table (config/indicators.yaml decides its indicators)."""
    from tomas_pipeline.core.provenance import split_source_ids, write_provenance
    from tomas_pipeline.metrics.families import FAMILIES, compute_family
    from tomas_pipeline.metrics.method import load_method

    with logged(log_path) as lg:
        spec = load_method(method)
        frame = compute_family(family, {name: read_processed(path) for name, path in inputs.items()}, spec)
        write_table(FAMILIES[family][0], frame, output)
        write_provenance(output, [*inputs.values(), method], FAMILIES[family][1],
                         split_source_ids(frame["source_ids"]))
        lg.info("%s: %d rows", family, len(frame))


def scorecard(families: dict[str, str], countries: str, method: str, output: str, log_path: str) -> None:
    """Country-level rows of every family table, in one long table."""
    from tomas_pipeline.core.provenance import split_source_ids, write_provenance
    from tomas_pipeline.metrics.method import load_indicators
    from tomas_pipeline.metrics.scorecard import scorecard as make

    with logged(log_path) as lg:
        frame = make({f: read_processed(p) for f, p in families.items()}, load_indicators(method),
                     read_processed(countries))
        write_table("scorecard", frame, output)
        write_provenance(output, [*families.values(), countries, method], make,
                         split_source_ids(frame["source_ids"]))
        lg.info("scorecard: %d rows, %d scored", len(frame), int(frame["score"].notna().sum()))


def recommendation_tracker(score_table: str, recommendations: str, countries: str, method: str, output: str,
                           log_path: str) -> None:
    from tomas_pipeline.core.provenance import split_source_ids, write_provenance
    from tomas_pipeline.metrics.method import load_indicators, load_recommendations
    from tomas_pipeline.metrics.tracker import recommendation_tracker as make

    with logged(log_path) as lg:
        recs = load_recommendations(recommendations, load_indicators(method))
        frame = make(read_processed(score_table), recs, read_processed(countries))
        write_table("recommendation_tracker", frame, output)
        write_provenance(output, [score_table, recommendations, countries, method],
                         make, split_source_ids(frame["source_ids"]))
        lg.info("recommendation tracker: %s", frame["status"].value_counts().to_dict())


def composite_index(score_table: str, countries: str, method: str, outputs: dict[str, str], log_path: str) -> None:
    """The composite index and its sensitivity tables (method: the index block of the method file)."""
    from tomas_pipeline.core.provenance import split_source_ids, write_provenance
    from tomas_pipeline.metrics.composite import composite
    from tomas_pipeline.metrics.method import load_method

    with logged(log_path) as lg:
        scores = read_processed(score_table)
        tables = composite(scores, load_method(method), read_processed(countries))
        for name, frame in tables.items():
            write_table(name, frame, outputs[name])
            write_provenance(outputs[name], [score_table, countries, method], f"{composite.__module__}.{name}",
                             split_source_ids(scores["source_ids"]))
        ranked = tables["index"].query("component == 'index'")["rank"].notna().sum()
        lg.info("index: %d countries ranked of %d", ranked, len(tables["index_stability"]))


def figure(name: str, inputs: dict[str, str], stem: str, log_path: str, method: str | None = None) -> None:
    """Draw one comparison figure from processed tables and write it with alt text and provenance.

    In a build the drawing happens in the helper process (see helper.py).
    """
    from tomas_pipeline import helper

    with logged(log_path) as lg:
        written = helper.run(draw_figure, name, dict(inputs), str(stem), method)
        lg.info("figure: %s", ", ".join(written))


def draw_figure(name: str, inputs: dict[str, str], stem: str, method: str | None = None) -> list[str]:
    """The work of `figure` (its entry in figures.registry.FIGURES); returns the image files written."""
    from tomas_pipeline.core.provenance import split_source_ids, write_provenance
    from tomas_pipeline.figures import charts
    from tomas_pipeline.figures.registry import FIGURES
    from tomas_pipeline.metrics.method import load_indicators

    figure = FIGURES[name]
    tables = {key: read_processed(path) for key, path in inputs.items()}
    spec = figure.draw(tables, load_indicators(method) if method else None, figure.source)
    written = charts.save_figure(spec, stem)
    write_provenance(Path(stem).with_suffix(".svg"), [*inputs.values(), *([method] if method else [])],
                     f"{charts.__name__}.{name}", split_source_ids(figure.used(tables)),
                     extra={"alt": spec.alt, "title": spec.title})
    return [str(p) for p in written]


def bibliography(sources: str, output: str, log_path: str) -> None:
    from tomas_pipeline.sources.bibliography import to_csl_json

    with logged(log_path) as lg:
        items = to_csl_json(read_processed(sources))
        write_json(items, output)
        lg.info("bibliography: %d items", len(items))


def render(project: str, staging: str, formats: Sequence[str], engine: str, metadata: dict, log_path: str,
           jobs: int | None = None, paths: Mapping[str, str] | None = None, cache: str | None = None) -> None:
    """Render the report. `metadata` carries the build's stamp and date (its `epoch` dates
    every file); `paths` (processed=, figures=, method=) says where the configured build
    put what the cells read, and the bibliography is the processed references.json.
    `cache`: the folder of the render's cell-output cache, None (config `report.cache: false`) for none."""
    from tomas_pipeline.render import render_project
    from tomas_pipeline.reporting.data import cell_environment

    paths = dict(paths or {})
    metadata = dict(metadata)
    if "processed" in paths:
        metadata["bibliography"] = os.path.relpath(Path(paths["processed"], "references.json").resolve(),
                                                   Path(project).resolve())
    with logged(log_path) as lg:
        outputs = render_project(Path(project), Path(staging), formats=list(formats), engine=engine,
                                 metadata=metadata, jobs=jobs, env=cell_environment(project, **paths),
                                 cache=Path(cache) if cache else None)
        # The stamp travels with the files it describes, so publish states what made them.
        write_json({k: metadata[k] for k in STAMP}, Path(staging) / STAMP_FILE)
        lg.info("rendered: %s", ", ".join(map(str, outputs)))


def brief(iso2: str, lang: str, out_dir: str, processed: str, method: str, raw: str, metadata: dict,
          formats: Sequence[str], log_path: str, citation: str | None = None) -> None:
    """One country's brief in one language, stamped like the paper (`metadata`: the build's)."""
    from tomas_pipeline.briefs import make_brief
    from tomas_pipeline.briefs.content import Stamp

    with logged(log_path) as lg:
        stamp = Stamp(metadata["version"], dt.date.fromisoformat(metadata["date"]), metadata["commit"],
                      metadata["data_hash"])
        written = make_brief(iso2, lang, out_dir, processed, method, raw, stamp, int(metadata["epoch"]),
                             tuple(formats), citation)
        lg.info("brief %s-%s: %s", iso2, lang, ", ".join(str(p) for p in written.values()))


def publish_briefs(staging: str, output: str, names: Sequence[str], manifest: str, metadata: dict,
                   log_path: str) -> None:
    from tomas_pipeline.core.publish import publish as do_publish

    with logged(log_path) as lg:
        stamp = (f"TOMAS country briefs {metadata['version']} built {metadata['date']} from commit "
                 f"{metadata['commit']}, raw data {metadata['data_hash']}")
        published = do_publish(staging, output, list(names), manifest, stamp)
        lg.info("published %d briefs into %s", len(published), output)


STAMP = ("version", "date", "commit", "data_hash")
STAMP_FILE = "stamp.json"


def publish(staging: str, output: str, names: Sequence[str], manifest: str, log_path: str) -> None:
    import json

    from tomas_pipeline.core.publish import publish as do_publish

    with logged(log_path) as lg:
        info = json.loads((Path(staging) / STAMP_FILE).read_text(encoding="utf-8"))
        stamp = (f"TOMAS report {info['version']} built {info['date']} from commit {info['commit']}, "
                 f"raw data {info['data_hash']}")
        for path in do_publish(staging, output, list(names), manifest, stamp):
            lg.info("published %s", path)


def changes(previous_release: str | None, processed: str, inputs: Sequence[str], output: str, log_path: str,
            release: bool = True, method: str | None = None) -> None:
    from tomas_pipeline.core.provenance import write_provenance
    from tomas_pipeline.release.changes import compare, compare_with_release

    with logged(log_path) as lg:
        frame, note = compare_with_release(previous_release, processed, release, method)
        write_table("changes", frame, output)
        # The note says what was compared (or that there was nothing to compare with).
        write_provenance(output, inputs, compare, [],
                         extra={"note": note, "previous_release": Path(previous_release).name if previous_release
                                else None})
        lg.info("changes: %d sentences; %s", len(frame), note)


def audit(processed: str, conflicts_out: str, gaps_out: str, log_path: str, expectations: str | None = None,
          method: str | None = None, build_date: str = "", max_age_years: int = 5,
          searches: str | None = None) -> None:
    """Conflicts, and the gaps against config/expectations.yaml; with `build_date` (the date the build
    states, YYYY-MM-DD) also the facts older than `max_age_years`, as checks to make. With `searches`
    (the raw search log, data/raw/searches.csv) each gap says what was searched for it."""
    from tomas_pipeline.sources import audit as checks

    with logged(log_path) as lg:
        names = ("treaty_actions", "penalties", "legal_features", "statistics", "institutions", "instruments",
                 "scorecard", "strategies")
        tables = {name: read_processed(Path(processed) / f"{name}.csv") for name in names
                  if (Path(processed) / f"{name}.csv").is_file()}
        labels = {}
        if method:
            from tomas_pipeline.metrics.method import load_indicators

            labels = {i["id"]: i["label"] for i in load_indicators(method)}
        spec = checks.load_expectations(expectations)
        log = None
        if searches:
            from tomas_pipeline.sources.ingest import load_table

            # The raw file, so that an unknown key is reported at its row of searches.csv.
            log = load_table(Path(searches).parent, Path(searches).name)
            checks.check_searches(log, searches, spec, list(labels))
        found = checks.conflicts(tables)
        missing = checks.gaps(tables, read_processed(Path(processed) / "countries.csv"), spec, labels,
                              build_date or None, max_age_years, log)
        write_table("conflicts", found, conflicts_out)
        write_table("gaps", missing, gaps_out)
        lg.info("%d conflicts between sources, %d gaps (%d of them checks of old texts)", len(found),
                len(missing), int((missing["kind"] != checks.MISSING).sum()))


def terminology(paths: Sequence[str], terminology_csv: str, ok_file: str, log_path: str) -> None:
    """Check the report's prose for deprecated terms; the marker file is written only on success."""
    import logging

    from tomas_pipeline.reporting.terminology import TerminologyError, check_files, load_terms

    with logged(log_path) as lg:
        terms = load_terms(terminology_csv)
        lg.info("checking %d file(s) for %d deprecated term(s)", len(paths), len(terms))
        findings = check_files(paths, terms)
        for f in findings:
            lg.log(logging.ERROR, "%s", f)
        if findings:
            raise TerminologyError(findings)
        Path(ok_file).parent.mkdir(parents=True, exist_ok=True)
        Path(ok_file).write_text(
            "terminology check passed\n" + "".join(f"{p}\n" for p in sorted(paths)), encoding="utf-8")
        lg.info("no deprecated term in the report's prose")
