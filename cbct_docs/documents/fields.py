"""The template fields of an organisation (the addressee) and of its framework: the
organisation named by its kind, its address block and e-mail recipient, the audit
category, the kenmerk, and the norms a heraudit covers.

Field names are Dutch (``organisatie.naam``) because office staff edit the templates;
docs/lifecycle.md lists them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import DataError
from .wording import dutch_list, salutation

if TYPE_CHECKING:
    from .context import Office


#: How a letter names the organisation, by its kind.
KINDS = {
    "bibliotheek": {"de_organisatie": "de bibliotheek", "organisatiesoort": "bibliotheek"},
    "cultuurorganisatie": {"de_organisatie": "de organisatie",
                           "organisatiesoort": "cultuurorganisatie"},
    "taalhuis": {"de_organisatie": "het taalhuis", "organisatiesoort": "taalhuis"},
}


def organisation_kind(org: Any) -> str:
    """``bibliotheek``, ``cultuurorganisatie`` or ``taalhuis``, from the register: a
    taalhuis or taalpunt by its name, or a ZoO organisation with the taalhuis module that
    is no library; a library by its name or by VOB as its only branch association; the
    rest are culture organisations."""
    name = str(getattr(org, "name", "")).lower()
    branch = {b.lower() for b in getattr(org, "branch", ()) or ()}
    library = "bibliothe" in name
    if "taalhuis" in name or "taalpunt" in name or (
            not library and getattr(org, "framework", "") == "ZoO"
            and "taalhuis" in (getattr(org, "modules", ()) or ())):
        return "taalhuis"
    if library or branch == {"vob"}:
        return "bibliotheek"
    return "cultuurorganisatie"


def organisation_fields(org: Any, framework: Any, office: Office | None = None) -> dict[str, Any]:
    """The addressee and its framework, as the templates name them; the salutation in the
    office's voice, and the organisation named by its kind (``de bibliotheek``)."""
    modules = [framework.modules[code].title for code in org.modules if code in framework.modules]
    kind = KINDS[organisation_kind(org)]
    form = office.aanspreekvorm if office is not None else "u"
    return {
        **kind,
        "De_organisatie": kind["de_organisatie"][0].upper() + kind["de_organisatie"][1:],
        "organisatie": {
            "naam": org.name, "cert_nr": org.cert_nr, "contact": org.contact,
            "email": org.email, "straat": org.street, "postcode": org.postcode,
            "plaats": org.city, "branche": dutch_list(org.branch),
            "categorie": org.category, "geldig_tot": org.certified_until,
        },
        "aanhef": salutation(org.contact, form),
        "kader": {"code": framework.code, "naam": framework.name},
        "modules": modules,
        "modules_tekst": dutch_list(modules),
        "de_modules": "de module" if len(modules) == 1 else "de modules",
    }


def require_postal_address(org: Any) -> None:
    """A letter or certificate goes by post: an empty address block must not go out."""
    missing = [name for name, value in (("street", org.street), ("postcode", org.postcode),
                                        ("city", org.city)) if not str(value or "").strip()]
    if missing:
        raise DataError(f"a letter by post needs {', '.join(missing)}, which the register "
                        "leaves empty", location=org.origin.at(missing[0]),
                        hint="fill in the postal address in the register")


def recipient(org: Any) -> str:
    """``Contact <address>``, or the bare address when the register names no contact."""
    return f"{org.contact} <{org.email}>" if org.contact.strip() else org.email


def category_fields(framework: Any, code: str) -> dict[str, Any]:
    category = framework.categories[code]
    return {"code": category.code, "dagdelen": category.dagdelen,
            "auditors": category.auditors, "criteria": category.criteria}


def reference(framework: Any, org: Any, kind: str, day: dt.date) -> str:
    """The kenmerk on a letter: framework, year, certificate number, document kind."""
    return f"{framework.code}/{day.year}/{org.cert_nr}/{kind}"


def part_label(part: Any) -> tuple[str, str]:
    """(short, long) label: ``("3", "Norm 3: Mensen")`` or ``("module", "Module Taalhuis")``."""
    number = getattr(part, "number", None)
    return (str(number) if number is not None else "module", part.label)


def insufficient_items(result: Any) -> list[dict[str, str]]:
    """The norms (and modules) a heraudit covers, as the letters and reports list them."""
    return [{"nummer": part_label(p)[0], "titel": p.title, "label": part_label(p)[1]}
            for p in result.insufficient_parts]

