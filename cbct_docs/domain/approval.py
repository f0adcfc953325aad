"""Approving documents before they go: the verdicts in a dossier and the four-eyes rule.

A verdict is a ``goedgekeurd`` event (:class:`~cbct_docs.domain.process.Kind.APPROVED`)
whose data names the document, the sha256 it had when it was judged, and the verdict:
``goedgekeurd`` or ``tegengehouden`` (held back, with a note). The latest verdict on a
document stands; a verdict on other content (the file changed since) does not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .process import Event, Kind
from .refusals import Refusal

APPROVED = "goedgekeurd"
HELD = "tegengehouden"
TO_REVIEW = "te beoordelen"
CHANGED = "gewijzigd na beoordeling"

#: How a person reads each review status.
STATUS_LABELS = {
    APPROVED: "Goedgekeurd",
    HELD: "Tegengehouden",
    TO_REVIEW: "Nog te beoordelen",
    CHANGED: "Gewijzigd na beoordeling: opnieuw beoordelen",
}


@dataclass(frozen=True)
class Verdict:
    document: str
    sha256: str
    verdict: str  # APPROVED | HELD
    by: str
    at: str
    note: str = ""


def verdicts(events: Iterable[Event]) -> dict[str, Verdict]:
    """The verdict that stands per document (keyed by the document's path as recorded)."""
    found: dict[str, Verdict] = {}
    for event in events:
        if event.kind != Kind.APPROVED:
            continue
        document = str(event.data.get("document") or event.document)
        if not document:
            continue
        found[document] = Verdict(document, str(event.data.get("sha256") or ""),
                                  str(event.data.get("oordeel") or APPROVED),
                                  event.recorded_by, event.recorded_at,
                                  str(event.data.get("toelichting") or ""))
    return found


def review_status(verdict: Verdict | None, sha256_now: str) -> str:
    """Where a document stands in review, given its verdict and its content now."""
    if verdict is None:
        return TO_REVIEW
    if verdict.sha256 and sha256_now and verdict.sha256 != sha256_now:
        return CHANGED
    return verdict.verdict


#: The codes of this module's refusals; their texts are Dutch already (only the web app
#: approves and sends by approval).
CODES = ("four_eyes", "not_approved")


def may_approve(maker: str, approver: str, four_eyes: bool) -> Refusal | None:
    """Four eyes: whoever made a document may not approve it as well."""
    if four_eyes and maker.strip().lower() == approver.strip().lower():
        return Refusal(f"{approver} heeft dit document zelf gemaakt; met vier ogen keurt "
                       "een ander het goed",
                       "laat een collega inloggen en goedkeuren", code="four_eyes",
                       params={"approver": approver})
    return None


def may_send(status: str) -> Refusal | None:
    """Only an approved e-mail (and unchanged since) goes."""
    if status == APPROVED:
        return None
    return Refusal(f"niet goedgekeurd ({STATUS_LABELS.get(status, status).lower()})",
                   "keur het eerst goed op de beoordelingspagina", skip=True,
                   code="not_approved", params={"status": status})
