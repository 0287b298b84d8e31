"""Number figures, tables and sections, and turn `@fig-x` into linked text.

Works on the assembled markdown before Pandoc sees it, because Pandoc's Typst
writer does not resolve Quarto-style references. The result is plain Pandoc
markdown: captions start with "Figure N: ", references are links `[Figure N](#fig-x)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RenderError
from .qmd import map_prose

KINDS = ("fig", "tbl", "sec")
_KEY = r"(?:[Ff]ig|[Tt]bl|[Ss]ec)-[\w-]*\w"
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+\{([^{}]*)\})?\s*#*\s*$")
_FIGURE_RE = re.compile(r"^(\s*)!\[(.*)\]\(([^)]*)\)\{([^{}]*)\}\s*$")
_TABLE_CAPTION_RE = re.compile(r"^\s*(?:Table)?:\s+(.*?)\s*\{([^{}]*)\}\s*$")
_ID_RE = re.compile(r"(?:^|\s)#(" + _KEY + r")(?=\s|$)")
# A bracketed group with at least one crossref: [@fig-a], [-@tbl-b], [see @sec-c; @fig-d]
_GROUP_RE = re.compile(r"\[([^\[\]]*?(?<![\w@])-?@" + _KEY + r"[^\[\]]*?)\](?![(\[{])")
_REF_RE = re.compile(r"(?<![\w@\\])(-?)@(" + _KEY + r")")


@dataclass(frozen=True)
class Target:
    kind: str
    number: str
    title: str = ""


@dataclass
class Names:
    """Words used in captions and references; Quarto's `crossref:` keys override them."""

    fig: str = "Figure"
    tbl: str = "Table"
    sec: str = "Section"
    delim: str = ":"

    @classmethod
    def from_metadata(cls, metadata: dict) -> Names:
        cfg = metadata.get("crossref") or {}
        return cls(
            fig=str(cfg.get("fig-prefix", cfg.get("fig-title", "Figure"))),
            tbl=str(cfg.get("tbl-prefix", cfg.get("tbl-title", "Table"))),
            sec=str(cfg.get("sec-prefix", "Section")),
            delim=str(cfg.get("title-delim", ":")),
        )


def _attr_id(attrs: str | None) -> str | None:
    match = _ID_RE.search(" " + (attrs or ""))
    return match.group(1).lower() if match else None


def _prose_lines(lines: list[str]):
    """Indexes of lines outside fenced code blocks."""
    fence = None
    for i, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None and line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
            fence = None
        elif fence is None:
            yield i


def _table_block(lines: list[str], caption: int) -> tuple[int, int]:
    """(first, last) line of a table and its caption line; Quarto puts the caption after."""
    i = caption - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    if i >= 0:
        start = i
        while start > 0 and lines[start - 1].strip():
            start -= 1
        return start, caption
    j = caption + 1  # caption above the table, as Pandoc also allows
    while j < len(lines) and not lines[j].strip():
        j += 1
    while j + 1 < len(lines) and lines[j + 1].strip():
        j += 1
    return caption, j


def number(markdown: str, names: Names, number_sections: bool = True) -> tuple[str, dict[str, Target]]:
    """Number the labelled figures, tables and sections; return new markdown and targets."""
    lines = markdown.split("\n")
    targets: dict[str, Target] = {}
    counts = {"fig": 0, "tbl": 0}
    sections = [0] * 6
    wraps: list[tuple[int, int, str]] = []

    def define(key: str, target: Target, where: int) -> None:
        if key in targets:
            raise RenderError(f"cross-reference label defined twice: {key} "
                              f"(line {where + 1} of the assembled document)")
        targets[key] = target

    for i in _prose_lines(lines):
        line = lines[i]
        if heading := _HEADING_RE.match(line):
            level, title, attrs = len(heading.group(1)), heading.group(2), heading.group(3) or ""
            unnumbered = ".unnumbered" in attrs.split() or "-" in attrs.split()
            if not unnumbered:
                sections[level - 1] += 1
                sections[level:] = [0] * (6 - level)
            key = _attr_id(attrs)
            if key and key.startswith("sec-"):
                numbered = number_sections and not unnumbered
                label = ".".join(str(n) for n in sections[:level]) if numbered else ""
                define(key, Target("sec", label, title), i)
        elif figure := _FIGURE_RE.match(line):
            indent, caption, src, attrs = figure.groups()
            attrs = re.sub(r"(?<![\w-])fig-alt=", "alt=", attrs)
            key = _attr_id(attrs)
            if key and key.startswith("fig-"):
                counts["fig"] += 1
                define(key, Target("fig", str(counts["fig"])), i)
                number = f"{names.fig} {counts['fig']}"
                caption = f"{number}{names.delim} {caption}" if caption else number
            lines[i] = f"{indent}![{caption}]({src}){{{attrs}}}"
        elif table := _TABLE_CAPTION_RE.match(line):
            caption, attrs = table.groups()
            key = _attr_id(attrs)
            if key and key.startswith("tbl-"):
                counts["tbl"] += 1
                define(key, Target("tbl", str(counts["tbl"])), i)
                lines[i] = f": {names.tbl} {counts['tbl']}{names.delim} {caption}"
                start, end = _table_block(lines, i)
                wraps.append((start, end, key))

    # Pandoc does not read ids on table captions: wrap each table in a div carrying it.
    for start, end, key in sorted(wraps, reverse=True):
        lines[end + 1 : end + 1] = ["", ":::", ""]
        lines[start:start] = ["", f"::: {{#{key}}}", ""]
    return "\n".join(lines), targets


def _link(key: str, suppress: bool, targets: dict[str, Target], names: Names) -> str:
    target = targets.get(key.lower())
    if target is None:
        raise RenderError(f"unknown cross-reference @{key}: no figure, table or section has the label {key}")
    word = getattr(names, target.kind)
    if not target.number:  # an unnumbered section: refer to it by its title
        text = target.title
    else:
        text = target.number if suppress else f"{word} {target.number}"
    return f"[{text}](#{key.lower()})"


def resolve(markdown: str, targets: dict[str, Target], names: Names) -> str:
    """Replace every crossref with a link; an unknown label is an error naming it."""

    def one(match: re.Match) -> str:
        return _link(match.group(2), match.group(1) == "-", targets, names)

    def group(match: re.Match) -> str:
        # [see @fig-a; @fig-b] -> "see Figure 1; Figure 2", brackets dropped as Quarto does
        return _REF_RE.sub(one, match.group(1))

    def prose(text: str) -> str:
        return _REF_RE.sub(one, _GROUP_RE.sub(group, text))

    return map_prose(markdown, prose)


def crossref(markdown: str, metadata: dict, number_sections: bool = True) -> str:
    names = Names.from_metadata(metadata)
    numbered, targets = number(markdown, names, number_sections)
    return resolve(numbered, targets, names)


def find_labels(text: str) -> set[str]:
    """Labels a markdown text defines with `{#fig-x}`-style attributes (outside code)."""
    found: set[str] = set()

    def collect(part: str) -> str:
        for attrs in re.findall(r"\{([^{}]*)\}", part):
            key = _attr_id(attrs)
            if key:
                found.add(key)
        return part

    map_prose(text, collect)
    return found


def find_references(text: str) -> list[tuple[int, str]]:
    """(offset, label) of each crossref in a markdown text, outside code."""
    refs: list[tuple[int, str]] = []
    offset = 0

    def collect(part: str) -> str:
        nonlocal offset
        start = text.find(part, offset) if part else offset
        for match in _REF_RE.finditer(part):
            refs.append((start + match.start(), match.group(2).lower()))
        offset = start + len(part)
        return part

    map_prose(text, collect)
    return refs
