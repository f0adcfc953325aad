"""``cbct-docs news``: the news item a certified organisation may publish."""

from __future__ import annotations

from pathlib import Path

import click

from .lifecycle_support import finish, office_options


@click.command()
@click.argument("cert_nr", metavar="CERTNR")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for the documents.")
@click.option("--overwrite", is_flag=True, help="Replace documents that exist already.")
@office_options
def news(cert_nr: str, out: Path, overwrite: bool, office: Path | None,
         register: Path | None, config: Path | None) -> None:
    """A news item (Word and HTML) for a certified organisation to publish on its site or
    in its newsletter: the certificate, its validity and what it means.

    Only for an organisation whose dossier records a Gecertificeerd decision (or alsnog
    gecertificeerd after a heraudit) and its certificate. Nothing is recorded.

    \b
    Example:
      cbct-docs news CBCT-0101 --out nieuws
    """
    from ..runs.news import news as run
    from ..runs.office import open_office

    finish(run(open_office(office, config), cert_nr, out=out, overwrite=overwrite,
               register=register))


commands = [news]
