"""`make lint`, the pre-commit hooks and pyproject.toml's mypy settings agree."""

from __future__ import annotations

import re
import tomllib

import yaml


def _lint_tools(root) -> set[str]:
    """The tools the Makefile's lint recipe runs ('snakemake --lint' counts as its own)."""
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (root / "Makefile").read_text(encoding="utf-8"), re.M)
    assert recipe, "Makefile has no lint target"
    tools = set()
    for line in recipe.group(1).splitlines():
        tool = re.search(r"\$\(BIN\)/(\S+)", line).group(1)
        tools.add("snakemake --lint" if tool == "snakemake" and "--lint" in line else tool)
    return tools


def _hook_tools(root) -> set[str]:
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    tools = set()
    for repo in config["repos"]:
        for hook in repo["hooks"]:
            assert hook["language"] == "system", f"hook {hook['id']} should use the project's .venv tools"
            entry = hook["entry"].split()
            assert entry[0].startswith(".venv/bin/"), f"hook {hook['id']} runs {entry[0]}, not a .venv tool"
            tool = entry[0].removeprefix(".venv/bin/")
            tools.add("snakemake --lint" if tool == "snakemake" and "--lint" in entry else tool)
    return tools


def test_pre_commit_runs_what_make_lint_runs(root):
    assert {"ruff", "snakefmt", "mypy", "snakemake --lint"} <= _lint_tools(root)
    assert _hook_tools(root) == _lint_tools(root)


def test_mypy_skips_no_module_of_the_package(root):
    overrides = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]["overrides"]
    skipped = {m for o in overrides if o.get("ignore_errors") for m in o["module"]}
    assert not skipped, f"mypy skips {sorted(skipped)}: the whole package is checked (issue 18)"
