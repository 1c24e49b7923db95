"""The endpoint's row cap is said where people meet it: the CLI run against the endpoint, the JSON of the REST API
and the web page's status line (a real server on 127.0.0.1, a real headless Chromium)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from kg import cli
from kg.thirdparty import KgServer
from tests.test_browser import _wait, browser  # noqa: F401  (the browser fixture)

FOUR_ROWS = "SELECT ?x WHERE { VALUES ?x { 1 2 3 4 } }"
TWO_ROWS = "SELECT ?x WHERE { VALUES ?x { 1 2 } }"


@pytest.fixture(scope="module")
def capped(built_dataset):
    with KgServer(dataset=built_dataset, args=["--max-rows", "3"]) as server:
        yield server


def test_cli_against_the_endpoint_warns_when_the_answer_was_cut(capped, capsys):
    assert cli.main(["sparql", FOUR_ROWS, "--endpoint", capped.endpoint, "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert out.out.split() == ["x", "1", "2", "3"]
    assert "row cap of 3 rows" in out.err and "incomplete" in out.err
    assert cli.main(["sparql", TWO_ROWS, "--endpoint", capped.endpoint, "--format", "csv"]) == 0
    assert "row cap" not in capsys.readouterr().err


def _api(url):
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request) as r:
        return json.load(r), r.headers.get("X-Lattice-Truncated")


def test_rest_api_json_states_the_cap_and_whether_it_cut(capped, built_store):
    from kg.query import run_named

    assert len(run_named("network-typology", store=built_store)) > 3  # the whole answer is longer than the cap
    doc, header = _api(f"{capped.url}/api/queries/network-typology")
    assert doc["lattice"] == {"maxRows": 3, "truncated": True}
    assert len(doc["results"]["bindings"]) == 3 and header == "true; max-rows=3"
    doc, header = _api(f"{capped.url}/api/queries/accountability-direct?actor=lat-id:no-such-actor")
    assert doc["lattice"] == {"maxRows": 3, "truncated": False} and header is None
    # the Python API run against the endpoint knows it too
    assert run_named("network-typology", endpoint=capped.endpoint).row_cap == 3
    assert run_named("accountability-direct", endpoint=capped.endpoint, actor="lat-id:no-such-actor").row_cap is None


def test_web_page_says_the_answer_was_cut_at_the_cap(capped, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(capped.url + "/")
    _wait(browser, lambda d: d.find_element(By.ID, "named-query").get_attribute("data-loaded") == "true")
    editor = browser.find_element(By.ID, "editor")
    browser.execute_script("arguments[0].value = arguments[1];", editor, FOUR_ROWS)
    browser.find_element(By.ID, "run").click()
    _wait(browser, lambda d: "rows" in d.find_element(By.ID, "status").text)
    status = browser.find_element(By.ID, "status").text
    assert "3 rows" in status and "row cap of 3 rows" in status
