"""The Q2 round through the pages in a real browser: headless Chromium from the system's
packages, driven by Selenium and chromium-driver, against the app served by waitress and a
real SMTP server (aiosmtpd on 127.0.0.1) that counts what arrives.

Skips, saying why, when chromium or chromium-driver is not installed
(``apt-get install -y chromium chromium-driver``). With ``CBCT_SCREENSHOTS=DIR`` (``make
screenshots`` sets docs/screenshots) the screenshots of the main pages go there; otherwise
into the test's own folder.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cbct_docs.paths import samples_dir
from cbct_docs.web import create_app
from tests.mailserver import FaultyMailServer, free_port
from tests.test_web import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="end-to-end tests need the system's chromium and chromium-driver "
           "(apt-get install -y chromium chromium-driver)")


@pytest.fixture
def office(tmp_path: Path, server: tuple[FaultyMailServer, int],
           monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD"):
        monkeypatch.delenv(f"CBCT_SMTP_{name}", raising=False)
    monkeypatch.delenv("CBCT_CONFIG", raising=False)
    monkeypatch.setenv("CBCT_USER", "anna")
    folder = tmp_path / "kantoor"
    folder.mkdir()
    settings = (ROOT / "cbct-docs.toml").read_text(encoding="utf-8")
    settings += (f'\n[smtp]\nhost = "127.0.0.1"\nport = {server[1]}\n'
                 'security = "none"\ntimeout = 10\nattempts = 2\nbackoff = 0.01\n')
    (folder / "cbct-docs.toml").write_text(settings, encoding="utf-8")
    return folder


@pytest.fixture
def site(office: Path) -> Iterator[str]:
    from waitress.server import create_server

    port = free_port()
    server = create_server(create_app(office, require_login=False), host="127.0.0.1",
                           port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=nl-NL", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.implicitly_wait(2)
    try:
        yield driver
    finally:
        driver.quit()


def shots_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CBCT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def full_page(driver: Any, path: Path) -> None:
    """The whole page, not only the window."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(800, int(height)), 2400))
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)


def body(driver: Any) -> str:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By

    for _attempt in range(20):  # the page may be replaced while it is read
        try:
            return str(driver.find_element(By.TAG_NAME, "body").text)
        except WebDriverException:  # stale element, or a node of the page just left
            time.sleep(0.1)
    raise AssertionError("the page kept changing")


def wait_for(driver: Any, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in body(driver):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} did not appear; the page says:\n{body(driver)}")
        time.sleep(0.1)


def click(driver: Any, label: str) -> None:
    from selenium.webdriver.common.by import By

    buttons = [b for b in driver.find_elements(By.TAG_NAME, "button")
               if b.text.strip() == label] + driver.find_elements(By.LINK_TEXT, label)
    assert buttons, f"no button {label!r} on {driver.current_url}"
    buttons[0].click()


def upload(driver: Any, section: str, path: Path, button: str) -> None:
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.CSS_SELECTOR, f"#{section} input[type=file]")
    field.send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, f"#{section} button").click()


def record(driver: Any, site: str, cert_nr: str, kind: str, day: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(f"{site}/organisatie/{cert_nr}")
    Select(driver.find_element(By.NAME, "gebeurtenis")).select_by_value(kind)
    date = driver.find_element(By.NAME, "datum")
    driver.execute_script("arguments[0].value = arguments[1]", date, day)
    click(driver, "Vastleggen")
    wait_for(driver, "Vastgelegd.")


def test_the_q2_round_through_the_pages(site: str, browser: Any, office: Path,
                                        server: tuple[FaultyMailServer, int],
                                        tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    handler, _port = server
    shots = shots_folder(tmp_path)
    driver = browser

    # An empty office starts at the register.
    driver.get(site + "/")
    wait_for(driver, "Dit kantoor heeft nog geen organisaties")
    driver.get(site + "/bestanden")
    upload(driver, "register", samples_dir() / "register.xlsx", "Inlezen")
    wait_for(driver, "Register ingelezen.")
    assert "CBCT-0107 Bibliotheek Gooi & Vecht: nieuw" in body(driver)

    # Overzicht: the five announcements of Q2 as one button.
    driver.get(site + "/?kwartaal=2025-Q2&peildatum=2025-01-13")
    wait_for(driver, "5 aankondigingen maken")
    full_page(driver, shots / "overzicht.png")
    click(driver, "5 aankondigingen maken")

    # Review: every e-mail as it will be read, its HTML in a sandboxed frame.
    wait_for(driver, "5 aankondigingen gemaakt.")
    frames = driver.find_elements(By.CSS_SELECTOR, "iframe.voorbeeld")
    assert len(frames) == 5
    assert all(f.get_attribute("sandbox") == "" for f in frames)
    driver.switch_to.frame(frames[0])
    wait_for(driver, "Kwaliteit in Beeld")
    driver.switch_to.default_content()
    full_page(driver, shots / "beoordelen.png")
    click(driver, "Alles goedkeuren (5)")
    wait_for(driver, "5 goedgekeurd, 0 tegengehouden, 0 te beoordelen")

    # Verzenden: only approved e-mails, with live progress, to the real SMTP server.
    click(driver, "Naar verzenden")
    wait_for(driver, "5 e-mails klaar om te verzenden")
    click(driver, "5 e-mails verzenden")
    wait_for(driver, "Klaar: 5 verzonden, 0 mislukt")  # htmx polled the progress
    assert len(handler.received) == 5
    click(driver, "Naar het verzendlogboek")
    wait_for(driver, "verzonden (5)")
    assert body(driver).count("Aankondiging audit") == 5
    full_page(driver, shots / "verzendlogboek.png")

    # Organisatie: the intake comes in, recorded by hand.
    record(driver, site, "CBCT-0101", "intake-ontvangen", "2025-01-20")
    record(driver, site, "CBCT-0107", "intake-ontvangen", "2025-01-21")
    assert "Intake ontvangen" in body(driver)
    full_page(driver, shots / "organisatie.png")

    # Bestanden: the planning; then the bevestigingsbrieven from the overview.
    driver.get(site + "/bestanden")
    upload(driver, "planning", samples_dir() / "planning.xlsx", "Opslaan")
    wait_for(driver, "Planning opgeslagen")
    full_page(driver, shots / "bestanden.png")
    driver.get(site + "/?kwartaal=2025-Q2&peildatum=2025-01-22")
    wait_for(driver, "2 bevestigingsbrieven maken")
    click(driver, "2 bevestigingsbrieven maken")
    wait_for(driver, "2 bevestigingsbrieven gemaakt.")
    assert "Bevestigingsbrieven: 2 documenten" in body(driver)
    assert "Gooi & Vecht" in body(driver)
    full_page(driver, shots / "bevestigingsbrieven.png")
    assert len(list((office / "out" / "bevestigingsbrief").glob("*.docx"))) == 2

    driver.get(site + "/sjablonen")
    wait_for(driver, "letters/bevestigingsbrief.docx")
    full_page(driver, shots / "sjablonen.png")
    assert len(handler.received) == 5  # nothing went without approval

    # The pages kept to their own policy: no script, style or frame was refused.
    refused = [entry["message"] for entry in driver.get_log("browser")
               if "Content Security Policy" in entry["message"]
               or "Content-Security-Policy" in entry["message"]]
    assert refused == []
