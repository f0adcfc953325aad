"""Issue 16: a lifecycle run streams its documents to temporary files as they are made
(memory flat in the number of documents) and still writes all of them or none."""

from __future__ import annotations

import gc
import hashlib
import sys
from pathlib import Path

import pytest

from cbct_docs.documents.batch import Batch
from cbct_docs.documents.reserved import Reserved, Written, write_document
from cbct_docs.errors import DataError, OutputError, ProblemList


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def test_streamed_documents_wait_on_disk_not_in_memory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    for number in range(3):
        batch.add("brief", f"CBCT-{number} Bieb & Co", ".txt", f"Beste lezer {number}\n")
    assert batch.pending == []  # no document held: each is on disk, in a hidden folder
    [staging] = _hidden(out)  # the new folder's documents, renamed as a whole at the end
    assert len(list((out / staging).glob("*.txt"))) == 3 and not (out / "brief").exists()
    assert batch.last_path == out / "brief" / "CBCT-2 Bieb & Co.txt"
    assert batch.digests()[str(batch.last_path)] == batch.staged[-1].sha256
    made = batch.commit()
    assert [m.path.name for m in made] == [f"CBCT-{n} Bieb & Co.txt" for n in range(3)]
    assert (out / "brief" / "CBCT-1 Bieb & Co.txt").read_text(encoding="utf-8") == (
        "Beste lezer 1\n")
    assert _hidden(out) == []


def test_a_run_given_up_leaves_no_file_and_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    batch.add("brief", "a", ".txt", "een")
    batch.add("mail", "b", ".eml", b"twee")
    assert _hidden(out)
    batch.discard()
    assert not out.exists()
    # An abandoned batch (an error before its commit) cleans up as it goes.
    batch = Batch(out, stream=True)
    batch.add("brief", "a", ".txt", "een")
    del batch
    gc.collect()
    assert not out.exists()


def test_an_existing_file_stops_the_streamed_batch_before_any_is_written(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "brief").mkdir(parents=True)
    (out / "brief" / "b.txt").write_text("mine", encoding="utf-8")
    (out / "brief" / "c.txt").write_text("drie", encoding="utf-8")  # the same: taken as is
    batch = Batch(out, stream=True)
    for stem, text in (("a", "een"), ("b", "twee"), ("c", "drie")):
        batch.add("brief", stem, ".txt", text)
    with pytest.raises(OutputError, match="exists already"):
        batch.commit()
    assert sorted(p.name for p in (out / "brief").iterdir()) == ["b.txt", "c.txt"]
    assert (out / "brief" / "b.txt").read_text(encoding="utf-8") == "mine"
    batch = Batch(out, overwrite=False, stream=True)
    batch.add("brief", "a", ".txt", "een")
    batch.add("brief", "c", ".txt", "drie")
    assert [m.path.name for m in batch.commit()] == ["c.txt", "a.txt"]  # kept, then new
    assert (out / "brief" / "a.txt").read_text(encoding="utf-8") == "een"
    assert _hidden(out) == []


def test_a_file_made_meanwhile_in_the_runs_new_folder_stops_the_batch(
        tmp_path: Path) -> None:
    """The commit lists a folder that does not exist or holds only temporary files
    instead of looking up each name; a document another run put there meanwhile is still
    found and refused."""
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    for stem in ("a", "b"):
        batch.add("brief", stem, ".txt", f"tekst {stem}")
    (out / "brief").mkdir()  # another run made the folder, and a document in it
    (out / "brief" / "b.txt").write_text("van een andere run", encoding="utf-8")
    with pytest.raises(OutputError, match="exists already"):
        batch.commit()
    assert (out / "brief" / "b.txt").read_text(encoding="utf-8") == "van een andere run"
    assert not (out / "brief" / "a.txt").exists()
    assert _hidden(out) == []


def test_into_an_existing_folder_each_document_has_its_temporary_name(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "brief").mkdir(parents=True)
    (out / "brief" / "ander.txt").write_text("blijft", encoding="utf-8")
    batch = Batch(out, stream=True)
    for number in range(3):
        batch.add("brief", f"b{number}", ".txt", f"brief {number}")
    assert len(_hidden(out / "brief")) == 3 and len(list((out / "brief").iterdir())) == 4
    batch.commit()
    assert sorted(p.name for p in (out / "brief").iterdir()) == [
        "ander.txt", "b0.txt", "b1.txt", "b2.txt"]
    assert (out / "brief" / "b2.txt").read_text(encoding="utf-8") == "brief 2"


def test_a_folder_made_meanwhile_gets_the_documents_one_by_one(tmp_path: Path) -> None:
    """Another run made the folder while this one staged its documents: they are moved
    in one by one next to what is there, and one with a taken name is refused."""
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    batch.add("brief", "a", ".txt", "een")
    batch.add("mail", "m", ".eml", b"mail")
    (out / "brief").mkdir()
    (out / "brief" / "ander.txt").write_text("van een andere run", encoding="utf-8")
    made = batch.commit()
    assert [m.path.name for m in made] == ["a.txt", "m.eml"]
    assert sorted(p.name for p in (out / "brief").iterdir()) == ["a.txt", "ander.txt"]
    assert (out / "mail" / "m.eml").read_bytes() == b"mail"
    assert _hidden(out) == []
    batch = Batch(out / "x", stream=True)
    batch.add("brief", "a", ".txt", "een")
    (out / "x" / "brief").mkdir()
    (out / "x" / "brief" / "a.txt").write_text("anders", encoding="utf-8")
    with pytest.raises(OutputError, match="exists already"):
        batch.commit()
    assert (out / "x" / "brief" / "a.txt").read_text(encoding="utf-8") == "anders"
    assert _hidden(out) == []


def test_a_dead_runs_staging_folder_is_cleared_by_the_next_run(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    out = tmp_path / "out"
    left = out / f".brief.{dead}.0.tmp"  # a run killed before its commit
    left.mkdir(parents=True)
    (left / "a.txt").write_text("half", encoding="utf-8")
    batch = Batch(out, stream=True)
    batch.add("brief", "a", ".txt", "heel")
    batch.commit()
    assert (out / "brief" / "a.txt").read_text(encoding="utf-8") == "heel"
    assert not left.exists() and _hidden(out) == []


# Documents written where they are rendered (Batch.reserve, issue 16) -----------------


def _in_child(reserved: list[Reserved], texts: list[bytes]) -> list[Written]:
    """``write_document`` for each, in a forked process (as a worker writes them)."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.starmap(write_document, zip(reserved, texts, strict=True))


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers are Linux's")
@pytest.mark.parametrize("existing", [False, True])
def test_reserved_documents_written_by_another_process_are_committed(
        tmp_path: Path, existing: bool) -> None:
    """Names given out in order, the bytes written by a forked process (in a new folder:
    made in a folder of its own in the staging folder, so that two processes do not make
    files in one folder, and renamed by that process to their reserved names in the
    staging folder; in an existing folder: as temporary names), the batch takes their
    sha256 and size: the commit writes them under their names, and no hidden file or
    folder is left. A reserved name written twice (the first e-mail, rendered once before
    the workers start) holds the second bytes."""
    out = tmp_path / "out"
    if existing:
        (out / "mail").mkdir(parents=True)
    batch = Batch(out, stream=True)
    reserved = [batch.reserve("mail", f"CBCT-{n} Bieb & Co", ".eml", "Bieb") for n in range(3)]
    write_document(reserved[0], b"eerste poging")
    texts = [f"mail {n}\r\n".encode() for n in range(3)]
    outcomes = _in_child(reserved, texts)
    assert outcomes[1][:3] == (hashlib.sha256(b"mail 1\r\n").hexdigest(), 8, None)
    # Made in the worker's own folder (a new folder only), then at the reserved name.
    assert [o[3] for o in outcomes] == [r.name for r in reserved]
    assert [Path(o[4]).parent == Path(r.name).parent if o[4] else None
            for r, o in zip(reserved, outcomes, strict=True)] == [
        None if existing else True] * 3
    assert [Path(r.name).read_bytes() for r in reserved] == texts  # the first try replaced
    if not existing:
        assert [p.name for p in Path(outcomes[0][4]).iterdir()] == []  # nothing left there
    paths = [batch.written(r, o) for r, o in zip(reserved, outcomes, strict=True)]
    assert batch.digests()[str(paths[2])] == hashlib.sha256(b"mail 2\r\n").hexdigest()
    assert not any((out / "mail").glob("*.eml"))  # nothing under its name before the commit
    made = batch.commit()
    assert [m.path for m in made] == paths
    assert [p.read_bytes() for p in paths] == texts
    assert sorted(p.name for p in out.rglob("*")) == sorted(["mail", *(p.name for p in paths)])


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers are Linux's")
def test_a_document_its_worker_cannot_rename_is_moved_or_reported_at_the_commit(
        tmp_path: Path) -> None:
    """Where the worker cannot rename a file it made to its reserved name (here a folder
    is in the way), the file stays in the worker's folder and the commit tries the move
    itself: that failure is located at the document, and nothing of the batch is
    written."""
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    reserved = [batch.reserve("mail", stem, ".eml") for stem in ("a", "b")]
    (Path(reserved[1].name) / "in de weg").mkdir(parents=True)
    outcomes = _in_child(reserved, [b"een", b"twee"])
    assert outcomes[0][3] == reserved[0].name
    assert Path(outcomes[1][3]).parent == Path(outcomes[1][4])  # left in its own folder
    assert Path(outcomes[1][3]).read_bytes() == b"twee"
    for one, outcome in zip(reserved, outcomes, strict=True):
        batch.written(one, outcome)
    with pytest.raises(ProblemList) as raised:
        batch.commit()
    assert str(raised.value.problems[0]).startswith(f"{out / 'mail' / 'b.eml'}: cannot write")
    assert not out.exists()


def test_a_reserved_document_that_cannot_be_written_stops_the_batch(tmp_path: Path) -> None:
    """The failure the writing process returns is located at the document's name, and
    none of the batch's documents is written; a document reserved and never made stops
    a commit too (a bug), and giving the batch up leaves nothing behind."""
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    first, second = (batch.reserve("mail", stem, ".eml") for stem in ("a", "b"))
    batch.written(first, write_document(first, b"een"))
    batch.written(second, ("0" * 64, 3, "cannot write: File too large", "", ""))
    with pytest.raises(ProblemList) as raised:
        batch.commit()
    assert [str(e) for e in raised.value.problems][0] == (
        f"{out / 'mail' / 'b.eml'}: cannot write: File too large")
    assert not out.exists()
    batch = Batch(out, stream=True)
    unmade = batch.reserve("mail", "c", ".eml")
    write_document(unmade, b"half")
    with pytest.raises(RuntimeError, match="never made"):
        batch.commit()
    batch.discard()
    assert not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="forked workers are Linux's")
def test_a_batch_given_up_removes_what_its_workers_wrote(tmp_path: Path) -> None:
    """Documents a worker wrote into its own folder go with the batch when the run fails,
    those it reported and one it never reported (the run failed before it was staged)."""
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    reserved = [batch.reserve("mail", stem, ".eml") for stem in ("a", "b")]
    outcomes = _in_child(reserved, [b"een", b"twee"])
    assert all(Path(o[3]).exists() for o in outcomes)
    batch.written(reserved[0], outcomes[0])
    batch.discard()
    assert not out.exists()


def test_a_reserved_name_given_back_is_free_and_leaves_no_file(tmp_path: Path) -> None:
    """A document reserved and then not made (a heraudit sheet that needs no letter) is
    not written and not waited for; its name may be taken again, and a file already
    written under it (by a try made before) does not reach the folder."""
    out = tmp_path / "out"
    batch = Batch(out, stream=True)
    first, second, third = (batch.reserve("brief", stem, ".docx", f"Bieb {stem}")
                            for stem in ("a", "b", "c"))
    write_document(second, b"een eerdere poging")
    batch.written(first, write_document(first, b"brief a"))
    batch.release(second)
    batch.written(third, write_document(third, b"brief c"))
    again = batch.add("brief", "b", ".docx", b"brief b, later")
    made = batch.commit()
    assert [m.path.name for m in made] == ["a.docx", "c.docx", "b.docx"]
    assert [m.org for m in made] == ["Bieb a", "Bieb c", ""]
    assert again.read_bytes() == b"brief b, later"
    assert sorted(p.name for p in out.rglob("*")) == ["a.docx", "b.docx", "brief", "c.docx"]


@pytest.mark.parametrize("out", [".", "uit", "uit/./jaar"])
def test_a_documents_name_as_a_text_is_its_path_written_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> None:
    # The batch looks its documents up by name as a text (no Path hashed): the text is
    # exactly str() of the document's path, also for the current folder and a "." in it.
    monkeypatch.chdir(tmp_path)
    batch = Batch(Path(out), stream=True)
    batch.add("brief", "Bieb/Noord", ".txt", "Beste lezer\n")
    reserved = batch.reserve("brief", "Bieb Zuid", ".txt", folder="brieven/2025")
    path = batch.written(reserved, write_document(reserved, b"Beste lezer Zuid\n"))
    assert reserved.path == str(path) == str(Path(out) / "brieven" / "2025" / "Bieb Zuid.txt")
    top = batch.reserve("brief", "Bieb West", ".txt", folder="")  # in ``out`` itself
    assert top.path == str(Path(out) / "Bieb West.txt")
    batch.release(top)
    assert list(batch.digests()) == [str(Path(out) / "brief" / "Bieb-Noord.txt"), str(path)]
    with pytest.raises(DataError, match="two documents would both be called Bieb-Noord.txt"):
        batch.add("brief", "Bieb:Noord", ".txt", "Nog een\n")
    made = batch.commit()
    assert [m.path.read_text(encoding="utf-8") for m in made] == [
        "Beste lezer\n", "Beste lezer Zuid\n"]
    again = Batch(Path(out), stream=True)  # a rerun finds exactly these files: taken as is
    again.add("brief", "Bieb/Noord", ".txt", "Beste lezer\n")
    assert [m.path for m in again.commit()] == [made[0].path]
    other = Batch(Path(out), stream=True)  # another text under the same name: refused
    other.add("brief", "Bieb/Noord", ".txt", "Iets anders\n")
    with pytest.raises(OutputError, match="exists already"):
        other.commit()


def test_a_batch_written_at_its_commit_takes_a_rerun_as_is_and_refuses_another_file(
        tmp_path: Path) -> None:
    """The batch that keeps its documents until the commit (not streamed): a file that is
    exactly what would be written is taken as it is (not written again), another file
    under a document's name stops the batch, --overwrite replaces it."""
    out = tmp_path / "out"
    first = Batch(out)
    first.add("brief", "Bieb Noord", ".txt", "Beste lezer\n")
    first.add("brief", "Bieb Zuid", ".txt", b"Beste lezer Zuid\n")
    made = first.commit()
    written_at = [m.path.stat().st_mtime_ns for m in made]
    again = Batch(out)
    again.add("brief", "Bieb Noord", ".txt", "Beste lezer\n")
    again.add("brief", "Bieb Oost", ".txt", "Beste lezer Oost\n")
    assert [m.path.name for m in again.commit()] == ["Bieb Noord.txt", "Bieb Oost.txt"]
    assert made[0].path.stat().st_mtime_ns == written_at[0]  # taken as it was
    other = Batch(out)
    other.add("brief", "Bieb Oost", ".txt", "Iets anders\n")
    other.add("brief", "Bieb West", ".txt", "Beste lezer West\n")
    with pytest.raises(OutputError, match="exists already"):
        other.commit()
    assert not (out / "brief" / "Bieb West.txt").exists()  # nothing of that batch written
    replaced = Batch(out, overwrite=True)
    replaced.add("brief", "Bieb Oost", ".txt", "Iets anders\n")
    assert [m.path.read_text(encoding="utf-8") for m in replaced.commit()] == ["Iets anders\n"]
