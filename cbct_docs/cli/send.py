"""``cbct-docs send``, ``cbct-docs pdf`` and ``cbct-docs bundle``: getting documents out."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import DeliveryError, OutputError, ProblemList, UsageError
from .common import Progress

if TYPE_CHECKING:  # delivery is imported when a command runs, not for --help
    from ..deliver.sending import BatchReport, Decision

FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)
PASSWORD_VARIABLE = "CBCT_SMTP_PASSWORD"


def parse_rate(text: str) -> float:
    """``30``, ``30/min`` or ``600/h`` → messages per minute."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(min|m|h|hour|s|sec))?\s*", text)
    if not match:
        raise UsageError(f"--rate {text!r}: expected N/min, e.g. 30/min")
    per = {"s": 60.0, "sec": 60.0, "h": 1 / 60, "hour": 1 / 60}.get(match[2] or "min", 1.0)
    return float(match[1]) * per


def password_for(user: str) -> str | None:
    if not user:
        return None
    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE]
    if not sys.stdin.isatty():
        raise UsageError(f"the SMTP user {user!r} needs a password",
                         hint=f"set {PASSWORD_VARIABLE}, or run in a terminal to be asked")
    return str(click.prompt(f"SMTP password for {user}", hide_input=True, err=True))


def settle_marked(ledger: Path, config: Path | None, items: tuple[str, ...]) -> None:
    """--mark-sent: settled in the ledger and recorded in the dossiers, as the web does."""
    from ..runs.office import open_office
    from ..runs.sent import mark_sent

    office = open_office(config=config, templates=False)
    office.database_file = ledger
    try:
        for item in mark_sent(office, items, "send --mark-sent"):
            click.echo(f"marked as sent: {item}")
    finally:
        office.close()


@click.command()
@click.argument("outdir", type=FOLDER)
@click.option("--send", "really", is_flag=True, help="Really send (default: only list).")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N messages this run.")
@click.option("--rate", metavar="N/min", help="At most N messages per minute "
              "(default: [smtp] rate of the settings).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Settings file (default: ./cbct-docs.toml).")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path),
              help="Ledger of sent messages (default: the office ledger, $CBCT_LEDGER or "
                   "cbct-ledger.sqlite in the working folder).")
@click.option("--resend-uncertain", is_flag=True,
              help="Send again messages whose delivery is unconfirmed after a crash, and "
              "take over claims no run here can be checked for (another machine or "
              "container, a restart, or over 30 minutes old).")
@click.option("--retry-failed", is_flag=True, help="Try again messages refused with 5xx.")
@click.option("--mark-sent", multiple=True, metavar="MESSAGE-ID|FILE.eml",
              help="Record an unconfirmed message as delivered (after checking). Repeatable.")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bar, no list of skipped messages; problems still show.")
def send(outdir: Path, really: bool, limit: int | None, rate: str | None,
         config: Path | None, ledger: Path | None, resend_uncertain: bool,
         retry_failed: bool, mark_sent: tuple[str, ...], quiet: bool) -> None:
    """Send the e-mails (*.eml) in OUTDIR; a dry run unless --send.

    Every message is recorded in an SQLite ledger; a message that went out is never
    sent again, also not after a crash. The route: [mail] route in cbct-docs.toml,
    smtp (default), smtp-oauth2 or graph (Microsoft 365; cbct-docs mail test tries it).
    SMTP server: [smtp], or CBCT_SMTP_HOST, CBCT_SMTP_PORT, CBCT_SMTP_SECURITY
    (starttls|ssl|none), CBCT_SMTP_USER. The password only from CBCT_SMTP_PASSWORD, else
    you are asked; Microsoft 365's secret only from CBCT_MAIL_CLIENT_SECRET.

    \b
    Examples:
      cbct-docs send out/mails                      # what would go
      cbct-docs send out/mails --send --rate 30/min
      cbct-docs send out/mails --send --limit 5     # a first small batch
      cbct-docs send out/mails --mark-sent out/mails/C-014.eml

    A temporary refusal (4xx) is retried with growing pauses; a permanent one (5xx)
    is recorded as failed and the others go on. After a crash, a message that may
    have reached the server is reported as unconfirmed, not sent again: check, then
    --mark-sent or --resend-uncertain (docs/delivery.md). A fault of the set-up (no
    server, a login needed, TLS on one side only) stops the run at the first message,
    leaving every message unsent; a server that stalls is given up after [smtp] timeout,
    and the run stops after 3 unconfirmed messages. Exit 1 when any message did not go.
    """
    from ..deliver.ledger import office_ledger_path
    from ..deliver.outbox import Outbox
    from ..deliver.outgoing import read_outgoing
    from ..deliver.routes import make_route
    from ..deliver.sending import SendOptions, preview, send_batch
    from ..settings import load_settings

    files = sorted(p for p in outdir.glob("*.eml") if not p.name.startswith("."))
    if not files:
        raise UsageError("no .eml files here", location=outdir,
                         hint="make e-mails first, e.g. cbct-docs merge mail.html DATA --out …")
    messages = read_outgoing(files)
    settings = load_settings(config)
    smtp = settings.smtp()
    per_minute = parse_rate(rate) if rate else smtp.rate
    ledger = ledger or office_ledger_path(config)

    options = SendOptions(limit=limit, resend_uncertain=resend_uncertain,
                          retry_failed=retry_failed)

    if mark_sent:
        settle_marked(ledger, config, mark_sent)
    if not really:
        show_preview(preview(messages, ledger, options))
        return

    mailer = make_route(settings, password_for)  # [mail] route: smtp, smtp-oauth2, graph
    with Outbox(ledger) as outbox, Progress("Sending", quiet) as advance:
        try:
            report = send_batch(messages, outbox, mailer, options, rate=per_minute,
                                progress=advance)
        except DeliveryError as error:
            partial: BatchReport | None = error.report
            if partial is None:
                raise
            advance.close()
            stopped(partial, ledger)
            raise ProblemList([*attention(partial, quiet), error]) from None
        except KeyboardInterrupt as interrupt:
            advance.close()
            partial = getattr(interrupt, "report", None)  # deliver.sending.Interrupted
            uncertain = False
            if partial is not None:
                stopped(partial, ledger)
                for problem in attention(partial, quiet=True):
                    click.echo(f"Error: {problem}", err=True)
                uncertain = bool(partial.of("unconfirmed"))
            check = (" Check the unconfirmed messages listed above first (--mark-sent, or "
                     "--resend-uncertain)." if uncertain else "")
            # The message after "Interrupted." (cbct_docs.cli prints it).
            click.get_current_context().meta["cbct_docs.interrupt_hint"] = (
                "Messages sent are recorded in the ledger and never go twice; rerun "
                f"`cbct-docs send {outdir} --send` to send the rest.{check}")
            raise
        finally:
            mailer.close()
    problems = attention(report, quiet)
    click.echo(f"{report.summary()} (ledger {ledger})")
    recorded = record_in_dossiers(ledger, config, report)
    if recorded:
        click.echo(f"{recorded} sent e-mail(s) recorded in their dossiers.")
    if problems:
        raise ProblemList(problems)


def record_in_dossiers(ledger: Path, config: Path | None, report: BatchReport) -> int:
    """The dossier's account of what went (runs/sent.py); the ledger decided it."""
    from ..runs.office import open_office
    from ..runs.sent import record_sent

    office = open_office(None, config)
    office.database_file = ledger
    try:
        return record_sent(office, [outcome.message for outcome in report.of("sent")])
    finally:
        office.close()


def stopped(report: BatchReport, ledger: Path) -> None:
    left = f", {report.not_reached} not sent yet" if report.not_reached else ""
    click.echo(f"Stopped: {report.summary()}{left} (ledger {ledger})", err=True)


def attention(report: BatchReport, quiet: bool) -> list[DeliveryError]:
    """One problem per message that needs a person; skipped ones listed unless quiet."""
    problems = []
    for outcome in report.outcomes:
        name = outcome.message.path.name
        if outcome.needs_attention:
            what = outcome.detail if outcome.decision else f"{outcome.status}: {outcome.detail}"
            problems.append(DeliveryError(
                what, location=f"{name}: {', '.join(outcome.message.recipients)}"))
        elif outcome.status == "skipped" and not quiet:
            click.echo(f"skipped {name}: {outcome.detail}")
    return problems


def show_preview(decisions: list[Decision]) -> None:
    """The dry run's list: what would go, what not and why."""
    from ..deliver.sending import SEND

    counts = {"send": 0, "skip": 0, "attention": 0}
    for decision in decisions:
        counts[decision.action] += 1
        message, name = decision.message, decision.message.path.name
        if decision.action == SEND:
            click.echo(f"  would send  {name} → {', '.join(message.recipients)}: "
                       f"{message.subject}")
        elif decision.needs_attention:
            click.echo(f"  ATTENTION   {name}: {decision.reason}")
        else:
            click.echo(f"  skip        {name}: {decision.reason}")
    attention = (f", {counts['attention']} need{'s' if counts['attention'] == 1 else ''} "
                 "attention" if counts["attention"] else "")
    click.echo(f"Dry run: {counts['send']} would be sent, {counts['skip']} skipped"
               f"{attention}. Add --send to send.")


def expand(paths: tuple[Path, ...], suffixes: tuple[str, ...]) -> list[Path]:
    """Files as given; a folder stands for its documents, sorted by name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in suffixes
                                and not p.name.startswith(("~$", "."))))
        else:
            found.append(path)
    if not found:
        raise UsageError("no documents found in " + ", ".join(map(str, paths)))
    return found


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the PDFs (created if needed).")
@click.option("--timeout", type=click.FloatRange(min=1), default=300, show_default=True,
              help="Seconds LibreOffice may take for the whole batch.")
@click.option("--overwrite", is_flag=True, help="Replace PDFs that exist already.")
def pdf(files: tuple[Path, ...], out: Path, timeout: float, overwrite: bool) -> None:
    """Convert documents to PDF with LibreOffice, all in one batch.

    \b
    Examples:
      cbct-docs pdf out/brieven --out out/pdf
      cbct-docs pdf out/brieven/C-014*.docx --out out/pdf --overwrite
    """
    from ..deliver.pdf import convert_to_pdf

    sources = expand(files, (".docx", ".odt", ".doc", ".html", ".htm"))
    click.echo(f"Converting {len(sources)} file{'s' if len(sources) != 1 else ''} with "
               "LibreOffice …", err=True)
    made = convert_to_pdf(sources, out, timeout=timeout, overwrite=overwrite)
    click.echo(f"{len(made)} PDF{'s' if len(made) != 1 else ''} made → {out}")


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The bundle, e.g. drukwerk.docx.")
@click.option("--pdf", "as_pdf", is_flag=True, help="Also make a PDF of the bundle.")
@click.option("--overwrite", is_flag=True, help="Replace a bundle that exists already.")
def bundle(files: tuple[Path, ...], out: Path, as_pdf: bool, overwrite: bool) -> None:
    """Merge letters (.docx) into one document for printing, each on a new page.

    Letters keep their order (a folder: by file name), their headers and footers,
    and each starts with page 1. Use letters made from one template.

    \b
    Examples:
      cbct-docs bundle out/brieven --out out/drukwerk.docx --pdf
      cbct-docs bundle a.docx b.docx c.docx --out post.docx
    """
    from ..deliver.bundle import make_bundle
    from ..deliver.pdf import convert_to_pdf

    if out.suffix.lower() != ".docx":
        raise UsageError("the bundle must be a .docx file", location=out)
    letters = _without_output(files, out, expand(files, (".docx",)))
    if as_pdf and (out.with_suffix(".pdf")).exists() and not overwrite:
        raise OutputError("exists already", location=out.with_suffix(".pdf"),
                         hint="use --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    made = make_bundle(letters, out, overwrite=overwrite)
    click.echo(f"{len(letters)} letters bundled → {made}")
    if as_pdf:
        [pdf_file] = convert_to_pdf([made], made.parent, overwrite=overwrite)
        click.echo(f"PDF → {pdf_file}")


def _without_output(given: tuple[Path, ...], out: Path, letters: list[Path]) -> list[Path]:
    """The bundle is never one of its own letters.

    A bundle written into the folder it bundles (``bundle DIR --out DIR/drukwerk.docx``)
    would come back as a letter on a rerun, so every letter would print twice: leave it
    out of a folder's letters, and refuse it when it is named as a letter itself.
    """
    target = out.resolve()
    named = {p.resolve() for p in given if not p.is_dir()}
    if target in named:
        raise UsageError("the bundle cannot also be one of its letters", location=out,
                         hint="write the bundle to another name or folder")
    kept = [p for p in letters if p.resolve() != target]
    if not kept:
        raise UsageError("no letters to bundle besides the bundle itself",
                         location=out)
    return kept


commands = [send, pdf, bundle]
