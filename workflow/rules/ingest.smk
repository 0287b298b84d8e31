# Stage 1: read each raw table, check it against its schema and the reference
# tables, and normalise it in memory. The result goes to build/validated/,
# never to a public folder: a bad table stops the build here, and
# data/processed/ and the report stay as they were.


wildcard_constraints:
    table="|".join(STEPS),


rule validate:
    input:
        tables=lambda wc: raw(*STEPS[wc.table].raw),
        code=CODE["normalise"],
    output:
        f"{BUILD}/validated/{{table}}.csv",
    log:
        f"{LOGS}/validate/{{table}}.log",
    params:
        # Only the countries table uses them: a config change re-validates that one table.
        focus=lambda wc: FOCUS if wc.table == "countries" else [],
        comparison=lambda wc: COMPARISON if wc.table == "countries" else [],
        # Only tables with dated facts: a new build date re-validates those alone.
        build_date=lambda wc: BUILD_INFO.date if STEPS[wc.table].dated else "",
    run:
        steps.validate(wildcards.table, RAW, params.focus, params.comparison, output[0], log[0], params.build_date)
