"""Bodies written from kept skeletons (render.skeleton) are the bytes lxml writes.

Each test renders the same contexts through two renderers of one template: one with
skeletons, one with them switched off (every body parsed and written by lxml, as before
issue 16), and compares the documents byte for byte.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any, cast

import docx
import pytest

from cbct_docs.errors import TemplateError
from cbct_docs.render import DocxRenderer
from cbct_docs.render.skeleton import STAND_IN, Recorded
from cbct_docs.render.skeleton_template import SkeletonTemplate
from tests.conftest import docx_text, make_docx

TRICKY = ["Kunst&Co <b>", "\"De Kunst\" 'Zoë'", "", "a\nb", "tab\there", STAND_IN + "x",
          "Café — § ½", "  spaties  ", "]]>", "&amp;"]


def shaded_table(path: Path) -> Path:
    """Paragraphs, a loop over table rows with a cell fill from the data, and a picture
    id-free drawing-less body: the shapes a report has."""
    document = docx.Document()
    document.add_paragraph("Geachte {{ naam }},")
    document.add_paragraph("{%p if extra %}")
    document.add_paragraph("Extra: {{ extra }}")
    document.add_paragraph("{%p endif %}")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for r in rijen %}"
    table.cell(1, 0).text = "{{ r.tekst }}"
    table.cell(1, 1).text = "{{ r.score }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    document.add_paragraph("Met groet, {{ afzender }}")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    xml = members["word/document.xml"].decode()
    cell = "<w:tc><w:tcPr>"
    index = xml.index(cell, xml.index("r.score") - 400)
    xml = xml[:index] + cell + '<w:shd w:val="clear" w:color="auto" w:fill="{{ r.kleur }}"/>' + \
        xml[index + len(cell):]
    members["word/document.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def contexts() -> list[dict[str, Any]]:
    out = []
    for number, text in enumerate(TRICKY):
        rows = [{"tekst": TRICKY[(number + k) % len(TRICKY)], "score": k,
                 "kleur": ["F4C7C3", 'B7"E1', "", "x&<y"][k % 4]} for k in range(number % 4)]
        out.append({"naam": text, "extra": TRICKY[-1 - number] if number % 2 else "",
                    "rijen": rows, "afzender": f"{text} {number}"})
    return out * 2  # the second time from kept skeletons


def pair(path: Path) -> tuple[DocxRenderer, DocxRenderer]:
    kept, plain = DocxRenderer(path), DocxRenderer(path)
    assert kept.compiled is not None and kept.compiled.skeleton is not None
    assert plain.compiled is not None
    plain.compiled.skeleton = None
    return kept, plain


class Replacing:
    """Stands in for a compiled jinja2.Template or a skeleton's template, of which the
    renderer asks only render() (the text, or the skeleton's Recorded): what it renders
    with ``old`` replaced by ``new``, a fault between template and document."""

    def __init__(self, template: Any, old: str, new: str) -> None:
        self.template, self.old, self.new = template, old, new

    def render(self, context: Any) -> Any:
        made = self.template.render(context)
        if isinstance(made, Recorded):
            made.skeleton = made.skeleton.replace(self.old, self.new)
            return made
        return str(made).replace(self.old, self.new)


def test_same_bytes_as_lxml_writes(tmp_path: Path) -> None:
    kept, plain = pair(shaded_table(tmp_path / "t.docx"))
    for context in contexts():
        assert kept.render(context) == plain.render(context), context
    assert kept.compiled is not None
    assert kept.compiled.skeletons.hits >= 5  # the path was taken (not for tabs, breaks)
    out = tmp_path / "out.docx"
    out.write_bytes(kept.render(contexts()[1]))
    text = docx_text(out)
    assert "Geachte \"De Kunst\" 'Zoë'," in text and "Extra: ]]>" in text


def test_letters_from_paragraphs_only(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "b.docx", ["Geachte {{ naam }},", "{{ naam }}{{ naam }}",
                                           "Met vriendelijke groet"])
    kept, plain = pair(path)
    for context in contexts():
        assert kept.render(context) == plain.render(context)


def test_set_blocks_and_macros_go_without_skeleton(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "s.docx", ["{% set groet %}Beste {{ naam }}{% endset %}"
                                           "{{ groet|upper }} {{ groet|length }}"])
    renderer = DocxRenderer(path)
    assert renderer.compiled is not None and renderer.compiled.skeleton is None
    out = tmp_path / "s-out.docx"
    out.write_bytes(renderer.render({"naam": "Zoë"}))
    assert docx_text(out).strip() == "BESTE ZOË 9"


def test_template_text_with_the_stand_in(tmp_path: Path) -> None:
    """A template whose own text holds the stand-in character is rendered without a
    skeleton, decided once; with a picture too, never through docxtpl."""
    from PIL import Image

    from cbct_docs.render.images import DocxImage

    path = make_docx(tmp_path / "u.docx", [f"Teken {STAND_IN} en {{{{ naam }}}}", "{{ logo }}"])
    kept = DocxRenderer(path)
    assert kept.compiled is not None and kept.compiled.skeleton is None
    plain = DocxRenderer(path)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "PNG")
    for context in contexts():
        context = {**context, "logo": DocxImage(buffer.getvalue(), 20)}
        assert kept.render(context) == plain.render(context)
    assert kept.fallbacks == 0


def test_a_broken_body_is_the_same_error(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "k.docx", ["Tekst {{ stuk|safe }} {{ naam }}"])
    kept, plain = pair(path)
    errors = []
    for renderer in (kept, plain, kept):
        with pytest.raises(TemplateError) as raised:
            renderer.render({"stuk": "<w:br>", "naam": "A"})
        errors.append(str(raised.value))
    assert errors[0] == errors[1] == errors[2]
    assert errors[0].startswith(str(path))


def test_pictures_and_their_line_breaks(tmp_path: Path) -> None:
    """A picture's drawing has line breaks between its tags: docxtpl's listing rewrite runs
    over the skeleton, and the pictures are numbered as lxml numbers them."""
    from PIL import Image

    from cbct_docs.render.images import DocxImage

    def png(colour: str) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (20, 10), colour).save(buffer, "PNG")
        return buffer.getvalue()

    path = make_docx(tmp_path / "p.docx", ["Logo {{ logo }} van {{ naam }}", "{{ qr }}"])
    kept, plain = pair(path)
    for number, text in enumerate(TRICKY * 2):
        context = {"logo": DocxImage(png("red"), 20), "naam": text,
                   "qr": DocxImage(png(["blue", "green"][number % 2]), 15)}
        assert kept.render(context) == plain.render(context), text
    assert kept.compiled is not None and kept.compiled.skeletons.hits >= 10


def test_a_body_without_values(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "v.docx", ["Vaste tekst", "{% if ja %}Ja{% endif %}"])
    kept, plain = pair(path)
    for context in ({"ja": True}, {"ja": False}, {"ja": True}):
        assert kept.render(context) == plain.render(context)
    assert kept.compiled is not None and kept.compiled.skeletons.hits == 3


CHART_LABELS = ["1. Beleid & visie", "2. <Middelen>", "3. \"Kwaliteit\" en 'zorg'",
                "4. Café — ½", "5. Tab\there", ""]


def random_charts(count: int) -> list[Any]:
    import random

    from cbct_docs.documents.chart import score_chart

    scale = [("Niet", "red"), ("Beperkt", "red"), ("Grotendeels", "yellow"),
             ("Volledig", "green")]
    rng = random.Random(16)
    charts = []
    for _ in range(count):
        rows = [(rng.choice(CHART_LABELS) + str(n), {name: rng.randint(0, 3)
                                                    for name, _c in scale if rng.random() < .6})
                for n in range(rng.randint(1, 9))]
        charts.append(score_chart(rows, scale))
    return charts


def test_the_chart_is_written_as_lxml_writes_it() -> None:
    """render.skeleton places the chart's drawing without parsing it: lxml must write it
    back unchanged, whatever the labels and scores."""
    from lxml import etree

    namespaces = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                  'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
                  'wordprocessingDrawing"')
    for chart in random_charts(200):
        before, drawing, after = chart.__xml_opaque__()
        assert before + drawing + after == chart.__html__()
        body = f"<w:body {namespaces}><w:p><w:r>{drawing}</w:r></w:p></w:body>"
        written = etree.tostring(etree.fromstring(body), encoding="UTF-8").decode()
        assert drawing in written


def test_charts_and_pictures_numbered_as_lxml_numbers_them(tmp_path: Path) -> None:
    """A chart between the template's own pictures: every picture numbered in order."""
    from PIL import Image

    from cbct_docs.render.images import DocxImage

    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "PNG")
    document = docx.Document()
    document.add_picture(io.BytesIO(buffer.getvalue()))
    document.add_paragraph("Rapport van {{ naam }}")
    document.add_paragraph("{{ grafiek }}")
    document.add_picture(io.BytesIO(buffer.getvalue()))
    document.add_paragraph("{{ grafiek }} en {{ naam }}")
    document.save(str(tmp_path / "r.docx"))
    kept, plain = pair(tmp_path / "r.docx")
    charts = random_charts(30)
    for number, chart in enumerate(charts):
        context = {"naam": f"{CHART_LABELS[number % 4]} {number}", "grafiek": chart}
        assert kept.render(context) == plain.render(context)
    assert kept.compiled is not None and kept.compiled.skeletons.hits == len(charts)
    # With a picture from the context (its drawing has line breaks): the old way, the same.
    path = make_docx(tmp_path / "l.docx", ["{{ logo }}", "{{ grafiek }}"])
    kept, plain = pair(path)
    for chart in charts[:5]:
        context = {"logo": DocxImage(buffer.getvalue(), 20), "grafiek": chart}
        assert kept.render(context) == plain.render(context)


def test_line_breaks_in_values_next_to_a_chart(tmp_path: Path) -> None:
    """Tabs and breaks in values become Word's own elements (the listing rewrite runs over
    the skeleton), also in a paragraph of a chart, and in one with the chart itself."""
    path = make_docx(tmp_path / "n.docx", ["Bevindingen: {{ tekst }}", "{{ grafiek }}",
                                           "{{ grafiek }} {{ tekst }}", "Einde {{ naam }}"])
    kept, plain = pair(path)
    charts = random_charts(12)
    texts = ["een\ntwee", "a\tb\n\nc", "\n", "geen", "pagina\feinde", "alinea\anieuw"]
    for number, chart in enumerate(charts):
        context = {"tekst": texts[number % len(texts)], "grafiek": chart,
                   "naam": texts[(number + 1) % len(texts)]}
        assert kept.render(context) == plain.render(context)
    assert kept.compiled is not None and kept.compiled.skeletons.hits >= 2


def test_text_check_on_the_skeleton_defers_to_the_document(tmp_path: Path) -> None:
    """The template text check is made on the skeleton; where the skeleton lacks a piece
    that a value brings into the document, the document itself is checked, as before."""
    path = make_docx(tmp_path / "c.docx", ["Tekst {{ a }}", "Slot"])
    kept, plain = pair(path)

    # Drops the template's own last paragraph, as a swallowing tag would.
    for renderer in (kept, plain):
        compiled = renderer.compiled
        assert compiled is not None
        compiled.parts[0].template = Replacing(compiled.parts[0].template, ">Slot<", "><")
    assert kept.compiled is not None and kept.compiled.skeleton is not None
    kept.compiled.skeleton = cast(SkeletonTemplate,
                                  Replacing(kept.compiled.skeleton, ">Slot<", "><"))
    made = kept.render({"a": "en Slot"})  # the document has "Slot", from the value
    assert made == plain.render({"a": "en Slot"})
    out = tmp_path / "out.docx"
    out.write_bytes(made)
    assert docx_text(out).split() == ["Tekst", "en", "Slot"]
    for renderer in (kept, plain, kept):
        with pytest.raises(TemplateError, match="'Slot'.*did not reach the document"):
            renderer.render({"a": "zonder"})


def test_printable_opaque_xml_holds_nothing_refused() -> None:
    """The recorder passes printable opaque XML without its search: that is sound only while
    every character the search refuses is not printable (checked over all of Unicode)."""
    from cbct_docs.render.skeleton_template import _NOT_OPAQUE

    refused = [chr(c) for c in range(0x110000) if _NOT_OPAQUE.match(chr(c))]
    assert len(refused) > 2000  # controls, surrogates, U+FFFE/F and both stand-ins
    assert not [c for c in refused if c.isprintable()]


def test_kept_skeletons_are_bounded_by_their_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a long run keeps (skeletons, blocks, checks) is emptied once its keys pass
    KEPT characters, and kept anew from there."""
    from cbct_docs.render import skeleton

    monkeypatch.setattr(skeleton, "KEPT", 10)
    kept: skeleton.Bounded[str, int] = skeleton.Bounded()
    assert kept.keep("abcd", 1, 4) == 1 and kept.keep("efgh", 2, 4) == 2
    assert dict(kept) == {"abcd": 1, "efgh": 2} and kept.size == 8
    kept.keep("ijkl", 3, 4)  # 12 > 10: emptied first
    assert dict(kept) == {"ijkl": 3} and kept.size == 4


def test_opaque_xml_is_numbered_where_it_stands_and_kept_by_its_text() -> None:
    """The chart's XML, the same text in every report that scored alike, is encoded once
    per picture number; another text, or another number, is numbered anew."""
    from cbct_docs.render.skeleton import _numbered

    written: dict[tuple[int, int], tuple[str, bytes]] = {}
    text = '<w:drawing><wp:docPr id="1" name="Grafiek ë"/></w:drawing>'
    first = _numbered(text, 1001, written)
    assert first == '<w:drawing><wp:docPr id="1001" name="Grafiek ë"/></w:drawing>'.encode()
    assert _numbered(text, 1001, written) is first  # kept
    assert _numbered(text, 1002, written) == first.replace(b"1001", b"1002")
    equal = "".join(text)  # the same characters, another string
    assert _numbered(equal.replace("Grafiek", "Figuur"), 1001, written) == (
        first.replace(b"Grafiek", b"Figuur"))
    assert len(written) == 3
    other = text.replace("Grafiek", "Beeld")  # kept under its id for another text (an
    written[(id(other), 1001)] = (text, first)  # id is given again once its text is gone)
    assert _numbered(other, 1001, written) == first.replace(b"Grafiek", b"Beeld")
