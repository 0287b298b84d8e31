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
