"""The certification domain: frameworks, register, planning rules, score sheets, advice.

Everything a document states about norms, quarters, deadlines, scores and advice
comes from here; the documents only present it.
"""

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

__all__ = [
    "AdvicePolicy", "AuditCategory", "Deadlines", "Framework", "Indicator", "Module", "Norm",
    "Question", "ScaleLevel", "available_frameworks", "load_framework",
]
