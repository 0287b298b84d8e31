"""A helper process for the figure jobs, so a build uses the second core.

Snakemake runs our jobs as threads of its own process (see the profile), and
threads of one Python compute one at a time. Drawing figures is the largest
share of that work, so while a build runs the figures are drawn in one helper
process, which starts when the build does and imports matplotlib while the
tables are still being checked. Outside a build (tests, the command line),
or if the helper could not start, `run` simply calls the function here.

Like any spawn-based pool, starting the helper re-imports the main module:
programs that drive this workflow from a script of their own need the
`if __name__ == "__main__":` guard (Snakemake's and our command lines have it).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_ready: Future[int] | None = None  # done once the helper has warmed up
_lock = threading.Lock()


def _exit_with(parent: int) -> None:
    # If the build is killed outright (SIGKILL, out of memory) no shutdown
    # message comes, and the helper would wait for work for ever.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _warm_up(parent: int) -> None:
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="tomas-helper-watch").start()
    # What every figure needs; imported once, in the helper, off the main core.
    import gc
    import importlib

    for module in ("tomas_pipeline.figures.charts", "tomas_pipeline.steps"):
        importlib.import_module(module)

    # The modules live as long as the process: keep the exit-time collection
    # from walking them, which the build would otherwise wait for.
    gc.freeze()


def start(wait: bool = False) -> None:
    """Start the helper process now (Snakemake's onstart hook); `wait` until it is ready."""
    global _pool, _ready
    with _lock:
        if _pool is None:
            # spawn, not fork: the parent has threads, and a forked child could inherit held locks.
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm_up, initargs=(os.getpid(),))
            _ready = _pool.submit(int)  # the process starts (and warms up) on its first task
        ready = _ready
    if wait and ready is not None:
        ready.result()


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in the helper when one was started, else right here.

    A job that comes before the helper has warmed up waits for it: drawing here
    instead would compete with the other jobs for this process (measured: a
    clean build's first figure took 2.4 s here against 1 s in the helper, and
    slowed the metrics beside it); in a one-table rebuild the wait is ~0.2 s.
    `fn` must be a module-level function and its arguments and result
    picklable; an exception raised in the helper is raised here.
    """
    pool, warm = _pool, _ready
    if pool is None or warm is None:
        return fn(*args, **kwargs)
    try:
        warm.result()
    except Exception:  # the helper could not start: draw here
        return fn(*args, **kwargs)
    return pool.submit(fn, *args, **kwargs).result()


def stop() -> None:
    """Let the helper exit (Snakemake's onsuccess and onerror hooks)."""
    global _pool, _ready
    with _lock:
        pool, _pool, _ready = _pool, None, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def ready() -> bool:
    """Whether `run` would use the helper now."""
    return _ready is not None and _ready.done() and _ready.exception() is None
