"""The accountability gap index drawn as a chart on its question page by a real `kg serve` (MIA and
TRANSACCESS imports); the bars and lines are checked against the query's own JSON answer."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from kg.serve.browse import GAP_BARS
from kg.thirdparty import KgServer
from tests.test_pages import browser, http  # noqa: F401 (browser: a fixture)

UN = "https://w3id.org/lattice/id/un"


@pytest.fixture(scope="module")
def gap_server(shared_dir, tmp_path_factory):
    import os

    from kg.build import build
    from kg.importers import import_file

    folder = shared_dir / "data" / "io-design"
    mia, ta = folder / "mia_delegation_pooling.csv", folder / "transaccess_io_body_years.csv"
    if not mia.is_file() or not ta.is_file():
        pytest.skip("the io-design data sets are not present")
    home = tmp_path_factory.mktemp("gap-home")
    saved = os.environ.get("LATTICE_HOME")
    os.environ["LATTICE_HOME"] = str(home)
    try:
        import_file("mia", mia)
        import_file("transaccess", ta)
        build(home / "build")
    finally:
        os.environ["LATTICE_HOME"] = saved
    with KgServer(dataset=home / "build", env={"LATTICE_HOME": str(home)}) as server:
        yield server


def _get(server, path: str) -> str:
    st, _, body = http(server.url + path, {"Accept": "text/html"})
    assert st == 200, body[:300]
    return body.decode()


def _answer(server, **params) -> list[dict]:
    qs = urllib.parse.urlencode(params)
    st, _, body = http(f"{server.url}/api/queries/accountability-gap-index?{qs}", {"Accept": "application/json"})
    assert st == 200, body[:300]
    return json.loads(body)["results"]["bindings"]


def _figure(page: str) -> str:
    start = page.rindex("<figure", 0, page.index('id="gap-chart"'))
    return page[start : page.index("</figure>", start)]


def test_the_widest_gaps_are_drawn_from_the_answer(gap_server):
    figure = _figure(_get(gap_server, "/questions/accountability-gap-index?year=2005"))
    assert "<script" not in figure and "<svg" in figure
    rows = [r for r in _answer(gap_server, year=2005) if "gap" in r]
    assert rows, "no measured gap in 2005"
    top = sorted(rows, key=lambda r: (-float(r["gap"]["value"]), r["io"]["value"]))[:GAP_BARS]
    bars = re.findall(r'<rect x="200" y="[^"]+" width="([^"]+)"', figure)
    assert len(bars) == len(top)
    texts = re.findall(r'text-anchor="end">([^<]*)</text>', figure)
    first = top[0].get("label", {}).get("value") or top[0]["io"]["value"].rsplit("/", 1)[-1]
    assert texts[0] == first[:32].replace("&", "&amp;")
    assert "Widest accountability gaps in 2005" in figure
    assert float(bars[0]) == max(float(b) for b in bars)


def test_one_organization_over_time(gap_server):
    page = _get(gap_server, "/questions/accountability-gap-index?io=" + urllib.parse.quote(UN, safe=""))
    figure = _figure(page)
    years = {int(r["year"]["value"]) for r in _answer(gap_server, io=UN)}
    assert len(years) > 10
    assert figure.count("<polyline") >= 3  # delegation, pooling, gap if closed at least
    assert "authority, access and gap over time" in figure
    assert "/api/queries/accountability-gap-index?io=" in page and "format=csv" in page


def test_other_questions_have_no_chart(gap_server):
    page = _get(gap_server, "/questions/accountability-chain?actor=" + urllib.parse.quote(UN, safe=""))
    assert 'id="gap-chart"' not in page


def test_gap_chart_renders_in_the_browser(gap_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    from tests.test_pages import _console_errors, _shot

    browser.get(gap_server.url + "/questions/accountability-gap-index?year=2005")
    assert browser.find_elements(By.CSS_SELECTOR, "#gap-chart svg rect")
    _shot(browser, "question-gap-chart")
    assert _console_errors(browser) == []


def _vega_drawn(driver, timeout=30):
    from selenium.webdriver.common.by import By

    from tests.test_browser import _wait

    _wait(driver, lambda d: d.find_element(By.ID, "gap-chart").get_attribute("data-drawn"), timeout)
    return driver.find_element(By.ID, "gap-chart")


def test_widest_gaps_drawn_with_vega_lite(gap_server, browser):  # noqa: F811
    """The Vega-Lite chart shows the same organizations as the server's SVG, which it hides; no console error."""
    from selenium.webdriver.common.by import By

    from tests.test_pages import _console_errors, _shot

    rows = [r for r in _answer(gap_server, year=2005) if "gap" in r]
    top = sorted(rows, key=lambda r: (-float(r["gap"]["value"]), r["io"]["value"]))[:GAP_BARS]
    browser.get(gap_server.url + "/questions/accountability-gap-index?year=2005")
    figure = _vega_drawn(browser)
    assert int(figure.get_attribute("data-drawn")) == len(top)
    bars = figure.find_elements(By.CSS_SELECTOR, ".vl-view svg g.mark-rect path")
    assert len(bars) == len(top)
    shown = [t.text for t in figure.find_elements(By.CSS_SELECTOR, ".vl-view svg g.role-axis-label text")]
    first = top[0].get("label", {}).get("value") or top[0]["io"]["value"]
    assert any(t == first or (t.endswith("…") and first.startswith(t[:-1])) for t in shown), (first, shown)
    server_svg = figure.find_element(By.CSS_SELECTOR, ":scope > svg")
    assert not server_svg.is_displayed()  # the no-script picture steps aside
    assert "Widest accountability gaps in 2005" in figure.find_element(By.CSS_SELECTOR, ".vl-view").text
    link = browser.find_element(By.CSS_SELECTOR, "main a[href*='format=csv']").get_attribute("href")
    st, _, body = http(link)
    assert st == 200 and body.decode().splitlines()[0].startswith("io,")
    _shot(browser, "question-gap-vega")
    assert _console_errors(browser) == []
    from tests.test_accessibility import axe_violations, blocking, record

    found = axe_violations(browser)
    record("question-gap-chart", found)
    assert blocking(found) == [], json.dumps(blocking(found), indent=1)


def test_one_organization_drawn_with_vega_lite(gap_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    from tests.test_pages import _console_errors, _shot

    answer = _answer(gap_server, io=UN)
    measures = ("delegation", "pooling", "access", "gap", "gapIfClosed")
    points = sum(1 for r in answer for m in measures if r.get(m, {}).get("type") == "literal")
    drawn = {m for r in answer for m in measures if m in r}
    browser.get(gap_server.url + "/questions/accountability-gap-index?io=" + urllib.parse.quote(UN, safe=""))
    figure = _vega_drawn(browser)
    assert int(figure.get_attribute("data-drawn")) == points > 0
    assert len(figure.find_elements(By.CSS_SELECTOR, ".vl-view svg g.mark-line path")) == len(drawn) >= 3
    _shot(browser, "question-gap-io-vega")
    assert _console_errors(browser) == []


def test_without_vega_the_server_picture_remains(gap_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/web/vega*"]})
    try:
        browser.get(gap_server.url + "/questions/accountability-gap-index?year=2005")
        figure = browser.find_element(By.ID, "gap-chart")
        assert figure.find_element(By.CSS_SELECTOR, ":scope > svg").is_displayed()
        assert not figure.find_elements(By.CSS_SELECTOR, ".vl-view")
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
