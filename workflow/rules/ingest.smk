# Stage 1: read and check every raw table. Writes nothing public, so a bad
# table stops the build before any processed file or report is touched.


rule validate:
    input:
        tables=raw(*ALL_RAW),
        code=CODE["normalise"],
    output:
        f"{BUILD}/validated.json",
    params:
        focus=FOCUS,
        comparison=COMPARISON,
    log:
        f"{LOGS}/validate.log",
    run:
        steps.validate(RAW, params.focus, params.comparison, output[0], log[0])
