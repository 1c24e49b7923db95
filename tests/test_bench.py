"""Tests of the benchmark's bookkeeping: percentiles, result-set comparison, planted counts, targets, rendering."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(BENCH))
    return mod


@pytest.fixture(scope="module")
def run():
    return _module("run")


@pytest.fixture(scope="module")
def steps():
    return _module("steps")


def test_percentile_interpolates_and_handles_one_value(steps):
    assert steps.percentile([3.0], 99) == 3.0
    assert steps.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert steps.percentile([1.0, 2.0], 50) == 1.5
    assert steps.percentile(list(range(101)), 99) == pytest.approx(99.0)


def test_result_key_names_blank_property_shapes_by_path(steps):
    from kg.validate import Result

    named = Result(
        focus="x",
        shape="https://w3id.org/lattice/shapes#S",
        component="c",
        severity="Violation",
        path="<p>",
        value='"v"',
    )
    blank = Result(focus="x", shape="_:b12", component="c", severity="Violation", path="<p>", value=None)
    assert steps.result_key(named) == ["x", "https://w3id.org/lattice/shapes#S", "c", '"v"']
    assert steps.result_key(blank) == ["x", "[path <p>]", "c", None]


def test_compare_keys_counts_both_sides(run, tmp_path):
    fast, ref = tmp_path / "f.json", tmp_path / "r.json"
    fast.write_text(json.dumps([["a", "S", "c", None], ["b", "S", "c", None]]))
    ref.write_text(json.dumps([["a", "S", "c", None], ["z", "S", "c", '"1"']]))
    d = run.compare_keys(fast, ref)
    assert (d["fast"], d["pyshacl"], d["only_fast"], d["only_pyshacl"], d["identical"]) == (2, 2, 1, 1, False)
    ref.write_text(fast.read_text())
    assert run.compare_keys(fast, ref)["identical"] is True


def test_planted_detected_per_kind(run, tmp_path):
    side, keys = tmp_path / "s.json", tmp_path / "k.json"
    side.write_text(
        json.dumps(
            {
                "planted": [
                    {"kind": "missing-source", "focus": "a"},
                    {"kind": "missing-source", "focus": "b"},
                    {"kind": "two-component-of", "focus": "c"},
                ]
            }
        )
    )
    keys.write_text(json.dumps([["a", "S", "c", None], ["c", "T", "c", None], ["q", "T", "c", None]]))
    got = run.planted_detected(side, keys)
    assert (got["detected"], got["planted"]) == (2, 3)
    assert got["by_kind"]["missing-source"] == {"detected": 1, "planted": 2}


def _results(small_speedup=25.0, identical=True, build_s=12.0, qps=800.0):
    small = {
        "kind": "synthetic",
        "requested_triples": 100_000,
        "name": "synthetic-1e5",
        "validate": {
            "speedup": small_speedup,
            "diff": {
                "fast": 5,
                "pyshacl": 5,
                "only_fast": 0 if identical else 1,
                "only_pyshacl": 0,
                "identical": identical,
            },
        },
    }
    big = {
        "kind": "synthetic",
        "requested_triples": 1_000_000,
        "name": "synthetic-1e6",
        "build": {"median_s": build_s, "peak_rss_mb": 900.0},
        "validate": {"fast": {"median_s": 10.0, "peak_rss_mb": 700.0}},
        "queries": {"oxigraph": {"chain": {"p50": 0.02}, "gap": {"p50": 3.0}}},
        "endpoint": {
            "status": "ok",
            "results": [{"query": "simple", "clients": 8, "qps": qps}, {"query": "chain", "clients": 8, "qps": 5.0}],
        },
    }
    return {"inputs": [small, big]}


def test_targets_pass_and_fail_from_figures(run):
    t = {x["id"]: x for x in run.evaluate_targets(_results())}
    assert t["validate-speedup-100k"]["pass"] is True
    assert t["validate-identical-100k"]["pass"] is True
    assert t["build-time"]["pass"] is True and t["build-memory"]["pass"] is True
    assert t["chain-p50"]["pass"] is True
    assert t["gap-time"]["pass"] is False  # 3 s against 2 s
    assert t["endpoint-qps"]["measured"] == 800.0 and t["endpoint-qps"]["pass"] is True
    t = {x["id"]: x for x in run.evaluate_targets(_results(small_speedup=5, identical=False, build_s=50, qps=100))}
    assert t["validate-speedup-100k"]["pass"] is False
    assert t["validate-identical-100k"]["pass"] is False
    assert t["build-time"]["pass"] is False
    assert t["endpoint-qps"]["pass"] is False


def test_the_huge_targets_read_the_1e7_input(run):
    results = _results()
    results["inputs"].append(
        {
            "kind": "synthetic",
            "requested_triples": 10_000_000,
            "memory_budget": "4G",
            "build": {"median_s": 80.0, "peak_rss_mb": 5000.0},
            "validate": {"fast": {"median_s": 70.0, "peak_rss_mb": 3000.0}},
            "floor": {
                "build": {"quads": 25_000_000, "parse_s": 50.0, "disk_load_s": 215.0},
                "validate": {"quads": 10_000_000, "parse_s": 20.0, "disk_load_s": 85.0},
            },
        }
    )
    t = {x["id"]: x for x in run.evaluate_targets(results)}
    assert "25,000,000 quads to an on-disk store alone takes 215 s" in t["build-10m-time"]["note"]
    assert "10,000,000 quads to an on-disk store alone takes 85 s" in t["validate-10m-time"]["note"]
    assert (t["build-10m-time"]["measured"], t["build-10m-time"]["pass"]) == (80.0, True)
    assert (t["build-10m-memory"]["measured"], t["build-10m-memory"]["pass"]) == (5000.0, False)
    assert (t["validate-10m-time"]["measured"], t["validate-10m-time"]["pass"]) == (70.0, False)
    assert (t["validate-10m-memory"]["measured"], t["validate-10m-memory"]["pass"]) == (3000.0, True)
    assert "LATTICE_MEMORY=4G" in t["build-10m-time"]["note"]
    assert "--huge" in {x["id"]: x for x in run.evaluate_targets(_results())}["build-10m-time"]["note"]


def test_missing_figures_are_not_measured_rather_than_failed(run):
    t = run.evaluate_targets({"inputs": []})
    assert all(x["pass"] is None for x in t)


def test_endpoint_qps_ignores_chain_and_one_client(run):
    ep = {
        "status": "ok",
        "results": [{"query": "simple", "clients": 1, "qps": 900.0}, {"query": "chain", "clients": 8, "qps": 40.0}],
    }
    assert run.endpoint_qps(ep) is None
    assert run.endpoint_qps({"status": "error"}) is None


def test_table_and_page_render_from_results(run, tmp_path):
    results = _results()
    results.update(
        machine=run.machine(),
        started="2026-01-01T00:00:00+00:00",
        elapsed_s=60,
        loadavg_start=[1.0],
        loadavg_end=[1.0],
        options={"seed": 1, "violation_rate": 0.01},
        notes=["a note"],
    )
    results["targets"] = run.evaluate_targets(results)
    text = run.render_table(run.table_rows(results))
    assert "build (parse+merge+materialize)" in text and "12.00 s" in text
    page = tmp_path / "performance.md"
    run.write_performance_md(results, page)
    body = page.read_text()
    assert "| gap query under 2 s (1e6 triples) | 3.00 s | **fail** |" in body
    assert "a note" in body and results["machine"]["python"] in body


def test_the_store_floor_step_measures_a_real_load(steps, tmp_path):
    data = tmp_path / "data.nt"
    data.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o{i % 7}> .\n" for i in range(500)))
    rec = steps.Recorder(tmp_path / "result.json")
    steps.step_store_floor({"files": {"build": str(data)}, "dir": str(tmp_path)}, rec)
    figures = json.loads((tmp_path / "result.json").read_text())["build"]
    assert figures["quads"] == 500 and figures["disk_load_s"] >= 0 and figures["parse_s"] >= 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.nt", "result.json"]  # the store is removed


def test_a_step_that_did_not_finish_passes_no_target(run):
    results = _results()
    unfinished = {"status": "timeout", "error": "stopped after 900 s", "median_s": None, "peak_rss_mb": None}
    results["inputs"].append(
        {"kind": "synthetic", "requested_triples": 10_000_000, "memory_budget": "4G", "build": unfinished}
    )
    t = {x["id"]: x for x in run.evaluate_targets(results)}
    for tid in ("build-10m-time", "build-10m-memory"):
        assert t[tid]["pass"] is None and "timeout: stopped after 900 s" in t[tid]["note"]


def test_the_peak_of_a_run_that_did_not_finish_is_not_the_steps_peak(run, tmp_path, monkeypatch):
    r = run.Runner(tmp_path, verbose=False)
    figures = iter(
        [{"status": "ok", "seconds": 1.0, "peak_rss_mb": 100.0}, {"status": "timeout", "peak_rss_mb": 500.0}]
    )
    monkeypatch.setattr(r, "step", lambda *a, **k: next(figures))
    summary = r.repeat("build", {}, 2)
    assert summary["status"] == "timeout" and summary["peak_rss_mb"] == 100.0
    assert summary["unfinished_peak_rss_mb"] == 500.0
