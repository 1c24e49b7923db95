"""axe-core in headless Chromium on each page type: no serious or critical violations; search and network by keyboard."""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from pathlib import Path

import pytest

from tests.support import need_system
from tests.test_browser import _wait
from tests.test_pages import SHOTS, _console_errors, _shot, browser, real_server  # noqa: F401  (fixtures)

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # fetched by scripts/vendor-npm.sh (make install)
GN = "https://w3id.org/lattice/ontology#GovernmentNetwork"
BLOCKING = ("serious", "critical")

PAGE_TYPES = {
    "home": "/home",
    "class-page": "/browse?class=" + urllib.parse.quote(GN, safe=""),
    "entity-fatf": "/id/fatf",
    "passage": "/source/slaughter-late-1940s",
    "claim": "/id/claim/slaughter-state-most-important",
    "ontology-term": "/ontology#GovernmentNetwork",
    "question": "/questions/accountability-gap-index",
    "query-page": "/",
}


def axe_violations(driver) -> list[dict]:
    """Run axe-core (WCAG 2 A/AA and best-practice rules) on the page DRIVER shows; its violations."""
    need_system(AXE.is_file(), "axe-core fetched by scripts/vendor-npm.sh (make install)")
    driver.execute_script(AXE.read_text(encoding="utf-8") + "\n;return true;")
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        "     nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 10), count: v.nodes.length}))))"
        "  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: [], count: 1}]));"
    )
    return list(result)


def record(name: str, violations: list[dict]) -> None:
    """Write the axe summary of a page type beside the screenshots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    counts = Counter()
    for v in violations:
        counts[v["impact"] or "unknown"] += v["count"]
    summary = {"page": name, "by_impact": dict(counts), "violations": violations}
    (SHOTS / f"axe-{name}.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_page_type_has_no_serious_axe_violations(real_server, browser, name):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(real_server.url + PAGE_TYPES[name])
    if name == "query-page":
        _wait(browser, lambda d: d.find_element(By.ID, "named-query").get_attribute("data-loaded") == "true")
        _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#network svg g.node"))
    if name == "entity-fatf":
        _wait(browser, lambda d: d.find_element(By.ID, "cy").get_attribute("data-ready") == "true")
        chart = "timeline-members-data-set-chart"
        _wait(browser, lambda d: d.find_element(By.ID, chart).get_attribute("data-drawn"))
    found = axe_violations(browser)
    record(name, found)
    _shot(browser, f"page-{name}")
    assert blocking(found) == [], json.dumps(blocking(found), indent=1)
    assert _console_errors(browser) == []


def test_search_suggestions_open_have_no_serious_axe_violations(real_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(real_server.url + "/home")
    box = browser.find_element(By.ID, "site-search")
    box.send_keys("fin act")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]"))
    found = axe_violations(browser)
    record("search-suggestions", found)
    assert blocking(found) == [], json.dumps(blocking(found), indent=1)


def test_axe_finds_a_planted_violation(real_server, browser):  # noqa: F811
    """The check can fail: an image without alternative text and an unlabelled field are reported."""
    browser.get(real_server.url + "/home")
    browser.execute_script(
        "const i = document.createElement('img'); i.src = 'data:,'; document.querySelector('main').appendChild(i);"
        "const f = document.createElement('input'); f.type = 'text'; document.querySelector('main').appendChild(f);"
    )
    ids = {v["id"] for v in blocking(axe_violations(browser))}
    assert {"image-alt", "label"} <= ids


def test_search_by_keyboard_only(real_server, browser):  # noqa: F811
    """Tab to the search box, type, arrow down through the suggestions and back, Enter opens the highlighted one."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(real_server.url + "/home")
    box = browser.find_element(By.ID, "site-search")
    for _ in range(12):
        if browser.switch_to.active_element == box:
            break
        ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element == box, "the search box is reachable with Tab"
    ActionChains(browser).send_keys("basel").perform()
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]")) >= 2)
    options = browser.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]")
    ActionChains(browser).send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN).perform()
    assert box.get_attribute("aria-activedescendant") == options[1].get_attribute("id")
    assert options[1].get_attribute("aria-selected") == "true" and options[0].get_attribute("aria-selected") == "false"
    ActionChains(browser).send_keys(Keys.ARROW_UP).perform()
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    assert box.get_attribute("aria-expanded") == "false"
    ActionChains(browser).send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN).perform()
    chosen = browser.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]")[1]
    assert box.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    expected = browser.execute_script("return arguments[0].dataset.href", chosen)
    assert expected and expected.startswith("/")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    _wait(browser, lambda d: urllib.parse.urlsplit(d.current_url).path == expected)


def test_network_by_keyboard_only(real_server, browser):  # noqa: F811
    """Tab reaches the network; arrows pan it, + and - zoom it, Tab then Enter on a body opens its page."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(real_server.url + "/id/fatf")
    _wait(browser, lambda d: d.find_element(By.ID, "cy").get_attribute("data-ready") == "true")
    cy = browser.find_element(By.ID, "cy")
    browser.find_element(By.ID, "net-fit").click()  # the last of the network's buttons; Tab goes on from there
    for _ in range(3):
        if browser.switch_to.active_element == cy:
            break
        ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element == cy, "the network is reachable with Tab"
    pan = browser.execute_script("return window.latticeNetwork.pan()")
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    assert browser.execute_script("return window.latticeNetwork.pan()")["x"] > pan["x"]
    zoom = browser.execute_script("return window.latticeNetwork.zoom()")
    ActionChains(browser).send_keys("+").perform()
    assert browser.execute_script("return window.latticeNetwork.zoom()") > zoom
    ActionChains(browser).send_keys("n").perform()  # next body
    first = browser.execute_script("return window.latticeNetwork.nodes(':selected').map(n => n.id())")
    ActionChains(browser).send_keys("n").perform()
    chosen = browser.execute_script(
        "return window.latticeNetwork.nodes(':selected').map(n => [n.id(), n.data('href'), n.data('label')])"
    )
    assert len(first) == 1 and len(chosen) == 1 and chosen[0][0] != first[0]
    href, label = chosen[0][1], chosen[0][2]
    assert href.startswith("/") and label in browser.find_element(By.ID, "net-status").text  # read out
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    _wait(browser, lambda d: urllib.parse.urlsplit(d.current_url).path == href)
