"""``cbct-docs demo``: the whole lifecycle for the sample register, in one folder that is
then a small office of its own (settings, register, database)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import OutputError
from ..paths import samples_dir

if TYPE_CHECKING:  # concurrent.futures (and logging with it): when the demo runs
    from concurrent.futures import Future, ThreadPoolExecutor

    from ..runs.demo import RoundSummary
    from ..runs.office import OfficeFolder

#: How the summary names each kind of output, in lifecycle order: by the Dutch name the
#: office gives the document (as the templates page does, runs/templates.py), the form
#: in brackets.
LABELS = {
    "aankondiging": "Aankondiging (e-mail)",
    "intake-herinnering": "Herinnering intake (e-mail)",
    "bevestigingsbrief": "Bevestigingsbrief",
    "rapport-concept": "Auditrapport, concept",
    "rapport-definitief": "Auditrapport, definitief",
    "besluitbrief": "Besluitbrief",
    "besluitbrief-heraudit": "Besluitbrief na heraudit",
    "certificaat": "Certificaat",
    "heraudit": "Heraudit-brief",
    "enquete": "Tevredenheidsenquête (e-mail)",
    "campagne": "Campagne-antwoord (e-mail)",
    "whitepaper": "Whitepaper (Word en webpagina)",
    "sectoroverzicht": "Sectoroverzicht (met grafieken)",
    "pdf": "PDF",
}
DATABASE = "cbct-ledger.sqlite"


@click.command()
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for everything.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier demo.")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Convert the Word documents to PDF (when LibreOffice is installed).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Settings file (default: ./cbct-docs.toml, else the example office).")
def demo(out: Path, overwrite: bool, pdf: bool, config: Path | None) -> None:
    """Run the whole certification lifecycle for the sample register into OUT.

    Announcements and intake reminders, bevestigingsbrieven, concept and definitive
    reports with score charts, besluitbrieven for all three outcomes, certificates,
    heraudit letters and a decision after a heraudit, survey e-mails and a campaign
    with limited places; with PDFs when LibreOffice (soffice) is installed.

    OUT is then a small office of its own, with its settings, register and database:
    try `cbct-docs status --office OUT` or `cbct-docs dossier show CBCT-0102 --office OUT`.

    \b
    Examples:
      cbct-docs demo --out out
      cbct-docs demo --out out --overwrite --no-pdf
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..runs.demo import Samples, run_round

    samples = Samples.in_folder(samples_dir())
    office = demo_office(out, config, overwrite)
    summary = run_round(office, samples, out, overwrite)
    with ThreadPoolExecutor(max_workers=PDF_BATCHES) as pool:
        # LibreOffice converts the letters while the whitepapers and overview are made.
        pending = start_pdfs(pool, summary.made, out, overwrite) if pdf else None
        extras = communications(office, out, overwrite)
        pdfs = [p for job in pending for p in job.result()] if pending is not None else None
    office.close()
    show(summary, pdfs, out, extras)


def demo_office(out: Path, config: Path | None, overwrite: bool) -> OfficeFolder:
    """OUT as an office folder: settings and register copied in, and a database of its
    own (the demo's certificate numbers are fiction: never the office's database)."""
    from ..documents.context import example_settings_path
    from ..runs.office import OfficeFolder

    out.mkdir(parents=True, exist_ok=True)
    database = out / DATABASE
    if database.exists() and not overwrite:
        raise OutputError("holds a demo office already", location=out,
                          hint="nothing was written; use --overwrite to run it again")
    for leftover in out.glob(DATABASE + "*"):
        leftover.unlink()  # a rerun starts the round again
    settings = config or (Path("cbct-docs.toml") if Path("cbct-docs.toml").is_file()
                          else example_settings_path())
    shutil.copyfile(settings, out / "cbct-docs.toml")
    shutil.copyfile(samples_dir() / "register.xlsx", out / "register.xlsx")
    return OfficeFolder(out, out / "cbct-docs.toml", example_settings=True,
                        new_database_ok=True, database_file=database)


def communications(office: OfficeFolder, out: Path,
                   overwrite: bool) -> dict[str, list[Path]]:
    """Besides the round: the sample norm whitepapers and the sector overview (of the
    sample results table, which holds a whole sector's year)."""
    from ..runs.overview import overview
    from ..runs.whitepaper import whitepaper

    samples = samples_dir()
    papers = whitepaper(office, sorted((samples / "whitepapers").glob("*.yaml")),
                        out=out / "whitepapers", overwrite=overwrite)
    sector = samples / "overview"
    report = overview(office, "2025", out=out / "sectoroverzicht",
                      results=sector / "results.xlsx", scores=sector / "scores",
                      survey=sector / "survey.csv", overwrite=overwrite)
    return {"whitepaper": [m.path for m in papers.made],
            "sectoroverzicht": [m.path for m in report.made]}


#: Two soffice processes side by side: on two cores about a third faster than one.
PDF_BATCHES = 2


def start_pdfs(pool: ThreadPoolExecutor, made: list[Path], out: Path,
               overwrite: bool) -> list[Future[list[Path]]] | None:
    from ..deliver.pdf import convert_to_pdf, soffice_available

    if not soffice_available():
        return None
    documents = [path for path in made if path.suffix == ".docx"]
    return [pool.submit(convert_to_pdf, documents[i::PDF_BATCHES], out / "pdf",
                        overwrite=overwrite) for i in range(PDF_BATCHES)]


def show(summary: RoundSummary, pdfs: list[Path] | None, out: Path,
         extras: dict[str, list[Path]]) -> None:
    kinds = summary.kinds
    folders = {m.kind: m.path.parent for r in summary.results for m in r.made}
    click.echo(f"Lifecycle demo for the sample register → {out}")
    click.echo(f"  quarters announced: {', '.join(summary.quarters)}")
    for kind, label in LABELS.items():
        if kind in kinds:
            where = folders[kind].relative_to(out) if folders[kind].is_relative_to(out) else ""
            click.echo(f"  {label:<32} {kinds[kind]:>3}   {where}/")
    for kind, paths in extras.items():
        folder = paths[0].parent.relative_to(out) if paths else kind
        click.echo(f"  {LABELS[kind]:<32} {len(paths):>3}   {folder}/")
    if pdfs is None:
        click.echo("  PDF: skipped (LibreOffice/soffice not found, or --no-pdf)")
    else:
        click.echo(f"  {LABELS['pdf']:<32} {len(pdfs):>3}   pdf/")
    from ..domain.advice import ADVICES

    outcome_counts = Counter(summary.outcomes.values())
    click.echo("  outcomes: " + ", ".join(f"{outcome_counts[name]}× {name}"
                                        for name in ADVICES if outcome_counts[name]))
    counts = summary.campaign
    click.echo(f"  campaign: {counts.get('geplaatst', 0)} placed, {counts.get('bedankt', 0)} "
               "thanked (merge data: campagne/deelnemers.json)")
    recorded = sum(r.recorded for r in summary.results)
    click.echo(f"  office database: {recorded} events in {out / DATABASE} "
               f"(see: cbct-docs status --office {out})")
    total = len(summary.made) + len(pdfs or []) + sum(len(paths) for paths in extras.values())
    click.echo(f"{total} files made.")


commands = [demo]
