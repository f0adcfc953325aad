"""After the decision: the satisfaction survey."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..documents.certificate import survey_context
from ..documents.context import Office
from ..documents.fields import recipient
from ..domain.permissions import may_survey
from ..domain.process import Kind
from ..domain.register import Organisation, organisation_finder
from ..errors import CbctError
from .office import OfficeFolder
from .run import Progress, Run, RunResult, email_each

KIND = "enquete"


def survey(office: OfficeFolder, only: Sequence[str], day: dt.date, *, out: Path,
           overwrite: bool = False, register: Path | None = None,
           progress: Progress | None = None) -> RunResult:
    """A tevredenheidsenquête e-mail per organisation, after its decision, once.

    A certificate number that is not in the register is reported first (before the
    organisations' own problems, in their order); nothing is written then."""
    run, orgs = Run.begin(office, out, overwrite, register, stream=True)
    letterhead = run.letterhead
    find = organisation_finder(orgs)
    chosen: list[Organisation] = []
    for cert_nr in only:
        with run.problems.catch():
            chosen.append(find(cert_nr))
    email_each(run, chosen, KIND, lambda org: _survey(run, org, letterhead, day),
               Kind.SURVEY_SENT, {}, day, progress)
    return run.commit()


def _survey(run: Run, org: Organisation, letterhead: Office,
            day: dt.date) -> tuple[dict[str, Any], str] | CbctError | None:
    """The e-mail's context and addressee; None: passed by; an error: raised in turn."""
    try:
        if not run.allowed(org, may_survey(run.state(org), day)):
            return None
        return survey_context(org, letterhead, day), recipient(org)
    except CbctError as error:
        return error
