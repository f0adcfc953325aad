"""The certification domain: frameworks, register, planning rules, score sheets, advice.

Everything a document states about norms, quarters, deadlines, scores and advice
comes from here; the documents only present it. See docs/domain.md.

The names below are imported from their modules when first asked for
(``cbct_docs.domain.evaluate``), so a command loads only the domain modules it uses
(an announcement needs no advice and no score sheets).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .advice import (
        ADVICES,
        CERTIFIED,
        CONDITIONAL,
        NOT_CERTIFIED,
        AuditResult,
        NormResult,
        evaluate,
    )
    from .frameworks import (
        AdvicePolicy,
        AuditCategory,
        Deadlines,
        Framework,
        Indicator,
        Module,
        Norm,
        Question,
        ScaleLevel,
        available_frameworks,
        load_framework,
    )
    from .planning import Quarter, planned_quarter
    from .register import Organisation, find_organisation, read_register
    from .scoresheet import AdviceOverride, NormNotes, ScoreSheet, read_scoresheet

#: The module each name of the package comes from.
_MODULES = {
    **dict.fromkeys(["ADVICES", "CERTIFIED", "CONDITIONAL", "NOT_CERTIFIED", "AuditResult",
                     "NormResult", "evaluate"], "advice"),
    **dict.fromkeys(["AdvicePolicy", "AuditCategory", "Deadlines", "Framework", "Indicator",
                     "Module", "Norm", "Question", "ScaleLevel", "available_frameworks",
                     "load_framework"], "frameworks"),
    **dict.fromkeys(["Quarter", "planned_quarter"], "planning"),
    **dict.fromkeys(["Organisation", "find_organisation", "read_register"], "register"),
    **dict.fromkeys(["AdviceOverride", "NormNotes", "ScoreSheet", "read_scoresheet"],
                    "scoresheet"),
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked for once
    return value


__all__ = [
    "ADVICES", "CERTIFIED", "CONDITIONAL", "NOT_CERTIFIED", "AdviceOverride", "AdvicePolicy",
    "AuditCategory", "AuditResult", "Deadlines", "Framework", "Indicator", "Module", "Norm",
    "NormNotes", "NormResult", "Organisation", "Quarter", "Question", "ScaleLevel", "ScoreSheet",
    "available_frameworks", "evaluate", "find_organisation", "load_framework",
    "planned_quarter", "read_register", "read_scoresheet",
]
