"""Verzenden: only approved e-mails go, with live progress; the ledger view of what was
sent, failed or is uncertain, with the actions of the command line; a test send of one
message to the user's own address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from ..deliver.sending import BatchReport
from ..errors import CbctError, UsageError
from ..runs.documents import batches
from ..runs.office import open_office
from ..runs.send import LEDGER_STATES, ledger, mark_sent, send, send_again, send_plan, test_send
from . import jobs
from .app import office, problem_lines

bp = Blueprint("sending", __name__)

STATE_LABELS = {"sent": "verzonden", "failed": "mislukt", "unconfirmed": "onzeker",
                "deferred": "uitgesteld", "sending": "bezig"}
DECISION_LABELS = {"send": "gaat nu", "skip": "gaat niet", "attention": "eerst bekijken"}


def summary(report: BatchReport) -> str:
    parts = [(len(report.of(state)), label) for state, label in (
        ("sent", "verzonden"), ("failed", "mislukt"), ("deferred", "uitgesteld"),
        ("unconfirmed", "onzeker"), ("skipped", "overgeslagen"))]
    return ", ".join(f"{count} {label}" for count, label in parts if count) or "niets"


def _user() -> str:
    return str(g.get("user") or current_app.config["LOCAL_USER"])


@bp.route("/verzenden")
def page() -> Any:
    place = office()
    mail_batches = [b for b in batches(place) if any(i.is_email for i in b.items)]
    chosen = request.args.get("reeks", type=int)
    plan = send_plan(place, chosen) if chosen else None
    return render_template("verzenden.html", reeksen=mail_batches, plan=plan, gekozen=chosen,
                           besluiten=DECISION_LABELS)


@bp.route("/verzenden/<int:batch_id>", methods=["POST"])
def start(batch_id: int) -> Any:
    folder: Path = current_app.config["OFFICE_FOLDER"]
    config = current_app.config["OFFICE_CONFIG"]
    user = _user()
    password = request.form.get("wachtwoord") or None
    send_plan(office(), batch_id)  # refuses a batch that does not exist, before the thread

    def work(progress: jobs.Progress) -> Any:
        place = open_office(folder, config, user=user)
        try:
            return send(place, batch_id, password=password, progress=progress)
        finally:
            place.close()

    job = jobs.start("verzenden", user, work)
    return redirect(url_for("sending.job_page", job_id=job.id, reeks=batch_id))


@bp.route("/verzenden/taak/<job_id>")
def job_page(job_id: str) -> Any:
    job = jobs.get(job_id, _user())
    if job is None:
        abort(404)
    return render_template("verzenden_taak.html", taak=job, reeks=request.args.get("reeks"),
                           fragment=False)


@bp.route("/verzenden/taak/<job_id>/voortgang")
def job_progress(job_id: str) -> Any:
    job = jobs.get(job_id, _user())
    if job is None:
        abort(404)
    response = current_app.make_response(render_template(
        "_voortgang.html", taak=job, reeks=request.args.get("reeks")))
    if job.finished:
        response.headers["HX-Trigger"] = "klaar"
    return response


@bp.route("/verzenden/logboek")
def ledger_page() -> Any:
    status = request.args.get("status") or None
    if status is not None and status not in LEDGER_STATES:
        status = None
    rows = ledger(office(), status)
    counts: dict[str, int] = {}
    for row in ledger(office()):
        counts[row.status] = counts.get(row.status, 0) + 1
    return render_template("logboek.html", rijen=rows, status=status, tellingen=counts,
                           labels=STATE_LABELS)


def _message_id() -> str:
    value = request.form.get("bericht", "")
    if not value:
        raise UsageError("welk bericht?")
    return value


@bp.route("/verzenden/logboek/verzonden", methods=["POST"])
def ledger_mark_sent() -> Any:
    try:
        mark_sent(office(), _message_id())
        flash("Gemarkeerd als verzonden.", "ok")
    except CbctError as error:
        for line in problem_lines(error):
            flash(line, "fout")
    return redirect(url_for("sending.ledger_page"))


@bp.route("/verzenden/logboek/opnieuw", methods=["POST"])
def ledger_again() -> Any:
    try:
        report = send_again(office(), _message_id(),
                            password=request.form.get("wachtwoord") or None)
        flash(f"Opnieuw verstuurd: {summary(report)}.", "ok")
    except CbctError as error:
        for line in problem_lines(error):
            flash(line, "fout")
    return redirect(url_for("sending.ledger_page"))


@bp.route("/verzenden/test", methods=["POST"])
def test() -> Any:
    batch_id = request.form.get("reeks", type=int)
    try:
        answer = test_send(office(), request.form.get("document", type=int) or 0,
                           request.form.get("adres", "").strip(),
                           password=request.form.get("wachtwoord") or None)
        flash(f"Testmail verstuurd naar {request.form.get('adres')}: {answer}", "ok")
    except CbctError as error:
        for line in problem_lines(error):
            flash(line, "fout")
    return redirect(url_for("sending.page", reeks=batch_id))
