"""Scratch builds shared by the robustness tests.

A whole build takes a minute or more, so one base build is made per test
session and each test that changes something works on a copy of it
(copytree keeps mtimes, so Snakemake sees the copy as up to date). The base
build's raw tables carry a few hostile cells (markup, spreadsheet formulas)
so that test_hostile.py needs no build of its own.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BUILD_EPOCH, build_env, copy_repo, ignore_outputs, run_snakemake, snakemake_cmd  # noqa: F401

EPOCH = BUILD_EPOCH
PUBLISHED = ("data/processed", "report/_output")
# One way to run a test build, shared with the other tests (conftest.py).
snakemake = run_snakemake


def tail(result: subprocess.CompletedProcess, n: int = 4000) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout[-n:]}\n--- stderr\n{result.stderr[-n:]}"


def hashes(repo: Path, folders=PUBLISHED) -> dict[str, str]:
    """sha256 of every file under the folders, hidden ones too (a leftover temp file shows up)."""
    out = {}
    for folder in folders:
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file():
                out[path.relative_to(repo).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def copy_sources(source: Path, target: Path) -> Path:
    """What copy_repo copies, but from a given tree: a build of the very same sources
    even while someone edits the working tree."""
    shutil.copytree(source, target, ignore=ignore_outputs())
    for made in (target / "data" / "processed").glob("*"):
        if made.name != "README.md":
            made.unlink()
    return target


def copy_build(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


# Hostile cells planted in the base build (no quotes in what the HTML check
# looks for: Pandoc makes quotes typographic).
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
FORMULAS = ['=HYPERLINK("http://example.invalid","click")', "+1", "-2cmd", "@SUM(A1:A2)"]
TITLE_FORMULA = "=SUM(A1:A9)"
HOSTILE_SOURCE_TITLE = f"Towards Uniformed Legislation {SCRIPT} {IMG}"


def read_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[dict]) -> None:
    """Rows back to CSV as the raw tables are written; the csv module quotes what needs quoting."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def edit_cells(path: Path, changes: list[tuple[int, str, str]]) -> None:
    """Set (row index, column) to value."""
    rows = read_rows(path)
    for index, column, value in changes:
        rows[index][column] = value
    write_rows(path, rows)


def plant_hostile_cells(repo: Path) -> None:
    raw = repo / "data/raw"
    # North Macedonia is a focus country, so its laws are listed in the report
    # (test_robustness.py breaks Albania's rows; these stay clear of them).
    macedonia = [i for i, r in enumerate(read_rows(raw / "laws.csv")) if r["country"] == "North Macedonia"][1:]
    edit_cells(raw / "laws.csv", [
        (macedonia[0], "law", f"Law on {SCRIPT} Protection"),
        (macedonia[1], "law", f"Law on {IMG} Communications"),
        (macedonia[2], "law", f"Law {LINK}"),
        (macedonia[3], "law", TITLE_FORMULA),
        *[(macedonia[k], "note", formula) for k, formula in enumerate(FORMULAS)],
    ])
    # tomas2024 is the paper itself, cited throughout: its title is in the bibliography.
    sources = [r["source_id"] for r in read_rows(raw / "sources.csv")]
    paper = sources.index("tomas2024")
    edit_cells(raw / "sources.csv", [(paper, "title", HOSTILE_SOURCE_TITLE), (paper, "note", FORMULAS[1]),
                                     (0 if paper else 1, "note", FORMULAS[3])])


_BASE: dict[str, object] = {}


def base_build(tmp_path_factory) -> Path:
    """The repository, with the hostile cells, built once from scratch; copy it, do not change it."""
    if "repo" not in _BASE:
        repo = copy_repo(tmp_path_factory.mktemp("base") / "repo")
        plant_hostile_cells(repo)
        result = snakemake(repo)
        _BASE["repo"] = repo if result.returncode == 0 else tail(result)
    if isinstance(_BASE["repo"], str):
        pytest.fail("the base build failed:\n" + _BASE["repo"])
    return _BASE["repo"]


NETGUARD = Path(__file__).resolve().parent / "netguard"


def unshare_problem() -> str | None:
    """Why a network namespace cannot be made here (None when it can)."""
    ip = shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin")
    if not shutil.which("unshare") or not ip:
        return "unshare(1) or ip(8) is not installed"
    probe = subprocess.run(["unshare", "-n", ip, "link", "set", "lo", "up"], capture_output=True, text=True)
    if probe.returncode:
        return f"unshare -n is not permitted here: {probe.stderr.strip()}"
    return None


def guarded_build(tmp_path_factory) -> dict:
    """A second build from scratch of the base build's sources, in another folder, with the
    network guard in every Python process and, where permitted, in a network
    namespace with only loopback (the Jupyter kernel talks to the renderer over 127.0.0.1)."""
    if "guarded" not in _GUARDED:
        root = tmp_path_factory.mktemp("guarded")
        repo = copy_sources(base_build(tmp_path_factory), root / "elsewhere" / "repo")
        attempts, loaded = root / "net-attempts.log", root / "net-loaded.log"
        env = build_env(repo, str(NETGUARD), TOMAS_NET_ATTEMPTS=str(attempts), TOMAS_NET_LOADED=str(loaded))
        problem = unshare_problem()
        cmd = snakemake_cmd()
        if problem is None:
            ip = shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin")
            cmd = ["unshare", "-n", "sh", "-c", f'{ip} link set lo up && exec "$@"', "sh", *cmd]
        result = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=1200)
        _GUARDED["guarded"] = {
            "repo": repo, "result": result, "namespace_problem": problem,
            "attempts": attempts.read_text() if attempts.exists() else "",
            "loaded": loaded.read_text() if loaded.exists() else "",
        }
    return _GUARDED["guarded"]


_GUARDED: dict[str, dict] = {}


class Elements(HTMLParser):
    """Every element with its attributes, the text of script elements, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


# --- helpers shared across test packages ---------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    """git in a scratch repository, with a fixed author and no signing."""
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    out = subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout


def commit_all(repo: Path, message: str = "next") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# Wording that reads as a to-do note in a publication (the report and the briefs must have none).
PLACEHOLDER_RE = re.compile(
    r"not yet in the data|no source in the data(?: gives)? yet|(?:does|do) not yet hold|not yet on record"
    r"|no source (?:on record|gives this) yet|the exact figure is not",
    re.I,
)


def placeholders(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text)  # a sentence may break across source lines
    return [flat[max(0, m.start() - 60):m.end() + 20] for m in PLACEHOLDER_RE.finditer(flat)]
