"""Split a .qmd body into markdown chunks and Python code cells.

A hand-written parser (not jupytext) so that every chunk keeps the file and
line it came from, which the error messages need.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import RenderError
from .project import Line

_FENCE_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*(.*?)\s*$")
_CELL_INFO_RE = re.compile(r"^\{\s*([A-Za-z][\w-]*)\s*([^}]*)\}$")
# Quarto 1.4+ inline expression: `{python} expr`
INLINE_RE = re.compile(r"`\{python\}\s+([^`]+?)\s*`")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


@dataclass
class Markdown:
    lines: list[Line]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def where(self, offset: int = 0) -> str:
        """'file:line' for a character offset into `text`."""
        line = self.lines[min(self.text.count("\n", 0, offset), len(self.lines) - 1)]
        return f"{line.file.name}:{line.lineno}"


@dataclass
class CodeCell:
    code: str
    options: dict[str, Any]
    lines: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str | None:
        return self.options.get("label")

    def where(self) -> str:
        first = self.lines[0]
        name = f"cell '{self.label}'" if self.label else "cell"
        return f"{first.file.name}:{first.lineno} ({name})"


Chunk = Markdown | CodeCell


def _closes(text: str, fence: str) -> bool:
    stripped = text.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]} and len(stripped) >= len(fence)


def _parse_options(lines: list[Line]) -> tuple[dict, int]:
    """Leading `#|` lines as YAML; returns (options, count of option lines)."""
    count = 0
    while count < len(lines) and lines[count].text.lstrip().startswith("#|"):
        count += 1
    if not count:
        return {}, 0
    text = "\n".join(line.text.lstrip()[2:].removeprefix(" ") for line in lines[:count])
    try:
        options = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"{lines[0].file.name}:{lines[0].lineno}: invalid #| cell options: {exc}") from exc
    if not isinstance(options, dict):
        raise RenderError(f"{lines[0].file.name}:{lines[0].lineno}: #| cell options must be `key: value` lines")
    return options, count


def parse(lines: list[Line]) -> list[Chunk]:
    """Markdown chunks and ```{python} cells, in document order."""
    chunks: list[Chunk] = []
    prose: list[Line] = []
    i = 0
    while i < len(lines):
        match = _FENCE_RE.match(lines[i].text)
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        fence, info = match.group(2), match.group(3)
        end = i + 1
        while end < len(lines) and not _closes(lines[end].text, fence):
            end += 1
        if end == len(lines):
            raise RenderError(f"{lines[i].file.name}:{lines[i].lineno}: code block is never closed ({fence})")
        cell = _CELL_INFO_RE.match(info)
        if cell and cell.group(1) not in ("python", "python3"):
            raise RenderError(
                f"{lines[i].file.name}:{lines[i].lineno}: only {{python}} cells are supported, got {{{cell.group(1)}}}"
            )
        if not cell:  # an ordinary code block stays markdown, untouched
            prose.extend(lines[i : end + 1])
        else:
            if prose:
                chunks.append(Markdown(prose))
                prose = []
            body = lines[i + 1 : end]
            options, n_opts = _parse_options(body)
            code = "\n".join(line.text for line in body[n_opts:]).strip("\n")
            chunks.append(CodeCell(code, options, lines[i : end + 1]))
        i = end + 1
    if prose:
        chunks.append(Markdown(prose))
    return chunks


def map_prose(text: str, fn: Callable[[str], str], *, skip_code_spans: bool = True) -> str:
    """Apply `fn` to the parts of markdown outside fenced blocks (and code spans)."""
    out: list[str] = []
    buffer: list[str] = []
    lines = text.split("\n")

    def flush() -> None:
        if buffer:
            out.append(_map_spans(("\n".join(buffer)), fn) if skip_code_spans else fn("\n".join(buffer)))
            buffer.clear()

    i = 0
    while i < len(lines):
        match = _FENCE_RE.match(lines[i])
        if match:
            end = i + 1
            while end < len(lines) and not _closes(lines[end], match.group(2)):
                end += 1
            flush()
            out.append("\n".join(lines[i : end + 1]))
            i = end + 1
        else:
            buffer.append(lines[i])
            i += 1
    flush()
    return "\n".join(out)


def _map_spans(text: str, fn: Callable[[str], str]) -> str:
    pieces, pos = [], 0
    for match in _CODE_SPAN_RE.finditer(text):
        pieces.append(fn(text[pos : match.start()]))
        pieces.append(match.group(0))
        pos = match.end()
    pieces.append(fn(text[pos:]))
    return "".join(pieces)


def inline_expressions(chunk: Markdown) -> Iterator[re.Match]:
    """Matches of `{python} expr` outside fenced code blocks, in order."""
    text = chunk.text
    in_fence: str | None = None
    pos = 0
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if in_fence is None and match:
            in_fence = match.group(2)
        elif in_fence is not None and _closes(line, in_fence):
            in_fence = None
        elif in_fence is None:
            yield from INLINE_RE.finditer(text, pos, pos + len(line))
        pos += len(line) + 1
