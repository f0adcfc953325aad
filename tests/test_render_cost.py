"""The shortcuts of the compiled Word path (issue 16) give what docxtpl's own steps give.

Each test runs docxtpl's step (resolve_listing, fix_tables) and the compiled path's
cheaper version on the same XML and compares the results.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from docxtpl import DocxTemplate
from lxml import etree

from cbct_docs.render.docx_body import resolve_listing, tables_need_fixing
from cbct_docs.render.environment import CleanContext, clean_collecting, clean_context
from cbct_docs.render.images import DocxImage

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def paragraph(text: str, ppr: str = "", rpr: str = "") -> str:
    return (f"<w:p>{ppr}<w:r>{rpr}<w:t xml:space=\"preserve\">{text}</w:t></w:r>"
            f"<w:r><w:t>vast</w:t></w:r></w:p>")


LISTINGS = [
    paragraph("geen bijzondere tekens"),
    paragraph("Stationsplein 1\nPostbus 12\tkantoor", "<w:pPr><w:jc w:val=\"left\"/></w:pPr>",
              "<w:rPr><w:b/></w:rPr>"),
    paragraph("een\aalinea\fpagina", "<w:pPr><w:ind w:left=\"5\"/></w:pPr>"),
    "<w:p w:rsidR=\"00A1\"><w:r w:rsidR=\"1\"><w:t>a\tb</w:t></w:r></w:p>",
    "<w:tbl><w:tr><w:tc>" + paragraph("in een cel\nregel 2") + "</w:tc></w:tr></w:tbl>",
]


@pytest.mark.parametrize("paragraphs", [LISTINGS, LISTINGS[:1], LISTINGS[1:], LISTINGS[::-1]])
def test_listing_characters_resolved_as_docxtpl_does(paragraphs: list[str]) -> None:
    xml = f"<w:body {W}>" + "".join(paragraphs) + "</w:body>"
    expected = DocxTemplate.resolve_listing(None, xml)
    assert resolve_listing(xml) == expected
    if len(paragraphs) > 1:
        assert "<w:br/>" in expected and "<w:tab/>" in expected


def table(grid: int, rows: list[list[int | str]], nested: str = "") -> str:
    """A table of ``grid`` columns; each row a list of cell spans (1: no gridSpan)."""
    cols = "".join('<w:gridCol w:w="1000"/>' for _ in range(grid))
    body = ""
    for row in rows:
        cells = ""
        for span in row:
            props = "" if span == 1 else f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>'
            cells += f"<w:tc>{props}<w:p/>{nested}</w:tc>"
            nested = ""
        body += f"<w:tr>{cells}</w:tr>"
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{body}</w:tbl>"


TABLES = {
    "exact": table(3, [[1, 1, 1], [1, 2], [3]]),
    "full row later": table(3, [[1, 1], [1], [1, 1, 1]]),
    "no full row": table(3, [[1, 1], [2]]),
    "too many cells": table(2, [[1, 1], [1, 1, 1]]),
    "too many cells after a full row": table(2, [[1, 1], [1], [1, 1, 1]]),
    "span over the grid": table(2, [[3]]),
    "nested table wider": table(2, [[1, 1]], nested=table(1, [[1, 1, 1]])),
    "two tables, second short": table(2, [[1, 1]]) + table(3, [[1]]),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_check_agrees_with_fix_tables(name: str) -> None:
    xml = f"<w:body {W}>{TABLES[name]}</w:body>"
    tree = etree.fromstring(xml)
    fixed = etree.tostring(DocxTemplate.fix_tables(None, xml))
    changes = fixed != etree.tostring(tree)
    assert tables_need_fixing(tree) == changes, name
    if name == "exact":
        assert not changes


def test_odd_span_before_a_full_row_goes_to_docxtpl() -> None:
    tree = etree.fromstring(f"<w:body {W}>{table(2, [['x'], [1, 1]])}</w:body>")
    assert tables_need_fixing(tree)
    tree = etree.fromstring(f"<w:body {W}>{table(2, [[1, 1], ['x']])}</w:body>")
    # As before the shortcut: the first row spans the grid, so no repair is needed (and
    # fix_tables, which reads every span, would fail on this one).
    assert not tables_need_fixing(tree)


class Chart:
    def __html__(self) -> str:
        return "<w:drawing/>"


def test_cleaning_collects_the_objects_in_order() -> None:
    image = DocxImage(b"png")
    chart = Chart()
    office = CleanContext({"naam": "Bureau", "logo": image})
    context: dict[str, Any] = {
        "naam": "Kunst\r\nen\x01 Co", "dag": dt.date(2025, 5, 1), "kantoor": office,
        "normen": ({"titel": "Beleid\r", "grafiek": chart}, [1, 2.5, None, True]),
        "leeg": {},
    }
    odd: list[Any] = []
    cleaned = clean_collecting(dict(context), odd)
    assert cleaned == {  # mappings made dicts, tuples lists, their text cleaned
        "naam": "Kunst\nen Co", "dag": dt.date(2025, 5, 1), "kantoor": office,
        "normen": [{"titel": "Beleid\n", "grafiek": chart}, [1, 2.5, None, True]],
        "leeg": {},
    }
    assert cleaned["kantoor"] is office  # cleaned already: only looked through
    assert clean_context(dict(context)) == cleaned
    assert odd == [image, chart]


@pytest.mark.parametrize("template, expected", [
    ("{{ d.naam }}", "Zoë"),
    ("{% if d.items is defined %}methode{% endif %}", "methode"),  # dict's own first
    ("{{ d.get('naam') }}", "Zoë"),
    ("{% if d.ontbreekt is undefined %}leeg{% endif %}", "leeg"),
])
def test_fields_of_a_dict_as_the_sandbox_gives_them(template: str, expected: str) -> None:
    from cbct_docs.render.environment import make_environment

    assert make_environment().from_string(template).render(
        d={"naam": "Zoë", "items": "veld"}) == expected


def test_a_missing_field_or_a_dict_internal_stays_an_error() -> None:
    import jinja2
    from jinja2.sandbox import SecurityError

    from cbct_docs.render.environment import make_environment

    env = make_environment()
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'ontbreekt'"):
        env.from_string("{{ d.ontbreekt }}").render(d={"naam": "x"})
    with pytest.raises(SecurityError):
        env.from_string("{{ d.__class__.__name__ }}").render(d={"naam": "x"})


def test_a_printable_string_is_one_the_cleaning_keeps() -> None:
    """clean_collecting keeps a printable string without looking further: no printable
    character may be one that clean_text changes (a carriage return, what XML cannot
    hold)."""
    from cbct_docs.render.environment import clean_text

    printable = [chr(code) for code in range(0x110000) if chr(code).isprintable()]
    assert clean_text("".join(printable)) == "".join(printable)
    assert clean_collecting({"a": "x\r\ny", "b": ["\x01z"]}, []) == {"a": "x\ny", "b": ["z"]}
