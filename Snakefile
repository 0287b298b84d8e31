# TOMAS toolkit: data/raw -> data/processed -> metrics -> figures -> report.
# Run `snakemake` (the profile in workflow/profiles/default sets cores) or `make report`.
from snakemake.utils import min_version, validate

# The tested floor (make floors): update() outputs need 8.7.
min_version("8.7")

# Snakemake reads config files with YAML tags and YTE templates, which can run code:
# read ours with safe_load and check it against the schema first.
from tomas_pipeline.core.config import check_config, load_config

load_config("config/config.yaml")


configfile: "config/config.yaml"


# With `--configfile other.yaml` merged over it, an error names the file and line
# that set the value; Snakemake's validate then checks the same schema again.
check_config(config, list(workflow.overwrite_configfiles or []))
validate(config, "workflow/schemas/config.schema.yaml")


# The front page of `snakemake --report report.zip` (figures and metric tables).
report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/normalise.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/changes.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/briefs.smk"


rule all:
    default_target: True
    # Every published file, so that a deleted one is a missing output to rebuild,
    # and the receipt of a republish when one was edited (report.smk).
    input:
        PUBLISHED,
        REPUBLISHED,
        BRIEFS_PUBLISHED,


# Start and stop the process that draws the figures, and exit promptly (hooks.py).
onstart:
    hooks.on_start()


onsuccess:
    hooks.on_success(
        [f"{REPORT_OUT}/{name}" for name in REPORT_FILES] + [MANIFEST] + ([BRIEF_MANIFEST] if BRIEF_FILES else [])
    )


onerror:
    hooks.on_error()
