"""Reading config/config.yaml and checking it against the workflow's schema.

Snakemake validates the same file with the same schema
(``snakemake.utils.validate``); this is for use outside Snakemake.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from tomas_pipeline.core.errors import TomasError, TomasInputError, TomasInputErrors

SCHEMA = Path("workflow/schemas/config.schema.yaml")
DEFAULT = Path("config/config.yaml")


class ConfigError(TomasError):
    """A config file that cannot be read at all."""

    exit_code = 2


class ConfigSyntaxError(ConfigError, yaml.YAMLError):
    """Not YAML that safe_load accepts (a python tag, a bad indent); still a YAMLError to callers."""


def load_config(path: Path | str = DEFAULT, schema: Path | str | None = None) -> dict:
    """The config as checked against the schema (default: the one of the project
    two levels above the file); errors name `path` as given."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)  # safe_load: a config file cannot run code
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigSyntaxError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    schema_path = Path(schema) if schema else path.parent.parent / SCHEMA
    check_config(config, [path], schema_path, default=path)
    return config


def check_config(config: dict, files: list[Path | str], schema: Path | str = SCHEMA,
                 default: Path | str = DEFAULT) -> None:
    """Check the config a run uses (the default file with `files` merged over it, as
    Snakemake's --configfile does) against the schema; an error names the file and
    line that set the offending key: the last of `files` holding it, else `default`."""
    with open(schema, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    errors = sorted(jsonschema.Draft202012Validator(spec).iter_errors(config), key=lambda e: list(e.path))
    if not errors:
        return
    first = errors[0]
    keys = list(first.path)
    where = ".".join(str(p) for p in keys) or "(top level)"
    value = first.instance
    if first.validator == "additionalProperties" and isinstance(value, dict):
        # The unknown key, not the whole mapping around it.
        allowed = set(first.schema.get("properties", {}))
        value = ", ".join(sorted(str(k) for k in value if k not in allowed))
    source = next((Path(f) for f in reversed(files) if line_of(f, keys) is not None), Path(default))
    raise TomasInputError(source, line_of(source, keys), where, value, first.message)


def line_of(path: Path | str, keys: list) -> int | None:
    """The line of a key (or list item) in a YAML file, so an error can point at it."""
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"))  # no objects are built
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if k.value == str(key)]
            if not match:
                break
            line, node = match[0][0].start_mark.line + 1, match[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def relocate(exc: TomasInputErrors, path: Path | str, config: dict) -> TomasInputErrors:
    """Point the errors about country settings at the config file actually read.

    The normalisers name the default config file (they are not told which one
    was loaded); a check run on another file must name that one, with its lines.
    """
    path = Path(path)
    fixed = []
    for error in exc.errors:
        if Path(error.file) == DEFAULT and error.column in config:
            values = config[error.column]
            keys: list[str | int | None] = [error.column]
            if isinstance(values, list) and error.value in values:
                keys.append(values.index(error.value))
            error = TomasInputError(path, line_of(path, keys), error.column, error.value, error.expected)
        fixed.append(error)
    return TomasInputErrors(fixed)
