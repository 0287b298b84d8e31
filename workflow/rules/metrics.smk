# Stage 3: comparison metrics, pure functions over processed tables.
# The method (which indicators, how each is coded) is config/indicators.yaml.
from tomas_pipeline.metrics.families import FAMILIES

METHOD = "config/indicators.yaml"
RECOMMENDATIONS = "config/recommendations.yaml"
# The method file and the schemas that check it: a change re-runs the metrics.
METHOD_FILES = [METHOD, "workflow/schemas/indicators.schema.yaml"]
# Metric table name -> family id (config/indicators.yaml).
FAMILY_OF = {table: family for family, (table, _, _) in FAMILIES.items()}

# Every metric table the report reads (each with a .provenance.json beside it).
# Each is marked report(), for `snakemake --report` (captions in workflow/report/).
METRIC_TABLES = [
    f"{PROCESSED}/{name}.csv" for name in ("ratification", *FAMILY_OF, "scorecard", "recommendation_tracker")
]


rule ratification:
    input:
        actions=f"{PROCESSED}/treaty_actions.csv",
        countries=f"{PROCESSED}/countries.csv",
        instruments=f"{PROCESSED}/instruments.csv",
        code=CODE["metrics"],
    output:
        table=report(
            f"{PROCESSED}/ratification.csv",
            caption="../report/ratification.rst",
            category="Metric tables",
            subcategory="Treaties",
            labels={"table": "ratification"},
        ),
        provenance=f"{PROCESSED}/ratification.provenance.json",
    log:
        f"{LOGS}/metrics/ratification.log",
    run:
        steps.ratification(input.actions, input.countries, input.instruments, output.table, log[0])


# One rule for every family: criminalisation, penalty_alignment, parity, icmec,
# terminology_use, institutions_score, uniformity.
rule metric_family:
    input:
        tables=lambda wc: processed(*FAMILIES[FAMILY_OF[wc.metric]][2]),
        method=METHOD_FILES,
        code=CODE["metrics"],
    output:
        table=report(
            f"{PROCESSED}/{{metric}}.csv",
            caption="../report/metric_family.rst",
            category="Metric tables",
            subcategory="Indicator families",
            labels={"table": "{metric}"},
        ),
        provenance=f"{PROCESSED}/{{metric}}.provenance.json",
    log:
        f"{LOGS}/metrics/{{metric}}.log",
    wildcard_constraints:
        metric="|".join(FAMILY_OF),
    params:
        family=lambda wc: FAMILY_OF[wc.metric],
        tables=lambda wc, input: dict(zip(FAMILIES[FAMILY_OF[wc.metric]][2], input.tables)),
    run:
        steps.metric_family(params.family, params.tables, METHOD, output.table, log[0])


rule scorecard:
    input:
        families=[f"{PROCESSED}/{table}.csv" for table in FAMILY_OF],
        countries=f"{PROCESSED}/countries.csv",
        method=METHOD_FILES,
        code=CODE["metrics"],
    output:
        table=report(
            f"{PROCESSED}/scorecard.csv",
            caption="../report/scorecard.rst",
            category="Metric tables",
            subcategory="Scorecard",
            labels={"table": "scorecard"},
        ),
        provenance=f"{PROCESSED}/scorecard.provenance.json",
    log:
        f"{LOGS}/metrics/scorecard.log",
    params:
        families=lambda wc, input: dict(zip(FAMILY_OF.values(), input.families)),
    run:
        steps.scorecard(params.families, input.countries, METHOD, output.table, log[0])


rule recommendation_tracker:
    input:
        scorecard=f"{PROCESSED}/scorecard.csv",
        recommendations=[RECOMMENDATIONS, "workflow/schemas/recommendations.schema.yaml"],
        countries=f"{PROCESSED}/countries.csv",
        method=METHOD_FILES,
        code=CODE["metrics"],
    output:
        table=report(
            f"{PROCESSED}/recommendation_tracker.csv",
            caption="../report/recommendation_tracker.rst",
            category="Metric tables",
            subcategory="Scorecard",
            labels={"table": "recommendation_tracker"},
        ),
        provenance=f"{PROCESSED}/recommendation_tracker.provenance.json",
    log:
        f"{LOGS}/metrics/recommendation_tracker.log",
    run:
        steps.recommendation_tracker(
            input.scorecard, RECOMMENDATIONS, input.countries, METHOD, output.table, log[0]
        )


# The composite index over the scorecard and its sensitivity analysis (the index
# block of the method file; tomas_pipeline.metrics.composite).
INDEX_TABLES = ("index", "index_weights", "index_sensitivity", "index_stability")


rule composite_index:
    input:
        scorecard=f"{PROCESSED}/scorecard.csv",
        countries=f"{PROCESSED}/countries.csv",
        method=METHOD_FILES,
        code=[*CODE["metrics"], f"{PKG}/metrics/composite.py"],
    output:
        tables=[
            report(
                f"{PROCESSED}/{name}.csv",
                caption=f"../report/{name}.rst",
                category="Metric tables",
                subcategory="Composite index",
                labels={"table": name},
            )
            for name in INDEX_TABLES
        ],
        provenance=[f"{PROCESSED}/{name}.provenance.json" for name in INDEX_TABLES],
    log:
        f"{LOGS}/metrics/composite_index.log",
    run:
        steps.composite_index(
            input.scorecard, input.countries, METHOD, dict(zip(INDEX_TABLES, output.tables)), log[0]
        )


METRIC_TABLES += [f"{PROCESSED}/{name}.csv" for name in INDEX_TABLES]
