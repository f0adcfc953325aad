"""Reeksen: every batch of documents; a batch's review page (every document as a person
reads it, problems first) with approve all, approve one, or hold one back with a note."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from ..domain.approval import APPROVED, CHANGED, HELD, STATUS_LABELS, TO_REVIEW
from ..errors import CbctError, UsageError
from ..runs.approval import approve, four_eyes
from ..runs.documents import batch, batches
from ..runs.emails import EmailHead, email_head
from ..runs.letters import Block, can_make_pdf, letter_text
from ..runs.printing import print_bundle
from .app import office, problem_lines
from .messages import skip_text

bp = Blueprint("review", __name__)
PAGE_SIZE = 25


@bp.route("/reeksen")
def list_page() -> Any:
    return render_template("reeksen.html", reeksen=batches(office()))


@bp.route("/reeks/<int:batch_id>")
def batch_page(batch_id: int) -> Any:
    place = office()
    found = batch(place, batch_id)
    try:
        page = max(1, int(request.args.get("pagina", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(found.items) // PAGE_SIZE))
    page = min(page, pages)
    shown = found.items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    views: dict[int, EmailHead | list[Block]] = {}
    for item in shown:
        if item.path is None:
            continue
        if item.is_email:
            views[item.event_id] = email_head(item.path)
        elif item.path.suffix.lower() == ".docx":
            views[item.event_id] = letter_text(item.path)
    return render_template("reeks.html", reeks=found, ook=found.others, items=shown, weergave=views,
                           pagina=page, paginas=pages, labels=STATUS_LABELS,
                           APPROVED=APPROVED, HELD=HELD, TO_REVIEW=TO_REVIEW,
                           CHANGED=CHANGED, vier_ogen=four_eyes(place),
                           pdf=can_make_pdf())


def _approve(batch_id: int, anchor: str | None = None, **kwargs: Any) -> Any:
    try:
        result = approve(office(), batch_id, **kwargs)
    except CbctError as error:
        for line in problem_lines(error):
            flash(line, "fout")
        return redirect(url_for("review.batch_page", batch_id=batch_id))
    for skip in result.skipped[:20]:
        flash(f"Niet goedgekeurd: {skip_text(skip)}", "waarschuwing")
    if result.recorded:
        flash(f"{result.recorded} oordeel/oordelen vastgelegd in de dossiers.", "ok")
    return redirect(url_for("review.batch_page", batch_id=batch_id,
                            pagina=request.form.get("pagina", "1"), _anchor=anchor))


@bp.route("/reeks/<int:batch_id>/afdrukken", methods=["POST"])
def print_letters(batch_id: int) -> Any:
    """The approved letters as one Word file, each on its own page, to print."""
    try:
        bundle = print_bundle(office(), batch_id)
    except CbctError as error:
        for line in problem_lines(error):
            flash(line, "fout")
        return redirect(url_for("review.batch_page", batch_id=batch_id))
    response = send_file(bundle.path, as_attachment=True, download_name=bundle.path.name)
    response.headers["X-Brieven"] = str(bundle.letters)
    return response


@bp.route("/reeks/<int:batch_id>/goedkeuren", methods=["POST"])
def approve_all(batch_id: int) -> Any:
    return _approve(batch_id)


def _event_id() -> int:
    try:
        return int(request.form.get("document", ""))
    except ValueError:
        raise UsageError("welk document?") from None


@bp.route("/reeks/<int:batch_id>/goedkeuren-een", methods=["POST"])
def approve_one(batch_id: int) -> Any:
    event_id = _event_id()
    return _approve(batch_id, f"doc-{event_id}", only=[event_id])


@bp.route("/reeks/<int:batch_id>/tegenhouden", methods=["POST"])
def hold(batch_id: int) -> Any:
    event_id = _event_id()
    return _approve(batch_id, f"doc-{event_id}", only=[event_id],
                    held={event_id: request.form.get("toelichting", "")})
