"""pyproject.toml, requirements.txt and environment.yml declare the same dependencies."""

from __future__ import annotations

import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# conda-forge names where they differ from PyPI's (the rest are the same).
CONDA_NAMES = {"pypandoc-binary": "pandoc"}


def _declared(root) -> list[Requirement]:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in project["dependencies"] + extras.get("pipeline", []) + extras.get("test", [])
            + extras.get("lint", [])]


def _pins(root) -> dict[str, str]:
    pins = {}
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def _environment(root) -> dict[str, Requirement]:
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        for spec in dep["pip"] if isinstance(dep, dict) else [dep]:
            req = Requirement(spec.replace("=", "==", 1) if "=" in spec and not any(
                op in spec for op in ("==", ">=", "<=", "!=")) else spec)
            out[canonicalize_name(req.name)] = req
    return out


def test_every_declared_dependency_is_pinned_within_its_range(root):
    pins = _pins(root)
    for req in _declared(root):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is declared in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"requirements.txt pins {name}=={pins[name]}, outside pyproject.toml's {req}"


def test_environment_yml_lists_every_declared_dependency_compatibly(root):
    env, pins = _environment(root), _pins(root)
    for req in _declared(root):
        name = canonicalize_name(req.name)
        conda = env.get(name) or env.get(CONDA_NAMES.get(name, name))
        assert conda is not None, f"{req.name} is in pyproject.toml but not in environment.yml"
        # A conda user gets a version the pinned build also accepts.
        assert conda.specifier.contains(pins[name], prereleases=True), \
            f"environment.yml asks {conda} but requirements.txt pins {name}=={pins[name]}"


@pytest.mark.parametrize("name", ["pycountry", "rapidfuzz", "babel"])
def test_exact_pins_agree_everywhere(root, name):
    declared = {canonicalize_name(r.name): r for r in _declared(root)}[name]
    env = _environment(root)[name]
    assert str(declared.specifier) == str(env.specifier) == f"=={_pins(root)[name]}"


def _locked(root) -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as {name: (version, hashes)}; pip's own parser would need pip internals."""
    text = (root / "requirements.lock").read_text(encoding="utf-8").replace("\\\n", " ")
    locked = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        spec, *options = line.split("--hash=")
        req = Requirement(spec.strip())
        (pin,) = req.specifier
        locked[canonicalize_name(req.name)] = (pin.version, [o.strip() for o in options])
    return locked


def test_the_lock_holds_every_pin_at_its_version_with_hashes(root):
    # `make` installs from the lock with --require-hashes: a pin missing from it, or at another
    # version, would make the lock and requirements.txt disagree about what a build runs on.
    locked, pins = _locked(root), _pins(root)
    missing = sorted(set(pins) - set(locked))
    assert not missing, f"requirements.lock lacks {missing}: run `make lock`"
    for name, version in pins.items():
        assert locked[name][0] == version, \
            f"requirements.lock has {name}=={locked[name][0]}, requirements.txt {version}: run `make lock`"
    for name, (_, hashes) in locked.items():
        assert hashes and all(h.startswith("sha256:") and len(h) == 71 for h in hashes), name


def test_every_data_file_of_the_package_is_package_data(root):
    # A normal (non-editable) install carries only .py files and package-data: a file the code opens
    # that no glob names is missing there (the briefs' Typst template once was).
    from fnmatch import fnmatch

    package = root / "src" / "tomas_pipeline"
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["tomas_pipeline"]
    missing = [str(p.relative_to(package)) for p in package.rglob("*")
               if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
               and not any(fnmatch(str(p.relative_to(package)), g) for g in globs)]
    assert missing == []
