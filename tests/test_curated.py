"""Checks on the curated graph (kg/data): verbatim quotes, provenance, codes, dates, and key facts."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, Literal, URIRef
from rdflib.namespace import XSD

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "kg" / "data"
PASSAGES_TTL = REPO / "ontology" / "passages.ttl"

LAT = rdflib.Namespace("https://w3id.org/lattice/ontology#")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
LAT_ID = "https://w3id.org/lattice/id/"
LAT_SRC = "https://w3id.org/lattice/source/"

DATE_PROPERTIES = [
    LAT[p]
    for p in (
        "startDate",
        "endDate",
        "foundingDate",
        "dissolutionDate",
        "observationDate",
        "signatureDate",
        "ratificationDate",
        "entryIntoForceDate",
        "exitDate",
    )
]
MAX_QUOTE_WORDS = 25


# ---------------------------------------------------------------- helpers


def normalise(text: str) -> str:
    """Fold curly quotes, drop emphasis marks, join words split by a line-break hyphen, collapse whitespace."""
    text = (
        text.replace("\u2018", "'")
        .replace("\u2019", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("*", "")
    )
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def missing_quotes(graph: rdflib.Graph, seed_texts: dict[str, str]) -> list[str]:
    """Messages for every lat:quote that does not occur in its document's seed text."""
    normalised = {doc: normalise(t) for doc, t in seed_texts.items()}
    problems = []
    for passage, quote in sorted(graph.subject_objects(LAT.quote)):
        doc = graph.value(passage, LAT.document)
        text = normalised.get(str(doc))
        if text is None:
            problems.append(f"{passage}: document {doc} has no seed text")
        elif normalise(str(quote)) not in text:
            problems.append(f"{passage}: quote not found in {doc}: {str(quote)!r}")
    return problems


def curated_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.ttl"))


def load(paths) -> rdflib.Graph:
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


@pytest.fixture(scope="module")
def curated() -> rdflib.Graph:
    files = curated_files()
    if not files:
        pytest.fail("kg/data holds no curated Turtle files")
    return load(files)


@pytest.fixture(scope="module")
def with_passages(curated) -> rdflib.Graph:
    """The curated graph plus the ontology's documents and passages (when that file exists)."""
    g = rdflib.Graph()
    g += curated
    if PASSAGES_TTL.exists():
        g.parse(PASSAGES_TTL, format="turtle")
    return g


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    from kg.paths import shared_dir
    from tests.support import need_shared

    shared = shared_dir()
    return need_shared(shared / "seeds" if shared else None, "../shared/seeds")


@pytest.fixture(scope="module")
def seed_texts(with_passages, seeds_dir) -> dict[str, str]:
    """Seed text per document IRI: lat:seedFile where declared, else the file named after the document slug."""
    texts = {}
    docs = set(with_passages.objects(None, LAT.document)) | set(with_passages.subjects(RDF.type, LAT.SourceDocument))
    for doc in docs:
        seed_file = with_passages.value(doc, LAT.seedFile)
        if seed_file is not None and (seeds_dir / str(seed_file)).is_file():
            path = seeds_dir / str(seed_file)
        else:
            slug = str(doc).rsplit("/", 1)[-1]
            found = sorted(seeds_dir.glob(f"{slug}*.txt"))
            if not found:
                continue
            path = found[0]
        texts[str(doc)] = path.read_text(encoding="utf-8")
    return texts


# ---------------------------------------------------------------- quotes


def test_normalise_joins_line_break_hyphens_and_folds_quotes():
    assert normalise("mili-\n\ntary  \u201cco\u2019op\u201d\n*x*") == 'military "co\'op" x'


def test_missing_quotes_names_the_offending_quote():
    g = rdflib.Graph()
    doc = URIRef(LAT_SRC + "doc")
    good, bad = URIRef(LAT_SRC + "doc-good"), URIRef(LAT_SRC + "doc-bad")
    for p, q in ((good, "networks of\ngovernment officials"), (bad, "an invented sentence")):
        g.add((p, RDF.type, LAT.SourcePassage))
        g.add((p, LAT.document, doc))
        g.add((p, LAT.quote, Literal(q)))
    problems = missing_quotes(g, {str(doc): "Global networks of government officials meet."})
    assert len(problems) == 1 and "an invented sentence" in problems[0]


def test_every_quote_occurs_verbatim_in_its_seed_text(with_passages, seed_texts):
    problems = missing_quotes(with_passages, seed_texts)
    assert not problems, "quotes not found in the seed texts:\n" + "\n".join(problems)


def test_curated_quotes_are_short(curated):
    long = [
        f"{p} ({len(str(q).split())} words)"
        for p, q in curated.subject_objects(LAT.quote)
        if len(str(q).split()) > MAX_QUOTE_WORDS
    ]
    assert not long, "quotes longer than 25 words:\n" + "\n".join(long)


def test_every_passage_has_document_and_locator(curated):
    bad = [
        str(p)
        for p in curated.subjects(RDF.type, LAT.SourcePassage)
        if curated.value(p, LAT.document) is None
        or curated.value(p, LAT.locator) is None
        or curated.value(p, LAT.quote) is None
    ]
    assert not bad, f"passages lacking document, locator or quote: {bad}"


def test_no_passage_is_declared_twice():
    """A passage IRI is declared (typed lat:SourcePassage) in one file only, with one quote."""
    declared = defaultdict(list)
    for path in curated_files() + ([PASSAGES_TTL] if PASSAGES_TTL.exists() else []):
        g = load([path])
        for p in g.subjects(RDF.type, LAT.SourcePassage):
            declared[str(p)].append(path.name)
            quotes = list(g.objects(p, LAT.quote))
            assert len(quotes) <= 1, f"{p} has {len(quotes)} quotes in {path.name}"
    twice = {p: files for p, files in declared.items() if len(files) > 1}
    assert not twice, f"passages declared more than once: {twice}"


# ---------------------------------------------------------------- provenance


def test_every_entity_and_record_has_a_source(curated):
    datasets = set(curated.subjects(RDF.type, LAT.Dataset))
    # a modelling assumption is the project's own, not a fact about the world: it carries its justification
    assumptions = set(curated.subjects(RDF.type, LAT.ModellingAssumption))
    # a retired IRI is kept only as an identifier (kg/data/retired.ttl): it states nothing
    assumptions |= set(curated.subjects(OWL.deprecated, None))
    unsourced = sorted(
        str(s)
        for s in set(curated.subjects(RDF.type, None))
        if isinstance(s, URIRef)
        and str(s).startswith(LAT_ID)
        and s not in datasets | assumptions
        and (s, DCT.source, None) not in curated
    )
    assert not unsourced, "entities or records without dcterms:source:\n" + "\n".join(unsourced)


def test_every_reified_statement_has_a_source(curated):
    bad = [str(st) for st in curated.subjects(RDF.type, RDF.Statement) if (st, DCT.source, None) not in curated]
    assert not bad, f"{len(bad)} reified statements without dcterms:source"


def test_every_source_is_a_declared_passage_or_dataset(curated, with_passages):
    declared = set(with_passages.subjects(RDF.type, LAT.SourcePassage)) | set(
        with_passages.subjects(RDF.type, LAT.Dataset)
    )
    undeclared = sorted({str(o) for o in curated.objects(None, DCT.source) if o not in declared})
    assert not undeclared, "dcterms:source targets that are neither passages nor data sets:\n" + "\n".join(undeclared)


def test_passages_point_at_the_three_documents(curated):
    docs = {str(d) for d in curated.objects(None, LAT.document)}
    assert docs <= {LAT_SRC + d for d in ("slaughter-2004", "letwin-2023", "pureza-2002")}, docs


def test_entities_referenced_are_declared(curated, with_passages):
    """Every lat-id: IRI used in the curated graph is typed there or in the ontology's passages."""
    typed = set(with_passages.subjects(RDF.type, None))
    dangling = sorted(
        {
            str(x)
            for s, p, o in curated
            for x in (s, o)
            if isinstance(x, URIRef) and str(x).startswith(LAT_ID) and x not in typed
        }
    )
    assert not dangling, "referenced but never declared:\n" + "\n".join(dangling)


# ---------------------------------------------------------------- codes and dates


def test_state_iso3_codes_are_valid(curated):
    pycountry = pytest.importorskip("pycountry")
    states = list(curated.subjects(RDF.type, LAT.State))
    assert states
    for st in states:
        code = curated.value(st, LAT.iso3)
        assert code is not None, f"{st} has no lat:iso3"
        assert pycountry.countries.get(alpha_3=str(code)) is not None, f"{st}: {code} is not ISO 3166-1 alpha-3"
        assert str(st) == f"{LAT_ID}state/{code}", f"{st} does not follow lat-id:state/<ISO3>"


def test_cow_codes_match_the_cow_table(curated):
    from kg.paths import shared_dir

    shared = shared_dir()
    table = shared / "data" / "cow-igo-v3" / "COW_country_codes.csv" if shared else None
    from tests.support import need_shared

    need_shared(table, "COW_country_codes.csv in ../shared/data")
    pycountry = pytest.importorskip("pycountry")
    text = table.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    names = defaultdict(set)
    for row in csv.DictReader(text.splitlines()):
        names[int(row["CCode"])].add(row["StateNme"].strip().lower())
    for st in curated.subjects(RDF.type, LAT.State):
        code = curated.value(st, LAT.cowCode)
        if code is None:
            continue
        assert int(code) in names, f"{st}: COW code {code} not in the COW table"
        country = pycountry.countries.get(alpha_3=str(curated.value(st, LAT.iso3)))
        candidates = {
            country.name.lower(),
            getattr(country, "common_name", country.name).lower(),
            str(curated.value(st, rdflib.RDFS.label)).lower(),
        }
        assert any(c in n or n in c for c in candidates for n in names[int(code)]), (
            f"{st}: COW code {code} names {names[int(code)]}, not {candidates}"
        )


def test_cow_codes_cite_the_cow_data_set(curated):
    cited = {
        (curated.value(st, RDF.subject))
        for st in curated.subjects(RDF.predicate, LAT.cowCode)
        if (st, DCT.source, URIRef(LAT_ID + "dataset/cow-state-codes")) in curated
    }
    coded = set(curated.subjects(LAT.cowCode, None))
    assert coded and coded <= cited, f"COW codes without the data set citation: {coded - cited}"


def test_every_date_is_an_xsd_date(curated):
    bad = []
    for prop in DATE_PROPERTIES:
        for s, o in curated.subject_objects(prop):
            if not (isinstance(o, Literal) and o.datatype == XSD.date):
                bad.append(f"{s} {prop} {o!r}")
    for st in curated.subjects(RDF.predicate, None):
        if curated.value(st, RDF.predicate) in DATE_PROPERTIES:
            o = curated.value(st, RDF.object)
            if not (isinstance(o, Literal) and o.datatype == XSD.date):
                bad.append(f"reified {curated.value(st, RDF.subject)} {o!r}")
    assert not bad, "dates that are not xsd:date:\n" + "\n".join(bad)


def test_temporal_precision_values(curated):
    values = {str(o) for o in curated.objects(None, LAT.temporalPrecision)}
    assert values <= {"year", "month", "day"}, values


def test_start_not_after_end(curated):
    bad = []
    for s, start in curated.subject_objects(LAT.startDate):
        end = curated.value(s, LAT.endDate)
        if end is not None and start.toPython() > end.toPython():
            bad.append(str(s))
    assert not bad, bad


# ---------------------------------------------------------------- records


def test_accountability_records_are_complete(curated):
    records = list(curated.subjects(RDF.type, LAT.AccountabilityRelation))
    assert records
    for r in records:
        for prop in (LAT.accountableActor, LAT.forum, LAT.derivation, DCT.source):
            assert curated.value(r, prop) is not None, f"{r} lacks {prop}"
        basis = curated.value(r, LAT.derivation)
        assert basis in (LAT.Stated, LAT.Interpreted, LAT.Proposed), f"{r}: derived records are not curated"
        if basis != LAT.Proposed:  # a proposal may leave the mechanism open
            assert curated.value(r, LAT.mechanism) is not None and curated.value(r, LAT.direction) is not None, r
    kinds = {curated.value(r, LAT.derivation) for r in records}
    assert kinds == {LAT.Stated, LAT.Interpreted, LAT.Proposed}


def test_record_iris_follow_the_patterns(curated):
    patterns = {
        ORG.Membership: r"membership/[a-z0-9-]+--[a-z0-9-]+(--\d+)?",
        LAT.AccountabilityRelation: r"accountability/[a-z0-9-]+--[a-z0-9-]+--[a-z]+",
        LAT.CountObservation: r"count/[a-z0-9-]+--[a-z0-9-]+",
        LAT.Delegation: r"delegation/[a-z0-9-]+--[a-z0-9-]+",
    }
    bad = [
        str(r)
        for cls, pat in patterns.items()
        for r in curated.subjects(RDF.type, cls)
        if not re.fullmatch(LAT_ID + pat, str(r))
    ]
    assert not bad, "record IRIs off pattern:\n" + "\n".join(bad)


def test_memberships_name_member_and_body(curated):
    for m in curated.subjects(RDF.type, ORG.Membership):
        assert curated.value(m, ORG.member) is not None, m
        assert curated.value(m, ORG.organization) is not None, m


def _accountable_to(graph) -> dict:
    edges = defaultdict(set)
    for r in graph.subjects(RDF.type, LAT.AccountabilityRelation):
        edges[graph.value(r, LAT.accountableActor)].add(graph.value(r, LAT.forum))
    return edges


def _reach(edges, start) -> set:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_fatf_is_accountable_through_members_to_electorates(accountability_store):
    """The demo question: the FATF answers to member ministries, which answer to legislatures, then electorates."""
    prologue = "PREFIX lat: <https://w3id.org/lattice/ontology#> PREFIX org: <http://www.w3.org/ns/org#> "
    kinds = {
        r[0].value
        for r in accountability_store.query(
            prologue + "SELECT DISTINCT ?k WHERE { <" + LAT_ID + "fatf> lat:accountableTo+ ?n . ?n a ?k }",
            use_default_graph_as_union=True,
        )
    }
    assert {str(LAT.FinanceMinistry), str(LAT.Legislature), str(LAT.Electorate)} <= kinds
    # each electorate reached is the constituency of a state whose ministry sits in the FATF
    stray = list(
        accountability_store.query(
            prologue
            + """SELECT ?e WHERE {
        <"""
            + LAT_ID
            + """fatf> lat:accountableTo+ ?e . ?e a lat:Electorate ; lat:constituencyOf ?state .
        FILTER NOT EXISTS { ?m org:organization <"""
            + LAT_ID
            + """fatf> ; org:member ?min .
                            ?min a lat:FinanceMinistry ; lat:componentOf ?state } }""",
            use_default_graph_as_union=True,
        )
    )
    assert stray == []


def test_every_network_with_members_has_an_accountability_record(accountability_store):
    """Networks whose members the data sets record answer to those members (derived records)."""
    for n in ("fatf", "g20", "g7", "g8", "iosco", "iais", "basel-committee"):
        ask = f"ASK {{ ?r <{LAT}accountableActor> <{LAT_ID}{n}> ; <{LAT}derivedBy> ?rule }}"
        assert accountability_store.query(ask, use_default_graph_as_union=True), f"{n} has no accountability record"


# ---------------------------------------------------------------- facts checked against the seed texts


def _count(graph, body: str, year: int):
    for obs in graph.subjects(LAT.countOf, URIRef(LAT_ID + body)):
        if graph.value(obs, LAT.observationDate).toPython().year == year:
            return int(graph.value(obs, LAT["count"]))
    return None


def test_cmf_counts_match_the_text(curated, seed_texts):
    text = normalise(seed_texts[LAT_SRC + "letwin-2023"])
    m = re.search(r"established in (\d{4}).*?beginning with (\d+) countries, and expanding to (\d+) by (\d{4})", text)
    assert m, "the CMF sentence is no longer in the seed text"
    founded, first, later, year = (int(x) for x in m.groups())
    assert _count(curated, "combined-maritime-forces", founded) == first
    assert _count(curated, "combined-maritime-forces", year) == later


def test_ottawa_conference_counts_match_the_text(curated, seed_texts):
    text = normalise(seed_texts[LAT_SRC + "pureza-2002"])
    m = re.search(r"Ottawa Conference in (\d{4}).*?in which (\d+) states participated, \((\d+) of whom", text)
    assert m
    year, states, ban = (int(x) for x in m.groups())
    counts = sorted(
        int(curated.value(o, LAT["count"]))
        for o in curated.subjects(LAT.countOf, URIRef(LAT_ID + f"ottawa-conference-{year}"))
    )
    assert counts == sorted([states, ban])


def test_balkans_contact_group_members_match_the_text(curated, seed_texts):
    text = normalise(seed_texts[LAT_SRC + "letwin-2023"])
    m = re.search(r"Contact Group established for the Balkans in the 1990s, composed of the ([^.]+)\.", text)
    assert m
    named = {n.strip() for n in re.split(r",| and ", m.group(1).replace("the ", "")) if n.strip()}
    alias = {"US": "USA", "UK": "GBR", "France": "FRA", "Germany": "DEU", "Italy": "ITA", "Russia": "RUS"}
    expected = {URIRef(f"{LAT_ID}state/{alias[n]}") for n in named}
    body = URIRef(LAT_ID + "balkans-contact-group")
    members = {curated.value(m, ORG.member) for m in curated.subjects(ORG.organization, body)}
    assert members == expected
