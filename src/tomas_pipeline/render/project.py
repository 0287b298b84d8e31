"""Read a Quarto project: `_quarto.yml`, a document's front matter, and includes.

Everything here is plain text and YAML work; nothing runs code.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import RenderError
from .formats import FORMATS

CONFIG_NAME = "_quarto.yml"

# `{{< include path >}}` alone on its line; three braces escape a shortcode.
_INCLUDE_RE = re.compile(r"^\s*\{\{<\s*include\s+(\S+?)\s*>\}\}\s*$")
_SHORTCODE_RE = re.compile(r"(\{?)\{\{<\s*(\w[\w-]*)\s*(.*?)\s*>\}\}(\}?)")


class Line(NamedTuple):
    """One source line and where it came from, so errors can point at it."""

    text: str
    file: Path
    lineno: int


@dataclass
class Project:
    root: Path
    config: dict[str, Any]
    documents: list[Path]

    @property
    def output_dir(self) -> Path:
        out = (self.config.get("project") or {}).get("output-dir")
        return (self.root / out) if out else self.root


@dataclass
class Document:
    path: Path
    metadata: dict[str, Any]
    lines: list[Line] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.path.stem


def deep_merge(base: dict, over: dict) -> dict:
    """Merge `over` into a copy of `base`; nested dicts merge, other values replace."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _load_yaml(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"{where}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RenderError(f"{where}: YAML must be a mapping, got {type(data).__name__}")
    return data


def load_project(project_dir: Path) -> Project:
    """Read `_quarto.yml` (optional) and list the documents to render.

    A path to a single `.qmd` is accepted too: its folder is the project.
    """
    project_dir = Path(project_dir).resolve()
    single: Path | None = None
    if project_dir.is_file():
        single, project_dir = project_dir, project_dir.parent
    if not project_dir.is_dir():
        raise RenderError(f"{project_dir}: project folder not found")
    config_path = project_dir / CONFIG_NAME
    config = _load_yaml(config_path.read_text(encoding="utf-8"), str(config_path)) if config_path.exists() else {}
    if single is not None:
        documents = [single]
    else:
        listed = (config.get("project") or {}).get("render")
        if listed:
            documents = [project_dir / p for p in listed]
        else:  # Quarto renders every .qmd not starting with "_" or "."
            documents = sorted(p for p in project_dir.glob("*.qmd") if not p.name.startswith(("_", ".")))
    for doc in documents:
        if not doc.exists():
            raise RenderError(f"{config_path}: document to render not found: {doc.name}")
    if not documents:
        raise RenderError(f"{project_dir}: no .qmd document to render")
    return Project(project_dir, config, documents)


def split_front_matter(text: str, where: str) -> tuple[dict, list[str], int]:
    """Return (front matter, body lines, 1-based line number of the first body line)."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                meta = _load_yaml("\n".join(lines[1:i]), f"{where} front matter")
                return meta, lines[i + 1 :], i + 2
        raise RenderError(f"{where}: front matter starts with --- but never ends")
    return {}, lines, 1


def expand_includes(path: Path, _stack: tuple[Path, ...] = ()) -> list[Line]:
    """The body of `path` with `{{< include >}}` lines replaced by the files' bodies.

    Include paths are relative to the including file, as in Quarto; an included
    file's own front matter is dropped.
    """
    path = path.resolve()
    if path in _stack:
        chain = " -> ".join(p.name for p in (*_stack, path))
        raise RenderError(f"include cycle: {chain}")
    _, body, first = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    out: list[Line] = []
    for offset, text in enumerate(body):
        lineno = first + offset
        match = _INCLUDE_RE.match(text)
        if match:
            target = (path.parent / match.group(1)).resolve()
            if not target.exists():
                raise RenderError(f"{path}:{lineno}: included file not found: {match.group(1)}")
            out.extend(expand_includes(target, (*_stack, path)))
        else:
            out.append(Line(text, path, lineno))
    return out


def load_document(project: Project, path: Path, overrides: dict | None = None) -> Document:
    """Front matter over `_quarto.yml` metadata, then the caller's overrides on top."""
    front, _, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    shared = {k: v for k, v in project.config.items() if k != "project"}
    # Quarto resolves `_quarto.yml` paths against the project folder, front-matter paths against the document.
    for key in ("bibliography", "csl"):
        if isinstance(shared.get(key), str):
            shared[key] = str((project.root / shared[key]).resolve())
        elif isinstance(shared.get(key), list):
            shared[key] = [str((project.root / p).resolve()) for p in shared[key]]
    metadata = deep_merge(deep_merge(shared, front), overrides or {})
    if "date" in front:
        # Quarto: a front-matter `date` wins over `-M date:` (quarto-compat.md E3).
        metadata["date"] = front["date"]
    return Document(path.resolve(), metadata, expand_includes(path))


def format_options(metadata: dict, fmt: str) -> dict:
    """Options for one output format: top-level keys, then `format: <fmt>:` keys.

    The format's `quarto` keys say which: "pdf" reads `format: pdf:`, then `format: typst:` (our PDF route).
    """
    names = FORMATS[fmt].quarto if fmt in FORMATS else (fmt,)
    shared_keys = ("toc", "toc-depth", "toc-title", "number-sections", "papersize", "fig-width", "fig-height", "lang")
    options = {k: metadata[k] for k in shared_keys if k in metadata}
    formats = metadata.get("format") or {}
    if isinstance(formats, str):
        formats = {formats: {}}
    for name in names:
        value = formats.get(name)
        if isinstance(value, dict):
            options = deep_merge(options, value)
    return options


def meta_value(metadata: dict, key: str) -> Any:
    """`a.b` looks up metadata["a"]["b"]; a missing key is an error."""
    value: Any = metadata
    for part in key.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise RenderError(f"{{{{< meta {key} >}}}}: no metadata key {key!r}")
    return value


def meta_text(value: Any) -> str:
    """Plain text for a metadata value (authors may be dicts with a name)."""
    if isinstance(value, list):
        return ", ".join(meta_text(v) for v in value)
    if isinstance(value, dict):
        return meta_text(value.get("name", ""))
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def resolve_shortcodes(text: str, metadata: dict, where: str) -> str:
    """Replace `{{< meta key >}}`; `{{{< x >}}}` is an escape for the literal text.

    Any other shortcode is an error, so the output never silently differs from Quarto's.
    """

    def replace(match: re.Match) -> str:
        open_extra, name, args, close_extra = match.groups()
        if open_extra and close_extra:
            return match.group(0)[1:-1]
        if name == "meta":
            return open_extra + meta_text(meta_value(metadata, args.strip())) + close_extra
        raise RenderError(f"{where}: unsupported shortcode {{{{< {name} >}}}}")

    try:
        return _SHORTCODE_RE.sub(replace, text)
    except RenderError as exc:
        if str(exc).startswith(where):
            raise
        raise RenderError(f"{where}: {exc}") from None
