"""Tests of the named query library on a small invented graph: headers, parameter safety, chains, intervals."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

q = importlib.import_module("kg.query")

FIXTURE = Path(__file__).parent / "fixtures" / "queries" / "mini.ttl"
ID = "https://w3id.org/lattice/id/"
LAT = "https://w3id.org/lattice/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _load(materialized: bool):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(
        path=str(FIXTURE),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode("https://w3id.org/lattice/graph/curated/mini"),
    )
    if materialized:
        from kg.inference import materialize

        materialize(store)
    return store


@pytest.fixture(scope="module")
def store():
    """The fixture graph with the build's inferences materialized, as the built dataset would hold it."""
    return _load(materialized=True)


@pytest.fixture(scope="module")
def raw_store():
    """The same graph without materialized inferences."""
    return _load(materialized=False)


def run(store, name, **params):
    return q.run_named(name, store=store, **params)


# ------------------------------------------------------------------------------------------ headers


def test_every_query_has_a_complete_header():
    infos = q.list_queries()
    assert len(infos) >= 15
    for info in infos:
        assert info.title, info.name
        assert info.question.endswith("?"), info.name
        assert info.returns, info.name
        assert "PREFIX" in info.text or "prefix" in info.text


def test_every_parameter_appears_in_its_query():
    for info in q.list_queries():
        body = "\n".join(line for line in info.text.splitlines() if not line.lstrip().startswith("#"))
        for p in info.params:
            assert f"?{p.name}" in body, f"{info.name}: parameter {p.name} unused"


def test_header_parsing_reads_types_defaults_and_required(tmp_path):
    f = tmp_path / "x.rq"
    f.write_text(
        "# title:    X\n# question: What?\n# params:   actor (iri, required); depth (integer, default 3);\n"
        "#           at (date, optional)\n# returns:  rows\nSELECT * WHERE { ?s ?p ?o }\n"
    )
    info = q.parse_header(f)
    assert [(p.name, p.type, p.required, p.default) for p in info.params] == [
        ("actor", "iri", True, None),
        ("depth", "integer", False, "3"),
        ("at", "date", False, None),
    ]
    assert info.title == "X" and info.returns == "rows"


def test_header_with_unknown_type_is_an_input_error(tmp_path):
    from kg.errors import InputError

    f = tmp_path / "bad.rq"
    f.write_text("# title: X\n# params: actor (person, required)\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(InputError) as exc:
        q.parse_header(f)
    assert exc.value.line == 2


@pytest.mark.slow
def test_every_query_parses_with_a_second_engine():
    """rdflib's parser is independent of Oxigraph's: each bound query must be valid SPARQL 1.1 for both."""
    from rdflib.plugins.sparql import prepareQuery

    samples = {"iri": "lat-id:x", "date": "2000-01-01", "integer": "3", "string": "abc", "boolean": "true"}
    for info in q.list_queries():
        text = q.bind(info, {p.name: samples[p.type] for p in info.params})
        prepareQuery(q._with_prologue(text))


# ------------------------------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    "bad",
    [
        "lat-id:x> } ; DROP ALL ; #",
        "lat-id:x> . ?s ?p ?o",
        "<https://example.org/a> <https://example.org/b>",
        "https://example.org/a b",
        'https://example.org/"x"',
        "https://example.org/{x}",
        "nosuchprefix:x",
        "just words",
        "",
    ],
)
def test_malformed_or_hostile_iris_are_refused(bad, store):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        run(store, "accountability-direct", actor=bad or None)


@pytest.mark.parametrize(
    "bad", ["2020-13-01", "2020-1-1", "yesterday", '2020-01-01"^^xsd:date) } DROP ALL #', "2020-01-01T00:00:00"]
)
def test_malformed_dates_are_refused(bad, store):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        run(store, "members-at", body="lat-id:mini-net", at=bad)


@pytest.mark.parametrize("bad", ["3; DROP ALL", "1.5", "eight", "9" * 30])
def test_malformed_integers_are_refused(bad, store):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        run(store, "accountability-chain", actor="lat-id:aaa-agency", max_depth=bad)


@pytest.mark.parametrize("bad", ['a" } DROP ALL #', "back\\slash", "new\nline", 'say "hi"'])
def test_string_values_with_quotes_or_escapes_are_refused(bad):
    from kg.errors import UsageError

    with pytest.raises(UsageError):
        q.sparql_term(q.Param("s", "string"), bad)


def test_string_values_are_quoted_literals():
    assert q.sparql_term(q.Param("s", "string"), "O'Brien & co") == '"O\'Brien & co"'


def test_unknown_and_missing_parameters_are_usage_errors(store):
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="unknown parameter"):
        run(store, "accountability-direct", actor="lat-id:aaa-agency", acter="x")
    with pytest.raises(UsageError, match="required"):
        run(store, "accountability-direct")


def test_prefixed_names_and_bracketed_iris_are_expanded():
    assert q.expand_iri("lat-id:fatf") == ID + "fatf"
    assert q.expand_iri("lat-id:state/USA") == ID + "state/USA"
    assert q.expand_iri("<https://example.org/x>") == "https://example.org/x"
    assert q.expand_iri("lat:Upward") == LAT + "Upward"


def test_parameters_go_into_values_blocks_not_into_the_text():
    info = q.get_query("accountability-direct")
    text = q.bind(info, {"actor": "lat-id:aaa-agency", "at": "2001-02-03"})
    assert f'VALUES (?actor ?at) {{ (<{ID}aaa-agency> "2001-02-03"^^<http://www.w3.org/2001/XMLSchema#date>) }}' in text
    assert text.count("VALUES (?actor ?at)") == 1


def test_marked_queries_get_a_values_block_at_every_marker():
    info = q.get_query("accountability-chain")
    text = q.bind(info, {"actor": "lat-id:aaa-agency"})
    # one per branch (paths of 1 to 8 hops) and one in each of the two label lookups
    assert info.text.count("# @params") == 10
    assert text.count("VALUES (?actor ?max_depth ?basis)") == 10
    assert "# @params" not in text


def test_unknown_query_name_lists_known_ones():
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="accountability-direct"):
        q.get_query("no-such-query")
    with pytest.raises(UsageError):
        q.get_query("../etc/passwd")


# ------------------------------------------------------------------------------------------ results


def test_direct_accountability_gives_mechanism_basis_and_quote(store):
    rows = run(store, "accountability-direct", actor="lat-id:aaa-agency")
    by_mech = {r["mechanism"]: r for r in rows}
    sup = by_mech[LAT + "SupervisoryAccountability"]
    assert sup["forum"] == ID + "aaa-parliament"
    assert sup["basis"] == LAT + "StatuteBasis" and sup["derivation"] == LAT + "Stated"
    assert sup["start"] == "1990-01-01" and sup["quote"] == "an invented passage for tests"
    assert set(by_mech) == {LAT + "SupervisoryAccountability", LAT + "FiscalAccountability", LAT + "PeerAccountability"}


def test_direct_accountability_as_of_a_date_respects_intervals(store):
    def mechs(at):
        return {r["mechanism"] for r in run(store, "accountability-direct", actor="lat-id:aaa-agency", at=at)}

    assert LAT + "FiscalAccountability" in mechs("2000-06-01")
    assert LAT + "FiscalAccountability" not in mechs("2006-01-01")  # ended 2005-12-31
    assert LAT + "FiscalAccountability" in mechs("2005-12-31")  # end date is inclusive
    assert LAT + "SupervisoryAccountability" not in mechs("1989-12-31")


def test_accountability_as_of_lists_only_records_in_force(store):
    rows = run(store, "accountability-as-of", at="1992-01-01")
    pairs = {(r["actor"], r["mechanism"]) for r in rows}
    assert (ID + "aaa-agency", LAT + "SupervisoryAccountability") in pairs
    assert (ID + "aaa-agency", LAT + "FiscalAccountability") not in pairs  # starts 1995
    only = run(store, "accountability-as-of", at="1992-01-01", actor="lat-id:mini-ngo")
    assert {r["actor"] for r in only} == {ID + "mini-ngo"}


def _paths(rows):
    paths = {}
    for r in rows:
        paths.setdefault(r["path"], []).append(r)
    return {p: sorted(steps, key=lambda r: r["step"]) for p, steps in paths.items()}


def test_chain_returns_whole_paths_in_order(store):
    paths = _paths(run(store, "accountability-chain", actor="lat-id:aaa-agency"))
    to_voters = [p for p, steps in paths.items() if steps[0]["final"] == ID + "aaa-voters"]
    assert len(to_voters) == 1
    steps = paths[to_voters[0]]
    assert [(s["from"], s["to"]) for s in steps] == [
        (ID + "aaa-agency", ID + "aaa-parliament"),
        (ID + "aaa-parliament", ID + "aaa-voters"),
    ]
    assert [s["step"] for s in steps] == [1, 2] and steps[0]["depth"] == 2 and steps[0]["ends"] == "final"
    assert set(steps[0]["mechanisms"].split()) == {"SupervisoryAccountability", "FiscalAccountability"}


def test_chain_is_cycle_safe(store):
    paths = _paths(run(store, "accountability-chain", actor="lat-id:aaa-agency"))
    loop = [steps for steps in paths.values() if steps[-1]["to"] == ID + "loop-two"]
    assert len(loop) == 1
    assert [s["to"] for s in loop[0]] == [ID + "loop-one", ID + "loop-two"]
    assert loop[0][0]["ends"] == "cycle"
    for steps in paths.values():  # no node twice on any path
        nodes = [steps[0]["from"]] + [s["to"] for s in steps]
        assert len(nodes) == len(set(nodes))


def test_chain_depth_limit_cuts_paths(store):
    rows = run(store, "accountability-chain", actor="lat-id:aaa-agency", max_depth=1)
    assert {r["depth"] for r in rows} == {1}
    assert {r["to"] for r in rows} == {ID + "aaa-parliament", ID + "loop-one"}
    assert {r["ends"] for r in rows} == {"depth-limit"}


def test_chain_of_an_actor_without_forums_is_empty(store):
    assert run(store, "accountability-chain", actor="lat-id:aaa-voters") == []


def test_inverse_finds_direct_and_indirect_answerers(store):
    rows = run(store, "accountable-to-forum", forum="lat-id:aaa-voters")
    got = {r["actor"]: r["direct"] for r in rows}
    assert got == {ID + "aaa-parliament": True, ID + "aaa-agency": False}


def test_gaps_are_authorities_without_a_chain_to_a_constituency(store):
    rows = run(store, "accountability-gaps")
    assert {r["body"] for r in rows} == {ID + "mini-tribunal", ID + "mini-net", ID + "mini-group"}
    kinds = {r["body"]: r["kind"] for r in rows}
    assert kinds[ID + "mini-tribunal"] == "supranational institution"


def test_gaps_can_leave_out_bodies_known_only_from_imports():
    import pyoxigraph as ox

    from kg.inference import materialize

    store = _load(materialized=False)
    imported = ox.NamedNode("https://w3id.org/lattice/graph/import/test")
    store.add(
        ox.Quad(
            ox.NamedNode(ID + "imported-igo"),
            ox.NamedNode(RDF_TYPE),
            ox.NamedNode(LAT + "InternationalOrganization"),
            imported,
        )
    )
    materialize(store)
    everything = {r["body"] for r in run(store, "accountability-gaps")}
    curated = {r["body"] for r in run(store, "accountability-gaps", curated="true")}
    assert ID + "imported-igo" in everything and ID + "imported-igo" not in curated
    assert curated == everything - {ID + "imported-igo"}
    assert {r["body"] for r in run(store, "accountability-gaps", curated="false")} == everything


def test_gap_query_needs_the_materialized_type_closure(store, raw_store):
    """Without the build's rdf:type closure lat:Electorate is not a lat:Constituency, and the agency network
    looks like a gap even where a chain exists; the queries rely on materialization, not on a reasoner."""
    built = {r["body"] for r in run(store, "accountability-gaps")}
    raw = {r["body"] for r in run(raw_store, "accountability-gaps")}
    assert built != raw
    # mini-net is only a lat:GovernmentNetwork through subclass closure: the raw graph cannot see it at all
    assert ID + "mini-net" in built and ID + "mini-net" not in raw


def test_chain_reads_records_and_membership_queries_need_materialized_shortcuts(store, raw_store):
    # the chain query follows the records themselves (it filters each hop by basis and date), so it gives
    # the same whole paths on data that has not been built
    built = {(r["path"], r["ends"]) for r in run(store, "accountability-chain", actor="lat-id:aaa-agency")}
    raw = {(r["path"], r["ends"]) for r in run(raw_store, "accountability-chain", actor="lat-id:aaa-agency")}
    assert built == raw and built
    # and the indirect answerers are found only through the materialized shortcut
    built = {r["actor"] for r in run(store, "accountable-to-forum", forum="lat-id:aaa-voters")}
    raw = {r["actor"] for r in run(raw_store, "accountable-to-forum", forum="lat-id:aaa-voters")}
    assert raw == {ID + "aaa-parliament"} and built == raw | {ID + "aaa-agency"}
    typology = run(store, "network-typology")
    assert [r["members"] for r in typology] == [3] and run(raw_store, "network-typology") == []


def test_members_at_respects_start_and_end(store):
    def members(at):
        return {r["member"] for r in run(store, "members-at", body="lat-id:mini-net", at=at)}

    assert members("1999-12-31") == set()
    assert members("2005-06-01") == {ID + "aaa-agency", ID + "bbb-agency"}
    assert members("2011-01-01") == {ID + "aaa-agency"}
    assert members("2013-01-01") == {ID + "aaa-agency", ID + "bbb-court"}


def test_membership_history_counts_and_reported_counts(store):
    rows = run(store, "membership-history", body="lat-id:mini-net")
    events = [(r["date"], r["event"], r["actor"], r["recorded"]) for r in rows]
    assert events[0] == ("2000-01-01", "joined", ID + "aaa-agency", 1)
    assert ("2005-01-01", "joined", ID + "bbb-agency", 2) in events
    assert ("2012-06-01", "joined", ID + "bbb-court", 2) in events
    reported = [r for r in rows if r["event"] == "count reported"]
    assert [(r["date"], r["reported"], r["kind"]) for r in reported] == [("2008-01-01", 5, "agencies")]
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_vertical_checks_show_who_checks_whom(store):
    rows = run(store, "vertical-checks")
    rel = {(r["relation"], r["national"]): r for r in rows}
    relies = rel[("reliesOn", ID + "bbb-court")]
    assert relies["body"] == ID + "mini-tribunal" and relies["state"] == ID + "state/BBB"
    assert relies["national_answers_to_body"] is True and relies["body_answers_to_national"] is False
    assert rel[("delegate of", ID + "state/BBB")]["jurisdiction"] == LAT + "ComplementaryJurisdiction"


def test_ngo_accountability_splits_upward_and_downward(store):
    rows = run(store, "ngo-accountability", ngo="lat-id:mini-ngo")
    # its own stated forums, and the general ones the rule ngo-responsibilities derives for every NGO
    assert {r["direction"]: set(r["forums"].split()) for r in rows} == {
        "Upward": {ID + "mini-funder", ID + "ngo-financiers"},
        "Downward": {ID + "mini-beneficiaries", ID + "ngo-recipients"},
    }


def test_network_typology_and_defined_classes(store):
    (row,) = run(store, "network-typology", network="lat-id:mini-net")
    assert row["axis"] == "horizontal"
    assert set(row["functions"].split()) == {"Enforcement", "InformationExchange"}
    assert "EnforcementNetwork" in row["kinds"].split()  # from the owl:hasValue definition, materialized


def test_spic_and_partnership_queries(store):
    (row,) = run(store, "spic-principles")
    assert row["collaboration"] == ID + "mini-group" and row["voluntary"] is True
    assert row["domestic_value_test"] is False and row["participants"] == 2
    (p,) = run(store, "militant-state-partnerships")
    assert p["state"] == ID + "state/AAA" and p["partners"] == ID + "mini-ngo"


def test_counterparts_are_symmetric_after_materialization(store):
    rows = run(store, "counterparts", institution="lat-id:bbb-agency")
    assert [(r["counterpart"], r["shared_networks"]) for r in rows] == [(ID + "aaa-agency", ID + "mini-net")]


def test_rows_offer_columns_and_a_dataframe(store):
    rows = run(store, "members-at", body="lat-id:mini-net", at="2005-06-01")
    assert rows.variables[0] == "member"
    assert sorted(rows.column("member")) == [ID + "aaa-agency", ID + "bbb-agency"]
    pytest.importorskip("pandas", reason="pandas is optional")
    df = rows.to_dataframe()
    assert list(df.columns) == rows.variables and len(df) == 2


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "md"])
def test_formats_render_every_row(store, fmt):
    rows = run(store, "members-at", body="lat-id:mini-net", at="2005-06-01")
    text = q.format_rows(rows, fmt)
    if fmt == "json":
        import json

        assert len(json.loads(text)["rows"]) == 2
    else:
        assert "aaa-agency" in text and "bbb-agency" in text
    if fmt == "table":
        assert "lat-id:aaa-agency" in text and "(2 rows)" in text


def test_package_level_run_query(store):
    import kg

    rows = kg.run_query("members-at", store=store, body="lat-id:mini-net", at="2005-06-01")
    assert sorted(rows.column("member")) == [ID + "aaa-agency", ID + "bbb-agency"]


# ------------------------------------------------------------------------------------------ labels
ACTOR_QUERIES = {  # every named query that returns actors, with the parameters it needs on the fixture graph
    "accountability-chain": {"actor": "lat-id:aaa-agency"},
    "accountability-direct": {"actor": "lat-id:aaa-agency"},
    "accountable-to-forum": {"forum": "lat-id:aaa-voters"},
    "complementarity": {},
    "count-observations": {},
    "counterparts": {"institution": "lat-id:bbb-agency"},
    "declined-to-join": {},
    "delegations-and-complementarity": {},
    "membership-history": {"body": "lat-id:mini-net"},
    "memberships-of": {"actor": "lat-id:aaa-agency"},
    "militant-state-partnerships": {},
    "networks-by-function": {},
    "ngo-accountability": {},
    "power-kinds": {},
    "regional-bodies": {},
    "treaty-participation": {"treaty": "lat-id:mini-treaty"},
    "vertical-checks": {},
}


def test_queries_that_return_actors_give_their_labels(store):
    """Beside each actor column X a column XLabel holds the actor's English or untagged rdfs:label (the least,
    when it has several), and nothing when X is unbound."""
    import pyoxigraph as ox

    def labels(iri):
        found = [
            q_.object.value
            for q_ in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDFS_LABEL), None, None)
            if q_.object.language in (None, "en")
        ]
        return min(found) if found else None

    checked = 0
    for name, params in ACTOR_QUERIES.items():
        rows = run(store, name, **params)
        pairs = [(v[: -len("Label")], v) for v in rows.variables if v.endswith("Label")]
        assert pairs, f"{name} has no label column"
        assert all(actor in rows.variables for actor, _ in pairs), name
        for row in rows:
            for actor, label in pairs:
                want = labels(row[actor]) if row[actor] else None
                assert row[label] == want, (name, actor, row[actor], row[label])
                checked += want is not None
    assert checked >= 10  # the fixture's actors are labelled: the comparison is not vacuous
