"""The package's layers (docs/architecture.md): the Snakemake rules call steps.py, no stage
module imports the orchestrator back, so each stays testable without it, and the small core
and the render engine stand on nothing above them."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import TESTS

PACKAGE = TESTS.parent / "src" / "tomas_pipeline"
# Modules above the steps: the command line drives the workflow that runs them.
ABOVE = {"steps.py", "cli.py"}
# What only the orchestration layer may know about: Snakemake's hooks, the helper process, the command line.
ORCHESTRATION = {"tomas_pipeline.steps", "tomas_pipeline.hooks", "tomas_pipeline.helper", "tomas_pipeline.cli"}
# Packages and what of the package each may import besides itself.
FOUNDATIONS = {"core": {"tomas_pipeline"}, "render": {"tomas_pipeline", "tomas_pipeline.core"}}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_no_module_below_the_steps_imports_them():
    offenders = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                       if p.name not in ABOVE or p.parent != PACKAGE
                       if "tomas_pipeline.steps" in _imports(p))
    assert not offenders, f"import tomas_pipeline.steps from below it: {offenders}"


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def run():\n    from tomas_pipeline.steps import logged\n", encoding="utf-8")
    assert "tomas_pipeline.steps" in _imports(module)
    module.write_text("def run():\n    from tomas_pipeline import steps\n", encoding="utf-8")
    assert "tomas_pipeline.steps" in _imports(module)


def _package_imports(path: Path) -> set[str]:
    return {n for n in _imports(path) if n == "tomas_pipeline" or n.startswith("tomas_pipeline.")}


def _outside(path: Path, allowed: set[str], root: Path = PACKAGE) -> set[str]:
    own = "tomas_pipeline." + path.relative_to(root).parts[0]
    return {n for n in _package_imports(path)
            if not (n == own or n.startswith(own + ".") or n == "tomas_pipeline.__version__"
                    or any(n == a or n.startswith(a + ".") for a in allowed - {"tomas_pipeline"})
                    or (n == "tomas_pipeline" and "tomas_pipeline" in allowed))}


def test_core_and_render_stand_on_nothing_above_them():
    offenders = {}
    for package, allowed in FOUNDATIONS.items():
        for path in sorted((PACKAGE / package).rglob("*.py")):
            if found := _outside(path, allowed):
                offenders[str(path.relative_to(PACKAGE))] = sorted(found)
    assert not offenders, f"imports from above the foundations: {offenders}"


def test_no_stage_package_knows_the_orchestration():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE:
            continue  # steps, hooks, helper, cli, joblog: the orchestration layer itself
        if found := {n for n in _package_imports(path) if any(n == o or n.startswith(o + ".") for o in ORCHESTRATION)}:
            offenders[str(path.relative_to(PACKAGE))] = sorted(found)
    assert not offenders, offenders


def test_the_foundation_check_sees_an_import_from_above(tmp_path):
    (tmp_path / "core").mkdir()
    module = tmp_path / "core" / "m.py"
    module.write_text("def f():\n    from tomas_pipeline.metrics import scorecard\n", encoding="utf-8")
    assert _outside(module, FOUNDATIONS["core"], tmp_path) == {"tomas_pipeline.metrics",
                                                               "tomas_pipeline.metrics.scorecard"}
    module.write_text("from tomas_pipeline.core.io import sha\nfrom tomas_pipeline import __version__\n",
                      encoding="utf-8")
    assert _outside(module, FOUNDATIONS["core"], tmp_path) == set()
