"""Templates cannot reach outside the sandbox, and their mistakes come out as CbctErrors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cbct_docs.errors import SandboxError, TemplateError
from cbct_docs.render.fast_email import InlinedHtmlRenderer

if TYPE_CHECKING:
    from cbct_docs.render import DocxRenderer, HtmlRenderer

STYLE = "<style>p { color: #333; }</style>"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_include_expression_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "gehackt"
    write(tmp_path / "mail" / "p.html", "<p>deel</p>")
    path = write(tmp_path / "mail" / "brief.html",
                 STYLE + "{% include range.__globals__.os.system('touch " + str(marker)
                 + "') or 'p.html' %}<p>Beste {{ naam }}</p>")
    renderer = InlinedHtmlRenderer(path)
    assert not marker.exists()
    assert not renderer.fast
    with pytest.raises(SandboxError):
        renderer.render({"naam": "Bibliotheek Veldhoven"})
    assert not marker.exists()


@pytest.mark.parametrize("name", ["../geheim.txt", "ABSOLUTE"])
def test_include_reads_no_file_outside_the_template_folder(tmp_path: Path, name: str) -> None:
    secret = write(tmp_path / "geheim.txt", "wachtwoord-van-de-directeur")
    name = str(secret) if name == "ABSOLUTE" else name
    path = write(tmp_path / "mail" / "brief.html",
                 STYLE + "<p>Beste {{ naam }}</p>{% include '" + name + "' %}")
    renderer = InlinedHtmlRenderer(path)
    assert "wachtwoord" not in (getattr(renderer, "source", None) or "")
    with pytest.raises(TemplateError):
        renderer.render({"naam": "Taalhuis Oost"})


def test_constant_includes_next_to_the_template_still_inline_once(tmp_path: Path) -> None:
    write(tmp_path / "_kop.html", '<p class="kop">Stichting Cultuurtoets</p>')
    path = write(tmp_path / "brief.html", "<style>p.kop { font-weight: bold; }</style>"
                 "{% include '_kop.html' %}<p>Beste {{ naam }}</p>")
    renderer = InlinedHtmlRenderer(path)
    assert renderer.fast, renderer.fallback_reason
    html = renderer.render({"naam": "Bibliotheek Veldhoven"})
    assert 'class="kop" style="font-weight: bold;"' in html
    assert "Beste Bibliotheek Veldhoven" in html


def test_first_message_check_is_repeated_when_the_first_render_failed(tmp_path: Path) -> None:
    # The included part disappears after compiling (someone edits the template folder):
    # the per-message reference fails, so the check has not been done yet.
    part = write(tmp_path / "_slot.html", "<p>Met vriendelijke groet</p>")
    path = write(tmp_path / "brief.html", STYLE + "<p>Beste {{ naam }}</p>"
                 "{% include '_slot.html' %}")
    renderer = InlinedHtmlRenderer(path)
    assert renderer.fast, renderer.fallback_reason
    part.unlink()
    with pytest.raises(TemplateError):
        renderer.render({"naam": "Bibliotheek Veldhoven"})
    write(part, "<p>Hartelijke groet van het certificatiebureau</p>")
    html = renderer.render({"naam": "Bibliotheek Veldhoven"})
    assert "Hartelijke groet van het certificatiebureau" in html
    assert not renderer.fast


RUNTIME_MISTAKES = [
    ("{{ 1/0 }}", "ZeroDivisionError"),
    ("{{ x|getal('x') }}", "TypeError"),
    ("{{ '%s %s'|format(naam) }}", "TypeError"),
]


def word_template(path: Path, *paragraphs: str) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def make_renderer(kind: str, folder: Path,
                  source: str) -> DocxRenderer | HtmlRenderer | InlinedHtmlRenderer:
    from cbct_docs.render import DocxRenderer, HtmlRenderer

    if kind == "docx":
        return DocxRenderer(word_template(folder / "brief.docx", "Beste " + source))
    path = write(folder / "brief.html", STYLE + "<p>Beste " + source + "</p>")
    return HtmlRenderer(path) if kind == "html" else InlinedHtmlRenderer(path)


@pytest.mark.parametrize("kind", ["docx", "html", "inlined"])
@pytest.mark.parametrize("source, what", RUNTIME_MISTAKES)
def test_runtime_mistake_in_a_template_is_a_template_error(tmp_path: Path, kind: str,
                                                           source: str, what: str) -> None:
    renderer = make_renderer(kind, tmp_path, source)
    with pytest.raises(TemplateError) as raised:
        renderer.render({"x": 3, "naam": "Bibliotheek Veldhoven"})
    assert raised.value.location == renderer.name
    assert what in raised.value.what
    assert "failed" in raised.value.what


def test_if_in_a_table_cell_closed_after_the_table_is_an_error_not_lost_text(
        tmp_path: Path) -> None:
    import docx

    from cbct_docs.render import DocxRenderer

    document = docx.Document()
    document.add_paragraph("Beste {{ naam }},")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "{% if toelichting %}Toelichting"
    table.cell(0, 1).text = "{{ toelichting }}"
    document.add_paragraph("{% endif %}Met vriendelijke groet, het certificatiebureau")
    document.save(str(tmp_path / "brief.docx"))
    # The template check finds it before any letter: located at the cell, with its text.
    with pytest.raises(TemplateError) as raised:
        DocxRenderer(tmp_path / "brief.docx")
    assert raised.value.location == str(tmp_path / "brief.docx")
    assert raised.value.what.startswith(
        "syntax error in table 1, row 1, cell 1 '{% if toelichting %}Toelichting': "
        "'{% if toelichting %}' opens here and closes in paragraph 2")


@pytest.mark.parametrize("value, words, hint", [
    ({"straat": "Stationsplein 1"}, "group of fields (straat)", "one field"),
    (["Taalhuis Oost", "Bibliotheek Veldhoven"], "list of 2 values", "loop"),
    (("Taalhuis Oost",), "list of 1 values", "loop"),
    (True, "yes/no value", "{% if %}"),
    (False, "yes/no value", "{% if %}"),
])
def test_a_list_group_or_yes_no_value_cannot_be_printed_as_is(value: object, words: str,
                                                              hint: str) -> None:
    from cbct_docs.errors import DataError
    from cbct_docs.render import make_environment

    template = make_environment().from_string("<p>Adres: {{ waarde }}</p>")
    with pytest.raises(DataError) as raised:
        template.render(waarde=value)
    assert words in raised.value.what
    assert "cannot be printed as is" in raised.value.what
    assert hint in (raised.value.hint or "")


def test_lists_groups_and_yes_no_values_still_work_in_tags(tmp_path: Path) -> None:
    from cbct_docs.render import HtmlRenderer

    path = write(tmp_path / "brief.html",
                 "<ul>{% for o in organisaties %}<li>{{ o.naam }}, {{ o.adres.straat }}</li>"
                 "{% endfor %}</ul>{% if gecertificeerd %}<p>Gecertificeerd.</p>{% endif %}"
                 "<p>{{ organisaties|length }} organisaties; leeg: [{{ leeg }}]</p>")
    html = HtmlRenderer(path).render({
        "organisaties": [{"naam": "Taalhuis Oost", "adres": {"straat": "Markt 3"}}],
        "gecertificeerd": True, "leeg": None})
    assert "<li>Taalhuis Oost, Markt 3</li>" in html
    assert "<p>Gecertificeerd.</p>" in html
    assert "1 organisaties; leeg: []" in html


def test_html_renderer_with_an_environment_without_a_loader(tmp_path: Path) -> None:
    from cbct_docs.render import HtmlRenderer, StrictEnvironment

    path = write(tmp_path / "brief.html", "<p>Beste {{ naam }}</p>")
    renderer = HtmlRenderer(path, StrictEnvironment())
    assert renderer.variables() == {"naam"}
    assert renderer.render({"naam": "Kunst & Co"}) == "<p>Beste Kunst &amp; Co</p>"


def test_html_renderer_escapes_by_the_template_name_and_includes_next_to_it(
        tmp_path: Path) -> None:
    from cbct_docs.render import HtmlRenderer

    write(tmp_path / "_groet.txt", "Groet, {{ afzender }}")
    text = HtmlRenderer(write(tmp_path / "brief.txt", "Beste {{ naam }}\n"
                              "{% include '_groet.txt' %}"))
    assert text.render({"naam": "Kunst & Co", "afzender": "A & B"}) == \
        "Beste Kunst & Co\nGroet, A & B"
    html = HtmlRenderer(write(tmp_path / "brief.html", "<p>{{ naam }}</p>"))
    assert html.render({"naam": "Kunst & Co"}) == "<p>Kunst &amp; Co</p>"


def test_html_renderer_reports_a_syntax_error_with_its_line(tmp_path: Path) -> None:
    from cbct_docs.render import HtmlRenderer

    path = write(tmp_path / "brief.html", "<p>Beste</p>\n<p>{{ naam </p>")
    with pytest.raises(TemplateError) as raised:
        HtmlRenderer(path)
    assert raised.value.location == f"{path}:line 2"


def test_html_renderer_reports_an_unknown_filter(tmp_path: Path) -> None:
    from cbct_docs.render import HtmlRenderer

    path = write(tmp_path / "brief.html", "<p>{{ bedrag|euro }}</p>")
    with pytest.raises(TemplateError, match="euro"):
        HtmlRenderer(path)


def test_a_picture_subclass_or_lookalike_is_told_apart_by_its_class() -> None:
    from cbct_docs.render.fast_docx import context_needs_docxtpl
    from cbct_docs.render.images import DocxImage, place_images

    class Logo(DocxImage):
        pass

    class DocxImageLookalike:  # renamed below: the class name must not decide
        pass

    class RichText:  # a docxtpl class name outside docxtpl
        pass

    DocxImageLookalike.__name__ = "DocxImage"
    made: list[object] = []

    def placement() -> object:
        made.append(object())
        return made[-1]

    for picture in (Logo(b"\x89PNG"), DocxImage(b"\x89PNG")):
        bound, placed = place_images({"brief": {"logo": [picture]}}, placement)  # type: ignore[arg-type]
        assert placed is made[-1] and bound["brief"]["logo"][0].image is picture
    context = {"iets": DocxImageLookalike(), "tekst": "x"}
    assert place_images(context, placement) == (context, None)  # type: ignore[arg-type]
    assert context_needs_docxtpl([RichText()]) is None


def test_docxtpl_fallback_keeps_docxtpl_escapes_in_data_literal(tmp_path: Path) -> None:
    """A RichText in the context sends rendering through docxtpl, which would turn a name's
    ``{_{`` into ``{{``; the text must still come out as it was given."""
    import io

    import docx as python_docx
    from docxtpl import RichText

    from cbct_docs.render import DocxRenderer
    from tests.conftest import make_docx

    renderer = DocxRenderer(make_docx(tmp_path / "t.docx", ["Geachte {{ naam }},"]))
    name = "Stichting {_{ raar }_} en {_% ook %_}"
    made = renderer.render({"naam": name, "opmaak": RichText("vet")})
    assert renderer.fallbacks == 1  # the RichText took the docxtpl path
    text = python_docx.Document(io.BytesIO(made)).paragraphs[0].text
    assert text == f"Geachte {name},"
