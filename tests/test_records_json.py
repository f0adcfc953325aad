"""JSON fields (issue 15): a group, a list or a yes/no is refused per field, located, all
problems at once — unless the caller declares the field structured (the campaign does,
for the groups it writes into ``deelnemers.json`` itself)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cbct_docs.errors import ProblemList
from cbct_docs.records import read_records, structured_fields


def write(tmp_path: Path, items: object) -> Path:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def test_non_scalar_fields_are_refused_per_field_all_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, [
        {"naam": "A", "contact": "mevrouw A.", "actief": None},
        {"naam": "B", "contact": ["mevrouw A.", "B"], "actief": True},
        {"naam": {"nl": "C"}, "contact": "heer C.", "actief": False},
    ])
    with pytest.raises(ProblemList) as caught:
        read_records(path)
    assert caught.value.messages() == [
        f'{path}:record 2:contact: holds a list of 2 values (["mevrouw A.", "B"]), not a text '
        'or number (give one value, e.g. "contact": "mevrouw A. van Wijk", or one field per '
        "value)",
        f"{path}:record 2:actief: holds a yes/no value (true), not a text or number (write "
        'the words the letter should show, e.g. "ja" or "nee")',
        f'{path}:record 3:naam: holds a group of values ({{"nl": "C"}}), not a text or number '
        '(give each value its own field, e.g. "adres_straat": "Kerkstraat 1")',
        f"{path}:record 3:actief: holds a yes/no value (false), not a text or number (write "
        'the words the letter should show, e.g. "ja" or "nee")',
    ]


def test_a_long_refused_value_is_shortened(tmp_path: Path) -> None:
    path = write(tmp_path, [{"namen": [f"persoon {n}" for n in range(30)]}])
    with pytest.raises(ProblemList) as caught:
        read_records(path)
    (message,) = caught.value.messages()
    assert message.startswith(f'{path}:record 1:namen: holds a list of 30 values (["persoon 0", '
                              '"persoon 1", "persoon 2"…), not a text or number')


def test_declared_fields_keep_their_structure_and_only_those(tmp_path: Path) -> None:
    path = write(tmp_path, [{"naam": "A", "geplaatst": True,
                             "campagne": {"titel": " Pilot ", "data": ["1 mei", "2 mei"]},
                             "contact": ["x"]}])
    with pytest.raises(ProblemList) as caught:
        read_records(path, structured=["geplaatst", "campagne"])
    assert [m.split(" (")[0] for m in caught.value.messages()] == [
        f"{path}:record 1:contact: holds a list of 1 value"]
    (record,) = read_records(path.parent / "data.json", structured=["geplaatst", "campagne",
                                                                      "contact"])
    assert record.fields == {"naam": "A", "geplaatst": True, "contact": ["x"],
                             "campagne": {"titel": " Pilot ", "data": ["1 mei", "2 mei"]}}


def test_inside_a_declared_field_every_problem_is_located(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text('[{"naam": "A", "adres": {"straat": "Markt 1", "straat": "Kerkplein 4"},'
                    ' "tarieven": [{"jaar": 2025, "bedrag": NaN}]}]', encoding="utf-8")
    with pytest.raises(ProblemList) as caught:
        read_records(path, structured=["adres", "tarieven"])
    assert [m.split(" (")[0] for m in caught.value.messages()] == [
        f"{path}:record 1:adres: key 'straat' appears twice",
        f"{path}:record 1:tarieven[1].bedrag: NaN is not a number a letter can show"]


def test_a_caller_declares_fields_for_the_layer_it_calls(tmp_path: Path) -> None:
    """The campaign's merge reads deelnemers.json: the campaign's block declares its groups,
    and only within the block."""
    path = write(tmp_path, [{"naam": "A", "organisatie": {"naam": "A"}, "geplaatst": False}])
    with structured_fields(["organisatie"]), structured_fields(["geplaatst"]):
        (record,) = read_records(path)
    assert record["organisatie"] == {"naam": "A"} and record["geplaatst"] is False
    with pytest.raises(ProblemList):
        read_records(path)


def test_texts_numbers_and_nothing_stay_as_they_were(tmp_path: Path) -> None:
    path = write(tmp_path, [{"naam": "  Bieb  ", "aantal": 3, "bedrag": 1.5, "leeg": "",
                             "niets": None}])
    (record,) = read_records(path)
    assert record.fields == {"naam": "Bieb", "aantal": 3, "bedrag": 1.5, "leeg": None,
                             "niets": None}


def test_a_json_register_may_list_branches_and_modules_and_nothing_else(tmp_path: Path) -> None:
    from cbct_docs.domain.register import read_register

    good = {"cert_nr": "CBCT-0901", "naam": "Bibliotheek Zandvoort", "branche": ["VOB"],
            "kader": "KiB", "modules": ["leesbevordering", "ido"], "contact": "J. Jansen",
            "email": "info@zandvoort.example.nl", "certified_until": "1-5-2026",
            "category": "II"}
    (organisation,) = read_register(write(tmp_path, [good]))
    assert organisation.branch == ("VOB",)
    assert organisation.modules == ("leesbevordering", "ido")
    path = tmp_path / "data.json"
    with pytest.raises(ProblemList) as caught:  # the reader's refusal comes first
        read_register(write(tmp_path, [{**good, "contact": ["J. Jansen", "P. Smit"]}]))
    assert [m.split(" (")[0] for m in caught.value.messages()] == [
        f"{path}:record 1:contact: holds a list of 2 values"]
    with pytest.raises(ProblemList) as caught:
        read_register(write(tmp_path, [{**good, "branche": {"naam": "VOB"}, "modules": [1]}]))
    assert [m.split(" (")[0] for m in caught.value.messages()] == [
        f"{path}:record 1:branche: branch must be a text or a list of texts",
        f"{path}:record 1:modules: modules must be a text or a list of texts"]
