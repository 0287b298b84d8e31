"""A Quarto-compatible renderer for the TOMAS paper.

`render_project` uses the real Quarto CLI where one is on PATH and the built-in
engine (Jupyter kernel + Pandoc + Typst) otherwise. See docs/engine.md.
"""

from importlib import import_module

from .errors import RenderError

# The engine (and the Jupyter client under it) loads on first use, so that reading the format
# registry (render.formats: the Snakefile, the release) does not load it.
_LAZY = {"cli_render": "cli", "main": "cli", "choose_engine": "engine", "render_project": "engine"}

__all__ = ["RenderError", "choose_engine", "cli_render", "main", "render_project"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
