"""The Snakefile's onstart, onsuccess and onerror hooks.

Process plumbing, not a pipeline step: nothing here changes an output, so this
module is not among the stages' code inputs (editing it re-runs nothing).
"""

from __future__ import annotations

import threading

from tomas_pipeline import helper


def on_start() -> None:
    helper.start()


def on_success() -> None:
    helper.stop()
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
