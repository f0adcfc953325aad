"""Build templates/reports/whitepaper.docx, the Word template of the norm whitepapers.

Run ``python templates/build_whitepaper_template.py`` after changing this script. The
result is an ordinary Word document with Jinja tags (docxtpl): the comms team may restyle
it in Word (fonts, colours, spacing) as long as the tags and the style names stay.

Styles the whitepaper code relies on:
  List Number   numbered indicators; the code restarts the numbering in every section
  List Bullet   "Documenten ter onderbouwing"
  Toelichting   an explanation under an indicator, indented like the list text
  Legenda       the line that explains the marker
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips

BLUE = RGBColor(0x1F, 0x4E, 0x79)
LET_OP_FILL = "FFF2CC"
LET_OP_BORDER = "E69138"
TARGET = Path(__file__).resolve().parent / "reports" / "whitepaper.docx"


def build(target: Path = TARGET) -> Path:
    document = docx.Document()
    _styles(document)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    section.footer.paragraphs[0].text = "{{ place_line }} · {{ norm.title }}"
    add = document.add_paragraph

    add("{{ title }}", style="Title")
    add("{{ subtitle }}", style="Subtitle")
    add("{{ place_line }}", style="Plaats")
    _loop(document, "lead", "Lead")

    document.add_heading("De plaats van deze norm", level=1)
    _loop(document, "builds_on")

    document.add_heading("{{ concept_title }}", level=1)
    _loop(document, "concept")

    document.add_heading("Indicatoren", level=1)
    add("{{ indicators_intro }}")
    add("{%p if legend %}")
    add("{{ marker }} {{ legend }}", style="Legenda")
    add("{%p endif %}")
    _indicator_list(document, "indicators")
    _let_op_box(document)
    add("{%p for group in indicator_groups %}")
    document.add_heading("{{ group.title }}", level=2)
    _loop(document, "group.intro")
    _indicator_list(document, "group.entries")
    add("{%p endfor %}")

    document.add_heading("Beoordelingsvragen", level=1)
    add("{{ questions_intro }}")
    add("{%p for group in question_groups %}")
    document.add_heading("{{ group.title }}", level=2)
    _loop(document, "group.intro")
    add("{%p for question in group.entries %}")
    document.add_heading("{{ question.id }} {{ question.text }}", level=3)
    _loop(document, "question.explanation")
    add("{{ documents_label }}", style="Kop documenten")
    _loop(document, "question.documents", "List Bullet")
    add("{%p endfor %}")
    add("{%p endfor %}")

    document.add_heading("Zo scoren de auditoren", level=1)
    _loop(document, "scoring_intro")
    _scale_table(document)

    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target


def _loop(document: docx.document.Document, name: str, style: str | None = None) -> None:
    """One paragraph per element of a list of texts."""
    variable = name.replace(".", "_") + "_text"
    document.add_paragraph(f"{{%p for {variable} in {name} %}}")
    document.add_paragraph(f"{{{{ {variable} }}}}", style=style)
    document.add_paragraph("{%p endfor %}")


def _indicator_list(document: docx.document.Document, name: str) -> None:
    add = document.add_paragraph
    add(f"{{%p for item in {name} %}}")
    add("{{ item.text }}{% if item.both %} {{ marker }}{% endif %}", style="List Number")
    add("{%p for line in item.explanation %}")
    add("{{ line }}", style="Toelichting")
    add("{%p endfor %}")
    add("{%p endfor %}")


def _let_op_box(document: docx.document.Document) -> None:
    """A shaded single-cell table: Word users recognise and can edit it as a box."""
    table = document.add_table(rows=1, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell = table.cell(0, 0)
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), LET_OP_FILL)
    properties.append(shading)
    borders = OxmlElement("w:tcBorders")
    for side, size in (("top", 4), ("left", 24), ("bottom", 4), ("right", 4)):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), str(size))
        border.set(qn("w:color"), LET_OP_BORDER)
        borders.append(border)
    properties.append(borders)
    cell.paragraphs[0].text = "Let op"
    cell.paragraphs[0].style = document.styles["Let op kop"]
    cell.add_paragraph("{%p for note in policy_note %}")
    cell.add_paragraph("{{ note }}")
    cell.add_paragraph("{%p endfor %}")
    document.add_paragraph()


def _scale_table(document: docx.document.Document) -> None:
    table = document.add_table(rows=4, cols=3)
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, ("Score", "Betekenis", "Wat de auditor ziet"),
                          strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.cell(1, 0).text = "{%tr for level in scale %}"
    table.cell(2, 0).text = "{% cellbg level.fill %}{{ level.name }}"
    table.cell(2, 1).text = "{{ level.meaning }}"
    table.cell(2, 2).text = "{{ level.text }}"
    table.cell(3, 0).text = "{%tr endfor %}"
    table.autofit = False
    widths = (Cm(3.2), Cm(3.2), Cm(10.2))  # 16.6 cm: the text width between the margins
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _styles(document: docx.document.Document) -> None:
    styles = document.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 26), ("Heading 1", 16), ("Heading 2", 13),
                       ("Heading 3", 11)):
        styles[name].font.color.rgb = BLUE
        styles[name].font.size = Pt(size)
        styles[name].font.name = "Calibri"
    styles["Subtitle"].font.size = Pt(14)

    def paragraph_style(name: str, **options: object) -> docx.styles.style.ParagraphStyle:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        for key, value in options.items():
            if key == "color":
                style.font.color.rgb = value
            else:
                setattr(style.font, key, value)
        return style

    paragraph_style("Plaats", bold=True, color=BLUE)
    paragraph_style("Lead", size=Pt(12), italic=True)
    indent = paragraph_style("Toelichting", color=RGBColor(0x40, 0x40, 0x40))
    indent.paragraph_format.left_indent = Twips(360)  # the List Number text indent
    paragraph_style("Legenda", italic=True, size=Pt(10))
    heading = paragraph_style("Kop documenten", bold=True)
    heading.paragraph_format.keep_with_next = True
    paragraph_style("Let op kop", bold=True, size=Pt(12), color=RGBColor(0x9C, 0x57, 0x00))


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET))
