import os

import pytest

from tomas_pipeline.core.publish import edited_outputs, missing_outputs, publish, write_receipt


def test_publish_is_all_or_nothing(tmp_path):
    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    out.mkdir()
    (out / "tomas.html").write_text("old report")
    (staging / "tomas.html").write_text("new report")  # the PDF is missing: render failed half-way
    with pytest.raises(FileNotFoundError):
        publish(staging, out, ["tomas.html", "tomas.pdf"], out / "tomas.sha256")
    assert (out / "tomas.html").read_text() == "old report"
    assert not (out / "tomas.sha256").exists()


def _published_html_and_pdf(tmp_path):
    """An HTML and a PDF staged and published; (staging, output folder, manifest)."""
    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    for name in ("tomas.html", "tomas.pdf"):
        (staging / name).write_text(name)
    manifest = out / "tomas.sha256"
    publish(staging, out, ["tomas.html", "tomas.pdf"], manifest)
    return staging, out, manifest


def test_publish_and_detect_missing(tmp_path):
    staging, out, manifest = _published_html_and_pdf(tmp_path)
    assert (out / "tomas.pdf").read_text() == "tomas.pdf"
    assert missing_outputs(out, ["tomas.html", "tomas.pdf"], manifest) == []
    (out / "tomas.pdf").unlink()
    (out / "tomas.html").write_text("edited by hand")
    assert missing_outputs(out, ["tomas.html", "tomas.pdf"], manifest) == ["tomas.html", "tomas.pdf"]
    assert not list(out.glob(".*publishing"))


def test_the_manifest_states_what_made_the_report_and_sha256sum_accepts_it(tmp_path):
    import shutil
    import subprocess

    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    for name in ("tomas.html", "tomas.pdf"):
        (staging / name).write_text(name)
    publish(staging, out, ["tomas.html", "tomas.pdf"], out / "tomas.sha256", stamp="TOMAS report 1.2.3 raw data abc")
    lines = (out / "tomas.sha256").read_text().splitlines()
    assert lines[0] == "# TOMAS report 1.2.3 raw data abc"
    assert missing_outputs(out, ["tomas.html", "tomas.pdf"], out / "tomas.sha256") == []
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "--strict", "-c", "tomas.sha256"], cwd=out, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_a_full_disk_keeps_the_previous_report_and_its_manifest(tmp_path, monkeypatch, fail_at):
    """The disk fills while the second file or the manifest is written: nothing
    published changes and no temporary file is left."""
    import errno
    import shutil

    import tomas_pipeline.core.io as tio
    import tomas_pipeline.core.publish as pub

    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    names = ["tomas.html", "tomas.pdf"]
    for name in names:
        (staging / name).write_text("old " + name)
    publish(staging, out, names, out / "tomas.sha256", stamp="old")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for name in names:
        (staging / name).write_text("new " + name * 1000)

    writes = {"n": 0}

    def full_disk(write):
        def wrapped(*args, **kwargs):
            writes["n"] += 1
            if writes["n"] == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device")
            return write(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(pub.shutil, "copyfile", full_disk(shutil.copyfile))
    monkeypatch.setattr(pub, "atomic_write_bytes", full_disk(tio.atomic_write_bytes))
    with pytest.raises(OSError) as caught:
        publish(staging, out, names, out / "tomas.sha256", stamp="new")
    assert caught.value.errno == errno.ENOSPC
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_an_edited_file_is_named_by_its_edit_and_a_deleted_one_left_to_snakemake(tmp_path):
    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    names = ["tomas.html", "tomas.pdf"]
    for name in names:
        (staging / name).write_text(name)
    manifest = out / "tomas.sha256"
    publish(staging, out, names, manifest)
    assert edited_outputs(out, names, manifest) == ""
    (out / "tomas.html").unlink()  # a missing output: Snakemake rebuilds it without help
    assert edited_outputs(out, names, manifest) == ""
    publish(staging, out, names, manifest)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "tomas.pdf").write_text("edited by hand")
    first = edited_outputs(out, names, manifest)
    assert first and first == edited_outputs(out, names, manifest)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "tomas.pdf"} == {
        k: v for k, v in before.items() if k != "tomas.pdf"}  # reading only
    os.utime(out / "tomas.pdf", ns=(1, 1))  # the same bytes written again later: a new edit
    assert edited_outputs(out, names, manifest) not in ("", first)


def test_a_receipt_replaces_the_earlier_ones(tmp_path):
    write_receipt(tmp_path / "republished.aaaa")
    write_receipt(tmp_path / "republished.bbbb")
    assert [p.name for p in tmp_path.iterdir()] == ["republished.bbbb"]


def test_a_file_the_last_publish_made_and_this_one_does_not_is_removed(tmp_path):
    """formats [html, pdf] then [html]: the old PDF does not stay beside a manifest that omits it."""
    staging, out, manifest = _published_html_and_pdf(tmp_path)
    (out / "notes.txt").write_text("the user's own file")
    (tmp_path / "outside.txt").write_text("outside the output folder")
    text = manifest.read_text() + "0" * 64 + "  ../outside.txt\n"
    manifest.write_text(text)
    publish(staging, out, ["tomas.html"], manifest)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "tomas.html", "tomas.sha256"]
    assert (tmp_path / "outside.txt").is_file()
    assert "tomas.pdf" not in manifest.read_text()
