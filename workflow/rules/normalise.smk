# Stage 2: publish each validated, normalised table to data/processed/
# (an atomic copy that cannot fail on input), and build the bibliography.


# The raw tables are inputs here too, not only of `validate`: Snakemake deletes a
# failed job's output, and a missing intermediate file whose consumer is newer
# is not remade, so without them a rerun after a rejected table republished the
# old processed copy. (A deleted raw table is caught in common.smk.)
rule normalise:
    input:
        validated=f"{BUILD}/validated/{{table}}.csv",
        raw=lambda wc: raw(*STEPS[wc.table].raw),
    output:
        f"{PROCESSED}/{{table}}.csv",
    log:
        f"{LOGS}/normalise/{{table}}.log",
    run:
        steps.promote(input.validated, output[0], log[0])


rule bibliography:
    input:
        sources=f"{PROCESSED}/sources.csv",
        code=CODE["bibliography"],
    output:
        f"{PROCESSED}/references.json",
    log:
        f"{LOGS}/bibliography.log",
    run:
        steps.bibliography(input.sources, output[0], log[0])


# The gaps are the facts config/expectations.yaml declares that have no value,
# scorecard cells included, and the texts older than config's audit age at the
# build date (BUILD_INFO, never the clock).
EXPECTATIONS = "config/expectations.yaml"


rule audit:
    input:
        tables=processed(
            "treaty_actions",
            "penalties",
            "legal_features",
            "statistics",
            "institutions",
            "instruments",
            "countries",
            "scorecard",
            "strategies",
            # Waits for the log's own check: a rejected log must stop the build before this job,
            # which Snakemake would otherwise run, fail and strip of its earlier outputs.
            "searches",
        ),
        expectations=[EXPECTATIONS, "workflow/schemas/expectations.schema.yaml"],
        method=["config/indicators.yaml", "workflow/schemas/indicators.schema.yaml"],
        # The search log, read raw (its rows are checked and published by validate/normalise too).
        searches=f"{RAW}/searches.csv",
        code=CODE["audit"],
    output:
        conflicts=f"{PROCESSED}/conflicts.csv",
        gaps=f"{PROCESSED}/gaps.csv",
    log:
        f"{LOGS}/audit.log",
    params:
        build_date=BUILD_INFO.date,
        max_age_years=config.get("audit", {}).get("outdated_after_years", 5),
    run:
        steps.audit(
            PROCESSED,
            output.conflicts,
            output.gaps,
            log[0],
            EXPECTATIONS,
            "config/indicators.yaml",
            params.build_date,
            params.max_age_years,
            input.searches,
        )
