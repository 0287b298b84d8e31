"""The output formats: one entry per format, read by everything that names one.

The engine's conversions and `--to` choices, the figure type each format takes,
the `_quarto.yml` options it reads, Quarto's `--to` name, the published file
names (workflow/rules/common.smk, release.py) and the config schema's
`report.formats` enum (checked by tests/render/test_formats.py) all come from here.
Adding a format is an entry below plus its writer (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import pandoc
from .errors import RenderError


@dataclass(frozen=True)
class Job:
    """What a writer gets: Pandoc's common arguments and where to write, plus the document's context."""

    args: list[str]
    output: Path
    stem: str
    metadata: dict
    options: dict
    build: Path
    root: Path  # the folder Typst may read under
    epoch: int


@dataclass(frozen=True)
class Format:
    name: str  # in config `report.formats` and `tomas render --to`
    suffix: str  # of the output file
    # `_quarto.yml` `format:` keys whose options apply, later ones winning; Quarto is run
    # with `--to` the last of them the project configures (else `name`).
    quarto: tuple[str, ...]
    image: str  # which of a cell's figure files (svg, png) the document links
    typst: bool  # compiled by Typst, which then reads the bibliography under Quarto's rules
    write: Callable[[Job], None]  # runs Pandoc (and Typst) to make the file

    def output_name(self, stem: str) -> str:
        return f"{stem}{self.suffix}"

    def quarto_to(self, configured: object) -> str:
        """Quarto's --to name, given `_quarto.yml`'s `format:` value."""
        if isinstance(configured, Mapping):
            for name in reversed(self.quarto):
                if name in configured:
                    return name
        return self.name


# The writers look pandoc's functions up when called, so a test can stand in for one.
def _html(job: Job) -> None:
    pandoc.to_html(job.args, job.output, job.stem, job.metadata, job.options, job.build, job.epoch)


def _pdf(job: Job) -> None:
    pandoc.to_pdf(job.args, job.output, job.stem, job.metadata, job.options, job.build, job.root, job.epoch)


def _docx(job: Job) -> None:
    pandoc.to_docx(job.args, job.output, job.options, job.build, job.epoch)


# In the order a build makes them when the config does not say (the schema's enum has the same order).
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("html", ".html", ("html",), "svg", False, _html),
    # Our PDF route is Typst: `format: typst:` options, `--to typst` when _quarto.yml configures it.
    Format("pdf", ".pdf", ("pdf", "typst"), "svg", True, _pdf),
    Format("docx", ".docx", ("docx",), "png", False, _docx),
)}
DEFAULT_FORMATS: tuple[str, ...] = tuple(FORMATS)


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise RenderError(f"unsupported format {name!r}; choose from {', '.join(FORMATS)}") from None


def check_formats(names: Iterable[str]) -> list[str]:
    """The names as a list, every one a known format (else one error naming them all and the choices)."""
    names = list(names)
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise RenderError(f"unsupported format(s) {unknown}; choose from {', '.join(FORMATS)}")
    return names


def output_names(stem: str, names: Iterable[str]) -> list[str]:
    """The files a document `stem` renders to, in the order of `names`."""
    return [get_format(n).output_name(stem) for n in names]
