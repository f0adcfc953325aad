"""Certificate numbers from the office database.

A number is allocated in its own committed transaction before the documents are made:
asking again for the same organisation, framework and year gives the same number, so a
run that was interrupted and run again prints the same certificate, and no number is
lost or given twice.
"""

from __future__ import annotations

import datetime as dt

from ..deliver.ledger import Ledger
from ..domain.register import Organisation
from .office import OfficeFolder


def certificate_number(office: OfficeFolder, org: Organisation, day: dt.date) -> str:
    office.database()  # migrated and checked first
    with Ledger(office.database_path) as ledger:
        return ledger.allocate_certificate_number(org.cert_nr, org.framework, day.year)


def claim_number(office: OfficeFolder, org: Organisation, day: dt.date, number: str) -> None:
    """A number the office chose itself; refused when it belongs to another organisation."""
    office.database()
    with Ledger(office.database_path) as ledger:
        ledger.claim_number(number, org.cert_nr, org.framework, day.year)
