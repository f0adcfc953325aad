"""Build the default Word templates of the lifecycle documents.

Run ``python templates/build_templates.py`` after changing this script; the .docx files
it writes are ordinary Word documents that template authors may also edit by hand.
Tags are docxtpl/Jinja: ``{{ field }}``, ``{%p if %}`` paragraphs, ``{%tr for %}`` rows,
``{% cellbg colour %}`` cell shading. The letterhead, sender and signatory come from
``cbct-docs.toml`` through the ``bureau`` and ``ondertekenaar`` fields.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
ACCENT = RGBColor(0x1F, 0x4E, 0x5F)
GREY = RGBColor(0x59, 0x59, 0x59)
FONT = "Arial"


def new_document(landscape: bool = False) -> docx.document.Document:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(35), Mm(25)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12)):
        style = styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), ACCENT
        style.font.bold = True
        style.element.rPr.rFonts.set(qn("w:asciiTheme"), FONT)
    return document


def add(document, text: str = "", style: str | None = None, *, bold: bool = False,
        size: float | None = None, colour: RGBColor | None = None,
        align: WD_ALIGN_PARAGRAPH | None = None, after: float | None = None):
    """A paragraph with one run, so that every tag stays inside a single run."""
    paragraph = document.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
    if align is not None:
        paragraph.alignment = align
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def tag(document, text: str) -> None:
    """A docxtpl paragraph tag (``{%p ... %}``); the paragraph disappears on rendering."""
    document.add_paragraph(text)


def bottom_border(paragraph) -> None:
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "8"), ("space", "4"), ("color", "1F4E5F")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    properties.append(borders)


def page_number_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    run.font.size = Pt(8)


def letterhead(document, extra_header: list[tuple[str, dict]] | None = None) -> None:
    """Office name and address in the header, contact line and page number in the footer."""
    section = document.sections[0]
    header = section.header
    first = header.paragraphs[0]
    run = first.add_run("{{ bureau.naam }}")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(14), ACCENT
    line = header.add_paragraph()
    small = line.add_run("{{ bureau.straat }} · {{ bureau.postcode }} {{ bureau.plaats }}")
    small.font.size, small.font.color.rgb = Pt(8.5), GREY
    bottom_border(line)
    for text, options in extra_header or []:
        paragraph = header.add_paragraph()
        if text.startswith("{%p"):
            paragraph.add_run(text)
            continue
        extra = paragraph.add_run(text)
        extra.bold = options.get("bold")
        extra.font.size = Pt(options.get("size", 9))
        if "colour" in options:
            extra.font.color.rgb = options["colour"]
    footer = section.footer.paragraphs[0]
    contact = footer.add_run("{{ bureau.telefoon }} · {{ bureau.email }} · {{ bureau.website }}"
                             " · KvK {{ bureau.kvk }}   ·   pagina ")
    contact.font.size, contact.font.color.rgb = Pt(8), GREY
    page_number_field(footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER


def address_block(document) -> None:
    add(document, "{{ organisatie.naam }}", after=0)
    tag(document, "{%p if organisatie.contact %}")
    add(document, "t.a.v. {{ organisatie.contact }}", after=0)
    tag(document, "{%p endif %}")
    add(document, "{{ organisatie.straat }}", after=0)
    add(document, "{{ organisatie.postcode }}  {{ organisatie.plaats }}", after=0)
    add(document, after=18)


def letter_opening(document, subject: str) -> None:
    address_block(document)
    table = document.add_table(rows=3, cols=2)
    rows = (("Datum", "{{ bureau.plaats }}, {{ briefdatum|datum }}"),
            ("Kenmerk", "{{ kenmerk }}"), ("Betreft", subject))
    set_widths(table, [30, 130])
    for row, (label, value) in zip(table.rows, rows, strict=True):
        label_run = row.cells[0].paragraphs[0].add_run(label)
        label_run.font.color.rgb, label_run.font.size = GREY, Pt(9.5)
        row.cells[1].paragraphs[0].add_run(value)
    add(document, after=12)
    add(document, "{{ aanhef }},")


def signature(document) -> None:
    add(document, "Met vriendelijke groet,", after=30)
    add(document, "{{ ondertekenaar.naam }}", bold=True, after=0)
    add(document, "{{ ondertekenaar.functie }}", after=0)
    add(document, "{{ bureau.naam }}")


def table(document, headers: list[str], loop: str, cells: list[str], endloop: str = "endfor",
          widths: list[float] | None = None):
    """A header row, then ``{%tr for %}`` rows: the docxtpl way to repeat table rows."""
    grid = document.add_table(rows=4, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        shade(cell, "DCE6EA")
    grid.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr {loop} %}}")
    for cell, text in zip(grid.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].add_run(text)
    grid.rows[3].cells[0].paragraphs[0].add_run(f"{{%tr {endloop} %}}")
    if widths:
        set_widths(grid, widths)
    add(document, after=4)
    return grid


def set_widths(grid, widths: list[float]) -> None:
    """Column widths that Word and LibreOffice both honour (grid and every cell)."""
    grid.autofit = False
    for column, width in zip(grid._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Mm(width)
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def bullets(document, loop: str, item: str) -> None:
    tag(document, f"{{%p {loop} %}}")
    add(document, item, "List Bullet", after=2)
    tag(document, "{%p endfor %}")


# --- the letters -------------------------------------------------------------------------

def bevestigingsbrief() -> docx.document.Document:
    document = new_document()
    letterhead(document)
    letter_opening(document, "Bevestiging audit {{ kader.naam }}")
    add(document, "Hartelijk dank voor de prettige voorbereiding. Met deze brief bevestigen wij "
                  "de afspraken voor de audit van {{ organisatie.naam }} in het kader van "
                  "{{ kader.naam }}.")
    add(document, "Afspraken", "Heading 2")
    table(document, ["Datum", "Tijd", "Locatie", "Onderdeel"], "for a in afspraken",
          ["{{ a.datum|datum('EEEE d MMMM y') }}", "{{ a.begin|tijd }} – {{ a.eind|tijd }} uur",
           "{{ a.locatie }}", "{{ a.onderdeel }}"], widths=[45, 30, 45, 40])
    add(document, "De audit", "Heading 2")
    add(document, "Uw organisatie valt in auditcategorie {{ categorie.code }}. Bij deze categorie "
                  "hoort een audit van {{ categorie.dagdelen }} dagdelen "
                  "({{ duur_uren|getal(1) }} uur aan afspraken) met {{ categorie.auditors }} "
                  "auditor{{ 'en' if categorie.auditors != 1 else '' }}.")
    add(document, "De audit wordt uitgevoerd door {{ auditoren_tekst }}.")
    add(document, "Wat wij van u vragen", "Heading 2")
    add(document, "Wij ontvangen uw zelfevaluatie met de onderbouwende documenten uiterlijk op "
                  "{{ zelfevaluatie_deadline|datum }} via het auditportaal. Dat is zes weken voor "
                  "de eerste auditdag; zo hebben de auditoren tijd om zich goed voor te bereiden.")
    add(document, "Hoe het verder gaat", "Heading 2")
    bullets(document, "for stap in vervolg", "{{ stap }}")
    add(document, "Heeft u vragen over de planning, neem dan gerust contact met ons op via "
                  "{{ bureau.email }} of {{ bureau.telefoon }}.")
    signature(document)
    return document


def besluitbrief() -> docx.document.Document:
    document = new_document()
    letterhead(document)
    letter_opening(document, "Besluit certificering {{ kader.naam }}")
    add(document, "Op {{ auditdata_tekst }} vond de audit plaats bij {{ organisatie.naam }}. "
                  "Op basis van het definitieve auditrapport en het advies van de auditoren heeft "
                  "het bureau op {{ besluitdatum|datum }} het volgende besluit genomen.")
    add(document, "Besluit: {{ besluit }}", bold=True, colour=ACCENT, size=12)
    tag(document, "{%p if uitkomst == 'gecertificeerd' %}")
    add(document, "Van harte gefeliciteerd! Uw organisatie voldoet aan alle normen van "
                  "{{ kader.naam }}. Het certificaat is geldig tot en met "
                  "{{ geldig_tot|datum }}.")
    add(document, "In de komende weken ontvangt u per post het definitieve auditrapport, het "
                  "gevelbord en het certificaat. Wij wensen u veel plezier bij het delen van "
                  "dit resultaat met uw medewerkers, vrijwilligers en partners.")
    tag(document, "{%p else %}")
    add(document, "Bij deze brief ontvangt u het definitieve auditrapport. Uw organisatie "
                  "voldoet nog niet aan de volgende {{ 'normen' if onvoldoende_normen|length "
                  "> 1 else 'norm' }}:")
    bullets(document, "for n in onvoldoende_normen", "{{ n.label }}")
    tag(document, "{%p if uitkomst == 'voorwaardelijk' %}")
    add(document, "Uw organisatie is voorwaardelijk gecertificeerd. Het certificaat en het "
                  "gevelbord ontvangt u zodra een heraudit laat zien dat ook "
                  "{{ 'deze normen' if onvoldoende_normen|length > 1 else 'deze norm' }} "
                  "voldoende {{ 'zijn' if onvoldoende_normen|length > 1 else 'is' }}.")
    tag(document, "{%p endif %}")
    add(document, "Heraudit", "Heading 2")
    add(document, "Wij plannen een heraudit omstreeks {{ heraudit_datum|datum('MMMM y') }}, "
                  "ongeveer een half jaar na dit besluit. De heraudit gaat alleen over "
                  "{{ 'de hierboven genoemde normen' if onvoldoende_normen|length > 1 else "
                  "'de hierboven genoemde norm' }}. U ontvangt daarvoor tijdig een uitnodiging.")
    add(document, "Bezwaar", "Heading 2")
    add(document, "Bent u het niet eens met dit besluit, dan kunt u binnen {{ bezwaar_weken }} "
                  "weken na de datum van deze brief, dus uiterlijk op "
                  "{{ bezwaar_deadline|datum }}, schriftelijk en gemotiveerd bezwaar maken bij "
                  "de bezwaarcommissie van {{ bureau.naam }}.")
    tag(document, "{%p endif %}")
    signature(document)
    return document


def heraudit() -> docx.document.Document:
    document = new_document()
    letterhead(document)
    letter_opening(document, "Uitnodiging heraudit {{ kader.naam }}")
    add(document, "Na het besluit van {{ besluitdatum|datum }} werkt {{ organisatie.naam }} aan "
                  "de normen die nog niet voldoende waren. Graag plannen wij nu de heraudit.")
    add(document, "De heraudit gaat uitsluitend over deze normen:")
    bullets(document, "for n in onvoldoende_normen", "{{ n.label }}")
    add(document, "Planning", "Heading 2")
    add(document, "De heraudit vindt plaats op {{ heraudit_datum|datum('EEEE d MMMM y') }} en "
                  "wordt uitgevoerd door {{ auditoren_tekst }}. Wilt u uw aanvullende "
                  "documenten uiterlijk op {{ documenten_deadline|datum }} in het auditportaal "
                  "zetten?")
    add(document, "Na de heraudit ontvangt u binnen drie weken een aanvullend rapport en daarna "
                  "het besluit over uw certificaat.")
    signature(document)
    return document


def certificaat() -> docx.document.Document:
    document = new_document(landscape=True)
    section = document.sections[0]
    section.top_margin = section.bottom_margin = Mm(20)
    add(document, "{{ bureau.naam }}", bold=True, colour=ACCENT, size=14,
        align=WD_ALIGN_PARAGRAPH.CENTER, after=18)
    add(document, "CERTIFICAAT", "Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    add(document, "{{ kader.naam }}", size=16, colour=ACCENT, align=WD_ALIGN_PARAGRAPH.CENTER,
        after=18)
    add(document, "verleend aan", colour=GREY, align=WD_ALIGN_PARAGRAPH.CENTER)
    add(document, "{{ organisatie.naam }}", bold=True, size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
        after=2)
    add(document, "te {{ organisatie.plaats }}", size=12, align=WD_ALIGN_PARAGRAPH.CENTER,
        after=14)
    tag(document, "{%p if modules %}")
    add(document, "inclusief de module{{ 's' if modules|length > 1 else '' }} "
                  "{{ modules_tekst }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    tag(document, "{%p endif %}")
    add(document, "Certificaatnummer {{ certificaatnummer }}", bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    add(document, "Geldig van {{ geldig_van|datum }} tot en met {{ geldig_tot|datum }}",
        align=WD_ALIGN_PARAGRAPH.CENTER, after=24)
    add(document, "{{ ondertekenaar.naam }}, {{ ondertekenaar.functie }}",
        align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    add(document, "{{ bureau.plaats }}, {{ briefdatum|datum }}", colour=GREY, size=9,
        align=WD_ALIGN_PARAGRAPH.CENTER)
    return document


# --- the audit report ---------------------------------------------------------------------

def auditrapport() -> docx.document.Document:
    document = new_document()
    red = RGBColor(0xC0, 0x00, 0x00)
    letterhead(document, extra_header=[
        ("{%p if concept %}", {}),
        ("CONCEPT – reageren uiterlijk op {{ reactie_deadline|datum }}",
         {"bold": True, "size": 12, "colour": red}),
        ("{%p endif %}", {}),
    ])
    add(document, "Auditrapport {{ kader.naam }}", "Title")
    add(document, "{{ organisatie.naam }}", bold=True, size=16, after=2)
    add(document, "{{ organisatie.plaats }} · certificaatnummer {{ organisatie.cert_nr }}",
        colour=GREY)
    facts = document.add_table(rows=5, cols=2)
    for row, (label, value) in zip(facts.rows, (
            ("Versie", "{{ versie }}, {{ rapportdatum|datum }}"),
            ("Auditdatum", "{{ auditdata_tekst }}"),
            ("Auditoren", "{{ auditoren_tekst }}"),
            ("Auditcategorie", "{{ categorie.code }} ({{ categorie.dagdelen }} dagdelen)"),
            ("Modules", "{{ modules_tekst or 'geen' }}")), strict=True):
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].paragraphs[0].add_run(value)
    set_widths(facts, [40, 120])
    add(document, after=6)
    tag(document, "{%p if concept %}")
    add(document, "Dit is het conceptrapport. U kunt tot en met {{ reactie_deadline|datum }} "
                  "schriftelijk reageren op feitelijke onjuistheden; daarna stellen wij het "
                  "rapport definitief vast.")
    tag(document, "{%p else %}")
    add(document, "Dit is het definitieve rapport, vastgesteld op {{ rapportdatum|datum }}. "
                  "{{ reactie_verwerking }}")
    tag(document, "{%p endif %}")

    add(document, "Samenvatting", "Heading 1")
    table(document, ["Norm", "Titel", "Scores", "Oordeel"], "for n in normen",
          ["{{ n.nummer }}", "{{ n.titel }}", "{{ n.scores_tekst }}",
           "{% cellbg n.oordeel_kleur %}{{ n.oordeel }}"], widths=[18, 70, 47, 25])
    add(document, "{{ grafiek }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    add(document, "Figuur: scores per norm (rood onvoldoende, geel voldoende, groen goed).",
        colour=GREY, size=8.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    add(document, "Advies: {{ advies }}", bold=True, colour=ACCENT, size=12)
    tag(document, "{%p if advies_reden %}")
    add(document, "De auditoren wijken af van het standaardadvies: {{ advies_reden }}")
    tag(document, "{%p endif %}")

    add(document, "Bevindingen per norm", "Heading 1")
    tag(document, "{%p for n in normen %}")
    add(document, "{{ n.label }}", "Heading 2")
    table(document, ["Vraag", "Beoordelingsvraag", "Score"], "for v in n.vragen",
          ["{{ v.id }}", "{{ v.tekst }}", "{% cellbg v.kleur %}{{ v.score }}"],
          widths=[18, 112, 30])
    add(document, "Oordeel: {{ n.oordeel_toelichting }}", bold=True)
    add(document, "Bevindingen: {{ n.bevindingen }}")
    add(document, "Sterke punten", bold=True, after=2)
    bullets(document, "for p in n.sterke_punten", "{{ p }}")
    add(document, "Verbeterpunten", bold=True, after=2)
    bullets(document, "for p in n.verbeterpunten", "{{ p }}")
    tag(document, "{%p endfor %}")

    add(document, "Advies", "Heading 1")
    add(document, "{{ advies_toelichting }}")
    tag(document, "{%p if advies_reden %}")
    add(document, "Toelichting van de auditoren: {{ advies_reden }}")
    tag(document, "{%p endif %}")
    add(document, "{{ auditoren_tekst }}, auditoren namens {{ bureau.naam }}", colour=GREY)
    return document


BUILDERS = {
    "letters/bevestigingsbrief.docx": bevestigingsbrief,
    "letters/besluitbrief.docx": besluitbrief,
    "letters/heraudit.docx": heraudit,
    "letters/certificaat.docx": certificaat,
    "reports/auditrapport.docx": auditrapport,
}


def build(folder: Path = HERE) -> list[Path]:
    made = []
    for name, builder in BUILDERS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        document = builder()
        save_stable(document, path, Path(name).stem)
        made.append(path)
    return made


def save_stable(document, path: Path, title: str) -> None:
    """Same script, same bytes: fixed document dates and zip timestamps, so a rebuild
    without changes leaves git with nothing to commit."""
    fixed = dt.datetime(2025, 1, 1)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "cbct-docs"
    properties.title, properties.revision = title, 1
    properties.created = properties.modified = properties.last_printed = fixed
    buffer = io.BytesIO()
    document.save(buffer)
    stable = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    path.write_bytes(stable.getvalue())


if __name__ == "__main__":
    for made_path in build():
        print(made_path.relative_to(HERE))
