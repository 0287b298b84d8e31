"""`tomas render` command line: `python -m tomas_pipeline.render PROJECT --to html,pdf`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .engine import ENGINES, render_project
from .errors import RenderError
from .formats import DEFAULT_FORMATS, FORMATS


def _metadata(pairs: Sequence[str]) -> dict:
    """`-M key=value` or Quarto's `-M key:value`."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=") if "=" in pair else pair.partition(":")
        if not sep or not key:
            raise RenderError(f"-M expects key=value, got {pair!r}")
        out[key.strip()] = value
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tomas render", description="Render the Quarto paper.")
    parser.add_argument("project", nargs="?", default=".", type=Path, help="project folder (with _quarto.yml)")
    parser.add_argument("--to", default=",".join(DEFAULT_FORMATS),
                        help=f"comma-separated formats: {','.join(FORMATS)}")
    parser.add_argument("--engine", default="auto", choices=ENGINES,
                        help="auto uses quarto when on PATH (TOMAS_RENDER_ENGINE overrides)")
    parser.add_argument("--output-dir", type=Path, default=None, help="default: _quarto.yml project: output-dir")
    parser.add_argument("-M", "--metadata", action="append", default=[], metavar="KEY=VALUE",
                        help="metadata over the front matter (repeatable)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="formats converted at once by the built-in engine (default: one per core)")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="keep the built-in engine's cell-output cache in DIR and reuse it (docs/engine.md); "
                             "`make report` uses build/render-cache. Default: run every cell")
    return parser


def cli_render(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        formats = [f.strip() for f in args.to.split(",") if f.strip()]
        outputs = render_project(args.project, args.output_dir, formats, args.engine, _metadata(args.metadata),
                                 args.jobs, cache=args.cache)
    except RenderError as exc:
        print(f"render failed: {exc}", file=sys.stderr)
        return 1
    for path in outputs:
        print(path)
    return 0


def main(project_dir: Path | str = ".", to: str = ",".join(DEFAULT_FORMATS), engine: str = "auto") -> int:
    """Keyword form for callers that are not a command line."""
    return cli_render([str(project_dir), "--to", to, "--engine", engine])
