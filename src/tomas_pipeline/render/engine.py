"""Render a Quarto project: pick the engine, then run the built-in pipeline
(parse -> execute -> assemble -> crossref -> Pandoc/Typst) or real `quarto render`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import pandoc, parts
from .assemble import assemble_parts, write_figures
from .crossref import crossref, find_labels, find_references
from .errors import RenderError
from .execute import execute
from .formats import DEFAULT_FORMATS, FORMATS, Job, check_formats
from .project import Document, Project, format_options, load_document, load_project
from .qmd import Chunk, CodeCell, Markdown, parse
from .strict import check_bibliography, check_cell_options, check_date, check_fig_format, check_xref_kinds

ENGINES = ("auto", "quarto", "builtin")
ENV_ENGINE = "TOMAS_RENDER_ENGINE"
BUILD_DIR = ".tomas-build"
ENV_JOBS = "TOMAS_RENDER_JOBS"
# A child of the pipeline's "tomas" logger: what goes here lands in the render rule's log.
log = logging.getLogger("tomas.render")


def choose_engine(engine: str = "auto") -> str:
    """'quarto' or 'builtin'. TOMAS_RENDER_ENGINE overrides 'auto'."""
    if engine not in ENGINES:
        raise RenderError(f"unknown render engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine = os.environ.get(ENV_ENGINE, "").strip() or "auto"
        if engine not in ENGINES:
            raise RenderError(f"{ENV_ENGINE}={engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "auto":
        return "quarto" if shutil.which("quarto") else "builtin"
    if engine == "quarto" and not shutil.which("quarto"):
        raise RenderError(
            "render engine 'quarto' was requested but no `quarto` executable is on PATH; "
            "install Quarto (https://quarto.org) or use engine 'builtin'"
        )
    return engine


def source_date_epoch(metadata: dict) -> int:
    """The build's `epoch` when the caller passes one, else SOURCE_DATE_EPOCH, else midnight
    UTC of an ISO `date`, else 0: never the clock."""
    given = metadata.get("epoch")
    if given not in (None, ""):
        try:
            return int(given)
        except (TypeError, ValueError):
            raise RenderError(f"metadata epoch={given!r} is not an integer") from None
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        try:
            return int(env)
        except ValueError:
            raise RenderError(f"SOURCE_DATE_EPOCH={env!r} is not an integer") from None
    date = metadata.get("date")
    if isinstance(date, dt.datetime):
        return int(date.replace(tzinfo=date.tzinfo or dt.UTC).timestamp())
    if isinstance(date, dt.date):
        return int(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC).timestamp())
    if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()):
        day = dt.date.fromisoformat(date.strip())
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    return 0


def _resolve_date(metadata: dict) -> None:
    """Quarto's `date: today` / `now`: the SOURCE_DATE_EPOCH day when set, so renders repeat."""
    if str(metadata.get("date", "")).strip() in ("today", "now", "last-modified"):
        given = metadata.get("epoch") or os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        when = dt.datetime.fromtimestamp(int(given), dt.UTC) if given else dt.datetime.now(dt.UTC)
        metadata["date"] = when.date().isoformat()
    elif isinstance(metadata.get("date"), (dt.date, dt.datetime)):
        metadata["date"] = metadata["date"].isoformat()


def check_references(chunks: list[Chunk]) -> None:
    """Fail before the (slow) kernel run when a crossref cannot resolve.

    Labels that code might print (its source mentions them) are left for the
    final check after execution.
    """
    labels: set[str] = set()
    code = ""
    for chunk in chunks:
        if isinstance(chunk, CodeCell):
            code += chunk.code + "\n"
            label = (chunk.label or "").lower()
            if label.startswith("fig-") or (label.startswith("tbl-") and chunk.options.get("tbl-cap")):
                labels.add(label)
        else:
            labels |= find_labels(chunk.text)
    for chunk in chunks:
        if isinstance(chunk, Markdown):
            check_xref_kinds(chunk.text, chunk.where)
            for offset, key in find_references(chunk.text):
                if key not in labels and key not in code.lower():
                    raise RenderError(
                        f"{chunk.where(offset)}: unknown cross-reference @{key}: "
                        f"no figure, table or section has the label {key}"
                    )


def _bibliography(doc: Document, project: Project, formats: Sequence[str]) -> tuple[list[Path], Path | None]:
    bib = doc.metadata.get("bibliography") or []
    bibs = [bib] if isinstance(bib, str) else list(bib)
    paths = [(doc.path.parent / b).resolve() for b in bibs]
    for p in paths:
        if not p.exists():
            raise RenderError(f"{doc.path.name}: bibliography not found: {p.name}")
    try:
        for fmt in formats:  # the formats Typst compiles read the bibliography under Quarto's rules
            if FORMATS[fmt].typst:
                check_bibliography(paths, [fmt], format_options(doc.metadata, fmt), project.root)
    except RenderError as exc:
        raise RenderError(f"{doc.path.name}: {exc}") from None
    csl = doc.metadata.get("csl")
    return paths, ((doc.path.parent / csl).resolve() if csl else None)


def render_document(project: Project, path: Path, out_dir: Path, formats: Sequence[str],
                    metadata: dict | None = None, jobs: int | None = None,
                    env: Mapping[str, str] | None = None, cache: Path | None = None) -> list[Path]:
    """Built-in engine for one document; returns the output paths in `formats` order.
    `cache`: the cell-output cache's folder (one subfolder per document), None for none."""
    doc = load_document(project, path, metadata)
    try:
        check_date(doc.metadata)
    except RenderError as exc:
        raise RenderError(f"{doc.path.name}: {exc}") from None
    _resolve_date(doc.metadata)
    epoch = source_date_epoch(doc.metadata)
    chunks = parse(doc.lines)
    check_cell_options(chunks)
    check_references(chunks)
    bibs, csl = _bibliography(doc, project, formats)

    build = out_dir / BUILD_DIR / doc.stem
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    # Typst may only read files under its root: the build folder and the document's images.
    root = Path(os.path.commonpath([build.resolve(), project.root, doc.path.parent]))
    outputs: list[Path] = []
    try:
        executed = execute(chunks, doc.path.parent, doc.metadata.get("execute") or {},
                           kernel=str(doc.metadata.get("jupyter") or "python3"), env=env,
                           cache=Path(cache).resolve() / doc.stem if cache else None)
        figures = write_figures(chunks, executed, build / f"{doc.stem}_files" / "figure")
        pandoc.write_metadata(doc.metadata, build / "metadata.yaml")
        conversions = []
        texts: dict[str, list[str]] = {}
        for fmt in formats:
            options = format_options(doc.metadata, fmt)
            check_fig_format(fmt, options)
            for key in ("css", "reference-doc", "include-in-header"):  # paths are relative to the document
                if key in options:
                    options[key] = _resolve_paths(options[key], doc.path.parent)
            marked = parts.join_marked(assemble_parts(chunks, executed, figures, fmt, doc.metadata,
                                                      doc.path.parent, build)) + "\n"
            try:
                marked = crossref(marked, doc.metadata, number_sections=bool(options.get("number-sections")))
            except RenderError as exc:
                raise RenderError(f"{doc.path.name}: {exc}") from None
            texts[fmt] = parts.merge_boundaries(parts.split(marked))
            source = build / f"{doc.stem}.{fmt}.md"
            source.write_text("\n\n".join(texts[fmt]), encoding="utf-8")
            conversions.append(_Conversion(fmt, [str(source)], options, out_dir / FORMATS[fmt].output_name(doc.stem)))
        # Pandoc reads each part on its own (stored ASTs are reused); the writers run on the whole.
        part_cache = parts.PartCache(Path(cache).resolve() / doc.stem / "pandoc" if cache else None)
        read = parts.read_parts({c.fmt: (texts[c.fmt], build / f"{doc.stem}.{c.fmt}.json") for c in conversions},
                                build, part_cache, pandoc.pandoc_executable(), epoch, render_jobs(jobs))
        for c in conversions:
            ast = read[c.fmt]
            c.args = pandoc.common_args(ast or Path(c.args[0]), build / "metadata.yaml", c.options,
                                        local_copies(bibs, build), csl, reader="json" if ast else "markdown")
        _convert_all(conversions, doc, build, root, epoch, jobs)
        part_cache.prune()
        if cache:
            log.info("render cache: %d of %d Pandoc parts parsed", part_cache.parsed,
                     part_cache.parsed + part_cache.reused)
        outputs = [c.final for c in conversions]
    finally:
        if not os.environ.get("TOMAS_KEEP_BUILD"):
            shutil.rmtree(build, ignore_errors=True)
            with contextlib.suppress(OSError):
                (out_dir / BUILD_DIR).rmdir()  # only if no other document is building
    return outputs


def _resolve_paths(value, base: Path):
    """A path option (str, list, or Quarto's `{file: path}` items) made absolute; other values kept."""
    if isinstance(value, str):
        return str((base / value).resolve())
    if isinstance(value, list):
        return [_resolve_paths(v, base) for v in value]
    if isinstance(value, dict) and isinstance(value.get("file"), str):
        return {**value, "file": str((base / value["file"]).resolve())}
    return value


@dataclass
class _Conversion:
    fmt: str
    args: list[str]
    options: dict
    final: Path


def render_jobs(jobs: int | None = None) -> int:
    """How many Pandoc/Typst conversions run at once: `jobs`, else TOMAS_RENDER_JOBS, else one per core."""
    if jobs is not None:
        if int(jobs) < 1:
            raise RenderError(f"jobs={jobs!r}: at least one conversion must run at a time")
        return int(jobs)
    env = os.environ.get(ENV_JOBS, "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise RenderError(f"{ENV_JOBS}={env!r} is not a whole number of at least 1")
        return int(env)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _convert_all(conversions: list[_Conversion], doc: Document, build: Path, root: Path, epoch: int,
                 jobs: int | None = None) -> None:
    """Run the formats' conversions side by side, then publish all outputs or none.

    Pandoc and Typst are separate programs, so the formats can use every core;
    each writes a temporary file, and only when all have succeeded are they
    moved into place, so a failure or an interruption leaves the earlier set.
    """
    def convert(c: _Conversion, tmp: Path) -> None:
        FORMATS[c.fmt].write(Job(c.args, tmp, doc.stem, doc.metadata, c.options, build, root, epoch))
        if not tmp.exists():
            raise RenderError(f"{c.final.name}: the writer produced no file")

    temps = [c.final.with_name(f".{c.final.name}.{uuid.uuid4().hex[:8]}.partial") for c in conversions]
    for c in conversions:
        c.final.parent.mkdir(parents=True, exist_ok=True)
    try:
        jobs = min(render_jobs(jobs), len(conversions)) or 1
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="tomas-render") as pool:
            futures = [pool.submit(convert, c, tmp) for c, tmp in zip(conversions, temps)]
            try:
                for future in futures:  # the first failure in format order is the one reported
                    future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        for c, tmp in zip(conversions, temps):
            os.replace(tmp, c.final)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)


def _quarto_to(project: Project, fmt: str) -> str:
    """Quarto's --to name: our PDF route is Typst when _quarto.yml configures `typst`."""
    return FORMATS[fmt].quarto_to(project.config.get("format"))


def _meta_arg(key: str, value) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"{key}:{value}"


def quarto_render(project: Project, out_dir: Path, formats: Sequence[str], metadata: dict | None,
                  env: Mapping[str, str] | None = None) -> list[Path]:
    """Run real `quarto render`, one format at a time, into a temp folder, then move into place."""
    exe = shutil.which("quarto")
    if not exe:
        raise RenderError("no `quarto` executable on PATH")
    # Quarto hands its environment on to the Jupyter kernel that runs the cells.
    env = {**os.environ, **(env or {}), "SOURCE_DATE_EPOCH": str(source_date_epoch(metadata or {}))}
    staging = out_dir / ".tomas-quarto"
    outputs: list[Path] = []
    try:
        for fmt in formats:
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            cmd = [exe, "render", str(project.root), "--output-dir", str(staging), "--to", _quarto_to(project, fmt)]
            for key, value in (metadata or {}).items():
                cmd += ["-M", _meta_arg(key, value)]
            proc = subprocess.run(cmd, cwd=project.root, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RenderError(f"quarto render failed ({proc.returncode}):\n{proc.stderr.strip()}")
            # Quarto reports warnings on stderr even when it succeeds (W5): keep them in the log.
            for line in proc.stderr.splitlines():
                if line.strip():
                    (log.warning if "WARN" in line.upper() else log.info)("quarto --to %s: %s", fmt, line.rstrip())
            for doc in project.documents:
                made = staging / FORMATS[fmt].output_name(doc.stem)
                if not made.exists():
                    raise RenderError(f"quarto render did not produce {made.name}")
                final = out_dir / made.name
                os.replace(made, final)
                outputs.append(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outputs


def local_copies(files: list[Path], build: Path) -> list[Path]:
    """Copy files into Pandoc's working folder under fixed names.

    DOCX records the bibliography path in its properties; a fixed relative
    name keeps the bytes the same wherever the project is checked out.
    """
    copies = []
    for i, path in enumerate(files):
        name = f"bibliography-{i}{Path(path).suffix}"
        shutil.copyfile(path, build / name)
        copies.append(Path(name))
    return copies


def render_project(project_dir: Path, output_dir: Path | None = None,
                   formats: Sequence[str] = DEFAULT_FORMATS, engine: str = "auto",
                   metadata: dict | None = None, jobs: int | None = None,
                   env: Mapping[str, str] | None = None, cache: Path | None = None) -> list[Path]:
    """Render every document of a Quarto project to `formats`; return the output files.

    `metadata` is merged over the front matter (version, date, commit, ...); its
    `epoch`, when given, is the build's date for every file's timestamps.
    `env`: variables the cells' kernel gets besides this process's (where the
    cells find the data), so that no caller has to change its own environment.
    `output_dir` defaults to `_quarto.yml`'s `project: output-dir:`.
    `jobs`: formats converted at once by the built-in engine (default: see `render_jobs`).
    `cache`: folder of the built-in engine's cell-output cache (docs/engine.md); None runs every cell.
    Quarto runs its notebook itself and ignores it.
    """
    formats = check_formats([formats] if isinstance(formats, str) else formats)
    chosen = choose_engine(engine)
    project = load_project(Path(project_dir))
    out_dir = Path(output_dir).resolve() if output_dir else project.output_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    if chosen == "quarto":
        return quarto_render(project, out_dir, formats, metadata, env)
    outputs: list[Path] = []
    for doc in project.documents:
        outputs += render_document(project, doc, out_dir, formats, metadata, jobs, env, cache)
    return outputs
