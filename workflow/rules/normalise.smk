# Stage 2: publish each validated, normalised table to data/processed/
# (an atomic copy that cannot fail on input), and build the bibliography.


rule normalise:
    input:
        f"{BUILD}/validated/{{table}}.csv",
    output:
        f"{PROCESSED}/{{table}}.csv",
    log:
        f"{LOGS}/normalise/{{table}}.log",
    run:
        steps.promote(input[0], output[0], log[0])


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
