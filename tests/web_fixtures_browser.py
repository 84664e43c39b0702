"""The browser for the web tests and the helpers that drive the pages: headless Debian
chromium with a fresh profile per test, driven by Selenium; signing in through the login
page, waiting for what a page builds (and the marks it sets when ready), its console errors,
the language switch's cookie, and screenshots at desktop and phone size in both languages."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.web_fixtures import PASSWORD, LiveService

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    "--window-size=1500,1000",
)
SCREENSHOT_ENV = "QA_SCREENSHOT_DIR"


def screenshot_dir() -> Path:
    folder = Path(os.environ.get(SCREENSHOT_ENV) or REPO / "tests" / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Debian chromium with a fresh profile, for one test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        pytest.fail("chromium and chromium-driver are not installed: run `make browser`")
    profile = Path(tempfile.mkdtemp(prefix="qa-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--lang=en-US"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_until(
    driver, condition: Callable[[object], object], timeout_s: float = 30, what: str = ""
):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout_s, poll_frequency=0.05).until(condition, what)


def sign_in(driver, service: LiveService, username: str, next_path: str = "/") -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{service.url}/login?next={next_path}")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait_until(driver, lambda d: "/login" not in d.current_url, 30, f"{username} to sign in")


def console_errors(driver) -> list[str]:
    """The page's errors; the favicon a stylesheet opened directly asks for is not one."""
    logs = driver.get_log("browser")
    return [e["message"] for e in logs if e["level"] == "SEVERE" and "favicon" not in e["message"]]


def save_screenshot(driver, name: str) -> Path:
    path = screenshot_dir() / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def page_mark(driver, attribute: str, timeout_s: float) -> float:
    """Milliseconds from the start of navigation until the page set ``body[data-ATTRIBUTE]``
    (the page writes its own ``performance.now()`` there)."""
    script = f"return document.body.dataset.{attribute} || null"
    value = wait_until(driver, lambda d: d.execute_script(script), timeout_s, f"data-{attribute}")
    return float(value)


# Desktop and phone, as the pages are checked by hand: (name, width, height).
VIEWPORTS = (("desktop", 1440, 900), ("phone", 390, 844))


def set_language(driver, service: LiveService, lang: str) -> None:
    """The language switch's cookie, without clicking through the page."""
    driver.get(f"{service.url}/static/css/app.css")
    driver.add_cookie({"name": "qa_lang", "value": lang, "path": "/"})


def page_screenshots(driver, service: LiveService, path: str, name: str, ready=None) -> list[Path]:
    """``path`` in zh and en at desktop and phone size, saved as NAME-LANG-VIEWPORT.png;
    ``ready(driver)`` waits for what the page builds after loading. The window and the
    language are left as they were (English, the fixture's size)."""
    saved = []
    try:
        for lang in ("zh", "en"):
            set_language(driver, service, lang)
            for viewport, width, height in VIEWPORTS:
                driver.set_window_size(width, height)
                driver.get(f"{service.url}{path}")
                if ready is not None:
                    ready(driver)
                saved.append(save_screenshot(driver, f"{name}-{lang}-{viewport}"))
    finally:
        set_language(driver, service, "en")
        driver.set_window_size(1500, 1000)
    return saved
