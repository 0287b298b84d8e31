# Stage 3: comparison metrics, pure functions over processed tables.


rule ratification:
    input:
        actions=processed("treaty_actions"),
        countries=processed("countries"),
        instruments=processed("instruments"),
    output:
        table=f"{PROCESSED}/ratification.csv",
        provenance=f"{PROCESSED}/ratification.provenance.json",
    log:
        f"{LOGS}/metrics/ratification.log",
    run:
        steps.ratification(input.actions, input.countries, input.instruments, output.table, log[0])
