"""The manifest is written row by row, with the same text as json.dumps of the whole list."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cbct_docs.merge import manifest_json
from cbct_docs.merge.manifest import text_pieces
from cbct_docs.merge.plan import STATUS, Outputs
from cbct_docs.records.model import Origin

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


# --- the manifest of a merge's outputs (Outputs.manifest_texts) ---------------------------

names = st.text(min_size=1, max_size=12)
origins = st.builds(Origin, names, st.one_of(st.none(), st.text(max_size=8)),
                    st.one_of(st.none(), st.integers(-5, 10**7)),
                    st.one_of(st.none(), st.text(max_size=8)), st.sampled_from(["row", "record"]))
entries = st.tuples(names, st.booleans(), origins, st.integers(0, len(STATUS) - 1),
                    st.binary(min_size=32, max_size=32) | st.just(bytes(32)),
                    st.binary(min_size=8, max_size=8) | st.just(bytes(8)))


def _outputs(first: Origin, table: list[tuple[str, bool, Origin, int, bytes, bytes]]
             ) -> tuple[Outputs, list[dict[str, str]]]:
    """The outputs of ``table``, and the manifest's rows a person expects of them."""
    outputs, rows = Outputs(Path("uit")), []
    for name, same, origin, status, sha256, digest in table:
        if same:  # the first output's file, sheet and field, another row
            origin = Origin(first.file, first.sheet, origin.row, first.field, first.unit)
        index = outputs.add(name, origin)
        outputs.set_hashes(index, status, sha256 + digest)
        rows.append({"record": str(origin), "data": digest.hex() if any(digest) else "",
                     "output": name, "status": STATUS[status],
                     "sha256": sha256.hex() if any(sha256) else ""})
    return outputs, rows


@given(origins, st.lists(entries, max_size=8))
def test_the_outputs_manifest_reads_as_json_dumps_of_their_rows(
        first: Origin, table: list[tuple[str, bool, Origin, int, bytes, bytes]]) -> None:
    outputs, rows = _outputs(first, table)
    assert list(outputs.manifest_rows()) == rows
    expected = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    assert b"".join(text_pieces(outputs.manifest_texts())) == expected.encode("utf-8")


def test_a_register_row_in_the_outputs_manifest() -> None:
    outputs, _rows = _outputs(Origin('re"g.xlsx', "Blad\n1", 2, "naam"), [
        ("A.docx", True, Origin("x", None, 14), 1, bytes(range(32)), bytes(range(8))),
        ("B.docx", False, Origin("x"), 0, bytes(32), bytes(8))])
    rows = json.loads(b"".join(text_pieces(outputs.manifest_texts())))
    assert rows == [{"record": 're"g.xlsx:Blad\n1:row 14:naam', "data": "0001020304050607",
                     "output": "A.docx", "status": "made", "sha256": bytes(range(32)).hex()},
                    {"record": "x", "data": "", "output": "B.docx", "status": "pending",
                     "sha256": ""}]
