# Stage 4: figures in the house style, each with alt text and provenance.

# Every figure the report shows (stems; each has .svg, .png, .alt.txt, .provenance.json).
FIGURE_STEMS = [f"{FIGURES}/{name}" for name in ("treaty_timeline",)]


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
