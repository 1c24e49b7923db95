"""Entity pages, search and browse served by a real `kg serve` on 127.0.0.1, read over HTTP and in Chromium."""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.thirdparty import KgServer
from tests.support import need_system
from tests.test_browser import CHROMIUM_FLAGS, _chromium, _wait

FATF = "https://w3id.org/lattice/id/fatf"
TOKEN = "pages-token-0123456789abcdef"
HOSTILE = "<script>alert('pwned')</script><img src=x onerror=alert(2)>\"&"
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"  # artefact folder of the browser tests


def http(url, headers=None, data=None, method="GET"):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def rows(store, text):
    from kg.namespaces import PREFIXES

    res = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in res]


def section(page: str, ident: str) -> str:
    start = page.index(f'<section id="{ident}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture(scope="module")
def real_server(accountability_dataset):
    """The server over the build with the membership, treaty and regime data sets (its LATTICE_HOME holds the
    imports: under another home the server would see changed inputs and rebuild without them)."""
    with KgServer(dataset=accountability_dataset, env={"LATTICE_HOME": str(accountability_dataset.parent)}) as server:
        yield server


@pytest.fixture(scope="module")
def hostile_server(built_dataset, tmp_path_factory):
    """A server whose graph holds a body with a hostile label and a diacritic alias, added by SPARQL Update."""
    token = tmp_path_factory.mktemp("pages") / "token"
    token.write_text(TOKEN)
    with KgServer(dataset=built_dataset, args=["--allow-update", "--token-file", str(token), "--workers", "1"]) as s:
        update = (
            "PREFIX lat: <https://w3id.org/lattice/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "INSERT DATA { GRAPH <urn:t> { <https://w3id.org/lattice/id/hostile-body> a lat:GovernmentNetwork ; "
            f'rdfs:label {json.dumps(HOSTILE)}@en ; skos:altLabel "Comité de Bâle sur l\'Évaluation" ; '
            "rdfs:comment " + json.dumps(HOSTILE + " described") + " ; "
            "lat:purpose <javascript:alert(3)> . } }"
        )
        st, _, body = http(
            s.endpoint,
            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            update.encode(),
            "POST",
        )
        assert st == 204, body
        yield s


# ------------------------------------------------------------------------------------------ FATF page


def test_fatf_page_shows_members_by_label(real_server, accountability_store):
    members = rows(
        accountability_store,
        "SELECT DISTINCT ?label WHERE { ?m org:organization lat-id:fatf ; org:member ?x ; dcterms:source ?d . "
        "?d a lat:Dataset . ?x rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), 'en') || LANG(?label) = '') }",
    )
    assert len(members) >= 10, "the MIGO import gives the FATF its members"
    st, h, body = http(real_server.url + "/id/fatf", {"Accept": "text/html"})
    assert st == 200 and h["Content-Type"].startswith("text/html")
    page = body.decode("utf-8")
    assert "<h1>Financial Action Task Force</h1>" in page
    listed = section(page, "timeline-members")
    for m in members:
        assert html.escape(m["label"], quote=True) in listed, m["label"]
    assert "lat-id:membership/" not in re.sub(r"<[^>]+>", "", listed.split("<tbody>")[0])  # labels, not IRIs


def test_fatf_page_shows_a_derived_relation_with_rule_and_interval(real_server, accountability_store):
    found = rows(
        accountability_store,
        "SELECT ?forum ?flabel ?rlabel ?start WHERE { ?r lat:accountableActor lat-id:fatf ; lat:forum ?forum ; "
        "lat:derivation lat:Derived ; lat:derivedBy ?rule ; lat:startDate ?start . ?forum rdfs:label ?flabel . "
        "?rule rdfs:label ?rlabel } ORDER BY ?flabel LIMIT 1",
    )
    assert found, "the composition rule derives the FATF's relations to its members"
    want = found[0]
    page = http(real_server.url + "/id/fatf", {"Accept": "text/html"})[2].decode("utf-8")
    table = section(page, "answers-to")
    row = next(r for r in table.split("<tr>") if html.escape(want["flabel"], quote=True) in r)
    assert "derived" in row and html.escape(want["rlabel"], quote=True) in row
    assert re.search(rf"{want['start'][:4]}–", row), row
    assert "accountability-chain?actor=" in table


def test_fatf_timeline_counts_members_by_year(real_server, accountability_store):
    spells = rows(
        accountability_store,
        "SELECT ?x ?start ?end ?cov WHERE { ?m org:organization lat-id:fatf ; org:member ?x ; lat:startDate ?start ; "
        "dcterms:source ?d . ?d a lat:Dataset . OPTIONAL { ?m lat:endDate ?end } OPTIONAL { ?d lat:coverageEnd ?cov } "
        "FILTER NOT EXISTS { ?m lat:derivedBy ?rule } }",
    )
    year = 2000
    expected = len({s["x"] for s in spells if int(s["start"][:4]) <= year <= int((s["end"] or s["cov"] or "9999")[:4])})
    page = http(real_server.url + "/id/fatf", {"Accept": "text/html"})[2].decode("utf-8")
    counts = section(page, "timeline-members")
    counts = counts[counts.index('id="timeline-members-data-set-counts"') :]
    shown = re.search(rf'<th scope="row">{year}</th><td class="count">(\d+)</td>', counts)
    assert shown is not None and int(shown.group(1)) == expected > 0
    assert "<svg" in section(page, "timeline-members")


def test_entity_downloads_are_kept(real_server):
    import pyoxigraph as ox

    for fmt, parse in (
        ("ttl", ox.RdfFormat.TURTLE),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdfxml", ox.RdfFormat.RDF_XML),
    ):
        st, _, body = http(real_server.url + f"/id/fatf?format={fmt}")
        assert st == 200, fmt
        assert any(t.subject.value == FATF for t in ox.parse(body, format=parse)), fmt


def test_search_finds_the_fatf_and_is_bounded(real_server):
    st, h, body = http(real_server.url + "/api/search?q=fin%20act&limit=5")
    assert st == 200 and h["Content-Type"].startswith("application/json")
    results = json.loads(body)["results"]
    assert results[0]["iri"] == FATF and results[0]["href"] == "/id/fatf" and len(results) <= 5
    assert http(real_server.url + "/api/search?q=" + "a" * 201)[0] == 400
    for bad in ("0", "51", "ten", "-1"):
        assert http(real_server.url + f"/api/search?q=fatf&limit={bad}")[0] == 400, bad
    st, _, page = http(real_server.url + "/search?q=fin+act")
    assert st == 200 and b'href="/id/fatf"' in page


# ------------------------------------------------------------------------------------ hostile labels


def test_hostile_labels_are_escaped_on_pages_and_search(hostile_server):
    st, _, body = http(hostile_server.url + "/id/hostile-body", {"Accept": "text/html"})
    assert st == 200
    page = body.decode("utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert html.escape(HOSTILE, quote=True) in page
    assert 'href="javascript:' not in page.lower()
    st, _, body = http(hostile_server.url + "/search?q=" + urllib.parse.quote("comite de bale"))
    assert st == 200 and b"<script>alert" not in body and b'href="/id/hostile-body"' in body


def test_search_index_follows_updates_and_folds_diacritics(hostile_server):
    for q in ("comite de bale", "Comité", "BÂLE évaluation"):
        st, _, body = http(hostile_server.url + "/api/search?q=" + urllib.parse.quote(q))
        assert st == 200
        hits = json.loads(body)["results"]
        assert hits and hits[0]["iri"] == "https://w3id.org/lattice/id/hostile-body", q
        assert hits[0]["label"] == HOSTILE


# ------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (as tests/test_browser.py starts it) that keeps the console log, to check for errors."""
    import shutil
    import tempfile

    found, driver_path = _chromium()
    need_system(found is not None and driver_path is not None, "Debian chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lattice-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = found
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _console_errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def test_search_box_suggests_as_you_type_and_opens_the_page(real_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(real_server.url + "/id/fatf")
    box = browser.find_element(By.ID, "site-search")
    box.send_keys("fin act")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]"))
    options = browser.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]")
    assert options[0].text.startswith("Financial Action Task Force")
    _shot(browser, "search-suggestions")
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    box.send_keys(Keys.ENTER)
    _wait(browser, lambda d: d.current_url.endswith("/id/fatf"))
    assert _console_errors(browser) == []


def test_fatf_page_renders_in_the_browser(real_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(real_server.url + "/id/fatf")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Financial Action Task Force"
    kinds = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".kinds a.kind")]
    assert "government network" in kinds
    assert browser.find_elements(By.CSS_SELECTOR, "#timeline-members svg.timeline rect.bar")
    _shot(browser, "entity-fatf")
    assert _console_errors(browser) == []


def test_hostile_label_is_text_in_the_browser(hostile_server, browser):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.get(hostile_server.url + "/id/hostile-body")
    assert browser.find_element(By.TAG_NAME, "h1").text == HOSTILE
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    box = browser.find_element(By.ID, "site-search")
    box.send_keys("comite")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]"))
    option = browser.find_elements(By.CSS_SELECTOR, "#site-search-list [role=option]")[0]
    assert option.text.startswith(HOSTILE)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    _shot(browser, "entity-hostile")


# -------------------------------------------------------------------------------------- browse, home

GN = "https://w3id.org/lattice/ontology#GovernmentNetwork"


def _count(store, text):
    return int(rows(store, text)[0]["n"])


def test_class_page_counts_and_filters(real_server, accountability_store):
    base = real_server.url + "/browse?class=" + urllib.parse.quote(GN, safe="")
    want = _count(accountability_store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a lat:GovernmentNetwork }")
    st, _, body = http(base)
    assert st == 200
    assert f'<strong id="instance-count">{want}</strong>' in body.decode("utf-8")
    horizontal = _count(accountability_store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a lat:HorizontalNetwork }")
    page = http(base + "&kind=" + urllib.parse.quote(GN.replace("Government", "Horizontal"), safe=""))[2].decode()
    assert f'<strong id="instance-count">{horizontal}</strong>' in page and horizontal < want
    from_slaughter = _count(
        accountability_store,
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a lat:GovernmentNetwork . "
        "{ ?x dcterms:source/lat:document lat-src:slaughter-2004 } "
        "UNION { ?x ^rdf:subject/dcterms:source/lat:document lat-src:slaughter-2004 } }",
    )
    page = http(base + "&text=slaughter-2004")[2].decode()
    assert f'<strong id="instance-count">{from_slaughter}</strong>' in page and 0 < from_slaughter < want
    assert "Financial Action Task Force" in page


def test_class_page_refuses_bad_filters(real_server):
    base = real_server.url + "/browse?class="
    injected = f"{GN}> }} SERVICE <http://127.0.0.1:9/x> {{ ?s ?p ?o }} #"
    for qs in (
        urllib.parse.quote(injected, safe=""),
        urllib.parse.quote(GN, safe="") + "&from=19x0",
        urllib.parse.quote(GN, safe="") + "&page=0",
        urllib.parse.quote(GN, safe="") + "&page=1001",
        urllib.parse.quote(GN, safe="") + "&text=elsewhere",
        "javascript%3Aalert(1)",
    ):
        assert http(base + qs)[0] == 400, qs


def test_home_shows_the_texts_questions_and_holdings(real_server, accountability_store):
    texts = rows(accountability_store, "SELECT ?t WHERE { ?d a lat:SourceDocument ; rdfs:label ?t }")
    assert len(texts) == 3
    st, _, body = http(real_server.url + "/home")
    assert st == 200
    page = body.decode("utf-8")
    for t in texts:
        assert html.escape(t["t"], quote=True) in section(page, "texts")
    questions = re.findall(r'href="(/questions/[^"]+)"', section(page, "questions"))
    assert len(questions) >= 5
    for q in questions:
        st, _, answer = http(real_server.url + html.unescape(q))
        assert st == 200 and b"<table>" in answer, q
    states = _count(accountability_store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a lat:State }")
    assert f"{states:,} state" in section(page, "holdings")


# -------------------------------------------------------------------------------------------- network


def test_network_json_and_svg_export(real_server, accountability_store):
    forums = {
        r["f"]
        for r in rows(accountability_store, "SELECT ?f WHERE { ?r lat:accountableActor lat-id:fatf ; lat:forum ?f }")
    }
    assert forums
    q = urllib.parse.quote(FATF, safe="")
    st, _, body = http(real_server.url + f"/api/network?iri={q}")
    assert st == 200
    elements = json.loads(body)["elements"]
    ids = {e["data"]["id"] for e in elements if "source" not in e["data"]}
    assert FATF in ids and forums <= ids
    assert any(e["data"].get("source") == FATF and e["data"]["target"] in forums for e in elements)
    st, h, body = http(real_server.url + f"/api/network.svg?iri={q}")
    assert st == 200 and h["Content-Type"].startswith("image/svg+xml")
    import xml.etree.ElementTree as ET

    assert ET.fromstring(body).tag.endswith("svg")
    assert http(real_server.url + "/api/network?iri=" + urllib.parse.quote("x> SERVICE <http://a>", safe=""))[0] == 400
    assert (
        http(real_server.url + "/api/network?iri=" + urllib.parse.quote("https://w3id.org/lattice/id/none"))[0] == 404
    )
    st, h, body = http(real_server.url + "/web/cytoscape.min.js")
    assert st == 200 and h["Content-Type"].startswith("text/javascript") and b"Cytoscape Consortium" in body[:400]
    assert http(real_server.url + "/web/cytoscape.LICENSE.txt")[0] == 200


def test_network_is_interactive_in_the_browser(real_server, browser):
    from selenium.webdriver.common.by import By

    browser.get(real_server.url + "/id/fatf")
    _wait(browser, lambda d: d.find_element(By.ID, "cy").get_attribute("data-ready") == "true")
    assert int(browser.find_element(By.ID, "cy").get_attribute("data-nodes")) > 10
    before = browser.execute_script("return window.latticeNetwork.zoom()")
    browser.find_element(By.ID, "net-zoom-in").click()
    after_click = browser.execute_script("return window.latticeNetwork.zoom()")
    assert after_click > before
    browser.find_element(By.ID, "cy").send_keys("-")  # the keyboard zooms too
    assert browser.execute_script("return window.latticeNetwork.zoom()") < after_click
    _shot(browser, "network-fatf")
    assert _console_errors(browser) == []
    target = browser.execute_script(
        "const n = window.latticeNetwork.nodes().filter(n => !n.data('focus') && n.data('href'))[0];"
        "n.emit('tap'); return n.data('href');"
    )
    _wait(browser, lambda d: d.current_url.endswith(target))
    assert browser.find_element(By.TAG_NAME, "h1").text


def test_every_page_type_has_the_search_box(real_server):
    gn = urllib.parse.quote(GN, safe="")
    for path in ("/", "/home", "/browse", f"/browse?class={gn}", "/id/fatf", "/search?q=fatf", "/ontology", "/shapes"):
        st, _, body = http(real_server.url + path, {"Accept": "text/html"})
        assert st == 200, path
        assert b'id="site-search"' in body and b'action="/search"' in body, path


# --------------------------------------------------------------------------------------------- charts


def _table_counts(page: str, anchor: str) -> dict[int, int]:
    counts = page[page.index(f'id="{anchor}-counts"') :]
    counts = counts[: counts.index("</table>")]
    return {int(y): int(n) for y, n in re.findall(r'<th scope="row">(\d+)</th><td class="count">(\d+)</td>', counts)}


def test_timeline_counts_are_served_as_csv_and_json(real_server):
    import csv
    import io

    page = http(real_server.url + "/id/fatf", {"Accept": "text/html"})[2].decode("utf-8")
    table = _table_counts(page, "timeline-members-data-set")
    assert len(table) > 10
    figure = page[page.index('id="timeline-members-data-set-chart"') :]
    link = html.unescape(re.search(r'<a href="([^"]+format=csv)"', figure).group(1))
    st, h, body = http(real_server.url + link)
    assert st == 200 and h["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert {(r["role"], r["kind"]) for r in rows} == {("members", "data set")}
    assert {int(r["year"]): int(r["count"]) for r in rows} == table
    q = urllib.parse.quote(FATF, safe="")
    st, _, body = http(real_server.url + f"/api/timeline?iri={q}")
    every = json.loads(body)["rows"]
    assert {(r["year"], r["count"]) for r in every if r["kind"] == "data set" and r["role"] == "members"} == set(
        table.items()
    )
    for bad in ("role=owners", "kind=rumour", "format=xml"):
        assert http(real_server.url + f"/api/timeline?iri={q}&{bad}")[0] == 400, bad
    assert http(real_server.url + "/api/timeline?iri=" + urllib.parse.quote("x> <y", safe=""))[0] == 400


def test_fatf_member_counts_are_drawn_with_vega_lite(real_server, browser):
    from selenium.webdriver.common.by import By

    page = http(real_server.url + "/id/fatf", {"Accept": "text/html"})[2].decode("utf-8")
    table = _table_counts(page, "timeline-members-data-set")
    browser.get(real_server.url + "/id/fatf")
    chart = "timeline-members-data-set-chart"
    _wait(browser, lambda d: d.find_element(By.ID, chart).get_attribute("data-drawn"))
    figure = browser.find_element(By.ID, chart)
    assert int(figure.get_attribute("data-drawn")) == len(table)
    assert len(figure.find_elements(By.CSS_SELECTOR, ".vl-view svg g.mark-rect path")) == len(table)
    years = [t.text for t in figure.find_elements(By.CSS_SELECTOR, ".vl-view svg g.role-axis-label text")]
    assert str(min(table)) in years
    browser.execute_script("arguments[0].scrollIntoView()", figure)
    _shot(browser, "entity-fatf-member-counts")
    assert _console_errors(browser) == []
