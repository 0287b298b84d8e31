"""Put a finished report where readers find it, whole or not at all.

The render writes to a staging folder; only when every format is there are
the files moved into ``report/_output/``, each by an atomic rename, and a
manifest of their hashes written last. A failed or interrupted build leaves
the previous report untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tomas_pipeline.io import atomic_write_bytes, sha256_file


def publish(staging: Path | str, output: Path | str, names: list[str], manifest: Path | str) -> list[Path]:
    staging, output = Path(staging), Path(output)
    missing = [n for n in names if not (staging / n).is_file()]
    if missing:
        raise FileNotFoundError(f"render did not produce {', '.join(missing)} in {staging}")
    output.mkdir(parents=True, exist_ok=True)
    # Copy every file beside its target first (the slow part), then rename them
    # one after another: an interruption leaves the old set or, at worst for a
    # moment, a mix the manifest check in common.smk sends back to publish.
    temps = {name: output / f".{name}.publishing" for name in names}
    try:
        for name, tmp in temps.items():
            shutil.copyfile(staging / name, tmp)
        for name, tmp in temps.items():
            tmp.replace(output / name)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    published = [output / name for name in names]
    lines = [f"{sha256_file(p)}  {p.name}\n" for p in published]
    atomic_write_bytes(manifest, "".join(lines).encode("utf-8"))
    return published


def missing_outputs(output: Path | str, names: list[str], manifest: Path | str) -> list[str]:
    """Files a previous publish wrote that are gone or changed since (to rebuild them)."""
    manifest = Path(manifest)
    if not manifest.exists():
        return []
    recorded = dict(reversed(line.split("  ", 1)) for line in manifest.read_text().splitlines() if "  " in line)
    out = []
    for name in names:
        path = Path(output) / name
        if not path.exists() or recorded.get(name) != sha256_file(path):
            out.append(name)
    return out
