"""The build makes no network connection: a whole clean build runs with every
Python process refusing (and recording) any non-loopback connection or name
lookup, inside a network namespace that has only loopback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from buildkit import NETGUARD, guarded_build, tail


def test_the_guard_refuses_and_records(tmp_path):
    """The guard itself: outside traffic is refused and written down, loopback works."""
    log = tmp_path / "attempts.log"
    env = dict(os.environ, PYTHONPATH=str(NETGUARD), TOMAS_NET_ATTEMPTS=str(log),
               TOMAS_NET_LOADED=str(tmp_path / "loaded.log"))
    code = (
        "import socket\n"
        "server = socket.create_server(('127.0.0.1', 0))\n"
        "socket.create_connection(server.getsockname()).close()\n"
        "for target in [('192.0.2.1', 80), ('example.org', 443)]:\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=1)\n"
        "    except OSError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit('connected to ' + repr(target))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    recorded = log.read_text()
    assert "192.0.2.1" in recorded and "example.org" in recorded


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> dict:
    build = guarded_build(tmp_path_factory)
    assert build["result"].returncode == 0, tail(build["result"])
    return build


@pytest.mark.slow
def test_build_tries_no_connection(guarded):
    assert guarded["attempts"] == "", f"network use during the build:\n{guarded['attempts']}"
    # The guard was in the processes that matter: Snakemake (its jobs run as its
    # threads, or as child Pythons that load it too) and the Jupyter kernel.
    loaded = guarded["loaded"]
    assert "snakemake" in loaded and "ipykernel" in loaded, loaded


@pytest.mark.slow
def test_build_needs_no_network(guarded):
    if guarded["namespace_problem"]:
        pytest.skip(guarded["namespace_problem"])
    out = guarded["repo"] / "report" / "_output"
    assert all((out / name).stat().st_size > 1000 for name in ("tomas.html", "tomas.pdf", "tomas.docx"))
