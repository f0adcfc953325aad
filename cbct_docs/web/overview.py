"""Overzicht: the quarter's organisations per step, what is overdue, and the next
actions as buttons that make a batch."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from ..domain.planning import Quarter
from ..errors import CbctError, UsageError
from ..runs.after import survey
from ..runs.audit import certificate, decide, heraudit
from ..runs.before_audit import announce, confirm, intake_reminder
from ..runs.documents import batch, batches, batches_of, out_folder
from ..runs.files import planning_path, score_sheets
from ..runs.office import OfficeFolder, open_office
from ..runs.reports import report
from ..runs.run import RunResult
from ..runs.status import StatusRow, status, year_view
from . import jobs
from .app import office
from .messages import dutch_lines, note_category, note_text, skip_text

bp = Blueprint("overview", __name__)

#: The steps in the order of the process, for the columns of the overview.
STEP_ORDER = ("Nog niet aangekondigd", "Aangekondigd", "Intake ontvangen", "Bevestigd",
              "Zelfevaluatie ontvangen", "Audit gehouden", "Concept verstuurd",
              "Reactie verwerkt", "Definitief rapport", "Voorwaardelijk gecertificeerd",
              "Niet gecertificeerd", "Heraudit gepland", "Heraudit gehouden",
              "Gecertificeerd", "Certificaat uitgereikt", "Cyclus afgerond")


#: Rows shown per step (a link shows them all): a page stays quick and readable.
ROWS_PER_STEP = 100


@dataclass(frozen=True)
class Action:
    """A button: what it makes, for how many, and where it posts."""

    what: str
    count: int
    endpoint: str
    ready: bool = True
    why_not: str = ""


def parse_day(text: str | None, default: dt.date | None = None) -> dt.date:
    if not text:
        return default or dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"'{text}' is geen datum", hint="kies een datum in de kalender") \
            from None


def parse_quarter(text: str | None, default: Quarter) -> Quarter:
    if not text:
        return default
    try:
        return Quarter.parse(text)
    except Exception:
        raise UsageError(f"'{text}' is geen kwartaal", hint="bijvoorbeeld 2025-Q2") from None


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _reacted(row: StatusRow) -> bool:
    return any(e.kind.value == "reactie-ontvangen" for e in row.events)


def _due(row: StatusRow, command: str, day: dt.date) -> bool:
    """At the step of ``command`` on ``day``. The definitief report: after a reaction term
    that passed without a reaction (one that came in needs its processing described, on
    the command line: report --definitief --response TEXT)."""
    if command == "report --definitief":
        waiting = row.command == "record reactie-ontvangen" and row.deadline is not None \
            and row.deadline < day
        return waiting or (row.command == command and not _reacted(row))
    return row.command == command


def actions(rows: list[StatusRow], has_planning: bool, sheets: set[str],
            today: dt.date) -> list[Action]:
    commands = Counter(row.command.split(" ")[0] for row in rows if row.action)
    found = []
    if commands["announce"]:
        found.append(Action(_plural(commands["announce"], "aankondiging maken",
                                    "aankondigingen maken"), commands["announce"],
                            "overview.make_announcements"))
    waiting = sum(1 for row in rows if row.command == "record intake-ontvangen")
    if waiting:
        found.append(Action(_plural(waiting, "herinnering intake maken",
                                    "herinneringen intake maken"), waiting,
                            "overview.make_reminders"))
    if commands["confirm"]:
        found.append(Action(_plural(commands["confirm"], "bevestigingsbrief maken",
                                    "bevestigingsbrieven maken"), commands["confirm"],
                            "overview.make_confirmations", has_planning,
                            "" if has_planning else "zet eerst de planning bij Bestanden"))
    for command, one, many, endpoint in (
            ("report --concept", "conceptrapport maken", "conceptrapporten maken",
             "overview.make_concepts"),
            ("report --definitief", "definitief rapport maken", "definitieve rapporten maken",
             "overview.make_finals"),
            ("decide", "besluit maken", "besluiten maken", "overview.make_decisions"),
            ("heraudit", "heraudit-brief maken", "heraudit-brieven maken",
             "overview.make_heraudits")):
        due = [row for row in rows if _due(row, command, today)]
        ready = [row for row in due if row.cert_nr in sheets]
        if due:
            missing = len(due) - len(ready)
            found.append(Action(_plural(len(ready), one, many), len(ready), endpoint,
                                bool(ready), f"{missing} zonder scoreformulier: zet dat bij "
                                "Bestanden" if missing else ""))
    if commands["certificate"]:
        found.append(Action(_plural(commands["certificate"], "certificaat maken",
                                    "certificaten maken"), commands["certificate"],
                            "overview.make_certificates"))
    if commands["survey"]:
        found.append(Action(_plural(commands["survey"], "enquête maken", "enquêtes maken"),
                            commands["survey"], "overview.make_surveys"))
    return found


def _step_key(step: str) -> tuple[int, str]:
    return (STEP_ORDER.index(step) if step in STEP_ORDER else len(STEP_ORDER), step)


@bp.route("/")
def page() -> Any:
    place = office()
    today = parse_day(request.args.get("peildatum"))
    try:
        rows = status(place, today)
    except UsageError as error:  # no register read in yet: where to begin
        return render_template("welkom.html", problemen=dutch_lines(error))
    quarters = sorted({row.quarter for row in rows})
    default = Quarter.of(today)
    if quarters and default not in quarters:
        default = next((q for q in quarters if q >= default), quarters[-1])
    quarter = parse_quarter(request.args.get("kwartaal"), default)
    chosen = [row for row in rows if row.quarter == quarter]
    steps: dict[str, list[StatusRow]] = {}
    for row in chosen:
        steps.setdefault(row.step, []).append(row)
    ordered = sorted(steps.items(), key=lambda item: _step_key(item[0]))
    late = [row for row in chosen if row.overdue]
    recent = batches_of((row.cert_nr, row.name, row.events) for row in rows)[:5]
    show_all = request.args.get("alles") == "1"
    return render_template("overzicht.html", kwartaal=quarter, kwartalen=quarters,
                           stappen=ordered, te_laat=late, acties=actions(
                               chosen, planning_path(place) is not None,
                               {p.stem for p in score_sheets(place)}, today),
                           peildatum=today, aantal=len(chosen), reeksen=recent,
                           alles=show_all, per_stap=None if show_all else ROWS_PER_STEP,
                           alle_te_laat=sum(1 for row in rows if row.overdue))


@bp.route("/jaar/<int:year>")
def year_page(year: int) -> Any:
    """The year's audits per quarter and audit days per auditor per month (capacity)."""
    if not 2000 <= year <= 2100:
        abort(404)
    return render_template("jaar.html", jaar=year_view(office(), year),
                           maanden=MONTHS)


MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _form() -> tuple[Quarter, dt.date]:
    quarter = parse_quarter(request.form.get("kwartaal"), Quarter.of(dt.date.today()))
    return quarter, parse_day(request.form.get("datum"))


Work = Callable[[OfficeFolder, jobs.Progress], RunResult]


def _start(what: str, quarter: Quarter, work: Work) -> Any:
    """Make the batch in a thread of its own; its page shows how far it is."""
    folder: Path = current_app.config["OFFICE_FOLDER"]
    config = current_app.config["OFFICE_CONFIG"]
    user = office().user

    def run(progress: jobs.Progress) -> tuple[RunResult, int | None]:
        place = open_office(folder, config, user=user)
        try:
            before = max((b.items[-1].event_id for b in batches(place)), default=0)
            result = work(place, progress)
            # One run may make two kinds (besluitbrief and certificaat): its first batch.
            made = [b.id for b in batches(place) if b.id > before]
            first = min(made) if result.made and made else None
            if first is not None:
                with contextlib.suppress(CbctError):  # made all the same; the page says
                    batch(place, first)  # its review checks every document: here, once
            return result, first
        finally:
            place.close()

    job = jobs.start(what, user, run)
    return redirect(url_for("overview.job_page", job_id=job.id, kwartaal=str(quarter)))


@bp.route("/maken/taak/<job_id>")
def job_page(job_id: str) -> Any:
    """How far the batch is; when it is done, on to its review (or back, saying why)."""
    job = jobs.get(job_id, office().user)
    if job is None:
        abort(404)
    if not job.finished or job.problems:
        return render_template("maken_taak.html", taak=job,
                               kwartaal=request.args.get("kwartaal", ""))
    result, batch_id = job.result
    for note in result.notes:  # e.g. an address the envelope window may cut off
        flash(note_text(note), note_category(note))
    for skip in result.skipped[:20]:
        flash(f"Overgeslagen: {skip_text(skip)}", "info")
    if len(result.skipped) > 20:
        flash(f"… en nog {len(result.skipped) - 20} overgeslagen.", "info")
    if batch_id is None:
        flash(f"Geen {job.label} gemaakt.", "waarschuwing")
        return redirect(url_for("overview.page", kwartaal=request.args.get("kwartaal")))
    flash(f"{len(result.made)} {job.label} gemaakt. Bekijk ze hieronder en keur ze goed.",
          "ok")
    return redirect(url_for("review.batch_page", batch_id=batch_id))


@bp.route("/maken/taak/<job_id>/voortgang")
def job_progress(job_id: str) -> Any:
    job = jobs.get(job_id, office().user)
    if job is None:
        abort(404)
    response = current_app.make_response(render_template(
        "_maken_voortgang.html", taak=job, kwartaal=request.args.get("kwartaal", "")))
    if job.finished and not job.problems:
        response.headers["HX-Redirect"] = url_for(
            "overview.job_page", job_id=job.id, kwartaal=request.args.get("kwartaal", ""))
    return response


@bp.route("/maken/aankondigingen", methods=["POST"])
def make_announcements() -> Any:
    quarter, day = _form()
    return _start("aankondigingen", quarter, lambda place, progress: announce(
        place, quarter, day, out=out_folder(place), progress=progress))


@bp.route("/maken/herinneringen", methods=["POST"])
def make_reminders() -> Any:
    quarter, day = _form()
    return _start("herinneringen", quarter, lambda place, progress: intake_reminder(
        place, quarter, day, out=out_folder(place), progress=progress))


@bp.route("/maken/bevestigingen", methods=["POST"])
def make_confirmations() -> Any:
    quarter, day = _form()
    planning = planning_path(office())
    if planning is None:
        raise UsageError("er is nog geen planning", hint="zet planning.xlsx bij Bestanden")
    only = _numbers(quarter, "confirm")
    return _start("bevestigingsbrieven", quarter, lambda place, progress: confirm(
        place, planning, day, out=out_folder(place), quarter=quarter, only=only,
        progress=progress))


def _numbers(quarter: Quarter, command: str) -> list[str]:
    rows = status(office(), dt.date.today(), quarter=quarter)
    return [row.cert_nr for row in rows if row.command.split(" ")[0] == command]


def _sheets(quarter: Quarter, command: str, day: dt.date) -> list[Path]:
    """The office's score sheets of the organisations at this step."""
    rows = [row for row in status(office(), day, quarter=quarter)
            if _due(row, command, day)]
    by_number = {p.stem: p for p in score_sheets(office())}
    return [by_number[row.cert_nr] for row in rows if row.cert_nr in by_number]


@bp.route("/maken/conceptrapporten", methods=["POST"])
def make_concepts() -> Any:
    quarter, day = _form()
    sheets = _sheets(quarter, "report --concept", day)
    return _start("conceptrapporten", quarter, lambda place, progress: report(
        place, sheets, day, out=out_folder(place), concept=True, progress=progress))


@bp.route("/maken/definitieve-rapporten", methods=["POST"])
def make_finals() -> Any:
    quarter, day = _form()
    sheets = _sheets(quarter, "report --definitief", day)
    return _start("definitieve rapporten", quarter, lambda place, progress: report(
        place, sheets, day, out=out_folder(place), concept=False, progress=progress))


@bp.route("/maken/besluiten", methods=["POST"])
def make_decisions() -> Any:
    quarter, day = _form()
    sheets = _sheets(quarter, "decide", day)
    return _start("besluiten", quarter, lambda place, progress: decide(
        place, sheets, day, out=out_folder(place), progress=progress))


@bp.route("/maken/heraudits", methods=["POST"])
def make_heraudits() -> Any:
    quarter, day = _form()
    sheets = _sheets(quarter, "heraudit", day)
    return _start("heraudit-brieven", quarter, lambda place, _progress: heraudit(
        place, sheets, day, out=out_folder(place)))


@bp.route("/maken/certificaten", methods=["POST"])
def make_certificates() -> Any:
    quarter, day = _form()
    only = _numbers(quarter, "certificate")
    return _start("certificaten", quarter, lambda place, _progress: certificate(
        place, only, day, out=out_folder(place)))


@bp.route("/maken/enquetes", methods=["POST"])
def make_surveys() -> Any:
    quarter, day = _form()
    only = _numbers(quarter, "survey")
    return _start("enquêtes", quarter, lambda place, _progress: survey(
        place, only, day, out=out_folder(place)))
