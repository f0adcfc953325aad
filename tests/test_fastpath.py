"""The compiled Word path gives the same XML as docxtpl, for every template we ship.

Each comparison renders one context twice through the same ``DocxRenderer``: once through
the compiled path (``render``) and once through docxtpl itself (``render_with_docxtpl``),
and compares document.xml, headers, footers and footnotes after C14N.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import docx
import pypdf
import pytest
from docx.shared import Mm
from lxml import etree
from PIL import Image

from cbct_docs.deliver.pdf import convert_to_pdf, soffice_available
from cbct_docs.errors import TemplateError
from cbct_docs.paths import templates_dir
from cbct_docs.render import DocxRenderer

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
COMPARED = ("word/document", "word/header", "word/footer", "word/footnotes")
# The characters that break naive XML templating, and text with line structure.
TRICKY = "Kunst&Co <b> \"De Kunst\" 'Zoë' Café Ûtrecht — § ½"
ADDRESS = "Stationsplein 1\nPostbus 12\tkantoor Oost"


def c14n_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.tostring(etree.fromstring(archive.read(name)), method="c14n")
                for name in archive.namelist() if name.startswith(COMPARED)}


def assert_same_as_docxtpl(renderer: DocxRenderer, context: dict[str, Any]) -> bytes:
    assert renderer.fast, renderer.fallback_reason
    fast = renderer.render(context)
    assert renderer.fallbacks == 0, renderer.fallback_reason
    reference = c14n_parts(renderer.render_with_docxtpl(context))
    produced = c14n_parts(fast)
    assert sorted(produced) == sorted(reference)
    assert any(name.startswith("word/document") for name in produced)
    for name, xml in reference.items():
        assert produced[name] == xml, f"{renderer.name}: {name} differs from docxtpl"
    with zipfile.ZipFile(io.BytesIO(fast)) as archive:
        assert archive.testzip() is None
    return fast


def read_docx(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header):
            parts.extend(p.text for p in part.paragraphs)
    return "\n".join(parts)


# --- the repository's own templates ---------------------------------------------------

BUREAU = {"naam": "Certificeringsbureau Cultuur & Taal", "straat": "Lange Voorhout 9",
          "postcode": "2514 EA", "plaats": "Den Haag", "telefoon": "070 123 45 67",
          "email": "audit@cbct.example", "website": "www.cbct.example", "kvk": "12345678"}
ORGANISATIE = {"naam": TRICKY, "contact": "mevrouw J. de Wit-Özdemir",
               "straat": "Kerkstraat 4 <achterom>", "postcode": "5401 AB",
               "plaats": "Uden", "cert_nr": "KiB-2021-014"}
COMMON = {"bureau": BUREAU, "organisatie": ORGANISATIE,
          "ondertekenaar": {"naam": "drs. P. van 't Hof", "functie": "directeur"},
          "kader": {"naam": "Kwaliteit in Beeld", "code": "KiB"},
          "briefdatum": dt.date(2025, 4, 14), "kenmerk": "KiB/2025/Q2/014",
          "aanhef": "Geachte mevrouw De Wit-Özdemir"}
NORMEN = [{"nummer": 2, "titel": "Bestuur & beleid", "label": "Norm 2: Bestuur & beleid"},
          {"nummer": 5, "titel": "Klant <centraal>", "label": "Norm 5: Klant <centraal>"}]


def _report_norms() -> list[dict[str, Any]]:
    return [{"nummer": 1, "titel": "Missie & visie", "label": "Norm 1: Missie & visie",
             "scores_tekst": "3 × goed",
             "oordeel_kleur": "D9EAD3", "oordeel": "voldoende", "bevindingen": ADDRESS,
             "oordeel_toelichting": "Ruim voldoende & goed onderbouwd",
             "vragen": [{"id": "1.1", "tekst": "Is er een visie?", "kleur": "F4CCCC",
                         "score": "Niet"}],
             "sterke_punten": ["Heldere koers", "Goed & snel"], "verbeterpunten": []}]


def _whitepaper() -> dict[str, Any]:
    item = SimpleNamespace(id="1.1", text="De bibliotheek <werkt> samen", both=True,
                           explanation=["Uitleg één", "Uitleg twee"], documents=["Jaarplan"])
    group = SimpleNamespace(title="Taalhuis & partners", intro=["Inleiding"], items=[item],
                            entries=[item], kind="taalhuis")
    return {"title": "Norm 1: Missie", "subtitle": "Handreiking", "place_line": "KiB · norm 1",
            "lead": ["Eerste alinea", "Tweede & laatste"], "builds_on": ["Norm 0"],
            "concept_title": "Begrip", "concept": ["Wat we bedoelen"],
            "indicators_intro": "Indicatoren:", "legend": "geldt voor beide", "marker": "◆",
            "indicators": [item], "policy_note": ["Let op"], "indicator_groups": [group],
            "questions_intro": "Vragen:", "question_groups": [group],
            "documents_label": "Documenten:", "scoring_intro": ["Zo scoort u"],
            "scale": [{"fill": "F4CCCC", "name": "Niet", "meaning": "onvoldoende",
                       "text": "Nog niet"}],
            "norm": {"title": "Missie", "number": 1},
            "bureau": {"naam": "Bureau & Co", "website": "www.bureau.example"}, "logo": ""}


SAMPLES: dict[str, dict[str, Any]] = {
    "letters/bevestigingsbrief.docx": {
        **COMMON, "categorie": {"code": "II", "dagdelen": 3, "auditors": 2},
        "afspraken": [{"datum": dt.date(2025, 5, 20), "begin": "09:30", "eind": "12:30",
                       "locatie": TRICKY, "onderdeel": "Gesprek met directie & staf"}],
        "duur_uren": 10.5, "auditoren_tekst": "A. Jansen en B. Çelik",
        "zelfevaluatie_deadline": dt.date(2025, 4, 8),
        "vervolg": ["Stuur de zelfevaluatie", "Plan de rondleiding <binnen>"]},
    "letters/besluitbrief.docx": {
        **COMMON, "auditdatum": dt.date(2025, 3, 3), "besluitdatum": dt.date(2025, 4, 1),
        "besluit": "Voorwaardelijk gecertificeerd", "uitkomst": "voorwaardelijk",
        "geldig_tot": dt.date(2029, 4, 1), "onvoldoende_normen": NORMEN,
        "heraudit_datum": dt.date(2025, 10, 1), "bezwaar_weken": 6,
        "bezwaar_deadline": dt.date(2025, 5, 13)},
    "letters/certificaat.docx": {
        **COMMON, "certificaatnummer": "KiB-2025-0042", "geldig_van": dt.date(2025, 4, 1),
        "geldig_tot": dt.date(2029, 4, 1), "modules": ["taalhuis", "ido"],
        "modules_tekst": "Taalhuis en IDO"},
    "letters/heraudit.docx": {
        **COMMON, "besluitdatum": dt.date(2025, 4, 1), "onvoldoende_normen": NORMEN,
        "heraudit_datum": dt.date(2025, 10, 7), "auditoren_tekst": "A. Jansen",
        "documenten_deadline": dt.date(2025, 9, 1)},
    "reports/auditrapport.docx": {
        **COMMON, "versie": "concept 1", "rapportdatum": dt.date(2025, 4, 2),
        "auditdata_tekst": "3 en 4 maart 2025", "auditoren_tekst": "A. Jansen & B. Çelik",
        "categorie": {"code": "III", "dagdelen": 4}, "modules_tekst": "Taalhuis",
        "concept": True, "reactie_deadline": dt.date(2025, 4, 23),
        "reactie_verwerking": "", "normen": _report_norms(), "grafiek": "(grafiek)",
        "advies": "Gecertificeerd", "advies_reden": "Alles op orde <echt>",
        "advies_toelichting": ADDRESS},
    "reports/whitepaper.docx": _whitepaper(),
}


def repository_templates() -> list[Path]:
    return sorted(templates_dir().glob("**/*.docx"))


def sample_for(path: Path) -> dict[str, Any] | None:
    sidecar = path.with_name(path.stem + ".sample.json")
    if sidecar.is_file():
        loaded: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
        return loaded
    return SAMPLES.get(path.relative_to(templates_dir()).as_posix())


@pytest.mark.parametrize("path", repository_templates(), ids=lambda p: p.name)
def test_repository_template_same_as_docxtpl(path: Path) -> None:
    context = sample_for(path)
    if context is None:
        pytest.skip(f"{path}: no sample context; add {path.stem}.sample.json next to it "
                    "or an entry in SAMPLES (tests/test_fastpath.py)")
    renderer = DocxRenderer(path)
    try:
        renderer.render_with_docxtpl(context)
    except Exception as error:  # a template and its sample drifted apart: that is a failure
        pytest.fail(f"{path}: sample context does not fit the template ({error}); "
                    "run `make golden` or update SAMPLES")
    fast = assert_same_as_docxtpl(renderer, context)
    text = read_docx(fast)
    if "organisatie" in context:
        assert context["organisatie"]["naam"] in text or TRICKY in text


def test_every_shipped_letter_has_a_sample() -> None:
    letters = [p for p in repository_templates() if "letters" in p.parts]
    assert all(sample_for(p) is not None for p in letters), "a letter lacks a sample context"


# --- templates built here, one feature each ---------------------------------------------

def png(colour: str) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def letter_with_everything(path: Path) -> Path:
    """Header and footer with tags and a logo, a row loop, paragraph conditions, a picture,
    a literal ``{_{``, and a tagged document title."""
    document = docx.Document()
    document.core_properties.title = "Brief aan {{ naam }}"
    section = document.sections[0]
    section.header.paragraphs[0].text = "Kenmerk {{ kenmerk }} · {{ naam }}"
    section.header.add_paragraph().add_run().add_picture(png("teal"), width=Mm(20))
    section.footer.paragraphs[0].text = "{{ bureau }} — pagina 1"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Eerste blad voor {{ naam }}"
    document.add_paragraph("Geachte {{ naam }},")
    document.add_paragraph("Adres: {{ adres }}")
    document.add_paragraph("{%p if vervolg %}")
    document.add_paragraph("Vervolg: {{ vervolg }}")
    document.add_paragraph("Opmerking: {{r opmerking }}")  # docxtpl's run tag, for RichText
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p if geheim %}")
    document.add_paragraph("Dit hoort u niet te lezen.")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p for stap in stappen %}")
    document.add_paragraph("Stap {{ loop.index }}: {{ stap }}")
    document.add_paragraph("{%p endfor %}")
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Datum", "Onderdeel", "Uren"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for a in afspraken %}"
    row = table.rows[2].cells
    row[0].text = "{{ a.datum|datum }}"
    row[1].text = "{% cellbg a.kleur %}{{ a.onderdeel }}"
    row[2].text = "{{ a.uren|getal(1) }}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    columns = document.add_table(rows=1, cols=3)  # a column loop: more cells than grid
    for cell, text in zip(columns.rows[0].cells,
                          ["{%tc for k in kolommen %}", "{{ k }}", "{%tc endfor %}"], strict=True):
        cell.text = text
    document.add_paragraph().add_run().add_picture(png("orange"), width=Mm(30))
    document.add_paragraph("Letterlijk: {_{ niet_vervangen }_} en {_% ook niet %_}")
    document.add_paragraph("Met vriendelijke groet, {{ bureau }}")
    document.save(str(path))
    return path


def letter_context(**extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "naam": TRICKY, "adres": ADDRESS, "kenmerk": "KiB/2025/<7>", "bureau": "CBCT & Co",
        "vervolg": "Zelfevaluatie\tinsturen", "geheim": False, "opmerking": "",
        "stappen": ["Intake & planning", "Audit", "Rapport <concept>"],
        "kolommen": ["Norm 1", "Norm 2 & 3", "Norm 4", "Norm 5"],
        "afspraken": [
            {"datum": dt.date(2025, 5, 20), "onderdeel": TRICKY, "kleur": "D9EAD3",
             "uren": 3.5},
            {"datum": dt.date(2025, 5, 21), "onderdeel": "Rondleiding\nen gesprek",
             "kleur": "FFF2CC", "uren": 2},
        ]}
    context.update(extra)
    return context


@pytest.fixture
def everything(tmp_path: Path) -> DocxRenderer:
    return DocxRenderer(letter_with_everything(tmp_path / "alles.docx"))


def test_built_letter_same_as_docxtpl(everything: DocxRenderer) -> None:
    assert_same_as_docxtpl(everything, letter_context())


def test_table_grids_are_repaired_like_docxtpl(tmp_path: Path) -> None:
    """A row loop that makes no rows, and a column loop, change the table grid."""
    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    table.rows[0].cells[0].text = "Kop"
    table.rows[1].cells[0].text = "{%tr for r in rijen %}"
    table.rows[2].cells[0].text = "{{ r }}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    table.rows[0].cells[0].merge(table.rows[0].cells[1])
    document.save(str(tmp_path / "tabel.docx"))
    renderer = DocxRenderer(tmp_path / "tabel.docx")
    for rows in ([], ["een", "twee & drie"]):
        assert_same_as_docxtpl(renderer, {"rijen": rows})
    everything = DocxRenderer(letter_with_everything(tmp_path / "alles.docx"))
    for columns in ([], ["a"], ["a", "b", "c", "d", "e", "f"]):
        data = assert_same_as_docxtpl(everything, letter_context(kolommen=columns))
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    grids = body.xpath("//w:tblGrid", namespaces={"w": W_NS})
    assert [len(grid) for grid in grids] == [3, 6]  # the grid grew with the column loop


def test_built_letter_reads_as_expected(everything: DocxRenderer) -> None:
    data = everything.render(letter_context())
    text = read_docx(data)
    assert f"Geachte {TRICKY}," in text
    assert "Adres: Stationsplein 1\nPostbus 12\tkantoor Oost" in text
    assert "Vervolg: Zelfevaluatie\tinsturen" in text
    assert "Dit hoort u niet te lezen." not in text
    assert "Stap 3: Rapport <concept>" in text
    assert f"20 mei 2025 | {TRICKY} | 3,5" in text
    assert "21 mei 2025 | Rondleiding\nen gesprek | 2,0" in text
    assert "Kenmerk KiB/2025/<7> · " + TRICKY in text
    assert f"Eerste blad voor {TRICKY}" in text
    assert "CBCT & Co — pagina 1" in text
    assert "Letterlijk: {{ niet_vervangen }} en {% ook niet %}" in text
    assert "Norm 1 | Norm 2 & 3 | Norm 4 | Norm 5" in text
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == f"Brief aan {TRICKY}"  # docxtpl escapes twice
    assert len(document.inline_shapes) == 1  # the body picture; the logo is in the header


def test_pictures_keep_unique_ids(everything: DocxRenderer) -> None:
    body = zipfile.ZipFile(io.BytesIO(everything.render(letter_context()))).read(
        "word/document.xml")
    ids = etree.fromstring(body).xpath("//wp:docPr/@id", namespaces={
        "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"})
    assert ids == ["1001"]


def test_data_with_docxtpl_escapes_stays_literal(everything: DocxRenderer) -> None:
    """docxtpl would turn a name's ``{_{`` into ``{{``; the compiled path keeps the data."""
    name = "Stichting {_{ raar }_} {{ geen_tag }}"
    text = read_docx(everything.render(letter_context(naam=name)))
    assert f"Geachte {name}," in text
    reference = read_docx(everything.render_with_docxtpl(letter_context(naam=name)))
    assert "Geachte Stichting {{ raar }} {{ geen_tag }}," in reference


def test_unchanged_parts_are_copied_byte_for_byte(everything: DocxRenderer) -> None:
    template = zipfile.ZipFile(everything.path)
    made = zipfile.ZipFile(io.BytesIO(everything.render(letter_context())))
    assert made.namelist() == template.namelist()
    rendered = {"word/document.xml", "docProps/core.xml"} | {
        n for n in made.namelist() if n.startswith(("word/header", "word/footer"))
        and n.endswith(".xml")}
    for name in set(template.namelist()) - rendered:
        assert made.read(name) == template.read(name), name
        assert made.getinfo(name).CRC == template.getinfo(name).CRC


def test_missing_field_is_a_template_error(everything: DocxRenderer) -> None:
    context = letter_context()
    del context["kenmerk"]
    with pytest.raises(TemplateError) as caught:
        everything.render(context)
    assert "uses 'kenmerk', which this record does not have" in str(caught.value)
    assert str(caught.value).startswith(everything.name)


def test_richtext_in_context_falls_back_to_docxtpl(everything: DocxRenderer,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    from docxtpl import RichText

    with caplog.at_level(logging.INFO, logger="cbct_docs.render.docx"):
        data = everything.render(letter_context(opmerking=RichText("Vet vervolg", bold=True)))
    assert everything.fast
    assert everything.fallbacks == 1
    assert "RichText" in (everything.fallback_reason or "")
    assert "RichText" in caplog.text
    assert "Opmerking: Vet vervolg" in read_docx(data)
    everything.render(letter_context())
    assert everything.fallbacks == 1  # the next plain record is fast again


# --- LibreOffice opens what the compiled path writes (one batch for the module) ---------

@pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")
def test_libreoffice_opens_compiled_output(everything: DocxRenderer, tmp_path: Path) -> None:
    paths = []
    for number, name in enumerate(["Bibliotheek Maas & Waal", "Taalhuis Zoë <Noord>"], 1):
        path = tmp_path / f"brief-{number}.docx"
        path.write_bytes(everything.render(letter_context(naam=name)))
        paths.append(path)
    pdfs = convert_to_pdf(paths, tmp_path / "pdf")
    for pdf, name in zip(pdfs, ["Bibliotheek Maas & Waal", "Taalhuis Zoë <Noord>"], strict=True):
        text = " ".join(" ".join((p.extract_text() or "").split())
                        for p in pypdf.PdfReader(pdf).pages)
        assert f"Geachte {name}," in text
        assert "Stap 2: Audit" in text


def test_picture_in_context_is_placed_on_the_compiled_path(tmp_path: Path) -> None:
    """tests/test_fast_docx_pictures.py compares every member with docxtpl's."""
    from cbct_docs.render.images import DocxImage

    document = docx.Document()
    document.add_paragraph("Grafiek voor {{ naam }}:")
    document.add_paragraph("{{ grafiek }}")
    document.save(str(tmp_path / "g.docx"))
    renderer = DocxRenderer(tmp_path / "g.docx")
    data = assert_same_as_docxtpl(
        renderer, {"naam": TRICKY, "grafiek": DocxImage(png("navy").getvalue(), 40)})
    made = docx.Document(io.BytesIO(data))
    assert f"Grafiek voor {TRICKY}:" in read_docx(data)
    assert len(made.inline_shapes) == 1


# --- e-mails: CSS inlined once equals CSS inlined per message ---------------------------

MAIL = {"bureau": {**BUREAU, "portaal": "https://portaal.example/?org=14&taal=nl",
                   "applicatie": "Zenya & <co>"},
        "aanhef": "Beste mevrouw 'Zoë' <De Wit>", "ondertekenaar": COMMON["ondertekenaar"],
        "kader": {"naam": "Kwaliteit in Beeld"}, "organisatie": ORGANISATIE,
        "geldig_tot": dt.date(2025, 6, 30), "kwartaal": dt.date(2025, 5, 1),
        "intake_deadline": dt.date(2025, 3, 14), "zelfevaluatie_weken": 6,
        "aankondigingsdatum": dt.date(2025, 2, 1), "enquete_deadline": dt.date(2025, 7, 1),
        "enquete_link": "https://enquete.example/?id=1&x=\"2\"", "campagne": TRICKY,
        "plaatsen": 3, "positie": 2, "geplaatst": True,
        "document": "rapport-concept", "cyclus_jaren": 4, "de_organisatie": "de bibliotheek",
        "je": "je", "Je": "Je", "jouw": "jouw", "Jouw": "Jouw", "jullie": "jullie",
        "Jullie": "Jullie", "u": False}
MAIL["campagne"] = {"titel": TRICKY, "deelnemers_krijgen": "Begeleiding & <advies>",
                    "antwoord_geplaatst": "Start op 3 juni.",
                    "antwoord_niet_geplaatst": "We houden je op de hoogte."}


def email_templates() -> list[Path]:
    return sorted(p for p in (templates_dir() / "emails").glob("*.html")
                  if not p.name.startswith("_"))


def assert_inlined_once_equals_per_message(path: Path, contexts: list[dict[str, Any]]) -> Any:
    from cbct_docs.render import HtmlRenderer
    from cbct_docs.render.fast_email import InlinedHtmlRenderer, canonical_html
    from cbct_docs.render.inline import inline_css

    fast, plain = InlinedHtmlRenderer(path), HtmlRenderer(path)
    assert fast.fast, fast.fallback_reason
    for context in contexts:
        once = fast.render(context)
        assert canonical_html(once) == canonical_html(inline_css(plain.render(context)))
    assert fast.fast, fast.fallback_reason  # the first-message check did not object
    return fast


@pytest.mark.parametrize("path", email_templates(), ids=lambda p: p.name)
def test_email_inlined_once_equals_per_message(path: Path) -> None:
    from cbct_docs.render import HtmlRenderer

    contexts = [MAIL, {**MAIL, "geplaatst": True, "organisatie": {"naam": "Bieb & Zo"}},
                {**MAIL, "geplaatst": False, "aanhef": "Beste lezer"}]
    try:
        HtmlRenderer(path).render(MAIL)
    except TemplateError as error:  # a new or changed template: the sample must grow
        pytest.skip(f"{path}: the sample MAIL context does not fit ({error}); extend MAIL")
    assert_inlined_once_equals_per_message(path, contexts)


def test_email_with_loops_tables_and_conditions(tmp_path: Path) -> None:
    (tmp_path / "_basis.html").write_text(
        "<!DOCTYPE html><html><head><title>{% block titel %}{% endblock %}</title><style>"
        ".rij td { color: #333; } table.lijst { border: 1px solid #ccc; } "
        "p.let { font-weight: bold; } @media (max-width: 400px) { td { padding: 2px; } }"
        "</style></head><body>{% block inhoud %}{% endblock %}</body></html>",
        encoding="utf-8")
    (tmp_path / "lijst.html").write_text(
        '{% extends "_basis.html" %}{% block titel %}Overzicht {{ naam }}{% endblock %}'
        '{% block inhoud %}<table class="lijst"><tbody>{% for r in rijen %}<tr class="rij">'
        '<td>{{ r.naam }}</td><td><a href="{{ r.link }}">open</a></td></tr>{% endfor %}'
        '</tbody></table>{% if let %}<p class="let">Let op: {{ let }}</p>{% else %}<p>Geen'
        ' opmerkingen.</p>{% endif %}{% endblock %}', encoding="utf-8")
    rows = [{"naam": TRICKY, "link": "https://x.example/?a=1&b=<2>"},
            {"naam": "Taalhuis Noord", "link": "https://x.example/n"}]
    renderer = assert_inlined_once_equals_per_message(tmp_path / "lijst.html", [
        {"naam": TRICKY, "rijen": rows, "let": "morgen & overmorgen"},
        {"naam": "Leeg", "rijen": [], "let": ""}])
    html = renderer.render({"naam": "X", "rijen": rows, "let": "nu"})
    assert '<tr class="rij" style=' not in html  # styles go on the cells
    assert 'td style="color: #333;"' in html
    assert "Kunst&amp;Co &lt;b&gt;" in html
    assert 'p class="let" style="font-weight: bold;"' in html
    assert "@media (max-width: 400px)" in html


@pytest.mark.parametrize("body, reason", [
    ("<style>li:first-child { color: red; }</style><ul>{% for x in xs %}<li>{{ x }}</li>"
     "{% endfor %}</ul>", "depends on structure"),
    ('<style>.a { color: red; }</style><p class="{{ cls }}">{{ xs|join(", ") }}</p>',
     "sets a class"),
    ("<style>p { color: red; }</style>{% if xs %}<div>{% endif %}<p>{{ xs|first }}</p>",
     "branch opens or closes"),
    ("<style>td { color: red; }</style><table>{% for x in xs %}<tr><td>{{ x }}</td></tr>"
     "{% endfor %}</table>", "branch opens or closes"),  # the parser adds <tbody> in the loop
])
def test_email_falls_back_when_css_sees_the_tags(tmp_path: Path, body: str,
                                                 reason: str) -> None:
    from cbct_docs.render import HtmlRenderer
    from cbct_docs.render.fast_email import InlinedHtmlRenderer
    from cbct_docs.render.inline import inline_css

    path = tmp_path / "mail.html"
    path.write_text(body, encoding="utf-8")
    renderer = InlinedHtmlRenderer(path)
    assert not renderer.fast
    assert reason in (renderer.fallback_reason or "")
    context = {"xs": ["een", "twee"], "cls": "a"}
    assert renderer.render(context) == inline_css(HtmlRenderer(path).render(context))
