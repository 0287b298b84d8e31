"""The package's layers (docs/architecture.md): the Snakemake rules call steps.py, and
no stage module imports the orchestrator back, so each stays testable without it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "tomas_pipeline"
# Modules above the steps: the command line drives the workflow that runs them.
ABOVE = {"steps.py", "cli.py"}


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
