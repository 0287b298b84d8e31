"""The Snakefile's hooks."""

from __future__ import annotations

import gc
import threading

from tomas_pipeline import hooks


def test_finish_quickly_cancels_pending_timers_and_freezes_the_heap():
    fired = threading.Event()
    timer = threading.Timer(30, fired.set)
    timer.start()
    try:
        hooks.finish_quickly()
        timer.join(timeout=5)
        assert not timer.is_alive()  # would have waited 30 s
        assert not fired.is_set()    # cancelled, not run early
        assert gc.get_freeze_count() > 0
    finally:
        timer.cancel()
        gc.unfreeze()
