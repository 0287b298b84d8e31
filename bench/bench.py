"""Benchmark of build speed and scale: `make bench` (or `.venv/bin/python bench/bench.py`).

Every measurement runs in a scratch copy of the repository (its own src/ on
PYTHONPATH, so edits in the working tree during a run do not leak in); the
working tree's data/processed and report/_output are never touched. Prints a
table (median, min, max of --runs runs), checks the targets of issue 9 and
writes everything to bench/results/bench-<time>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
# A fixed build date (the tests' 2026-12-01), so every run renders the same bytes;
# no fact in data/raw may be dated after it.
EPOCH = "1796083200"
CHANGED_TABLE = "statistics.csv"
# What `make clean` removes, plus Snakemake's own records, so a clean build starts from nothing.
BUILT = ("build", "report/_output", "report/figures", ".snakemake")
_BY_NAME = shutil.ignore_patterns(".venv", ".git", "build", "_output", ".snakemake", "__pycache__",
                                  ".pytest_cache", ".hypothesis", "dist", "*.egg-info", "results")


def IGNORE(directory: str, entries: list[str]) -> set[str]:
    """What a build makes; report/figures only, not the figures package."""
    ignored = set(_BY_NAME(directory, entries))
    if Path(directory).name == "report" and "figures" in entries:
        ignored.add("figures")
    return ignored
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


@dataclass
class Run:
    seconds: float
    peak_mb: float  # peak RSS of the child or any descendant it waited for
    output: str
    returncode: int


def run(cmd: list[str], repo: Path, env: dict) -> Run:
    """Run a child; wall time and peak RSS from wait4 (covers the jobs Snakemake spawns)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, out.read(), proc.returncode)


class Repo:
    """A scratch copy of the repository and how to run Snakemake in it."""

    def __init__(self, path: Path, extra_args: list[str]):
        shutil.copytree(ROOT, path, ignore=IGNORE)
        for leftover in (path / "data" / "processed").glob("*"):
            if leftover.name != "README.md":
                leftover.unlink()
        self.path = path
        self.extra = extra_args
        self.env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TOMAS_RENDER_ENGINE": "builtin",
                    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                    "PYTHONPATH": str(path / "src"), "PYTHONHASHSEED": "0"}

    def snakemake(self, *args: str, check: bool = True) -> Run:
        result = run([str(BIN / "snakemake"), *self.extra, *args], self.path, self.env)
        if check and result.returncode != 0:
            raise RuntimeError(f"snakemake {' '.join(args)} failed in {self.path}:\n{result.output[-4000:]}")
        return result

    def clean(self) -> None:
        for name in BUILT:
            shutil.rmtree(self.path / name, ignore_errors=True)
        for leftover in (self.path / "data" / "processed").glob("*"):
            if leftover.name != "README.md":
                leftover.unlink()


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "values": values}


def jobs_in(output: str) -> list[str]:
    """Jobs a Snakemake log shows: 'rule' or 'rule:wildcard values' (target rule `all` left out)."""
    jobs, current = [], None
    for line in output.splitlines():
        found = re.match(r"^(?:local)?rule (\w+):\s*$", line)
        if found:
            if current and current != "all":
                jobs.append(current)
            current = found.group(1)
            continue
        wildcards = re.match(r"^\s+wildcards: (.+)$", line)
        if wildcards and current and ":" not in current:
            current += ":" + ",".join(v.split("=", 1)[1] for v in wildcards.group(1).split(", "))
    if current and current != "all":
        jobs.append(current)
    return sorted(jobs)


def dependants(repo: Repo, raw_file: str) -> list[str]:
    """Jobs whose output depends on `raw_file`, from the DAG's file edges (--detailed-summary)."""
    text = repo.snakemake("--detailed-summary").output
    rows = [line.split("\t") for line in text.splitlines() if "\t" in line and not line.startswith("output_file")]
    # output file -> (rule, its inputs)
    edges = {r[0]: (r[2], set(filter(None, r[4].split(",")))) for r in rows if len(r) >= 5}
    per_rule: dict[str, set] = {}
    for rule, inputs in edges.values():
        per_rule.setdefault(rule, set()).add(frozenset(inputs))
    reached, frontier = set(), {raw_file}
    while frontier:
        frontier = {out for out, (_, inputs) in edges.items() if inputs & frontier} - reached
        reached |= frontier
    jobs = set()
    for out in reached:
        rule, inputs = edges[out]
        # One job writes name.svg, name.png, name.alt.txt...: label it by the bare name.
        jobs.add(rule if len(per_rule[rule]) == 1 else f"{rule}:{Path(out).name.split('.')[0]}")
    return sorted(jobs)


def stage_targets(repo: Repo) -> dict[str, list[str]]:
    """Stage -> the files its rules write; one rule file per stage (docs/architecture.md).

    Targets are files, not `--until RULE`, which Snakemake mis-schedules when
    a stage has rules that do not depend on each other.
    """
    text = repo.snakemake("--detailed-summary").output
    by_rule: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) >= 3 and cells[0] != "output_file":
            by_rule.setdefault(cells[2], []).append(cells[0])
    stages = {}
    for name, smk in (("validate", "ingest"), ("normalise", "normalise"), ("metrics", "metrics"),
                      ("figures", "figures")):
        rules = re.findall(r"^rule (\w+):", (repo.path / "workflow" / "rules" / f"{smk}.smk").read_text(), re.M)
        stages[name] = sorted(f for rule in rules for f in by_rule.get(rule, []))
    return stages


# --- the measurements ---------------------------------------------------------


def bench_builds(repo: Repo, runs: int, log) -> dict:
    """Clean build, its irreducible parts, nothing-changed rebuild and one-table rebuild."""
    res: dict = {}
    clean, startup, irreducible = [], [], {"kernel_s": [], "pandoc_s": [], "typst_s": [], "render_s": []}
    for i in range(runs):
        repo.clean()
        startup.append(repo.snakemake("--dry-run").seconds)
        build = repo.snakemake()
        clean.append(build.seconds)
        log(f"clean build {i + 1}/{runs}: {build.seconds:.1f} s ({len(jobs_in(build.output))} jobs)")
        # The report's irreducible work, alone, on the inputs this build just made.
        staging = repo.path / "build" / "bench-render"
        child = run([sys.executable, str(HERE / "child.py"), "render", str(staging)], repo.path, repo.env)
        if child.returncode != 0:
            raise RuntimeError(f"render alone failed:\n{child.output[-4000:]}")
        parts = json.loads(child.output.strip().splitlines()[-1])
        for key in irreducible:
            irreducible[key].append(parts[key])
        shutil.rmtree(staging, ignore_errors=True)
    res["clean_build_s"] = summary(clean)
    res["clean_jobs"] = jobs_in(build.output)
    res["startup_s"] = summary(startup)
    res["irreducible"] = {k: summary(v) for k, v in irreducible.items()}
    work = [k + p + t for k, p, t in zip(irreducible["kernel_s"], irreducible["pandoc_s"], irreducible["typst_s"])]
    res["irreducible_s"] = summary(work)
    res["clean_ratio"] = res["clean_build_s"]["median"] / res["irreducible_s"]["median"]
    floor = res["irreducible_s"]["median"] + res["startup_s"]["median"]
    res["clean_vs_floor"] = res["clean_build_s"]["median"] / floor

    nothing, dry, ran = [], [], []
    for _ in range(runs):
        rebuild = repo.snakemake()
        nothing.append(rebuild.seconds)
        ran += jobs_in(rebuild.output)
        dry.append(repo.snakemake("--dry-run").seconds)
    res["nothing_changed_s"] = summary(nothing)
    res["nothing_changed_jobs"] = sorted(set(ran))
    res["bare_dry_run_s"] = summary(dry)
    res["nothing_vs_dry"] = res["nothing_changed_s"]["median"] / res["bare_dry_run_s"]["median"]
    log(f"nothing changed: {statistics.median(nothing):.2f} s, bare -n: {statistics.median(dry):.2f} s")

    table = repo.path / "data" / "raw" / CHANGED_TABLE
    expected = dependants(repo, f"data/raw/{CHANGED_TABLE}")
    one, ran_sets = [], []
    for i in range(runs):
        # A new row, as when a researcher adds a figure from a new source.
        with table.open("a", encoding="utf-8") as f:
            f.write(f"Albania,bench_indicator_{i},2024,{i + 1},count,,tomas2024,added by bench\n")
        rebuild = repo.snakemake()
        one.append(rebuild.seconds)
        ran_sets.append(jobs_in(rebuild.output))
        log(f"one table changed {i + 1}/{runs}: {rebuild.seconds:.1f} s, {len(ran_sets[-1])} jobs")
    # A rule whose jobs all read the same files (one brief per country and language) is labelled by its
    # bare name among the dependants: every job of it depends on the table.
    def covered(job: str, labels) -> bool:
        return job in labels or job.split(":")[0] in labels

    res["one_table"] = {"table": CHANGED_TABLE, "seconds": summary(one), "jobs_ran": ran_sets[-1],
                        "jobs_depending": expected,
                        "extra_jobs": sorted(j for j in set(ran_sets[-1]) if not covered(j, set(expected))),
                        "missing_jobs": sorted(e for e in expected
                                               if not any(j == e or j.split(":")[0] == e for j in ran_sets[-1]))}
    return res


def bench_scale(base: Path, sizes: list[int], runs: int, extra: list[str], log) -> dict:
    """Data stages on generated data: time (run minus the dry run's start-up) and peak RSS per stage.

    Stages run in one Snakemake process each with --force-use-threads, so the
    figure is the stage's own work, not the start-up of a process per job.
    """
    out: dict = {"sizes": sizes, "stages": {}, "full_build": {}}
    for n in sizes:
        repo = Repo(base / f"scale-{n}", [*extra, "--force-use-threads"])
        raw = repo.path / "data" / "raw"
        shutil.rmtree(raw)
        codes = generate(ROOT / "data" / "raw", raw, n)
        config = yaml.safe_load((repo.path / "config" / "config.yaml").read_text(encoding="utf-8"))
        config["comparison_countries"] = codes  # metrics cover every generated country
        (repo.path / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        rows = sum(len(p.read_text(encoding="utf-8").splitlines()) - 1 for p in raw.glob("*.csv"))
        repo.clean()
        stages = stage_targets(repo)
        per_stage: dict = {s: {"work_s": [], "peak_mb": [], "startup_s": []} for s in stages}
        for _ in range(runs):
            repo.clean()
            for stage, files in stages.items():
                dry = repo.snakemake("--dry-run", *files)
                done = repo.snakemake(*files)
                per_stage[stage]["work_s"].append(max(done.seconds - dry.seconds, 0.0))
                per_stage[stage]["startup_s"].append(dry.seconds)
                per_stage[stage]["peak_mb"].append(done.peak_mb)
        out["stages"][n] = {s: {k: summary(v) for k, v in d.items()} for s, d in per_stage.items()}
        out["stages"][n]["raw_rows"] = rows
        note = ""
        if n == max(sizes):
            # The whole toolkit, report included, as `make report` runs it (largest size only: it is slow).
            repo.clean()
            repo.extra = extra
            full = repo.snakemake(check=False)
            out["full_build"][n] = {"ok": full.returncode == 0, "seconds": full.seconds, "peak_mb": full.peak_mb,
                                    "tail": "" if full.returncode == 0 else full.output[-2000:]}
            note = f"; full build {'ok' if full.returncode == 0 else 'FAILED'} in {full.seconds:.1f} s"
        out.setdefault("briefs", {})[n] = bench_briefs(repo, codes)
        b = out["briefs"][n]
        note += (f"; {n} English briefs {'ok' if b['ok'] else 'FAILED'} ({b['brief_jobs_ran']} jobs ran) "
                 f"{b['seconds']:.1f} s")
        log(f"{n} countries ({rows} raw rows): " + ", ".join(
            f"{s} {statistics.median(per_stage[s]['work_s']):.2f} s" for s in stages) + note)
    out["growth"] = {}
    for stage in out["stages"][sizes[0]]:
        if stage == "raw_rows":
            continue
        exps = {}
        for a, b in zip(sizes, sizes[1:]):
            ta, tb = (out["stages"][x][stage]["work_s"]["median"] for x in (a, b))
            exps[f"{a}->{b}"] = math.log(tb / ta) / math.log(b / a) if ta > 0.01 and tb > 0 else None
        out["growth"][stage] = exps
    return out


def bench_briefs(repo: Repo, codes: list[str]) -> dict:
    """Every country's English brief (HTML and PDF), one job each, as issue 20 asks:
    upstream built first (`--omit-from brief`), then only the briefs are timed."""
    config_file = repo.path / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["briefs"] = {"formats": ["html", "pdf"], "languages": {code: ["en"] for code in codes}}
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    # Every published brief is a target: asked for the manifest alone, Snakemake finds it present and runs
    # nothing when the briefs of another config (the full build's) were published before.
    manifest = "report/_output/briefs/briefs.sha256"
    targets = [manifest, *(f"report/_output/briefs/{code}-en.{fmt}" for code in codes for fmt in ("html", "pdf"))]
    repo.snakemake(*targets, "--omit-from", "brief")
    # Briefs an earlier build published (the full build's focus countries) are up to date and do not run.
    due = sum(1 for code in codes if not (repo.path / f"report/_output/briefs/{code}-en.pdf").exists())
    done = repo.snakemake(*targets, check=False)
    # The time counts only if every brief job due ran in it: a run that failed early or found nothing to do
    # would otherwise pass for a fast one.
    ran = sum(1 for job in jobs_in(done.output) if job.split(":")[0] == "brief")
    ok = done.returncode == 0 and ran == due
    return {"countries": len(codes), "brief_jobs_due": due, "brief_jobs_ran": ran, "ok": ok, "seconds": done.seconds,
            "per_brief_s": done.seconds / max(ran, 1), "peak_mb": done.peak_mb,
            "tail": "" if ok else done.output[-2000:]}


def bench_quarto(repo: Repo, runs: int) -> dict:
    if not shutil.which("quarto", path=repo.env["PATH"]):
        return {"skipped": "no `quarto` executable on PATH (it is not installable here); "
                           "install Quarto and re-run to compare"}
    times: dict = {"builtin": [], "quarto": []}
    for _ in range(runs):
        for engine in times:
            staging = repo.path / "build" / f"bench-{engine}"
            child = run([sys.executable, str(HERE / "child.py"), "render", str(staging), engine], repo.path, repo.env)
            if child.returncode != 0:
                return {"error": f"{engine} render failed:\n{child.output[-2000:]}"}
            times[engine].append(json.loads(child.output.strip().splitlines()[-1])["render_s"])
            shutil.rmtree(staging, ignore_errors=True)
    return {k: summary(v) for k, v in times.items()}


# --- report ---------------------------------------------------------------------


def fmt(s: dict, unit: str = "s") -> str:
    return f"{s['median']:8.2f} {unit}  ({s['min']:.2f}-{s['max']:.2f}, n={s['n']})"


def targets(res: dict) -> list[tuple[str, str, bool | None]]:
    checks = []
    b = res.get("builds")
    if b:
        checks.append(("nothing-changed rebuild within 25% of bare `snakemake -n`",
                       f"{b['nothing_vs_dry']:.2f}x", b["nothing_vs_dry"] <= 1.25))
        checks.append(("clean build within 1.5x (irreducible work + Snakemake start-up)",
                       f"{b['clean_vs_floor']:.2f}x", b["clean_vs_floor"] <= 1.5))
        extra = b["one_table"]["extra_jobs"]
        checks.append(("one-table rebuild runs only the jobs that depend on it",
                       "extra: " + (", ".join(extra) or "none"), not extra and not b["one_table"]["missing_jobs"]))
    s = res.get("scale")
    if s:
        for stage in ("validate", "normalise", "metrics"):
            exps = [e for e in s["growth"].get(stage, {}).values() if e is not None]
            worst = max(exps) if exps else None
            # 1.2 leaves room for timing noise around a truly linear stage.
            checks.append((f"{stage} grows no worse than linearly with countries",
                           "exponent " + (f"{worst:.2f}" if worst is not None else "n/a (too fast to tell)"),
                           None if worst is None else worst <= 1.2))
        biggest = max(s["sizes"])
        full = s["full_build"][biggest]
        checks.append((f"{biggest} countries built", "ok" if full["ok"] else "failed", full["ok"]))
    return checks


def print_report(res: dict) -> None:
    print(f"\nTOMAS build benchmark ({res['runs']} runs each; median (min-max)); "
          f"load average before/after {res['load_before'][0]:.1f}/{res['load_after'][0]:.1f} on {res['cpus']} CPUs")
    if res["snakemake_args"]:
        print(f"extra Snakemake arguments: {' '.join(res['snakemake_args'])}")
    b = res.get("builds")
    if b:
        print("\nBuilds")
        print(f"  clean build                 {fmt(b['clean_build_s'])}   {len(b['clean_jobs'])} jobs")
        for key, label in (("kernel_s", "kernel (report code)"), ("pandoc_s", "pandoc (3 calls)"),
                           ("typst_s", "typst"), ("render_s", "whole render, alone")):
            print(f"    {label:26}{fmt(b['irreducible'][key])}")
        print(f"    irreducible work          {fmt(b['irreducible_s'])}")
        print(f"    Snakemake start-up (-n)   {fmt(b['startup_s'])}")
        print(f"    clean / irreducible          {b['clean_ratio']:6.2f}x")
        print(f"    clean / (irreducible+start-up) {b['clean_vs_floor']:4.2f}x")
        print(f"  nothing changed             {fmt(b['nothing_changed_s'])}   jobs: "
              f"{', '.join(b['nothing_changed_jobs']) or 'none'}")
        print(f"    bare snakemake -n         {fmt(b['bare_dry_run_s'])}   ratio {b['nothing_vs_dry']:.2f}x")
        o = b["one_table"]
        print(f"  one table changed ({o['table']}) {fmt(o['seconds'])}")
        print(f"    jobs ran      ({len(o['jobs_ran'])}): {', '.join(o['jobs_ran'])}")
        print(f"    jobs depending ({len(o['jobs_depending'])}): {', '.join(o['jobs_depending'])}")
    s = res.get("scale")
    if s:
        print("\nScale (generated data; stage work = run minus its dry run; peak RSS of the Snakemake process)")
        stages = [k for k in s["stages"][s["sizes"][0]] if k != "raw_rows"]
        print("  countries  raw rows  " + "  ".join(f"{st:>22}" for st in stages) + "   full build")
        for n in s["sizes"]:
            row = s["stages"][n]
            cells = [f"{row[st]['work_s']['median']:6.2f} s {row[st]['peak_mb']['median']:6.0f} MB" for st in stages]
            full = s["full_build"].get(n)
            print(f"  {n:9d}  {row['raw_rows']:8d}  " + "  ".join(f"{c:>22}" for c in cells)
                  + (f"   {'ok' if full['ok'] else 'FAILED'} {full['seconds']:.1f} s" if full else "   -"))
        for n, b in s.get("briefs", {}).items():
            print(f"  {n:9d} English briefs: {'ok' if b['ok'] else 'FAILED'} ({b.get('brief_jobs_ran', '?')} jobs "
                  f"ran) {b['seconds']:.1f} s "
                  f"({b['per_brief_s']:.2f} s each, peak {b['peak_mb']:.0f} MB)")
        print("  growth exponent (time ~ countries^k): " + "; ".join(
            f"{st} " + ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} n/a" for k, v in e.items())
            for st, e in s["growth"].items()))
    q = res.get("quarto")
    if q:
        print("\nQuarto vs built-in engine")
        if "skipped" in q or "error" in q:
            print("  " + q.get("skipped", q.get("error")))
        else:
            for k, v in q.items():
                print(f"  {k:26}{fmt(v)}")
    print("\nTargets")
    for name, value, ok in res["targets"]:
        mark = "n/a " if ok is None else ("MET " if ok else "MISS")
        print(f"  [{mark}] {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark of build speed and scale (issue 9).")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3: ~10 min on 2 cores)")
    parser.add_argument("--sizes", default="6,50,200", help="countries for the scale runs")
    parser.add_argument("--skip", default="", help="comma list of parts to skip: builds,scale,quarto")
    parser.add_argument("--snakemake-arg", action="append", default=[],
                        help="extra Snakemake argument for every run (repeatable), e.g. --force-use-threads")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies (path printed)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    log = lambda msg: print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)  # noqa: E731

    base = Path(tempfile.mkdtemp(prefix="tomas-bench-"))
    # Other builds on the machine slow every figure: the load average is kept with them.
    res: dict = {"runs": args.runs, "snakemake_args": args.snakemake_arg, "cpus": os.cpu_count(),
                 "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "load_before": os.getloadavg()}
    try:
        repo = Repo(base / "repo", args.snakemake_arg)
        if "builds" not in skip:
            res["builds"] = bench_builds(repo, args.runs, log)
        if "quarto" not in skip:
            res["quarto"] = bench_quarto(repo, args.runs)
        if "scale" not in skip:
            sizes = [int(x) for x in args.sizes.split(",")]
            res["scale"] = bench_scale(base, sizes, args.runs, args.snakemake_arg, log)
    finally:
        if args.keep:
            log(f"scratch copies kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    res["load_after"] = os.getloadavg()
    res["targets"] = targets(res)
    print_report(res)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    path = results / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(res, indent=2, default=str), encoding="utf-8")
    print(f"\nresults: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
