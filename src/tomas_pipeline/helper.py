"""A helper process for the figure jobs, so a build uses the second core.

Snakemake runs our jobs as threads of its own process (see the profile), and
threads of one Python compute one at a time. Drawing figures is the largest
share of that work, so while a build runs the figures are drawn in one helper
process, which starts when the build does and imports matplotlib while the
tables are still being checked. Outside a build (tests, the command line)
nothing is started and `run` simply calls the function.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _warm_up() -> None:
    # What every figure needs; imported once, in the helper, off the main core.
    import gc

    import tomas_pipeline.figures  # noqa: F401
    import tomas_pipeline.steps  # noqa: F401

    # The modules live as long as the process: keep the exit-time collection
    # from walking them, which the build would otherwise wait for.
    gc.freeze()


def start() -> None:
    """Start the helper process now (Snakemake's onstart hook)."""
    global _pool
    with _lock:
        if _pool is None:
            # spawn, not fork: the parent has threads, and a forked child could inherit held locks.
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm_up)
            _pool.submit(int)  # the process starts (and warms up) on its first task


def run(fn: Callable[..., T], *args, **kwargs) -> T:
    """`fn(*args, **kwargs)` in the helper when one is running, else right here.

    `fn` must be a module-level function and its arguments and result picklable;
    an exception raised in the helper is raised here.
    """
    pool = _pool
    if pool is None:
        return fn(*args, **kwargs)
    return pool.submit(fn, *args, **kwargs).result()


def stop() -> None:
    """Let the helper exit (Snakemake's onsuccess and onerror hooks)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def running() -> bool:
    return _pool is not None
