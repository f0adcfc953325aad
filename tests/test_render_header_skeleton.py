"""Headers and footers written from kept skeletons (render.header_skeleton) are the bytes
python-docx's parse and save would write.

Each test renders the same contexts through two renderers of one template: one with
header skeletons, one with them switched off (every header parsed and written by lxml,
as before), and compares the documents byte for byte.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from cbct_docs.render import DocxRenderer, fast_docx
from tests.conftest import docx_text, make_docx
from tests.test_render_skeleton import TRICKY

#: Besides the body's tricky values: values of only spaces, which lxml's parser drops
#: where they stand alone between two tags (python-docx reads parts without blank text).
BLANK = [" ", "   ", "\u00a0", "x "]


def patched_header(path: Path, old: str, new: str) -> Path:
    """``path`` with ``old`` replaced by ``new`` in its first header's XML."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    xml = members["word/header1.xml"].decode()
    assert old in xml
    members["word/header1.xml"] = xml.replace(old, new, 1).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def pair(path: Path) -> tuple[DocxRenderer, DocxRenderer]:
    kept, plain = DocxRenderer(path), DocxRenderer(path)
    assert kept.compiled is not None and plain.compiled is not None
    assert any(p.kind == "header" for p in kept.compiled.parts)
    for part in plain.compiled.parts:
        part.skeleton = None
    return kept, plain


def compiled_skeletons(renderer: DocxRenderer) -> int:
    """How many of its headers and footers have a skeleton template compiled."""
    assert renderer.compiled is not None
    return sum(p.kind == "header" and p.skeleton not in (None, fast_docx._UNTRIED)
               for p in renderer.compiled.parts)


def contexts() -> list[dict[str, Any]]:
    values = TRICKY + BLANK
    return [{"naam": text, "nummer": f"CBCT-{number:04d}", "kleur": values[-1 - number]}
            for number, text in enumerate(values)] * 2


def test_same_bytes_as_python_docx_writes(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "h.docx", ["Geachte {{ naam }},"],
                     header="Certificeringsbureau · {{ nummer }} · {{ naam }}",
                     footer="{{ naam }}{{ nummer }} & zo")
    kept, plain = pair(path)
    for context in contexts():
        assert kept.render(context) == plain.render(context), context
    assert kept.compiled is not None
    assert kept.compiled.header_skeletons.hits >= 20  # taken (not for tabs, breaks, blanks)
    assert compiled_skeletons(kept) == 2  # the header and the footer
    out = tmp_path / "out.docx"
    out.write_bytes(kept.render(contexts()[1]))
    assert "Certificeringsbureau · CBCT-0001 · \"De Kunst\" 'Zoë'" in docx_text(out)


def test_a_header_the_same_in_every_document_compiles_no_skeleton(tmp_path: Path) -> None:
    """A letterhead printing the office's fields is made once and reused: its skeleton
    template is never compiled (compiling costs every Word command's start)."""
    path = make_docx(tmp_path / "l.docx", ["Geachte {{ naam }},"],
                     header="{{ bureau }} · Postbus 12")
    renderer = DocxRenderer(path)
    for number in range(5):
        out = tmp_path / f"l{number}.docx"
        out.write_bytes(renderer.render({"naam": f"Org {number}", "bureau": "CBCT"}))
        assert "CBCT · Postbus 12" in docx_text(out)
    assert compiled_skeletons(renderer) == 0
    renderer.render({"naam": "Org", "bureau": "Ander bureau"})  # made a second time
    assert compiled_skeletons(renderer) == 1


def test_values_between_tags_and_in_attributes(tmp_path: Path) -> None:
    """A value standing alone between two tags (a blank one is dropped there) and one in
    an attribute's value (escaped with its quotes)."""
    path = make_docx(tmp_path / "a.docx", ["Brief"], header="Kop {{ nummer }}")
    path = patched_header(path, "<w:r>", '<w:r>{{ naam }}<w:rPr><w:color w:val="{{ kleur }}"/>'
                                         "</w:rPr>")
    kept, plain = pair(path)
    for context in contexts():
        assert kept.render(context) == plain.render(context), context
    assert kept.compiled is not None
    skeletons = kept.compiled.header_skeletons
    assert skeletons.hits >= 6 and skeletons.misses >= 2 * len(BLANK) - 2


def test_a_skeleton_lxml_refuses_goes_the_old_way() -> None:
    """Where lxml refuses the skeleton, the document is made the old way (whose parse
    then reports the error as before); the refusal is kept, not parsed again."""
    from cbct_docs.render.fast_docx import _header_bytes
    from cbct_docs.render.header_skeleton import HeaderSkeletons
    from cbct_docs.render.skeleton import STAND_IN, Recorded

    skeletons = HeaderSkeletons(_header_bytes)
    broken = f'<w:hdr xmlns:w="urn:w"><w:p><w:t>{STAND_IN}</w:p></w:hdr>'
    for _ in range(2):
        assert skeletons.part(Recorded(broken, ["x"], [])) is None
    assert list(skeletons.kept.values()) == [None] and skeletons.misses == 2
    good = f'<w:hdr xmlns:w="urn:w"><w:p w:x="{STAND_IN}"><w:t>{STAND_IN}</w:t></w:p></w:hdr>'
    written = skeletons.part(Recorded(good, ['a"&', "<b>"], []))
    assert written == _header_bytes(good.replace(STAND_IN, "a&quot;&amp;", 1)
                                    .replace(STAND_IN, "&lt;b&gt;"))


def test_header_text_lost_is_still_found(tmp_path: Path) -> None:
    """The template-text check runs on the header's skeleton too: a value that closes a
    tag cannot hide the header's own text (it is escaped), and the text stays."""
    path = make_docx(tmp_path / "t.docx", ["Brief"], header="Vast {{ naam }} einde")
    kept, _plain = pair(path)
    assert kept.compiled is not None
    kept.render({"naam": "eerst"})  # the first time a header is made the old way
    out = tmp_path / "t-out.docx"
    out.write_bytes(kept.render({"naam": "</w:t></w:r></w:p>"}))  # from its skeleton
    assert kept.compiled.header_skeletons.hits == 1
    checked = [(name, passed) for (name, _skeleton), passed in kept.compiled.checked.items()]
    assert ("word/header1.xml", True) in checked  # checked as the header, and passed
    document_text = docx_text(out)
    assert "Vast </w:t></w:r></w:p> einde" in document_text
    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        assert b"&lt;/w:t&gt;" in archive.read("word/header1.xml")
