"""Build the default Word templates of the lifecycle documents.

Run ``python templates/build_templates.py`` after changing this script; the .docx files
it writes are ordinary Word documents that template authors may also edit by hand.
Tags are docxtpl/Jinja: ``{{ field }}``, ``{%p if %}`` paragraphs, ``{%tr for %}`` rows,
``{% cellbg colour %}`` cell shading. The letterhead, sender and signatory come from
``cbct-docs.toml`` through the ``bureau`` and ``ondertekenaar`` fields.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, RGBColor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # docx_blocks.py lies next to this script
sys.dont_write_bytecode = True  # no __pycache__ among the shipped templates

from docx_blocks import (  # noqa: E402
    ACCENT,
    GREY,
    add,
    bullets,
    letter_opening,
    letterhead,
    new_document,
    page_border,
    save_stable,
    set_widths,
    signature,
    table,
    tag,
)

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
                  "{{ zelfevaluatie_deadline|datum }} via het auditportaal. Dat is "
                  "{{ zelfevaluatie_weken }} weken voor de eerste auditdag; zo "
                  "{{ 'heeft de auditor' if auditoren|length == 1 else 'hebben de auditoren' }} "
                  "tijd om zich goed voor te bereiden.")
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
                  "Op basis van het definitieve auditrapport en het advies van "
                  "{{ 'de auditor' if auditoren|length == 1 else 'de auditoren' }} heeft "
                  "het bureau op {{ besluitdatum|datum }} het volgende besluit genomen.")
    add(document, "Besluit: {{ besluit }}", bold=True, colour=ACCENT, size=12)
    tag(document, "{%p if uitkomst == 'gecertificeerd' %}")
    add(document, "Van harte gefeliciteerd! {% if onvoldoende_normen %}Op advies van "
                  "{{ 'de auditor' if auditoren|length == 1 else 'de auditoren' }} wordt uw "
                  "organisatie gecertificeerd voor {{ kader.naam }}; het auditrapport noemt de "
                  "punten die nog aandacht vragen.{% else %}Uw organisatie voldoet aan alle "
                  "normen van {{ kader.naam }}.{% endif %} Het certificaat is geldig tot en met "
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
    tag(document, "{%p else %}")
    add(document, "Uw organisatie is daarom niet gecertificeerd: u ontvangt geen certificaat "
                  "en geen gevelbord. Laat een heraudit zien dat ook "
                  "{{ 'deze normen' if onvoldoende_normen|length > 1 else 'deze norm' }} "
                  "voldoende {{ 'zijn' if onvoldoende_normen|length > 1 else 'is' }}, dan "
                  "volgt alsnog de certificering.")
    tag(document, "{%p endif %}")
    add(document, "Heraudit", "Heading 2")
    add(document, "Wij plannen een heraudit omstreeks {{ heraudit_datum|datum('MMMM y') }}, "
                  "ongeveer {{ heraudit_termijn }} na dit besluit. De heraudit gaat "
                  "alleen over "
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
                  "{{ 'de normen die' if onvoldoende_normen|length > 1 else 'de norm die' }} "
                  "nog niet voldoende {{ 'waren' if onvoldoende_normen|length > 1 else 'was' }}."
                  " Graag plannen wij nu de heraudit.")
    add(document, "De heraudit gaat uitsluitend over {{ 'deze normen' if onvoldoende_normen|length"
                  " > 1 else 'deze norm' }}:")
    bullets(document, "for n in onvoldoende_normen", "{{ n.label }}")
    add(document, "Planning", "Heading 2")
    add(document, "De heraudit vindt plaats op {{ heraudit_datum|datum('EEEE d MMMM y') }} en "
                  "wordt uitgevoerd door {{ auditoren_tekst }}. Wilt u uw aanvullende "
                  "documenten uiterlijk op {{ documenten_deadline|datum }} in het auditportaal "
                  "zetten?")
    add(document, "Na de heraudit ontvangt u binnen {{ rapport_weken }} weken een aanvullend "
                  "rapport en daarna "
                  "het besluit over uw certificaat.")
    signature(document)
    return document


def besluitbrief_heraudit() -> docx.document.Document:
    """The decision after a heraudit: about the heraudit and the parts it covered only."""
    document = new_document()
    letterhead(document)
    letter_opening(document, "Besluit na de heraudit {{ kader.naam }}")
    add(document, "Op {{ heraudit_data_tekst }} vond bij {{ organisatie.naam }} de heraudit "
                  "plaats. De heraudit ging alleen over {{ de_normen }} die bij het besluit "
                  "van {{ eerste_besluitdatum|datum }} nog niet voldoende {{ waren }}. Op basis "
                  "van de uitkomst heeft het bureau op {{ besluitdatum|datum }} het volgende "
                  "besluit genomen.")
    table(document, ["Opnieuw beoordeeld", "Oordeel"], "for n in herbeoordeeld",
          ["{{ n.label }}", "{{ n.oordeel }}"], widths=[120, 40])
    add(document, after=4)
    add(document, "Besluit: {{ besluit }}", bold=True, colour=ACCENT, size=12)
    tag(document, "{%p if gecertificeerd %}")
    add(document, "Van harte gefeliciteerd! Uw organisatie is alsnog gecertificeerd voor "
                  "{{ kader.naam }}. Het certificaat is geldig tot en met "
                  "{{ geldig_tot|datum }}.")
    add(document, "In de komende weken ontvangt u per post het aanvullende rapport, het "
                  "gevelbord en het certificaat.")
    tag(document, "{%p else %}")
    add(document, "Uit de heraudit blijkt dat {{ de_onvoldoende_normen }} nog niet voldoende "
                  "{{ onvoldoende_zijn }}:")
    bullets(document, "for n in onvoldoende_normen", "{{ n.label }}")
    add(document, "Uw organisatie is daarom niet gecertificeerd: u ontvangt geen certificaat "
                  "en geen gevelbord.")
    add(document, "Bezwaar", "Heading 2")
    add(document, "Bent u het niet eens met dit besluit, dan kunt u binnen {{ bezwaar_weken }} "
                  "weken na de datum van deze brief, dus uiterlijk op "
                  "{{ bezwaar_deadline|datum }}, schriftelijk en gemotiveerd bezwaar maken bij "
                  "de bezwaarcommissie van {{ bureau.naam }}.")
    tag(document, "{%p endif %}")
    signature(document)
    return document


def certificaat() -> docx.document.Document:
    document = new_document(landscape=True)
    section = document.sections[0]
    section.top_margin, section.bottom_margin = Mm(40), Mm(25)
    page_border(section)
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
    add(document, "{{ 'De auditor wijkt' if auditoren|length == 1 else 'De auditoren wijken' }}"
                  " af van het advies dat uit de scores volgt: {{ advies_reden }}")
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
    add(document, "{{ auditoren_tekst }}, {{ 'auditor' if auditoren|length == 1 else "
                  "'auditoren' }} namens {{ bureau.naam }}", colour=GREY)
    return document


BUILDERS = {
    "letters/bevestigingsbrief.docx": bevestigingsbrief,
    "letters/besluitbrief.docx": besluitbrief,
    "letters/heraudit.docx": heraudit,
    "letters/besluitbrief-heraudit.docx": besluitbrief_heraudit,
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


if __name__ == "__main__":
    for made_path in build():
        print(made_path.relative_to(HERE))
