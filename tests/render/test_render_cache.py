"""Read recording for the render cache (issue 19): every table a cell reads
through reporting.data is announced, cache hits and absent tables included."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

LISTEN = """
import json, sys
seen = []
sys.addaudithook(lambda event, args: seen.append(args[0]) if event == "tomas.read" else None)
from tomas_pipeline.reporting import data
data.table("sources")
data.table("sources")  # the second read is served from the in-process cache
print(json.dumps({"available": data.available("missing"), "seen": seen}))
"""


def _listen(processed: Path) -> dict:
    # Audit hooks cannot be removed: listen in a child process, not in pytest's.
    env = {**os.environ, "TOMAS_PROCESSED_DIR": str(processed)}
    proc = subprocess.run([sys.executable, "-c", LISTEN], env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_read_is_announced_including_cache_hits_and_absent_tables(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "sources.csv").write_text("source_id,title\nS1,A title\n", encoding="utf-8")
    result = _listen(processed)
    table = str((processed / "sources.csv").resolve())
    missing = str((processed / "missing.csv").resolve())
    assert result["available"] is False
    # Two reads of one table are two announcements: a later chapter served from
    # the cache still depends on the file.
    assert result["seen"] == [table, table, missing]


# --- The cell-output cache on real renders of a scratch build ------------------------------

RENDERED = ("tomas.html", "tomas.pdf", "tomas.docx")
TRACKER = "data/processed/recommendation_tracker.csv"
PROSE = "report/chapters/05-countries.qmd"


def _render(repo: Path) -> dict[str, bytes]:
    """Re-run the render job as a user would after an edit (`--forcerun`: also when Snakemake
    sees nothing new), and return its files' bytes."""
    from buildkit import snakemake, tail

    result = snakemake(repo, "-c2", "--forcerun", "render", "--", "render")
    assert result.returncode == 0, tail(result)
    return {name: (repo / "build" / "report" / name).read_bytes() for name in RENDERED}


def _stats(repo: Path) -> dict:
    return json.loads((repo / "build" / "render-cache" / "tomas" / "stats.json").read_text(encoding="utf-8"))


def _pandoc(repo: Path) -> dict:
    """What the last render did with Pandoc's parts (render/parts.py)."""
    return json.loads((repo / "build" / "render-cache" / "tomas" / "pandoc" / "stats.json").read_text(encoding="utf-8"))


def _same(cached: dict[str, bytes], clean: dict[str, bytes]) -> None:
    for name in RENDERED:
        assert cached[name] == clean[name], f"{name} differs from the render without a cache"


def _edit_table(repo: Path) -> None:
    path = repo / TRACKER
    text = path.read_text(encoding="utf-8")
    assert "One law dedicated to child protection" in text
    path.write_text(text.replace("One law dedicated to child protection", "One law dedicated to protecting children"),
                    encoding="utf-8")


def _edit_prose(repo: Path) -> None:
    path = repo / PROSE
    text = path.read_text(encoding="utf-8")
    marker = "## Albania {#sec-albania}\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "\nThis section turns to Albania.\n"), encoding="utf-8")


def _unit(names: list[str], chapter: str) -> bool:
    return any(name.startswith(chapter) for name in names)


def test_cached_renders_are_byte_identical_to_clean_ones_and_run_only_what_changed(built_repo, tmp_path):
    from buildkit import copy_build

    clean = copy_build(built_repo, tmp_path / "clean")
    config = clean / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  cache: true\n", "  cache: false\n"),
                      encoding="utf-8")
    shutil.rmtree(clean / "build" / "render-cache", ignore_errors=True)
    work = copy_build(built_repo, tmp_path / "work")
    shutil.rmtree(work / "build" / "render-cache")  # start cold

    reference = _render(clean)
    # `report.cache: false` reaches the render job: no cache is read or written.
    assert not (clean / "build" / "render-cache").exists()

    _same(_render(work), reference)  # cold
    cold = _stats(work)
    assert cold["units"] > 5 and not cold["reused"]

    assert _pandoc(work)["whole"] == [] and _pandoc(work)["reused"] == 0
    parts = _pandoc(work)["parsed"]

    _same(_render(work), reference)  # warm
    assert _stats(work)["executed"] == []
    assert _pandoc(work)["parsed"] == 0 and _pandoc(work)["reused"] == parts

    # One table changed: the unit that reads it runs again (with the units it depends
    # on), a chapter that neither reads it nor depends on it is reused.
    _edit_table(clean)
    _edit_table(work)
    reference = _render(clean)
    assert reference["tomas.html"].count(b"One law dedicated to protecting children") >= 1
    _same(_render(work), reference)
    changed = _stats(work)
    assert _unit(changed["executed"], "06-recommendations.qmd")
    for chapter in ("02-csam.qmd", "05-countries.qmd", "07-appendices.qmd", "08-index.qmd"):
        assert _unit(changed["reused"], chapter), chapter

    # Prose edited, no code changed: every stored output is reused.
    _edit_prose(clean)
    _edit_prose(work)
    reference = _render(clean)
    assert b"This section turns to Albania." in reference["tomas.html"]
    _same(_render(work), reference)
    assert _stats(work)["executed"] == []
    # Pandoc reads the edited chapter again (its SVG and its PNG version, one text where it
    # has no figure), nothing else.
    assert 1 <= _pandoc(work)["parsed"] <= 2 and _pandoc(work)["whole"] == []

    # A truncated entry and an entry edited behind its checksum are misses, not outputs.
    entries = {}
    for path in (work / "build" / "render-cache" / "tomas").glob("*.json"):
        if path.name != "stats.json":
            entries[json.loads(path.read_text(encoding="utf-8"))["body"]["unit"]] = path
    assert len(entries) == cold["units"]
    csam = next(p for name, p in entries.items() if name.startswith("02-csam.qmd"))
    index = next(p for name, p in entries.items() if name.startswith("08-index.qmd"))
    csam.write_bytes(csam.read_bytes()[: csam.stat().st_size // 2])
    record = json.loads(index.read_text(encoding="utf-8"))
    record["body"]["outputs"] = json.loads(json.dumps(record["body"]["outputs"]).replace("Rank", "Place"))
    index.write_text(json.dumps(record), encoding="utf-8")
    _same(_render(work), reference)
    again = _stats(work)
    assert _unit(again["executed"], "02-csam.qmd") and _unit(again["executed"], "08-index.qmd")
    assert _unit(again["reused"], "05-countries.qmd")


# --- The cache on a small document, execute() alone (seconds, not minutes) -----------------

SMALL_MAIN = """\
```{python}
import json
from pathlib import Path
```

{{< include a.qmd >}}

{{< include b.qmd >}}

{{< include c.qmd >}}

{{< include d.qmd >}}
"""
SMALL_A = """\
```{python}
LIMIT = 2
words = Path("a.txt").read_text().split()[:LIMIT]
print(words)
```

A has `{python} len(words)` words.
"""
SMALL_B = """\
```{python}
print(Path("b.txt").read_text().upper())
```
"""
SMALL_D = """\
```{python}
import subprocess
print(subprocess.run(["cat", "b.txt"], capture_output=True, text=True).stdout)
```
"""
SMALL_C = """\
```{python}
#| error: true
print(words[0])
1 / 0
```
"""


def _small(tmp_path: Path) -> Path:
    folder = tmp_path / "doc"
    folder.mkdir()
    for name, text in {"main.qmd": SMALL_MAIN, "a.qmd": SMALL_A, "b.qmd": SMALL_B, "c.qmd": SMALL_C, "d.qmd": SMALL_D,
                       "a.txt": "one two three", "b.txt": "bee"}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _run_small(folder: Path, cache: Path | None):
    from tomas_pipeline.render.execute import execute
    from tomas_pipeline.render.project import load_document, load_project
    from tomas_pipeline.render.qmd import parse

    project = load_project(folder / "main.qmd")
    doc = load_document(project, project.documents[0], {})
    executed = execute(parse(doc.lines), folder, {"warning": False}, cache=cache)
    ran = json.loads((cache / "stats.json").read_text(encoding="utf-8")) if cache else None
    return (executed.cells, executed.inline), ran


def _names(ran: dict) -> set[str]:
    return {name.split(":")[0] for name in ran["executed"]}


def test_small_document_reuses_only_what_its_reads_and_names_allow(tmp_path):
    folder, cache = _small(tmp_path), tmp_path / "cache"
    clean, _ = _run_small(folder, None)
    cold, ran = _run_small(folder, cache)
    assert cold == clean and _names(ran) == {"main.qmd", "a.qmd", "b.qmd", "c.qmd", "d.qmd"}
    warm, ran = _run_small(folder, cache)
    # c.qmd's traceback is an error output: never stored, so it runs every time, with
    # a.qmd (it reads `words`) and main.qmd; b.qmd shares no name with it. d.qmd reads
    # through another program, which the cache cannot key on: it runs every time too.
    assert warm == clean and _names(ran) == {"main.qmd", "a.qmd", "c.qmd", "d.qmd"}
    # The traceback names the same execution count as a full run's.
    assert "Cell In[4]" in json.dumps(warm[0]) or "In[4]" in json.dumps(warm[0])

    (folder / "b.txt").write_text("wasp", encoding="utf-8")
    clean, _ = _run_small(folder, None)
    changed, ran = _run_small(folder, cache)
    assert changed == clean and "WASP" in json.dumps(changed[0]) and "wasp" in json.dumps(changed[0])
    assert "b.qmd" in _names(ran)

    (folder / "a.txt").write_text("four five six", encoding="utf-8")
    clean, _ = _run_small(folder, None)
    changed, ran = _run_small(folder, cache)
    assert changed == clean and "four" in json.dumps(changed[0]) and "b.qmd" not in _names(ran)


def test_analysis_follows_names_and_gives_up_where_it_cannot(tmp_path):
    from tomas_pipeline.render.cache import Step, dependencies, units_of

    def units(*codes):
        return units_of([Step("cell", i, code, f"f{i}.qmd", f"f{i}.qmd:1") for i, code in enumerate(codes)])

    # A comprehension's variable is its own; a mention of a bound name may change it in place.
    deps = dependencies(units("import pandas as pd", "x = [1]", "[c for c in range(3)]", "x.append(2)",
                              "c = 1", "print(len(x))", "pd.DataFrame()"))
    assert deps[2] == set() and deps[4] == set()
    assert deps[5] == {1, 3}
    # A module is changed by no mention, only by its import.
    assert deps[6] == {0}
    # Code the analysis cannot follow depends on everything before it, and everything after on it.
    for opaque in ("globals()['y'] = 1", "import os\nos.chdir('/')", "from math import *", "%time 1",
                   "pd.options.display.width = 1", "def f():\n    global y\n    y = 1"):
        deps = dependencies(units("import pandas as pd\nq = 1", "r = 2", opaque, "print(3)"))
        assert deps[2] == {0, 1} and 2 in deps[3], opaque


def test_a_unit_whose_run_is_known_touches_only_what_that_run_changed(tmp_path):
    from tomas_pipeline.render.cache import Step, dependencies, units_of

    def units(*codes):
        return units_of([Step("cell", i, code, f"f{i}.qmd", f"f{i}.qmd:1") for i, code in enumerate(codes)])

    codes = ("FOCUS = [1, 2]", "n = len(FOCUS)", "y = FOCUS", "y.append(3)", "print(FOCUS)")
    # By names alone the last unit runs with every unit that mentions FOCUS or its alias.
    assert dependencies(units(*codes))[4] == {0, 1, 2, 3}
    # Runs seen to change only their own names: `len(FOCUS)` is no dependency any more; the
    # append through the alias changed FOCUS's fingerprint, so that unit (and the alias) stays.
    seen = units(*codes)
    for unit, changed in zip(seen, ({"FOCUS"}, {"n"}, {"y"}, {"y", "FOCUS"}, set())):
        unit.changed = changed
    assert dependencies(seen)[4] == {0, 2, 3}
    # What a unit assigns into counts even when its run left the fingerprint alone.
    assigned = units("d = {}", "d['k'] = 1", "print(d)")
    assigned[1].changed = set()
    assert dependencies(assigned)[2] == {0, 1}
