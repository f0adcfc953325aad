"""A campaign mailing with limited places (a pilot): the first N registrations are
accepted, the others thanked, and everyone gets an answer.

The selection is written as a data file (``deelnemers.json``: who registered when, who got
a place) and the answers go through the generic merge, so the office can check the list
and re-run the merge with its own template. Each answer also becomes an ``.eml``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError, Problems, UsageError
from ..merge import merge
from ..records import read_records, structured_fields
from ..records.dates import parse_date
from .context import Batch, Email, Office, email_bytes
from .wording import salutation

REQUIRED = ("naam", "contact", "email", "aangemeld_op")
TEMPLATE = "campagne"
FOLDER = "campagne"


@dataclass
class Registration:
    fields: dict[str, Any]
    registered: dt.datetime
    row: int


def _moment(value: Any) -> dt.datetime:
    """A registration time: an Excel date-time, or a date (counted as midnight)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(parse_date(value), dt.time())


def read_registrations(path: Path, sheet: str | None = None) -> list[Registration]:
    """Registrations in order of arrival (ties: the order of the rows)."""
    problems = Problems()
    registrations = []
    for record in read_records(path, sheet, required=REQUIRED):
        with problems.catch():
            for name in ("naam", "contact", "email"):
                if not str(record.fields.get(name) or "").strip():
                    raise DataError("is empty", location=record.where(name))
            try:
                moment = _moment(record.fields["aangemeld_op"])
            except DataError as error:
                raise error.at(record.where("aangemeld_op")) from None
            registrations.append(Registration(dict(record.fields), moment, record.number))
    problems.raise_if_any()
    return sorted(registrations, key=lambda r: (r.registered, r.row))


#: What a campaign file holds (TOML, next to the registrations: ``<name>.toml`` or
#: ``campagne.toml``): the texts of the answers, in the campaign's own words.
CAMPAIGN_KEYS = ("titel", "deelnemers_krijgen", "antwoord_geplaatst", "antwoord_niet_geplaatst")


def campaign_file(data: Path) -> Path | None:
    """The campaign's own file next to its registrations, if there is one."""
    for candidate in (data.with_suffix(".toml"), data.parent / "campagne.toml"):
        if candidate.is_file():
            return candidate
    return None


def read_campaign(data: Path, title: str) -> dict[str, str]:
    """The campaign's texts: title, what participants get, the answer to those placed and
    to those not placed. Without a campaign file only the title is known, and the answers
    stay general."""
    import tomllib

    path = campaign_file(data)
    if path is None:
        return {"titel": title, "deelnemers_krijgen": "",
                "antwoord_geplaatst": "Binnenkort hoor je van ons hoe het verder gaat.",
                "antwoord_niet_geplaatst": "We houden je op de hoogte van wat er volgt."}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"not a readable campaign file: {error}", location=path) from None
    problems = Problems()
    texts: dict[str, str] = {}
    for key in CAMPAIGN_KEYS:
        value = values.get(key, title if key == "titel" else None)
        if not isinstance(value, str) or not value.strip():
            problems.add(DataError(f"{key} is missing or empty", location=path,
                                   hint="a campaign file has " + ", ".join(CAMPAIGN_KEYS)))
            continue
        texts[key] = " ".join(value.split())
    for key in sorted(set(values) - set(CAMPAIGN_KEYS)):
        problems.add(DataError(f"unknown key {key!r}", location=path,
                               hint="a campaign file has " + ", ".join(CAMPAIGN_KEYS)))
    problems.raise_if_any()
    return texts


def selection(registrations: list[Registration], places: int, office: Office,
              title: str, texts: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One merge record per registration: its own fields plus the outcome."""
    rows = []
    for position, registration in enumerate(registrations, start=1):
        own = {k: (v.isoformat(sep=" ", timespec="minutes") if isinstance(v, dt.datetime)
                   else v.isoformat() if isinstance(v, dt.date) else v)
               for k, v in registration.fields.items()}
        rows.append({
            **own,
            "positie": position,
            "geplaatst": position <= places,
            "plaatsen": places,
            "campagne": texts or {"titel": title},
            "aanhef": salutation(str(own["contact"]), office.aanspreekvorm),
            "organisatie": {"naam": own["naam"], "contact": own["contact"],
                            "email": own["email"]},
            **office.fields(),
        })
    return rows


def _structures(rows: list[dict[str, Any]]) -> set[str]:
    """The fields of the selection that hold groups, lists or yes/no values
    (``campagne``, ``organisatie``, ``geplaatst``, the office's ``afzender`` …): the merge
    may read these, and only these, of ``deelnemers.json`` as structures."""
    return {name for row in rows for name, value in row.items()
            if isinstance(value, dict | list | bool)}


def campaign(data: Path, batch: Batch, office: Office, places: int, *, title: str,
             template_folder: Path | None = None, sheet: str | None = None) -> dict[str, int]:
    """Select, merge the answers (.html and .txt) and write one .eml per registration.

    Writes straight into ``batch.out/campagne`` (the merge writes its own files); the
    .eml files are added to ``batch``. Returns counts of accepted and thanked.
    """
    from ..paths import templates_dir

    if places < 1:
        raise UsageError("--places must be at least 1")
    registrations = read_registrations(data, sheet)
    rows = selection(registrations, places, office, title, read_campaign(data, title))
    folder = batch.out / FOLDER
    answers = folder / "antwoorden"
    answers.mkdir(parents=True, exist_ok=True)
    selected = folder / "deelnemers.json"
    if selected.exists() and not batch.overwrite:
        from ..errors import OutputError

        raise OutputError("exists already", location=selected,
                          hint="nothing was written; use --overwrite to replace")
    from ..deliver.files import atomic_write

    atomic_write(selected, json.dumps(rows, ensure_ascii=False, indent=2) + "\n",
                 overwrite=batch.overwrite)
    emails = Path(template_folder or templates_dir() / "emails")
    outputs = {}
    with structured_fields(_structures(rows)):
        for suffix in (".html", ".txt"):
            result = merge(emails / f"{TEMPLATE}{suffix}", selected, answers,
                           name="{positie}-{naam}", overwrite=batch.overwrite, manifest="")
            outputs[suffix] = [o.path for o in result.outputs]
    for row, html_path, text_path in zip(rows, outputs[".html"], outputs[".txt"], strict=True):
        subject, _, body = text_path.read_text(encoding="utf-8").partition("\n")
        if not subject.startswith("Onderwerp:"):
            raise DataError("the first line must be 'Onderwerp: …' (the subject)",
                            location=emails / f"{TEMPLATE}.txt")
        email = Email(f"{row['contact']} <{row['email']}>",
                      subject.removeprefix("Onderwerp:").strip(), body.lstrip("\n"),
                      html_path.read_text(encoding="utf-8"))
        batch.add("campagne", html_path.stem, ".eml", email_bytes(email, office), row["naam"],
                  folder=FOLDER)
    accepted = sum(1 for row in rows if row["geplaatst"])
    return {"geplaatst": accepted, "bedankt": len(rows) - accepted}
