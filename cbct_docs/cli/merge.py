"""``cbct-docs merge`` and ``cbct-docs check``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import ProblemList
from .common import Progress, summary

if TYPE_CHECKING:  # the renderer is imported when a command runs, not for --help
    from ..records.xlsx import HiddenRows

#: records.xlsx.HIDDEN_ROW_CHOICES, spelt out so --help imports no reader.
HIDDEN_ROW_CHOICES = ("refuse", "skip", "include")

TEMPLATE = click.Path(exists=True, dir_okay=False, path_type=Path)
DATA = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("template", type=TEMPLATE)
@click.argument("data", type=DATA)
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the documents (created if needed).")
@click.option("--name", metavar="PATTERN",
              help="File name from fields, e.g. '{cert_nr}-{naam}'. Default: certificate "
                   "number and name when the data has them.")
@click.option("--where", multiple=True, metavar="FIELD=VALUE",
              help="Only records where FIELD=VALUE, FIELD!=VALUE or FIELD~TEXT. Repeatable.")
@click.option("--limit", type=click.IntRange(min=1), help="At most N documents.")
@click.option("--record", type=click.IntRange(min=1), metavar="N",
              help="Only record N (1 = first data row), to preview one document.")
@click.option("--sheet", help="Worksheet to read (default: the first).")
@click.option("--hidden-rows", type=click.Choice(HIDDEN_ROW_CHOICES), default="refuse",
              show_default=True,
              help="Rows hidden or filtered out in Excel: refuse the data (an error naming "
                   "them), skip them, or include them.")
@click.option("--overwrite", is_flag=True, help="Replace documents that exist already.")
@click.option("--resume", is_flag=True,
              help="Keep documents that exist already and make only the missing ones "
                   "(after an interrupted run).")
@click.option("--manifest", type=click.Choice(["json", "csv", "none"]), default="json",
              show_default=True, help="Write manifest.json/.csv: record → file, sha256.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def merge(template: Path, data: Path, out: Path, name: str | None, where: tuple[str, ...],
          limit: int | None, record: int | None, sheet: str | None, hidden_rows: HiddenRows,
          overwrite: bool, resume: bool, manifest: str, quiet: bool) -> None:
    """Make one document per record of DATA from TEMPLATE.

    TEMPLATE is a Word template (.docx) or an HTML/text template with {{ field }}
    tags; DATA is .xlsx, .csv (Dutch Excel ';' and cp1252 are fine) or .json.

    \b
    Examples:
      cbct-docs merge uitnodiging.docx register.xlsx --out out/uitnodigingen
      cbct-docs merge mail.html register.csv --out out/mails --where framework=KiB
      cbct-docs merge brief.docx register.xlsx --out out/test --record 3

    A record that fails is reported and skipped; the run then exits with 1.
    """
    from ..runs.merge import MergeOptions
    from ..runs.merge import merge as run

    options = MergeOptions(name=name, where=where, limit=limit, record=record, sheet=sheet,
                           hidden_rows=hidden_rows, overwrite=overwrite, resume=resume,
                           manifest="" if manifest == "none" else manifest)
    before = _files(out)
    with Progress("Rendering", quiet) as advance:
        try:
            result = run(None, template, data, out, options, progress=advance)
        except ProblemList as problems:
            if _files(out) - before:
                click.echo(f"Some records failed; the others were written to {out}. Fix the "
                           "data and rerun with --resume to make the missing ones.", err=True)
            else:  # the data could not be read (or no record could be made): nothing made
                click.echo("Nothing was written. Fix the problems below and run it again.",
                           err=True)
            raise problems
    click.echo(summary(result.count("made"), result.count("skipped"), result.count("failed"),
                       str(out)))
    if result.note:
        click.echo(f"Note: {result.note}")


@click.command()
@click.argument("template", type=TEMPLATE)
@click.argument("data", type=DATA)
@click.option("--sheet", help="Worksheet to read (default: the first).")
@click.option("--hidden-rows", type=click.Choice(HIDDEN_ROW_CHOICES), default="refuse",
              show_default=True, help="Rows hidden or filtered out in Excel: refuse, skip "
                                      "or include them.")
def check(template: Path, data: Path, sheet: str | None, hidden_rows: HiddenRows) -> None:
    """Check TEMPLATE against DATA and list every problem at once; write nothing.

    Reports template variables that are not columns of DATA, data that cannot be
    read, and records that would fail to render. Exit 0 when all is well, else 1.
    """
    from ..runs.merge import check as run

    count = run(template, data, sheet=sheet, hidden_rows=hidden_rows)
    click.echo(f"OK: {template} renders all {count} records of {data}.")


commands = [merge, check]


def _files(folder: Path) -> set[str]:
    """The names in ``folder`` (to tell whether a failed run made anything)."""
    return {entry.name for entry in folder.iterdir()} if folder.is_dir() else set()
