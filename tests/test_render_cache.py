"""Read recording for the render cache (issue 19): every table a cell reads
through reporting.data is announced, cache hits and absent tables included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LISTEN = """
import json, sys
seen = []
sys.addaudithook(lambda event, args: seen.append(args[0]) if event == "tomas.read" else None)
from tomas_pipeline.reporting import data
data.table("sources")
data.table("sources")  # the second read is served from the in-process cache
print(json.dumps({"available": data.available("missing"), "seen": seen}))
"""


def _listen(processed: Path) -> dict:
    # Audit hooks cannot be removed: listen in a child process, not in pytest's.
    env = {**os.environ, "TOMAS_PROCESSED_DIR": str(processed)}
    proc = subprocess.run([sys.executable, "-c", LISTEN], env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_read_is_announced_including_cache_hits_and_absent_tables(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "sources.csv").write_text("source_id,title\nS1,A title\n", encoding="utf-8")
    result = _listen(processed)
    table = str((processed / "sources.csv").resolve())
    missing = str((processed / "missing.csv").resolve())
    assert result["available"] is False
    # Two reads of one table are two announcements: a later chapter served from
    # the cache still depends on the file.
    assert result["seen"] == [table, table, missing]
