"""The score chart of the audit report: a Word drawing (DrawingML shapes) of the questions
per level, per norm, in the scale's colours, read back from the XML as Word and
LibreOffice read it (bars, their colours and lengths, the texts of labels and legend)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from cbct_docs.documents.chart import level_colours, score_chart
from cbct_docs.documents.chart_drawing import MAX_LABEL_WIDTH, ticks
from cbct_docs.documents.context import load_office
from cbct_docs.documents.report import report_context
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.domain.scoresheet import read_scoresheet
from cbct_docs.errors import TemplateError
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render import DocxRenderer

from .golden import docx_reading_text

REPO = Path(__file__).resolve().parent.parent
SCALE = [("Niet", "red"), ("Beperkt", "red"), ("Grotendeels", "yellow"), ("Volledig", "green")]
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "wpg": "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
      "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"}
EMU_PER_MM = 36000


@dataclasses.dataclass
class Shape:
    x: float  # mm
    y: float
    width: float
    height: float
    fill: str | None
    text: str | None


def shapes_of(group: Any) -> list[Shape]:
    """Every shape of a drawing group, with its place, fill colour and text."""
    found = []
    for shape in group.iterfind("wps:wsp", NS):
        offset = shape.find("wps:spPr/a:xfrm/a:off", NS)
        extent = shape.find("wps:spPr/a:xfrm/a:ext", NS)
        fill = shape.find("wps:spPr/a:solidFill/a:srgbClr", NS)
        box = shape.find("wps:txbx", NS)
        found.append(Shape(
            int(offset.get("x")) / EMU_PER_MM, int(offset.get("y")) / EMU_PER_MM,
            int(extent.get("cx")) / EMU_PER_MM, int(extent.get("cy")) / EMU_PER_MM,
            fill.get("val") if fill is not None else None,
            "".join(box.itertext()) if box is not None else None))
    return found


def chart_shapes(drawing: str) -> list[Shape]:
    # The drawing declares its own namespaces but for w:, which the document declares.
    root = etree.fromstring(f'<w:r xmlns:w="{NS["w"]}">{drawing}</w:r>')
    return shapes_of(root.find(".//wpg:wgp", NS))


def bars(shapes: list[Shape], colour: str) -> list[Shape]:
    """The bar segments (5 mm high) of one colour, top to bottom."""
    return sorted((s for s in shapes if s.fill == colour and s.text is None
                   and abs(s.height - 5.0) < 0.01), key=lambda s: s.y)


def texts(shapes: list[Shape]) -> list[str]:
    return [s.text for s in shapes if s.text is not None]


def test_bars_count_the_questions_per_level_in_the_scales_colours() -> None:
    colours = {name: hex_colour.lstrip("#").upper()
               for name, hex_colour in level_colours(SCALE).items()}
    shapes = chart_shapes(score_chart([("1. Beleid", {"Niet": 1, "Volledig": 2}),
                                       ("2. Middelen", {"Grotendeels": 3}),
                                       ("3. Mensen", {"Beperkt": 1, "Volledig": 1})],
                                      SCALE).drawing)
    niet, beperkt = bars(shapes, colours["Niet"]), bars(shapes, colours["Beperkt"])
    grotendeels, volledig = bars(shapes, colours["Grotendeels"]), bars(shapes, colours["Volledig"])
    assert colours["Niet"] == "B22222" and colours["Volledig"] == "2E7D32"  # dark red, green
    assert (len(niet), len(beperkt), len(grotendeels), len(volledig)) == (1, 1, 1, 2)
    unit = niet[0].width  # one question
    assert volledig[0].width == pytest.approx(2 * unit)  # 1. Beleid: 1 Niet, then 2 Volledig
    assert volledig[0].x == pytest.approx(niet[0].x + unit) and volledig[0].y == niet[0].y
    assert grotendeels[0].width == pytest.approx(3 * unit)  # 2. Middelen: a full bar
    assert grotendeels[0].x == pytest.approx(niet[0].x)
    assert niet[0].y < grotendeels[0].y < beperkt[0].y == volledig[1].y  # in the norms' order
    words = texts(shapes)
    assert words[:3] == ["1. Beleid", "2. Middelen", "3. Mensen"]
    assert words[3:] == ["0", "1", "2", "3", "aantal vragen",
                         "Niet", "Beperkt", "Grotendeels", "Volledig"]  # every level named
    legend = [s for s in shapes if s.text is None and s.height == pytest.approx(2.0)]
    assert [s.fill for s in legend] == [colours[name] for name, _colour in SCALE]


def test_labels_keep_their_characters_and_the_same_scores_draw_the_same_chart() -> None:
    rows = [("1. Kunst & <Cultuur> \"nu\"", {"Volledig": 2})]
    chart = score_chart(rows, SCALE)
    assert texts(chart_shapes(chart.drawing))[0] == "1. Kunst & <Cultuur> \"nu\""
    assert chart == score_chart(rows, SCALE)
    assert chart.description == ("Aantal vragen per score, per norm. "
                                 "1. Kunst & <Cultuur> \"nu\": 2× Volledig.")


def test_the_label_column_fits_the_longest_label_up_to_a_limit() -> None:
    short = chart_shapes(score_chart([("1. Geld", {"Volledig": 1})], SCALE).drawing)
    long_label = "Module " + "Leesbevordering en educatieve dienstverlening " * 3
    long = chart_shapes(score_chart([(long_label, {"Volledig": 1})], SCALE).drawing)
    short_label, long_box = short[0], long[0]
    assert short_label.text == "1. Geld" and long_box.text == long_label
    assert short_label.width < 20 and long_box.width == pytest.approx(MAX_LABEL_WIDTH)
    green = bars(long, "2E7D32")[0]
    assert green.x > MAX_LABEL_WIDTH and green.x + green.width < 150  # bars after the labels


@pytest.mark.parametrize(("most", "marks"), [
    (1, [0, 1]), (3, [0, 1, 2, 3]), (8, list(range(9))), (9, [0, 2, 4, 6, 8]),
    (17, [0, 5, 10, 15]), (40, list(range(0, 41, 5))), (41, [0, 10, 20, 30, 40])])
def test_the_axis_marks_whole_questions(most: int, marks: list[int]) -> None:
    assert ticks(most) == marks


def sample_report(tmp_path: Path, template: Path | None = None) -> tuple[Path, DocxRenderer]:
    orgs = read_register(samples_dir() / "register.xlsx")
    org = find_organisation(orgs, "CBCT-0111")
    sheet = read_scoresheet(samples_dir() / "scores" / "CBCT-0111.xlsx")
    context = report_context(org, sheet, load_office(REPO / "cbct-docs.toml"),
                             dt.date(2025, 6, 11), concept=True)
    renderer = DocxRenderer(template or templates_dir() / "reports" / "auditrapport.docx")
    path = tmp_path / "rapport.docx"
    path.write_bytes(renderer.render(context))
    return path, renderer


def test_the_report_draws_its_chart_where_the_template_says_and_renders_compiled(
        tmp_path: Path) -> None:
    path, renderer = sample_report(tmp_path)
    assert renderer.fallback_reason is None and renderer.fallbacks == 0  # no docxtpl
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
        body = etree.fromstring(archive.read("word/document.xml"))
    groups = body.findall(".//wpg:wgp", NS)
    assert len(groups) == 1
    paragraph = groups[0].getparent()
    while paragraph.tag != f"{{{NS['w']}}}p":
        paragraph = paragraph.getparent()
    caption = paragraph.getnext()
    assert "".join(caption.itertext()).startswith("Figuur: scores per norm")
    labels = texts(shapes_of(groups[0]))
    assert labels[:9] == ["1. Missie, visie, strategie & beleid", "2. Middelen", "3. Mensen",
                          "4. Samenwerking", "5. Producten & diensten",
                          "6. Resultaten & verantwoording", "7. Compliance",
                          "Module Informatiepunt Digitale Overheid", "0"]
    described = body.find(".//wp:docPr", NS).get("descr")
    assert "Module Informatiepunt Digitale Overheid: 1× Niet, 1× Beperkt, 1× Grotendeels" \
           in described
    # The chart adds no text to the report's own text: its paragraph reads empty.
    assert "\n\nFiguur: scores per norm" in docx_reading_text(path)


def test_an_office_template_gets_the_chart_in_a_table_cell(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Rapport voor {{ organisatie.naam }}")
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "{{ grafiek }}"
    document.add_paragraph("Advies: {{ advies }}")
    template = tmp_path / "eigen-rapport.docx"
    document.save(str(template))
    path, renderer = sample_report(tmp_path, template)
    assert renderer.fallbacks == 0
    made = docx.Document(str(path))
    cell = made.tables[0].rows[0].cells[1]._tc
    assert len(cell.findall(".//wpg:wgp", NS)) == 1
    assert [p.text for p in made.paragraphs] == [
        "Rapport voor Bibliotheek Eemland/Amersfoort", "Advies: Voorwaardelijk gecertificeerd"]


def test_the_chart_in_a_document_property_is_refused_with_a_hint(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("{{ advies }}")
    document.core_properties.title = "Rapport {{ grafiek }}"
    template = tmp_path / "titel.docx"
    document.save(str(template))
    with pytest.raises(TemplateError) as caught:
        sample_report(tmp_path, template)
    assert "score chart can only be placed in the text of a Word template" in str(caught.value)
    assert "{{ grafiek }}" in str(caught.value)


def test_the_drawing_is_well_formed_for_word(tmp_path: Path) -> None:
    """What Word insists on: the elements of an inline group in the schema's order."""
    path, _renderer = sample_report(tmp_path)
    with zipfile.ZipFile(path) as archive:
        body = etree.parse(io.BytesIO(archive.read("word/document.xml")))
    inline = body.find(".//wp:inline", NS)
    assert [etree.QName(c).localname for c in inline] == [
        "extent", "effectExtent", "docPr", "cNvGraphicFramePr", "graphic"]
    group = inline.find(".//wpg:wgp", NS)
    order = {"cNvPr": 0, "cNvSpPr": 1, "spPr": 2, "txbx": 3, "bodyPr": 4}
    for shape in group.iterfind("wps:wsp", NS):
        names = [etree.QName(c).localname for c in shape]
        assert names == sorted(names, key=order.__getitem__) and names[-1] == "bodyPr"
    ids = [int(e.get("id")) for e in body.iterfind(".//wps:cNvPr", NS)]
    ids += [int(e.get("id")) for e in body.iterfind(".//wp:docPr", NS)]
    assert len(ids) == len(set(ids))  # every drawing object its own id


def test_docxtpl_places_the_same_drawing(tmp_path: Path) -> None:
    """A template the compiled path cannot take goes through docxtpl: the chart is the same
    drawing there."""
    path, renderer = sample_report(tmp_path)
    orgs = read_register(samples_dir() / "register.xlsx")
    context = report_context(find_organisation(orgs, "CBCT-0111"),
                             read_scoresheet(samples_dir() / "scores" / "CBCT-0111.xlsx"),
                             load_office(REPO / "cbct-docs.toml"), dt.date(2025, 6, 11),
                             concept=True)
    reference = tmp_path / "docxtpl.docx"
    reference.write_bytes(renderer.render_with_docxtpl(context))
    groups = []
    for made in (path, reference):
        with zipfile.ZipFile(made) as archive:
            body = etree.fromstring(archive.read("word/document.xml"))
        groups.append(shapes_of(body.find(".//wpg:wgp", NS)))
    assert groups[0] == groups[1] and len(groups[0]) > 40
    assert docx_reading_text(reference) == docx_reading_text(path)


@pytest.mark.parametrize("text", ["Norm 1: Beleid & financiën", "a<b>c",
                                  '"quoted"\tand\nnew\r\nline', "&amp; already", "", "\r",
                                  "<&>" * 3])
def test_the_drawings_escaping_is_the_standard_librarys(text: str) -> None:
    """chart_drawing escapes as xml.sax.saxutils.escape does (without its import)."""
    from xml.sax.saxutils import escape as standard

    from cbct_docs.documents import chart_drawing

    for entities in (chart_drawing._TEXT, chart_drawing._ATTRIBUTE):
        assert chart_drawing.escape(text, entities) == standard(text, entities)


def test_charts_of_the_same_scores_share_their_drawing() -> None:
    """Drawn once per set of scores (and so encoded once by the renderer): the same
    drawing for equal rows, a fresh one for other rows, each the drawing of its rows."""
    from cbct_docs.documents.chart import ScoreChart
    from cbct_docs.documents.chart_drawing import draw

    levels = [("Niet", "red"), ("Beperkt", "red"), ("Grotendeels", "yellow"),
              ("Volledig", "green")]
    first = score_chart([("1. Beleid", {"Volledig": 2, "Niet": 1})], levels)
    same = score_chart([("1. Beleid", {"Volledig": 2, "Niet": 1})], levels)
    other = score_chart([("1. Beleid", {"Volledig": 3})], levels)
    assert first is not same and first.drawing is same.drawing
    assert other.drawing != first.drawing
    for chart in (first, other):
        fresh = ScoreChart(chart.rows, chart.levels)
        assert chart.drawing == draw(fresh.rows, fresh.levels,
                                     tuple((name, colour.lstrip("#").upper()) for name, colour
                                           in level_colours(fresh.levels).items()),
                                     fresh.description)
