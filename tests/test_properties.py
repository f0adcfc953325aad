"""Property tests: whatever text a field holds, the document shows exactly that text.

The one documented rule: characters XML cannot hold (C0 controls other than tab and
newline, U+FFFE, U+FFFF) are removed, and CR/CRLF become newlines (see
``cbct_docs.render.environment.clean_text``).
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cbct_docs.render import DocxRenderer, HtmlRenderer
from cbct_docs.render.environment import clean_text

from .conftest import make_docx

ANY_TEXT = st.text(max_size=200)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def docx_renderer(tmp_path_factory: pytest.TempPathFactory) -> DocxRenderer:
    folder = tmp_path_factory.mktemp("prop")
    return DocxRenderer(make_docx(folder / "t.docx", ["[{{ veld }}]", "[{{ ander }}]"]))


@pytest.fixture(scope="module")
def html_renderer(tmp_path_factory: pytest.TempPathFactory) -> HtmlRenderer:
    path = tmp_path_factory.mktemp("prop") / "t.html"
    path.write_text("<p>[{{ veld }}]</p><p>[{{ ander }}]</p>", encoding="utf-8")
    return HtmlRenderer(path)


@SETTINGS
@given(veld=ANY_TEXT, ander=ANY_TEXT)
@example(veld="{_{ x }_} {_% y %_}", ander="{{ 7*7 }} \x07bel\x0cpagina\r\nregel")
@example(veld="  spaties  ", ander="\ufffe\uffff\x00")
def test_any_text_reads_back_from_docx(docx_renderer: DocxRenderer, veld: str,
                                       ander: str) -> None:
    document = docx.Document(io.BytesIO(docx_renderer.render({"veld": veld, "ander": ander})))
    texts = [p.text for p in document.paragraphs]
    assert texts == [f"[{clean_text(veld)}]", f"[{clean_text(ander)}]"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(veld=ANY_TEXT, ander=ANY_TEXT)
@example(veld="{_{ x }_} {_% y %_}", ander="a\tb\nc &<>\"'")
def test_any_text_reads_back_through_the_docxtpl_fallback(docx_renderer: DocxRenderer,
                                                          veld: str, ander: str) -> None:
    """A docxtpl RichText in the context sends rendering through docxtpl: the same promise
    holds."""
    from docxtpl import RichText

    made = docx_renderer.render({"veld": veld, "ander": ander, "opmaak": RichText("vet")})
    assert docx_renderer.fallbacks > 0
    texts = [p.text for p in docx.Document(io.BytesIO(made)).paragraphs]
    assert texts == [f"[{clean_text(veld)}]", f"[{clean_text(ander)}]"]


@SETTINGS
@given(veld=ANY_TEXT, ander=ANY_TEXT)
def test_any_text_reads_back_from_html(html_renderer: HtmlRenderer, veld: str,
                                       ander: str) -> None:
    rendered = html_renderer.render({"veld": veld, "ander": ander})
    found = re.fullmatch(r"<p>\[(.*)\]</p><p>\[(.*)\]</p>", rendered, re.DOTALL)
    assert found is not None
    assert "<" not in found[1] + found[2]  # nothing from the data became markup
    assert [html.unescape(found[1]), html.unescape(found[2])] == [clean_text(veld),
                                                                  clean_text(ander)]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=50))
def test_clean_text_keeps_everything_xml_can_hold(text: str) -> None:
    from lxml import etree

    cleaned = clean_text(text)
    element = etree.Element("t")
    element.text = cleaned  # lxml refuses characters XML cannot hold
    assert etree.fromstring(etree.tostring(element)).text in (cleaned, None)
    legal = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
    assert cleaned == legal.replace("\r\n", "\n").replace("\r", "\n")


def test_rendered_docx_from_property_path_is_a_file(tmp_path: Path,
                                                    docx_renderer: DocxRenderer) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(docx_renderer.render({"veld": "a\tb\nc", "ander": "&<>\"'"}))
    paragraphs = docx.Document(str(path)).paragraphs
    assert [p.text for p in paragraphs] == ["[a\tb\nc]", "[&<>\"']"]
