"""Build the Word template of the sector overview (``reports/overview.docx``).

Run ``python templates/build_overview_template.py`` after changing this script. The .docx
it writes is an ordinary Word document: template authors may edit texts, styles and
tables by hand. Tags are docxtpl/Jinja (``{{ field }}``, ``{%p if %}`` paragraphs,
``{%tr for %}`` rows); the fields are described in docs/overview.md. Charts are pictures
that the report places at ``{{ grafieken.resultaten }}`` and the like.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build_templates import (  # noqa: E402  (the shared page setup of all templates)
    ACCENT,
    GREY,
    add,
    new_document,
    page_number_field,
    shade,
    tag,
)

TABLE_FONT = 9


def cell_text(cell, text: str, bold: bool = False, align=None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.font.size = Pt(TABLE_FONT)
    run.bold = bold or None
    paragraph.paragraph_format.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align


def grid(document, headers: list[str], widths: list[float], rows: int):
    table = document.add_table(rows=rows + 1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell_text(cell, text, bold=True)
        shade(cell, "DCE6EA")
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)  # the cells, which Word follows
    return table


def fixed_rows(document, headers, widths, rows: list[list[str]], bold_last: bool = False):
    table = grid(document, headers, widths, len(rows))
    for index, (row, texts) in enumerate(zip(table.rows[1:], rows, strict=True)):
        for cell, text in zip(row.cells, texts, strict=True):
            cell_text(cell, text, bold=bold_last and index == len(rows) - 1)
    return table


def loop_rows(document, headers, widths, loop: str, cells: list[str],
              total: list[str] | None = None):
    """Header, ``{%tr for %}`` rows and optionally a fixed bold total row."""
    table = grid(document, headers, widths, 3 + (1 if total else 0))
    table.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr {loop} %}}")
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell_text(cell, text)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if total:
        for cell, text in zip(table.rows[4].cells, total, strict=True):
            cell_text(cell, text, bold=True)
    return table


def picture(document, field: str, caption: str) -> None:
    add(document, f"{{{{ {field} }}}}", align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    add(document, caption, colour=GREY, size=8.5, align=WD_ALIGN_PARAGRAPH.CENTER, after=10)


def counts_table(document) -> None:
    t = "telling"
    lines = [
        ("Organisaties in het overzicht", "organisaties", ""),
        ("Geen deelname", "geen_deelname", "van alle organisaties"),
        ("Certificeringstrajecten", "trajecten", "van alle organisaties"),
        ("Direct gecertificeerd", "direct", "van de trajecten"),
        ("Heraudit-groep (niet direct gecertificeerd)", "heraudit_groep", "van de trajecten"),
        ("   waarvan gecertificeerd na heraudit", "na_heraudit", "van de heraudit-groep"),
        ("   waarvan (nog) niet gecertificeerd", "heraudit_rest", "van de heraudit-groep"),
        ("      heraudit in voorbereiding", "in_voorbereiding", "van de heraudit-groep"),
        ("      geen heraudit aangevraagd", "geen_heraudit", "van de heraudit-groep"),
        ("      zonder opmerking", "zonder_opmerking", "van de heraudit-groep"),
        ("Totaal gecertificeerd", "gecertificeerd", "van de trajecten"),
        ("Niet gecertificeerd (inclusief geen deelname)", "niet_gecertificeerd",
         "van alle organisaties"),
    ]
    rows = []
    for label, key, base in lines:
        share = f"{{{{ {t}.{key}.procent }}}}" if base else ""
        rows.append([label, f"{{{{ {t}.{key}.aantal }}}}", share, base])
    fixed_rows(document, ["Omschrijving", "Aantal", "Percentage", "Basis"],
               [76, 18, 24, 42], rows)


SPLIT_CELLS = ["{{ g.naam }}", "{{ g.organisaties }}", "{{ g.trajecten }}", "{{ g.deelname }}",
               "{{ g.direct }}", "{{ g.na_heraudit }}", "{{ g.gecertificeerd }}"]
SPLIT_TOTAL = [c.replace("g.", "totaal.") for c in SPLIT_CELLS]
SPLIT_WIDTHS = [40, 20, 18, 20, 24, 16, 24]


def split_headers(first: str) -> list[str]:
    return [first, "Organisaties", "Trajecten", "Deelname", "Direct gecertificeerd",
            "Na heraudit", "Totaal gecertificeerd"]


def overview():
    document = new_document()
    section = document.sections[0]
    section.top_margin = Mm(25)
    footer = section.footer.paragraphs[0]
    run = footer.add_run("{{ titel }} {{ periode }}   ·   pagina ")
    run.font.size, run.font.color.rgb = Pt(8), GREY
    page_number_field(footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    add(document, "{{ titel }}", "Title")
    tag(document, "{%p if periode %}")
    add(document, "Periode: {{ periode }}", bold=True, size=13, colour=ACCENT)
    tag(document, "{%p endif %}")
    add(document, "Opgesteld op {{ datum|datum }} op basis van {{ bron }}.", colour=GREY)

    add(document, "Samenvatting", "Heading 1")
    add(document, "In deze periode stonden {{ telling.organisaties.aantal }} organisaties op "
                  "de lijst. Daarvan doorliepen er {{ telling.trajecten.aantal }} een "
                  "certificeringstraject ({{ telling.trajecten.procent }}); "
                  "{{ telling.geen_deelname.aantal }} namen niet deel. Van de trajecten "
                  "leidden er {{ telling.direct.aantal }} direct tot een certificaat "
                  "({{ telling.direct.procent }}) en {{ telling.na_heraudit.aantal }} na een "
                  "heraudit. In totaal zijn {{ telling.gecertificeerd.aantal }} organisaties "
                  "gecertificeerd: {{ telling.gecertificeerd.procent }} van de trajecten.")

    add(document, "Resultaten", "Heading 1")
    counts_table(document)
    add(document, "Zo is geteld: een organisatie met de opmerking ‘Geen deelname’ telt als "
                  "niet gecertificeerd, maar is geen certificeringstraject. Alle andere "
                  "organisaties zijn trajecten. De heraudit-groep bestaat uit de trajecten die "
                  "niet direct zijn gecertificeerd.", colour=GREY, size=9)
    picture(document, "grafieken.resultaten", "Figuur: uitkomst per organisatie.")

    add(document, "Deelname per branchevereniging", "Heading 1")
    add(document, "De deelname is het aandeel organisaties dat een certificeringstraject "
                  "doorliep. Percentages bij ‘direct’ en ‘totaal gecertificeerd’ zijn "
                  "berekend over de trajecten.")
    loop_rows(document, split_headers("Branchevereniging"), SPLIT_WIDTHS,
              "for g in per_branche", SPLIT_CELLS, SPLIT_TOTAL)
    add(document, after=4)
    picture(document, "grafieken.deelname", "Figuur: deelname per branchevereniging.")

    tag(document, "{%p if heeft_categorie %}")
    add(document, "Resultaten per auditcategorie", "Heading 1")
    loop_rows(document, split_headers("Auditcategorie"), SPLIT_WIDTHS,
              "for g in per_categorie", SPLIT_CELLS, SPLIT_TOTAL)
    add(document, after=4)
    tag(document, "{%p endif %}")

    tag(document, "{%p if scores %}")
    add(document, "Scores per norm", "Heading 1")
    add(document, "Per norm staat hoe vaak de beoordelingsvragen op elk niveau zijn gescoord, "
                  "over alle audits met een scoreformulier. De gemiddelde score loopt van 1 "
                  "(laagste niveau) tot 4 (hoogste niveau).")
    tag(document, "{%p for s in scores %}")
    add(document, "{{ s.naam }} ({{ s.audits_tekst }})", "Heading 2")
    loop_rows(document, ["Norm", "Titel", "{{ s.legenda.rood }}", "{{ s.legenda.geel }}",
                         "{{ s.legenda.groen }}", "Gemiddelde"], [14, 50, 28, 26, 24, 18],
              "for n in s.normen",
              ["{{ n.nummer }}", "{{ n.titel }}", "{{ n.rood }}", "{{ n.geel }}",
               "{{ n.groen }}", "{{ n.gemiddelde }}"])
    add(document, after=4)
    tag(document, "{%p for g in s.grafieken %}")
    picture(document, "g.afbeelding", "Figuur: {{ g.titel }}.")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    tag(document, "{%p if tevredenheid %}")
    add(document, "Tevredenheid", "Heading 1")
    add(document, "{{ tevredenheid.respondenten }} respondenten vulden de tevredenheidsenquête "
                  "in. Per vraag staat het aantal antwoorden en het aandeel daarvan.")
    levels = ["zeer_tevreden", "tevreden", "neutraal", "ontevreden", "zeer_ontevreden"]
    loop_rows(document, ["Vraag", "Zeer tevreden", "Tevreden", "Neutraal", "Ontevreden",
                         "Zeer ontevreden", "Antwoorden"], [42, 20, 20, 20, 20, 20, 18],
              "for v in tevredenheid.vragen",
              ["{{ v.vraag }}", *(f"{{{{ v.{level} }}}}" for level in levels),
               "{{ v.antwoorden }}"],
              ["Alle vragen", *(f"{{{{ tevredenheid.totaal.{level} }}}}" for level in levels),
               "{{ tevredenheid.totaal.antwoorden }}"])
    add(document, after=4)
    picture(document, "tevredenheid.grafiek", "Figuur: tevredenheid per vraag.")
    tag(document, "{%p endif %}")

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    add(document, "Bijlage: organisaties per branchevereniging", "Heading 1")
    add(document, "De organisaties zoals ze in {{ bron }} staan, per branchevereniging.")
    tag(document, "{%p for b in bijlage %}")
    add(document, "{{ b.branche }} ({{ b.aantal }})", "Heading 2")
    appendix_cells = ["{{ r.nr }}", "{{ r.cert_nr }}", "{{ r.naam }}", "{{ r.resultaat }}",
                      "{{ r.opmerking }}"]
    appendix_headers = ["nr.", "cert. nr.", "Naam organisatie", "Resultaat", "Opmerking"]
    tag(document, "{%p if heeft_categorie %}")
    loop_rows(document, [*appendix_headers, "Auditcategorie"], [10, 22, 50, 30, 32, 16],
              "for r in b.rijen", [*appendix_cells, "{{ r.categorie }}"])
    tag(document, "{%p else %}")
    loop_rows(document, appendix_headers, [10, 24, 56, 34, 36], "for r in b.rijen",
              appendix_cells)
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    return document


def sample_context() -> dict:
    """The context of the sample period, charts as placeholder text: the sidecar that
    tests/test_fastpath.py renders through both Word paths."""
    import datetime as dt
    import json

    from cbct_docs.domain.frameworks import load_framework
    from cbct_docs.overview.context import build_context
    from cbct_docs.overview.results import read_results
    from cbct_docs.overview.scores import read_scored_audits
    from cbct_docs.overview.survey import read_survey
    from cbct_docs.render.images import DocxImage

    samples = HERE.parent / "samples" / "overview"
    table = read_results(samples / "results.xlsx")
    audits = read_scored_audits(samples / "scores", table.rows, "results.xlsx")
    built = build_context(table, audits=audits,
                          frameworks={code: load_framework(code) for code in ("KiB", "ZoO")},
                          survey=read_survey(samples / "survey.csv"), period="2025",
                          today=dt.date(2025, 12, 15))

    def plain(value):
        if isinstance(value, DocxImage):
            return "(grafiek)"
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    return json.loads(json.dumps(built.context, default=plain, ensure_ascii=False))


def build(folder: Path = HERE) -> Path:
    import json

    path = folder / "reports" / "overview.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = overview()
    document.core_properties.author = "cbct-docs"
    document.core_properties.title = "Sectoroverzicht"
    document.save(str(path))
    sidecar = path.with_name("overview.sample.json")
    sidecar.write_text(json.dumps(sample_context(), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
    return path


if __name__ == "__main__":
    print(build().relative_to(HERE))
