"""``record.field`` in a template: StrictEnvironment.getattr takes a plain dict's and a
CleanContext's keys without the sandbox's attribute lookup first (issue 16), and gives
what the sandbox gives for every name, a dict's own attributes and unsafe ones included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from cbct_docs.documents.context import load_office
from cbct_docs.render.environment import (
    CleanContext,
    PlainContext,
    StrictEnvironment,
    cleaned,
)

REPO = Path(__file__).resolve().parent.parent

NAMES = ["naam", "plaats", "ontbreekt", "items", "get", "keys", "copy", "__class__",
         "__dict__", "__module__", "__orig_bases__", "__weakref__", "__init__", "_privé"]


def outcome(env: StrictEnvironment, obj: Any, name: str, *, sandbox: bool) -> str:
    """What a template printing ``obj.name`` gets: the text, or the error it raises."""
    try:
        value = (ImmutableSandboxedEnvironment.getattr(env, obj, name) if sandbox
                 else env.getattr(obj, name))
        if isinstance(value, Undefined):
            str(value)  # StrictUndefined raises, as printing it in a template does
        return f"{type(value).__name__}: {value!r}"[:60]
    except (SecurityError, Exception) as error:  # the error a person would be shown
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("kind", ["dict", "CleanContext", "PlainContext",
                                  "the office's letterhead"])
def test_fast_attribute_lookup_gives_what_the_sandbox_gives(kind: str) -> None:
    env = StrictEnvironment()
    values = {"naam": "Bureau Certificering", "plaats": "Utrecht", "items": "een sleutel"}
    obj: dict[str, Any] = {
        "dict": dict(values), "CleanContext": CleanContext(values),
        "PlainContext": PlainContext(values),
        "the office's letterhead": load_office(REPO / "cbct-docs.toml").fields()["bureau"],
    }[kind]
    for name in NAMES:
        assert outcome(env, obj, name, sandbox=False) == outcome(env, obj, name, sandbox=True)
    assert env.undefined is StrictUndefined


def test_a_template_prints_the_letterheads_fields() -> None:
    env = StrictEnvironment()
    template = env.from_string("{{ bureau.naam }}, {{ bureau.plaats }}")
    context = cleaned({"bureau": CleanContext({"naam": "Bureau & Co", "plaats": "Utrecht"})})
    assert template.render(context) == "Bureau &amp; Co, Utrecht"
    with pytest.raises(Exception, match="has no attribute 'ontbreekt'"):
        env.from_string("{{ bureau.ontbreekt }}").render(context)


def test_templates_see_the_environments_globals_and_keep_their_own() -> None:
    """Globals as a plain dict per template (StrictEnvironment.make_globals): the limited
    range() and Jinja's own globals print as before; a template's own globals win over
    the environment's and stay its own."""
    env = StrictEnvironment()
    counted = env.from_string("{% for i in range(3) %}{{ i }}{% endfor %} {{ dict(a=1).a }}")
    assert counted.render() == "012 1"
    with pytest.raises(Exception, match="range"):
        env.from_string("{{ range(10**9)|list|length }}").render()
    own = env.from_string("{{ naam }}", globals={"naam": "eigen", "range": "geen"})
    other = env.from_string("{{ naam }}")
    own.globals["naam"] = "gewijzigd"
    assert own.render() == "gewijzigd"
    assert env.from_string("{{ range }}", globals={"range": "geen"}).render() == "geen"
    assert "naam" not in env.globals and env.globals["range"] is not None
    with pytest.raises(Exception, match="'naam' is undefined"):
        other.render()
