"""``cbct-docs templates``: the office's own templates (copy, check)."""

from __future__ import annotations

from pathlib import Path

import click

FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)
OFFICE = click.option("--office", type=FOLDER, default=None,
                      help="The office folder. Default: $CBCT_OFFICE, else this folder.")


@click.group()
def templates() -> None:
    """The office's own templates.

    A file in the office's templates folder ([documents] templates in cbct-docs.toml, else
    templates/ in the office folder) replaces the bundled template of the same name, for
    every command. An upgrade of cbct-docs never changes it.

    \b
    Examples:
      cbct-docs templates copy besluitbrief aankondiging
      cbct-docs templates check
    """


@templates.command("copy")
@click.argument("names", nargs=-1, required=True)
@OFFICE
@click.option("--overwrite", is_flag=True,
              help="Start again from the bundled version (replaces your own copy).")
def copy(names: tuple[str, ...], office: Path | None, overwrite: bool) -> None:
    """Start own copies of bundled templates: NAME is e.g. besluitbrief,
    letters/besluitbrief.docx or aankondiging (an e-mail: its .html and .txt)."""
    from ..runs.office import open_office
    from ..runs.templates_office import copy_templates

    made = copy_templates(open_office(office, templates=False), names, overwrite=overwrite)
    for path in made:
        click.echo(f"copied → {path}")
    click.echo(f"{len(made)} template(s) copied; edit them in Word or a text editor.")


@templates.command("check")
@OFFICE
def check(office: Path | None) -> None:
    """List own templates that lack a field the current version uses, or use one it no
    longer offers (exit 1 for the latter: those documents would stop); and warn when the
    address of a letter's example would not fit the envelope window ([print])."""
    from ..runs.office import open_office
    from ..runs.templates import window_warnings
    from ..runs.templates_office import check_templates

    opened = open_office(office)
    result = check_templates(opened)
    warnings = window_warnings(opened)
    if result.folder is None:
        click.echo("No own templates: the office uses the bundled ones.")
    else:
        click.echo(f"Own templates in {result.folder}: {len(result.own)}")
        for path, relative in result.own:
            click.echo(f"  {path.relative_to(result.folder).as_posix()} (replaces {relative})")
        for difference in result.differences:
            click.echo(str(difference))
    for warning in warnings:
        click.echo(warning)
    if result.gone:
        raise SystemExit(1)
    if result.folder is not None and not result.differences:
        click.echo("Every own template uses the fields of the current version.")


commands = [templates]
