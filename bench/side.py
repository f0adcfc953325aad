"""One measured side of a benchmark, in its own process: ``python -m bench.side CASE N DIR``.

Prints one JSON line: the seconds the work took, how many documents, peak RSS of this
process (and of its children, for LibreOffice), and a note on which code path ran.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import data

CASES: dict[str, Callable[[int, Path], dict[str, Any]]] = {}


def case(function: Callable[[int, Path], dict[str, Any]]) -> Callable[[int, Path], dict[str, Any]]:
    CASES[function.__name__] = function
    return function


def letter_template(work: Path) -> Path:
    """The real bevestigingsbrief, or a stand-in letter while it does not exist."""
    from cbct_docs.paths import templates_dir

    real = templates_dir() / "letters" / "bevestigingsbrief.docx"
    if real.is_file():
        return real
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "{{ bureau.naam }} · {{ kenmerk }}"
    for line in ["{{ organisatie.naam }}", "{{ organisatie.straat }}",
                 "{{ organisatie.postcode }} {{ organisatie.plaats }}", "{{ aanhef }},",
                 "{%p for a in afspraken %}", "{{ a.datum|datum }}: {{ a.onderdeel }}",
                 "{%p endfor %}", "Met vriendelijke groet,", "{{ ondertekenaar.naam }}"]:
        document.add_paragraph(line)
    path = work / "stand-in-bevestigingsbrief.docx"
    document.save(str(path))
    return path


def make_letters(count: int, folder: Path) -> list[Path]:
    """Letters to convert or bundle (made with the compiled path; not timed)."""
    from cbct_docs.render import DocxRenderer

    folder.mkdir(parents=True, exist_ok=True)
    renderer = DocxRenderer(letter_template(folder))
    contexts, _source = data.letter_contexts(count)
    paths = []
    for number, context in enumerate(contexts, start=1):
        path = folder / f"brief-{number:04d}.docx"
        path.write_bytes(renderer.render(context))
        paths.append(path)
    return paths


@case
def letters_app(count: int, work: Path) -> dict[str, Any]:
    """The application's own path: runs.before_audit.confirm on an office of ``count``
    organisations (the register read in beforehand, not timed): the planning read,
    contexts, the compiled render, the events and the atomic writes."""
    import shutil

    from cbct_docs.runs.before_audit import confirm
    from cbct_docs.runs.office import OfficeFolder

    from .commands import ROOT, make_planning, make_register

    folder = work / f"office-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "cbct-docs.toml", folder / "cbct-docs.toml")
    make_register(count, folder / "register.xlsx")
    make_planning(count, folder / "planning.xlsx")
    office = OfficeFolder(folder, new_database_ok=True)
    office.import_register(folder / "register.xlsx")
    start = time.perf_counter()
    result = confirm(office, folder / "planning.xlsx", data.TODAY, out=folder / "out")
    seconds = time.perf_counter() - start
    office.close()
    from cbct_docs.documents.context import docx_template

    renderer = docx_template("letters/bevestigingsbrief.docx")
    return {"seconds": seconds, "count": len(result.made), "fast": renderer.fast,
            "note": "runs.before_audit.confirm: planning, contexts, compiled render, "
                    "events, atomic writes"}


@case
def letters_render(count: int, work: Path) -> dict[str, Any]:
    """DocxRenderer alone: compile once, render every context to bytes in memory."""
    from cbct_docs.render import DocxRenderer

    contexts, source = data.letter_contexts(count)
    start = time.perf_counter()
    renderer = DocxRenderer(letter_template(work))
    sizes = sum(len(renderer.render(context)) for context in contexts)
    return {"seconds": time.perf_counter() - start, "count": count, "fast": renderer.fast,
            "note": f"DocxRenderer.render, contexts from {source}, {sizes // count} B/doc"}


_pool_renderer: Any = None


def _pool_start(path: Path) -> None:
    global _pool_renderer
    from cbct_docs.render import DocxRenderer

    _pool_renderer = DocxRenderer(path)


def _pool_chunk(contexts: list[dict[str, Any]]) -> list[bytes]:
    return [_pool_renderer.render(context) for context in contexts]


@case
def letters_pool(count: int, work: Path) -> dict[str, Any]:
    """The pool experiment: does a process per core pay off for rendering on this machine?
    (Each worker compiles once; the bytes come back through a pipe.)"""
    from concurrent.futures import ProcessPoolExecutor

    contexts, _source = data.letter_contexts(count)
    start = time.perf_counter()
    template = letter_template(work)
    chunks = [contexts[i : i + 100] for i in range(0, count, 100)]
    with ProcessPoolExecutor(2, initializer=_pool_start, initargs=(template,)) as pool:
        done = sum(len(chunk) for chunk in pool.map(_pool_chunk, chunks))
    return {"seconds": time.perf_counter() - start, "count": done,
            "note": "2 worker processes, each compiling the template once"}


@case
def letters_naive(count: int, work: Path) -> dict[str, Any]:
    """The loop everyone writes first: open the template, render, save, per letter."""
    from docxtpl import DocxTemplate

    from cbct_docs.render import make_environment

    out = work / "naive"
    out.mkdir(parents=True, exist_ok=True)
    template = letter_template(work)
    start = time.perf_counter()
    contexts, _source = data.letter_contexts(count)
    env = make_environment()  # the Dutch filters; a bare Environment cannot render the letter
    for number, context in enumerate(contexts):
        tpl = DocxTemplate(template)
        tpl.render(context, jinja_env=env, autoescape=True)
        tpl.save(out / f"brief-{number:04d}.docx")
    return {"seconds": time.perf_counter() - start, "count": count,
            "note": "DocxTemplate(path).render(autoescape=True).save() per letter"}


def _mail_template() -> Path:
    from cbct_docs.paths import templates_dir

    return templates_dir() / "emails" / "aankondiging.html"


@case
def emails_once(count: int, work: Path) -> dict[str, Any]:
    from cbct_docs.render.fast_email import InlinedHtmlRenderer

    contexts = data.email_contexts(count)
    start = time.perf_counter()
    renderer = InlinedHtmlRenderer(_mail_template())
    total = sum(len(renderer.render(context)) for context in contexts)
    return {"seconds": time.perf_counter() - start, "count": count, "fast": renderer.fast,
            "note": f"InlinedHtmlRenderer: CSS inlined once per template ({total // count} B)"}


@case
def emails_css_inline(count: int, work: Path) -> dict[str, Any]:
    from cbct_docs.render import HtmlRenderer
    from cbct_docs.render.inline import inline_css

    contexts = data.email_contexts(count)
    start = time.perf_counter()
    renderer = HtmlRenderer(_mail_template())
    for context in contexts:
        inline_css(renderer.render(context))
    return {"seconds": time.perf_counter() - start, "count": count,
            "note": "HtmlRenderer.render + inline_css (css-inline) per message"}


@case
def emails_premailer(count: int, work: Path) -> dict[str, Any]:
    import premailer

    from cbct_docs.render import HtmlRenderer

    contexts = data.email_contexts(count)
    start = time.perf_counter()
    renderer = HtmlRenderer(_mail_template())
    for context in contexts:
        premailer.transform(renderer.render(context), allow_network=False)
    return {"seconds": time.perf_counter() - start, "count": count,
            "note": "HtmlRenderer.render + premailer.transform per message"}


@case
def pdf_batch(count: int, work: Path) -> dict[str, Any]:
    """The default route: the letters as one bundle, one conversion, split per letter."""
    import logging

    from cbct_docs.deliver.pdf import convert_to_pdf

    letters = make_letters(count, work / "letters")
    said: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("cbct_docs.deliver")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    start = time.perf_counter()
    pdfs = convert_to_pdf(letters, work / "pdf", overwrite=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": len(pdfs),
            "note": "convert_to_pdf: " + ("; ".join(said) or "no bundle")}


@case
def pdf_plain(count: int, work: Path) -> dict[str, Any]:
    from cbct_docs.deliver.pdf import convert_to_pdf

    letters = make_letters(count, work / "letters")
    start = time.perf_counter()
    pdfs = convert_to_pdf(letters, work / "pdf", overwrite=True, bundled=False)
    return {"seconds": time.perf_counter() - start, "count": len(pdfs),
            "note": "convert_to_pdf(bundled=False): one soffice process, file by file"}


@case
def pdf_parallel(count: int, work: Path) -> dict[str, Any]:
    """What a second core buys: the batch split over two soffice processes at once."""
    from concurrent.futures import ThreadPoolExecutor

    from cbct_docs.deliver.pdf import convert_to_pdf

    letters = make_letters(count, work / "letters")
    # A folder per process: ensure_folder clears the other's temporary files otherwise.
    halves = [(letters[: count // 2], work / "pdf-1"), (letters[count // 2 :], work / "pdf-2")]
    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda half: convert_to_pdf(half[0], half[1], overwrite=True),
                             halves))
    return {"seconds": time.perf_counter() - start, "count": sum(len(d) for d in done),
            "note": "convert_to_pdf (bundle route) on two halves at once (two soffice "
                    "processes)"}


@case
def pdf_each(count: int, work: Path) -> dict[str, Any]:
    from cbct_docs.deliver.pdf import convert_to_pdf

    letters = make_letters(count, work / "letters")
    start = time.perf_counter()
    for letter in letters:
        convert_to_pdf([letter], work / "pdf", overwrite=True)
    return {"seconds": time.perf_counter() - start, "count": count,
            "note": "one soffice run per letter"}


@case
def bundle(count: int, work: Path) -> dict[str, Any]:
    from cbct_docs.deliver.bundle import make_bundle

    letters = make_letters(count, work / "letters")
    start = time.perf_counter()
    made = make_bundle(letters, work / "drukwerk.docx", overwrite=True)
    size = made.stat().st_size
    return {"seconds": time.perf_counter() - start, "count": count,
            "note": f"make_bundle: {count} letters in one .docx ({size // 1024} kB)"}


@case
def demo(count: int, work: Path) -> dict[str, Any]:
    from cbct_docs.cli import cli

    start = time.perf_counter()
    out = io.StringIO()
    sys.stdout, saved = out, sys.stdout
    try:
        cli.main(["demo", "--out", str(work / "demo"), "--overwrite"], standalone_mode=False)
    finally:
        sys.stdout = saved
    files = [p for p in (work / "demo").rglob("*") if p.is_file()]
    return {"seconds": time.perf_counter() - start, "count": len(files),
            "note": f"cbct-docs demo --out … (with PDF): {len(files)} files"}


def main() -> None:
    name, count, work = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    result = CASES[name](count, work)
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["child_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
