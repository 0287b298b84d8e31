"""Pandoc's reading part by part, and its cache (issue 19, "the conversions too").

The document's AST assembled from separately read parts must be exactly the AST
Pandoc makes from the whole text; where the parts share reader state the
document is read whole. The real renders of the report (cold, warm, a table
changed, prose edited, compared byte for byte with renders without the cache)
are in tests/test_render_cache.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tomas_pipeline.render import parts
from tomas_pipeline.render.pandoc import pandoc_executable

INTRO = """\
::: {.build-info}
Built today.
:::

Opening text with a note[^a] and a citation [@alpha; @beta, p. 3].

[^a]: The note cites @gamma in passing.
"""
CHAPTER_1 = """\
# First chapter {#sec-first}

Text with *emphasis*, a link to [the second chapter](#sec-second) and @alpha says so.
A note[^n] here, and an inline note^[with @beta inside].

[^n]: A numbered note.

| a | b |
|---|---|
| 1 | 2 |

: A table caption

![A figure](fig.svg){#fig-one alt="a figure"}

```python
print("[not a reference]")
```
"""
CHAPTER_2 = """\
# Second chapter {#sec-second}

## Details

Back to [the first chapter](#sec-first); [-@alpha] and [see @gamma, ch. 2].

- one
- two
"""


def _whole(text: str) -> dict:
    out = subprocess.run([pandoc_executable(), "--from", "markdown", "--to", "json"], input=text,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _read(texts: list[str], tmp_path: Path, cache: parts.PartCache | None = None) -> dict | None:
    build = tmp_path / "build"
    build.mkdir(exist_ok=True)
    target = build / "doc.json"
    target.unlink(missing_ok=True)
    read = parts.read_parts({"html": (texts, target)}, build, cache or parts.PartCache(None), pandoc_executable(),
                            0, 2)
    return json.loads(read["html"].read_text(encoding="utf-8")) if read["html"] else None


def test_the_assembled_ast_is_the_whole_documents_ast(tmp_path):
    texts = [INTRO, CHAPTER_1, CHAPTER_2]
    assembled = _read(texts, tmp_path)
    assert assembled is not None
    whole = _whole("\n\n".join(texts))
    # Notes and citations number across parts (citationNoteNum): the counter is carried over.
    assert '"citationNoteNum":5' in json.dumps(whole, separators=(",", ":"))
    assert assembled == whole


def test_the_cache_reuses_unchanged_parts_and_ignores_a_damaged_entry(tmp_path):
    folder = tmp_path / "cache"
    texts = [INTRO, CHAPTER_1, CHAPTER_2]
    first = parts.PartCache(folder)
    reference = _read(texts, tmp_path, first)
    assert (first.parsed, first.reused) == (3, 0)
    warm = parts.PartCache(folder)
    assert _read(texts, tmp_path, warm) == reference and (warm.parsed, warm.reused) == (0, 3)

    # An edit to one part's prose reads that part again (and the part before it, whose
    # key holds the next part's first line, only if that line changed).
    edited = [INTRO, CHAPTER_1.replace("Text with", "Prose with"), CHAPTER_2]
    again = parts.PartCache(folder)
    assert _read(edited, tmp_path, again) == _whole("\n\n".join(edited))
    assert (again.parsed, again.reused) == (1, 2)
    again.prune()
    assert len([p for p in folder.glob("*.json") if p.name != "stats.json"]) == 3

    entry = next(p for p in folder.glob("*.json") if "Second" in p.read_text(encoding="utf-8"))
    entry.write_text(entry.read_text(encoding="utf-8").replace("Second", "Third"), encoding="utf-8")
    damaged = parts.PartCache(folder)
    assert _read(edited, tmp_path, damaged) == _whole("\n\n".join(edited))
    assert damaged.parsed == 1


FIRST = "# Intro\n\nThe first part.\n"


@pytest.mark.parametrize(("first", "second"), [
    (FIRST, "# Intro\n\nAgain a heading called Intro.\n"),  # its automatic id would clash with the first's
    (FIRST, "# Other\n\nSee [Intro] above.\n"),  # an implicit link to another part's heading
    ("# Intro\n\nSee [the site][site].\n", "# Other\n\n[site]: https://example.org\n"),  # defined elsewhere
    ("# Intro\n\nA note.[^1]\n", "# Other\n\nMore.\n\n[^1]: Defined in the other part.\n"),
    ("# Intro\n\n[^1]: One.\n", "# Other\n\n[^1]: Defined twice.\n"),
    (FIRST, "# Other\n\n(@) An example list numbers across the document.\n"),
    (FIRST, "# Other\n\nText.\n\n---\ntitle: Late metadata\n---\n"),  # a metadata block
    (FIRST + "\n::: note\n\nOpened here.\n", "# Other\n\n:::\n\nThe end of a div the first part opened.\n"),
])
def test_parts_that_share_reader_state_are_read_whole(tmp_path, first, second):
    assert _read([first, second], tmp_path) is None


def test_definitions_used_in_their_own_part_are_read_apart(tmp_path):
    texts = ["# Intro\n\nSee [the site][site].\n\n[site]: https://example.org\n",
             "# Other\n\nA note.[^1]\n\n[^1]: Its text.\n"]
    assert _read(texts, tmp_path) == _whole("\n\n".join(texts))


def test_a_part_that_leaves_a_block_open_is_read_whole(tmp_path):
    # An unclosed code fence runs on into the next part when the document is read whole.
    assert _read(["Text.\n\n```\ncode\n", "# a comment, read whole\n```\n"], tmp_path) is None
    assert _read(["Text.\n\n~~~\ncode\n", "# a comment\n~~~\n"], tmp_path) is None


def test_parts_start_only_at_a_heading(tmp_path):
    # "- b" after a list continues it when read whole: such a part joins the one before.
    assert parts.merge_boundaries(["- a\n", "- b\n", "# H\n"]) == ["- a\n\n\n- b\n", "# H\n"]
    assert parts.split(parts.join_marked(["A", "B"])) == ["A", "B"]


def test_reading_apart_can_be_switched_off_for_comparison(tmp_path, monkeypatch):
    monkeypatch.setattr(parts, "ENABLED", False)
    assert _read([INTRO, CHAPTER_1], tmp_path) is None
