# Paths and helpers shared by every stage. Rules stay thin: each calls one
# function in tomas_pipeline.steps.
from pathlib import Path

from tomas_pipeline import hooks, steps
from tomas_pipeline.core.buildinfo import build_info
from tomas_pipeline.sources.normalise import REGISTER_RAW, STEPS, check_raw_tables
from tomas_pipeline.render.formats import output_names

RAW = config["paths"]["raw"]
PROCESSED = config["paths"]["processed"]
FIGURES = config["paths"]["figures"]
BUILD = config["paths"]["build"]
LOGS = f"{BUILD}/logs"
REPORT = config["report"]["project"]
REPORT_OUT = config["report"]["output"]
FORMATS = config["report"]["formats"]
REPORT_FILES = output_names("tomas", FORMATS)
MANIFEST = f"{REPORT_OUT}/tomas.sha256"
# The published files (rule publish), the manifest last.
PUBLISHED = [f"{REPORT_OUT}/{name}" for name in REPORT_FILES] + [MANIFEST]
FOCUS = config["focus_countries"]
COMPARISON = config["comparison_countries"]

# The package modules each stage runs: a change to them re-runs the stage.
# steps.py (every stage's step function) and sources/tables.py (the declaration every
# table written is checked against) are part of every stage.
PKG = "src/tomas_pipeline"
CODE = {
    "normalise": [
        f"{PKG}/{m}.py"
        for m in (
            "sources/ingest",
            "sources/schemas",
            "core/io",
            "core/config",
            "sources/countries",
            "sources/dates",
            "sources/penalties",
            "sources/normalise",
        )
    ],
    "metrics": [
        f"{PKG}/{m}.py"
        for m in (
            "metrics/common",
            "metrics/ratification",
            "metrics/method",
            "metrics/families",
            "metrics/scorecard",
            "metrics/tracker",
            "core/config",
            "core/errors",
            "core/io",
            "core/provenance",
        )
    ],
    "figures": [
        f"{PKG}/{m}.py"
        for m in (
            "figures/charts",
            "figures/registry",
            "metrics/common",
            "metrics/families",
            "metrics/method",
            "metrics/scorecard",
            "core/io",
            "core/provenance",
        )
    ],
    "bibliography": [f"{PKG}/sources/bibliography.py"],
    "audit": [
        f"{PKG}/{m}.py"
        for m in (
            "sources/audit",
            "core/config",
            "sources/dates",
            "metrics/method",
            "sources/ingest",
            "sources/schemas",
        )
    ],
    "report": sorted(
        str(p)
        for folder in ("reporting", "render")
        for p in Path(f"{PKG}/{folder}").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ),
}
for stage_code in CODE.values():
    stage_code += [f"{PKG}/steps.py", f"{PKG}/sources/tables.py"]


# A killed build leaves Snakemake's lock behind: cleared here when no build is live.
# (Only in the main process: a job run as a process of its own re-reads this file.)
if workflow.is_main_process:
    hooks.clear_stale_locks(".")
# The set of raw tables is declared (normalise.STEPS): a deleted one stops the build here.
check_raw_tables(RAW)
# Version, date, commit and data hash the build states; no fact may be dated after it.
BUILD_INFO = build_info(".", RAW)


def raw(*names):
    return [f"{RAW}/{name}" for name in names]


def processed(*names):
    return [f"{PROCESSED}/{name}.csv" for name in names]
