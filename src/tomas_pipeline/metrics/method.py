"""The method files: config/indicators.yaml (families, indicators, settings) and
config/recommendations.yaml, each checked against its schema by core.config."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from tomas_pipeline.core.config import line_of, load_config
from tomas_pipeline.core.errors import TomasInputError
from tomas_pipeline.core.io import once_per_content

METHOD_SCHEMA = Path("workflow/schemas/indicators.schema.yaml")


# Method files already checked in this process, with their schema (io.once_per_content):
# every metric job and the scorecard figure read the same file.
_CHECKED: dict[tuple, dict] = {}


def load_method(path: Path | str = "config/indicators.yaml", schema: Path | str | None = None) -> dict:
    """The whole method file (settings, families, indicators), checked against its schema."""
    path = Path(path)
    schema = Path(schema) if schema else path.resolve().parent.parent / METHOD_SCHEMA
    return copy.deepcopy(once_per_content(_CHECKED, [path, schema], lambda: _check_method(path, schema)))


def _check_method(path: Path, schema: Path) -> dict:
    data = load_config(path, schema)  # the one YAML-against-schema check: errors name file and line
    seen: set[str] = set()
    families = {f["id"] for f in data["families"]}
    for i, ind in enumerate(data["indicators"]):
        if ind["id"] in seen:
            raise TomasInputError(path, line_of(path, ["indicators", i, "id"]), f"indicators.{i}.id", ind["id"],
                                  "an id no other indicator has")
        if ind["family"] not in families:
            raise TomasInputError(path, line_of(path, ["indicators", i, "family"]), f"indicators.{i}.family",
                                  ind["family"], "a family listed in families")
        seen.add(ind["id"])
    return data


def load_indicators(path: Path | str = "config/indicators.yaml") -> list[dict]:
    """Every indicator of the method file, in the file's order (validated)."""
    return load_method(path)["indicators"]


def method_table(indicators: list[dict]) -> pd.DataFrame:
    """One row per indicator for the report's methods appendix."""
    rows = []
    for ind in indicators:
        reads = "; ".join(f"{r['table']}.csv: {', '.join(r['columns'])}" for r in ind["reads"])
        rows.append({
            "id": ind["id"],
            "family": ind["family"],
            "label": ind["label"],
            "measures": ind["measures"],
            "scale": ind["scale"],
            "score_rule": ind.get("score_rule") if ind["scored"] else "reported, not scored",
            "clause": ind["clause"],
            "coding_rule": ind["coding_rule"],
            "reads": reads,
        })
    return pd.DataFrame(rows)


RECOMMENDATIONS_SCHEMA = Path("workflow/schemas/recommendations.schema.yaml")


def load_recommendations(path: Path | str, indicators: list[dict]) -> list[dict]:
    """config/recommendations.yaml, checked: every indicator id it names is in the method."""
    path = Path(path)
    data = load_config(path, path.resolve().parent.parent / RECOMMENDATIONS_SCHEMA)
    known = {i["id"] for i in indicators}
    for n, rec in enumerate(data["recommendations"]):
        for ind in rec["indicators"]:
            if ind not in known:
                raise TomasInputError(path, line_of(path, ["recommendations", n, "indicators"]),
                                      f"recommendations.{n}.indicators", ind,
                                      "an indicator id from config/indicators.yaml")
    return data["recommendations"]
