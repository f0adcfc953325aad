"""The one template environment: sandboxed, strict, escaping on.

- Sandboxed: templates come from office staff, not programmers; they must not reach
  Python internals (``{{ ''.__class__ }}`` is a SandboxError).
- StrictUndefined: a missing field is an error, never an empty space in a letter.
- Autoescape on for HTML and for docx XML (docxtpl with autoescape off silently drops the
  text after ``&`` or ``<``). Only plain-text templates (``.txt``) are not escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from ..errors import CbctError, DataError, SandboxError, TemplateError
from .filters import FILTERS
from .limits import check_binop, check_output, limited_range

# XML 1.0 cannot hold C0 controls other than tab, LF and CR, nor U+FFFE/U+FFFF.
# Rule (documented in the README): such characters in data are removed.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


#: What a dict has as attributes (``items``, ``get``, ``__class__`` …).
_DICT_NAMES = frozenset(dir(dict))
#: Exact types ``{{ }}`` prints unchanged (bool is not int here: type() is exact).
_PRINTED_AS_IS = frozenset({str, Markup, int, float})


def _autoescape(name: str | None) -> bool:
    return not (name or "").endswith(".txt")


def _printable(value: Any) -> Any:
    """What ``{{ value }}`` prints: never a Python repr or an English True/False."""
    if type(value) in _PRINTED_AS_IS:  # the common case first: text and numbers
        return value
    if value is None:  # an empty cell: a letter shows nothing there, never "None"
        return ""
    if isinstance(value, bool):
        raise DataError(f"{{{{ }}}} prints a yes/no value ({value}), which cannot be printed "
                        "as is", hint="use {% if %} to choose the words")
    if isinstance(value, Mapping):
        raise DataError(f"{{{{ }}}} prints a group of fields ({', '.join(map(str, value))}), "
                        "which cannot be printed as is",
                        hint="print one field of it, e.g. {{ adres.straat }}")
    if isinstance(value, list | tuple | set | frozenset):
        raise DataError(f"{{{{ }}}} prints a list of {len(value)} values, which cannot be "
                        "printed as is",
                        hint="use a loop: {% for x in ... %}{{ x }}{% endfor %}, or |join(', ')")
    return value


class StrictEnvironment(ImmutableSandboxedEnvironment):
    # ``*`` and ``**`` go through call_binop, where their size is checked first.
    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, search_path: str | Path | list[str] | None = None,
                 **options: Any) -> None:
        paths = search_path if isinstance(search_path, list) else [str(search_path)]
        loader = jinja2.FileSystemLoader(paths) if search_path else None
        super().__init__(
            loader=loader,
            undefined=jinja2.StrictUndefined,
            autoescape=_autoescape,
            keep_trailing_newline=True,
            finalize=_printable,
            **options,
        )
        self.filters.update(FILTERS)
        # Limits (render/limits.py): range() counts its steps per render; no lorem ipsum
        # generator, which a slip can make produce a million words.
        self.globals["range"] = limited_range
        self.globals.pop("lipsum", None)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict (Jinja: a ChainMap over the
        environment's): every render copies them into its context, and a ChainMap is
        walked key by key in Python, twice a render (~10 us of an e-mail's ~100). The same
        names with the same precedence; this environment's globals are set once, in
        ``__init__``, before any template is made (Jinja: "avoid modifying any globals
        after a template is loaded")."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``record.field`` on a plain dict (or a :class:`CleanContext`: the letterhead's
        ``bureau.naam``), the common case, without first asking the dict for an attribute
        it does not have (an AttributeError each time); the same result as the sandbox's
        own: a dict's own attributes (``items``) still come first."""
        kind = type(obj)
        if (kind is dict and attribute not in _DICT_NAMES) or (
                (kind is PlainContext or kind is CleanContext)
                and attribute not in _CLEAN_NAMES):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


def make_environment(search_path: str | Path | None = None) -> StrictEnvironment:
    return StrictEnvironment(search_path)


def clean_text(value: str) -> str:
    """Normalise line ends and drop characters XML cannot hold."""
    if type(value) is not str:  # a subclass (Markup) comes back as the plain str it was
        return _XML_ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", value) if _XML_ILLEGAL.search(value) else value


def clean_context(value: Any) -> Any:
    """Apply :func:`clean_text` to every string in a (nested) context: mappings become
    dicts, lists and tuples lists. A context cleaned already (:class:`CleanContext`) is
    returned as it is."""
    return clean_collecting(value)


#: Exact types a context keeps as they are (no text inside).
_KEPT = frozenset({int, float, bool, type(None), dt.date, dt.datetime, dt.time, Decimal})
#: What :func:`clean_text` changes in a string (a carriage return, what XML cannot hold).
_DIRTY = re.compile("[\r" + _XML_ILLEGAL.pattern[1:]).search


def clean_collecting(value: Any, odd: list[Any] | None = None) -> Any:
    """:func:`clean_context`, and every value that is not text, a number, a date, a
    mapping or a list appended to ``odd`` (when given), in the order a depth-first walk
    of the result meets them (a picture, a chart, a docxtpl RichText). One walk instead
    of one for the cleaning and one for each kind of object a renderer looks for."""
    kind = type(value)
    # Exact types first (isinstance against the ABCs is slow); a mapping's or a list's
    # clean strings, numbers and dates, most of its values, without a call each.
    # (A printable string has no character clean_text changes: isprintable is quicker.)
    if kind is dict:
        return {k: v if (type(v) is str and (v.isprintable() or not _DIRTY(v)))
                or type(v) in _AS_IS else clean_collecting(v, odd) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if (type(v) is str and (v.isprintable() or not _DIRTY(v)))
                or type(v) in _AS_IS else clean_collecting(v, odd) for v in value]
    if kind is str:
        return clean_text(value)
    if kind in _AS_IS:  # (a PlainContext too: cleaned, nothing to collect in it)
        return value
    if kind is CleanContext:  # cleaned already: only looked through
        if odd is not None:
            _collect_odd(value, odd)
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {k: clean_collecting(v, odd) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_collecting(v, odd) for v in value]
    if odd is not None:
        odd.append(value)
    return value


def _collect_odd(value: Any, odd: list[Any]) -> None:
    """The values :func:`clean_collecting` would collect from a cleaned ``value``."""
    kind = type(value)
    if kind is str or kind in _AS_IS:
        return
    if kind is CleanContext or kind is dict or isinstance(value, Mapping):
        for item in value.values():
            _collect_odd(item, odd)
    elif kind is list or kind is tuple or isinstance(value, list | tuple):
        for item in value:
            _collect_odd(item, odd)
    elif not isinstance(value, str):
        odd.append(value)


class CleanContext(dict[str, Any]):
    """A mapping cleaned already (:func:`cleaned`), at the top of a context or inside
    it: :func:`clean_context` takes it as it is. For an e-mail's context, used by its
    text and its HTML; for the office's letterhead, the same in every document."""


class PlainContext(CleanContext):
    """A mapping cleaned already whose values are only text, numbers, dates, and
    mappings and lists of those (cleaned too): nothing :func:`clean_collecting` collects (a
    picture, a chart, a RichText). :func:`clean_collecting` takes it as it is, without
    looking through it: for a report's rows, cleaned where they are made."""


#: What a CleanContext (and so a PlainContext, which adds none) has as attributes: a
#: dict's, and a Python class's own (``__dict__``).
_CLEAN_NAMES = frozenset(dir(PlainContext))
#: Exact types :func:`clean_collecting` returns as they are, without a call.
_AS_IS = _KEPT | {PlainContext}


def cleaned(context: Mapping[str, Any]) -> CleanContext:
    """``context`` with :func:`clean_context` applied, marked so that
    :func:`render_located` does not clean it again."""
    if type(context) is CleanContext:
        return context
    return CleanContext(clean_context(dict(context)))


_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")


def template_error(error: Exception, template: str, fields: Any = None, *,
                   scan: Any = None, context: Any = None) -> TemplateError:
    """Translate a Jinja error into a location-first TemplateError.

    ``scan`` (a Word template's :class:`~.template_check.TemplateScan`) places an unknown
    field in its paragraph; ``context`` offers nested names for a "did you mean"."""
    if isinstance(error, SecurityError):
        return SandboxError(f"not allowed: {error}", location=template,
                            hint="templates may only use fields and filters")
    if isinstance(error, jinja2.UndefinedError):
        from .fields import did_you_mean, nested_names

        top = _UNDEFINED.search(str(error))
        match = top or _NO_ATTRIBUTE.search(str(error))
        name = match.group(1) if match else str(error)
        hints = []
        if fields is not None:
            hints.append("available fields: " + (", ".join(sorted(map(str, fields))) or "none"))
        candidates = set(map(str, fields or ()))
        if not top and context is not None:
            candidates = nested_names(context)
        place = scan.place_of(name) if scan is not None else None
        if place is not None:
            hints.append(f"used in {place}")
        return TemplateError(f"uses {name!r}, which this record does not have"
                             f"{did_you_mean(name, candidates)}",
                             location=template, hint="; ".join(hints) or None)
    if isinstance(error, jinja2.TemplateSyntaxError):
        context = getattr(error, "docx_context", None)
        where = f"line {error.lineno}" if error.lineno and context is None else None
        near = ""
        if context is not None:
            text = " ".join(" ".join(context).split())
            near = f" near {text[:120]!r}"
        location = f"{template}:{where}" if where else template
        return TemplateError(f"syntax error: {error.message}{near}", location=location)
    if isinstance(error, TemplateError):
        return error
    if isinstance(error, jinja2.TemplateError):
        return TemplateError(str(error), location=template)
    # Anything else is a calculation or filter call that failed on this record's values.
    return TemplateError(f"a calculation or filter in the template failed: "
                         f"{type(error).__name__}: {error}", location=template,
                         hint="check the {{ }} expressions: the filters' arguments and the "
                              "values they get")


def render_located(template: jinja2.Template, context: Mapping[str, Any], name: str) -> str:
    """Render a cleaned context; every failure comes out located at the template.

    CbctErrors (a bad date in a filter, say) pass unchanged; Jinja's own errors and
    runtime errors ({{ 1/0 }}, a filter given a wrong argument) become TemplateErrors."""
    try:
        return check_output(template.render(cleaned(context)), name)
    except CbctError:
        raise
    except (jinja2.TemplateError, SecurityError) as error:
        raise template_error(error, name, context.keys()) from None
    except Exception as error:
        raise template_error(error, name) from None
