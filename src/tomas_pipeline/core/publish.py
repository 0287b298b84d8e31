"""Put a finished report where readers find it, whole or not at all.

The render writes to a staging folder; only when every format is there are
the files moved into ``report/_output/``, each by an atomic rename, and a
manifest of their hashes written last. A failed or interrupted build leaves
the previous report untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tomas_pipeline.core.io import atomic_write_bytes, sha256_file


def publish(staging: Path | str, output: Path | str, names: list[str], manifest: Path | str,
            stamp: str = "") -> list[Path]:
    """Move the staged report into place; `stamp` (version, date, commit, raw-data
    hash of the data it was made from) heads the manifest as a comment line,
    which ``sha256sum -c`` skips."""
    staging, output, manifest = Path(staging), Path(output), Path(manifest)
    missing = [n for n in names if not (staging / n).is_file()]
    if missing:
        raise FileNotFoundError(f"render did not produce {', '.join(missing)} in {staging}")
    output.mkdir(parents=True, exist_ok=True)
    # Everything that needs disk space is written beside its target first (a
    # full disk stops here, old report and manifest untouched); then renames,
    # which need none. An interruption between renames leaves at worst a mix
    # the manifest check in common.smk sends back to publish.
    temps = {name: output / f".{name}.publishing" for name in names}
    # What the last publish put here and this one does not (a format or a brief
    # taken out of the config) goes, so no stale file sits beside the manifest.
    stale = sorted(set(_published(manifest)) - set(names))
    manifest_tmp = manifest.with_name(f".{manifest.name}.publishing")
    try:
        for name, tmp in temps.items():
            shutil.copyfile(staging / name, tmp)
        lines = [f"# {stamp}\n"] if stamp else []
        lines += [f"{sha256_file(tmp)}  {name}\n" for name, tmp in temps.items()]
        atomic_write_bytes(manifest_tmp, "".join(lines).encode("utf-8"))
        for name, tmp in temps.items():
            tmp.replace(output / name)
        manifest_tmp.replace(manifest)
        for name in stale:
            (output / name).unlink(missing_ok=True)
    finally:
        for tmp in [*temps.values(), manifest_tmp]:
            tmp.unlink(missing_ok=True)
    return [output / name for name in names]


def _published(manifest: Path) -> list[str]:
    # Only plain names: a manifest edited to name ../something removes nothing outside.
    try:
        names = read_manifest(manifest)
    except (OSError, UnicodeDecodeError):
        return []
    return [n for n in names if n == Path(n).name and not n.startswith(".")]


def read_manifest(manifest: Path | str) -> dict[str, str]:
    """File name -> SHA-256 as recorded (comment lines skipped)."""
    lines = Path(manifest).read_text(encoding="utf-8").splitlines()
    pairs = (line.partition("  ") for line in lines if not line.startswith("#"))
    return {name: digest for digest, _, name in pairs if name}


def missing_outputs(output: Path | str, names: list[str], manifest: Path | str) -> list[str]:
    """Files a previous publish wrote that are gone or changed since (to rebuild them)."""
    manifest = Path(manifest)
    if not manifest.exists():
        return []
    recorded = read_manifest(manifest)
    out = []
    for name in names:
        path = Path(output) / name
        if not path.exists() or recorded.get(name) != sha256_file(path):
            out.append(name)
    return out


def edited_outputs(output: Path | str, names: list[str], manifest: Path | str) -> str:
    """A short digest of the published files that are there but differ from the manifest
    (edited by hand, or half-copied), '' when there are none. Reads only."""
    import hashlib

    edited = [n for n in missing_outputs(output, names, manifest) if (Path(output) / n).exists()]
    if not edited:
        return ""
    # The time too: the same edit made again after a repair is a new one to repair.
    state = "".join(f"{n} {sha256_file(Path(output) / n)} {(Path(output) / n).stat().st_mtime_ns}\n"
                    for n in edited)
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]


def write_receipt(receipt: Path | str) -> None:
    """Mark a republish done (the file rule all asks for), dropping the receipts of earlier ones."""
    receipt = Path(receipt)
    for old in receipt.parent.glob("republished.*"):
        if old != receipt:
            old.unlink()
    receipt.touch()
