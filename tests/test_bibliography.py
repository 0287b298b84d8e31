import pandas as pd

from tomas_pipeline.bibliography import to_csl_json


def test_sources_become_csl_items():
    sources = pd.DataFrame([
        {"source_id": "dedja2023", "kind": "secondary", "author": "Dedja, I.", "title": "Uncovering darkness",
         "publisher": "DCAF", "year": "2023", "url": "https://example.org/d.pdf", "accessed": "2024-09-21",
         "csl_type": "report", "container": None, "note": None},
        {"source_id": "coe_201", "kind": "primary", "author": "Council of Europe Treaty Office",
         "title": "Chart of signatures and ratifications of Treaty 201", "publisher": None, "year": "2026",
         "url": "https://example.org/c", "accessed": "2026-11-30", "csl_type": "webpage", "container": None,
         "note": None},
    ])
    items = {i["id"]: i for i in to_csl_json(sources)}
    assert items["dedja2023"]["author"] == [{"family": "Dedja", "given": "I."}]
    assert items["dedja2023"]["issued"] == {"date-parts": [[2023]]}
    assert items["dedja2023"]["accessed"] == {"date-parts": [[2024, 9, 21]]}
    # A body is one literal name, not split into family and given.
    assert items["coe_201"]["author"] == [{"literal": "Council of Europe Treaty Office"}]
    assert items["coe_201"]["URL"] == "https://example.org/c"
    assert list(items) == ["coe_201", "dedja2023"]


def test_a_title_in_another_language_says_so_and_keeps_its_case(tmp_path):
    import pypandoc

    from tomas_pipeline.io import write_json

    sources = pd.DataFrame([
        {"source_id": "bgbl", "kind": "secondary", "author": None,
         "title": "Kundmachung des Bundeskanzlers betreffend den Geltungsbereich", "publisher": None,
         "year": "2012", "url": None, "accessed": None, "csl_type": "legislation", "container": None,
         "note": None, "language": "de"},
        {"source_id": "eng", "kind": "secondary", "author": None, "title": "a report on the scale of abuse",
         "publisher": None, "year": "2020", "url": None, "accessed": None, "csl_type": "report",
         "container": None, "note": None, "language": None},
    ])
    items = to_csl_json(sources)
    assert [i.get("language") for i in items] == ["de", None]
    write_json(items, tmp_path / "refs.json")
    out = pypandoc.convert_text("[@bgbl; @eng]", "plain", format="markdown",
                                extra_args=["--citeproc", f"--bibliography={tmp_path / 'refs.json'}"])
    text = " ".join(out.split())
    assert "Kundmachung des Bundeskanzlers betreffend den Geltungsbereich" in text  # German case kept
    assert "A Report on the Scale of Abuse" in text  # an English title is title-cased, as the style says


def test_a_language_tag_must_be_bcp47(tmp_path):
    import pytest

    from tomas_pipeline.errors import TomasInputErrors
    from tomas_pipeline.ingest import load_table

    raw = tmp_path / "sources.csv"
    raw.write_text("source_id,kind,author,title,csl_type,language\n"
                   "a,secondary,Someone,Ein Titel,report,German\n", encoding="utf-8")
    with pytest.raises(TomasInputErrors) as caught:
        load_table(tmp_path, "sources.csv")
    assert "column 'language'" in str(caught.value) and "row 2" in str(caught.value)
