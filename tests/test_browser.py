"""The query page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) runs an example query, follows an IRI from the results table to
its entity page, and from a fact to the sentence in its article.

Skipped when Chromium or selenium is missing, unless ``KG_REQUIRE_BROWSER=1`` (set by
``.ci/run``), so CI cannot pass by skipping it.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from conftest import serving

from kg.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
BASE = "https://w3id.org/newskg/id/"
WAIT = 20  # seconds; generous for a loaded 2-core CI machine


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, DRIVER) if not p.exists()]
    if importlib.util.find_spec("selenium") is None:
        missing.append("selenium (pip install -e .[test])")
    if not missing:
        return
    reason = "headless browser test needs " + ", ".join(missing)
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (KG_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver(site):
    """A headless Chromium; it quits before ``site`` stops, so no connection lingers."""
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    drv.set_page_load_timeout(WAIT)
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def site(sample_store):
    with serving(create_app(store=sample_store)) as url:
        yield url


def _console_errors(drv) -> list[str]:
    """Script errors and Content-Security-Policy refusals the page logged."""
    return [e["message"] for e in drv.get_log("browser")
            if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]


def _results(drv):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, WAIT).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "table.results tbody tr")))
    return drv.find_element(By.CSS_SELECTOR, "table.results")


def test_run_an_example_and_open_an_entity_page(driver, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(driver, WAIT)
    driver.get(site + "/")
    picker = Select(driver.find_element(By.ID, "example"))
    picker.select_by_visible_text(next(o.text for o in picker.options if "sanctioned" in o.text))
    assert "nkg:Sanction" in driver.find_element(By.ID, "query").get_property("value")
    driver.find_element(By.ID, "run").click()
    table = _results(driver)
    assert [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")] == [
        "imposer", "target", "status", "article"]
    assert "rows in" in driver.find_element(By.ID, "status").text
    assert _console_errors(driver) == []

    # a query whose results are IRIs: the "Governments" browse link runs on load
    driver.find_element(By.LINK_TEXT, "Governments").click()
    table = _results(driver)
    table.find_element(By.LINK_TEXT, BASE + "government/belarus").click()  # 303 -> .html
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Belarus"))
    assert driver.current_url.endswith("/government/belarus.html")
    assert driver.find_element(By.CSS_SELECTOR, 'a[href="http://www.wikidata.org/entity/Q184"]')
    assert _console_errors(driver) == []


def test_from_a_fact_to_its_sentence_in_the_article(driver, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, WAIT)
    driver.get(site + "/newskg/id/government/belarus")
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Belarus"))
    driver.find_element(By.CSS_SELECTOR, 'a[href*="/sanction/"]').click()
    evidence = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".provenance blockquote")))
    sentence = evidence.text
    driver.find_element(By.CSS_SELECTOR, "a.source").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".content mark")))
    fragment = driver.current_url.split("#", 1)[1]
    marked = driver.find_element(By.XPATH, f'//span[@id="{fragment}"]/following-sibling::mark[1]')
    assert sentence in marked.text
    assert _console_errors(driver) == []
