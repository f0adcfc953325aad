"""The news item a certified organisation may publish: Word and HTML, from the decision and
the certificate its dossier records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..domain.frameworks import load_framework
from ..render.lookup import template_path
from .context import Batch, Office, about, docx_template, file_stem, html_renderer
from .fields import organisation_fields
from .wording import days_text

KIND = "nieuwsbericht"
DOCX_TEMPLATE = "nieuws/nieuwsbericht.docx"
HTML_TEMPLATE = "nieuws/nieuwsbericht.html"


def news_context(org: Any, office: Office, *, decided: dt.date, audit_days: Sequence[dt.date],
                 number: str, valid_until: dt.date, auditors: int,
                 heraudit_days: Sequence[dt.date] = ()) -> dict[str, Any]:
    """``auditors``: how many auditors audited (the item says "Een onafhankelijke auditor
    beoordeelde" or "Onafhankelijke auditoren beoordeelden"); ``heraudit_days``: when the
    certificate came after a heraudit (alsnog)."""
    framework = load_framework(org.framework)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "besluitdatum": decided,
        "briefdatum": decided,
        "auditdata_tekst": days_text(audit_days),
        "een_auditor": auditors == 1,
        "alsnog": bool(heraudit_days),
        "heraudit_data_tekst": days_text(heraudit_days),
        "certificaatnummer": number,
        "geldig_tot": valid_until,
        "cyclus_jaren": framework.deadlines.validity_years,
    }


def news_item(org: Any, context: dict[str, Any], batch: Batch) -> None:
    """Add the news item as .docx and .html to ``batch``."""
    with about(org):
        stem = file_stem(org, KIND)
        batch.add(KIND, stem, ".docx", docx_template(DOCX_TEMPLATE).render(context), org.name,
                  organisation=org)
        html = html_renderer(str(template_path(HTML_TEMPLATE))).render(context)
        batch.add(KIND, stem, ".html", html, org.name)
