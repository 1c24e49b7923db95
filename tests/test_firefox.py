"""The pages in headless Firefox (WebDriver BiDi, tests/firefox.py): each page type without console errors or serious
axe violations, search and network by keyboard, the SPARQL editor and the charts."""

from __future__ import annotations

import json

import pytest

from tests.firefox import Firefox, firefox_binary
from tests.support import need_system
from tests.test_accessibility import AXE, BLOCKING, PAGE_TYPES, record
from tests.test_pages import SHOTS, real_server  # noqa: F401  (fixture)

QUERY = "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"


@pytest.fixture(scope="module")
def firefox():
    binary = firefox_binary()
    need_system(binary is not None, "Debian firefox-esr (scripts/install-system-deps.sh)")
    browser = Firefox(binary)
    try:
        yield browser
    finally:
        browser.close()


def ready(ff: Firefox, name: str) -> None:
    """Wait until the scripts of page type NAME have done their work."""
    if name == "query-page":
        ff.wait("document.getElementById('named-query').dataset.loaded === 'true'")
        ff.wait("document.querySelector('#network svg g.node') !== null")
    if name == "entity-fatf":
        ff.wait("document.getElementById('cy').dataset.ready === 'true'")
        ff.wait("document.getElementById('timeline-members-data-set-chart').dataset.drawn")


def axe(ff: Firefox) -> list[dict]:
    need_system(AXE.is_file(), "axe-core fetched by scripts/vendor-npm.sh (make install)")
    ff.call(AXE.read_text(encoding="utf-8"))
    return ff.run(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, "
        "impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 10), "
        "count: v.nodes.length})))"
    )


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_page_type_in_firefox(real_server, firefox, name):  # noqa: F811
    firefox.console_errors()
    firefox.get(real_server.url + PAGE_TYPES[name])
    ready(firefox, name)
    found = axe(firefox)
    record(f"firefox-{name}", found)
    firefox.screenshot(SHOTS / f"firefox-page-{name}.png")
    serious = [v for v in found if v["impact"] in BLOCKING]
    assert serious == [], json.dumps(serious, indent=1)
    assert firefox.console_errors() == []


def test_search_by_keyboard_in_firefox(real_server, firefox):  # noqa: F811
    firefox.get(real_server.url + "/home")
    firefox.run("document.getElementById('site-search').focus()")
    firefox.keys("fin act")
    firefox.wait("document.querySelectorAll('#site-search-list [role=option]').length > 0")
    first = firefox.run("document.querySelector('#site-search-list [role=option]').textContent")
    assert first.startswith("Financial Action Task Force")
    firefox.screenshot(SHOTS / "firefox-search-suggestions.png")
    firefox.keys("ArrowDown")
    assert firefox.run("document.getElementById('site-search').getAttribute('aria-activedescendant')") == (
        firefox.run("document.querySelector('#site-search-list [role=option]').id")
    )
    firefox.keys("Enter")
    firefox.wait("location.pathname === '/id/fatf'")
    assert firefox.console_errors() == []


def test_network_by_keyboard_in_firefox(real_server, firefox):  # noqa: F811
    firefox.get(real_server.url + "/id/fatf")
    ready(firefox, "entity-fatf")
    assert firefox.run("Number(document.getElementById('cy').dataset.nodes)") > 10
    firefox.run("document.getElementById('cy').focus()")
    zoom = firefox.run("window.latticeNetwork.zoom()")
    firefox.keys("+")
    assert firefox.run("window.latticeNetwork.zoom()") > zoom
    firefox.keys("n")
    href = firefox.run("window.latticeNetwork.nodes(':selected').map(n => n.data('href'))")
    assert len(href) == 1 and href[0].startswith("/")
    firefox.screenshot(SHOTS / "firefox-network-fatf.png")
    firefox.keys("Enter")
    firefox.wait(f"location.pathname === {json.dumps(href[0])}")
    assert firefox.console_errors() == []


def test_editor_runs_a_typed_query_and_the_link_reopens_it_in_firefox(real_server, firefox):  # noqa: F811
    yasqe = "window.latticeEditor.yasgui.getTab().getYasqe()"
    firefox.get(real_server.url + "/")
    firefox.wait("document.getElementById('named-query').dataset.loaded === 'true'")
    assert firefox.run("!!window.latticeEditor"), "YASGUI loaded"
    firefox.click("#yasgui .CodeMirror-line")
    firefox.run(f"({yasqe}.execCommand('selectAll'), true)")
    firefox.keys(QUERY)
    assert firefox.run(f"{yasqe}.getValue()") == QUERY
    firefox.run("document.querySelector('#yasgui .yasqe_queryButton').click()")
    firefox.wait("document.querySelectorAll('#yasgui .yasr table.dataTable tbody tr').length === 3")
    firefox.screenshot(SHOTS / "firefox-query-editor.png")
    firefox.run("document.querySelector('#yasgui .yasqe_share').click()")
    link = firefox.wait("document.querySelector('#yasgui .yasqe_sharePopup input')?.value")
    assert link.startswith(real_server.url + "/")
    assert firefox.console_errors() == []
    firefox.get("about:blank")
    firefox.get(link)
    firefox.wait("!!window.latticeEditor")
    assert firefox.run(f"{yasqe}.getValue()") == QUERY


def test_member_counts_chart_in_firefox(real_server, firefox):  # noqa: F811
    firefox.get(real_server.url + "/id/fatf")
    chart = "document.getElementById('timeline-members-data-set-chart')"
    drawn = int(firefox.wait(f"{chart}.dataset.drawn"))
    years = firefox.run("document.querySelectorAll('#timeline-members-data-set-counts tbody tr').length")
    assert drawn == years > 10
    assert firefox.run(f"{chart}.querySelectorAll('.vl-view svg g.mark-rect path').length") == years
    firefox.run(f"{chart}.scrollIntoView()")
    firefox.screenshot(SHOTS / "firefox-entity-fatf-member-counts.png")
    assert firefox.console_errors() == []
