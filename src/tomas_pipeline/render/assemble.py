"""Turn parsed chunks plus kernel outputs into one Pandoc markdown text.

Figures are written once (SVG and PNG) under the render's figure folder with
names from the cell label, so the same input always gives the same files.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

from .errors import RenderError
from .execute import Executed, cell_option, error_outputs_text
from .formats import FORMATS
from .parts import MARK
from .project import resolve_shortcodes
from .qmd import Chunk, CodeCell, Markdown, inline_expressions, map_prose

# A line that starts a part (see parts.py): an ATX heading at the left margin.
_HEADING_RE = re.compile(r"#{1,6}(?:[ \t]|$)")
_IMAGE_RE = re.compile(r"(!\[[^\]]*\]\()([^)\s]+)")


def _fence(text: str, info: str = "") -> str:
    # A fence longer than any backtick run inside, so output text cannot close it early.
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip(chr(10))}\n{ticks}"


def _attr(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cell_name(cell: CodeCell, ordinal: int) -> str:
    label = cell.label or f"cell-{ordinal}"
    return re.sub(r"[^\w-]", "_", label)


def write_figures(chunks: list[Chunk], executed: Executed, fig_dir: Path) -> dict[tuple[int, int], dict[str, Path]]:
    """Write every image output; key (chunk index, output index) -> {"svg"/"png": path}."""
    figures: dict[tuple[int, int], dict[str, Path]] = {}
    ordinal = 0
    for index, chunk in enumerate(chunks):
        if not isinstance(chunk, CodeCell):
            continue
        ordinal += 1
        count = 0
        for out_index, output in enumerate(executed.cells.get(index, [])):
            data = output.get("data") or {}
            if not ("image/svg+xml" in data or "image/png" in data):
                continue
            count += 1
            stem = _cell_name(chunk, ordinal) + ("" if count == 1 else f"-{count}")
            files: dict[str, Path] = {}
            if "image/svg+xml" in data:
                svg = data["image/svg+xml"]
                files["svg"] = fig_dir / f"{stem}.svg"
                files["svg"].parent.mkdir(parents=True, exist_ok=True)
                files["svg"].write_text(svg if isinstance(svg, str) else "".join(svg), encoding="utf-8")
            if "image/png" in data:
                files["png"] = fig_dir / f"{stem}.png"
                files["png"].parent.mkdir(parents=True, exist_ok=True)
                files["png"].write_bytes(base64.b64decode(data["image/png"]))
            figures[(index, out_index)] = files
    return figures


def _image_markdown(cell: CodeCell, path: str, first: bool) -> str:
    caption = str(cell.options.get("fig-cap", "")) if first else ""
    attrs = []
    if first and cell.label and cell.label.startswith("fig-"):
        attrs.append(f"#{cell.label}")
    alt = cell.options.get("fig-alt")
    if alt and first:
        attrs.append(f"alt={_attr(alt)}")
    return f"![{caption}]({path})" + (f"{{{' '.join(attrs)}}}" if attrs else "")


def _cell_markdown(index: int, cell: CodeCell, executed: Executed, figures: dict, fmt: str,
                   defaults: dict, rel) -> str:
    if not cell_option(cell, defaults, "include", True):
        return ""
    parts: list[str] = []
    if cell_option(cell, defaults, "echo", False):
        parts.append(_fence(cell.code, "python"))
    show = cell_option(cell, defaults, "output", True)
    if show is False:
        return "\n\n".join(parts)
    asis = show == "asis"
    warnings = cell_option(cell, defaults, "warning", True)
    image_ext = FORMATS[fmt].image if fmt in FORMATS else "png"
    first_image = True
    stream: list[str] = []
    table_body: list[str] = []
    is_table = bool(cell.label and cell.label.startswith("tbl-") and cell.options.get("tbl-cap"))

    def flush_stream() -> None:
        if stream:
            text = "".join(stream)
            parts.append(text if asis else _fence(text))
            stream.clear()

    for out_index, output in enumerate(executed.cells.get(index, [])):
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stderr" and not warnings:
                continue
            stream.append(output.get("text", ""))
            continue
        flush_stream()
        if kind == "error":
            parts.extend(_fence(text) for text in error_outputs_text([output]))
            continue
        data = output.get("data") or {}
        if (index, out_index) in figures:
            files = figures[(index, out_index)]
            path = files.get(image_ext) or next(iter(files.values()))
            parts.append(_image_markdown(cell, rel(path), first_image))
            first_image = False
        elif "text/markdown" in data:
            (table_body if is_table else parts).append(data["text/markdown"].strip("\n"))
        elif "text/plain" in data:
            text = data["text/plain"]
            parts.append(text if asis else _fence(text))
    flush_stream()
    if is_table:
        if not table_body:
            raise RenderError(f"{cell.where()}: tbl-cap is set but the cell printed no markdown table")
        parts.append("\n\n".join(table_body) + f"\n\n: {cell.options['tbl-cap']} {{#{cell.label}}}")
    if cell.label and cell.label.startswith("fig-") and first_image:
        raise RenderError(f"{cell.where()}: a fig- labelled cell made no figure")
    return "\n\n".join(p for p in parts if p.strip())


def _markdown_text(index: int, chunk: Markdown, executed: Executed, metadata: dict, rebase,
                   marks: frozenset[int] = frozenset()) -> str:
    """The chunk's text with inline values and shortcodes; the empty lines numbered in
    `marks` become `MARK` lines (a part boundary, still a blank line to every pass here)."""
    lines = chunk.text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    text = "\n".join(MARK if i in marks else line for i, line in enumerate(lines))
    # Replace inline expressions back to front so earlier offsets stay valid.
    for match in reversed(list(inline_expressions(chunk))):
        value = executed.inline.get((index, match.start()), "")
        shift = sum(1 for i in marks if starts[i] < match.start())
        start, end = match.start() + shift, match.end() + shift
        text = text[:start] + value + text[end:]
    text = resolve_shortcodes(text, metadata, chunk.where())
    return map_prose(text, lambda part: _IMAGE_RE.sub(rebase, part))


def assemble(chunks: list[Chunk], executed: Executed, figures: dict, fmt: str, metadata: dict,
             doc_dir: Path, build_dir: Path) -> str:
    """The document body as Pandoc markdown for one output format.

    Paths are written relative to `build_dir`, where Pandoc and Typst run.
    """
    return "\n\n".join(assemble_parts(chunks, executed, figures, fmt, metadata, doc_dir, build_dir)) + "\n"


def assemble_parts(chunks: list[Chunk], executed: Executed, figures: dict, fmt: str, metadata: dict,
                   doc_dir: Path, build_dir: Path) -> list[str]:
    """The body as `assemble` makes it, in parts: one per run of chunks from one source file
    (the main file's stretches, each included file), empty parts left out. Joined with a
    blank line they are `assemble`'s text, without its final newline."""
    defaults = metadata.get("execute") or {}

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path, build_dir)).as_posix()

    def rebase(match: re.Match) -> str:
        # Authored images are relative to the document; Pandoc runs in the build folder.
        target = match.group(2)
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", target, re.I):
            return match.group(0)
        return match.group(1) + rel(doc_dir / target)

    out: list[str] = []
    last = ""  # the source file of the last non-blank line so far
    for index, chunk in enumerate(chunks):
        starts_part = False
        if isinstance(chunk, CodeCell):
            piece = _cell_markdown(index, chunk, executed, figures, fmt, defaults, rel)
            source = str(chunk.lines[0].file) if chunk.lines else last
            starts_part = bool(last) and source != last and bool(_HEADING_RE.match(piece))
            if piece.strip():
                last = source
        else:
            marks = set()
            for i, line in enumerate(chunk.lines):
                if not line.text.strip():
                    continue
                source = str(line.file)
                if last and source != last and _HEADING_RE.match(line.text):
                    if i == 0:
                        starts_part = True
                    elif not chunk.lines[i - 1].text:
                        marks.add(i - 1)
                last = source
            piece = _markdown_text(index, chunk, executed, metadata, rebase, frozenset(marks))
        if piece.strip():
            if out:
                out.append(f"\n{MARK}\n" if starts_part else "\n\n")
            out.append(piece)
    return [part for part in "".join(out).split(f"\n{MARK}\n")]
