import pytest

from tomas_pipeline.core.errors import TomasInputError
from tomas_pipeline.core.io import atomic_write_bytes, frame_to_csv_bytes, read_raw_csv, tree_hash


def test_bom_and_crlf_are_read_like_plain_utf8(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_bytes("country,date\nSrbija,14/04/2009\nСрбија,2009\n".encode())
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbf" + "country,date\r\nSrbija,14/04/2009\r\nСрбија,2009\r\n".encode())
    a, b = read_raw_csv(plain), read_raw_csv(excel)
    assert list(b.columns) == ["country", "date"]
    assert a.equals(b)
    assert b.loc[1, "country"] == "Србија"


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("country,date\nSerbia,2009\nShqip\u00ebria,2010\n".encode("latin-1"))
    with pytest.raises(TomasInputError) as err:
        read_raw_csv(path)
    assert err.value.row == 3
    assert "UTF-8" in err.value.expected


@pytest.mark.parametrize("content", [b"", b"   \n", b"country,date\n"])
def test_empty_and_header_only_files_are_errors(tmp_path, content):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(TomasInputError) as err:
        read_raw_csv(path)
    assert str(path) in str(err.value)


def test_cells_are_stripped_and_blank_is_missing(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n  x , \n", encoding="utf-8")
    frame = read_raw_csv(path)
    assert frame.loc[0, "a"] == "x"
    assert frame["b"].isna().all()


def test_formula_cells_are_neutralised_in_published_csv():
    import pandas as pd

    frame = pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "+1", "@SUM(A1)", "-2", "plain"], "n": [1, -2, 3, 4, 5]})
    text = frame_to_csv_bytes(frame).decode()
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text and "'-2" in text
    # Numbers stay numbers: only text cells are neutralised.
    assert text.splitlines()[2].endswith(",-2")


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_bytes(b"old")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_tree_hash_sees_content_and_names(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    first = tree_hash(tmp_path)
    (tmp_path / "a.csv").write_text("2")
    second = tree_hash(tmp_path)
    (tmp_path / "a.csv").rename(tmp_path / "b.csv")
    third = tree_hash(tmp_path)
    assert len({first, second, third}) == 3


@pytest.mark.parametrize("text, row, expected", [
    ('a,b\n1,2\n3,"x\n', 3, "a closing double quote"),
    ("a,b\n1,2\n3,4,5\n", 3, "2 cells, one per header column"),
])
def test_a_malformed_csv_names_the_row_to_fix(tmp_path, text, row, expected):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TomasInputError) as caught:
        read_raw_csv(path)
    assert f"row {row}" in caught.value.message() and expected in caught.value.message()
