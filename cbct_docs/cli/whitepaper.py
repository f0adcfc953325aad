"""``cbct-docs whitepaper``: norm guides (YAML) → Word and HTML whitepapers."""

from __future__ import annotations

from pathlib import Path

import click

from .common import Progress

NORMFILE = click.Path(exists=True, dir_okay=False, path_type=Path)
TEMPLATE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("normfiles", metavar="NORMFILE...", nargs=-1, required=True, type=NORMFILE)
@click.option("--format", "-f", "formats", default="docx,html", show_default=True,
              metavar="LIST", help="Comma-separated: docx, html or docx,html.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the whitepapers (created if needed).")
@click.option("--overwrite", is_flag=True, help="Replace whitepapers that exist already.")
@click.option("--docx-template", type=TEMPLATE,
              help="Word template instead of templates/reports/whitepaper.docx.")
@click.option("--html-template", type=TEMPLATE,
              help="HTML template instead of templates/reports/whitepaper.html.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def whitepaper(normfiles: tuple[Path, ...], formats: str, out: Path, overwrite: bool,
               docx_template: Path | None, html_template: Path | None, quiet: bool) -> None:
    """Make the whitepaper of a norm from its NORMFILE (YAML).

    The norm file names the framework and the norm and adds the explanations; the
    norm title, the question and indicator texts and the scale come from the
    framework file. The format is described in docs/whitepaper.md; a complete
    example is samples/whitepapers/kib-4-samenwerking.yaml.

    \b
    Examples:
      cbct-docs whitepaper samples/whitepapers/kib-4-samenwerking.yaml --out out/whitepapers
      cbct-docs whitepaper kib-*.yaml --format html --out site/normen --overwrite

    Every norm file is checked before anything is written; all problems are listed
    at once, e.g. kib-4.yaml:questions[2].id: '4.9' is not a question of norm 4.
    Files are named after framework, number and title: KiB-norm-4-Samenwerking.docx.
    """
    from ..runs.office import open_office
    from ..runs.whitepaper import whitepaper as run
    from ..whitepaper import parse_formats

    chosen = parse_formats(formats)
    templates = {fmt: path for fmt, path in (("docx", docx_template),
                                             ("html", html_template)) if path}
    with Progress("Building", quiet, minimum=6) as advance:
        result = run(open_office(), normfiles, out=out, formats=chosen, overwrite=overwrite,
                     templates=templates, progress=advance)
    for note in result.notes:
        click.echo(note)
    made = len(result.made)
    click.echo(f"{made} whitepaper file{'s' if made != 1 else ''} made → {out}")


commands = [whitepaper]
