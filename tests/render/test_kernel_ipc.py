"""The Jupyter kernel needs no network: it talks to the renderer over Unix
sockets, so a render works with not even loopback up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from buildkit import unshare_problem
from conftest import TESTS

FIXTURE = TESTS / "fixtures" / "render" / "basic"


def _render_html(project: Path, out: Path, wrap: list[str]) -> subprocess.CompletedProcess:
    cmd = [*wrap, sys.executable, "-m", "tomas_pipeline.render", str(project), "--to", "html",
           "--engine", "builtin", "--output-dir", str(out)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def test_a_render_runs_its_cells_with_no_network_interface_at_all(tmp_path):
    problem = unshare_problem()
    if problem:
        pytest.skip(problem)
    project = shutil.copytree(FIXTURE, tmp_path / "project")
    # A new network namespace whose loopback stays down: no TCP at all, not even 127.0.0.1.
    result = _render_html(project, tmp_path / "out", ["unshare", "-n"])
    assert result.returncode == 0, result.stderr[-3000:]
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "scores" in html and "2" in html  # the inline `len(scores)` was computed
    assert "without encryption" not in result.stderr


def test_the_kernel_is_started_on_ipc_and_its_sockets_are_removed(monkeypatch, tmp_path):
    """Where a namespace is not allowed: the manager asks for ipc, and runs the cell."""
    import tempfile

    from jupyter_client import KernelManager

    from tomas_pipeline.render.execute import execute
    from tomas_pipeline.render.project import Line
    from tomas_pipeline.render.qmd import CodeCell

    transports = []
    real_start = KernelManager.start_kernel

    def spy(self, **kwargs):
        transports.append(self.transport)
        return real_start(self, **kwargs)

    monkeypatch.setattr(KernelManager, "start_kernel", spy)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cell = CodeCell("print(6 * 7)", {}, [Line("print(6 * 7)", tmp_path / "x.qmd", 1)])
    result = execute([cell], tmp_path)
    assert transports == ["ipc"]
    assert "42" in "".join(o.get("text", "") for o in result.cells[0])
    assert not list(tmp_path.glob("tomas-kernel-*"))
    # The kernel is shut down and its client closed, not left for the garbage collector.
    import gc

    from jupyter_client.blocking.client import BlockingKernelClient

    assert not [c for c in gc.get_objects() if isinstance(c, BlockingKernelClient) and c.channels_running]
