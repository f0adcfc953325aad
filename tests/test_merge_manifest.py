"""The manifest is written row by row, with the same text as json.dumps of the whole list."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cbct_docs.merge import manifest_json

FIELDS = ("record", "data", "output", "status", "sha256")
rows = st.lists(st.fixed_dictionaries({name: st.text() for name in FIELDS}), max_size=5)


@given(rows)
def test_the_manifest_reads_as_json_dumps_of_the_list(table: list[dict[str, str]]) -> None:
    expected = json.dumps(table, ensure_ascii=False, indent=2) + "\n"
    assert manifest_json(iter(table)) == expected.encode("utf-8")


def test_a_row_with_line_breaks_and_quotes() -> None:
    row = {"record": 'brieven.xlsx:Blad1:row 2', "data": "0f", "output": 'A "B"\n\tC.docx',
           "status": "made", "sha256": "é"}
    text = manifest_json([row, row]).decode("utf-8")
    assert text.startswith('[\n  {\n    "record": "brieven.xlsx:Blad1:row 2",\n')
    assert '"output": "A \\"B\\"\\n\\tC.docx"' in text and json.loads(text) == [row, row]
