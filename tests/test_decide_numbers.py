"""decide's certificate numbers (issue 16): allocated for a window of organisations at a
time, in their order, before any certificate of the window is made; the same numbers as
one by one, every one committed, the last commit with a full sync."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from cbct_docs.domain.process import Kind
from cbct_docs.errors import CbctError, DataError
from cbct_docs.paths import samples_dir
from cbct_docs.runs.audit import _Decision, _Numbers
from cbct_docs.runs.numbers import certificate_number
from cbct_docs.runs.office import OfficeFolder

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 7, 8)


def _job(certified: bool) -> _Decision:
    data = {"vorige_geldig_tot": "2025-04-01", "geldig_van": "2025-07-08",
            "geldig_tot": "2029-04-01"}
    return _Decision("besluitbrief", "letters/besluitbrief.docx", {},
                     (Kind.DECIDED, DAY, data), certified=data if certified else None)


def test_a_window_gets_the_numbers_one_by_one_would_give(tmp_path: Path) -> None:
    office = OfficeFolder(tmp_path, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=tmp_path / "cbct-ledger.sqlite")
    office.import_register(samples_dir() / "register.xlsx")
    orgs, _changes = office.organisations(None)
    failed = DataError("no postal address", location="register.xlsx:Organisaties:7")
    jobs: list[_Decision | CbctError | None] = [_job(True), None, failed, _job(False),
                                                _job(True)]
    with _Numbers(office) as numbers:
        numbers.give(orgs[:5], jobs, DAY)
        assert numbers.ledger is not None
        # The last number's commit had the full sync (2), and so the log before it.
        assert numbers.ledger.connection.execute("PRAGMA synchronous").fetchone()[0] == 2
    first, last = jobs[0], jobs[4]
    assert isinstance(first, _Decision) and isinstance(last, _Decision)
    assert first.certificate is not None and last.certificate is not None
    assert jobs[1] is None and jobs[2] is failed
    assert isinstance(jobs[3], _Decision) and jobs[3].certificate is None
    # Allocated in the organisations' order, committed: asked again, the same numbers.
    assert [first.certificate.number, last.certificate.number] == [
        certificate_number(office, orgs[0], DAY), certificate_number(office, orgs[4], DAY)]
    assert first.certificate.number < last.certificate.number
    assert first.certificate.data == {"nummer": first.certificate.number,
                                      "geldig_van": "2025-07-08", "geldig_tot": "2029-04-01"}
    assert first.certificate.org.certified_until == dt.date(2025, 4, 1)
    office.close()
    with sqlite3.connect(tmp_path / "cbct-ledger.sqlite") as db:
        rows = db.execute("SELECT org_key FROM certificate_numbers ORDER BY seq").fetchall()
    assert rows == [(orgs[0].cert_nr,), (orgs[4].cert_nr,)]
