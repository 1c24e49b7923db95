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
    start = page.index('<figure class="chart" id="gap-chart">')
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
