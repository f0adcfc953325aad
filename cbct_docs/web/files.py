"""Bestanden: the register, the planning and score sheets, each checked in full before
it is taken; every problem listed with its location."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from ..errors import CbctError
from ..runs.files import (
    planning_path,
    score_sheets,
    take_planning,
    take_register,
    take_scoresheets,
)
from ..runs.office import REGISTER_NAME
from .app import office, problem_lines

bp = Blueprint("files", __name__)


def _page(**extra: Any) -> Any:
    place = office()
    register = place.folder / REGISTER_NAME
    status = 400 if extra.get("problemen") else 200
    return render_template("bestanden.html", register=register if register.is_file() else None,
                           planning=planning_path(place), scores=score_sheets(place),
                           **extra), status


@bp.route("/bestanden")
def page() -> Any:
    return _page()


def _one(field: str) -> tuple[str, bytes] | None:
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        return None
    return upload.filename, upload.read()


@bp.route("/bestanden/register", methods=["POST"])
def register() -> Any:
    upload = _one("bestand")
    if upload is None:
        return _page(problemen=["Kies eerst een bestand."], soort="register")
    try:
        changes = take_register(office(), upload[1], upload[0])
    except CbctError as error:
        return _page(problemen=problem_lines(error), soort="register")
    return _page(wijzigingen=[str(c) for c in changes], gelukt="Register ingelezen.")


@bp.route("/bestanden/planning", methods=["POST"])
def planning() -> Any:
    upload = _one("bestand")
    if upload is None:
        return _page(problemen=["Kies eerst een bestand."], soort="planning")
    try:
        count = take_planning(office(), upload[1], upload[0])
    except CbctError as error:
        return _page(problemen=problem_lines(error), soort="planning")
    return _page(gelukt=f"Planning opgeslagen: {count} audits.")


@bp.route("/bestanden/scoreformulieren", methods=["POST"])
def scoresheets() -> Any:
    uploads = [(u.filename, u.read()) for u in request.files.getlist("bestanden")
               if u.filename]
    if not uploads:
        return _page(problemen=["Kies eerst een of meer bestanden."], soort="scores")
    try:
        kept = take_scoresheets(office(), uploads)
    except CbctError as error:
        return _page(problemen=problem_lines(error), soort="scores")
    return _page(gelukt=f"{len(kept)} scoreformulier(en) opgeslagen.")
