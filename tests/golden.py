"""Golden text outputs: what a reader sees in every document of the sample lifecycle.

``python -m tests.golden regenerate`` (``make golden``) renders the round into a temporary
folder and writes one text file per document to tests/golden/; the test
``tests/test_documents_golden.py`` renders again and compares. After an intended change
to a template or a sample, regenerate and review the diff with ``git diff tests/golden``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import json
import shutil
import sys
import tempfile
from email import policy
from pathlib import Path
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from cbct_docs.documents.chart import ScoreChart
from cbct_docs.documents.context import load_office
from cbct_docs.documents.planning_data import read_planning
from cbct_docs.paths import samples_dir
from cbct_docs.render.images import DocxImage
from cbct_docs.runs.demo import Samples, run_round
from cbct_docs.runs.office import OfficeFolder
from cbct_docs.runs.status import status as office_status
from cbct_docs.runs.status import status_lines

GOLDEN = Path(__file__).resolve().parent / "golden"
STATUS_DAY = dt.date(2026, 3, 1)
REPO = Path(__file__).resolve().parent.parent


def docx_reading_text(path: Path) -> str:
    """Body in reading order (paragraphs and table rows), then headers and footers."""
    document = docx.Document(str(path))
    lines = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    for number, section in enumerate(document.sections, start=1):
        lines.append(f"[kop {number}] " + " / ".join(p.text for p in section.header.paragraphs
                                                     if p.text))
        lines.append(f"[voet {number}] " + " / ".join(p.text for p in section.footer.paragraphs
                                                      if p.text))
    return "\n".join(line.rstrip() for line in lines).strip() + "\n"


def eml_reading_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    head = [f"Van: {message['From']}", f"Aan: {message['To']}",
            f"Onderwerp: {message['Subject']}"]
    return "\n".join(head) + "\n\n" + text.replace("\r\n", "\n").strip() + "\n"


BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "div", "section",
          "aside", "header", "footer")


def html_reading_text(path: Path) -> str:
    """The text of a web page a reader sees (no styles or scripts), a line per block."""
    import lxml.html

    page = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    for hidden in page.xpath("//style | //script"):
        hidden.drop_tree()
    for block in page.iter(*BLOCKS):  # a block ends its line, as a browser shows it
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in page.text_content().splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def reading_text(path: Path) -> str:
    if path.suffix == ".docx":
        return docx_reading_text(path)
    if path.suffix == ".eml":
        return eml_reading_text(path)
    return path.read_text(encoding="utf-8")


def whitepaper_texts(out: Path, settings: Path = REPO / "cbct-docs.toml") -> dict[str, str]:
    """The sample norm guide as the example office makes it (Word and web page)."""
    from cbct_docs.runs.whitepaper import whitepaper

    office = OfficeFolder(out, settings, new_database_ok=True,
                          database_file=out / "cbct-ledger.sqlite")
    try:
        made = whitepaper(office, [samples_dir() / "whitepapers" / "kib-4-samenwerking.yaml"],
                          out=out / "whitepaper").made
    finally:
        office.close()
    return {f"whitepaper/{m.path.name}.txt": (html_reading_text(m.path) if
                                              m.path.suffix == ".html" else
                                              reading_text(m.path)) for m in made}


#: The "u" voice is kept for these documents: a library, a culture organisation and a
#: taalhuis, in every kind of letter and e-mail they get.
U_VOICE = ("CBCT-0101", "CBCT-0103", "CBCT-0104")


def render_round(out: Path, settings: Path = REPO / "cbct-docs.toml") -> list[Path]:
    """The sample lifecycle with the example office's settings, without PDFs."""
    # A fresh database next to the output: numbers 0001, 0002 … as on a first real run.
    office = OfficeFolder(out, settings, new_database_ok=True,
                          database_file=out / "cbct-ledger.sqlite")
    try:
        made = run_round(office, Samples.in_folder(samples_dir()), out).made
        # Where every organisation stands afterwards, as `cbct-docs status` shows it.
        status = out / "status" / "status-1-3-2026.txt"
        status.parent.mkdir()
        rows = office_status(office, STATUS_DAY)
        status.write_text("\n".join(status_lines(rows)) + "\n", encoding="utf-8")
        return [*made, status]
    finally:
        office.close()


def u_settings(folder: Path) -> Path:
    """The example office writing "u" instead of "je"."""
    text = (REPO / "cbct-docs.toml").read_text(encoding="utf-8")
    assert 'aanspreekvorm = "je"' in text
    path = folder / "cbct-docs.toml"
    path.write_text(text.replace('aanspreekvorm = "je"', 'aanspreekvorm = "u"'),
                    encoding="utf-8")
    return path


def golden_texts(out: Path) -> dict[str, str]:
    """Relative golden name → reading text, for every document of the round ("je", the
    office's voice), and in "u" for a library, a culture organisation and a taalhuis; the
    sample whitepaper (always "je")."""
    (out / "je").mkdir()
    texts = {f"{path.parent.relative_to(out).as_posix()}/{path.stem}.txt": reading_text(path)
             for path in render_round(out / "je")}
    texts = {name.removeprefix("je/"): text for name, text in texts.items()}
    (out / "whitepaper").mkdir()
    texts.update(whitepaper_texts(out / "whitepaper"))
    (out / "u").mkdir()
    formal = render_round(out / "u", u_settings(out / "u"))
    for path in formal:
        if path.name.startswith(U_VOICE) and path.suffix in (".docx", ".eml"):
            texts[f"u/{path.parent.name}/{path.stem}.txt"] = reading_text(path)
    return texts


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")  # as a person types it; the tijd filter reads it
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, DocxImage | ScoreChart):
        return "(grafiek)"  # a chart cannot go into JSON; the text stands in for it
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def sample_contexts() -> dict[str, dict[str, Any]]:
    """A real context per Word template, from the sample round, with a name that needs
    escaping: template authors see every field, the fast-path test renders them."""
    from cbct_docs.documents.certificate import certificate_context
    from cbct_docs.documents.confirmation import confirmation_context
    from cbct_docs.documents.decision import (
        decision_context,
        heraudit_context,
        heraudit_decision_context,
    )
    from cbct_docs.documents.news import news_context
    from cbct_docs.documents.report import report_context
    from cbct_docs.domain.advice import evaluate
    from cbct_docs.domain.permissions import judge_heraudit
    from cbct_docs.domain.register import find_organisation, read_register
    from cbct_docs.domain.scoresheet import read_scoresheet

    samples = Samples.in_folder(samples_dir())
    office = load_office(REPO / "cbct-docs.toml")
    orgs = read_register(samples.register)
    org = dataclasses.replace(find_organisation(orgs, "CBCT-0111"),
                              name="Bibliotheek Eemland & <Amersfoort>")
    sheet = read_scoresheet(samples.scores / "CBCT-0111.xlsx")
    plan = read_planning(samples.planning)["CBCT-0111"]
    decided = dt.date(2025, 7, 9)
    return {
        "letters/bevestigingsbrief": confirmation_context(org, plan, office, dt.date(2025, 2, 3)),
        "letters/besluitbrief": decision_context(org, sheet, office, decided),
        "letters/heraudit": heraudit_context(org, sheet, office, decided, dt.date(2025, 11, 1)),
        "letters/certificaat": certificate_context(org, "KiB-2025-0042", office, decided),
        "letters/besluitbrief-heraudit": heraudit_decision_context(
            org, sheet, office, dt.date(2026, 1, 20),
            judge_heraudit(evaluate(sheet), [str(p.key) for p in
                                             evaluate(sheet).insufficient_parts]),
            first_decision=decided),
        "reports/auditrapport": report_context(org, sheet, office, dt.date(2025, 6, 11),
                                               concept=True),
        "nieuws/nieuwsbericht": news_context(
            org, office, decided=decided, audit_days=sheet.audit_dates,
            number="KiB-2025-0042", valid_until=dt.date(2029, 7, 8),
            auditors=len(sheet.auditors),
            heraudit_days=[dt.date(2026, 1, 12)]),
    }


def write_sample_contexts() -> None:
    from cbct_docs.paths import templates_dir

    for name, context in sample_contexts().items():
        target = templates_dir() / f"{name}.sample.json"
        text = json.dumps(context, default=_json_value, ensure_ascii=False, indent=1)
        target.write_text(text + "\n", encoding="utf-8")


def regenerate() -> int:
    write_sample_contexts()
    with tempfile.TemporaryDirectory() as folder:
        texts = golden_texts(Path(folder))
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for name, text in sorted(texts.items()):
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    print(f"{len(texts)} golden files written to {GOLDEN.relative_to(REPO)}/; sample "
          "contexts next to the Word templates (*.sample.json)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate"]:
        print("usage: python -m tests.golden regenerate", file=sys.stderr)
        sys.exit(2)
    sys.exit(regenerate())
