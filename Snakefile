# TOMAS toolkit: data/raw -> data/processed -> metrics -> figures -> report.
# Run `snakemake` (the profile in workflow/profiles/default sets cores) or `make report`.
from snakemake.utils import min_version, validate

min_version("8.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/normalise.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        MANIFEST,
