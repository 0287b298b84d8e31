"""Where every table and figure came from, written beside it.

A ``<output>.provenance.json`` names the processed inputs with their hashes,
the function that made the output and the sources behind its data, so a
reader of the report can trace any figure back to rows in ``data/raw/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tomas_pipeline.core.io import sha256_file, write_json


def provenance_path(output: Path | str) -> Path:
    output = Path(output)
    return output.with_name(output.stem + ".provenance.json")


def write_provenance(
    output: Path | str,
    inputs: Iterable[Path | str],
    code: str | Callable[..., object],
    source_ids: Iterable[str],
    root: Path | str = ".",
    extra: dict[str, object] | None = None,
) -> Path:
    """Record inputs (relative paths + sha256), code and sources for ``output``.

    ``code`` is the function that made it (named from the object, so a moved
    module can never leave a stale name behind) or a dotted name."""
    root = Path(root).resolve()
    if callable(code):
        code = f"{code.__module__}.{code.__qualname__}"
    record: dict[str, object] = {
        "output": _rel(output, root),
        "code": code,
        "inputs": [
            {"path": _rel(p, root), "sha256": sha256_file(p)}
            for p in sorted({Path(p) for p in inputs}, key=lambda p: _rel(p, root))
        ],
        "sources": sorted({s for s in source_ids if s}),
    }
    if extra:
        record.update(extra)
    target = provenance_path(output)
    write_json(record, target)
    return target


def read_provenance(output: Path | str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(provenance_path(output).read_text(encoding="utf-8"))
    return record


def _rel(path: Path | str, root: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


def split_source_ids(values: Iterable[object]) -> list[str]:
    """Source ids from cells that may hold several, separated by ';'."""
    out: set[str] = set()
    for value in values:
        if isinstance(value, str):
            out.update(s.strip() for s in value.split(";") if s.strip())
    return sorted(out)
