"""The skeleton's template (render/skeleton_template.py, issue 16): each render records
with its own recorder, which does the environment's finalize itself; what it records,
filled in again, is what the template renders, for every kind of value."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from markupsafe import Markup

from cbct_docs.errors import DataError
from cbct_docs.render.environment import make_environment
from cbct_docs.render.skeleton import STAND_IN, filled
from cbct_docs.render.skeleton_template import skeleton_template

SOURCE = ("<w:p><w:t>{{ a }}|{{ b.c }}|{% for x in rij %}[{{ x }}]{% endfor %}"
          "|{{ d|datum }}|{{ e or 'geen' }}|yield environment.finalize( {{ a }}</w:t></w:p>")
VALUES: list[Any] = ["tekst & <meer>", "", None, 0, 7, 1.5, Markup("<b>vet</b>"),
                     "regel\nregel", "tab\there"]


@pytest.mark.parametrize("value", VALUES)
def test_what_is_recorded_fills_in_to_what_the_template_renders(value: Any) -> None:
    env = make_environment()
    skeleton = skeleton_template(env, SOURCE)
    assert skeleton is not None and skeleton.finalizes
    context = {"a": value, "b": {"c": value}, "rij": [value, "x", value],
               "d": dt.date(2025, 6, 11), "e": value}
    recorded = skeleton.render(context)
    assert filled(recorded) == env.from_string(SOURCE).render(context)
    assert recorded.skeleton.count(STAND_IN) == len(recorded.values)
    assert "|yield environment.finalize( " in recorded.skeleton  # text, as it is


@pytest.mark.parametrize("value", [True, {"x": 1}, ["a"]])
def test_a_value_that_cannot_be_printed_fails_as_in_the_template(value: Any) -> None:
    env = make_environment()
    skeleton = skeleton_template(env, SOURCE)
    assert skeleton is not None
    context = {"a": value, "b": {"c": "x"}, "rij": [], "d": dt.date(2025, 6, 11), "e": 1}
    with pytest.raises(DataError) as plain:
        env.from_string(SOURCE).render(context)
    with pytest.raises(DataError) as recorded:
        skeleton.render(context)
    assert str(recorded.value) == str(plain.value)


def test_threads_rendering_one_skeleton_template_each_record_their_own() -> None:
    env = make_environment()
    skeleton = skeleton_template(env, SOURCE)
    assert skeleton is not None
    start = threading.Barrier(4)

    def values(number: int) -> list[list[str]]:
        start.wait()
        made = []
        for round_ in range(300):
            context = {"a": f"{number}-{round_}", "b": {"c": str(number)},
                       "rij": [str(round_)] * (number + 1), "d": dt.date(2025, 1, 1 + number),
                       "e": ""}
            made.append(skeleton.render(context).values)
        return made

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(values, range(4)))
    for number, made in enumerate(results):
        assert made[5][:3] == [f"{number}-5", str(number), "5"]
        assert all(len(values) == 5 + number + 1 for values in made)


def test_the_body_parsed_once_is_the_template_from_string() -> None:
    """The body's template and its skeleton's come from one parse (template_and_code):
    the same template as env.from_string, the same errors for a broken one."""
    import jinja2

    from cbct_docs.render.skeleton_template import template_and_code

    env = make_environment()
    template, code = template_and_code(env, SOURCE)
    assert code == env.compile(SOURCE, raw=True)
    context = {"a": "x & y", "b": {"c": 2}, "rij": ["p", "q"], "d": dt.date(2025, 6, 11),
               "e": None}
    assert template.render(context) == env.from_string(SOURCE).render(context)
    skeleton = skeleton_template(env, SOURCE, code)
    assert skeleton is not None and filled(skeleton.render(context)) == template.render(context)
    for broken in ("{{ a ", "{% if a %}zonder einde"):
        with pytest.raises(jinja2.TemplateSyntaxError) as plain:
            env.from_string(broken)
        with pytest.raises(jinja2.TemplateSyntaxError) as once:
            template_and_code(env, broken)
        assert (once.value.message, once.value.lineno) == (plain.value.message,
                                                           plain.value.lineno)


def test_a_skeleton_is_kept_by_the_pieces_it_was_joined_from() -> None:
    """Recorded.key: the printed pieces (hashed by Python already), which join into the
    skeleton; a skeleton set otherwise (split around a tab, or by a caller) is its own
    key, never the pieces of another text."""
    env = make_environment()
    skeleton = skeleton_template(env, SOURCE)
    assert skeleton is not None
    context = {"a": "x", "b": {"c": "y"}, "rij": ["p"], "d": dt.date(2025, 6, 11), "e": 1}
    first, second = skeleton.render(context), skeleton.render({**context, "a": "z"})
    assert isinstance(first.key, tuple) and "".join(first.key) == first.skeleton
    assert first.key == second.key and first.values != second.values
    tabbed = skeleton.render({**context, "a": "met\ttab"})  # split apart: its own text
    assert tabbed.pieces is None and tabbed.key == tabbed.skeleton and "\t" in tabbed.key
    first.skeleton = first.skeleton.replace("|", "!")
    assert first.key == first.skeleton and first.pieces is None


@pytest.mark.parametrize(("xml", "placeable"), [
    ('<w:drawing><wp:docPr id="1" name="a"/></w:drawing>', True),
    ('<w:drawing><wp:docPr id="2" name="a"/></w:drawing>', False),  # not numbered 1
    ('<wp:docPr id="1" name="a"/><wp:docPr id="1" name="b"/>', False),  # two pictures
    ('<wp:docPr id="1" name="\ue010"/>', False),  # a stand-in
    ('<wp:docPr id="1" name="\x01"/>', False),  # what XML cannot hold
    ('<wp:docPr id="1" name="regel\neen"/>', False),  # a control character: refused
    ('<wp:docPr id="1" name="regel\u2028een"/>', True),  # not printable, but XML holds it
])
def test_opaque_xml_is_placed_unparsed_only_when_it_may_be(xml: str, placeable: bool) -> None:
    from cbct_docs.render.skeleton_template import _PLACEABLE, _placeable

    assert _placeable(xml) is placeable
    assert _PLACEABLE[id(xml)] == (xml, placeable)
    assert _placeable(xml) is placeable  # kept for this text
    assert _placeable("".join([xml[:5], xml[5:]])) is placeable  # another, equal text


def test_a_verdict_kept_under_another_texts_id_is_not_used() -> None:
    """Kept by id(), used only for the very text it was made for (an id is given again
    once its text is gone): planted under another text's id, it is not taken."""
    from cbct_docs.render.skeleton_template import _PLACEABLE, _placeable

    good = '<w:drawing><wp:docPr id="1" name="a"/></w:drawing>'
    bad = '<w:drawing><wp:docPr id="1" name="\ue010"/></w:drawing>'
    _PLACEABLE[id(bad)] = (good, True)
    assert _placeable(bad) is False
    _PLACEABLE[id(good)] = (bad, False)
    assert _placeable(good) is True
