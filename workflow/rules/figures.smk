# Stage 4: figures in the house style, each with alt text and provenance.

from tomas_pipeline.figures.registry import FIGURES as FIGURE_REGISTRY

# Figure name -> the processed tables it draws from (keyword -> table name); figures/registry.py declares them.
FIGURE_INPUTS = {name: {t: t for t in f.inputs} for name, f in FIGURE_REGISTRY.items()}
# Figures whose labels come from the method file.
FIGURE_METHOD = {name for name, f in FIGURE_REGISTRY.items() if f.method}

# Every figure the report shows (stems; each has .svg, .png, .alt.txt, .provenance.json).
FIGURE_STEMS = [f"{FIGURES}/{name}" for name in FIGURE_INPUTS]


# One rule for every figure; FIGURE_INPUTS says what each reads.
rule figure:
    input:
        tables=lambda wc: processed(*FIGURE_INPUTS[wc.figure].values()),
        method=lambda wc: METHOD_FILES if wc.figure in FIGURE_METHOD else [],
        code=CODE["figures"],
    # report(): the SVG goes into `snakemake --report` (marking changes neither the job nor its bytes).
    output:
        svg=report(
            f"{FIGURES}/{{figure}}.svg",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}", "format": "SVG"},
        ),
        png=f"{FIGURES}/{{figure}}.png",
        alt=f"{FIGURES}/{{figure}}.alt.txt",
        provenance=f"{FIGURES}/{{figure}}.provenance.json",
    log:
        f"{LOGS}/figures/{{figure}}.log",
    wildcard_constraints:
        figure="|".join(FIGURE_INPUTS),
    # The drawing happens in the one helper process: the job only waits on it.
    resources:
        gil=0,
        helper=1,
    params:
        tables=lambda wc, input: dict(zip(FIGURE_INPUTS[wc.figure], input.tables)),
        stem=lambda wc, output: str(Path(output.svg).with_suffix("")),
        method=lambda wc: METHOD if wc.figure in FIGURE_METHOD else None,
    run:
        steps.figure(wildcards.figure, params.tables, params.stem, log[0], params.method)
