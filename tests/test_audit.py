"""`kg audit`: a reproducible sample of curated statements, each with the evidence it rests on."""

from __future__ import annotations

import csv
import io

import pytest

from kg import audit

SAMPLE, SEED = 40, 14  # the sample the project reports on (docs/sources.md)


def test_every_sampled_statement_has_evidence(built_store):
    rows = audit.audit(built_store, SAMPLE, SEED)
    assert len(rows) == SAMPLE
    missing = [r["statement"] for r in rows if not r["source"]]
    assert not missing, "sampled statements without evidence:\n" + "\n".join(missing)
    for r in rows:
        assert r["evidence_via"] in {"reification", "record", "subject"}
        assert r["evidence"], r  # a quote or a data set title beside the statement


def test_larger_samples_also_have_evidence(built_store):
    for seed in (1, 2, 3):
        rows = audit.audit(built_store, 100, seed)
        assert all(r["source"] for r in rows), seed


def test_the_sample_is_reproducible_and_depends_on_the_seed(built_store):
    a = audit.sample(built_store, SAMPLE, SEED)
    assert a == audit.sample(built_store, SAMPLE, SEED)
    assert a != audit.sample(built_store, SAMPLE, SEED + 1)


def test_population_leaves_out_comments_sources_and_reification(built_store):
    pool = audit.population(built_store)
    assert len(pool) > 1000
    preds = {p for _, p, _, _ in pool}
    assert not preds & audit.SKIPPED_PREDICATES
    subjects = {s for s, _, _, _ in pool}
    assert not any(s.startswith("https://w3id.org/lattice/source/") for s in subjects)
    assert not any(s.startswith("https://w3id.org/lattice/id/time/") for s in subjects)
    # events, participations and claims are in the population
    assert any(s.startswith("https://w3id.org/lattice/id/claim/") for s in subjects)
    assert any(s.startswith("https://w3id.org/lattice/id/participation/") for s in subjects)


def test_a_statement_without_evidence_is_reported(built_store):
    """Firing case: a statement added without any source comes out with no evidence."""
    import pyoxigraph as ox

    from kg.namespaces import LAT_G

    store = ox.Store()
    store.extend(built_store.quads_for_pattern(None, None, None, None))
    g = ox.NamedNode(LAT_G + "curated/zz-test")
    s = ox.NamedNode("https://w3id.org/lattice/id/unsourced-body")
    store.add(ox.Quad(s, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("unsourced"), g))
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert (s.value, label, "unsourced", "literal") in audit.population(store)
    (row,) = audit.evidence_rows(store, [(s.value, label, "unsourced", "literal")])
    assert row["source"] == "" and row["evidence_via"] == "none"


def test_markdown_and_csv(built_store):
    rows = audit.audit(built_store, 5, SEED)
    md = audit.to_markdown(rows, 5, SEED, len(audit.population(built_store)))
    assert md.count("\n| ") == 6  # header + 5 rows
    assert "5 of 5 sampled statements have evidence" in md
    parsed = list(csv.DictReader(io.StringIO(audit.to_csv(rows))))
    assert [r["statement"] for r in parsed] == [r["statement"] for r in rows]
    assert set(parsed[0]) == set(audit.COLUMNS)


def test_bad_sample_size_is_a_usage_error(built_store):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        audit.sample(built_store, 0, 1)


def test_command_line(run_kg, built_dataset, tmp_path):
    out = tmp_path / "audit.csv"
    done = run_kg("--dataset", built_dataset, "audit", "--sample", "7", "--seed", "3", "--format", "csv", "--out", out)
    assert done.returncode == 0, done.stderr
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 7
    bad = run_kg("--dataset", built_dataset, "audit", "--sample", "0")
    assert bad.returncode == 2 and "positive" in bad.stderr and "Traceback" not in bad.stderr


def test_quotation_shares_stay_under_the_ceiling(built_store, shared_dir):
    """The gate: no seed text is quoted above QUOTATION_CEILING, which stays well under a fifth."""
    assert 0 < audit.QUOTATION_CEILING < 0.2
    shares = audit.quotation_shares(built_store, shared_dir / "seeds")
    assert len(shares) == 3
    for r in shares:
        assert r["passages"] > 50 and r["share"] > 0, r
    assert not audit.over_ceiling(shares), "seed texts quoted above the ceiling:\n" + audit.quotation_markdown(shares)


def test_a_text_quoted_above_the_ceiling_is_reported(built_store, shared_dir):
    """Firing case: a passage quoting a whole seed text pushes that text over the ceiling, and only that text."""
    import pyoxigraph as ox

    from kg.namespaces import LAT, LAT_G

    store = ox.Store()
    store.extend(built_store.quads_for_pattern(None, None, None, None))
    g = ox.NamedNode(LAT_G + "curated/zz-test")
    doc = "https://w3id.org/lattice/source/letwin-2023"
    (seed_file,) = [
        q.object.value for q in store.quads_for_pattern(ox.NamedNode(doc), ox.NamedNode(LAT.seedFile), None, None)
    ]
    whole = (shared_dir / "seeds" / seed_file).read_text(encoding="utf-8")
    p = ox.NamedNode("https://w3id.org/lattice/source/zz-whole-text")
    store.add(ox.Quad(p, ox.NamedNode(LAT.document), ox.NamedNode(doc), g))
    store.add(ox.Quad(p, ox.NamedNode(LAT.quote), ox.Literal(whole), g))
    shares = audit.quotation_shares(store, shared_dir / "seeds")
    (over,) = audit.over_ceiling(shares)
    assert over["document"] == doc and over["share"] == 1.0 and over["quoted"] == over["words"]
    assert not audit.over_ceiling(audit.quotation_shares(built_store, shared_dir / "seeds"))


def test_the_markdown_sample_ends_with_the_quotation_shares(built_store, shared_dir):
    rows = audit.audit(built_store, 3, SEED)
    shares = audit.quotation_shares(built_store, shared_dir / "seeds")
    md = audit.to_markdown(rows, 3, SEED, len(audit.population(built_store)), shares)
    assert md.index("3 of 3 sampled statements have evidence") < md.index("## Quotation of the seed texts")
    for r in shares:
        assert f"| {r['document']} | {r['passages']} | {r['quoted']} of {r['words']} |" in md


def test_command_line_quotation(run_kg, built_dataset):
    done = run_kg("--dataset", built_dataset, "audit", "--quotation")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and all(line.endswith("%") for line in lines), lines
