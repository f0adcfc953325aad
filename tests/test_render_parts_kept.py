"""A header or footer is made once for every run of documents with the same values in it
(render.fast_docx: its inputs compared, typed); every document is the one made with
every part rendered anew."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cbct_docs.errors import DataError
from cbct_docs.render import DocxRenderer
from cbct_docs.render.environment import CleanContext, make_environment
from cbct_docs.render.fast_docx import inputs_of
from tests.conftest import make_docx

HEADER = ("{{ bureau.naam }}{% if concept %} (concept){% endif %} {{ dag|datum }}"
          "{% if extra is defined %} {{ extra }}{% endif %}")
FOOTER = "{{ bureau.telefoon }} · {{ nummer }}"


def header_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/header1.xml").decode()


def test_a_header_is_made_again_only_for_other_values(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "brief.docx", ["Beste {{ naam }}"], HEADER, FOOTER)
    kept, plain = DocxRenderer(path), DocxRenderer(path)
    assert kept.compiled is not None and plain.compiled is not None
    assert [p.inputs for p in kept.compiled.parts[1:]] == [
        ("bureau", "concept", "dag", "extra"), ("bureau", "nummer")]
    for part in plain.compiled.parts:
        part.inputs = None
    office = CleanContext({"naam": "CBCT", "telefoon": "030-1"})
    day = dt.date(2025, 6, 10)
    contexts: list[dict[str, Any]] = [
        {"naam": "A", "bureau": office, "concept": True, "dag": day, "nummer": 1},
        {"naam": "B", "bureau": office, "concept": True, "dag": day, "nummer": 1},
        {"naam": "C", "bureau": office, "concept": False, "dag": day, "nummer": 1},
        {"naam": "D", "bureau": {"naam": "CBCT", "telefoon": "030-1"}, "concept": False,
         "dag": day, "nummer": 1},
        {"naam": "E", "bureau": office, "concept": False, "dag": day, "nummer": 1.0},
        {"naam": "F", "bureau": office, "concept": False, "dag": day, "nummer": 1,
         "extra": "met bijlage"},
        {"naam": "G", "bureau": office, "concept": 1, "dag": day, "nummer": 1},
    ]
    for context in contexts:
        assert kept.render(context) == plain.render(context), context["naam"]
    office["naam"] = "CBCT Utrecht"  # the same mapping, changed: the header follows it
    changed = {"naam": "H", "bureau": office, "concept": True, "dag": day, "nummer": 1}
    made = kept.render(changed)
    assert made == plain.render(changed)
    assert "CBCT Utrecht (concept) 10 juni 2025" in header_text(made)
    assert "met bijlage" not in header_text(made)
    with pytest.raises(DataError):  # True is not 1 here: refused, never the kept footer
        kept.render({**changed, "nummer": True})
    assert kept.render(changed) == made


def test_a_part_that_draws_at_random_or_reads_another_template_is_rendered_each_time(
) -> None:
    env = make_environment()
    assert inputs_of(env, "{{ ['a', 'b']|random }}") is None
    assert inputs_of(env, "{% include 'kop.xml' %}") is None
    assert inputs_of(env, "{{ bureau.naam|upper }} {{ range(3)|join }}") == ("bureau",)


def test_inputs_are_compared_with_their_types_inside_mappings_too() -> None:
    """A mapping's values count with their types (True == 1, but prints otherwise); a
    mapping with other keys or values than text, numbers, yes/no and dates gives no key."""
    from cbct_docs.render.fast_docx import inputs_key

    names = ("bureau", "concept")
    one = inputs_key(names, {"bureau": CleanContext(naam="CBCT", nummer=1), "concept": True})
    assert one is not None
    assert one == inputs_key(names, {"bureau": CleanContext(naam="CBCT", nummer=1),
                                     "concept": True})
    for other in (CleanContext(naam="CBCT", nummer=True), CleanContext(naam="CBCT", nummer=1.0),
                  {"naam": "CBCT", "nummer": 1}, CleanContext(nummer=1, naam="CBCT"),
                  CleanContext(naam="CBCT ", nummer=1)):
        assert inputs_key(names, {"bureau": other, "concept": True}) != one
    assert inputs_key(names, {"bureau": {1: "een"}, "concept": True}) is None
    assert inputs_key(names, {"bureau": {"lijst": ["a"]}, "concept": True}) is None
    assert inputs_key(names, {"bureau": {"bedrag": 1.5}, "concept": True}) is None
