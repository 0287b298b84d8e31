"""Run a document's Python cells and inline expressions in one Jupyter kernel.

Cells run in document order with the document's folder as working directory,
as Quarto does. Inline expressions run where they appear, between cells.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from . import cache as rcache
from .cache import RECORDER_CODE, Step
from .errors import RenderError
from .inline import inline_text, plain_markup
from .qmd import Chunk, CodeCell, Markdown, inline_expressions

# Injected before the document's cells: byte-stable figures in both formats the
# writers use (SVG for HTML/PDF, PNG for DOCX). Setting the formatters directly
# lets each format get its own metadata (SVG rejects PNG's "Software" key).
SETUP_CODE = """\
def _tomas_setup():
    try:
        import matplotlib
    except ImportError:  # a document without matplotlib needs no figure set-up
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    matplotlib.rcParams["svg.hashsalt"] = "tomas"
    matplotlib.rcParams["svg.fonttype"] = "path"
    set_matplotlib_formats("png", "svg")
    fmt = get_ipython().display_formatter.formatters
    fmt["image/png"].for_type(
        Figure, lambda f: print_figure(f, "png", bbox_inches="tight", dpi=150, metadata={"Software": None}))
    fmt["image/svg+xml"].for_type(
        Figure, lambda f: print_figure(f, "svg", bbox_inches="tight", metadata={"Date": None}))

def _tomas_inline(value):
    # The value's text representations, as Jupyter's user_expressions hands them
    # to Quarto (text/plain is the repr); render/inline.py picks one as Quarto does.
    from IPython.display import display
    data, _ = get_ipython().display_formatter.format(value)
    display({k: v for k, v in data.items() if k.startswith("text/")}, raw=True)

_tomas_setup()
del _tomas_setup
"""

log = logging.getLogger("tomas.render")
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Executed:
    """Raw nbformat outputs per code cell, and inline results, keyed by chunk index."""

    cells: dict[int, list[dict]] = field(default_factory=dict)
    inline: dict[tuple[int, int], str] = field(default_factory=dict)
    plain_markup: list[str] = field(default_factory=list)


def cell_option(cell: CodeCell, defaults: dict, key: str, default):
    """A cell's `#|` option, else the document's `execute:` default, else Quarto's default."""
    return cell.options.get(key, defaults.get(key, default))


def _error_text(output: dict) -> str:
    tb = "\n".join(_ANSI_RE.sub("", line) for line in output.get("traceback", []))
    return f"{output.get('ename')}: {output.get('evalue')}\n{tb}".rstrip()


def needs_kernel(chunks: list[Chunk], defaults: dict) -> bool:
    if any(isinstance(c, Markdown) and any(True for _ in inline_expressions(c)) for c in chunks):
        return True
    return any(isinstance(c, CodeCell) and cell_option(c, defaults, "eval", True) for c in chunks)


def steps_of(chunks: list[Chunk], defaults: dict) -> list[Step]:
    """What the kernel runs, in document order: evaluated cells and inline expressions."""
    steps: list[Step] = []
    for index, chunk in enumerate(chunks):
        if isinstance(chunk, CodeCell):
            if cell_option(chunk, defaults, "eval", True):
                steps.append(Step("cell", index, chunk.code, str(chunk.lines[0].file), chunk.where(),
                                  options=dict(chunk.options)))
            continue
        text = chunk.text
        for match in inline_expressions(chunk):
            line = chunk.lines[min(text.count("\n", 0, match.start()), len(chunk.lines) - 1)]
            steps.append(Step("inline", index, match.group(1), str(line.file),
                              f"{chunk.where(match.start())} (inline `{match.group(1)}`)", start=match.start()))
    return steps


def _same_interpreter(argv: list[str]) -> bool:
    # jupyter_client runs a spec's bare `python` as this interpreter; the cache key
    # lists this interpreter's distributions, so another interpreter gets no cache.
    first = argv[0] if argv else ""
    major, minor = sys.version_info[:2]
    return first in ("python", f"python{major}", f"python{major}.{minor}") or (
        bool(first) and os.path.realpath(first) == os.path.realpath(sys.executable))


def execute(chunks: list[Chunk], cwd: Path, defaults: dict | None = None, kernel: str = "python3",
            env: Mapping[str, str] | None = None, cache: Path | None = None) -> Executed:
    """Run every evaluated cell and inline expression; stop at the first error.

    With `cache` (a folder for this document), units whose stored outputs are still
    valid are not run (render/cache.py, docs/engine.md)."""
    defaults = defaults or {}
    result = Executed()
    steps = steps_of(chunks, defaults)
    if not steps:
        return result
    nb = nbformat.v4.new_notebook()
    # The kernel talks over Unix sockets, not TCP on localhost: no network needed
    # (a build works with loopback down) and no "TCP without encryption" warning.
    sockets = tempfile.TemporaryDirectory(prefix="tomas-kernel-")
    km = KernelManager(kernel_name=kernel, transport="ipc", ip=os.path.join(sockets.name, "k"))
    client = NotebookClient(
        nb, km=km, kernel_name=kernel, resources={"metadata": {"path": str(cwd)}}, allow_errors=True,
        startup_timeout=120,
    )
    # Stable hash seeds keep set/dict-of-str ordering (and so outputs) the same run to run.
    kernel_env = {**os.environ, **(env or {}), "PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    store: rcache.Store | None = None
    stored: dict[int, dict] = {}
    if cache is not None:
        try:
            spec = km.kernel_spec
            argv = list(spec.argv) if spec is not None else []
        except Exception:  # no such kernel: let the start below name the problem
            argv = []
        if argv and not _same_interpreter(argv):
            log.info("render cache: off, kernel %r runs another interpreter (%s)", kernel, argv[0])
        elif argv:
            store = rcache.Store(cache)
    if store is not None:
        units = rcache.units_of(steps)
        for unit in units:
            # Python shows a warning once per place: whether a cell shows one depends on every
            # cell before it, so a unit that shows warnings is run with all of them.
            unit.opaque = any(step.kind == "cell"
                              and cell_option(cast(CodeCell, chunks[step.index]), defaults, "warning", True)
                              for step in unit.steps)
        environment = rcache.environment_key(SETUP_CODE + RECORDER_CODE, kernel, argv, cwd, kernel_env)
        stale: list[bool] = []
        deps: list[set[int]] = []
        for unit in units:
            # A unit's dependencies may use what the runs of the earlier units that are still
            # valid were seen to change (Unit.changed), so they are worked out in document order.
            deps.append(rcache.dependencies(units)[unit.number])
            unit.key = rcache.unit_key(environment, unit, defaults)
            body = store.load(unit.key)
            if body is not None and len(body["outputs"]) == len(unit.steps):
                stored[unit.number] = body
            stale.append(unit.number not in stored or any(stale[d] for d in deps[unit.number]))
            if not stale[-1] and isinstance(stored[unit.number].get("changed"), list):
                unit.changed = set(stored[unit.number]["changed"])
        state_names = sorted(set().union(*(u.binds for u in units)))
        ran = set()
        for unit in units:
            if stale[unit.number]:
                ran |= {unit.number} | deps[unit.number]
    else:
        units = [rcache.Unit(0, "", steps)]
        ran = {0}
        state_names = []

    def state() -> dict:
        """Fingerprints of the document's names in the kernel (see Unit.changed)."""
        outputs = run(f"_tomas_state({state_names!r})", "engine cache recorder", history=False)
        lines = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").strip().splitlines()
        try:
            return dict(json.loads(lines[-1]))
        except (IndexError, ValueError, TypeError):
            return {name: None for name in state_names}

    def run(code: str, where: str, history: bool = True, keep_errors: bool = False) -> list[dict]:
        cell = nbformat.v4.new_code_cell(code)
        nb.cells.append(cell)
        try:
            client.execute_cell(cell, len(nb.cells) - 1, store_history=history)
        except (DeadKernelError, CellTimeoutError) as exc:
            raise RenderError(f"{where}: kernel failed: {exc}") from exc
        outputs = [dict(o) for o in cell.outputs]
        for out in outputs:
            if out.get("output_type") == "error" and not keep_errors:
                raise RenderError(f"{where}: Python error\n{_error_text(out)}")
        return outputs

    def run_step(step: Step):
        """The step's raw result: a cell's outputs, an inline expression's display data."""
        if step.kind == "cell":
            keep = bool(cell_option(cast(CodeCell, chunks[step.index]), defaults, "error", False))
            return run(step.code, step.where, keep_errors=keep)
        outputs = run(f"_tomas_inline(({step.code}))", step.where, history=False)
        return next((o["data"] for o in outputs if "data" in o), {})

    def use(step: Step, raw) -> None:
        if step.kind == "cell":
            result.cells[step.index] = raw
            return
        try:
            text, plain = inline_text(raw)
        except RenderError as exc:
            raise RenderError(f"{step.where}: {exc}") from None
        result.inline[(step.index, step.start)] = text
        if plain and (marks := plain_markup(str(raw["text/plain"]))):
            result.plain_markup.append(f"{step.where}: {' '.join(marks)}")

    fresh: dict[int, tuple[list, dict, list[str]]] = {}
    try:
        if ran:
            # Our own km means nbclient would leave the kernel running: ask it to shut down.
            with client.setup_kernel(env=kernel_env, cleanup_kc=True):
                run(SETUP_CODE, "engine setup cell", history=False)
                if store is not None:
                    run(RECORDER_CODE.replace("SKIP", repr(rcache.skip_prefixes())), "engine cache recorder",
                        history=False)
                count = 1  # IPython's execution count: a full run's, so that outputs carry the same
                before = state() if store is not None else {}
                for unit in units:
                    cells = sum(step.kind == "cell" for step in unit.steps)
                    if unit.number not in ran:
                        count += cells
                        continue
                    if store is not None:
                        run(f"get_ipython().execution_count = {count}", "engine cache recorder", history=False)
                    count += cells
                    outputs = []
                    for step in unit.steps:  # in document order, so the first problem is the one named
                        outputs.append(run_step(step))
                        use(step, outputs[-1])
                    if store is not None:
                        # Nothing runs between two units but these helpers: one unit's state after
                        # is the next one's before.
                        after = state()
                        changed = sorted(n for n in state_names if after.get(n) is None or after[n] != before.get(n))
                        before = after
                        taken = run("_tomas_reads()", "engine cache recorder", history=False)
                        fresh[unit.number] = (outputs, _recorded(taken), changed)
                    else:
                        fresh[unit.number] = (outputs, {}, [])
        for unit in units:
            if unit.number not in fresh:
                for step, raw in zip(unit.steps, stored[unit.number]["outputs"]):
                    use(step, raw)
        if result.plain_markup:
            # Quarto prints such values as literal text (or a citation for `@`): stop here too.
            raise RenderError(
                "inline expressions return a plain str with Markdown in it; Quarto escapes a plain str "
                "(its markup shows as literal text), so return IPython.display.Markdown "
                "(tomas_pipeline.reporting.Md) instead:\n  " + "\n  ".join(result.plain_markup))
    except RenderError:
        raise
    except Exception as exc:  # kernel start-up problems: name them plainly
        raise RenderError(f"could not run the Jupyter kernel {kernel!r}: {exc}") from exc
    finally:
        sockets.cleanup()
    if store is not None:
        try:
            _remember(store, units, fresh)
        except OSError as exc:  # a cache that cannot be written costs time, never the render
            log.warning("render cache: could not store outputs in %s: %s", store.folder, exc)
    return result


def _recorded(outputs: list[dict]) -> dict:
    """The recorder's report of one unit's reads and writes (its last line of stdout)."""
    lines = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").strip().splitlines()
    try:
        recorded = json.loads(lines[-1])
        if isinstance(recorded.get("reads"), dict) and isinstance(recorded.get("writes"), list):
            return recorded
    except (IndexError, ValueError, AttributeError):
        pass
    return {"reads": {}, "writes": ["(the recorder's report could not be read)"]}  # so: not stored


def _remember(store: rcache.Store, units: list[rcache.Unit], fresh: dict[int, tuple[list, dict, list[str]]]) -> None:
    """Store what this successful run made, except units whose outputs must not be replayed."""
    for number, (outputs, recorded, changed) in fresh.items():
        unit = units[number]
        has_error = any(o.get("output_type") == "error" for raw in outputs if isinstance(raw, list) for o in raw)
        if has_error:  # tracebacks carry execution counts
            log.info("render cache: %s not stored (error output)", unit.name)
        elif recorded.get("writes"):  # a skipped unit would not write them (or run what it ran)
            log.info("render cache: %s not stored (writes %s)", unit.name, ", ".join(recorded["writes"]))
        else:
            store.save(unit.key, unit.name, recorded.get("reads", {}), outputs, changed)
    store.write_stats(units, set(fresh))
    store.prune()
    log.info("render cache: %d of %d units executed, %d reused", len(fresh), len(units), len(units) - len(fresh))


def error_outputs_text(outputs: list[dict]) -> list[str]:
    return [_error_text(o) for o in outputs if o.get("output_type") == "error"]
