# Stage 2: one processed table per rule, from the raw tables it reads.
# ancient(): the validation gate must pass first, but its timestamp alone
# does not make every table rebuild when one raw table changes.


wildcard_constraints:
    table="|".join(STEPS),


rule normalise:
    input:
        tables=lambda wc: raw(*STEPS[wc.table].raw),
        gate=ancient(f"{BUILD}/validated.json"),
        code=CODE["normalise"],
    output:
        f"{PROCESSED}/{{table}}.csv",
    params:
        focus=FOCUS,
        comparison=COMPARISON,
    log:
        f"{LOGS}/normalise/{{table}}.log",
    run:
        steps.normalise(wildcards.table, RAW, params.focus, params.comparison, output[0], log[0])


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
