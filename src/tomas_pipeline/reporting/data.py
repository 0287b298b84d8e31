"""Reading the processed tables the report shows (paths from the environment, cached per process)."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import pandas as pd

from tomas_pipeline.core.io import read_processed

# Audit event raised for every file a cell reads through this module, a cache hit
# included: a render cache keys a cell on what it read (docs/engine.md), and an
# in-process cache would otherwise hide the second chapter's read of a table.
# Costs nothing unless a hook listens (sys.addaudithook).
READ_EVENT = "tomas.read"


def note_read(path: Path | str) -> None:
    """Tell a listening render cache that a cell depends on `path` (its bytes, or its absence)."""
    sys.audit(READ_EVENT, os.path.abspath(path))


# Where the cells find the build's files: the workflow sets these in the kernel's
# environment from config/config.yaml (`cell_environment`); the defaults are the
# default config's paths as seen from report/, where the cells run (as under
# Quarto), so `quarto render report` works with no variable set.
PATH_VARIABLES = {
    "processed": ("TOMAS_PROCESSED_DIR", "../data/processed"),
    "figures": ("TOMAS_FIGURES_DIR", "figures"),
    "method": ("TOMAS_METHOD_FILE", "../config/indicators.yaml"),
}


def cell_environment(project: Path | str, **paths: Path | str) -> dict[str, str]:
    """The variables that point the report's cells at `paths` (processed=, figures=,
    method=, as the workflow's config names them), relative to the report `project`
    folder so that the rendered bytes do not depend on where the checkout lies."""
    unknown = sorted(set(paths) - set(PATH_VARIABLES))
    if unknown:
        raise ValueError(f"unknown report path(s) {unknown}; expected {sorted(PATH_VARIABLES)}")
    return {PATH_VARIABLES[key][0]: os.path.relpath(Path(value).resolve(), Path(project).resolve())
            for key, value in paths.items()}


def _configured(key: str) -> Path:
    variable, default = PATH_VARIABLES[key]
    return Path(os.environ.get(variable, default))


def processed_dir() -> Path:
    return _configured("processed")


def figures_dir() -> Path:
    return _configured("figures")


@cache
def _load(name: str) -> pd.DataFrame:
    return read_processed(processed_dir() / f"{name}.csv")


def table(name: str) -> pd.DataFrame:
    """A processed table by name (a fresh copy each time)."""
    note_read(processed_dir() / f"{name}.csv")
    return _load(name).copy()


def preferred(name: str) -> pd.DataFrame:
    frame = table(name)
    return frame[frame["preferred"].astype(bool)] if "preferred" in frame.columns else frame


def countries(focus_only: bool = True) -> pd.DataFrame:
    frame = table("countries")
    frame = frame[frame["focus"].astype(bool)] if focus_only else frame[frame["comparison"].astype(bool)]
    return frame.sort_values("order")


def country_name(iso2: str) -> str:
    return str(table("countries").set_index("iso2").at[iso2, "name"])


def available(name: str) -> bool:
    """Whether this build has made the processed table ``name``."""
    path = processed_dir() / f"{name}.csv"
    note_read(path)  # a table that appears later changes what the cell shows
    return path.is_file()


def table_or_none(name: str) -> pd.DataFrame | None:
    return table(name) if available(name) else None


def method_path() -> Path:
    return _configured("method")


def indicator_labels() -> dict[str, str]:
    """Indicator id -> label from the method file ({} when the method file is not there yet)."""
    try:
        from tomas_pipeline.metrics.method import load_indicators

        return {ind["id"]: ind["label"] for ind in load_indicators(method_path())}
    except (ImportError, FileNotFoundError, OSError):
        return {}


def indicator_counts() -> tuple[int, int]:
    """(scored indicators, indicators recorded for context only) in the method file."""
    from tomas_pipeline.metrics.method import load_indicators

    indicators = load_indicators(method_path())
    scored = sum(1 for ind in indicators if ind["scored"])
    return scored, len(indicators) - scored
