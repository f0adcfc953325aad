"""Sjablonen: the templates in use (the office's own version or the bundled one), which
documents use each, a download, and a new version uploaded (checked before it is taken,
the previous own version kept)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, send_file

from ..errors import CbctError
from ..runs.template_upload import upload_template
from ..runs.templates import template_file, templates_in_use
from .app import office, problem_lines

bp = Blueprint("templates_page", __name__)


def _page(status: int = 200, **extra: Any) -> Any:
    return render_template("sjablonen.html", sjablonen=templates_in_use(office()),
                           **extra), status


@bp.route("/sjablonen")
def page() -> Any:
    return _page()


@bp.route("/sjablonen/<path:relative>")
def download(relative: str) -> Any:
    path = template_file(office(), relative, bundled=request.args.get("standaard") == "1")
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)


@bp.route("/sjablonen/<path:relative>/nieuw", methods=["POST"])
def upload(relative: str) -> Any:
    file = request.files.get("bestand")
    if file is None or not file.filename:
        return _page(400, problemen=["Kies eerst een bestand."], sjabloon=relative)
    try:
        taken = upload_template(office(), relative, file.read())
    except CbctError as error:
        return _page(400, problemen=problem_lines(error), sjabloon=relative)
    return _page(gelukt=f"Nieuwe versie van {relative} in gebruik.", sjabloon=relative,
                 bewaard=taken.kept, waarschuwingen=taken.warnings)
