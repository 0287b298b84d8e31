"""The render job with and without the cell-output cache (issue 19), from the root of a
scratch repository whose data stages are built:

    python bench/cache_timing.py [ROUNDS]

Renders the report as the workflow's render job does (`steps.render`, the config's
paths in the kernel's environment) with no cache, then with a cold cache, a warm
one, after a prose edit, after one processed table read by one chapter changed
(`recommendation_tracker.csv`) and after the table most chapters read changed
(`statistics.csv`). Each edit is made to the scratch copy and kept, as a user
would. Prints one JSON object: seconds per case (median of ROUNDS, default 1; an
edit's case is one render, as a second would find nothing changed),
the CPU seconds of the render and the programs it ran (a figure a busy machine
disturbs less than the wall clock; each render is a process of its own, imports
included, as the render job of a `make report` is), and, per case, how many units ran and how
many of Pandoc's parts were read again (`render/parts.py`). "no cache, read
whole" is the render without the cache with Pandoc reading each format's whole
Markdown, as the engine did before the parts. Every cached render's files are
compared with a render without the cache of the same sources.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tomas_pipeline.core.buildinfo import build_info
from tomas_pipeline.render import parts

CHILD = """
import json, sys
from tomas_pipeline import steps
from tomas_pipeline.render import parts
parts.ENABLED = sys.argv[2] == "1"
steps.render(*json.loads(sys.argv[1]))
"""
CHAPTER = Path("report/chapters/05-countries.qmd")
ONE_TABLE = Path("data/processed/recommendation_tracker.csv")
MANY_TABLE = Path("data/processed/statistics.csv")


def main(rounds: int = 1) -> dict:
    cfg = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))
    paths = {"processed": cfg["paths"]["processed"], "figures": cfg["paths"]["figures"],
             "method": "config/indicators.yaml"}
    metadata = build_info(".", cfg["paths"]["raw"]).metadata()
    work = Path(tempfile.mkdtemp(prefix="tomas-cache-bench-"))
    cache = work / "render-cache"

    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    cpus: list[float] = []

    def render(staging: Path, use_cache: bool) -> tuple[float, dict[str, bytes]]:
        # In a process of its own, as the render job of each `make report` runs: Typst
        # memoises within a process (a second compile of the same document takes a tenth of
        # the first), which would flatter every render after the first.
        call = [cfg["report"]["project"], str(staging), cfg["report"]["formats"], "builtin", metadata,
                str(work / "render.log"), None, paths, str(cache) if use_cache else None]
        start, used = time.perf_counter(), cpu()
        subprocess.run([sys.executable, "-c", CHILD, json.dumps(call), "1" if parts.ENABLED else "0"], check=True)
        took = time.perf_counter() - start
        cpus.append(cpu() - used)
        return took, {p.name: p.read_bytes() for p in staging.glob("tomas.*")}

    def case(name: str, results: dict, edit: bool = False) -> None:
        # An edit is made once: a second round of its case would be a warm render.
        times, cpu_times, executed, pandoc = [], [], None, None
        for _ in range(1 if edit else rounds):
            took, files = render(work / "cached", True)
            times.append(took)
            cpu_times.append(cpus[-1])
            executed = json.loads((cache / "tomas" / "stats.json").read_text(encoding="utf-8"))
            pandoc = json.loads((cache / "tomas" / "pandoc" / "stats.json").read_text(encoding="utf-8"))
            if name == "cold":
                shutil.rmtree(cache)
        if name == "cold":  # leave it warm for the cases that follow
            render(work / "cached", True)
        _, clean = render(work / "clean", False)
        assert files == clean, f"{name}: the cached render differs from a render without the cache"
        results[name] = {"seconds": round(statistics.median(times), 2), "cpu": round(statistics.median(cpu_times), 2),
                         "units_run": len(executed["executed"]), "units": executed["units"],
                         "parts_read": pandoc["parsed"], "parts": pandoc["parsed"] + pandoc["reused"],
                         "read_whole": pandoc["whole"]}

    def uncached(name: str, results: dict) -> None:
        times, cpu_times = [], []
        for _ in range(rounds):
            times.append(render(work / "clean", False)[0])
            cpu_times.append(cpus[-1])
        results[name] = {"seconds": round(statistics.median(times), 2), "cpu": round(statistics.median(cpu_times), 2)}

    results: dict = {}
    parts.ENABLED = False
    uncached("no cache, read whole", results)
    parts.ENABLED = True
    uncached("no cache", results)
    case("cold", results)
    case("warm", results)
    CHAPTER.write_text(CHAPTER.read_text(encoding="utf-8").replace(
        "## Albania {#sec-albania}\n", "## Albania {#sec-albania}\n\nThis section turns to Albania.\n"),
        encoding="utf-8")
    case("prose edited", results, edit=True)
    ONE_TABLE.write_text(ONE_TABLE.read_text(encoding="utf-8").replace(
        "One law dedicated to child protection", "One law dedicated to protecting children"), encoding="utf-8")
    case("recommendation_tracker.csv changed", results, edit=True)
    with MANY_TABLE.open("a", encoding="utf-8") as handle:
        handle.write("\n")  # new bytes, same rows: what a change costs, not what it shows
    case("statistics.csv changed", results, edit=True)
    shutil.rmtree(work)
    return results


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1), indent=1))
