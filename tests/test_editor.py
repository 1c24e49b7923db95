"""The SPARQL editor of the query page (YASGUI from the package) in headless Chromium, and its fallback."""

from __future__ import annotations

import csv as csv_module
import io
import json
import urllib.request
from pathlib import Path

import pytest

from kg.thirdparty import KgServer
from tests.test_accessibility import axe_violations, blocking, record
from tests.test_browser import _wait
from tests.test_pages import _console_errors, _shot, browser  # noqa: F401  (fixture)

WEB = Path(__file__).resolve().parent.parent / "kg" / "web"
QUERY = "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"


@pytest.fixture(scope="module")
def page_server(built_dataset):
    with KgServer(dataset=built_dataset) as server:
        yield server


def _need_yasgui():
    from tests.support import need_system

    need_system((WEB / "yasgui.min.js").is_file(), "YASGUI fetched by scripts/vendor-npm.sh (make install)")


def _open(driver, url):
    driver.get(url)
    _wait(driver, lambda d: d.find_element("id", "named-query").get_attribute("data-loaded") == "true")
    assert driver.execute_script("return !!window.latticeEditor"), "YASGUI loaded and took over the text area"


def _type_query(driver, text):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.find_element(By.CSS_SELECTOR, "#yasgui .CodeMirror").click()
    ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
    ActionChains(driver).send_keys(text).perform()
    return driver.execute_script("return window.latticeEditor.yasgui.getTab().getYasqe().getValue()")


def test_typed_query_runs_in_the_editor_and_the_link_reopens_it(page_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    _need_yasgui()
    _open(browser, page_server.url + "/")
    typed = _type_query(browser, QUERY)
    assert typed == QUERY
    assert browser.find_element(By.ID, "editor").get_attribute("value") == QUERY  # the page reads the same text
    assert browser.find_elements(By.CSS_SELECTOR, "#yasgui .CodeMirror .cm-keyword")  # highlighted
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable tbody tr")) == 3)
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable tbody td")]
    assert {"1", "2", "3"} <= set(cells)
    csv = browser.execute_script(
        "return window.latticeEditor.yasgui.getTab().getYasr().plugins.table.download().getData()"
    )
    assert [row for row in csv_module.reader(io.StringIO(csv))] == [["x"], ["1"], ["2"], ["3"]]
    raw = browser.execute_script(
        "return window.latticeEditor.yasgui.getTab().getYasr().plugins.response.download().getData()"
    )
    assert [b["x"]["value"] for b in json.loads(raw)["results"]["bindings"]] == ["1", "2", "3"]
    browser.execute_script("document.querySelector('#yasgui .yasqe').scrollIntoView()")
    _shot(browser, "query-editor")
    found = axe_violations(browser)
    record("query-editor", found)
    assert blocking(found) == [], json.dumps(blocking(found), indent=1)
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_share").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#yasgui .yasqe_sharePopup input"))
    link = browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_sharePopup input").get_attribute("value")
    assert link.startswith(page_server.url + "/")
    assert _console_errors(browser) == []
    browser.get("about:blank")
    _open(browser, link)
    reopened = browser.execute_script("return window.latticeEditor.yasgui.getTab().getYasqe().getValue()")
    assert reopened == QUERY
    assert browser.find_element(By.ID, "editor").get_attribute("value") == QUERY


def test_prefix_completion_offers_the_lattice_prefixes(page_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    _need_yasgui()
    with urllib.request.urlopen(page_server.url + "/api/prefixes") as r:
        prefixes = json.load(r)
    _open(browser, page_server.url + "/")
    _type_query(browser, "PREFIX lat-")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li"))
    offered = [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
    assert f"lat-id: <{prefixes['lat-id']}>" in offered
    assert all(o.startswith("lat-") for o in offered)
    assert _console_errors(browser) == []


def test_long_answers_page_in_the_editor(page_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    _need_yasgui()
    _open(browser, page_server.url + "/")
    browser.execute_script(
        "window.latticeEditor.set(arguments[0]);",
        "SELECT ?s WHERE { ?s a ?c } LIMIT 120",
    )
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable tbody tr"))
    shown = len(browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable tbody tr"))
    assert 0 < shown < 120
    assert browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasr .dataTables_paginate, #yasgui .yasr .dt-paging")


def test_named_query_with_parameters_shows_in_the_editor_results(page_server, browser):  # noqa: F811
    """The page's Run button sends a named query through the REST API; its answer shows in the editor's table."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _need_yasgui()
    with urllib.request.urlopen(page_server.url + "/api/queries") as r:
        listed = json.load(r)
    choice = next(q for q in listed if q["params"] and not any(p["required"] for p in q["params"]))
    with urllib.request.urlopen(f"{page_server.url}/api/queries/{choice['name']}") as r:
        expected = json.load(r)
    _open(browser, page_server.url + "/")
    Select(browser.find_element(By.ID, "named-query")).select_by_value(choice["name"])
    assert (
        browser.execute_script("return window.latticeEditor.yasgui.getTab().getYasqe().getValue()") == choice["sparql"]
    )
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda d: "row" in d.find_element(By.ID, "status").text)
    heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable thead th")]
    assert [h for h in heads if h][-len(expected["head"]["vars"]) :] == expected["head"]["vars"]


def test_without_the_editor_package_the_text_area_remains(page_server, browser):  # noqa: F811
    """With YASGUI's files unavailable (as when npm was missing at install) the plain text area runs queries."""
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/web/yasgui.*"]})
    try:
        browser.get(page_server.url + "/")
        _wait(browser, lambda d: d.find_element(By.ID, "named-query").get_attribute("data-loaded") == "true")
        assert browser.execute_script("return window.latticeEditor === undefined")
        editor = browser.find_element(By.ID, "editor")
        assert editor.is_displayed() and not browser.find_element(By.ID, "yasgui").is_displayed()
        editor.clear()
        editor.send_keys(QUERY)
        browser.find_element(By.ID, "run").click()
        _wait(browser, lambda d: "3 rows" in d.find_element(By.ID, "status").text)
        assert len(browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")) == 3
        _shot(browser, "query-fallback")
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def test_query_page_policy_allows_only_the_editor_style_blocks(page_server):
    """The query page's policy names the editor's two style blocks by hash; no page allows inline code or eval."""
    from kg.serve.app import EDITOR_STYLE_BLOCKS

    policies = {}
    for path in ("/", "/home", "/id/fatf", "/web/editor.js"):
        with urllib.request.urlopen(
            urllib.request.Request(page_server.url + path, headers={"Accept": "text/html"})
        ) as r:
            policies[path] = r.headers["Content-Security-Policy"]
    for path, policy in policies.items():
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert "script-src 'self';" in policy, path
    style = next(d for d in policies["/"].split(";") if d.strip().startswith("style-src")).split()
    assert len(style) == 1 + 1 + len(EDITOR_STYLE_BLOCKS) and all(s.startswith("'sha256-") for s in style[2:])
    assert "style-src 'self';" in policies["/home"] and "style-src 'self';" in policies["/id/fatf"]
