"""The template context of a whitepaper: the same words for the Word and the HTML version.

Indicators are grouped by the scope the framework gives them: organisation-only and
"beide" together (the latter marked), taalhuis-only in their own section, then one
section per other module (IDO, leesbevordering). Questions go to the organisation, the
taalhuis or a module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .content import Guide, Item

MARKER = "◆"
TAALHUIS_INTRO = "Deze indicatoren gelden alleen voor organisaties met een taalhuis."
ORGANISATION, TAALHUIS, BOTH = "organisatie", "taalhuis", "beide"
TAALHUIS_MODULE = "taalhuis"

# Office-friendly fills for the scale colours of the framework file.
COLOUR_FILLS = {"red": "F4CCCC", "yellow": "FFF2CC", "orange": "FCE5CD", "green": "D9EAD3"}


@dataclass(frozen=True)
class Brand:
    """The office a whitepaper comes from: its name and website at the top and in the
    footer of every page, its logo (PNG or JPEG, ``[letterhead] logo``) at the top."""

    naam: str = ""
    website: str = ""
    logo: bytes = b""


def build_context(guide: Guide, brand: Brand | None = None) -> dict[str, Any]:
    """The words of the whitepaper; ``brand``: the office's name and website (the logo is
    placed by the renderer of each format)."""
    framework, norm = guide.framework, guide.norm
    brand = brand or Brand()
    # The taalhuis module is the taalhuis part of the norm: its items join the norm's
    # items by scope. Other modules (IDO, leesbevordering) get sections of their own.
    taalhuis_parts = [m for m in guide.modules if m.code == TAALHUIS_MODULE]
    modules = [m for m in guide.modules if m.code != TAALHUIS_MODULE]
    indicators = guide.indicators + [i for m in taalhuis_parts for i in m.indicators]
    questions = guide.questions + [q for m in taalhuis_parts for q in m.questions]
    taalhuis_intro = [p for m in taalhuis_parts for p in m.intro] or [TAALHUIS_INTRO]

    main = [_indicator(i) for i in indicators if i.scope != TAALHUIS]
    groups: list[dict[str, Any]] = []
    taalhuis = [_indicator(i) for i in indicators if i.scope == TAALHUIS]
    if taalhuis:
        groups.append({"title": "Indicatoren voor het taalhuis", "intro": taalhuis_intro,
                       "entries": taalhuis, "kind": "taalhuis"})
    for module in modules:
        if module.indicators:
            groups.append({"title": f"Indicatoren voor de module {module.title}",
                           "intro": module.intro, "kind": f"module-{module.code}",
                           "entries": [_indicator(i) for i in module.indicators]})
    question_groups: list[dict[str, Any]] = [
        {"title": "Vragen voor de organisatie", "kind": "organisatie", "intro": [],
         "entries": [_question(q) for q in questions if q.scope != TAALHUIS]},
        {"title": "Vragen voor het taalhuis", "kind": "taalhuis", "intro": [],
         "entries": [_question(q) for q in questions if q.scope == TAALHUIS]},
    ]
    for module in modules:
        question_groups.append({
            "title": f"Vragen voor de module {module.title}", "kind": f"module-{module.code}",
            "intro": [] if module.indicators else module.intro,
            "entries": [_question(q) for q in module.questions]})
    all_indicators = main + [item for group in groups for item in group["entries"]]
    first = framework.norms[0]
    return {
        "bureau": {"naam": brand.naam, "website": brand.website},
        "logo": "",
        "framework": {"code": framework.code, "name": framework.name},
        "norm": {"number": norm.number, "title": norm.title},
        "norm_count": len(framework.norms),
        "first_norm": {"number": first.number, "title": first.title},
        "title": f"Norm {norm.number}: {norm.title}",
        "subtitle": guide.subtitle or f"Handreiking bij {framework.name}",
        "place_line": f"{framework.name} · norm {norm.number} van {len(framework.norms)}",
        "lead": guide.lead,
        "builds_on": guide.builds_on,
        "concept_title": guide.concept_title,
        "concept": guide.concept,
        "marker": MARKER,
        # the legend's words are in the templates ("geldt voor de organisatie én …")
        "legend": any(item["both"] for item in all_indicators),
        "indicators": main,
        "indicator_groups": groups,
        "policy_note": guide.policy_note,
        "question_groups": [group for group in question_groups if group["entries"]],
        "scoring_intro": guide.scoring_intro,
        "scale": [{"name": level.name, "meaning": level.meaning, "colour": level.colour,
                   "fill": COLOUR_FILLS.get(str(level.colour).lower(), "EEEEEE"),
                   "text": guide.level_texts.get(level.name, "")}
                  for level in framework.scale],
    }


def _indicator(item: Item) -> dict[str, Any]:
    return {"id": item.id, "text": item.text, "both": item.scope == BOTH,
            "explanation": item.explanation}


def _question(item: Item) -> dict[str, Any]:
    return {"id": item.id, "text": item.text, "explanation": item.explanation,
            "documents": item.documents}
