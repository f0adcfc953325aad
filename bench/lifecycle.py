"""Offices further on in the round, for ``python -m bench.commands``: score sheets for every
organisation, and the office after confirm, the concept report, the definitief report and
the decision (each made once per size by the commands themselves, not timed).

Score sheets are filled as samples/make_scores.py fills them: every question scored
(Volledig or Grotendeels), findings, strengths and improvement points per norm, the
indicators answered. Every third organisation scores norm 3 short (Grotendeels, Beperkt,
Beperkt: voorwaardelijk gecertificeerd), so ``decide`` makes a certificate for two in three
and ``heraudit`` a letter for one in three. A new sheet is made with the library once per
sample organisation; every organisation's copy of it is then filled in on its own, drawn
from its certificate number (an openpyxl round per sheet, ~70 ms), so that no two sheets
are copies of each other.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: One day of audit for every organisation (inside 2025-Q2, after the planned appointments)
#: and the dates of the steps after it, within the frameworks' terms.
AUDIT_DAY = dt.date(2025, 6, 2)
CONCEPT_DAY = "10-6-2025"
FINAL_DAY = "1-7-2025"  # the reaction term on the concept ends 24-6-2025
DECISION_DAY = "8-7-2025"
HERAUDIT_LETTER_DAY = "1-8-2025"
SURVEY_DAY = "15-7-2025"
Q2 = dt.date(2025, 4, 1)
WEAK_NORM = 3
WEAK_LEVELS = ["Grotendeels", "Beperkt", "Beperkt"]


def _samples_importable() -> None:
    """samples/ on the import path (its scripts hold the sample rows and texts)."""
    folder = str(ROOT / "samples")
    if folder not in sys.path:
        sys.path.insert(0, folder)


def make_register(count: int, path: Path) -> None:
    """``count`` organisations from the sample rows: unique cert_nr and e-mail address,
    certified_until spread over the 91 days of 2025-Q2."""
    import openpyxl

    _samples_importable()
    from make_register import COLUMNS, ORGANISATIONS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Organisaties"
    sheet.append(COLUMNS)
    email, until = COLUMNS.index("email"), COLUMNS.index("certified_until")
    for number in range(count):
        row = list(ORGANISATIONS[number % len(ORGANISATIONS)])
        row[0] = f"CBCT-{number + 1:05d}"
        row[email] = f"info{number + 1}@{row[email].partition('@')[2]}"
        row[until] = Q2 + dt.timedelta(days=number % 91)
        sheet.append(row)
    workbook.save(path)


#: Auditors and half-day appointments per audit category (the frameworks' categories).
CATEGORIES = {"I": (1, 2), "II": (2, 3), "III": (2, 4), "IV": (3, 6)}
AUDITORS = ["Anna de Wit", "Karim El Amrani", "Esra Yılmaz"]


def make_planning(count: int, path: Path) -> None:
    """Sheets Audits and Afspraken as samples/make_planning.py writes them: every
    organisation announced on 13-1-2025, its category's auditors and half-days in May."""
    import openpyxl

    _samples_importable()
    from make_register import COLUMNS, ORGANISATIONS

    workbook = openpyxl.Workbook()
    audits = workbook.active
    assert audits is not None
    audits.title = "Audits"
    audits.append(["cert_nr", "aangekondigd", "auditoren"])
    appointments = workbook.create_sheet("Afspraken")
    appointments.append(["cert_nr", "datum", "begin", "eind", "locatie", "onderdeel"])
    for number in range(count):
        cert_nr = f"CBCT-{number + 1:05d}"
        category = ORGANISATIONS[number % len(ORGANISATIONS)][COLUMNS.index("category")]
        auditors, half_days = CATEGORIES[category]
        audits.append([cert_nr, dt.date(2025, 1, 13), "; ".join(AUDITORS[:auditors])])
        first = dt.date(2025, 5, 5) + dt.timedelta(days=number % 20)
        for half in range(half_days):
            day = first + dt.timedelta(days=half // 2)
            begin, end = ((dt.time(9, 0), dt.time(12, 30)) if half % 2 == 0
                          else (dt.time(13, 30), dt.time(17, 0)))
            appointments.append([cert_nr, day, begin, end, "Hoofdvestiging, Havenstraat 12",
                                 f"Auditgesprek {half + 1}"])
    workbook.save(path)


def run(command: list[str], cwd: Path) -> dict[str, Any]:
    """One whole process: wall seconds and its peak RSS (from wait4, its own)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            out.seek(0)
            tail = (err.read() or out.read()).decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"{' '.join(command[:3])} failed: {' / '.join(tail[-3:])}")
    return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024}


def cert_nr(number: int) -> str:
    """The register's certificate number of organisation ``number`` (0-based)."""
    return f"CBCT-{number + 1:05d}"


def weak(number: int) -> bool:
    return number % 3 == 2


def _fill(model: bytes, seed: str, is_weak: bool) -> bytes:
    """A new score sheet (``model``) filled in by samples/make_scores.py's ``fill_book``,
    drawn from ``seed``; a weak one scores norm 3 short."""
    from openpyxl import load_workbook

    _samples_importable()
    from make_scores import fill_book

    book = load_workbook(io.BytesIO(model))
    fill_book(book, seed, {WEAK_NORM: WEAK_LEVELS} if is_weak else {})
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_number(template: bytes, old: str, new: str) -> bytes:
    """The sheet with another certificate number (a shared string, or an inline one)."""
    pattern = re.compile(rf">{re.escape(old)}<".encode())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith((".xml",)) and old.encode() in data:
                data = pattern.sub(f">{new}<".encode(), data)
            target.writestr(info, data)
    return out.getvalue()


def make_scoresheets(count: int, register: Path, folder: Path) -> list[Path]:
    """A filled score sheet per organisation of ``register`` (made by make_register):
    ``folder/CBCT-00001.xlsx`` …, each filled in on its own as samples/make_scores.py
    fills the samples (its own scores, findings, strengths, improvements and indicator
    answers, drawn from its own certificate number), so that no two organisations' sheets
    are copies of each other, as in an office: a reader or renderer that keeps what it
    saw before gains here only what it would gain there."""
    from cbct_docs.documents.scoresheet_file import new_scoresheet
    from cbct_docs.domain.register import read_register

    _samples_importable()
    from make_register import ORGANISATIONS

    folder.mkdir(parents=True, exist_ok=True)
    orgs = read_register(register)
    models: dict[int, bytes] = {}
    paths = []
    for number in range(count):
        key = number % len(ORGANISATIONS)
        if key not in models:
            model = orgs[key]  # the first rows are the sample organisations, in order
            path = folder / f"model-{key}.xlsx"
            new_scoresheet(model, model.framework, path, [AUDIT_DAY], ["Anna de Wit"],
                           overwrite=True)
            models[key] = path.read_bytes()
            path.unlink()
        path = folder / f"{cert_nr(number)}.xlsx"
        filled = _fill(models[key], cert_nr(number), weak(number))
        path.write_bytes(_with_number(filled, cert_nr(key), cert_nr(number)))
        paths.append(path)
    return paths


#: The round's steps in order: each stage is the office after its command (made once per
#: size from the stage before it, not timed); a measured side runs on a copy of one.
STAGES = ["registered", "announced", "confirmed", "concept", "final", "decided"]


def sheet_args(count: int) -> list[str]:
    """The score sheets as command-line arguments, relative to the office folder."""
    return [f"scores/{cert_nr(n)}.xlsx" for n in range(count)]


def step_command(stage: str, count: int, cli: str) -> list[str]:
    """The command that makes ``stage`` from the stage before it (also the timed sides'
    commands: report, decide …); run in the office folder."""
    office = ["--office", ".", "--out", "out"]
    if stage == "announced":
        return [cli, "announce", "-q", "2025-Q2", "--date", "13-1-2025", *office]
    if stage == "confirmed":
        return [cli, "confirm", "planning.xlsx", "--date", "3-3-2025", *office]
    if stage == "concept":
        return [cli, "report", *sheet_args(count), "--concept", "--date", CONCEPT_DAY,
                *office]
    if stage == "final":
        return [cli, "report", *sheet_args(count), "--definitief", "--no-response",
                "--date", FINAL_DAY, *office]
    if stage == "decided":
        return [cli, "decide", *sheet_args(count), "--date", DECISION_DAY, *office]
    if stage == "heraudit":
        return [cli, "heraudit", *sheet_args(count), "--date", HERAUDIT_LETTER_DAY, *office]
    if stage == "survey":
        orgs = [arg for n in range(count) for arg in ("--org", cert_nr(n))]
        return [cli, "survey", *orgs, "--date", SURVEY_DAY, *office]
    raise ValueError(stage)
