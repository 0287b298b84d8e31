"""Which TOMAS project a `tomas` command works on.

A project is the folder holding the Snakefile and config/config.yaml; every
relative path in the config (data/raw, build/, ...) is relative to it, so a
command run from a subfolder or from outside reads the same files as a build.
"""

from __future__ import annotations

import os
from pathlib import Path

from tomas_pipeline.core.errors import TomasError

CONFIG = Path("config/config.yaml")
MARKERS = (Path("Snakefile"), CONFIG)


class ProjectNotFound(TomasError):
    """No project folder at or above the starting folder."""


def is_project(folder: Path) -> bool:
    return all((folder / marker).is_file() for marker in MARKERS)


def find_project(project: Path | str | None = None, start: Path | str | None = None) -> Path:
    """The project root: `project` if given (it must be one), else the nearest
    folder at or above `start` (default: the current folder) that is one."""
    if project is not None:
        root = Path(project).resolve()
        if not is_project(root):
            raise ProjectNotFound(f"{project} is not a TOMAS project (it needs a Snakefile and {CONFIG})")
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    raise ProjectNotFound(f"no TOMAS project (a folder with a Snakefile and {CONFIG}) at or above {here}; "
                          "run tomas inside one or pass --project DIR")


def shown(path: Path | str) -> Path:
    """A path as a user in the current folder can type it: relative when it lies
    below the current folder or at most two levels up, else absolute (so error messages stay short)."""
    path = Path(path).resolve()
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return path
    ups = len([part for part in relative.parts if part == ".."])
    return relative if ups <= 2 else path
