import re

import pandas as pd
import pytest
from conftest import TESTS

from tomas_pipeline.sources.bibliography import to_csl_json

ROOT = TESTS.parent


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

    from tomas_pipeline.core.io import write_json

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

    from tomas_pipeline.core.errors import TomasInputErrors
    from tomas_pipeline.sources.ingest import load_table

    raw = tmp_path / "sources.csv"
    raw.write_text("source_id,kind,author,title,csl_type,language\n"
                   "a,secondary,Someone,Ein Titel,report,German\n", encoding="utf-8")
    with pytest.raises(TomasInputErrors) as caught:
        load_table(tmp_path, "sources.csv")
    assert "column 'language'" in str(caught.value) and "row 2" in str(caught.value)


@pytest.mark.parametrize("author, names", [
    ("Moritz, D.; Christensen, L. S.", [{"family": "Moritz", "given": "D."},
                                        {"family": "Christensen", "given": "L. S."}]),
    ("Žagar Karer, M.", [{"family": "Žagar Karer", "given": "M."}]),
    ("Andrijević, Anđela", [{"family": "Andrijević", "given": "Anđela"}]),
    # 'and', '&' and commas inside a body's name do not split it.
    ("Police of Brčko District of Bosnia and Herzegovina",
     [{"literal": "Police of Brčko District of Bosnia and Herzegovina"}]),
    ("National Center for Missing & Exploited Children",
     [{"literal": "National Center for Missing & Exploited Children"}]),
    ("Ministry of Trade, Tourism and Telecommunications",
     [{"literal": "Ministry of Trade, Tourism and Telecommunications"}]),
    ("Koninkrijk der Nederlanden, Ministerie van Buitenlandse Zaken",
     [{"literal": "Koninkrijk der Nederlanden, Ministerie van Buitenlandse Zaken"}]),
    ("{Repubblica Italiana, Gazzetta Ufficiale}", [{"literal": "Repubblica Italiana, Gazzetta Ufficiale"}]),
    ("Kuzmanović, D.; et al.", [{"family": "Kuzmanović", "given": "D."}, {"literal": "others"}]),
    ("Bosnia and Herzegovina; Croatia", [{"literal": "Bosnia and Herzegovina"}, {"literal": "Croatia"}]),
])
def test_authors_are_people_written_family_first_or_bodies(author, names):
    sources = pd.DataFrame([{"source_id": "s", "kind": "secondary", "author": author, "title": "t"}])
    assert to_csl_json(sources)[0]["author"] == names


def test_every_person_in_the_sources_is_written_family_first():
    # "D. Moritz" as a literal would be cited as "D. Moritz 2020" instead of "Moritz 2020", and
    # "A. Sulstarova, E. Bisha" was once read as family "A. Sulstarova", given "E. Bisha".
    sources = pd.read_csv(ROOT / "data" / "raw" / "sources.csv", dtype=str, keep_default_na=False)
    initial_first = re.compile(r"^[^\W\d_]\.\s")
    wrong = []
    for item in to_csl_json(sources):
        for name in item.get("author", []):
            text = name.get("literal") or name["family"]
            if initial_first.match(text) or initial_first.match(name.get("family", "x")):
                wrong.append((item["id"], text))
    assert wrong == []


def test_a_law_cited_by_title_prints_its_short_title():
    sources = pd.DataFrame([{"source_id": "dir", "kind": "primary", "author": None, "csl_type": "legislation",
                             "title": "Directive 2011/93/EU of 13 December 2011 on combating the sexual abuse",
                             "short_title": "Directive 2011/93/EU"},
                            {"source_id": "plain", "kind": "secondary", "author": None, "title": "A title"}])
    items = {i["id"]: i for i in to_csl_json(sources)}
    assert items["dir"]["title-short"] == "Directive 2011/93/EU"
    assert "title-short" not in items["plain"]
