# Stage 4: figures in the house style, each with alt text and provenance.

# Figure name -> the processed tables it draws from (keyword -> table name).
FIGURE_INPUTS = {
    "penalty_ranges": {"penalties": "penalties", "offences": "offences", "countries": "countries"},
    "scorecard_heatmap": {"scorecard": "scorecard", "countries": "countries"},
    "ncmec_reports": {"statistics": "statistics", "countries": "countries"},
    "sextortion_trend": {"statistics": "statistics"},
    "regional_spread": {"penalty_alignment": "penalty_alignment", "uniformity": "uniformity",
                        "offences": "offences", "countries": "countries"},
}
# Figures whose labels come from the method file.
FIGURE_METHOD = {"scorecard_heatmap"}

# Every figure the report shows (stems; each has .svg, .png, .alt.txt, .provenance.json).
FIGURE_STEMS = [f"{FIGURES}/{name}" for name in ("treaty_timeline", *FIGURE_INPUTS)]


rule treaty_timeline:
    input:
        status=f"{PROCESSED}/ratification.csv",
        countries=f"{PROCESSED}/countries.csv",
        instruments=f"{PROCESSED}/instruments.csv",
        code=CODE["figures"],
    output:
        svg=f"{FIGURES}/treaty_timeline.svg",
        png=f"{FIGURES}/treaty_timeline.png",
        alt=f"{FIGURES}/treaty_timeline.alt.txt",
        provenance=f"{FIGURES}/treaty_timeline.provenance.json",
    log:
        f"{LOGS}/figures/treaty_timeline.log",
    run:
        steps.treaty_timeline(input.status, input.countries, input.instruments,
                              str(Path(output.svg).with_suffix("")), log[0])


# One rule for the comparison figures; FIGURE_INPUTS says what each reads.
rule comparison_figure:
    input:
        tables=lambda wc: processed(*FIGURE_INPUTS[wc.figure].values()),
        method=lambda wc: METHOD_FILES if wc.figure in FIGURE_METHOD else [],
        code=CODE["figures"],
    output:
        svg=f"{FIGURES}/{{figure}}.svg",
        png=f"{FIGURES}/{{figure}}.png",
        alt=f"{FIGURES}/{{figure}}.alt.txt",
        provenance=f"{FIGURES}/{{figure}}.provenance.json",
    wildcard_constraints:
        figure="|".join(FIGURE_INPUTS),
    log:
        f"{LOGS}/figures/{{figure}}.log",
    run:
        steps.figure(wildcards.figure, dict(zip(FIGURE_INPUTS[wildcards.figure], input.tables)),
                     str(Path(output.svg).with_suffix("")), log[0],
                     METHOD if wildcards.figure in FIGURE_METHOD else None)
