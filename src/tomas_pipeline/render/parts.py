"""Pandoc's reading of the document, part by part, with a cache (issue 19, "the conversions too").

The assembled Markdown of a format is cut into parts at the boundaries between
source files (the main file's stretches and each included chapter), where the
next part starts with an ATX heading. Each part is parsed to Pandoc's JSON AST
on its own, with the reader options of the conversion itself; the parts' blocks
are joined into the document's AST, and the writers (citeproc, table of
contents, numbering, HTML/DOCX/Typst) run once on the whole of it.

A part's AST is stored under `<cache>/<document>/pandoc/<key>.json`, keyed by
the part's bytes (after execution and cross-references), the first line of the
next part, Pandoc's identity and this module's version. What the Markdown reader
shares between parts is either carried across exactly (the footnote/citation
counter behind `citationNoteNum`, measured per part) or makes the document fall
back to one parse of the whole text (see `independent`). The route is decided
from the parts alone, so a render with the cache and one without take the same
route and give the same bytes.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import _sha, read_record, write_record
from .errors import RenderError
from .qmd import _FENCE_RE, _closes

log = logging.getLogger("tomas.render")

VERSION = 2  # of the stored layout and of what a part's entry holds
MARK = "\x1e"  # replaces the blank line between two parts while cross-references are resolved
PROBE = "tomas-part-probe"  # a citation key after a part: its note number is the part's counter
_HEADING_RE = re.compile(r"#{1,6}(?:[ \t]|$)")
_DEFINITION_RE = re.compile(r" {0,3}\[([^\]\n]+)\]:")
_BRACKETED_RE = re.compile(r"\[([^\[\]]*)\]")
_NOTE_NUM_RE = re.compile(r'"citationNoteNum":(\d+)')
# Reader state one part's text could leave for another besides definitions (see `definitions`):
# example lists and LaTeX macro definitions.
_SHARED_STATE_RE = re.compile(
    r"\(@|\\(?:re)?newcommand|\\providecommand|\\newenvironment|\\def\b|\\let\b"
    r"|\\DeclareMathOperator")

READER = "markdown"
ENABLED = True  # False: every format reads its whole Markdown (the tests compare the two routes)
_LUA = """\
-- Read each part named in TOMAS_PARTS ("in<TAB>out" lines) with this run's reader options.
function Pandoc(doc)
  for line in io.lines(os.getenv("TOMAS_PARTS")) do
    local src, dst = line:match("^(.-)\\t(.*)$")
    local f = assert(io.open(src, "rb")); local text = f:read("a"); f:close()
    local part = pandoc.read(text, "markdown", PANDOC_READER_OPTIONS)
    local o = assert(io.open(dst, "wb")); o:write(pandoc.write(part, "json")); o:close()
  end
  return doc
end
"""


def split(text: str) -> list[str]:
    """The parts of a text whose boundaries are `MARK` lines."""
    return text.split(f"\n{MARK}\n")


def join_marked(parts: list[str]) -> str:
    """Parts joined as `assemble` joins them ("\\n\\n"), the blank line between two parts
    a `MARK` line (whitespace to Python's `strip`, so line-based passes see a blank line)."""
    return f"\n{MARK}\n".join(parts)


def merge_boundaries(parts: list[str]) -> list[str]:
    """Join a part to the one before unless it starts with an ATX heading: only a heading
    at the left margin is sure to start a new top-level block whatever came before."""
    merged: list[str] = []
    for part in parts:
        if merged and not _HEADING_RE.match(part):
            merged[-1] += "\n\n" + part
        else:
            merged.append(part)
    return merged


@functools.lru_cache(maxsize=4)
def _identity(executable: str) -> str:
    st = os.stat(executable)
    version = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout
    return json.dumps([executable, st.st_size, st.st_mtime_ns, version])


@dataclass
class Part:
    text: str
    next_line: str  # first line of the next part ("" for the last)
    key: str = ""
    entry: dict | None = None  # blocks (JSON text), counter, ids, headers, self_refs, meta


def _walk(node, found: dict) -> None:
    """Collect what the independence checks need from one part's AST."""
    if isinstance(node, dict):
        kind = node.get("t")
        content: Any = node.get("c")
        if kind == "Header":
            level, attr, inlines = content
            found["headers"].append([attr[0], _plain(inlines).lower()])
        elif kind == "Link":
            target = content[2][0]
            if target.startswith("#"):
                found["links"].append([target[1:], _plain(content[1]).lower()])
        elif kind == "Cite":  # its second half is the citation's source text, brackets and all
            _walk(content[0], found)
            return
        if kind in ("Para", "Plain") or kind == "Header":
            # Text left in brackets is an unresolved [reference]: with no definitions anywhere
            # (read_parts checks), only a heading of another part with that text could resolve it.
            text = _plain(content[2] if kind == "Header" else content)
            found["phrases"].update(" ".join(p.split()).lower() for p in _BRACKETED_RE.findall(text))
        if kind == "Para" and content and content[0].get("t") == "Str" and content[0]["c"].startswith(":::"):
            found["open"] = True  # an unclosed fenced div, or the end of one opened elsewhere
        elif kind == "RawBlock" and re.search(r"</?div\b", content[1], re.I):
            found["open"] = True  # a <div> left open for a later part to close
        _walk(content, found)
    elif isinstance(node, list):
        if (len(node) == 3 and isinstance(node[0], str) and isinstance(node[1], list) and isinstance(node[2], list)
                and all(isinstance(c, str) for c in node[1])
                and all(isinstance(kv, list) and len(kv) == 2 for kv in node[2])):
            if node[0]:
                found["ids"].append(node[0])
            return
        for child in node:
            _walk(child, found)


def _plain(inlines) -> str:
    out: list[str] = []

    def go(node) -> None:
        if isinstance(node, dict):
            kind = node.get("t")
            if kind == "Str":
                out.append(node["c"])
            elif kind == "Cite":
                go(node["c"][0])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            else:
                go(node.get("c"))
        elif isinstance(node, list):
            for child in node:
                go(child)

    go(inlines)
    return "".join(out)


def _entry_from(doc: dict, part: Part) -> dict:
    """What is stored for a part, from the parse of its text + the probe + the next heading."""
    blocks = doc["blocks"]
    tail = 1 + bool(part.next_line)
    if len(blocks) < tail:
        raise ValueError("the part's end did not parse as expected")
    probe = blocks[-tail]
    cites = probe.get("c") if probe.get("t") == "Para" else None
    if not (cites and len(cites) == 1 and cites[0].get("t") == "Cite"
            and cites[0]["c"][0][0]["citationId"] == PROBE):
        raise ValueError("the part leaves a block open")
    if part.next_line and blocks[-1].get("t") != "Header":
        raise ValueError("the next part's heading does not start a new block after this part")
    counter = cites[0]["c"][0][0]["citationNoteNum"] - 1
    own = blocks[:-tail]
    found: dict = {"ids": [], "headers": [], "links": [], "phrases": set(), "open": False}
    _walk(own, found)
    headers = {h_id: text for h_id, text in found["headers"]}
    self_refs = sorted({text for target, text in found["links"] if headers.get(target) == text})
    return {"blocks": json.dumps(own, ensure_ascii=False, separators=(",", ":"))[1:-1], "counter": counter,
            "ids": found["ids"], "headers": sorted(set(headers.values())), "self_refs": self_refs,
            "phrases": sorted(found["phrases"]), "open": found["open"], "meta": bool(doc.get("meta")),
            "api": doc["pandoc-api-version"]}


def unclosed_fence(text: str) -> bool:
    """Whether a code fence opens in the text and does not close (read whole, the next
    part would be code). Pandoc reads an unclosed fence as text, so only the text tells."""
    fence = None
    for line in text.split("\n"):
        if fence is None:
            match = _FENCE_RE.match(line)
            fence = match.group(2) if match else None
        elif _closes(line, fence):
            fence = None
    return fence is not None


def definitions(text: str) -> set[str]:
    """Labels of the reference and footnote definitions in a text (`[x]: url`, `[^n]: note`):
    lines that start a block (after a blank line or another definition). Code blocks are not
    told apart, so a label may be found that Pandoc does not define: that only means a
    document is read whole more often."""
    labels: set[str] = set()
    before = ""
    for line in text.split("\n"):
        match = _DEFINITION_RE.match(line)
        if match and (not before.strip() or _DEFINITION_RE.match(before)):
            labels.add(" ".join(match.group(1).split()).lower())
        before = line
    return labels


def shared_definitions(texts: list[str]) -> str | None:
    """Why the texts' definitions tie parts together: a label defined in two parts, or one
    part's label in brackets in another (None when they do not)."""
    defined = [definitions(t) for t in texts]
    for i, labels in enumerate(defined):
        for label in labels:
            if any(label in other for j, other in enumerate(defined) if j != i):
                return f"[{label}] is defined in two parts"
            pattern = re.compile(r"\[" + r"\s+".join(map(re.escape, label.split())) + r"\]", re.I)
            if any(pattern.search(t) for j, t in enumerate(texts) if j != i):
                return f"[{label}], defined in part {i + 1}, is used in another part"
    return None


def _shared_state(texts: list[str]) -> str | None:
    for i, text in enumerate(texts):
        if unclosed_fence(text):
            return f"part {i + 1} leaves a code fence open"
        if match := _SHARED_STATE_RE.search(text):
            return f"part {i + 1} has {match.group(0)!r}"
    return None


def independent(parts: list[Part]) -> str | None:
    """Why the parts cannot be read apart (None when they can)."""
    for i, part in enumerate(parts):
        entry = part.entry or {}
        if entry.get("meta"):
            return f"part {i + 1} holds a metadata block"
        if entry.get("open"):
            return f"part {i + 1}: {entry.get('why') or 'it opens or closes a div another part may close or open'}"
    seen: dict[str, int] = {}
    for i, part in enumerate(parts):
        for ident in set((part.entry or {}).get("ids", [])):
            if ident in seen:
                return f"identifier {ident!r} in parts {seen[ident] + 1} and {i + 1}"
            seen[ident] = i
    for i, part in enumerate(parts):
        others = set().union(*[set((p.entry or {}).get("headers", [])) for j, p in enumerate(parts) if j != i])
        named = set((part.entry or {}).get("phrases", [])) & others
        if named:
            return f"part {i + 1} has [{sorted(named)[0]}] in brackets, the text of a heading in another part"
        shared = set((part.entry or {}).get("self_refs", [])) & others
        if shared:
            return f"part {i + 1} links a heading text another part also uses: {sorted(shared)[0]!r}"
    return None


class PartCache:
    """The stored ASTs of one document (None folder: parse every part, store nothing)."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None
        self.used: set[str] = set()
        self.parsed = 0  # distinct part texts Pandoc read this render
        self.reused = 0  # distinct part texts whose stored AST was used
        self.whole: list[str] = []  # formats read as one Markdown text, with the reason

    def load(self, key: str) -> dict | None:
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        body = read_record(path, key, lambda b: isinstance(b["entry"]["blocks"], str), "Pandoc entry")
        if body is None:
            return None
        self.used.add(path.name)
        return body["entry"]

    def save(self, key: str, entry: dict) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            body = {"key": key, "entry": entry}
            path = self.folder / f"{key}.json"
            write_record(path, body)
            self.used.add(path.name)
        except OSError as exc:
            log.warning("render cache: cannot store a Pandoc part in %s (%s)", self.folder, exc)

    def prune(self) -> None:
        """Drop the entries this render neither used nor wrote; record what it parsed."""
        if self.folder is not None and self.folder.is_dir():
            for path in self.folder.glob("*.json"):
                if path.name not in self.used and path.name != "stats.json":
                    path.unlink(missing_ok=True)
            stats = {"parsed": self.parsed, "reused": self.reused, "whole": self.whole}
            (self.folder / "stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")


def read_parts(documents: dict[str, tuple[list[str], Path]], build: Path, cache: PartCache, pandoc: str, epoch: int,
               jobs: int) -> dict[str, Path | None]:
    """For each format's parts, the document's AST as a JSON file in `build`, or None when
    the parts are not independent (the writer then reads the whole Markdown)."""
    identity = _identity(pandoc)
    plans: dict[str, list[Part]] = {}
    for fmt, (texts, _) in documents.items() if ENABLED else ():
        texts = [t if t.endswith("\n") else t + "\n" for t in texts]
        if len(texts) < 2 or any(MARK in t for t in texts):
            continue
        why = shared_definitions(texts) or _shared_state(texts)
        if why:
            log.info("render: %s read whole (%s)", fmt, why)
            cache.whole.append(f"{fmt}: {why}")
            continue
        parts = [Part(t, texts[i + 1].split("\n", 1)[0] if i + 1 < len(texts) else "") for i, t in enumerate(texts)]
        for part in parts:
            part.key = _sha(VERSION, identity, READER, part.text, part.next_line)
        plans[fmt] = parts
    missing: dict[str, list[Part]] = {}
    loaded: dict[str, dict] = {}  # html and pdf link the same (SVG) figures: their parts are one text
    for parts in plans.values():
        for part in parts:
            if part.key in missing:
                missing[part.key].append(part)
                continue
            if part.key in loaded:
                part.entry = loaded[part.key]
                continue
            part.entry = cache.load(part.key)
            if part.entry is None:
                missing[part.key] = [part]
                continue
            loaded[part.key] = part.entry
            cache.reused += 1
    if missing:
        _parse([group[0] for group in missing.values()], build, pandoc, epoch, jobs)
        for group in missing.values():
            for part in group[1:]:
                part.entry = group[0].entry
            if not (group[0].entry or {}).get("why"):  # a part that cannot be read apart is not stored
                cache.save(group[0].key, group[0].entry or {})
            cache.parsed += 1
    out: dict[str, Path | None] = {fmt: None for fmt in documents}
    for fmt, parts in plans.items():
        why = independent(parts)
        if why:
            log.info("render: %s read whole (%s)", fmt, why)
            cache.whole.append(f"{fmt}: {why}")
            continue
        offset = 0
        blocks = []
        for part in parts:
            entry = part.entry or {}
            text = entry["blocks"]
            if offset and text:
                text = _NOTE_NUM_RE.sub(functools.partial(_shift, offset=offset), text)
            if text:
                blocks.append(text)
            offset += entry["counter"]
        api = json.dumps(parts[0].entry["api"] if parts[0].entry else [], separators=(",", ":"))
        path = documents[fmt][1]
        path.write_text(f'{{"pandoc-api-version":{api},"meta":{{}},"blocks":[{",".join(blocks)}]}}',
                        encoding="utf-8")
        out[fmt] = path
    return out


def _shift(match: re.Match, offset: int) -> str:
    return f'"citationNoteNum":{int(match.group(1)) + offset}'


def _parse(parts: list[Part], build: Path, pandoc: str, epoch: int, jobs: int) -> None:
    """Parse the parts in at most `jobs` Pandoc runs, each with the conversions' reader options."""
    work = build / "parts"
    work.mkdir(parents=True, exist_ok=True)
    script = work / "read-parts.lua"
    script.write_text(_LUA, encoding="utf-8")
    (work / "empty.md").write_text("", encoding="utf-8")
    batches: list[list[int]] = [[] for _ in range(max(1, min(jobs, len(parts))))]
    sizes = [0] * len(batches)
    for i in sorted(range(len(parts)), key=lambda i: -len(parts[i].text)):
        b = sizes.index(min(sizes))
        batches[b].append(i)
        sizes[b] += len(parts[i].text)
    for i, part in enumerate(parts):
        tail = f"\n\n[@{PROBE}]\n" + (f"\n{part.next_line}\n" if part.next_line else "")
        (work / f"{i}.md").write_text(part.text + tail, encoding="utf-8")

    warned: set[int] = set()

    def run(batch: list[int], n: int) -> None:
        manifest = work / f"batch-{n}.txt"
        manifest.write_text("".join(f"{work / f'{i}.md'}\t{work / f'{i}.json'}\n" for i in batch), encoding="utf-8")
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "TOMAS_PARTS": str(manifest)}
        proc = subprocess.run([pandoc, str(work / "empty.md"), "--from", READER, "--to", "json",
                               "--lua-filter", str(script), "--output", os.devnull],
                              cwd=build, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RenderError(f"pandoc failed ({proc.returncode}) reading the document's parts:\n"
                              f"{proc.stderr.strip()}")
        if any(line.startswith("[WARNING]") for line in proc.stderr.splitlines()):
            # A warning fails the render when the whole text gives it too (e.g. a div a part
            # opens and the next closes warns only when read apart): read whole, and see.
            warned.update(batch)

    with ThreadPoolExecutor(max_workers=len(batches), thread_name_prefix="tomas-parts") as pool:
        for future in [pool.submit(run, batch, n) for n, batch in enumerate(batches) if batch]:
            future.result()
    for i, part in enumerate(parts):
        doc = json.loads((work / f"{i}.json").read_text(encoding="utf-8"))
        try:
            if i in warned:
                raise ValueError("Pandoc warned while reading the parts")
            part.entry = _entry_from(doc, part)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            # Not an error of the document: the part cannot be read apart; mark it so.
            part.entry = {"blocks": "", "counter": 0, "ids": [], "headers": [], "self_refs": [], "phrases": [],
                          "open": True, "meta": False, "api": doc.get("pandoc-api-version", []),
                          "why": str(exc)}
