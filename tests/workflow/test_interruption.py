"""Interruption: a build stopped during the render (SIGTERM to Snakemake, or
Ctrl-C, i.e. SIGINT to the whole process group) or earlier leaves the previous
report whole and readable and every table whole, and the next run completes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from buildkit import base_build, build_env, copy_build, edit_cells, hashes, snakemake, snakemake_cmd, tail

from tomas_pipeline.core.io import read_processed
from tomas_pipeline.core.publish import read_manifest

pytestmark = pytest.mark.slow


EARLY_MARKER = "Interruption check: noted before a SIGINT during validation."


def marker(sig: int) -> str:
    return f"Interruption check: this paragraph was added before a {signal.Signals(sig).name}."
NAMES = ("tomas.html", "tomas.pdf", "tomas.docx")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return copy_build(base_build(tmp_path_factory), tmp_path_factory.mktemp("interrupt") / "repo")


def assert_whole(out: Path) -> None:
    """Every published file is complete and the manifest matches them."""
    from pypdf import PdfReader

    html = (out / "tomas.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    assert len(PdfReader(out / "tomas.pdf").pages) > 1
    with zipfile.ZipFile(out / "tomas.docx") as docx:
        assert docx.testzip() is None and "word/document.xml" in docx.namelist()
    recorded = read_manifest(out / "tomas.sha256")
    assert recorded == {k.rsplit("/", 1)[1]: v for k, v in hashes(out.parent.parent, ["report/_output"]).items()
                        if k.rsplit("/", 1)[1] in NAMES}


def build_processes(repo: Path) -> list[str]:
    """Command lines of live processes working inside the repository (Linux /proc).
    By working folder, not session: the Jupyter kernel runs in a session of its own."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(proc / "cwd")).is_relative_to(repo):
                found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue  # ended while we looked, or not ours to read
    return [c for c in found if c]  # zombies have no command line


def _ctrl_c_acts() -> None:
    # A shell without job control starts background commands with SIGINT ignored,
    # and Python keeps an ignored SIGINT ignored: the build under test would then
    # not hear the Ctrl-C this test sends (seen with `(make test &)`).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(repo: Path, sig: int, whole_group: bool, log: Path, ready) -> int:
    """Start a build, wait until ready(log text) holds, send the signal; the exit code."""
    with open(log, "w") as out:
        proc = subprocess.Popen(snakemake_cmd(), cwd=repo, env=build_env(repo), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_ctrl_c_acts)
        try:
            deadline = time.monotonic() + 900
            while not ready(log.read_text()):
                assert proc.poll() is None, f"the build ended before the moment to stop it:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, "the moment to stop the build never came"
                time.sleep(0.1)
            if whole_group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
            code = proc.wait(timeout=300)
            # Nothing the build started may live on and write after it said it stopped.
            deadline = time.monotonic() + 30
            while build_processes(repo) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not build_processes(repo)
            return code
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def render_running(repo: Path):
    """True once the render's Jupyter kernel has been up for a second (running the cells)."""
    seen: list[float] = []

    def ready(_log: str) -> bool:
        if not seen and any("ipykernel" in c for c in build_processes(repo)):
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] > 1
    return ready


@pytest.mark.parametrize("sig, whole_group", [(signal.SIGTERM, False), (signal.SIGINT, True),
                                              (signal.SIGKILL, True)],
                         ids=["SIGTERM to snakemake", "SIGINT to the process group", "kill -9 of the group"])
def test_interrupted_render_keeps_the_previous_report(repo, tmp_path, sig, whole_group):
    # A change only the render picks up (each case its own, so each needs a render).
    chapter = repo / "report/chapters/01-introduction.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{marker(sig)}\n", encoding="utf-8")
    # A prose edit alone runs no cell when the render cache holds them all: without the
    # cache the kernel runs every chapter, and there is a render to interrupt.
    shutil.rmtree(repo / "build/render-cache", ignore_errors=True)
    before = hashes(repo, ["report/_output"])
    code = interrupt(repo, sig, whole_group, tmp_path / "build.log", render_running(repo))
    assert code != 0, (tmp_path / "build.log").read_text()[-3000:]
    # Byte for byte the previous report (no temp file left beside it either).
    assert hashes(repo, ["report/_output"]) == before
    assert_whole(repo / "report/_output")
    assert marker(sig) not in (repo / "report/_output/tomas.html").read_text(encoding="utf-8")


def test_after_kill_9_the_next_run_needs_no_unlock(repo):
    """kill -9 gives Snakemake no chance to remove its lock; the next plain run
    clears it (no other build is live) and says so."""
    assert list((repo / ".snakemake/locks").glob("*.lock")), "kill -9 left no lock: the case is not tested"
    result = snakemake(repo)
    assert result.returncode == 0, tail(result)
    assert "removed the lock an interrupted build left behind" in result.stdout + result.stderr
    assert marker(signal.SIGKILL) in (repo / "report/_output/tomas.html").read_text(encoding="utf-8")


def test_interrupted_validation_keeps_tables_whole(repo, tmp_path):
    """Ctrl-C early, as the changed table is validated (where exactly depends on
    the machine's speed; what is checked holds wherever the build stops)."""
    laws = repo / "data/raw/laws.csv"
    edit_cells(laws, [(0, "note", EARLY_MARKER)])
    before = hashes(repo)
    code = interrupt(repo, signal.SIGINT, True, tmp_path / "build.log", lambda log: "localrule validate:" in log)
    assert code != 0
    assert hashes(repo, ["report/_output"]) == {k: v for k, v in before.items() if k.startswith("report/_output/")}
    after = hashes(repo, ["data/processed"])
    # Each table is the old one or the new one, whole; no temp file is left beside them.
    assert set(after) == {k for k in before if k.startswith("data/processed/")}
    for name in after:
        if name.endswith(".csv"):
            read_processed(repo / name)


def test_the_next_run_completes_the_report(repo):
    result = snakemake(repo)
    assert result.returncode == 0, tail(result)
    out = repo / "report/_output"
    assert_whole(out)
    html = (out / "tomas.html").read_text(encoding="utf-8")
    assert all(marker(s) in html for s in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL))
    assert EARLY_MARKER in (repo / "data/processed/laws.csv").read_text(encoding="utf-8")
    for name in NAMES:
        assert (out / name).read_bytes() == (repo / "build/report" / name).read_bytes()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_damaged_published_file_is_published_again(repo):
    """A half-copied or hand-edited file under a final name is not taken for the real one."""
    pdf = repo / "report/_output/tomas.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(good[: len(good) // 2])
    result = snakemake(repo)
    assert result.returncode == 0, tail(result)
    assert pdf.read_bytes() == good
    assert_whole(repo / "report/_output")
