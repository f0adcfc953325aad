"""A norm guide: the comms team's explanations joined with the framework's norm.

The norm file names the framework, the norm number and question/indicator ids; the
texts of norms, questions and indicators and the scale come from the framework file,
so they are never typed twice. See docs/whitepaper.md for the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CbctError, DataError, Problems
from .schema import Field, FieldReader, paragraphs, read_yaml, suggestion

if TYPE_CHECKING:
    from ..domain.frameworks import Framework, Norm

TOP_FIELDS = {
    "framework": Field(required=True), "norm": Field(required=True), "subtitle": Field(),
    "lead": Field(), "builds_on": Field(required=True), "concept": Field(required=True),
    # indicators and questions: required when the norm has them (checked in _items)
    "indicators": Field(), "modules": Field(), "questions": Field(),
    "policy_note": Field(), "scoring": Field(),
}
CONCEPT_FIELDS = {"title": Field(), "text": Field(required=True)}
INDICATOR_FIELDS = {"id": Field(required=True), "explanation": Field(required=True)}
QUESTION_FIELDS = {"id": Field(required=True), "explanation": Field(required=True),
                   "documents": Field(required=True)}
MODULE_FIELDS = {"intro": Field(), "indicators": Field(), "questions": Field()}
SCORING_FIELDS = {"intro": Field(), "levels": Field()}

POLICY_NOTE = (
    "Een ‘nee’ is niet vanzelf een tekortkoming. Soms kiest een organisatie er bewust voor "
    "iets niet te doen, bijvoorbeeld omdat het niet bij haar missie past of omdat een "
    "partner het al doet. Leg die keuze en de redenen ervoor vast in je beleidsstukken: de "
    "auditor kijkt dan of de keuze weloverwogen is, niet of elk vakje ‘ja’ zegt."
)
SCORING_INTRO = (
    "De auditoren beoordelen elke beoordelingsvraag op een schaal van vier. Zij baseren "
    "zich op jouw zelfevaluatie, de documenten ter onderbouwing en de gesprekken tijdens de "
    "audit."
)
LEVEL_TEXTS = {
    "Niet": "Er is geen aanpak, of je kunt die niet laten zien.",
    "Beperkt": "Er zijn eerste stappen gezet, maar de aanpak is nog niet uitgewerkt of "
               "wordt niet consequent uitgevoerd.",
    "Grotendeels": "De aanpak is uitgewerkt en wordt uitgevoerd; op onderdelen is "
                   "verbetering nodig.",
    "Volledig": "De aanpak is uitgewerkt, wordt uitgevoerd, geëvalueerd en bijgesteld: de "
                "cirkel van plannen, doen, meten en verbeteren is rond.",
}


@dataclass
class Item:
    """An indicator or a question: id and text from the framework, the rest from the file."""

    id: str
    text: str
    scope: str
    explanation: list[str]
    documents: list[str] = field(default_factory=list)


@dataclass
class ModuleContent:
    code: str
    title: str
    intro: list[str]
    indicators: list[Item]
    questions: list[Item]


@dataclass
class Guide:
    source: Path
    framework: Framework
    norm: Norm
    subtitle: str | None
    lead: list[str]
    builds_on: list[str]
    concept_title: str
    concept: list[str]
    indicators: list[Item]
    questions: list[Item]
    modules: list[ModuleContent]
    policy_note: list[str]
    scoring_intro: list[str]
    level_texts: dict[str, str]


def load_guide(path: str | Path, framework: Framework | None = None) -> Guide:
    """Read and check a norm file; every problem in it is reported at once.

    ``framework`` overrides the file's ``framework:`` field (a test or an office that
    keeps its own framework file may pass one).
    """
    source = Path(path)
    problems = Problems()
    reader = FieldReader(source, problems)
    top = reader.mapping(read_yaml(source), "", TOP_FIELDS, "norm file")
    if framework is None:
        framework = _framework(reader, top.get("framework"), source)
    norm = _norm(reader, framework, top.get("norm")) if framework is not None else None
    if framework is None or norm is None:
        problems.raise_if_any()
        raise DataError("cannot find the norm", location=source)  # pragma: no cover

    concept = reader.mapping(top.get("concept"), "concept", CONCEPT_FIELDS, "concept") \
        if "concept" in top else {}
    scoring = reader.mapping(top["scoring"], "scoring", SCORING_FIELDS, "scoring") \
        if top.get("scoring") is not None else {}
    name = f"norm {norm.number} ({norm.title}) in {framework.name}"
    indicators = _items(reader, top.get("indicators"), "indicators", norm.indicators,
                        f"an indicator of {name}", INDICATOR_FIELDS, complete=True)
    questions = _items(reader, top.get("questions"), "questions", norm.questions,
                       f"a question of {name}", QUESTION_FIELDS, complete=True)
    guide = Guide(
        source=source, framework=framework, norm=norm,
        subtitle=reader.text(top.get("subtitle"), "subtitle"),
        lead=paragraphs(reader.text(top.get("lead"), "lead")),
        builds_on=paragraphs(reader.text(top.get("builds_on"), "builds_on")),
        concept_title=reader.text(concept.get("title"), "concept.title")
        or f"Wat verstaan we onder {norm.title.lower()}?",
        concept=paragraphs(reader.text(concept.get("text"), "concept.text")),
        indicators=indicators, questions=questions,
        modules=_modules(reader, top.get("modules"), framework),
        policy_note=paragraphs(reader.text(top.get("policy_note"), "policy_note")
                               or POLICY_NOTE),
        scoring_intro=paragraphs(reader.text(scoring.get("intro"), "scoring.intro")
                                 or SCORING_INTRO),
        level_texts=_level_texts(reader, scoring.get("levels"), framework),
    )
    problems.raise_if_any()
    return guide


def _framework(reader: FieldReader, value: Any, source: Path) -> Framework | None:
    from ..domain.frameworks import available_frameworks, load_framework

    text = reader.text(value, "framework")
    if text is None:
        return None
    known = available_frameworks()
    by_code = {code.lower(): code for code in known}
    if text.lower().endswith((".yaml", ".yml")):
        target: str | Path = (source.parent / text)
    elif text.lower() in by_code:
        target = by_code[text.lower()]
    else:
        reader.problem("framework", f"unknown framework {text!r}",
                       suggestion(text, known, "known frameworks") +
                       "; or give the path of a framework .yaml file")
        return None
    try:
        return load_framework(target)
    except CbctError as error:
        reader.problems.add(error.at(reader.where("framework")))
        return None


def _norm(reader: FieldReader, framework: Framework, value: Any) -> Norm | None:
    numbers = [str(norm.number) for norm in framework.norms]
    text = reader.text(value, "norm")
    if text is None:
        return None
    if text.isdecimal():  # not "²", which int() refuses
        for norm in framework.norms:
            if norm.number == int(text):
                return norm
    reader.problem("norm", f"{text!r} is not a norm of {framework.name}",
                   "norms: " + ", ".join(f"{n.number} {n.title}" for n in framework.norms)
                   if numbers else None)
    return None


def _items(reader: FieldReader, value: Any, path: str, known: list[Any], what: str,
           fields: dict[str, Field], complete: bool) -> list[Item]:
    noun = "question" if fields is QUESTION_FIELDS else "indicator"
    """Join the file's entries to the framework's items, in the framework's order."""
    by_id = {str(item.id): item for item in known}
    found: dict[str, Item] = {}
    for where, entry in reader.items(value, path):
        data = reader.mapping(entry, where, fields, noun)
        item_id = reader.text(data.get("id"), f"{where}.id")
        if item_id is None:
            continue
        if item_id not in by_id:
            reader.problem(f"{where}.id", f"{item_id!r} is not {what}",
                           suggestion(item_id, by_id, "ids", listing=True))
            continue
        if item_id in found:
            reader.problem(f"{where}.id", f"{item_id!r} appears twice",
                           "give each id one entry")
            continue
        base = by_id[item_id]
        found[item_id] = Item(
            id=item_id, text=base.text, scope=base.scope,
            explanation=paragraphs(reader.text(data.get("explanation"),
                                               f"{where}.explanation")),
            documents=reader.texts(data.get("documents"), f"{where}.documents"),
        )
    if complete and value is None and by_id:
        reader.problem(path, "is missing", f"explain each of {', '.join(by_id)}")
    elif complete:
        for item_id in by_id:
            if item_id not in found:
                reader.problem(path, f"no entry for {noun} {item_id!r} "
                               f"({_short(by_id[item_id].text)})",
                               f"a whitepaper explains every {noun} of its norm")
    return [found[item_id] for item_id in by_id if item_id in found]


def _modules(reader: FieldReader, value: Any, framework: Framework) -> list[ModuleContent]:
    if value is None:
        return []
    if not isinstance(value, dict):
        reader.problem("modules", "expected module codes with their content (e.g. 'ido:')")
        return []
    modules = []
    for code, entry in value.items():
        where = f"modules.{code}"
        module = framework.modules.get(str(code))
        if module is None:
            reader.problem(where, f"{code!r} is not a module of {framework.name}",
                           suggestion(str(code), framework.modules, "modules"))
            continue
        data = reader.mapping(entry, where, MODULE_FIELDS, "module")
        what = f"of module {module.code} ({module.title})"
        modules.append(ModuleContent(
            code=module.code, title=module.title,
            intro=paragraphs(reader.text(data.get("intro"), f"{where}.intro")),
            indicators=_items(reader, data.get("indicators"), f"{where}.indicators",
                              module.indicators, f"an indicator {what}", INDICATOR_FIELDS,
                              complete=False),
            questions=_items(reader, data.get("questions"), f"{where}.questions",
                             module.questions, f"a question {what}", QUESTION_FIELDS,
                             complete=False),
        ))
    return modules


def _level_texts(reader: FieldReader, value: Any, framework: Framework) -> dict[str, str]:
    names = [level.name for level in framework.scale]
    texts = {name: LEVEL_TEXTS.get(name, "") for name in names}
    if value is None:
        return texts
    if not isinstance(value, dict):
        reader.problem("scoring.levels", "expected one text per score, e.g. 'Niet: …'")
        return texts
    for name, text in value.items():
        where = f"scoring.levels.{name}"
        if str(name) not in texts:
            reader.problem(where, f"{name!r} is not a score of {framework.name}",
                           suggestion(str(name), names, "scores"))
            continue
        texts[str(name)] = reader.text(text, where) or texts[str(name)]
    return texts


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
