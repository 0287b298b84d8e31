"""The report rendered alone, run by bench.py in a child process of its own,
from the root of a scratch repository:

    python bench/child.py render STAGING [builtin|quarto]

Prints one JSON object: the seconds spent in the kernel, Pandoc and Typst
(the irreducible work) and in the whole render.
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


def render(staging: str, which: str = "builtin") -> dict:
    """Render the report with the built-in engine, timing its irreducible parts in place.

    The engine's own functions are wrapped, not re-implemented, so kernel,
    Pandoc and Typst see exactly the inputs a build gives them.
    """
    import typst

    from tomas_pipeline.core.buildinfo import build_info
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
    # One conversion at a time: side by side, two programs sharing two cores
    # would each take longer, and the sum would overstate the work.
    os.environ[engine.ENV_JOBS] = "1"
    cfg = _config()
    metadata = build_info(".", cfg["paths"]["raw"]).metadata()
    os.environ["SOURCE_DATE_EPOCH"] = str(metadata["epoch"])
    start = time.perf_counter()
    engine.render_project(Path(cfg["report"]["project"]), Path(staging), formats=cfg["report"]["formats"],
                          engine=which, metadata=metadata)
    spent["render_s"] = time.perf_counter() - start
    return spent


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "render":
        raise SystemExit(__doc__)
    print(json.dumps(render(*sys.argv[2:4])))
