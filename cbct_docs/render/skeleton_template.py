"""A template compiled a second time to print skeletons (:mod:`.skeleton` says why).

Its ``escape`` records each printed value and prints a stand-in character instead. The
recorder is made for each render and handed to that render alone (the template's code
run with its own globals), so two threads can render the same template at once without
a per-value look-up of whose render it is. Where the template's code prints
``escape(environment.finalize(value))``, as autoescape with this environment's
``finalize`` compiles ``{{ value }}``, the recorder does finalize's work itself (one call
per value instead of two): text, most values, is printed as it is by both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .environment import _printable

STAND_IN = "\ue010"
#: Where an object's own XML goes that is written as lxml writes it (``__xml_opaque__``).
OPAQUE = "\ue011"
_PICTURE = '<wp:docPr id="1" '
#: What an opaque piece of XML may not hold: a stand-in, or what XML cannot hold. None
#: of it is printable (str.isprintable), so a printable piece, the common case, is
#: passed without this search (~0.1 ms over a report's chart).
_NOT_OPAQUE = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff\ue010\ue011]")
_LISTED = re.compile("([\t\x07\n\x0c])")
#: Compiled template code that does more with a printed value than print it.
_NOT_DIRECT = ("Macro(", "def block_", "get_template", "make_module", "caller")
#: How the compiled code prints ``{{ value }}`` with autoescape and a finalize.
_PRINTED = "yield escape(environment.finalize("


#: What stands for a skeleton where skeletons are kept: :attr:`Recorded.key`.
SkeletonKey = tuple[str, ...] | str


class Recorded:
    """A body's skeleton, its printed values, and the opaque XML, each in order."""

    __slots__ = ("_skeleton", "values", "opaque", "pieces")

    def __init__(self, skeleton: str, values: list[str], opaque: list[str]) -> None:
        self._skeleton, self.values, self.opaque = skeleton, values, opaque
        #: The pieces the template printed, joined into the skeleton (None once the
        #: skeleton is set otherwise).
        self.pieces: tuple[str, ...] | None = None

    @property
    def skeleton(self) -> str:
        return self._skeleton

    @skeleton.setter
    def skeleton(self, text: str) -> None:
        self._skeleton, self.pieces = text, None

    @property
    def key(self) -> SkeletonKey:
        """The skeleton where skeletons are kept: the pieces it was joined from, when
        known, else itself. Equal pieces join into equal skeletons; their hashes are
        Python's already (the template's own text, the stand-in), where the joined text,
        ~37,000 characters for a report, would be hashed anew for every document."""
        return self.pieces if self.pieces is not None else self._skeleton


class SkeletonTemplate:
    """A template's code that prints skeletons: :meth:`render` gives one render's
    :class:`Recorded`."""

    def __init__(self, template: jinja2.Template, finalizes: bool) -> None:
        self.template = template
        self.root = template.root_render_func
        #: Whether the recorder finalizes (the code prints ``escape(value)``).
        self.finalizes = finalizes

    def render(self, context: Mapping[str, Any]) -> Recorded:
        """As ``template.render(context)`` renders, with this render's recorder."""
        recorded = Recorded("", [], [])
        root, template = self.root, self.template
        namespace = dict(root.__globals__)
        namespace["escape"] = _recorder(recorded, self.finalizes)
        run = FunctionType(root.__code__, namespace, root.__name__, root.__defaults__,
                           root.__closure__)
        made = template.new_context(dict(context))
        try:
            pieces = tuple(run(made))
        except Exception:
            template.environment.handle_exception()
        recorded.skeleton = template.environment.concat(pieces)
        recorded.pieces = pieces
        joined = "".join(recorded.values)
        if not joined.isprintable() and _LISTED.search(joined) is not None:  # (printable: none)
            _listed_apart(recorded)
        return recorded


def _recorder(recorded: Recorded, finalizes: bool) -> Callable[[Any], str]:
    """``escape`` for one render: records the value, prints the stand-in. (A value with
    a tab, line or page break is split around them afterwards: :func:`_listed_apart`.)"""
    append = recorded.values.append

    def record(value: Any) -> str:
        if type(value) is str:  # finalize (_printable) gives text back as it is
            if value:
                append(value)
                return STAND_IN
            return ""
        return _record_other(_printable(value) if finalizes else value, recorded)

    return record


def _record_other(value: Any, recorded: Recorded) -> str:
    """What the recorder does with a finalized value that is not exactly a str."""
    if type(value) is str:
        text = value
    elif hasattr(value, "__html__"):
        opaque = getattr(value, "__xml_opaque__", None)
        if opaque is not None:
            before, xml, after = opaque()
            if _placeable(xml):
                recorded.opaque.append(xml)
                return Markup(before + OPAQUE + after)
        return Markup(value.__html__())
    else:
        text = str(value)
    if not text:
        return ""
    recorded.values.append(text)
    return STAND_IN


#: Opaque XML (by id, the text held) and whether it may be placed unparsed: a report's
#: chart is drawn once per set of scores (documents.chart), the same text each time.
_PLACEABLE: dict[int, tuple[str, bool]] = {}


def _placeable(xml: str) -> bool:
    """True when ``xml`` has one picture, numbered 1, and no stand-in or character XML
    cannot hold (then it is placed as it is)."""
    kept = _PLACEABLE.get(id(xml))
    if kept is not None and kept[0] is xml:
        return kept[1]
    verdict = (xml.count("docPr") == 1 and _PICTURE in xml
               and (xml.isprintable() or _NOT_OPAQUE.search(xml) is None))
    if len(_PLACEABLE) >= 64:
        _PLACEABLE.clear()
    _PLACEABLE[id(xml)] = (xml, verdict)
    return verdict


def _listed_apart(recorded: Recorded) -> None:
    """A tab, line or page break in a value goes into the skeleton, between stand-ins for
    the text around it, for docxtpl's listing rewrite to see there (as in the document).
    Left as it is where the stand-ins do not match the values (a value of ``__html__``
    holds one): such a skeleton is not used."""
    segments = recorded.skeleton.split(STAND_IN)
    if len(segments) != len(recorded.values) + 1:
        return
    out = [segments[0]]
    values: list[str] = []
    for text, after in zip(recorded.values, segments[1:], strict=True):
        if _LISTED.search(text) is None:
            values.append(text)
            out.append(STAND_IN)
        else:
            for index, piece in enumerate(_LISTED.split(text)):
                if index % 2:  # the character itself
                    out.append(piece)
                elif piece:
                    values.append(piece)
                    out.append(STAND_IN)
        out.append(after)
    recorded.skeleton, recorded.values = "".join(out), values


def template_and_code(env: jinja2.Environment, source: str) -> tuple[jinja2.Template, str]:
    """``env.from_string(source)``, and the Python code it was compiled from (for
    :func:`skeleton_template`: the source is parsed once for both)."""
    code = env.compile(source, raw=True)
    return _from_code(env, code), code


def _from_code(env: jinja2.Environment, code: str) -> jinja2.Template:
    """The template of this code, made as ``env.from_string`` makes it from its source."""
    return env.template_class.from_code(env, compile(code, "<template>", "exec"),
                                        env.make_globals(None), None)


def skeleton_template(env: jinja2.Environment, source: str,
                      code: str | None = None) -> SkeletonTemplate | None:
    """``source`` compiled to print skeletons; None when its code does more with a
    printed value than print it (then every ``escape(`` would not be a ``yield``), or when
    the template's own text holds a stand-in character (every document would find it and
    go the full way: decided once here instead). ``code``: what ``source`` compiles to,
    when known (:func:`template_and_code`)."""
    if STAND_IN in source or OPAQUE in source:
        return None
    if code is None:
        code = env.compile(source, raw=True)
    if any(word in code for word in _NOT_DIRECT):
        return None
    lines = code.splitlines()
    printed = [line.lstrip() for line in lines if "escape(" in line]
    if not all(line.startswith("yield escape(") for line in printed):
        return None
    # escape(environment.finalize(x)) as escape((x)), where every print is so and the
    # finalize is this environment's: the recorder finalizes (the line's start is code,
    # never a string's text).
    finalizes = env.finalize is _printable and all(line.startswith(_PRINTED)
                                                   for line in printed)
    if finalizes:
        code = "\n".join(line.replace(_PRINTED, "yield escape((", 1)
                         if line.lstrip().startswith(_PRINTED) else line for line in lines)
    template = _from_code(env, code)
    if template.root_render_func.__globals__.get("escape") is not escape:
        return None
    return SkeletonTemplate(template, finalizes)
