# Stage 3: comparison metrics, pure functions over processed tables.

# Every metric table the report reads (each with a .provenance.json beside it).
METRIC_TABLES = [f"{PROCESSED}/{name}.csv" for name in ("ratification",)]


rule ratification:
    input:
        actions=f"{PROCESSED}/treaty_actions.csv",
        countries=f"{PROCESSED}/countries.csv",
        instruments=f"{PROCESSED}/instruments.csv",
        code=CODE["metrics"],
    output:
        table=f"{PROCESSED}/ratification.csv",
        provenance=f"{PROCESSED}/ratification.provenance.json",
    log:
        f"{LOGS}/metrics/ratification.log",
    run:
        steps.ratification(input.actions, input.countries, input.instruments, output.table, log[0])
