"""The country briefs as the workflow builds and publishes them (config briefs:)."""

from __future__ import annotations

import datetime as dt
import hashlib

import yaml
from conftest import BUILD_EPOCH

from tomas_pipeline.briefs import make_brief
from tomas_pipeline.briefs.content import Stamp
from tomas_pipeline.briefs.i18n import LANGUAGES
from tomas_pipeline.core.publish import read_manifest


def _config(repo):
    return yaml.safe_load((repo / "config" / "config.yaml").read_text(encoding="utf-8"))


def test_the_schema_offers_exactly_the_shipped_catalogs(root):
    schema = yaml.safe_load((root / "workflow" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8"))
    offered = schema["properties"]["briefs"]["properties"]["languages"]["additionalProperties"]["items"]["enum"]
    assert offered == list(LANGUAGES)


def test_every_configured_brief_is_published_with_its_manifest(built_repo):
    briefs = _config(built_repo)["briefs"]
    expected = {f"{iso2}-{lang}.{fmt}" for iso2, langs in briefs["languages"].items() for lang in langs
                for fmt in briefs["formats"]}
    assert len(expected) == 14
    folder = built_repo / "report" / "_output" / "briefs"
    recorded = read_manifest(folder / "briefs.sha256")
    assert set(recorded) == expected
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected | {"briefs.sha256"})
    for name, digest in recorded.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert (folder / "briefs.sha256").read_text(encoding="utf-8").startswith("# TOMAS country briefs ")


def test_a_published_brief_is_what_make_brief_writes_from_the_processed_tables(built_repo, tmp_path):
    # make_brief's numbers are checked against the tables in test_briefs.py; here the
    # workflow must publish exactly what it makes from this build's tables and stamp.
    manifest = (built_repo / "report" / "_output" / "briefs" / "briefs.sha256").read_text(encoding="utf-8")
    version = manifest.split()[4]
    commit, data_hash = manifest.split("from commit ")[1].split(",")[0], manifest.split("raw data ")[1].split()[0]
    stamp = Stamp(version, dt.date(2026, 12, 1), commit, data_hash)
    written = make_brief("RS", "sr_Cyrl", tmp_path, built_repo / "data" / "processed",
                         built_repo / "config" / "indicators.yaml", built_repo / "data" / "raw", stamp,
                         int(BUILD_EPOCH), ("html", "pdf"))
    for fmt, path in written.items():
        published = built_repo / "report" / "_output" / "briefs" / f"RS-sr_Cyrl.{fmt}"
        assert path.read_bytes() == published.read_bytes(), fmt


def test_the_serbian_cyrillic_brief_has_cyrillic_text(built_repo):
    from pypdf import PdfReader

    reader = PdfReader(built_repo / "report" / "_output" / "briefs" / "RS-sr_Cyrl.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Србија" in text and "†" not in text  # † marks a message with no translation
    assert 2 <= len(reader.pages) <= 4


def test_a_configfile_adds_the_other_countries_briefs_in_their_languages(built_repo, tmp_path):
    """Montenegrin and Bosnian briefs are one setting away: a --configfile that adds them builds and
    publishes them with the default's, each what make_brief writes; the default build then drops them."""
    from conftest import run_snakemake

    extra = tmp_path / "briefs.yaml"
    extra.write_text("briefs:\n  languages:\n    Crna Gora: [cnr]\n    BA: [bs, hr]\n", encoding="utf-8")
    folder = built_repo / "report" / "_output" / "briefs"
    default = set(read_manifest(folder / "briefs.sha256"))
    added = {f"{name}.{fmt}" for name in ("ME-cnr", "BA-bs", "BA-hr") for fmt in ("html", "pdf")}
    try:
        result = run_snakemake(built_repo, "--configfile", str(extra))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
        recorded = read_manifest(folder / "briefs.sha256")
        assert set(recorded) == default | added
        manifest = (folder / "briefs.sha256").read_text(encoding="utf-8")
        version = manifest.split()[4]
        commit, data_hash = manifest.split("from commit ")[1].split(",")[0], manifest.split("raw data ")[1].split()[0]
        stamp = Stamp(version, dt.date(2026, 12, 1), commit, data_hash)
        for iso2, lang, title in (("ME", "cnr", "Crna Gora:"), ("BA", "bs", "Bosna i Hercegovina:"),
                                  ("BA", "hr", "Bosna i Hercegovina:")):
            written = make_brief(iso2, lang, tmp_path / lang, built_repo / "data" / "processed",
                                 built_repo / "config" / "indicators.yaml", built_repo / "data" / "raw", stamp,
                                 int(BUILD_EPOCH), ("html", "pdf"))
            for fmt, path in written.items():
                published = folder / f"{iso2}-{lang}.{fmt}"
                assert path.read_bytes() == published.read_bytes(), published.name
                assert hashlib.sha256(published.read_bytes()).hexdigest() == recorded[published.name]
            html = (folder / f"{iso2}-{lang}.html").read_text(encoding="utf-8")
            assert f"<title>{title}" in html and "†" not in html
        assert 'lang="cnr-Latn"' in (folder / "ME-cnr.html").read_text(encoding="utf-8")
    finally:
        restored = run_snakemake(built_repo)
        assert restored.returncode == 0, restored.stderr[-3000:]
    assert set(read_manifest(folder / "briefs.sha256")) == default
    assert not any((folder / name).exists() for name in added)
