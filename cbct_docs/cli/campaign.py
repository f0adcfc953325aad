"""``cbct-docs campaign``: a mailing with limited places."""

from __future__ import annotations

from pathlib import Path

import click

from .lifecycle_support import FILE, FOLDER, finish


@click.command()
@click.argument("data", type=FILE)
@click.option("--places", type=click.IntRange(min=1), required=True,
              help="How many places there are; the first N registrations get one.")
@click.option("--title", default="pilot digitale zelfevaluatie", show_default=True,
              help="Name of the campaign as the e-mails mention it.")
@click.option("--templates", "template_folder", type=FOLDER,
              help="Folder with campagne.html and campagne.txt (default: the built-in ones).")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for the documents.")
@click.option("--office", type=FOLDER, default=None,
              help="The office folder (default: $CBCT_OFFICE, else this folder).")
@click.option("--config", type=FILE, default=None, help="Settings file (cbct-docs.toml).")
@click.option("--overwrite", is_flag=True, help="Replace documents that exist already.")
def campaign(data: Path, places: int, title: str, template_folder: Path | None, out: Path,
             office: Path | None, config: Path | None, overwrite: bool) -> None:
    """A campaign with limited places: first come, first placed; everyone answered.

    DATA has columns naam, contact, email and aangemeld_op (date and time of the
    registration). The selection is written to OUT/campagne/deelnemers.json and the
    answers go through the generic merge (HTML and text), then into .eml files.

    \b
    Example:
      cbct-docs campaign aanmeldingen.xlsx --places 4 --title "pilot digitale zelfevaluatie"
    """
    from ..runs.communications import campaign as run
    from ..runs.office import open_office

    result = run(open_office(office, config), data, places, out=out, title=title,
                 template_folder=template_folder, overwrite=overwrite)
    finish(result)


commands = [campaign]
