import pytest

from tomas_pipeline.publish import missing_outputs, publish


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


def test_publish_and_detect_missing(tmp_path):
    staging, out = tmp_path / "staging", tmp_path / "out"
    staging.mkdir()
    for name in ("tomas.html", "tomas.pdf"):
        (staging / name).write_text(name)
    manifest = out / "tomas.sha256"
    publish(staging, out, ["tomas.html", "tomas.pdf"], manifest)
    assert (out / "tomas.pdf").read_text() == "tomas.pdf"
    assert missing_outputs(out, ["tomas.html", "tomas.pdf"], manifest) == []
    (out / "tomas.pdf").unlink()
    (out / "tomas.html").write_text("edited by hand")
    assert missing_outputs(out, ["tomas.html", "tomas.pdf"], manifest) == ["tomas.html", "tomas.pdf"]
    assert not list(out.glob(".*publishing"))
