"""The certificaat (A4 landscape) and the tevredenheidsenquête e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from ..domain.frameworks import load_framework
from ..domain.planning import validity_period
from ..render.images import DocxImage
from .context import Batch, Office, about, docx_template, email_bytes, file_stem, render_email
from .fields import organisation_fields, recipient, require_postal_address

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


#: Pixels per module of the QR code (8: a module is one byte of a 1-bit pixel row, see
#: _MODULE_BYTE), and its quiet zone in modules.
QR_SCALE, QR_BORDER = 8, 4


def qr_png(url: str) -> bytes:
    """The URL as a QR code (PNG), with the quiet zone scanners need: the image segno's
    ``save(kind="png", scale=8, border=4)`` writes (the same pixels, laid out the same
    way), made from its matrix in one pass (segno packs every pixel in Python: ~5 ms a
    certificate)."""
    import segno

    from .qr_mask import fast_masks

    with fast_masks():  # segno's own mask choice, on arrays
        matrix = segno.make_qr(url, error="m").matrix
    return _png_1bit(matrix, QR_BORDER)


def _png_1bit(matrix: Sequence[bytes | bytearray], border: int) -> bytes:
    """A 1-bit greyscale PNG of a QR matrix (1 = dark), QR_SCALE (8) pixels a module, so a
    module is one byte, laid out as segno lays it out: each module row once with filter
    None, then ``QR_SCALE - 1`` rows with filter Up (the same again); the quiet zone as
    white rows with filter None."""
    scale = QR_SCALE
    side = len(matrix) + 2 * border  # modules a row, so bytes a pixel row
    white = b"\x00" + b"\xff" * side
    again = (b"\x02" + b"\x00" * side) * (scale - 1)
    edge = b"\xff" * border
    lines = [white * (border * scale)]
    for row in matrix:
        modules = bytes(row).translate(_MODULE_BYTE)
        lines.append(b"\x00" + edge + modules + edge + again)
    lines.append(white * (border * scale))
    pixels = side * scale
    return b"".join((b"\x89PNG\r\n\x1a\n",
                     _chunk(b"IHDR", struct.pack(">2I5B", pixels, pixels, 1, 0, 0, 0, 0)),
                     # zlib's default level: segno's 9 took ~1 ms a certificate, a third
                     # of the QR code's cost, for ~40 bytes less
                     _chunk(b"IDAT", zlib.compress(b"".join(lines), 6)),
                     _chunk(b"IEND", b"")))


#: A module as one byte of pixels: 0 (light) white, anything else (dark) black.
_MODULE_BYTE = bytes([0xFF] + [0x00] * 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))


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
