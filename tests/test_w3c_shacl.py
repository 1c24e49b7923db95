"""The fast SHACL engine against the W3C SHACL test suite (core/ and sparql/): a floor and named known failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.shacl.w3c import load_cases, run_case

# Measured: 118 of 120 cases pass (core 96/98, sparql 22/22). Every failure is listed with its cause; a case leaving this list
# (fixed) or joining it (regression) fails the test, so the list stays true.
KNOWN_FAILURES = {
    # pyoxigraph's store canonicalizes literals on insert: "1"^^xsd:boolean becomes "true", so sh:uniqueLang "1"
    # (which the suite says must be ignored) reads as true.
    "core/property/uniqueLang-002",
    # the store also rewrites derived integer types to xsd:integer ("c"^^xsd:byte keeps its type, but valid
    # xsd:byte values do not), so the test's expected xsd:byte results cannot be reproduced exactly.
    "core/property/datatype-ill-formed",
}
FLOOR = 118


def suite_root(shared_dir) -> Path:
    from tests.support import need_shared

    root = shared_dir / "data" / "w3c-tests" / "shacl"
    need_shared(root / "manifest.ttl", "the W3C SHACL test suite in ../shared/data/w3c-tests/shacl")
    return root


@pytest.fixture(scope="module")
def outcomes(shared_dir):
    cases = load_cases(suite_root(shared_dir))
    return {c.name: run_case(c, "fast") for c in cases}


def test_suite_is_complete(outcomes):
    assert len(outcomes) == 120
    assert sum(n.startswith("core/") for n in outcomes) == 98


def test_pass_count_does_not_regress(outcomes):
    passed = sum(o.passed for o in outcomes.values())
    assert passed >= FLOOR, [f"{n}: {o.detail[:200]}" for n, o in outcomes.items() if not o.passed]


def test_known_failures_are_exactly_the_failing_cases(outcomes):
    failing = {n for n, o in outcomes.items() if not o.passed}
    assert failing == KNOWN_FAILURES, {n: outcomes[n].detail[:300] for n in failing ^ KNOWN_FAILURES if n in outcomes}


def test_a_wrong_engine_would_fail_the_comparison(outcomes):
    """The comparison itself can fail: an engine that reports nothing does not pass a violating case."""
    from kg.shacl.w3c import Case
    from kg.shacl.w3c import run_case as run

    case = next(o.case for o in outcomes.values() if o.case.name == "core/node/class-001")
    empty = Case(**{**case.__dict__, "expected": [*case.expected, dict(case.expected[0], focus="urn:none")]})
    assert not run(empty, "fast").passed
