"""A run reads the dossiers it needs: the few of a run about a few organisations one by
one, a whole office's at once (issue 16: a one-sheet heraudit read all 2,000 dossiers and
their 16,000 events first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbct_docs.paths import samples_dir
from cbct_docs.runs import run as run_module
from cbct_docs.runs.run import Run

from .registers import reported_office

REPORTED = ("CBCT-0101", "CBCT-0102", "CBCT-0104")


def test_a_run_about_one_organisation_reads_its_dossier_alone(tmp_path: Path) -> None:
    office = reported_office(tmp_path, samples_dir() / "register.xlsx", REPORTED)
    orgs = {org.cert_nr: org for org in office.organisations(None)[0]}
    statements: list[str] = []
    office.database().set_trace_callback(statements.append)
    run = Run(office, tmp_path / "out")
    state = run.state(orgs["CBCT-0102"])
    assert [event.kind.value for event in state.events] == [
        "audit-gehouden", "concept-verstuurd", "reactietermijn-verstreken",
        "definitief-rapport"]
    reads = [s for s in statements if "FROM events" in s]
    assert reads and all("WHERE dossier_id = " in s for s in reads)  # not every event
    assert state == Run(office, tmp_path / "out").dossiers["CBCT-0102"].state


def test_past_a_few_organisations_a_run_reads_every_dossier_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each state is the one all dossiers read at once give, before and after the run
    switches to reading them all (after FEW one by one), and after a commit."""
    monkeypatch.setattr(run_module, "FEW", 2)
    office = reported_office(tmp_path, samples_dir() / "register.xlsx", REPORTED)
    orgs = office.organisations(None)[0]
    everyone = Run(office, tmp_path / "out").dossiers
    statements: list[str] = []
    office.database().set_trace_callback(statements.append)
    run = Run(office, tmp_path / "out")
    states = {org.cert_nr: run.state(org) for org in orgs}
    whole = [s for s in statements if "FROM events ORDER BY id" in s]
    assert len(whole) == 1  # once, after two one by one
    assert all(states[nr] == everyone[nr].state for nr in everyone)
    assert len(states) > len(everyone)  # organisations without a dossier too
    run.commit()
    assert run.state(orgs[0]) == everyone[orgs[0].cert_nr].state
