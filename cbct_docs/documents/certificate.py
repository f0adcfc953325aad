"""The certificaat (A4 landscape) and the tevredenheidsenquête e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any
from urllib.parse import urlencode

from ..domain.frameworks import load_framework
from ..domain.planning import validity_period
from ..render.images import DocxImage
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
    until = valid_until or end
    code = verification_code(number, org.cert_nr, until)
    url = office.verify_url.replace("{code}", code).replace("{nummer}", number)
    return {
        **office.fields(),
        **organisation_fields(org, framework, office),
        "briefdatum": decided,
        "certificaatnummer": number,
        "geldig_van": start,
        "geldig_tot": until,
        "verificatiecode": code,
        "verificatie_url": url,
        "qr": DocxImage(qr_png(url), QR_MM),
        "logo": DocxImage(office.logo, LOGO_MM) if office.logo else "",
    }


#: The QR code's and the logo's width on the certificate (mm).
QR_MM, LOGO_MM = 26, 40


def verification_code(number: str, cert_nr: str, valid_until: dt.date) -> str:
    """A short code that belongs to this one certificate (number, organisation, validity):
    ``7F3A-9C21``. Printed on it and in the URL of its QR code, so anyone can check it."""
    digest = hashlib.sha256(f"{number}|{cert_nr}|{valid_until.isoformat()}".encode()).hexdigest()
    return f"{digest[:4]}-{digest[4:8]}".upper()


def qr_png(url: str) -> bytes:
    """The URL as a QR code (PNG), with the quiet zone scanners need."""
    import segno

    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


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
