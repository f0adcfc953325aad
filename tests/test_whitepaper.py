"""Whitepapers: the sample norm guide rendered to Word and HTML, read back as a reader would.

Expected texts come from the two inputs (the framework file and the sample YAML), so a
change in either is followed by the documents, and the tests check that it is.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
import yaml
from docx.oxml.ns import qn
from docx.table import _Cell

from cbct_docs.domain.frameworks import Part, load_framework
from cbct_docs.paths import samples_dir
from cbct_docs.whitepaper import MARKER, load_guide, render_docx, render_html

#: The legend's words, which live in the templates (Word and HTML alike).
LEGEND = "geldt voor de organisatie én voor het taalhuis"
SAMPLE = samples_dir() / "whitepapers" / "kib-4-samenwerking.yaml"
KIB = load_framework("KiB")
NORM = KIB.norm(4)
BOTH_ID = "taalhuis.c"  # the sample's indicator for organisation and taalhuis
H1 = ["De plaats van deze norm", "Wat verstaan we onder samenwerking?", "Indicatoren",
      "Beoordelingsvragen", "Zo scoren de auditoren"]
IDO = KIB.modules["ido"].title
H2 = ["Indicatoren voor het taalhuis", f"Indicatoren voor de module {IDO}",
      "Vragen voor de organisatie", "Vragen voor het taalhuis", f"Vragen voor de module {IDO}"]


def sample_content() -> dict[str, Any]:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


def indicator_text(item_id: str) -> str:
    parts: list[Part] = [NORM, *KIB.modules.values()]
    for part in parts:
        for indicator in part.indicators:
            if indicator.id == item_id:
                return indicator.text
    raise KeyError(item_id)


def expected_lists() -> dict[str, list[str]]:
    """Per section heading: the indicator statements in order, with the marker where due."""
    content = sample_content()
    modules = content["modules"]
    main = [indicator_text(e["id"]) for e in content["indicators"]]
    taalhuis = []
    for entry in modules["taalhuis"]["indicators"]:
        if entry["id"] == BOTH_ID:
            main.append(f"{indicator_text(BOTH_ID)} {MARKER}")
        else:
            taalhuis.append(indicator_text(entry["id"]))
    ido = [indicator_text(e["id"]) for e in modules["ido"]["indicators"]]
    return {"Indicatoren": main, "Indicatoren voor het taalhuis": taalhuis,
            f"Indicatoren voor de module {IDO}": ido}


def expected_documents() -> dict[str, list[str]]:
    """Question text → its 'Documenten ter onderbouwing', from the sample and framework."""
    content = sample_content()
    entries = [*content["questions"], *content["modules"]["taalhuis"]["questions"],
               *content["modules"]["ido"]["questions"]]
    return {KIB.question(e["id"]).text: e["documents"] for e in entries}


@pytest.fixture(scope="module")
def guide() -> Any:
    return load_guide(SAMPLE)


@pytest.fixture(scope="module")
def word(guide: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("whitepaper") / "KiB-norm-4.docx"
    path.write_bytes(render_docx(guide))
    return path


@pytest.fixture(scope="module")
def page(guide: Any) -> Any:
    return lxml.html.fromstring(render_html(guide))


# --- Word ---------------------------------------------------------------------------

def paragraphs(path: Path) -> list[Any]:
    return list(docx.Document(str(path)).paragraphs)


def test_docx_title_lead_and_headings(word: Path) -> None:
    paras = paragraphs(word)
    by_style = {name: [p.text for p in paras if p.style.name == name]
                for name in ("Title", "Heading 1", "Heading 2")}
    assert by_style["Title"] == [f"Norm 4: {NORM.title}"]
    assert f"{KIB.name} · norm 4 van {len(KIB.norms)}" in [p.text for p in paras]
    assert by_style["Heading 1"] == H1
    assert by_style["Heading 2"] == H2
    place = "\n".join(p.text for p in paras)
    assert "In norm 1 (missie, visie, strategie en beleid)" in place
    text = "\n".join(p.text for p in paras)
    assert "{{" not in text and "{%" not in text


def docx_sections(path: Path) -> dict[str, list[Any]]:
    """Heading text → the List Number paragraphs under it."""
    sections: dict[str, list[Any]] = {}
    current = ""
    for paragraph in paragraphs(path):
        if paragraph.style.name.startswith("Heading"):
            current = paragraph.text
        elif paragraph.style.name == "List Number":
            sections.setdefault(current, []).append(paragraph)
    return sections


def test_docx_indicators_numbered_per_section_with_marker(word: Path) -> None:
    sections = docx_sections(word)
    assert {h: [p.text for p in ps] for h, ps in sections.items()} == expected_lists()
    document = docx.Document(str(word))
    numbering = document.part.numbering_part.element
    num_ids = []
    for items in sections.values():
        ids = {p._p.pPr.numPr.numId.val for p in items}
        assert len(ids) == 1, "one list per section"
        num_id = ids.pop()
        num_ids.append(num_id)
        assert all(p._p.pPr.numPr.ilvl.val == 0 for p in items)
        num = numbering.num_having_numId(num_id)
        start = num.find(qn("w:lvlOverride") + "/" + qn("w:startOverride"))
        assert start is not None and start.get(qn("w:val")) == "1"
        abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                        if a.get(qn("w:abstractNumId")) == str(num.abstractNumId.val))
        level0 = abstract.find(qn("w:lvl"))
        assert level0.find(qn("w:numFmt")).get(qn("w:val")) == "decimal"
    assert len(set(num_ids)) == len(num_ids) == 3, "each section restarts at 1"


def test_docx_legend_and_explanations(word: Path, guide: Any) -> None:
    paras = paragraphs(word)
    legends = [p.text for p in paras if p.style.name == "Legenda"]
    assert legends == [f"{MARKER} {LEGEND}"]
    marked = [p.text for p in paras if p.text.endswith(MARKER) and p.style.name == "List Number"]
    assert marked == [f"{indicator_text(BOTH_ID)} {MARKER}"]
    texts = [p.text for p in paras]
    first = texts.index(indicator_text(guide.indicators[0].id))
    assert paras[first + 1].style.name == "Toelichting"
    assert paras[first + 1].text == " ".join(guide.indicators[0].explanation)


def test_docx_documents_are_bullet_lists(word: Path) -> None:
    paras = paragraphs(word)
    found: dict[str, list[str]] = {}
    question = None
    for paragraph in paras:
        if paragraph.style.name == "Heading 3":
            question = paragraph.text.split(" ", 1)[1]
            found[question] = []
        elif paragraph.style.name == "List Bullet" and question:
            found[question].append(paragraph.text)
    assert found == expected_documents()
    labels = [p for p in paras if p.text == "Documenten ter onderbouwing"]
    assert len(labels) == len(found)
    style = docx.Document(str(word)).styles["List Bullet"]
    num_id = int(style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
                 .get(qn("w:val")))
    numbering = docx.Document(str(word)).part.numbering_part.element
    abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(abstract_id))
    assert abstract.find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val")) == "bullet"


def fill_of(cell: _Cell) -> str | None:
    """A table cell's background colour (w:tcPr/w:shd/@w:fill); these cells are all shaded."""
    properties = cell._tc.tcPr
    assert properties is not None, "a shaded cell has its own properties (w:tcPr)"
    return properties.find(qn("w:shd")).get(qn("w:fill"))


def test_docx_let_op_box_and_scale_table(word: Path) -> None:
    document = docx.Document(str(word))
    box, scale = document.tables
    cell = box.cell(0, 0)
    assert fill_of(cell) == "FFF2CC"
    assert cell.paragraphs[0].text == "Let op"
    assert "‘nee’ is niet vanzelf een tekortkoming" in cell.text
    rows = [[c.text for c in row.cells] for row in scale.rows]
    assert rows[0] == ["Score", "Betekenis", "Wat de auditor ziet"]
    assert [r[:2] for r in rows[1:]] == [[level.name, level.meaning] for level in KIB.scale]
    fills = [fill_of(row.cells[0]) for row in scale.rows[1:]]
    assert fills == ["F4CCCC", "F4CCCC", "FFF2CC", "D9EAD3"]  # red, red, yellow, green


# --- HTML ---------------------------------------------------------------------------

def clean(element: Any) -> str:
    return " ".join(element.text_content().split())


def test_html_is_self_contained_and_fits_a_phone(page: Any) -> None:
    assert page.get("lang") == "nl"
    viewport = page.xpath("//meta[@name='viewport']/@content")
    assert viewport == ["width=device-width, initial-scale=1"]
    css = " ".join(page.xpath("//style/text()"))
    assert "max-width" in css and "@media (max-width" in css
    assert not page.xpath("//link[@rel='stylesheet'] | //script[@src] | //img[@src]")


def test_html_title_and_headings(page: Any) -> None:
    assert [clean(h) for h in page.xpath("//h1")] == [f"Norm 4: {NORM.title}"]
    assert clean(page.xpath("//p[@class='place']")[0]) == f"{KIB.name} · norm 4 van 7"
    assert [clean(h) for h in page.xpath("//h2")] == H1
    assert [clean(h) for h in page.xpath("//h3")] == H2


def test_html_indicator_lists_marker_and_legend(page: Any) -> None:
    lists = {}
    for ol in page.xpath("//ol[@class='indicators']"):
        heading = ol.xpath("preceding::*[self::h2 or self::h3][1]")[0]
        lists[clean(heading)] = [" ".join(
            [clean(li.xpath("span[@class='statement']")[0]),
             *[clean(m) for m in li.xpath("span[@class='marker']")]]) for li in ol.xpath("li")]
    assert lists == expected_lists()
    legend = page.xpath("//p[@class='legend']")
    assert [clean(p) for p in legend] == [f"{MARKER} {LEGEND}"]
    note = page.xpath("//aside[@class='let-op']")[0]
    assert clean(note).startswith("Let op Een ‘nee’ is niet vanzelf een tekortkoming")


def test_html_questions_with_document_bullets(page: Any) -> None:
    found = {}
    for block in page.xpath("//div[@class='question']"):
        title = clean(block.xpath("h4")[0]).split(" ", 1)[1]
        assert clean(block.xpath("p[@class='documents-label']")[0]) == \
            "Documenten ter onderbouwing"
        found[title] = [clean(li) for li in block.xpath("ul[@class='documents']/li")]
    assert found == expected_documents()
    groups = [(g.get("data-kind"), len(g.xpath(".//div[@class='question']")))
              for g in page.xpath("//section[@class='question-group']")]
    assert groups == [("organisatie", 3), ("taalhuis", 2), ("module-ido", 1)]
    rows = [[clean(td) for td in tr.xpath("td")] for tr in page.xpath("//table//tbody/tr")]
    assert [r[:2] for r in rows] == [[level.name, level.meaning] for level in KIB.scale]


# --- Norm-level taalhuis items, escaping, a framework given by path --------------------

ZOO_GUIDE = """\
framework: ZoO
norm: 3
builds_on: Deze norm bouwt voort op norm 1.
concept:
  text: |
    Samenwerken met R&D <partners> en "buren".

    Tweede alinea.
indicators:
  - {id: 3.a, explanation: Uitleg A.}
  - {id: 3.b, explanation: Uitleg B.}
questions:
  - {id: "3.1", explanation: Een., documents: [Plan]}
  - {id: "3.2", explanation: Twee., documents: [Verslag]}
  - {id: "3.3", explanation: Drie., documents: [Convenant, Jaarcijfers]}
"""


def test_norm_level_taalhuis_items_and_escaping(tmp_path: Path) -> None:
    zoo = load_framework("ZoO")
    norm = zoo.norm(3)
    source = tmp_path / "zoo-3.yaml"
    source.write_text(ZOO_GUIDE, encoding="utf-8")
    guide = load_guide(source)
    page = lxml.html.fromstring(render_html(guide))
    html = render_html(guide)
    assert "R&amp;D &lt;partners&gt;" in html
    assert clean(page.xpath("//section[@id='begrip']/p")[0]) == \
        'Samenwerken met R&D <partners> en "buren".'
    scope = {i.id: i.scope for i in norm.indicators}
    taalhuis_items = [clean(li.xpath("span")[0]) for li in
                      page.xpath("//section[@data-kind='taalhuis']/ol/li")]
    assert taalhuis_items == [i.text for i in norm.indicators if scope[i.id] == "taalhuis"]
    assert not page.xpath("//p[@class='legend']"), "no 'beide' indicator, so no legend"
    question_groups = {g.get("data-kind"): [clean(h).split(" ", 1)[1] for h in g.xpath(".//h4")]
                       for g in page.xpath("//section[@class='question-group']")}
    assert question_groups == {
        "organisatie": [q.text for q in norm.questions if q.scope == "organisatie"],
        "taalhuis": [q.text for q in norm.questions if q.scope == "taalhuis"]}
    document = docx.Document(io.BytesIO(render_docx(guide)))
    texts = [p.text for p in document.paragraphs]
    assert 'Samenwerken met R&D <partners> en "buren".' in texts
    assert f"{zoo.name} · norm 3 van 7" in texts


def test_framework_by_path_is_the_single_source_of_titles(tmp_path: Path) -> None:
    framework_file = Path(KIB.source)
    text = framework_file.read_text(encoding="utf-8").replace(
        "title: Samenwerking", "title: Samenwerking en netwerken")
    (tmp_path / "eigen-kib.yaml").write_text(text, encoding="utf-8")
    content = sample_content()
    content["framework"] = "eigen-kib.yaml"  # relative to the norm file
    source = tmp_path / "norm.yaml"
    source.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    page = lxml.html.fromstring(render_html(load_guide(source)))
    assert clean(page.xpath("//h1")[0]) == "Norm 4: Samenwerking en netwerken"


# --- LibreOffice: the Word file opens and shows restarted numbers ----------------------

SOFFICE = shutil.which("soffice") or ("/usr/bin/soffice" if Path("/usr/bin/soffice").exists()
                                      else None)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")
def test_libreoffice_converts_the_whitepaper(word: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(word)], capture_output=True, timeout=180, check=False)
    pdf = tmp_path / f"{word.stem}.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    flat = " ".join(text.split())
    assert f"Norm 4: {NORM.title}" in flat
    lists = expected_lists()
    # Word numbers each section from 1: the first taalhuis and IDO statements read "1. …".
    for heading, items in lists.items():
        for number, item in enumerate(items, start=1):
            statement = item.removesuffix(f" {MARKER}")
            assert f"{number}. {statement[:40]}" in flat, (heading, number)
    assert "Documenten ter onderbouwing" in flat
