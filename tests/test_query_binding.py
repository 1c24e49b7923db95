"""Query parameter binding, exactly: declarations, IRI expansion, typed terms and where the VALUES block goes.

Fast, in-process tests (no store): the mutation run (`make mutation`) relies on them to tell a correct
binding from a subtly wrong one.
"""

from __future__ import annotations

import datetime

import pytest

from kg.errors import InputError, UsageError
from kg.namespaces import LAT_ID, XSD
from kg.query import Param, QueryInfo, bind, expand_iri, parse_param_args, parse_params, sparql_term


def test_parse_params_reads_types_defaults_required_and_docs():
    ps = parse_params("actor (iri, required) the actor; depth (integer, default 5) hops ; asOf (date) when;")
    assert [(p.name, p.type, p.default, p.required, p.doc) for p in ps] == [
        ("actor", "iri", None, True, "the actor"),
        ("depth", "integer", "5", False, "hops"),
        ("asOf", "date", None, False, "when"),
    ]
    assert parse_params("  none ") == [] and parse_params("-") == [] and parse_params("") == []
    assert parse_params("x (STRING, optional)")[0].type == "string"


@pytest.mark.parametrize(
    "spec, words",
    [("x (float)", "unknown type 'float'"), ("x (iri, maybe)", "expected 'required'"), ("x iri", "cannot read")],
)
def test_parse_params_refuses_malformed_declarations(spec, words):
    with pytest.raises(InputError, match=words) as err:
        parse_params(spec, path="q.rq", line=3)
    assert str(err.value).startswith("q.rq:3: ")


def test_expand_iri():
    assert expand_iri("lat-id:fatf") == LAT_ID + "fatf"
    assert expand_iri("  <https://example.org/a>  ") == "https://example.org/a"
    assert expand_iri("https://example.org/a") == "https://example.org/a"
    assert expand_iri("urn:x:y") == "urn:x:y"
    assert expand_iri("xsd:integer") == XSD.integer
    assert expand_iri("lat-id:") == LAT_ID


@pytest.mark.parametrize(
    "bad",
    ["", "<>", "lat-id:a b", "https://e.org/a>b", 'x"y', "nope:thing", "plain", "https://e.org/\x01", "a{b}"],
)
def test_expand_iri_refuses(bad):
    with pytest.raises(UsageError):
        expand_iri(bad)


def P(t: str) -> Param:
    return Param(name="v", type=t)


def test_terms_of_each_type():
    assert sparql_term(P("iri"), "lat-id:fatf") == f"<{LAT_ID}fatf>"
    assert sparql_term(P("integer"), " 42 ") == f'"42"^^<{XSD.integer}>'
    assert sparql_term(P("integer"), "-7") == f'"-7"^^<{XSD.integer}>'
    assert sparql_term(P("integer"), "+007") == f'"7"^^<{XSD.integer}>'
    assert sparql_term(P("integer"), 3) == f'"3"^^<{XSD.integer}>'
    assert sparql_term(P("date"), "2004-01-31") == f'"2004-01-31"^^<{XSD.date}>'
    assert sparql_term(P("date"), datetime.date(1999, 12, 1)) == f'"1999-12-01"^^<{XSD.date}>'
    assert sparql_term(P("boolean"), "TRUE") == f'"true"^^<{XSD.boolean}>'
    assert sparql_term(P("boolean"), "1") == f'"true"^^<{XSD.boolean}>'
    assert sparql_term(P("boolean"), "0") == f'"false"^^<{XSD.boolean}>'
    assert sparql_term(P("boolean"), False) == f'"false"^^<{XSD.boolean}>'
    assert sparql_term(P("string"), "Basel Committee") == '"Basel Committee"'
    assert sparql_term(P("string"), "") == '""'


@pytest.mark.parametrize(
    "t, bad",
    [
        ("integer", "1.5"),
        ("integer", "12345678901234567890"),
        ("integer", True),
        ("integer", "1 2"),
        ("integer", ""),
        ("date", "2004-13-01"),
        ("date", "2004-1-01"),
        ("date", "2004-01-32"),
        ("date", "01-01-2004"),
        ("boolean", "yes"),
        ("string", 'a"b'),
        ("string", "a\\b"),
        ("string", "a\nb"),
        ("string", "a\x7fb"),
    ],
)
def test_terms_refuse_malformed_values(t, bad):
    with pytest.raises(UsageError, match="parameter v"):
        sparql_term(P(t), bad)


@pytest.fixture
def query(tmp_path):
    def make(params: str, body: str) -> QueryInfo:
        f = tmp_path / "q.rq"
        f.write_text(f"# title: t\n# params: {params}\n{body}", encoding="utf-8")
        return QueryInfo(name="q", path=f, params=parse_params(params))

    return make


def test_bind_puts_one_values_row_after_the_first_where(query):
    info = query("a (iri, required); n (integer, default 3); s (string)", "SELECT * WHERE { ?a ?p ?n }\n")
    out = bind(info, {"a": "lat-id:x"})
    assert out == (
        "# title: t\n# params: a (iri, required); n (integer, default 3); s (string)\n"
        f'SELECT * WHERE {{\n  VALUES (?a ?n) {{ (<{LAT_ID}x> "3"^^<{XSD.integer}>) }}\n ?a ?p ?n }}\n'
    )


def test_bind_skips_where_in_comments_and_fills_every_marker(query):
    info = query("a (iri)", "# WHERE { not here\nSELECT * WHERE { ?a ?p ?o }\n")
    assert bind(info, {"a": "urn:a"}).endswith("SELECT * WHERE {\n  VALUES (?a) { (<urn:a>) }\n ?a ?p ?o }\n")
    marked = query("a (iri)", "SELECT * {\n  # @params\n  { ?a ?p ?o } UNION {\n#@params\n ?o ?p ?a } }\n")
    out = bind(marked, {"a": "urn:a"})
    assert out.count("  VALUES (?a) { (<urn:a>) }") == 2 and "@params" not in out


def test_bind_leaves_optional_parameters_unbound_and_checks_names(query):
    info = query("a (iri); b (string)", "SELECT * WHERE { ?a ?p ?b }")
    assert "VALUES" not in bind(info, {"a": "", "b": None})
    assert "VALUES (?b)" in bind(info, {"b": "x"})
    with pytest.raises(UsageError, match="unknown parameter"):
        bind(info, {"c": "x"})
    required = query("a (iri, required)", "SELECT * WHERE { ?a ?p ?o }")
    with pytest.raises(UsageError, match="a \\(iri\\) is required"):
        bind(required, {"a": ""})
    none = query("none", "SELECT * WHERE { ?s ?p ?o }")
    assert bind(none, {}) == none.text
    nowhere = query("a (iri)", "ASK { ?a ?p ?o }")
    with pytest.raises(InputError, match="no WHERE"):
        bind(nowhere, {"a": "urn:a"})


def test_parse_param_args():
    assert parse_param_args(["actor=lat-id:x", " depth =3", "q=a=b"]) == {"actor": "lat-id:x", "depth": "3", "q": "a=b"}
    assert parse_param_args(None) == {}
    for bad in ("novalue", "1x=3", "a-b=3"):
        with pytest.raises(UsageError):
            parse_param_args([bad])


def test_binding_messages_name_what_is_wrong(query):
    info = query("b (iri); a (string)", "SELECT * WHERE { ?a ?p ?b }")
    with pytest.raises(UsageError) as err:
        bind(info, {"d": "1", "c": "2"})
    assert str(err.value) == "query q: unknown parameter(s) c, d; declared: a, b"
    with pytest.raises(UsageError) as err:
        bind(query("none", "SELECT * WHERE { ?s ?p ?o }"), {"x": "1"})
    assert str(err.value).endswith("declared: none")
    nowhere = query("a (iri)", "ASK { ?a ?p ?o }")
    with pytest.raises(InputError) as err:
        bind(nowhere, {"a": "urn:a"})
    assert str(err.value).startswith(f"{nowhere.path}: no WHERE")
    with pytest.raises(UsageError, match=r"unknown prefix 'nope' \(known: .*lat, lat-g, lat-id") as err:
        expand_iri("nope:x/y")
    with pytest.raises(UsageError, match=r"prefixes: .*lat, lat-g, lat-id"):
        expand_iri("plain")
    with pytest.raises(InputError, match="one of iri, date, integer, string, boolean"):
        parse_params("x (float)")
    with pytest.raises(UsageError, match="expected NAME=VALUE"):
        parse_param_args(["novalue"])


def test_bind_details(query):
    marked = query("a (iri)", "SELECT * {\n# @params\n ?s ?p ?o }\n")
    assert bind(marked, {}).endswith("SELECT * {\n  \n ?s ?p ?o }\n"), "no parameter given: the marker goes"
    indented = query("a (iri)", "   # WHERE { not here\nSELECT * WHERE { ?a ?p ?o }\n")
    assert "   # WHERE { not here\nSELECT * WHERE {\n  VALUES (?a)" in bind(indented, {"a": "urn:a"})
    other = "SELECT * WHERE { ?a ?q ?o }"
    assert bind(marked, {"a": "urn:a"}, text=other) == "SELECT * WHERE {\n  VALUES (?a) { (<urn:a>) }\n ?a ?q ?o }"


def test_terms_of_unusual_values():
    import pyoxigraph as ox

    assert sparql_term(P("iri"), ox.NamedNode("urn:a")) == "<urn:a>"
    assert sparql_term(P("string"), "XBRL") == '"XBRL"'
    with pytest.raises(UsageError, match="not an xsd:date"):
        sparql_term(P("date"), 20040101)
    assert parse_param_args(["Actor=x", "_n=1"]) == {"Actor": "x", "_n": "1"}
