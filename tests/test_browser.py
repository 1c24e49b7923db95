"""The web page at / in a real headless Chromium: run a named query, check the rows, draw the network.

The browser here does not load the SPARQL editor's files (YASGUI), so these tests hold the page as it is when npm
was missing at install: the plain text area, its Run button and its table (tests/test_editor.py has the editor)."""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.parse
import urllib.request

import pytest

from kg.thirdparty import KgServer
from tests.support import need_system

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
]


def _chromium() -> tuple[str | None, str | None]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return browser, driver


@pytest.fixture(scope="module")
def page_server(built_dataset):
    with KgServer(dataset=built_dataset) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    found, driver_path = _chromium()
    need_system(
        found is not None and driver_path is not None,
        "Debian chromium and chromium-driver (scripts/install-system-deps.sh)",
    )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        need_system(False, "selenium (pip install selenium)")
    profile = tempfile.mkdtemp(prefix="lattice-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = found
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/web/yasgui.*"]})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_named_query_runs_from_the_page(page_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with urllib.request.urlopen(page_server.url + "/api/queries") as r:
        listed = json.load(r)
    choice = next((q for q in listed if not any(p["required"] for p in q["params"])), None)
    assert choice is not None, "the library has a named query without required parameters"
    with urllib.request.urlopen(f"{page_server.url}/api/queries/{choice['name']}") as r:
        expected = json.load(r)
    browser.get(page_server.url + "/")
    _wait(browser, lambda d: d.find_element(By.ID, "named-query").get_attribute("data-loaded") == "true")
    Select(browser.find_element(By.ID, "named-query")).select_by_value(choice["name"])
    assert browser.find_element(By.ID, "editor").get_attribute("value") == choice["sparql"]
    browser.find_element(By.ID, "run").click()
    _wait(
        browser,
        lambda d: "row" in d.find_element(By.ID, "status").text or "HTTP" in d.find_element(By.ID, "status").text,
    )
    status = browser.find_element(By.ID, "status").text
    assert "HTTP" not in status, status
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#results thead th")]
    assert headers == expected["head"]["vars"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) == len(expected["results"]["bindings"])
    if rows:
        first = expected["results"]["bindings"][0]
        cells = [td.text for td in rows[0].find_elements(By.TAG_NAME, "td")]
        var = expected["head"]["vars"][0]
        if var in first and first[var]["type"] == "literal":
            assert cells[0] == first[var]["value"]
    assert browser.find_element(By.ID, "csv").is_enabled()


def test_edited_query_goes_to_the_endpoint_and_errors_show(page_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(page_server.url + "/")
    _wait(browser, lambda d: d.find_element(By.ID, "named-query").get_attribute("data-loaded") == "true")
    editor = browser.find_element(By.ID, "editor")
    browser.execute_script("arguments[0].value = arguments[1];", editor, "SELECT ?x WHERE { VALUES ?x { 1 2 3 4 } }")
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda d: "4 rows" in d.find_element(By.ID, "status").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 4
    browser.execute_script("arguments[0].value = arguments[1];", editor, "SELECT ?x WHERE { ?x }")
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda d: "HTTP 400" in d.find_element(By.ID, "status").text)
    assert "line 1" in browser.find_element(By.ID, "status").text


def test_accountability_network_is_drawn(page_server, browser, built_store):
    from selenium.webdriver.common.by import By

    res = built_store.query(
        "PREFIX lat: <https://w3id.org/lattice/ontology#> SELECT ?a WHERE "
        "{ ?a lat:accountableTo ?f } GROUP BY ?a ORDER BY DESC(COUNT(?f)) ?a LIMIT 1",
        use_default_graph_as_union=True,
    )
    found = [sol["a"].value for sol in res]
    del res
    assert found, "the curated graph records accountability relations"
    actor = found[0]
    q = (
        "PREFIX lat: <https://w3id.org/lattice/ontology#> SELECT (COUNT(DISTINCT ?f) AS ?n) "
        f"WHERE {{ <{actor}> lat:accountableTo ?f }}"
    )
    url = f"{page_server.endpoint}?" + urllib.parse.urlencode({"query": q})
    with urllib.request.urlopen(
        urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    ) as r:
        direct = int(json.load(r)["results"]["bindings"][0]["n"]["value"])
    browser.get(page_server.url + "/")
    box = browser.find_element(By.ID, "actor")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#actors option"))
    box.clear()
    box.send_keys(actor)
    browser.find_element(By.ID, "draw").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#network svg .focus"))
    svg = browser.find_element(By.CSS_SELECTOR, "#network svg")
    assert actor.rsplit("/", 1)[-1] in svg.get_attribute("aria-label")
    nodes = browser.find_elements(By.CSS_SELECTOR, "#network svg g.node")
    edges = browser.find_elements(By.CSS_SELECTOR, "#network svg line.edge")
    assert len(nodes) >= direct + 1
    assert len(edges) >= direct
