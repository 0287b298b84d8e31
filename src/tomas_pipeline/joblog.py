"""Each step's log file: what a step does goes to its own log, an input error in full.

Below the steps (steps.py) so that a stage module can log as a step without
importing the orchestrator.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

from tomas_pipeline.core.errors import TomasInputError, TomasInputErrors

log = logging.getLogger("tomas")


@contextlib.contextmanager
def logged(log_path: Path | str | None) -> Iterator[logging.Logger]:
    """Send the step's log to its file; an input error lands there in full too."""
    handler = None
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        # Jobs run as threads side by side: each log keeps only its own job's lines.
        me = threading.get_ident()
        handler.addFilter(lambda record: record.thread == me)
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    try:
        yield log
    except (TomasInputError, TomasInputErrors) as exc:
        log.error("%s", exc)
        raise
    except Exception:
        log.error("%s", traceback.format_exc())
        raise
    finally:
        if handler:
            log.removeHandler(handler)
            handler.close()
