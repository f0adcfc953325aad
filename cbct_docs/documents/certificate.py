"""The certificaat (A4 landscape) and the tevredenheidsenquête e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from ..domain.frameworks import load_framework
from ..domain.planning import validity_period
from .context import (
    Batch,
    Office,
    about,
    docx_template,
    email_bytes,
    file_stem,
    organisation_fields,
    recipient,
    render_email,
    require_postal_address,
)

TEMPLATE = "letters/certificaat.docx"
SURVEY_WEEKS = 3  # how long the survey stays open


def certificate_context(org: Any, number: str, office: Office, decided: dt.date,
                        valid_until: dt.date | None = None) -> dict[str, Any]:
    """``decided``: the date of the decision; the validity follows from it and the old end
    date (see :func:`cbct_docs.domain.planning.validity_period`)."""
    require_postal_address(org)
    framework = load_framework(org.framework)
    start, end = validity_period(decided, framework.deadlines, org.certified_until)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": decided,
        "certificaatnummer": number,
        "geldig_van": start,
        "geldig_tot": valid_until or end,
    }


def certificate(org: Any, number: str, batch: Batch, office: Office, valid_from: dt.date,
                valid_until: dt.date | None = None) -> None:
    with about(org):
        context = certificate_context(org, number, office, valid_from, valid_until)
        data = docx_template(TEMPLATE).render(context)
        batch.add("certificaat", file_stem(org, "certificaat"), ".docx", data, org.name,
                  organisation=org)


def survey_context(org: Any, office: Office, sent: dt.date) -> dict[str, Any]:
    framework = load_framework(org.framework)
    link = office.bureau["enquete"]
    separator = "&" if "?" in link else "?"
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": sent,
        "enquete_link": f"{link}{separator}{urlencode({'org': org.cert_nr})}",
        "enquete_deadline": sent + dt.timedelta(weeks=SURVEY_WEEKS),
    }


def survey(org: Any, batch: Batch, office: Office, sent: dt.date) -> None:
    with about(org):
        email = render_email("enquete", survey_context(org, office, sent),
                             recipient(org))
        batch.add("enquete", file_stem(org, "enquete"), ".eml", email_bytes(email, office),
                  org.name)
