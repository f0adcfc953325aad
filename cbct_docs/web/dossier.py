"""Organisatie: one dossier's timeline with its documents, the next step, forms to record
what happened outside the tool, and the score sheet upload. And the documents themselves:
shown as a person reads them, or downloaded — only files inside the office folder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from ..domain.approval import HELD, verdicts
from ..domain.process import LABELS, MANUAL_KINDS, Kind
from ..errors import CbctError, UsageError
from ..runs.documents import DocumentItem, batches, document, out_file, out_folder
from ..runs.emails import email_view
from ..runs.files import score_sheets, take_scoresheets
from ..runs.letters import can_make_pdf, letter_pdf, letter_text
from ..runs.record import Happening, record
from ..runs.reports import report
from ..runs.status import dossier_view
from . import security
from .app import office, problem_lines
from .messages import note_category, note_text, skip_text
from .overview import parse_day

bp = Blueprint("dossier", __name__)

#: The events staff record here, first the four of every audit.
FORM_KINDS = (Kind.INTAKE_RECEIVED, Kind.SELFEVALUATION_RECEIVED, Kind.RESPONSE_RECEIVED,
              Kind.POSTPONED, *[k for k in MANUAL_KINDS if k not in (
                  Kind.INTAKE_RECEIVED, Kind.SELFEVALUATION_RECEIVED,
                  Kind.RESPONSE_RECEIVED, Kind.POSTPONED)])


def _page(cert_nr: str, problems: list[str] | None = None, status: int = 200) -> Any:
    place = office()
    view = dossier_view(place, cert_nr)
    judged = verdicts(view.events)
    sheets = [p for p in score_sheets(place) if p.stem == view.org.cert_nr]
    return render_template("organisatie.html", view=view, oordelen=judged, held=HELD,
                           soorten=[(k.value, LABELS[k]) for k in FORM_KINDS],
                           Kind=Kind, problemen=problems or [], scoreformulieren=sheets,
                           formulier=request.form,
                           reactie=any(e.kind == Kind.RESPONSE_RECEIVED for e in view.events),
                           vandaag=dt.date.today().isoformat()), status


@bp.route("/organisatie/<cert_nr>")
def page(cert_nr: str) -> Any:
    return _page(cert_nr)


@bp.route("/organisatie/<cert_nr>/vastleggen", methods=["POST"])
def record_event(cert_nr: str) -> Any:
    form = request.form
    try:
        item = Happening(cert_nr, form.get("gebeurtenis", ""), parse_day(form.get("datum")),
                         form.get("reden", "").strip(), form.get("kwartaal", "").strip(),
                         form.get("toelichting", "").strip(), where="formulier")
        record(office(), [item])
    except CbctError as error:
        return _page(cert_nr, problem_lines(error), 400)
    flash("Vastgelegd.", "ok")
    return redirect(url_for("dossier.page", cert_nr=cert_nr))


@bp.route("/organisatie/<cert_nr>/definitief", methods=["POST"])
def final_report(cert_nr: str) -> Any:
    """The definitief report after a reaction, with how the reaction was processed."""
    place = office()
    sheet = next((p for p in score_sheets(place) if p.stem == cert_nr), None)
    response = request.form.get("verwerking", "").strip()
    if sheet is None:
        return _page(cert_nr, ["Er is nog geen scoreformulier van deze organisatie."], 400)
    if not response:
        return _page(cert_nr, ["Beschrijf hoe de reactie is verwerkt."], 400)
    try:
        result = report(place, [sheet], parse_day(request.form.get("datum")),
                        out=out_folder(place), concept=False, response=response)
    except CbctError as error:
        return _page(cert_nr, problem_lines(error), 400)
    if not result.made:
        reasons = "; ".join(skip_text(s) for s in result.skipped) or "niets te doen"
        return _page(cert_nr, [f"Geen definitief rapport gemaakt: {reasons}"], 400)
    flash("Definitief rapport gemaakt. Bekijk het en keur het goed.", "ok")
    for note in result.notes:
        flash(note_text(note), note_category(note))
    made = [b.id for b in batches(place)]
    return redirect(url_for("review.batch_page", batch_id=made[0]) if made
                    else url_for("dossier.page", cert_nr=cert_nr))


@bp.route("/organisatie/<cert_nr>/scoreformulier", methods=["POST"])
def upload_scoresheet(cert_nr: str) -> Any:
    upload = request.files.get("bestand")
    if upload is None or not upload.filename:
        return _page(cert_nr, ["Kies eerst een bestand."], 400)
    try:
        take_scoresheets(office(), [(upload.filename, upload.read())], cert_nr)
    except CbctError as error:
        return _page(cert_nr, problem_lines(error), 400)
    flash("Scoreformulier opgeslagen.", "ok")
    return redirect(url_for("dossier.page", cert_nr=cert_nr))


# --- documents -------------------------------------------------------------------------

def _document(event_id: int) -> DocumentItem:
    try:
        item = document(office(), event_id)
    except UsageError:
        abort(404)
    if item.path is None:
        abort(404, description="; ".join(item.problems) or "Dit bestand is er niet.")
    return item


@bp.route("/document/<int:event_id>")
def show(event_id: int) -> Any:
    item = _document(event_id)
    assert item.path is not None
    mail = email_view(item.path) if item.is_email else None
    text = letter_text(item.path) if item.path.suffix.lower() == ".docx" else None
    return render_template("document.html", item=item, mail=mail, tekst=text,
                           pdf=text is not None and can_make_pdf())


@bp.route("/document/<int:event_id>/bestand")
def download(event_id: int) -> Any:
    item = _document(event_id)
    assert item.path is not None
    return send_file(item.path, as_attachment=True, download_name=item.path.name)


@bp.route("/document/<int:event_id>/pdf")
def pdf(event_id: int) -> Any:
    """A Word letter as PDF, to read in the browser (LibreOffice makes it once)."""
    item = _document(event_id)
    path = letter_pdf(office(), item)
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=path.name)
    response.headers["Content-Security-Policy"] = security.PDF_CSP
    return response


@bp.route("/document/<int:event_id>/inhoud")
def preview(event_id: int) -> Response:
    """An e-mail's HTML body for the sandboxed iframe, with its own strict policy."""
    item = _document(event_id)
    assert item.path is not None
    if not item.is_email:
        abort(404)
    response = Response(email_view(item.path).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = security.PREVIEW_CSP
    return response


@bp.route("/uit/<path:relative>")
def out(relative: str) -> Any:
    """A file of the out folder by its path there (downloads only)."""
    try:
        path = out_file(office(), relative)
    except UsageError:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)
