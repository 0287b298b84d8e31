"""Reading config/config.yaml and checking it against the workflow's schema.

Snakemake validates the same file with the same schema
(``snakemake.utils.validate``); this is for use outside Snakemake.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from tomas_pipeline.errors import TomasInputError

SCHEMA = Path("workflow/schemas/config.schema.yaml")


def load_config(path: Path | str = "config/config.yaml", schema: Path | str | None = None) -> dict:
    path = Path(path)
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)  # safe_load: a config file cannot run code
    schema_path = Path(schema) if schema else path.parent.parent / SCHEMA
    with open(schema_path, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    errors = sorted(jsonschema.Draft202012Validator(spec).iter_errors(config), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.path) or "(top level)"
        raise TomasInputError(path, None, where, first.instance, first.message)
    return config
