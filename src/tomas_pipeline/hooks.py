"""The Snakefile's onstart, onsuccess and onerror hooks.

Process plumbing, not a pipeline step: nothing here changes an output, so this
module is not among the stages' code inputs (editing it re-runs nothing).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TextIO

from tomas_pipeline import helper


def on_start() -> None:
    helper.start()


def on_success(published: list[str] | None = None) -> None:
    helper.stop()
    if published:
        # The last line a user reads says where the report is.
        present = [p for p in published if Path(p).is_file()]
        print("Report: " + ", ".join(present), file=sys.stderr)
    finish_quickly()


def on_error() -> None:
    helper.stop()


def finish_quickly() -> None:
    """Let a finished Snakemake run exit as soon as its work is done.

    Snakemake's scheduler wakes itself on one-second `threading.Timer`s (its
    job-rate limit), and Python waits for the last one before exiting; it then
    collects every object of the session, memory the OS takes back anyway.
    Together about a second of a clean build that is only waiting.
    """
    import gc

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
    gc.freeze()


def _is_snakemake(argv: list[str]) -> bool:
    """A Snakemake process itself (`snakemake ...`, `python -m snakemake`), not a
    shell or make that merely mentions it."""
    names = [Path(a).name for a in argv[:3]]
    return bool(names) and (names[0] == "snakemake" or (names[0].startswith("python") and (
        names[1:2] == ["snakemake"] or names[1:3] == ["-m", "snakemake"])))


def other_builds(workdir: Path | str = ".") -> list[str] | None:
    """Other Snakemake processes working in `workdir` (an ancestor counts: then this
    is one of its job processes); None where that cannot be seen (no /proc)."""
    if not Path("/proc/self").exists():
        return None
    here, found = Path(workdir).resolve(), []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if int(proc.name) == os.getpid() or Path(os.readlink(proc / "cwd")) != here:
                continue
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue  # gone while we looked, or not ours to read
        if _is_snakemake(argv):
            found.append(f"pid {proc.name}: {' '.join(argv)[:120].strip()}")
    return found


def clear_stale_locks(workdir: Path | str = ".", out: TextIO | None = None) -> bool:
    """Remove the lock a killed build (kill -9, a lost terminal) left behind, so the
    next run needs no `--unlock`; leave a live build's lock alone and say whose
    it is. Called when the workflow is parsed, before Snakemake takes its lock."""
    out = out or sys.stderr
    locks = Path(workdir, ".snakemake", "locks")
    files = sorted(locks.glob("*.lock")) if locks.is_dir() else []
    if not files:
        return False
    others = other_builds(workdir)
    if others is None:
        print("note: a lock from an earlier build is in .snakemake/locks; if no other build is running here, "
              "run `.venv/bin/snakemake --unlock` once, then `make report`", file=out)
        return False
    if others:
        print("note: another build is running in this folder (" + "; ".join(others) + "): wait for it, "
              "or stop it, then run `make report` again", file=out)
        return False
    for lock in files:
        lock.unlink(missing_ok=True)
    print("note: removed the lock an interrupted build left behind (what `snakemake --unlock` does)", file=out)
    return True
