# Country briefs: one job per country and language (so they fan out on a cluster
# like any rule), staged under build/, then published whole beside the report.
from tomas_pipeline.briefs.content import TABLES as BRIEF_TABLES
from tomas_pipeline.sources.countries import Register

BRIEFS = config.get("briefs", {})
BRIEF_FORMATS = BRIEFS.get("formats", ["html", "pdf"])
_REGISTER = Register.load(RAW) if BRIEFS.get("languages") else None
# (iso2, language) pairs, in the order config lists them.
BRIEF_JOBS = [
    (_REGISTER.resolve(str(country)).iso2, lang)
    for country, langs in BRIEFS.get("languages", {}).items()
    for lang in langs
]
BRIEF_STAGING = f"{BUILD}/briefs"
BRIEF_OUT = f"{REPORT_OUT}/briefs"
# A brief's figure is drawn inside its job (one brief = one job); HTML and PDF embed it, and the
# Markdown, when written, has it beside it as <iso2>-<lang>-penalties.svg (content.figure_name).
BRIEF_OUTPUTS = [f"{{iso2}}-{{lang}}.{fmt}" for fmt in BRIEF_FORMATS] + (
    ["{iso2}-{lang}-penalties.svg"] if "md" in BRIEF_FORMATS else []
)
BRIEF_FILES = [name.format(iso2=iso2, lang=lang) for iso2, lang in BRIEF_JOBS for name in BRIEF_OUTPUTS]
BRIEF_MANIFEST = f"{BRIEF_OUT}/briefs.sha256"
# Every published brief is an output, so a deleted one is rebuilt (as the report's are).
BRIEFS_PUBLISHED = [f"{BRIEF_OUT}/{name}" for name in BRIEF_FILES] + [BRIEF_MANIFEST] if BRIEF_FILES else []
CODE["briefs"] = sorted(
    str(p) for p in Path(f"{PKG}/briefs").rglob("*") if p.is_file() and "__pycache__" not in p.parts
) + [f"{PKG}/steps.py", f"{PKG}/render/pandoc.py", f"{PKG}/reporting/text.py", f"{PKG}/figures/charts.py"]


rule brief:
    input:
        tables=processed(*BRIEF_TABLES),
        # Every table checked, not only those read: a brief's stamp states the hash of all
        # of data/raw, so a rejected table must stop the briefs as it stops the report.
        checked=processed(*STEPS),
        # What changes.csv was compared with, and the citation "How to cite" adapts.
        changes_note=f"{PROCESSED}/changes.provenance.json",
        citation="CITATION.cff",
        method=METHOD,
        names=raw("country_names.csv"),
        code=CODE["briefs"],
    output:
        [f"{BRIEF_STAGING}/{name}" for name in BRIEF_OUTPUTS],
    log:
        f"{LOGS}/briefs/{{iso2}}-{{lang}}.log",
    wildcard_constraints:
        iso2="[A-Z]{2}",
        lang="[A-Za-z_]+",
    params:
        metadata=BUILD_INFO.metadata(),
    run:
        steps.brief(
            wildcards.iso2,
            wildcards.lang,
            BRIEF_STAGING,
            PROCESSED,
            METHOD,
            RAW,
            params.metadata,
            BRIEF_FORMATS,
            log[0],
            citation=input.citation,
        )


rule publish_briefs:
    input:
        [f"{BRIEF_STAGING}/{name}" for name in BRIEF_FILES],
    # update(), as for the report: kept until replaced by a rename, so a failed
    # publish leaves the last good briefs.
    output:
        briefs=[update(path) for path in BRIEFS_PUBLISHED[:-1]],
        manifest=update(BRIEF_MANIFEST),
    log:
        f"{LOGS}/briefs/publish.log",
    params:
        metadata=BUILD_INFO.metadata(),
    run:
        steps.publish_briefs(BRIEF_STAGING, BRIEF_OUT, BRIEF_FILES, output.manifest, params.metadata, log[0])
