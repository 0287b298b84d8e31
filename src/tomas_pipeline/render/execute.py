"""Run a document's Python cells and inline expressions in one Jupyter kernel.

Cells run in document order with the document's folder as working directory,
as Quarto does. Inline expressions run where they appear, between cells.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

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


def execute(chunks: list[Chunk], cwd: Path, defaults: dict | None = None, kernel: str = "python3",
            env: Mapping[str, str] | None = None) -> Executed:
    """Run every evaluated cell and inline expression; stop at the first error."""
    defaults = defaults or {}
    result = Executed()
    if not needs_kernel(chunks, defaults):
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

    try:
        # Our own km means nbclient would leave the kernel running: ask it to shut down.
        with client.setup_kernel(env=kernel_env, cleanup_kc=True):
            run(SETUP_CODE, "engine setup cell", history=False)
            for index, chunk in enumerate(chunks):
                if isinstance(chunk, CodeCell):
                    if cell_option(chunk, defaults, "eval", True):
                        keep = bool(cell_option(chunk, defaults, "error", False))
                        result.cells[index] = run(chunk.code, chunk.where(), keep_errors=keep)
                    continue
                for match in inline_expressions(chunk):
                    where = f"{chunk.where(match.start())} (inline `{match.group(1)}`)"
                    outputs = run(f"_tomas_inline(({match.group(1)}))", where, history=False)
                    data = next((o["data"] for o in outputs if "data" in o), {})
                    try:
                        text, plain = inline_text(data)
                    except RenderError as exc:
                        raise RenderError(f"{where}: {exc}") from None
                    result.inline[(index, match.start())] = text
                    if plain and (marks := plain_markup(str(data["text/plain"]))):
                        result.plain_markup.append(f"{where}: {' '.join(marks)}")
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
    return result


def error_outputs_text(outputs: list[dict]) -> list[str]:
    return [_error_text(o) for o in outputs if o.get("output_type") == "error"]
