"""The whitepaper speaks to its reader as the office's public texts do: "je/jouw", never
the formal "u/uw". Read from the Word file and the HTML page `cbct-docs whitepaper` makes
of the sample guide, with and without the office's settings (the branded version)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbct_docs.cli import cli
from cbct_docs.paths import samples_dir
from tests.conftest import docx_text
from tests.golden import html_reading_text

REPO = Path(__file__).resolve().parent.parent
SAMPLE = samples_dir() / "whitepapers" / "kib-4-samenwerking.yaml"

#: The formal pronouns as whole words: "u", "uw", "uzelf" (any capital). Letters around
#: them make another word ("uur", "uit", "UWV", "Súdwest"), and so does an apostrophe
#: or a hyphen joined to them.
FORMAL = re.compile(r"(?<![\w'’-])(?:u|uw|uzelf)(?![\w'’-])", re.IGNORECASE)


def formal_words(text: str) -> list[str]:
    """Each formal pronoun with a little of the sentence around it."""
    return [text[max(0, m.start() - 30): m.end() + 30].replace("\n", " ")
            for m in FORMAL.finditer(text)]


def make(source: Path, out: Path) -> dict[str, str]:
    """Both formats as `cbct-docs whitepaper` makes them in the current folder."""
    result = CliRunner().invoke(cli, ["whitepaper", str(source), "--out", str(out), "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    paths = {p.suffix: p for p in out.iterdir()}
    assert set(paths) == {".docx", ".html"}, sorted(paths)
    return {".docx": docx_text(paths[".docx"]), ".html": html_reading_text(paths[".html"])}


def test_the_pattern_finds_the_formal_words_only() -> None:
    assert [m.group() for m in FORMAL.finditer(
        "Heeft u uw plan? Uw plan, U en Uzelf; zo ziet u het.")] == [
        "u", "uw", "Uw", "U", "Uzelf", "u"]
    assert not FORMAL.search("Een uur uit het UWV-loket, u-bocht, Súdwest, duurzaam, jouw, "
                             "programma's, je kunt en heb je.")


@pytest.mark.parametrize("branded", [False, True], ids=["zonder-instellingen", "bureau"])
def test_the_whitepaper_says_je_not_u(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      branded: bool) -> None:
    if branded:  # the example office's settings: its name and website on every page
        shutil.copy(REPO / "cbct-docs.toml", tmp_path / "cbct-docs.toml")
    monkeypatch.chdir(tmp_path)
    texts = make(SAMPLE, tmp_path / "out")
    assert ("www.cbct.example" in texts[".docx"]) is branded
    for suffix, text in texts.items():
        assert formal_words(text) == [], suffix
        # the sentences of the sample, the templates and the fixed texts, in "je"
        assert "hoe je je op dat deel van de audit voorbereidt" in text, suffix
        assert "In norm 1 (missie, visie, strategie en beleid) leg je vast wat je wilt " \
               "bereiken" in " ".join(text.split()), suffix
        assert "Indicatoren zijn uitspraken die je met ja of nee beantwoordt. Ze helpen " \
               "je bij de zelfevaluatie" in text, suffix
        assert "Bij elke vraag lees je wat de auditor wil zien en met welke documenten je " \
               "jouw antwoord onderbouwt." in text, suffix
        assert "Leg die keuze en de redenen ervoor vast in je beleidsstukken" in text, suffix
        assert "Zij baseren zich op jouw zelfevaluatie" in text, suffix
        assert "Er is geen aanpak, of je kunt die niet laten zien." in text, suffix


def test_a_guide_in_u_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check reads the made documents: a norm file still in "u" fails it."""
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "kib-4-formeel.yaml"
    shutil.copy(SAMPLE, source)
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Zo zie je of de keten werkt.",
                                   "Zo ziet u of de keten werkt."), encoding="utf-8")
    for suffix, made in make(source, tmp_path / "out").items():
        found = formal_words(made)
        assert len(found) == 1 and "Zo ziet u of de keten werkt" in found[0], (suffix, found)
