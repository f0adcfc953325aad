"""The review page's checks at speed: the To and Subject of every e-mail read without the
e-mail parser when they are as cbct-docs writes them, and exactly as the parser reads
them otherwise."""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses

import pytest

from cbct_docs.runs.documents import recipients_and_subject

BODY = b"\r\n\r\nBeste lezer,\r\nTo: niet@deze.example\r\n"


def parsed(data: bytes) -> tuple[tuple[str, ...], bool]:
    head = BytesHeaderParser(policy=compat32).parsebytes(data)
    return (tuple(a for _n, a in getaddresses(head.get_all("To", []))),
            bool(str(head.get("Subject", "")).strip()))


@pytest.mark.parametrize("header", [
    b"To: mevrouw =?utf-8?b?QS4=?= de\r\n =?utf-8?b?V2l0LcOWemRlbWly?= 0\r\n"
    b" <info0@bieb.example>\r\nSubject: Aankondiging",
    b"To: info@bieb.example\r\nSubject: x",
    b"To: <info@bieb.example>\r\nSubject:   ",
    b'To: "Wit, A. de" <a@bieb.example>, b@bieb.example\r\nSubject: twee',
    b"To: Directie: a@bieb.example, b@bieb.example;\r\nSubject: groep",
    b"To: a@bieb.example\r\nTo: b@bieb.example\r\nSubject: twee keer",
    b"To: geen-adres\r\nSubject: fout",
    b"Subject: zonder Aan",
    b"To: (opmerking) a@bieb.example\r\n",
    b"To : a@bieb.example\r\nsubject: kleine letters\r\nTO: b@bieb.example",
    b"To: =?utf-8?q?M=C3=BCller?= <m\xc3\xbcller@bieb.example>\r\nSubject: utf-8",
])
def test_the_fast_reading_agrees_with_the_parser(header: bytes) -> None:
    data = b"From: kantoor@cbct.example\r\n" + header + BODY
    assert recipients_and_subject(data) == parsed(data)


def test_an_address_as_cbct_docs_writes_it_is_read_without_the_parser(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from cbct_docs.runs import documents

    def no_parser(*_args: object, **_kw: object) -> None:
        raise AssertionError("the e-mail parser was used")

    monkeypatch.setattr(documents, "BytesHeaderParser", no_parser)
    data = (b"To: mevrouw =?utf-8?b?QS4=?= de =?utf-8?b?V2l0?= 0\r\n <info0@bieb.example>"
            b"\r\nSubject: Aankondiging" + BODY)
    assert recipients_and_subject(data) == (("info0@bieb.example",), True)
