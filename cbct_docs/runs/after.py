"""After the decision: the satisfaction survey."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from ..documents.certificate import survey_context
from ..documents.context import about, email_bytes, file_stem, recipient, render_email
from ..domain.process import Kind, may_survey
from ..domain.register import find_organisation
from .office import OfficeFolder
from .run import Run, RunResult


def survey(office: OfficeFolder, only: Sequence[str], day: dt.date, *, out: Path,
           overwrite: bool = False, register: Path | None = None) -> RunResult:
    """A tevredenheidsenquête e-mail per organisation, after its decision, once."""
    run, orgs = Run.begin(office, out, overwrite, register)
    letterhead = run.letterhead
    for cert_nr in only:
        with run.problems.catch():
            org = find_organisation(orgs, cert_nr)
            with about(org):
                if not run.allowed(org, may_survey(run.state(org), day)):
                    continue
                email = render_email("enquete", survey_context(org, letterhead, day),
                                     recipient(org))
                path = run.batch.add("enquete", file_stem(org, "enquete"), ".eml",
                                     email_bytes(email, letterhead), org.name)
                run.record(org, Kind.SURVEY_SENT, day, {}, path)
    return run.commit()
