# What changed in the findings since the previous release (releases/<version>/findings/),
# in plain sentences for the release notes and the report's appendix. Include after
# metrics.smk (it reads METRIC_TABLES). With no earlier release: an empty table and a note.
from tomas_pipeline.core.buildinfo import release_build
from tomas_pipeline.release.changes import FINDING_TABLES, LOOKUP_TABLES, previous_release

RELEASES = "releases"
# A release compares with the release before it; any other build with the latest
# recorded release, whatever the version says (a new fact shows before a bump).
RELEASING = release_build()
PREVIOUS_RELEASE = previous_release(RELEASES, RELEASING)
# Only tables this pipeline makes.
_MADE = set(processed(*STEPS, "conflicts", "gaps")) | set(METRIC_TABLES)
CHANGES_CURRENT = [p for p in processed(*FINDING_TABLES, *LOOKUP_TABLES) if p in _MADE]
CHANGES_PREVIOUS = (
    sorted(str(p) for p in Path(PREVIOUS_RELEASE).glob("findings/*.csv"))
    + [str(p) for p in Path(PREVIOUS_RELEASE).glob("release.json")]
    if PREVIOUS_RELEASE
    else []
)


rule changes:
    input:
        current=CHANGES_CURRENT,
        previous=CHANGES_PREVIOUS,
        # The method file names the indicators a scorecard sentence speaks of.
        method=METHOD,
        code=[f"{PKG}/release/changes.py", f"{PKG}/core/io.py", f"{PKG}/metrics/method.py"],
    output:
        table=f"{PROCESSED}/changes.csv",
        provenance=f"{PROCESSED}/changes.provenance.json",
    log:
        f"{LOGS}/changes.log",
    params:
        # The release folder the inputs come from (a function: the linter asks not to hardcode a prefix).
        previous=lambda wc: str(PREVIOUS_RELEASE) if PREVIOUS_RELEASE else None,
        # Part of the params, so switching between a release and a dev build re-runs the step.
        release=bool(RELEASING),
        tables=lambda wc, input: list(input.current) + list(input.previous),
    run:
        steps.changes(params.previous, PROCESSED, params.tables, output.table, log[0], params.release, input.method)
