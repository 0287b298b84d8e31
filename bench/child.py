"""One measured piece of work, run by bench.py in a child process of its own
(so its peak memory is its own), from the root of a scratch repository.

    python bench/child.py stage validate|normalise|bibliography|metrics|figures
    python bench/child.py render STAGING [builtin|quarto]   # the report, timing kernel, Pandoc and Typst

Prints one JSON object: the seconds spent inside the work itself (imports
and interpreter start-up excluded; the parent times those from outside).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import yaml


def _config() -> dict:
    return yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))


def stage(name: str) -> dict:
    from tomas_pipeline import steps
    from tomas_pipeline.normalise import STEPS

    cfg = _config()
    raw, processed, build = cfg["paths"]["raw"], cfg["paths"]["processed"], cfg["paths"]["build"]
    focus, comparison = cfg["focus_countries"], cfg["comparison_countries"]
    logs = f"{build}/logs/bench"
    Path(processed).mkdir(parents=True, exist_ok=True)
    p = lambda table: f"{processed}/{table}.csv"  # noqa: E731
    start = time.perf_counter()
    # The same calls the Snakemake rules make, one job after another.
    if name == "validate":
        steps.validate(raw, focus, comparison, f"{build}/validated.json", f"{logs}/validate.log")
    elif name == "normalise":
        for table in STEPS:
            steps.normalise(table, raw, focus, comparison, p(table), f"{logs}/{table}.log")
    elif name == "bibliography":
        steps.bibliography(p("sources"), f"{processed}/references.json", f"{logs}/bibliography.log")
    elif name == "metrics":
        steps.ratification(p("treaty_actions"), p("countries"), p("instruments"), p("ratification"),
                           f"{logs}/ratification.log")
    elif name == "figures":
        steps.treaty_timeline(p("ratification"), p("countries"), p("instruments"),
                              f"{cfg['paths']['figures']}/treaty_timeline", f"{logs}/figure.log")
    else:
        raise SystemExit(f"unknown stage {name}")
    return {"work_s": time.perf_counter() - start}


def render(staging: str, which: str = "builtin") -> dict:
    """Render the report with the built-in engine, timing its irreducible parts in place.

    The engine's own functions are wrapped, not re-implemented, so kernel,
    Pandoc and Typst see exactly the inputs a build gives them.
    """
    import typst

    from tomas_pipeline.buildinfo import build_info
    from tomas_pipeline.render import engine, pandoc

    spent = {"kernel_s": 0.0, "pandoc_s": 0.0, "typst_s": 0.0, "pandoc_calls": 0}

    def timed(fn, key, count=None):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - t
                if count:
                    spent[count] += 1
        return wrapper

    engine.execute = timed(engine.execute, "kernel_s")
    pandoc.run_pandoc = timed(pandoc.run_pandoc, "pandoc_s", "pandoc_calls")
    typst.compile = timed(typst.compile, "typst_s")
    cfg = _config()
    metadata = build_info(".", cfg["paths"]["raw"]).metadata()
    os.environ["SOURCE_DATE_EPOCH"] = str(metadata["epoch"])
    start = time.perf_counter()
    engine.render_project(Path(cfg["report"]["project"]), Path(staging), formats=cfg["report"]["formats"],
                          engine=which, metadata=metadata)
    spent["render_s"] = time.perf_counter() - start
    return spent


if __name__ == "__main__":
    kind = sys.argv[1]
    result = stage(sys.argv[2]) if kind == "stage" else render(*sys.argv[2:4])
    print(json.dumps(result))
