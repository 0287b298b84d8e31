"""Call Pandoc (HTML, DOCX, Typst source) and Typst (PDF).

Pandoc is the binary shipped in pypandoc-binary, so every machine uses the same
version and produces the same bytes (``TOMAS_PANDOC`` chooses another). Typst runs in-process (the `typst` package).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import yaml

from .errors import RenderError

# Metadata keys that steer the engine and are not document metadata for Pandoc.
_ENGINE_KEYS = {"format", "execute", "project", "jupyter", "crossref", "engine", "bibliography", "csl",
                "toc", "toc-depth", "number-sections", "papersize"}


def template_path(name: str) -> Path:
    return Path(str(resources.files(__package__) / "templates" / name))


# Set to a pandoc binary to use it instead of the pinned one (at your own risk:
# another version gives other bytes).
PANDOC_ENV = "TOMAS_PANDOC"


def pandoc_executable() -> str:
    """The pinned Pandoc: the binary inside pypandoc-binary, never a `pandoc` on PATH.

    (pypandoc.get_pandoc_path() takes whichever of PATH's and its own is newer.)
    """
    chosen = os.environ.get(PANDOC_ENV)
    if chosen:
        found = shutil.which(chosen)
        if not found:
            raise RenderError(f"{PANDOC_ENV}={chosen} is not an executable")
        return found
    try:
        import pypandoc
    except ImportError:
        raise RenderError("Pandoc not found: install the pinned pypandoc-binary (requirements.txt)") from None
    bundled = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    if not os.access(bundled, os.X_OK):
        raise RenderError(f"the pinned Pandoc is missing at {bundled}: reinstall pypandoc-binary, "
                          f"or set {PANDOC_ENV} to another pandoc")
    return str(bundled)


def run_pandoc(args: list[str], cwd: Path, epoch: int) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    proc = subprocess.run([pandoc_executable(), *args], cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RenderError(f"pandoc failed ({proc.returncode}):\n{proc.stderr.strip()}")
    # Quarto shows Pandoc's warnings (a citation not found, ...) and the report must render with none:
    # a warning fails the render here.
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("[WARNING]")]
    if warnings:
        raise RenderError("pandoc warned:\n" + "\n".join(warnings))


def write_metadata(metadata: dict, path: Path) -> Path:
    """A Pandoc metadata file; values that are not text become their YAML text."""
    clean = {k: v for k, v in metadata.items() if k not in _ENGINE_KEYS}
    path.write_text(yaml.safe_dump(clean, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path


def common_args(source: Path, meta_file: Path, options: dict, bibliography: list[Path], csl: Path | None,
                reader: str = "markdown") -> list[str]:
    """`reader`: "markdown", or "json" for the AST assembled from the parts (parts.py)."""
    args = [str(source), "--from", reader, "--metadata-file", str(meta_file)]
    if options.get("toc"):
        args += ["--toc", f"--toc-depth={int(options.get('toc-depth', 3))}"]
    if options.get("number-sections"):
        args.append("--number-sections")
    if options.get("toc-title"):
        args += ["--metadata", f"toc-title={options['toc-title']}"]
    if bibliography:
        args.append("--citeproc")
        args += [f"--bibliography={b}" for b in bibliography]
        if csl:
            args.append(f"--csl={csl}")
    return args


def header_includes(options: dict, build_dir: Path, fmt: str) -> list[str]:
    """`include-in-header:` as Pandoc arguments: a path, a list of paths, or
    Quarto's `{file: path}` / `{text: ...}` items. Paths arrive resolved."""
    value = options.get("include-in-header")
    items = [] if value is None else value if isinstance(value, list) else [value]
    args = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and set(item) == {"text"}:
            path = build_dir / f"header-{fmt}-{i}.txt"
            path.write_text(str(item["text"]) + "\n", encoding="utf-8")
        elif isinstance(item, dict) and set(item) == {"file"}:
            path = Path(item["file"])
        elif isinstance(item, str):
            path = Path(item)
        else:
            raise RenderError(f"format {fmt}: include-in-header must be a path or {{file: ...}} / {{text: ...}}, "
                              f"got {item!r}")
        if not path.is_file():  # Quarto stops on a missing include too
            raise RenderError(f"format {fmt}: include-in-header file not found: {path}")
        args.append(f"--include-in-header={path}")
    return args


def html_footer(metadata: dict, path: Path) -> Path | None:
    """Version, date and commit under the paper, escaped (they come from the pipeline)."""
    parts = []
    for key, label in (("version", "Version"), ("date", "Date"), ("commit", "Commit")):
        if metadata.get(key) not in (None, ""):
            parts.append(f"{label}: {html.escape(str(metadata[key]))}")
    if not parts:
        return None
    path.write_text(f'<footer class="tomas-meta">{" · ".join(parts)}</footer>\n', encoding="utf-8")
    return path


def to_html(args: list[str], output: Path, stem: str, metadata: dict, options: dict, build_dir: Path,
            epoch: int) -> None:
    css = options.get("css")
    extra = ["--to", "html5", "--standalone", "--embed-resources", "--mathml",
             "--css", str(template_path("tomas.css")), "--resource-path", str(build_dir)]
    for sheet in [css] if isinstance(css, str) else (css or []):
        extra += ["--css", str(sheet)]
    if not metadata.get("title"):
        extra += ["--metadata", f"pagetitle={stem}"]
    extra += header_includes(options, build_dir, "html")
    footer = html_footer(metadata, build_dir / "footer.html")
    if footer:
        extra += ["--include-after-body", str(footer)]
    extra += ["--include-after-body", str(reading_aids(build_dir / "reading-aids.html"))]
    run_pandoc(args + extra + ["--output", str(output)], build_dir, epoch)


def reading_aids(path: Path) -> Path:
    """tomas.js as an inline script: heading anchors, a contents list that marks
    where the reader is, previews of citations and cross-references (what
    Quarto's HTML gives with anchor-sections, citations-hover, crossrefs-hover)."""
    script = template_path("tomas.js").read_text(encoding="utf-8")
    path.write_text(f"<script>\n{script}</script>\n", encoding="utf-8")
    return path


def to_docx(args: list[str], output: Path, options: dict, build_dir: Path, epoch: int) -> None:
    extra = ["--to", "docx", "--resource-path", str(build_dir)]
    if options.get("reference-doc"):
        extra.append(f"--reference-doc={options['reference-doc']}")
    run_pandoc(args + extra + ["--output", str(output)], build_dir, epoch)


def typst_lang(lang: str | None) -> list[str]:
    """'en-GB' -> Typst's lang "en" and region "gb"."""
    if not lang:
        return []
    code, _, region = str(lang).replace("_", "-").partition("-")
    out = ["--variable", f"typst-lang={code.lower()}"]
    if len(region) == 2:
        out += ["--variable", f"typst-region={region.lower()}"]
    return out


_MD_ALT_RE = re.compile(r'!\[[^\]]*\]\(([^)\s]+)\)\{[^{}]*?\balt="((?:[^"\\]|\\.)*)"')


def add_typst_alt(typ: str, markdown: str) -> str:
    """Pandoc's Typst writer drops alt text; put it back as `image(..., alt: "...")`
    so the tagged PDF describes each figure to screen readers."""
    for path, alt in _MD_ALT_RE.findall(markdown):
        alt = re.sub(r"\\(.)", r"\1", alt)
        quoted = '"' + alt.replace("\\", "\\\\").replace('"', '\\"') + '"'
        typ = typ.replace(f'image("{path}"', f'image("{path}", alt: {quoted}', 1)
    return typ


def to_pdf(args: list[str], output: Path, stem: str, metadata: dict, options: dict, build_dir: Path,
           root: Path, epoch: int) -> Path:
    """Markdown -> Typst source (our template) -> PDF. Returns the .typ path.

    `root` must contain the build folder and every image the document uses.
    """
    typ = build_dir / f"{stem}.typ"
    extra = ["--to", "typst", "--standalone", "--template", str(template_path("tomas.typ")),
             "--variable", f"papersize={options.get('papersize', 'a4')}", *typst_lang(metadata.get("lang")),
             *header_includes(options, build_dir, "typst")]
    if not metadata.get("title"):
        extra += ["--metadata", f"pagetitle={stem}"]
    run_pandoc(args + extra + ["--output", str(typ)], build_dir, epoch)
    markdown = Path(args[0]).with_suffix(".md")  # beside the assembled AST, the Markdown it was read from
    typ.write_text(add_typst_alt(typ.read_text(encoding="utf-8"), markdown.read_text(encoding="utf-8")),
                   encoding="utf-8")
    import typst

    try:
        # ignore_system_fonts: only Typst's embedded fonts, so every machine makes the same PDF.
        typst.compile(str(typ), output=str(output), root=str(root), timestamp=epoch, ignore_system_fonts=True)
    except Exception as exc:
        raise RenderError(f"typst failed on {typ.name}:\n{exc}") from exc
    return typ
