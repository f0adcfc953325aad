"""Anchor: the aankondiging as an office could script it in ~40 lines, with premailer.

``python bench/anchor_premailer.py OFFICE OUT``: reads OFFICE/register.xlsx and
OFFICE/cbct-docs.toml, renders templates/emails/aankondiging.{txt,html} with plain Jinja
for every certificate ending in 2025-Q2, inlines the CSS with premailer and writes each
e-mail as an .eml with the standard library. Prints how many it wrote.
"""

import datetime as dt
import sys
import tomllib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import jinja2
import openpyxl

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]
FRAMEWORKS = {"KiB": "Kwaliteit in Beeld", "ZoO": "Zicht op Ontwikkeling"}


def datum(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def premailer_inline(html: str) -> str:
    import premailer

    return str(premailer.transform(html, keep_style_tags=True, strip_important=False))


def main(inline: Callable[[str], str] = premailer_inline,
         argv: list[str] | None = None) -> int:
    office, out = (Path(a) for a in (argv or sys.argv[1:]))
    out.mkdir(parents=True, exist_ok=True)
    settings = tomllib.loads((office / "cbct-docs.toml").read_text(encoding="utf-8"))
    head, sender = settings["letterhead"], settings["sender"]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html"]))
    env.filters.update(datum=datum, kwartaal=lambda q: "tweede kwartaal van 2025",
                       woord=lambda n: {4: "vier", 6: "zes"}.get(n, str(n)))
    text_template, html_template = (env.get_template(f"aankondiging.{x}") for x in ("txt", "html"))
    rows = openpyxl.load_workbook(office / "register.xlsx", read_only=True).active.iter_rows(
        values_only=True)
    header, count = next(rows), 0
    for row in rows:
        org = dict(zip(header, row, strict=False))
        until = org["certified_until"].date()
        if not dt.date(2025, 4, 1) <= until <= dt.date(2025, 6, 30):
            continue
        context = {
            "bureau": {"naam": head["name"], "straat": head["street"], "postcode": head["postcode"],
                       "plaats": head["city"], "telefoon": head["phone"], "email": head["email"],
                       "portaal": head["portal"], "applicatie": "Zenya"},
            "ondertekenaar": {"naam": settings["signatory"]["name"],
                              "functie": settings["signatory"]["role"]},
            "organisatie": {"naam": org["name"]}, "kader": {"naam": FRAMEWORKS[org["framework"]]},
            "aanhef": f"Beste {org['contact']}", "geldig_tot": until, "kwartaal": "2025-Q2",
            "intake_deadline": dt.date(2025, 1, 27), "cyclus_jaren": 4, "zelfevaluatie_weken": 6,
            "je": "je", "Jullie": "Jullie", "de_organisatie": "de organisatie"}
        subject, _, text = text_template.render(context).partition("\n")
        message = EmailMessage()
        message["From"] = f"{sender['name']} <{sender['email']}>"
        message["To"] = f"{org['contact']} <{org['email']}>"
        message["Subject"] = subject.removeprefix("Onderwerp:").strip()
        message["Date"], message["Message-ID"] = formatdate(localtime=True), make_msgid()
        message.set_content(text.lstrip("\n"))
        message.add_alternative(inline(html_template.render(context)), subtype="html")
        (out / f"{org['cert_nr']}-aankondiging.eml").write_bytes(bytes(message))
        count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
