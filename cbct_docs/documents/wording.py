"""Dutch words a letter needs: lists (``a, b en c``), small numbers and periods in words,
days, ``de auditor``/``de auditoren``, the salutation, and the words of the office's voice
(``je`` or ``u``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

VOICES = ("je", "u")


def voice_words(form: str) -> dict[str, Any]:
    """The words that differ between "je" and "u", for sentences written subject first
    ("{{ Je }} ontvangt", "{{ jouw }} vragen", "{{ jullie }} organisatie"): Dutch verbs
    after je and u are the same there (je/u hebt, bent, kunt, ontvangt)."""
    if form == "u":
        words = {"je": "u", "jouw": "uw", "jullie": "uw"}
    else:
        words = {"je": "je", "jouw": "jouw", "jullie": "jullie"}
    capitals = {key[0].upper() + key[1:]: value[0].upper() + value[1:]
                for key, value in words.items()}
    return {"aanspreekvorm": form, "u": form == "u", **words, **capitals}


def dutch_list(items: Iterable[str]) -> str:
    """``a``, ``a en b``, ``a, b en c``."""
    items = [str(i) for i in items if str(i).strip()]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


_NUMBER_WORDS = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
                 "tien", "elf", "twaalf")


def number_word(number: int) -> str:
    """Small numbers in words, as a letter writes them: 3 → ``drie``; 14 stays ``14``."""
    return _NUMBER_WORDS[number] if 0 <= number < len(_NUMBER_WORDS) else str(number)


def auditor_words(count: int) -> dict[str, str]:
    """``de auditor`` or ``de auditoren``, and the verbs that agree with them ("De auditor
    gaf", "De auditoren gaven"), so a template needs no expression for it. After "het
    bureau of de auditor(en)" the verb follows the last part, as Dutch has it with "of"."""
    one = count == 1
    return {"de_auditoren": "de auditor" if one else "de auditoren",
            "De_auditoren": "De auditor" if one else "De auditoren",
            "auditoren_woord": "auditor" if one else "auditoren",
            "Auditoren_woord": "Auditor" if one else "Auditoren",
            "auditoren_gaven": "gaf" if one else "gaven",
            "auditoren_uitvoerden": "uitvoerde" if one else "uitvoerden"}


def norm_words(count: int) -> dict[str, str]:
    """``de norm is`` or ``de normen zijn``: the words around a number of norms."""
    one = count == 1
    return {"de_normen": "de norm" if one else "de normen",
            "deze_normen": "deze norm" if one else "deze normen",
            "normen_woord": "norm" if one else "normen",
            "normen_zijn": "is" if one else "zijn",
            "normen_waren": "was" if one else "waren"}


def days_text(days: Iterable[Any]) -> str:
    """``13 en 14 mei 2025``: days as one Dutch letter writes them."""
    from ..render.filters import data

    return data(list(days))


def months_text(months: int) -> str:
    """``een half jaar``, ``een jaar`` or ``vier maanden``."""
    named = {6: "een half jaar", 12: "een jaar"}
    return named.get(months, f"{number_word(months)} maand{'en' if months != 1 else ''}")


_TITLES = {"de heer": "heer", "dhr.": "heer", "heer": "heer", "mevrouw": "mevrouw",
           "mevr.": "mevrouw", "mw.": "mevrouw"}


def salutation(contact: str, form: str = "u") -> str:
    """``de heer R. Hoekstra`` → ``Geachte heer Hoekstra`` (``u``) or ``Beste heer
    Hoekstra`` (``je``); ``mevrouw A. van Wijk`` → ``… mevrouw Van Wijk``. A name without
    a title is used as it is."""
    greeting = "Beste" if form == "je" else "Geachte"
    text = " ".join(contact.split())
    for prefix, title in _TITLES.items():
        if text.lower().startswith(prefix + " "):
            words = [w for w in text[len(prefix):].split() if not w.endswith(".")]
            if words:
                surname = " ".join(words)
                return f"{greeting} {title} {surname[0].upper()}{surname[1:]}"
    if text:
        return f"{greeting} {text}"
    return "Beste lezer" if form == "je" else "Geachte heer, mevrouw"

