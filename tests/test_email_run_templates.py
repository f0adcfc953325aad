"""A run's e-mail templates (documents/context.email_templates(run=True)): the same e-mails
as the templates looked up for one message, compiled once for the run; an edited layout
is seen by the next run (issue 16: no stat of the layout per message)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from cbct_docs.documents.announcement import announcement_context
from cbct_docs.documents.context import email_templates, load_office
from cbct_docs.domain.planning import Quarter
from cbct_docs.domain.register import read_register
from cbct_docs.paths import samples_dir, templates_dir

REPO = Path(__file__).resolve().parent.parent
GREETING = "Met vriendelijke groet,"
EDITED = "Met hartelijke groet uit het eigen sjabloon,"


def own_emails(tmp_path: Path) -> Path:
    """An office templates folder with its own aankondiging.txt and _layout.txt."""
    folder = tmp_path / "templates"
    (folder / "emails").mkdir(parents=True)
    for name in ("aankondiging.txt", "_layout.txt", "aankondiging.html", "_layout.html"):
        shutil.copy(templates_dir() / "emails" / name, folder / "emails" / name)
    return folder


def edit_layout(folder: Path) -> None:
    layout = folder / "emails" / "_layout.txt"
    text = layout.read_text(encoding="utf-8")
    assert GREETING in text
    layout.write_text(text.replace(GREETING, EDITED), encoding="utf-8")
    later = layout.stat().st_mtime + 5  # a clock that did not tick still counts as a change
    os.utime(layout, (later, later))


def test_a_runs_templates_make_the_same_emails_and_the_next_run_sees_an_edit(
        tmp_path: Path) -> None:
    folder = own_emails(tmp_path)
    office = load_office(REPO / "cbct-docs.toml")
    orgs = read_register(samples_dir() / "register.xlsx")[:3]
    day = dt.date(2025, 1, 13)
    contexts = [(announcement_context(org, Quarter(2025, 2), day, office), org.email)
                for org in orgs]

    looked_up = email_templates("aankondiging", folder)
    run = email_templates("aankondiging", folder, run=True)
    assert run.text.path == looked_up.text.path
    for context, to in contexts:
        assert run.render(context, to) == looked_up.render(context, to)
    first = run.render(*contexts[0])
    assert GREETING in first.text and first.subject.startswith("Aankondiging audit")

    edit_layout(folder)
    assert run.render(*contexts[0]) == first  # a run's templates stay as the run began
    again = email_templates("aankondiging", folder)
    assert EDITED in again.render(*contexts[0]).text  # one message: read again
    next_run = email_templates("aankondiging", folder, run=True)
    for context, to in contexts:
        text = next_run.render(context, to).text
        assert EDITED in text and GREETING not in text
