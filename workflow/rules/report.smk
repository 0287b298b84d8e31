# Stage 5: render the Quarto report to a staging folder, then publish it
# whole into report/_output/ (a failed render never touches the last good one).
from tomas_pipeline.core.publish import edited_outputs, write_receipt

REPORT_SOURCES = sorted(
    str(p)
    for pattern in ("*.qmd", "**/*.qmd", "_quarto.yml", "*.css", "*.typ", "*.csl")
    for p in Path(REPORT).glob(pattern)
    if "_output" not in p.parts
)
# Everything the report reads: every processed table, metric and figure.
REPORT_DATA = (
    processed(*STEPS)
    + METRIC_TABLES
    + [f"{PROCESSED}/references.json", f"{PROCESSED}/conflicts.csv", f"{PROCESSED}/gaps.csv"]
    + [f"{stem}.{ext}" for stem in FIGURE_STEMS for ext in ("svg", "png")]
)
# What the appendices read besides the data: the audit, the changes table (when
# changes.smk is included), the method file and the citation metadata.
REPORT_EXTRA = (
    processed("conflicts", "gaps")
    + (processed("changes") if "CHANGES_CURRENT" in globals() else [])
    + [
        p
        for p in ("config/indicators.yaml", "config/recommendations.yaml", "CITATION.cff", f"{PKG}/release/citation.py")
        if Path(p).exists()
    ]
)


# The report's own prose must not use the deprecated terms (docs/writing.md).
rule terminology:
    input:
        sources=[p for p in REPORT_SOURCES if p.endswith(".qmd")],
        terms=f"{PROCESSED}/terminology.csv",
        code=f"{PKG}/reporting/terminology.py",
    output:
        f"{BUILD}/terminology.ok",
    log:
        f"{LOGS}/report/terminology.log",
    run:
        steps.terminology(list(input.sources), input.terms, output[0], log[0])


rule render:
    input:
        sources=REPORT_SOURCES,
        data=REPORT_DATA,
        extra=REPORT_EXTRA,
        terminology=f"{BUILD}/terminology.ok",
        code=CODE["report"],
    output:
        [f"{BUILD}/report/{name}" for name in REPORT_FILES],
        f"{BUILD}/report/{steps.STAMP_FILE}",
    log:
        f"{LOGS}/report/render.log",
    # Pandoc and Typst convert the formats side by side, one per core.
    threads: workflow.cores
    params:
        # A new commit or version changes what the report states: re-render.
        metadata=BUILD_INFO.metadata(),
        engine=config["report"]["engine"],
        # Where the cells read this build's tables, figures and method (config paths).
        paths={"processed": PROCESSED, "figures": FIGURES, "method": METHOD},
        # Cell outputs kept between renders (docs/engine.md); `report.cache: false` runs every cell.
        cache=f"{BUILD}/render-cache" if config["report"].get("cache", True) else None,
    run:
        steps.render(
            REPORT,
            f"{BUILD}/report",
            FORMATS,
            params.engine,
            params.metadata,
            log[0],
            threads,
            paths=params.paths,
            cache=params.cache,
        )


# A published file edited by hand is newer than what made it, so Snakemake would
# keep it; its bytes no longer match the manifest. Then rule all also asks for a
# receipt named by the edited bytes, which `republish` makes by publishing the staged
# report again. Parsing only reads: `snakemake -n` changes no file. Not a param or an
# input function of publish that changes with the edit: Snakemake records those as
# they were before the job, so the run after the repair would publish once more.
# (A deleted file needs none of this: it is a missing output of publish.)
REPUBLISH = edited_outputs(REPORT_OUT, REPORT_FILES, MANIFEST)
REPUBLISHED = [f"{BUILD}/report/republished.{REPUBLISH}"] if REPUBLISH else []


rule publish:
    input:
        [f"{BUILD}/report/{name}" for name in REPORT_FILES],
        f"{BUILD}/report/{steps.STAMP_FILE}",
    # update(): Snakemake keeps the published files until publish.py replaces each
    # by a rename (it would delete them before the job otherwise), and puts them
    # back if the job fails: a failed publish leaves the last good report.
    output:
        report=[update(path) for path in PUBLISHED[:-1]],
        manifest=update(MANIFEST),
    log:
        f"{LOGS}/report/publish.log",
    run:
        steps.publish(f"{BUILD}/report", REPORT_OUT, REPORT_FILES, output.manifest, log[0])


# After publish when both run (the manifest is its input), so the two never write at once.
rule republish:
    input:
        [f"{BUILD}/report/{name}" for name in REPORT_FILES],
        f"{BUILD}/report/{steps.STAMP_FILE}",
        manifest=MANIFEST,
    output:
        f"{BUILD}/report/republished.{{edited}}",
    log:
        f"{LOGS}/report/republish.{{edited}}.log",
    run:
        steps.publish(f"{BUILD}/report", REPORT_OUT, REPORT_FILES, input.manifest, log[0])
        write_receipt(output[0])
