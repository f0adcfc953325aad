"""Issue 16: a large batch rendered in worker processes gives the same files, events and
located errors, in the same order, as rendering in the main process; an e-mail's context
is cleaned once for both its templates and renders as before."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from cbct_docs.documents.announcement import announcement_context
from cbct_docs.documents.context import (
    email_templates,
    html_template,
    inlined_template,
    load_office,
)
from cbct_docs.domain.planning import Quarter
from cbct_docs.domain.register import find_organisation, read_register
from cbct_docs.errors import ProblemList, TemplateError
from cbct_docs.forked import Forked
from cbct_docs.paths import samples_dir, templates_dir
from cbct_docs.render.environment import CleanContext, cleaned
from cbct_docs.render.lookup import use_office_templates
from cbct_docs.runs import parallel
from cbct_docs.runs import run as run_module
from cbct_docs.runs.before_audit import announce, confirm
from cbct_docs.runs.office import OfficeFolder

REPO = Path(__file__).resolve().parent.parent
Q2 = Quarter.parse("2025-Q2")
pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="worker processes are forked (Linux)")


@pytest.fixture(autouse=True)
def bundled_templates() -> Generator[None, None, None]:
    """An office's own templates are in use for the process once it is opened: reset."""
    use_office_templates(None)
    yield
    use_office_templates(None)


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> Callable[[bool], list[int]]:
    """``use(True)``: every batch goes to two workers (also the small sample batch, in
    windows of 4 organisations, and also when the test process has threads); returns a
    list that counts the documents the workers made."""
    made: list[int] = []
    original = parallel.results

    def counting(jobs: Any, work: Any, **given: Any) -> Generator[Any, None, None]:
        for result in original(jobs, work, **given):
            made.append(result is not parallel.LOCAL)
            yield result

    def use(on: bool) -> list[int]:
        made.clear()
        monkeypatch.setenv("CBCT_WORKERS", "2" if on else "1")
        monkeypatch.setattr(parallel, "MIN_BATCH", 1)
        monkeypatch.setattr(parallel, "CHUNK", 2)
        monkeypatch.setattr(parallel, "can_fork", lambda: True)
        monkeypatch.setattr(parallel, "results", counting)
        monkeypatch.setattr(run_module, "WINDOW", 4)  # several windows, across the sample
        return made

    return use


def _office(folder: Path, own_templates: dict[str, str] | None = None) -> OfficeFolder:
    folder.mkdir(parents=True)
    for name, text in (own_templates or {}).items():
        path = folder / "templates" / "emails" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    office = OfficeFolder(folder, REPO / "cbct-docs.toml", new_database_ok=True,
                          database_file=folder / "cbct-ledger.sqlite")
    office.import_register(samples_dir() / "register.xlsx")
    return office


def _events(office: OfficeFolder) -> list[tuple[Any, ...]]:
    """The events, each document's path relative to the office folder."""
    return [(*row[:4], str(Path(row[4]).relative_to(office.folder)) if row[4] else "")
            for row in office.database().execute(
                "SELECT dossier_id, kind, day, data, document FROM events ORDER BY id")]


def _files(out: Path) -> dict[str, bytes]:
    """Every file by its name; an e-mail without its Date line (the time of making)."""
    found = {}
    for path in sorted(out.rglob("*.*")):
        data = path.read_bytes()
        if path.suffix == ".eml":
            data = b"".join(line for line in data.splitlines(keepends=True)
                            if not line.startswith(b"Date: "))
        found[str(path.relative_to(out))] = data
    return found


def _lifecycle(folder: Path) -> tuple[dict[str, bytes], list[tuple[Any, ...]]]:
    office = _office(folder)
    announce(office, Q2, dt.date(2025, 1, 13), out=folder / "out")
    confirm(office, samples_dir() / "planning.xlsx", dt.date(2024, 12, 2),
            out=folder / "out")
    events = _events(office)
    office.close()
    return _files(folder / "out"), events


def test_workers_write_the_same_files_and_events(tmp_path: Path,
                                                 pooled: Callable[[bool], list[int]]) -> None:
    alone = pooled(False)
    files, events = _lifecycle(tmp_path / "one")
    assert alone and not any(alone)  # all made in the main process
    by_workers = pooled(True)
    files_pooled, events_pooled = _lifecycle(tmp_path / "pool")
    # Workers (or the main process while it waited for one) made them all.
    assert all(by_workers)
    assert files_pooled == files
    assert events_pooled == events
    names = list(files)
    assert any(n.endswith(".eml") for n in names) and any(n.endswith(".docx") for n in names)
    text = files["aankondiging/" + next(n.split("/")[1] for n in names
                                        if n.startswith("aankondiging/"))]
    assert b"Subject:" in text and b"Message-ID: <cbct-" in text


def test_a_document_failing_in_a_worker_is_located_as_without_workers(
        tmp_path: Path, pooled: Callable[[bool], list[int]]) -> None:
    """A template that fails for some organisations: the same located errors, in the
    same order, and nothing written or recorded."""
    source = (templates_dir() / "emails" / "aankondiging.txt").read_text(encoding="utf-8")
    broken = source.replace("{{ organisatie.naam }}",
                            "{{ organisatie.naam }}{{ organisatie.postcode|getal }}", 1)
    assert broken != source
    messages = []
    for on in (False, True):
        made = pooled(on)
        folder = tmp_path / ("pool" if on else "one")
        office = _office(folder, {"aankondiging.txt": broken})
        with pytest.raises(ProblemList) as caught:
            announce(office, Q2, dt.date(2025, 1, 13), out=folder / "out")
        assert _events(office) == [] and not (folder / "out").exists()
        office.close()
        messages.append(caught.value.messages())
        assert not any(made)  # every failed job was made again in the main process
    alone, pooled_messages = messages
    assert pooled_messages == alone
    assert len(alone) >= 2
    assert "is not a number" in alone[0] and "register.xlsx" in alone[0]


def test_results_keep_the_order_and_hand_back_what_failed(
        monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    forked_workers(min_batch=1, chunk=3)

    def square(number: int) -> int:
        if number == 7:
            raise ValueError("seven")
        return number * number

    got = list(parallel.results(list(range(20)), square))
    assert len(got) == 20
    # Only the job that failed is the caller's to run again: the rest were computed by
    # the worker or by the main process while it waited for one.
    assert [n for n, value in enumerate(got) if value is parallel.LOCAL] == [7]
    assert all(got[n] == n * n for n in range(20) if n != 7)


def test_the_main_process_does_its_meanwhile_while_the_workers_start(
        monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    """``meanwhile`` runs in the main process once, after the workers got their first
    jobs and before any result; its error is left for later; no workers, no meanwhile."""
    forked_workers(min_batch=1, chunk=3)
    done: list[int] = []

    def compile_next() -> None:
        done.append(os.getpid())
        raise TemplateError("broken template", location="brief.docx")

    got = parallel.results(list(range(20)), abs, meanwhile=compile_next)
    assert done == []
    assert next(got) == 0 and done == [os.getpid()]  # in the main process, before any result
    assert list(got) == list(range(1, 20)) and len(done) == 1
    monkeypatch.setenv("CBCT_WORKERS", "1")
    assert list(parallel.results([1, 2], abs, meanwhile=compile_next)) == [parallel.LOCAL] * 2
    assert len(done) == 1


def test_workers_forked_early_get_the_jobs_made_after(monkeypatch: pytest.MonkeyPatch,
        forked_workers: Callable[..., None]) -> None:
    """parallel.early forks the workers before the jobs exist (heraudit: after its first
    window): the jobs made afterwards, in several batches, are sent to the same workers
    and come back in order, a failed one as LOCAL; no workers for fewer jobs expected
    than MIN_BATCH."""
    forked_workers(min_batch=5, chunk=3)

    def shout(word: str) -> tuple[str, int]:
        if word == "seven":
            raise ValueError(word)
        return word.upper(), os.getpid()

    batches = []
    with parallel.early(shout, 20) as pool:
        assert pool is not None
        for batch in range(2):  # each made after the fork
            words = [f"w{batch}.{n}" if n != 7 else "seven" for n in range(20)]
            batches.append(list(parallel.results(words, shout, pool=pool)))
    workers = set()
    for batch, got in enumerate(batches):
        assert [n for n, value in enumerate(got) if value is parallel.LOCAL] == [7]
        assert [value[0] for value in got if value is not parallel.LOCAL] == [
            f"W{batch}.{n}" for n in range(20) if n != 7]
        assert got[0][1] != os.getpid()  # the first chunks are the workers'
        workers.add(got[0][1])
    assert len(workers) == 1  # the same worker for both batches
    with parallel.early(shout, 4) as pool:
        assert pool is None


_WARMED: list[int] = []


def test_workers_forked_early_warm_up_first(monkeypatch: pytest.MonkeyPatch,
                                            forked_workers: Callable[..., None]) -> None:
    """With ``warm``, each worker calls it before its first job (heraudit: compiles the
    letter's template while the main process prepares), not the main process; a warm-up
    that fails does not stop the workers: the jobs still come back."""
    forked_workers(min_batch=5, chunk=3)

    def warmed(word: str) -> tuple[str, list[int]]:
        return word.upper(), list(_WARMED)

    for failing in (False, True):
        def warm(failing: bool = failing) -> None:
            _WARMED.append(os.getpid())
            if failing:
                raise TemplateError("broken template", location="brief.docx")

        with parallel.early(warmed, 20, warm) as pool:
            got = list(parallel.results([f"w{n}" for n in range(20)], warmed, pool=pool))
        assert [value[0] for value in got] == [f"W{n}" for n in range(20)]
        worker, warmed_in = got[0][1][0], got[0][1]
        assert warmed_in == [worker] and worker != os.getpid()  # once, in the worker
        assert _WARMED == []  # not in the main process


def test_a_pool_that_forked_no_worker_gives_every_job_back(
        forked_workers: Callable[..., None]) -> None:
    """Out of processes or files, :func:`parallel.early`'s pool may hold no worker at all:
    each job of a batch given to it comes back LOCAL, in order, for the main process to
    make (none lost, nothing waited for)."""
    forked_workers(min_batch=5, chunk=3)
    with Forked(0) as pool:
        got = list(parallel.results([f"w{n}" for n in range(20)], str.upper, pool=pool))
    assert got == [parallel.LOCAL] * 20


def test_small_batch_or_one_worker_stays_in_the_main_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBCT_WORKERS", "1")
    assert list(parallel.results([1, 2, 3] * 100, str)) == [parallel.LOCAL] * 300
    monkeypatch.setenv("CBCT_WORKERS", "2")
    assert list(parallel.results([1, 2], str)) == [parallel.LOCAL] * 2


def test_an_email_context_is_cleaned_once_and_renders_as_each_template_alone() -> None:
    context = {
        "bureau": {"naam": "Bureau\r\nCultuur & Taal\x0b", "plaats": "Den Haag",
                   "portaal": "https://portaal.example/?a=1&b=2", "email": "a@b.example",
                   "telefoon": "070", "website": "w.example", "straat": "Straat 1",
                   "postcode": "2514 EA", "kvk": "1", "enquete": "e", "applicatie": "Z"},
    }
    office = load_office(REPO / "cbct-docs.toml")
    org = find_organisation(read_register(samples_dir() / "register.xlsx"), "CBCT-0101")
    full = announcement_context(org, Q2, dt.date(2025, 1, 13), office)
    full["bureau"] = {**full["bureau"], **context["bureau"]}
    once = cleaned(full)
    assert type(once) is CleanContext and cleaned(once) is once
    assert once["bureau"]["naam"] == "Bureau\nCultuur & Taal"
    email = email_templates("aankondiging").render(full, "a@b.example")
    text = html_template("aankondiging.txt").render(full)
    html = inlined_template("aankondiging.html").render(full)
    assert email.subject == text.partition("\n")[0].removeprefix("Onderwerp:").strip()
    assert email.html == html
    assert "Cultuur &amp; Taal" in email.html and "\x0b" not in email.html + email.text


def test_workers_give_the_same_address_warnings(tmp_path: Path,
                                                pooled: Callable[[bool], list[int]]) -> None:
    """confirm estimates each letter's address where it renders it: a name too long for
    the envelope window gives the same located warning with workers as without."""
    from .registers import edited_register

    long_name = ("Stichting Centrum voor Kunst, Cultuur en Cultuureducatie Maashorst, Uden "
                 "en Omstreken")
    register = edited_register(tmp_path / "register.xlsx",
                               {"CBCT-0103": {"name": long_name}})
    warnings = {}
    for on in (False, True):
        made = pooled(on)
        folder = tmp_path / ("pool" if on else "one")
        office = _office(folder)
        result = confirm(office, samples_dir() / "planning.xlsx", dt.date(2024, 11, 4),
                         out=folder / "out", register=register)
        office.close()
        assert any(made) is on
        warnings[on] = [note.replace(str(folder), "OFFICE") for note in result.notes
                        if ": warning: " in note]
    [warning] = warnings[False]
    assert warning.startswith("OFFICE/out/bevestigingsbrief/CBCT-0103")
    assert f"{long_name!r} is about " in warning
    assert "the window 90 mm: it wraps onto a next line" in warning
    assert warnings[True] == warnings[False]


def test_chunks_cover_every_job_in_order_and_end_small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", 25)
    monkeypatch.setattr(parallel, "AHEAD", 3)
    for total in (0, 1, 7, 199, 200, 201, 474, 2000):
        chunks = parallel._chunks(total, 2)
        assert [n for chunk in chunks for n in chunk] == list(range(total))
    sizes = [len(chunk) for chunk in parallel._chunks(2000, 2)]
    # Whole chunks first; the last 200 jobs (what the pool may hold at the end, and a
    # chunk more for each side) in chunks of 5, so the main process never waits long.
    assert sizes == [25] * 72 + [5] * 40
