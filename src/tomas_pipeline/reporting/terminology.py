"""The terminology check: the report's own prose must not use deprecated terms.

The terms are the ``term`` column of ``data/processed/terminology.csv`` (the
Luxembourg Terminology Guidelines and the paper's own list, each row citing its
source). A term is matched case-insensitively, as whole words, across line
breaks. It is allowed only where the report marks the text as someone else's
words (docs/writing.md):

- a quotation: ``[...]{.quote}`` or a ``>`` blockquote line;
- an official title of a law, treaty or document: ``[...]{.law-title}``.

Code is not prose: fenced code blocks and ``{python}`` cells, inline code
(including inline expressions), the YAML front matter and HTML comments are
skipped. Cell *outputs* are data, made by helpers that wrap terms taken from
the data in ``quote()``; ``check_text`` can be run on any markdown as well.

Run on every build by the Snakemake rule ``terminology`` (workflow/rules/report.smk);
by hand: ``python -m tomas_pipeline.reporting.terminology report/``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tomas_pipeline.core.errors import TomasError

MARKER_CLASSES = ("quote", "law-title")

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A bracketed span carrying one of the marker classes: [text]{.quote} / [text]{.law-title #id ...}.
_MARKED_SPAN_RE = re.compile(
    r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\{[^{}]*\.(?:" + "|".join(map(re.escape, MARKER_CLASSES)) + r")(?![\w-])[^{}]*\}"
)
_INLINE_CODE_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_BLOCKQUOTE_RE = re.compile(r"^ {0,3}>.*$", re.M)


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    term: str
    text: str

    def __str__(self) -> str:
        return f'{self.file}:{self.line}: deprecated term "{self.term}" in the report\'s own prose: {self.text.strip()}'


class TerminologyError(TomasError):
    """The report's prose uses deprecated terms; ``findings`` lists each."""

    def __init__(self, findings: Sequence[Finding]):
        self.findings = list(findings)
        lines = "\n".join(str(f) for f in self.findings)
        super().__init__(
            f"{len(self.findings)} deprecated term(s) in the report's prose. Rephrase, or mark a quotation "
            f"as [..]{{.quote}} and an official title as [..]{{.law-title}} (docs/writing.md):\n{lines}"
        )


def load_terms(path: Path | str) -> list[str]:
    """The deprecated terms, lower case, longest first (so a longer term is reported, not its part)."""
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    if "term" not in frame.columns:
        raise ValueError(f"{path}: no 'term' column")
    terms = {t.strip().lower() for t in frame["term"] if t.strip()}
    return sorted(terms, key=lambda t: (-len(t), t))


def term_pattern(term: str) -> re.Pattern[str]:
    """Whole words, any case, any run of whitespace between words (a term may wrap across lines)."""
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?![\w-])", re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    """Replace masked text with spaces, keeping line breaks so line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def mask(text: str) -> str:
    """The prose of a .qmd with everything that is not the report's own words blanked out."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    # YAML front matter at the very top
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() in ("---", "...")), None)
        if end is not None:
            out.extend("" for _ in range(end + 1))
            i = end + 1
    while i < len(lines):
        match = _FENCE_RE.match(lines[i])
        if match:
            fence = match.group(1)
            end = i + 1
            while end < len(lines) and not (lines[end].strip().startswith(fence)
                                            and set(lines[end].strip()) == {fence[0]}):
                end += 1
            out.extend("" for _ in range(i, min(end, len(lines) - 1) + 1))
            i = end + 1
            continue
        out.append(lines[i])
        i += 1
    masked = "\n".join(out)
    for pattern in (_COMMENT_RE, _INLINE_CODE_RE, _MARKED_SPAN_RE, _BLOCKQUOTE_RE):
        masked = pattern.sub(_blank, masked)
    return masked


def check_text(text: str, terms: Iterable[str], name: str = "<text>") -> list[Finding]:
    """Every use of a deprecated term in the unmarked prose of ``text``."""
    masked = mask(text)
    original = text.split("\n")
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for term in terms:
        for match in term_pattern(term).finditer(masked):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue  # part of a longer term already reported
            taken.append(span)
            line = masked.count("\n", 0, span[0]) + 1
            findings.append(Finding(name, line, term, original[line - 1] if line <= len(original) else ""))
    return sorted(findings, key=lambda f: (f.file, f.line, f.term))


def report_files(project: Path | str) -> list[Path]:
    """The report's .qmd files (not the rendered output)."""
    root = Path(project)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.qmd") if "_output" not in p.parts and ".tomas-build" not in p.parts)


def check_files(paths: Iterable[Path | str], terms: Iterable[str]) -> list[Finding]:
    terms = list(terms)
    findings: list[Finding] = []
    for path in paths:
        findings.extend(check_text(Path(path).read_text(encoding="utf-8"), terms, str(path)))
    return findings


def check(paths: Iterable[Path | str], terminology_csv: Path | str) -> None:
    """Raise ``TerminologyError`` if any file's prose uses a deprecated term."""
    findings = check_files(paths, load_terms(terminology_csv))
    if findings:
        raise TerminologyError(findings)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    project = args[0] if args else "report"
    terms_csv = args[1] if len(args) > 1 else "data/processed/terminology.csv"
    findings = check_files(report_files(project), load_terms(terms_csv))
    for f in findings:
        print(f, file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
