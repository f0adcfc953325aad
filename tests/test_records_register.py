"""Reading a large register (issue 15): the register check reuses what it found for a
value repeated over many rows (branches, module lists, categories), and still locates a
bad value in every row that holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbct_docs.domain.register import read_register
from cbct_docs.errors import ProblemList

HEADER = "cert_nr;name;branch;framework;modules;email;certified_until;category\n"


def test_a_repeated_bad_value_is_located_in_every_row(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(HEADER
                    + "A-1;Bieb A;VOB;KiB;ido;a@a.example.nl;1-5-2026;II\n"
                    + "A-2;Bieb B;VOBB;KiB;ido;b@a.example.nl;1-5-2026;II\n"
                    + "A-3;Bieb C;VOB;KiB;ido, dans;c@a.example.nl;1-5-2026;IX\n"
                    + "A-4;Bieb D;VOBB;KiB;ido, dans;d@a.example.nl;1-5-2026;IX\n",
                    encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        read_register(path)
    where_and_what = [m.removeprefix(f"{path}:").split(" (")[0]
                      for m in caught.value.messages()]
    assert where_and_what == [
        "row 3:branch: unknown branch association 'VOBB'",
        "row 4:modules: module 'dans' is not part of KiB",
        "row 4:category: unknown audit category 'IX'",
        "row 5:branch: unknown branch association 'VOBB'",
        "row 5:modules: module 'dans' is not part of KiB",
        "row 5:category: unknown audit category 'IX'"]


def test_repeated_good_values_read_the_same_in_every_row(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "".join(
        f"A-{n};Bieb {n};VOB; Cultuurconnectie;KiB;ido;x{n}@a.example.nl;1-5-2026;2\n"
        .replace("VOB; Cultuurconnectie", "beide" if n % 2 else "VOB/Cultuurconnectie")
        for n in range(6)), encoding="utf-8")
    organisations = read_register(path)
    assert {(o.branch, o.modules, o.category) for o in organisations} == {
        (("VOB", "Cultuurconnectie"), ("ido",), "II")}
