"""A Quarto-compatible renderer for the TOMAS paper.

`render_project` uses the real Quarto CLI where one is on PATH and the built-in
engine (Jupyter kernel + Pandoc + Typst) otherwise. See docs/engine.md.
"""

from .cli import cli_render, main
from .engine import choose_engine, render_project
from .errors import RenderError

__all__ = ["RenderError", "choose_engine", "cli_render", "main", "render_project"]
