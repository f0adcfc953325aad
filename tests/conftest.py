"""Shared fixtures: build real .docx templates and read documents back as a person would."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import settings

# CI runs the property tests on a fixed set of examples, so a run that passed here passes
# there; a session's own runs keep exploring (and keep what they find in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def make_docx(path: Path, paragraphs: list[str], header: str | None = None,
              footer: str | None = None) -> Path:
    """A Word document with the given paragraphs (Jinja tags allowed), header and footer."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    section = document.sections[0]
    if header is not None:
        section.header.paragraphs[0].text = header
    if footer is not None:
        section.footer.paragraphs[0].text = footer
    document.save(str(path))
    return path


def docx_text(path: Path) -> str:
    """All text a reader sees: body paragraphs, tables, headers and footers."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def plain_body(message: EmailMessage) -> str:
    """The text/plain body a person reads; every mail the office makes has one."""
    body = message.get_body(("plain",))
    assert body is not None, "the mail has a text/plain body"
    return str(body.get_content())


def first_group(pattern: str, text: str) -> str:
    """Group 1 of ``pattern``'s first match in ``text`` (a page), which must hold it."""
    found = re.search(pattern, text)
    assert found is not None, f"{pattern!r} is not on the page"
    return found.group(1)


@pytest.fixture
def docx_template(tmp_path: Path) -> Callable[..., Path]:
    def build(paragraphs: list[str], name: str = "template.docx", **kw: str) -> Path:
        return make_docx(tmp_path / name, paragraphs, **kw)

    return build


@pytest.fixture(autouse=True)
def office_ledger_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the office ledger into the working folder (the repository)."""
    monkeypatch.setenv("CBCT_LEDGER", str(tmp_path / "office-ledger.sqlite"))


@pytest.fixture
def forked_workers(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Worker processes for a tiny batch: ``forked_workers(min_batch=1, chunk=2)`` asks for
    two workers (``CBCT_WORKERS=2``), sets runs.parallel's batch and chunk sizes, and lets
    the test fork although pytest may have started threads."""
    from cbct_docs.runs import parallel

    def use(min_batch: int = 1, chunk: int = 2) -> None:
        monkeypatch.setenv("CBCT_WORKERS", "2")
        monkeypatch.setattr(parallel, "MIN_BATCH", min_batch)
        monkeypatch.setattr(parallel, "CHUNK", chunk)
        monkeypatch.setattr(parallel, "can_fork", lambda: True)

    return use


@pytest.fixture
def server() -> Iterator[tuple[Any, int]]:
    """A real SMTP server on 127.0.0.1 (tests/mailserver.py): ``(handler, port)``."""
    from tests.mailserver import FaultyMailServer, start

    handler = FaultyMailServer()
    controller = start(handler)
    try:
        yield handler, int(controller.port)
    finally:
        controller.stop()


class LogRecords(logging.Handler):
    """A logging handler that keeps what it is given (tests read the records)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
