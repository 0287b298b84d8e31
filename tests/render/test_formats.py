"""The output-format registry (render/formats.py) is the one list every place reads:
the config schema, the workflow's published files, the engine, and the errors."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import ROOT, TESTS, copy_repo, run_snakemake

from tomas_pipeline.core.config import load_config
from tomas_pipeline.core.errors import TomasError
from tomas_pipeline.render import RenderError, render_project
from tomas_pipeline.render.formats import FORMATS, get_format, output_names
from tomas_pipeline.render.project import format_options
from tomas_pipeline.render.strict import check_fig_format

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


def test_the_config_schema_allows_exactly_the_registered_formats_in_their_order():
    spec = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    enum = spec["properties"]["report"]["properties"]["formats"]["items"]["enum"]
    assert enum == list(FORMATS), (
        f"{SCHEMA.relative_to(ROOT)}: report.formats enum {enum} must list render/formats.py's FORMATS "
        f"{list(FORMATS)}")


def test_each_entry_is_consistent():
    suffixes = [f.suffix for f in FORMATS.values()]
    assert len(set(suffixes)) == len(suffixes)  # two formats cannot publish the same file
    for name, fmt in FORMATS.items():
        assert fmt.name == name and fmt.suffix.startswith(".") and fmt.image in ("svg", "png")
        assert fmt.quarto_to({}) == name and fmt.quarto_to({q: {} for q in fmt.quarto}) == fmt.quarto[-1]
        check_fig_format(name, {"fig-format": fmt.image})  # the engine accepts the figure type it links
        with pytest.raises(RenderError, match=f"uses {fmt.image!r}"):
            check_fig_format(name, {"fig-format": "jpeg"})


def test_the_pdf_route_reads_the_typst_options_over_the_pdf_ones():
    meta = {"toc": True, "format": {"pdf": {"papersize": "letter", "x": 1}, "typst": {"papersize": "a5"}}}
    assert format_options(meta, "pdf") == {"toc": True, "papersize": "a5", "x": 1}
    assert format_options(meta, "html") == {"toc": True}


def test_the_workflow_publishes_one_file_per_configured_format(tmp_path):
    """REPORT_FILES (common.smk) follows the config's list: every registered format when all are
    asked for, only html when html alone is; then an unknown format stops the build, naming the
    config file, the value and the formats there are."""
    repo = copy_repo(tmp_path / "repo")
    config_file = repo / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))

    def dry_run(formats):
        config["report"]["formats"] = formats
        config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return run_snakemake(repo, "--dry-run", "publish", timeout=600)

    everything = dry_run(list(FORMATS))
    assert everything.returncode == 0, everything.stdout[-3000:] + everything.stderr[-3000:]
    published = set(re.findall(r"report/_output/(tomas\.\w+)\b", everything.stdout + everything.stderr))
    assert set(output_names("tomas", FORMATS)) <= published

    html = dry_run(["html"])
    assert html.returncode == 0, html.stdout[-3000:] + html.stderr[-3000:]
    published = set(re.findall(r"report/_output/(tomas\.\w+)\b", html.stdout + html.stderr))
    assert published == {"tomas.html", "tomas.sha256"}

    unknown = dry_run(["html", "epub"])
    said = unknown.stdout + unknown.stderr
    assert unknown.returncode != 0
    assert "config/config.yaml" in said and "report.formats" in said and "'epub'" in said
    assert all(f"'{name}'" in said for name in FORMATS), said[-3000:]


def test_an_unknown_format_in_a_config_file_names_the_file_and_the_choices(tmp_path):
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["report"]["formats"] = ["html", "epub"]
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with pytest.raises(TomasError) as caught:
        load_config(other, SCHEMA)
    message = str(caught.value)
    assert message.startswith(f"{other}, row ") and "report.formats.1" in message and "'epub'" in message
    assert all(f"'{name}'" in message for name in FORMATS)


def test_the_renderer_refuses_an_unknown_format_by_name(tmp_path):
    with pytest.raises(RenderError, match=r"unsupported format\(s\) \['epub'\]; choose from html, pdf, docx"):
        render_project(tmp_path, formats=["html", "epub"])
    with pytest.raises(RenderError, match=r"unsupported format 'epub'; choose from html, pdf, docx"):
        get_format("epub")


def test_the_quarto_engine_is_run_with_each_formats_quarto_name_and_its_file_moved(monkeypatch, tmp_path):
    """Real Quarto (a stand-in here) is asked `--to` the registry's Quarto name (`pdf` -> `typst`, as
    the project configures `format: typst:`) and the file it makes is published under the format's suffix."""
    import os
    import stat

    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "quarto"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do case "$1" in --output-dir) out="$2";; --to) to="$2";; esac; shift; done\n'
        f'echo "$to" >> "{tmp_path}/asked"\n'
        'case "$to" in typst) ext=pdf;; *) ext="$to";; esac\n'
        'echo "made with --to $to" > "$out/tomas.$ext"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    fixture = TESTS / "fixtures" / "render" / "basic"
    outputs = render_project(fixture, tmp_path / "out", list(FORMATS), engine="quarto")
    assert [p.name for p in outputs] == output_names("tomas", FORMATS)
    assert (tmp_path / "asked").read_text().split() == ["html", "typst", "docx"]
    assert (tmp_path / "out" / "tomas.pdf").read_text() == "made with --to typst\n"
