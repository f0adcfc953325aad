"""``cbct-docs demo``: the whole lifecycle for the sample register, in one folder."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click

from ..deliver.ledger import default_ledger_path
from ..documents.context import Batch, Made, load_office
from ..documents.lifecycle import Samples, ledger_numbers, run_campaign, run_round
from ..domain.advice import ADVICES
from ..paths import samples_dir

#: How the summary names each kind of output, in lifecycle order.
LABELS = {
    "aankondiging": "Aankondiging (e-mail)",
    "intake-herinnering": "Intake reminder (e-mail)",
    "bevestigingsbrief": "Bevestigingsbrief",
    "rapport-concept": "Auditrapport, concept",
    "rapport-definitief": "Auditrapport, definitief",
    "besluitbrief": "Besluitbrief",
    "certificaat": "Certificaat",
    "heraudit": "Heraudit letter",
    "enquete": "Tevredenheidsenquête (e-mail)",
    "campagne": "Campaign answer (e-mail)",
    "whitepaper": "Norm whitepaper (Word, HTML)",
    "sectoroverzicht": "Sector overview (+ charts)",
    "pdf": "PDF",
}


@click.command()
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for everything.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier demo.")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Convert the Word documents to PDF (when LibreOffice is installed).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Settings file (default: ./cbct-docs.toml, else the example office).")
def demo(out: Path, overwrite: bool, pdf: bool, config: Path | None) -> None:
    """Render the whole certification lifecycle for the sample register into OUT.

    Announcements and intake reminders, bevestigingsbrieven, concept and definitive
    reports with score charts, besluitbrieven for all three outcomes, certificates,
    heraudit letters, survey e-mails and a campaign with limited places; with PDFs
    when LibreOffice (soffice) is installed.

    \b
    Examples:
      cbct-docs demo --out out
      cbct-docs demo --out out --overwrite --no-pdf
    """
    samples = Samples.in_folder(samples_dir())
    office = load_office(config, example_fallback=True)
    batch = Batch(out, overwrite)
    summary = run_round(samples, batch, office, ledger_numbers(default_ledger_path(out)))
    made = batch.commit()
    with ThreadPoolExecutor(max_workers=PDF_BATCHES) as pool:
        # LibreOffice converts the letters while the campaign goes through the merge.
        pending = start_pdfs(pool, made, out, overwrite) if pdf else None
        counts = run_campaign(samples, batch, office)
        made += batch.commit()
        extras = communications(out, overwrite)
        pdfs = [p for job in pending for p in job.result()] if pending is not None else None
    show(made, pdfs, out, summary, counts, extras)


def communications(out: Path, overwrite: bool) -> dict[str, list[Path]]:
    """Besides the round: the sample norm whitepapers and the sector overview."""
    from ..overview import build_overview
    from ..whitepaper.build import build_whitepapers

    samples = samples_dir()
    papers = build_whitepapers(sorted((samples / "whitepapers").glob("*.yaml")),
                               out / "whitepapers", overwrite=overwrite)
    overview = samples / "overview"
    report = build_overview(overview / "results.xlsx", scores=overview / "scores",
                            survey=overview / "survey.csv", period="2025")
    written = report.write(out / "sectoroverzicht", overwrite=overwrite)
    return {"whitepaper": [p.path for p in papers], "sectoroverzicht": list(written)}


#: Two soffice processes side by side: on two cores about a third faster than one.
PDF_BATCHES = 2


def start_pdfs(pool: ThreadPoolExecutor, made: list[Made], out: Path,
               overwrite: bool) -> list[Future[list[Path]]] | None:
    from ..deliver.pdf import convert_to_pdf, soffice_available

    if not soffice_available():
        return None
    documents = [m.path for m in made if m.path.suffix == ".docx"]
    return [pool.submit(convert_to_pdf, documents[i::PDF_BATCHES], out / "pdf",
                        overwrite=overwrite) for i in range(PDF_BATCHES)]


def show(made: list[Made], pdfs: list[Path] | None, out: Path, summary: dict[str, Any],
         counts: dict[str, int], extras: dict[str, list[Path]]) -> None:
    kinds = Counter(m.kind for m in made)
    folders = {m.kind: m.path.parent for m in made}
    click.echo(f"Lifecycle demo for the sample register → {out}")
    click.echo(f"  quarters announced: {', '.join(summary['quarters'])}")
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
    outcome_counts = Counter(summary["outcomes"].values())
    click.echo("  outcomes: " + ", ".join(f"{outcome_counts[name]}× {name}"
                                        for name in ADVICES if outcome_counts[name]))
    click.echo(f"  campaign: {counts['geplaatst']} placed, {counts['bedankt']} thanked "
               f"(merge data: campagne/deelnemers.json)")
    total = len(made) + len(pdfs or []) + sum(len(paths) for paths in extras.values())
    click.echo(f"{total} files made.")


commands = [demo]
