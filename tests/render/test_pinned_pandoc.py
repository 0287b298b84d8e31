"""The render uses the Pandoc the project pins (pypandoc-binary's), not a
`pandoc` that happens to be first on PATH, unless the user says otherwise."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import TESTS

from tomas_pipeline.render import RenderError, render_project
from tomas_pipeline.render.pandoc import PANDOC_ENV, pandoc_executable

FIXTURE = TESTS / "fixtures" / "render" / "basic"


@pytest.fixture
def fake_pandoc(tmp_path, monkeypatch) -> Path:
    """A newer-looking `pandoc` first on PATH that records being called and fails."""
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "fake-called.log"
    fake = folder / "pandoc"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\necho "pandoc 99.0"\nexit 3\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv(PANDOC_ENV, raising=False)
    return log


def test_a_pandoc_on_path_is_not_used(fake_pandoc, tmp_path):
    import pypandoc

    chosen = Path(pandoc_executable())
    assert chosen.is_relative_to(Path(pypandoc.__file__).resolve().parent)
    render_project(shutil.copytree(FIXTURE, tmp_path / "p"), tmp_path / "out", ("html",), engine="builtin")
    assert (tmp_path / "out" / "tomas.html").stat().st_size > 0
    assert not fake_pandoc.exists(), "the pandoc on PATH was called"


def test_the_user_may_choose_another_pandoc(fake_pandoc, tmp_path, monkeypatch):
    monkeypatch.setenv(PANDOC_ENV, "pandoc")
    assert pandoc_executable() == str(tmp_path / "bin" / "pandoc")
    with pytest.raises(RenderError):
        render_project(shutil.copytree(FIXTURE, tmp_path / "p"), tmp_path / "out", ("html",), engine="builtin")
    assert fake_pandoc.exists()


def test_a_missing_chosen_pandoc_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(PANDOC_ENV, "/nowhere/pandoc")
    with pytest.raises(RenderError, match=PANDOC_ENV):
        pandoc_executable()
