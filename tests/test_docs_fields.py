"""docs/lifecycle.md lists the fields of every template: the table "Fields every
document has" and one row per template under "Per document". The lists are checked
against the contexts of the sample round (tests/golden.py) and of the e-mails made from
the register, both ways: every field the docs name is there (with its parts:
`afspraken` (`datum`, …)), and every field a template gets is named (and every part of
a field whose parts the docs list), so the tables cannot drift from the code again."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from .golden import _json_value, sample_contexts

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "lifecycle.md"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
TOKEN = re.compile(r"`([^`]*)`|(\()|(\))")

Path_ = tuple[str, ...]


def table_rows(heading: str) -> list[tuple[str, str]]:
    """The (first cell, second cell) rows of the first table after the line ``heading``."""
    lines = DOCS.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    rows: list[tuple[str, str]] = []
    for line in lines[start + 1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        if cells[0] not in ("template", "field") and not set(cells[0]) <= set("-|"):
            rows.append((cells[0], cells[1]))
    return rows


def field_paths(cell: str) -> list[Path_]:
    """The fields a cell names, with the parts named in brackets after them:
    `` `afspraken` (`datum`, `begin`) `` → ``afspraken``, ``afspraken.datum``,
    ``afspraken.begin``; ``.straat`` after ``organisatie.naam`` is ``organisatie.straat``.
    A backquoted text that is no name (`` `{{ grafiek }}` ``) is none, nor is what stands
    in brackets after one."""
    parents: list[Path_ | None] = []
    last: Path_ | None = None
    found: list[Path_] = []
    for match in TOKEN.finditer(cell):
        text, opening, closing = match.groups()
        if opening:
            parents.append(last)
            last = None
        elif closing:
            parents.pop()
            last = None
        else:
            within = parents[-1] if parents else ()
            if within is None:  # inside the brackets of no field: example values, prose
                continue
            if text.startswith(".") and last is not None and NAME.fullmatch(text[1:]):
                path = (*last[:-1], *text[1:].split("."))  # `.straat` after `organisatie.naam`
            elif NAME.fullmatch(text):
                path = (*within, *text.split("."))
            else:
                last = None
                continue
            found.append(path)
            last = path
    return found


def has_field(value: Any, path: Path_) -> bool:
    """Whether ``value`` (a mapping, or a list of mappings: any item) has ``path``."""
    if not path:
        return True
    if isinstance(value, list):
        return any(has_field(item, path) for item in value)
    return isinstance(value, dict) and path[0] in value and has_field(value[path[0]], path[1:])


def parts(value: Any, path: Path_) -> set[str]:
    """The names of the parts ``value`` has at ``path`` (of every item of a list)."""
    if isinstance(value, list):
        return set().union(*(parts(item, path) for item in value))
    if not isinstance(value, dict):
        return set()
    if not path:
        return set(value)
    return parts(value[path[0]], path[1:]) if path[0] in value else set()


def template_names(cell: str) -> list[str]:
    """`` `letters/besluitbrief.docx` `` → ``letters/besluitbrief`` (the sample's name)."""
    return [name.rsplit(".", 1)[0] for name in re.findall(r"`([^`]+/[^`]+)`", cell)]


def email_contexts() -> dict[str, dict[str, Any]]:
    """The announcement, the intake reminder and the survey of a sample organisation."""
    from cbct_docs.documents.announcement import announcement_context
    from cbct_docs.documents.certificate import survey_context
    from cbct_docs.documents.context import load_office
    from cbct_docs.domain.planning import Quarter
    from cbct_docs.domain.register import find_organisation, read_register
    from cbct_docs.paths import samples_dir

    office = load_office(REPO / "cbct-docs.toml")
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0111")
    quarter, announced = Quarter.parse("2025-Q2"), dt.date(2025, 1, 13)
    return {
        "emails/aankondiging": announcement_context(org, quarter, announced, office),
        "emails/intake-herinnering": announcement_context(org, quarter, announced, office,
                                                          reminder_date=dt.date(2025, 2, 3)),
        "emails/enquete": survey_context(org, office, dt.date(2025, 7, 20)),
    }


@pytest.fixture(scope="module")
def contexts() -> dict[str, dict[str, Any]]:
    """The sample contexts as a template author sees them (``<name>.sample.json``), and
    those of the e-mails made from the register alone."""
    return {name: json.loads(json.dumps(context, default=_json_value))
            for name, context in {**sample_contexts(), **email_contexts()}.items()}


@pytest.fixture(scope="module")
def common() -> list[Path_]:
    return [path for names, _ in table_rows("Fields every document has:")
            for path in field_paths(names)]


def per_document() -> dict[str, list[Path_]]:
    rows: dict[str, list[Path_]] = {}
    for templates, fields in table_rows("Per document:"):
        for name in template_names(templates):
            rows[name] = field_paths(fields)
    return rows


def test_every_word_template_has_a_row(contexts: dict[str, dict[str, Any]]) -> None:
    assert sorted(set(contexts) - set(per_document())) == []


#: The rows checked: every Word template and the e-mails made from the register alone (the
#: cover e-mail's and the campaign's fields depend on the letter and the registrations).
CHECKED = sorted(set(per_document()) - {"emails/bijlage", "emails/campagne"})


@pytest.mark.parametrize("template", CHECKED)
def test_the_fields_the_docs_name_are_the_fields_the_template_gets(
        template: str, contexts: dict[str, dict[str, Any]], common: list[Path_]) -> None:
    context = contexts[template]
    named = [*common, *per_document()[template]]
    assert [".".join(path) for path in named if not has_field(context, path)] == []
    # Where the docs name a field's parts (or the top level's fields), they name them all.
    listed: dict[Path_, set[str]] = {}
    for path in named:  # `organisatie.naam` names `organisatie` at the top level too
        for depth, name in enumerate(path):
            listed.setdefault(path[:depth], set()).add(name)
    assert [".".join((*within, part)) for within, names in sorted(listed.items())
            for part in sorted(parts(context, within) - names)] == []


def test_the_field_lists_are_read_as_meant() -> None:
    """The reading the checks rely on: parts in brackets, `.x` after a dotted name, and
    no field from example values or prose in brackets."""
    assert field_paths("`organisatie.naam`, `.cert_nr`, `aanhef`") == [
        ("organisatie", "naam"), ("organisatie", "cert_nr"), ("aanhef",)]
    assert field_paths("`normen` (each: `nummer`, `vragen` (`id`, `kleur`), `label`), "
                       "`grafiek` (placed where `{{ grafiek }}` stands), `concept` "
                       "(true/false), `de_auditoren`") == [
        ("normen",), ("normen", "nummer"), ("normen", "vragen"), ("normen", "vragen", "id"),
        ("normen", "vragen", "kleur"), ("normen", "label"), ("grafiek",), ("concept",),
        ("de_auditoren",)]
