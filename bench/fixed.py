"""The commands measured at fixed sizes, for ``python -m bench.commands``: ``merge``,
``pdf`` and ``--help``, each as a whole process beside its anchor, taking turns.

- merge: a letter (python-docx, a header and the register's fields) merged with a
  register of 10,000 organisations (bench/lifecycle.make_register): ``cbct-docs merge
  brief.docx register.xlsx --out DIR -q`` at 1,000 and 10,000 letters, at 10,000 also on
  one core (``taskset -c 0``); anchors: the naive docxtpl loop (bench/anchor_docxtpl.py)
  on 300 letters, its time scaled ×(10,000 / 300) — it is too slow to run at 10,000 in
  a bench —, and copying the template 10,000 times (bench/anchor_copy.py);
- pdf: ``cbct-docs pdf LETTERS --out DIR`` on 50 bevestigingsbrieven; anchor: one soffice
  run per letter (bench/anchor_soffice.py) on 5 letters, scaled ×10;
- help: ``cbct-docs --help`` beside ``python -c pass``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .lifecycle import make_register, run

HERE = Path(__file__).resolve().parent
CLI = str(Path(sys.executable).parent / "cbct-docs")
NAIVE_LETTERS = 300
MERGE_LETTERS = 10_000
PDF_LETTERS, PDF_EACH = 50, 5


def letter(path: Path) -> Path:
    """A one-page letter with a header, the register's fields and a date filter."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Certificeringsbureau · {{ cert_nr }}"
    for line in ["{{ name }}", "t.a.v. {{ contact }}", "{{ street }}",
                 "{{ postcode }} {{ city }}", "", "Betreft: uw certificaat {{ framework }}",
                 "Geachte {{ contact }},",
                 "Uw certificaat is geldig tot {{ certified_until|datum }}. In de audit "
                 "van categorie {{ category }} komen de modules {{ modules }} aan bod.",
                 "Met vriendelijke groet,", "Certificeringsbureau Cultuur & Taal"]:
        document.add_paragraph(line)
    document.save(str(path))
    return path


_SET_ASIDE = itertools.count()


def set_aside(path: Path, work: Path) -> None:
    """Move a finished run's folder out of the way, to be deleted by ``clear_set_aside``
    when the bench ends. Deleting thousands of files between timed runs would slow the
    next run's file creation (ext4 without a journal passes over recently deleted inodes
    when it allocates one), a cost no user meets before a command."""
    if path.exists():
        aside = work / ".set-aside"
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{os.getpid()}-{next(_SET_ASIDE)}-{path.name}")


def clear_set_aside(work: Path) -> None:
    """Delete what was set aside (also what a bench that was stopped left behind)."""
    shutil.rmtree(work / ".set-aside", ignore_errors=True)


def rounds(sides: dict[str, Callable[[Path], list[str]]], folder: Path, repeats: int,
           count_suffix: str) -> dict[str, list[dict[str, Any]]]:
    """Each side ``repeats`` times, taking turns; every run into a fresh output folder
    (set aside after the run, deleted when the bench ends)."""
    results: dict[str, list[dict[str, Any]]] = {}
    for number in range(repeats):
        for name, command in sides.items():
            out = folder / f"out-{name}-{number}"
            set_aside(out, folder)
            result = measured(command(out), folder)
            result["docs"] = sum(1 for _ in out.rglob(f"*{count_suffix}")) if out.exists() \
                else 0
            set_aside(out, folder)
            results.setdefault(name, []).append(result)
            print(f"  {name}: {result['seconds']:.2f} s ({result['docs']:,} files)",
                  flush=True)
    clear_set_aside(folder)
    return results


def measured(command: list[str], folder: Path) -> dict[str, Any]:
    """``lifecycle.run``, with the command's own peak RSS and seconds: started from
    bench/peak.py, as a child of this large process the peak would be at least this
    process's own. The disk is synced first (not timed), so that no run pays for writing
    back what the run before it left in memory."""
    note = folder / ".peak-rss"
    os.sync()
    result = run([sys.executable, str(HERE / "peak.py"), str(note), *command], folder)
    kb, seconds = note.read_text().split()
    result["rss_mb"], result["seconds"] = int(kb) / 1024, float(seconds)
    note.unlink()
    return result


def median(runs: list[dict[str, Any]]) -> float:
    return statistics.median(r["seconds"] for r in runs)


def rss(runs: list[dict[str, Any]]) -> float:
    return max(r["rss_mb"] for r in runs)


def merge_group(work: Path, repeats: int) -> None:
    folder = work / "merge"
    folder.mkdir(exist_ok=True)
    template = letter(folder / "brief.docx")
    data = {}
    for count in (1000, MERGE_LETTERS):
        data[count] = folder / f"register-{count}.xlsx"
        if not data[count].exists():
            make_register(count, data[count])

    def merge(count: int, one_core: bool = False) -> Callable[[Path], list[str]]:
        pin = ["taskset", "-c", "0"] if one_core else []
        return lambda out: [*pin, CLI, "merge", str(template), str(data[count]), "--out",
                            str(out), "-q"]

    sides = {
        "merge 1,000": merge(1000),
        "merge 10,000": merge(MERGE_LETTERS),
        "merge 10,000, one core": merge(MERGE_LETTERS, one_core=True),
        f"naive docxtpl loop, {NAIVE_LETTERS}": lambda out: [
            sys.executable, str(HERE / "anchor_docxtpl.py"), str(template),
            str(data[1000]), str(out), str(NAIVE_LETTERS)],
        "copy the template 10,000 times": lambda out: [
            sys.executable, str(HERE / "anchor_copy.py"), str(template), str(out),
            str(MERGE_LETTERS)],
    }
    results = rounds(sides, folder, repeats, ".docx")
    seconds = {name: median(runs) for name, runs in results.items()}
    naive = seconds[f"naive docxtpl loop, {NAIVE_LETTERS}"] * MERGE_LETTERS / NAIVE_LETTERS
    copy = seconds["copy the template 10,000 times"]
    print("| merge | letters | seconds (median) | letters/s | × naive loop | "
          "× copy time | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        made = runs[0]["docs"]
        shown = seconds[name]
        if name.startswith("naive"):
            made, shown = MERGE_LETTERS, naive
            name = f"naive docxtpl loop ({NAIVE_LETTERS} run, scaled to 10,000)"
        print(f"| {name} | {made:,} | {shown:.2f} | {made / shown:,.0f} | "
              f"{naive * made / MERGE_LETTERS / shown:.1f}× | "
              f"{shown / (copy * made / MERGE_LETTERS):.2f} | {rss(runs):.0f} |")
    big, small = results["merge 10,000"], results["merge 1,000"]
    rate = MERGE_LETTERS / seconds["merge 10,000"]
    cores = seconds["merge 10,000, one core"] / seconds["merge 10,000"]
    memory = rss(big) / rss(small)
    within = seconds["merge 10,000"] / copy
    print(f"merge 10,000: {rate:,.0f} letters/s (target ≥ 1,000: "
          f"{'met' if rate >= 1000 else 'not met'}); peak RSS {rss(big):.0f} MB, "
          f"{memory:.2f}× the 1,000-letter run (target ≤ 1.10×: "
          f"{'met' if memory <= 1.10 else 'not met'}); one core / two cores = {cores:.2f}× "
          f"(target ≥ 1.8×: {'met' if cores >= 1.8 else 'not met'}); "
          f"{within:.2f}× the time of copying (target ≤ 1.5×: "
          f"{'met' if within <= 1.5 else 'not met'})")


def pdf_group(work: Path, repeats: int) -> None:
    from .side import make_letters

    folder = work / "pdf"
    letters = sorted((folder / "letters").glob("*.docx"))
    if len(letters) < PDF_LETTERS:
        letters = make_letters(PDF_LETTERS, folder / "letters")
    if not shutil.which("soffice"):
        print("pdf: skipped (no soffice)")
        return
    sides = {
        "cbct-docs pdf, 50 letters": lambda out: [CLI, "pdf", "letters", "--out", str(out)],
        f"soffice per letter, {PDF_EACH}": lambda out: [
            sys.executable, str(HERE / "anchor_soffice.py"), str(out),
            *[str(p) for p in letters[:PDF_EACH]]],
    }
    results = rounds(sides, folder, repeats, ".pdf")
    ours = median(results["cbct-docs pdf, 50 letters"])
    each = median(results[f"soffice per letter, {PDF_EACH}"]) * PDF_LETTERS / PDF_EACH
    made = results["cbct-docs pdf, 50 letters"][0]["docs"]
    print("| pdf | letters | seconds (median) | PDFs/s | × soffice per letter | "
          "peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| cbct-docs pdf | {made} | {ours:.2f} | {made / ours:.1f} | {each / ours:.1f}× | "
          f"{rss(results['cbct-docs pdf, 50 letters']):.0f} |")
    print(f"| soffice per letter ({PDF_EACH} run, scaled to {PDF_LETTERS}) | {PDF_LETTERS} "
          f"| {each:.2f} | {PDF_LETTERS / each:.1f} | 1.0× | "
          f"{rss(results[f'soffice per letter, {PDF_EACH}']):.0f} |")
    print(f"pdf: {made / ours:.1f} PDFs/s (target ≥ 20: "
          f"{'met' if made / ours >= 20 else 'not met'}); peak RSS is the Python process "
          "(soffice is its child)")


def help_group(work: Path, repeats: int) -> None:
    folder = work / "help"
    folder.mkdir(exist_ok=True)
    sides = {"cbct-docs --help": lambda out: [CLI, "--help"],
             "python -c pass": lambda out: [sys.executable, "-c", "pass"]}
    results = rounds(sides, folder, max(repeats, 5), ".none")
    ours, bare = median(results["cbct-docs --help"]), median(results["python -c pass"])
    print(f"cbct-docs --help: {ours:.2f} s ({ours / bare:.1f}× python -c pass, "
          f"{bare:.2f} s; peak RSS {rss(results['cbct-docs --help']):.0f} MB; target ≤ 0.3 s: "
          f"{'met' if ours <= 0.3 else 'not met'})")


GROUPS: dict[str, Callable[[Path, int], None]] = {
    "merge": merge_group, "pdf": pdf_group, "help": help_group}
