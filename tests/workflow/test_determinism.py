"""The same output every time: two clean builds of the same sources, in two
folders at different absolute paths, give byte-identical processed tables,
figures and report files. SOURCE_DATE_EPOCH sets the date."""

from __future__ import annotations

import pytest
from buildkit import base_build, guarded_build, hashes, tail
from conftest import BUILD_DAY

pytestmark = pytest.mark.slow

COMPARED = ("data/processed", "report/figures", "report/_output")


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    first = base_build(tmp_path_factory)
    # The network-guarded build doubles as the second clean build (another path, another run).
    second = guarded_build(tmp_path_factory)
    assert second["result"].returncode == 0, tail(second["result"])
    return first, second["repo"]


def test_two_base_builds_are_byte_identical(two_builds):
    first, second = two_builds
    assert str(first) != str(second)
    a, b = hashes(first, COMPARED), hashes(second, COMPARED)
    assert set(a) == set(b)
    for kind in (".csv", ".json", ".svg", ".png", ".html", ".pdf", ".docx"):
        assert any(name.endswith(kind) for name in a), f"no {kind} file compared"
    assert [name for name in a if a[name] != b[name]] == []


def test_the_date_comes_from_source_date_epoch(two_builds):
    html = (two_builds[0] / "report/_output/tomas.html").read_text(encoding="utf-8")
    assert BUILD_DAY in html
