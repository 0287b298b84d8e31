"""The `tomas` command as a user runs it: from any folder of a project copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_env, copy_repo

from tomas_pipeline import cli
from tomas_pipeline.core.config import ConfigError
from tomas_pipeline.core.errors import TomasError, TomasInputError, TomasInputErrors
from tomas_pipeline.core.project import ProjectNotFound
from tomas_pipeline.release.bundle import ReleaseRefused
from tomas_pipeline.render.errors import RenderError
from tomas_pipeline.reporting.terminology import TerminologyError
from tomas_pipeline.sources.countries import UnknownCountryError

TOMAS = Path(sys.executable).parent / "tomas"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("cli") / "repo")


def tomas(repo: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(TOMAS), *args], cwd=cwd, env=build_env(repo), capture_output=True, text=True,
                          timeout=600)


def test_country_from_a_subfolder(repo):
    result = tomas(repo, "country", "Serbia", cwd=repo / "report")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["RS", "SRB"]
    assert result.stderr == ""


def test_validate_from_a_subfolder(repo):
    result = tomas(repo, "validate", cwd=repo / "data" / "raw")
    assert result.returncode == 0, result.stderr
    counts = dict(line.split()[:2] for line in result.stdout.splitlines())
    assert int(counts["countries"]) > 0 and "statistics" in counts


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_project_option_from_outside(repo, tmp_path, before):
    project = ["--project", str(repo)]
    args = [*project, "country", "FYROM"] if before else ["country", "FYROM", *project]
    result = tomas(repo, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["MK", "MKD"]


def test_outside_a_project_says_so_without_traceback(repo, tmp_path):
    result = tomas(repo, "validate", cwd=tmp_path)
    assert result.returncode == ProjectNotFound.exit_code
    assert "--project DIR" in result.stderr
    assert "Traceback" not in result.stderr
    bad = tomas(repo, "--project", str(tmp_path), "country", "Serbia", cwd=repo)
    assert bad.returncode != 0 and "is not a TOMAS project" in bad.stderr


def test_build_passes_options_to_snakemake(repo):
    before = sorted(p.name for p in (repo / "data" / "processed").iterdir())
    result = tomas(repo, "build", "-n", "--cores", "1", cwd=repo / "report")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "dry-run" in result.stdout + result.stderr
    # A dry run from a subfolder builds nothing, anywhere.
    assert sorted(p.name for p in (repo / "data" / "processed").iterdir()) == before
    assert not (repo / "report" / "data").exists()


def test_other_commands_still_refuse_unknown_options(repo):
    result = tomas(repo, "validate", "-n", cwd=repo)
    assert result.returncode == 2 and "tomas validate: error: unrecognized arguments: -n" in result.stderr


@pytest.mark.parametrize("command", [c for c in cli.build_parser()._subparsers._group_actions[0].choices
                                     if c != "render"])
def test_every_command_has_help_with_an_example(repo, command):
    result = tomas(repo, command, "--help", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert f"usage: tomas {command}" in result.stdout
    examples = result.stdout.split("examples:")[1].splitlines()
    assert any(line.strip().startswith(f"tomas {command}") for line in examples)


def test_render_help_is_the_engines(repo):
    result = tomas(repo, "render", "-h", cwd=repo)
    assert result.returncode == 0 and "usage:" in result.stdout


def test_validate_names_the_config_file_it_read(repo):
    # Another file, its country list on a different line than in config/config.yaml.
    text = (repo / "config" / "config.yaml").read_text(encoding="utf-8")
    assert "focus_countries: [RS, AL, MK]" in text
    other = repo / "other.yaml"
    other.write_text("# a second build\n\n\n" + text.replace("[RS, AL, MK]", "[RS, Atlantis, MK]"), encoding="utf-8")
    line = other.read_text(encoding="utf-8").splitlines().index("focus_countries: [RS, Atlantis, MK]") + 1
    result = tomas(repo, "validate", "--config", "../other.yaml", cwd=repo / "report")
    assert result.returncode == 2
    assert f"../other.yaml, row {line}, column 'focus_countries': got 'Atlantis'" in result.stderr
    assert "config/config.yaml" not in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_a_schema_error_in_another_config(repo, tmp_path):
    text = (repo / "config" / "config.yaml").read_text(encoding="utf-8")
    other = tmp_path / "elsewhere.yaml"
    other.write_text(text.replace("engine: auto", "engine: bogus"), encoding="utf-8")
    line = other.read_text(encoding="utf-8").splitlines().index("  engine: bogus") + 1
    result = tomas(repo, "--project", str(repo), "validate", "--config", str(other), cwd=tmp_path)
    assert result.returncode == 2
    assert f"elsewhere.yaml, row {line}, column 'report.engine'" in result.stderr
    missing = tomas(repo, "validate", "--config", "nope.yaml", cwd=repo)
    assert missing.returncode == 2 and "nope.yaml: cannot read the config file" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_tomas_error_is_a_message_and_an_exit_code(monkeypatch, capsys):
    class Stuck(TomasError):
        exit_code = 7

    def fail(args):
        raise Stuck("the thing to fix")

    monkeypatch.setattr(cli, "_cmd_country", fail)
    assert cli.main(["country", "Serbia"]) == 7
    err = capsys.readouterr().err
    assert err == "tomas: the thing to fix\n"


def test_a_bug_keeps_its_traceback(monkeypatch):
    def bug(args):
        raise KeyError("not a user's problem")

    monkeypatch.setattr(cli, "_cmd_country", bug)
    with pytest.raises(KeyError):
        cli.main(["country", "Serbia"])


@pytest.mark.parametrize("error", [TomasInputError, TomasInputErrors, RenderError, ReleaseRefused, TerminologyError,
                                   ConfigError, UnknownCountryError, ProjectNotFound])
def test_user_facing_errors_share_the_base(error):
    assert issubclass(error, TomasError)


def test_a_config_that_is_not_yaml_is_a_message(repo, tmp_path):
    other = tmp_path / "tagged.yaml"
    other.write_text("focus_countries: [RS]\nx: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    result = tomas(repo, "validate", "--config", str(other), cwd=repo)
    assert result.returncode == 2
    assert "tagged.yaml, line 2: not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr
