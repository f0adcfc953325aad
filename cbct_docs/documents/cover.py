"""Cover e-mails: a letter or report sent as an attachment (the PDF when there is one),
as an .eml next to it, ready for ``cbct-docs send``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..domain.frameworks import load_framework
from ..errors import Problems
from .context import Batch, Made, Office, about, email_bytes, render_email
from .fields import organisation_fields, recipient

TEMPLATE = "bijlage"
#: The letters a cover e-mail can carry; its wording per letter is in emails/bijlage.*
#: (``{% if document == 'certificaat' %}`` …).
DOCUMENTS = ("bevestigingsbrief", "rapport-concept", "rapport-definitief", "besluitbrief",
             "certificaat", "heraudit")


def cover_emails(made: Sequence[Made], attachments: Mapping[Path, Path], batch: Batch,
                 office: Office) -> None:
    """Add one .eml per letter of ``made`` to ``batch``; ``attachments`` maps a letter to
    the file to attach instead (its PDF)."""
    problems = Problems()
    for item in made:
        org = item.organisation
        if org is None or item.kind not in DOCUMENTS:
            continue
        with problems.catch(), about(org):
            context = {
                **office.fields(),
                **organisation_fields(org, load_framework(org.framework), office),
                "document": item.kind,
            }
            email = render_email(TEMPLATE, context, recipient(org))
            attachment = attachments.get(item.path, item.path)
            batch.add(f"{item.kind} (e-mail)", item.path.stem, ".eml",
                      email_bytes(email, office, [attachment]), item.org,
                      folder=item.path.parent.relative_to(batch.out).as_posix())
    problems.raise_if_any()
