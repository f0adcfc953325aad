"""Header lines of an ``.eml`` as the standard library's builder writes them, made from
plain strings: addresses with their display names, the subject, the date.

Names and subjects that are not plain ASCII become RFC 2047 encoded-words (UTF-8, base64);
lines are folded at spaces, well under RFC 5322's 998 characters. What cannot be written
for certain raises :class:`Unsupported`, and deliver/email.py then builds the e-mail with
the standard library instead (see its module text).
"""

from __future__ import annotations

import base64
import functools
import re
import time
from email.utils import formatdate

#: ``Name <address>`` (the name may be quoted or empty): how both builders read an address.
NAMED = re.compile(r"^\s*(?P<name>[^<>]*?)\s*<(?P<address>[^<>,;\s]+)>\s*$")
#: A plain ``local@domain`` (dot-atoms, ASCII): what the fast builder writes as is.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: RFC 5322 specials: an ASCII display name with one of these is written quoted.
_SPECIALS = frozenset('()<>@,:;.\\"[]')
#: A header line the fast builder writes stays within this (RFC 5322: 998).
_HEADER_LINE = 78
LONGEST_LINE = 998
#: Encoded-words of 64 characters at most (``=?utf-8?b?`` + 52 base64 characters + ``?=``),
#: so that one fits a 78-character line after ``Reply-To: `` (RFC 2047: 75 at most).
_WORD_BYTES = 39


class Unsupported(Exception):
    """The fast builder cannot express this e-mail for certain: build it the standard way."""


#: The Date header of the current second: (second, header value).
_DATE: list[tuple[int, str]] = [(-1, "")]


def date_now() -> str:
    """``formatdate(localtime=True)``, formatted once per second rather than per message."""
    second = int(time.time())
    if _DATE[0][0] != second:
        _DATE[0] = (second, formatdate(second, localtime=True))
    return _DATE[0][1]


@functools.lru_cache(maxsize=64)  # the sender is the same in every message of a run
def fast_address(header: str, value: str) -> tuple[str, str]:
    """``Header: name <address>`` as the standard builder (deliver/email.py's
    ``_set_address``) means it, and the address's domain; :class:`Unsupported` for
    anything but a plain address."""
    if "=?" in value:  # the standard parser would read it as an encoded-word
        raise Unsupported(header)
    named = NAMED.match(value)
    if named:
        name = " ".join(named["name"].strip('" ').split())
        address = named["address"].strip()
    else:
        name, address = "", value.strip()
    if not _PLAIN_ADDRESS.fullmatch(address):
        raise Unsupported(header)
    domain = address.rpartition("@")[2]
    if not name:
        line = f"{header}: {address}"
    elif not name.isprintable():
        raise Unsupported(header)
    elif name.isascii():
        if _SPECIALS.intersection(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        line = f"{header}: {name} <{address}>"
    else:
        line = _fold_words(f"{header}:", _mixed_words(name, phrase=True) + [f"<{address}>"])
    if max(len(part) for part in line.split("\r\n")) > LONGEST_LINE:
        raise Unsupported(header)
    return line, domain


@functools.lru_cache(maxsize=256)  # a batch's e-mails share a few subjects
def fold_text(header: str, value: str) -> str:
    """An unstructured header (the subject): as is when plain ASCII, else encoded-words;
    folded at spaces. The value has single spaces only (the caller joined its words)."""
    if "=?" in value or not value.isprintable():
        raise Unsupported(header)
    words = _mixed_words(value, phrase=False)
    line = _fold_words(f"{header}:", words) if words else f"{header}: "
    if max(len(part) for part in line.split("\r\n")) > LONGEST_LINE:
        raise Unsupported(header)
    return line


def _mixed_words(value: str, *, phrase: bool) -> list[str]:
    """The words of ``value`` (single spaces) to write: plain words as they are, and each
    run of other words as encoded-words, the spaces inside the run encoded with it.

    Readers keep the space between a plain word and an encoded-word. Between two
    encoded-words RFC 2047 readers drop it, and so does Python's parser in a subject, but
    not in a display name (a "phrase"): a run in a name must fit one encoded-word.
    """
    words: list[str] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            encoded = _encoded_words(" ".join(run))
            if phrase and len(encoded) > 1:
                raise Unsupported(value)
            words.extend(encoded)
            run.clear()

    for word in value.split(" ") if value else []:
        if word.isascii() and not (phrase and _SPECIALS.intersection(word)):
            end_run()
            words.append(word)
        else:
            run.append(word)
    end_run()
    return words


def _fold_words(start: str, words: list[str]) -> str:
    """``start`` and the words, one space apart, a new (folded) line before a word that
    would pass the header line length; a fold is CRLF + space, read back as one space."""
    lines, line = [], start
    for word in words:
        if len(line) + 1 + len(word) > _HEADER_LINE and line != start:
            lines.append(line)
            line = " " + word
        else:
            line += " " + word
    lines.append(line)
    return "\r\n".join(lines)


def _encoded_words(value: str) -> list[str]:
    """``value`` as RFC 2047 encoded-words (UTF-8, base64), each at most 75 characters and
    holding whole characters; readers join adjacent encoded-words without the space."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in value:
        length = len(char.encode("utf-8"))
        if size + length > _WORD_BYTES:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += length
    words.append("".join(chunk))
    return [f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?="
            for word in words]

