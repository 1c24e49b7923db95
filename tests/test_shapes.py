"""Tests of the SHACL shapes in shapes/: each shape fires on its violating fixture, exactly, and not on its conforming one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.paths import ONTOLOGY_DIR, SHAPES_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
EX = "http://example.org/lattice-test/"
LAT = "https://w3id.org/lattice/ontology#"
LAT_SH = "https://w3id.org/lattice/shapes#"
SH = "http://www.w3.org/ns/shacl#"
ONTOLOGY_IRI = "https://w3id.org/lattice/ontology"

FAMILIES = [
    "integrity",
    "deliberative-equality",
    "legitimate-difference",
    "positive-comity",
    "checks-and-balances",
    "subsidiarity",
    "accountability",
    "ngo-accountability",
    "spic",
    "ontology-values",
    "events-and-claims",
    "derivation",
    "measured-principles",
]
# Families of data-integrity shapes (violations, no norm); the others encode the texts' principles.
INTEGRITY_FAMILIES = {"integrity", "ontology-values", "events-and-claims", "derivation"}


ENGINES = [
    "pyshacl",
    "fast",
]

# For each shapes file, the results its violating fixture must give: shape -> {(focus, severity)}.
V, W, I = "Violation", "Warning", "Info"
EXPECTED = {
    "integrity": {
        "MembershipMember": {("m-no-member", V)},
        "MembershipOrganization": {("m-no-organization", V)},
        "MembershipStatusValue": {("m-bad-status", V)},
        "DatesAreXsdDates": {("m-string-date", V)},
        "OneStartDate": {("m-two-starts", V)},
        "OneEndDate": {("m-two-ends", V)},
        # the plain-string end date cannot be compared with a date: SHACL makes that a result too
        "IntervalEndsAfterStart": {("m-ends-before-start", V), ("m-string-date", V)},
        "DissolutionAfterFounding": {("org-dissolved-before-founded", V)},
        "TemporalPrecisionValue": {("m-bad-precision", V)},
        "YearPrecisionDates": {("m-year-mid-year", V)},
        "AccountabilityActor": {("acc-no-actor", V)},
        "AccountabilityForum": {("acc-no-forum", V)},
        "AccountabilityNotToItself": {("acc-to-itself", V)},
        "AccountabilityMechanismValue": {("acc-no-mechanism", V)},
        "AccountabilityDirectionValue": {("acc-bad-direction", V)},
        "AccountabilityBasisValue": {("acc-bad-basis", V)},
        "AccountabilityDerivationValue": {("acc-no-derivation", V)},
        "InstitutionOfOneState": {("stateless-agency", V)},
        "StateIso3": {("state-bad-iso", V)},
        "StateCowCode": {("state-bad-cow", V)},
        "CountObservationCount": {("count-negative", V)},
        "CountObservationSubject": {("count-of-nothing", V)},
        "CountObservationDate": {("count-undated", V)},
        "DelegationDelegator": {("delegation-no-delegator", V)},
        "DelegationDelegate": {("delegation-no-delegate", V)},
        "DelegationJurisdictionKindValue": {("delegation-bad-kind", V)},
        "TreatyParticipationParty": {("tp-party-not-state", V)},
        "TreatyParticipationTreaty": {("tp-no-treaty", V)},
        "PartnershipPartners": {("partnership-of-one", V)},
        "PassageDocument": {("passage-no-document", V)},
        "PassageQuote": {("passage-no-quote", V)},
        "RegimeObservationState": {("obs-no-state", V), ("obs-state-not-a-state", V)},
        "RegimeObservationYear": {("obs-year-string", V)},
        "RegimeObservationCoding": {("obs-coded-twice", V), ("obs-coded-one", V)},
        "RegimeSpellYears": {("spell-backwards", V)},
        "EveryFactHasSource": {("unsourced-ngo", V), ("spell-unsourced", V)},
        "EntityHasLabel": {("unlabelled-ngo", V)},
        "NoUndeclaredTerm": {(ONTOLOGY_IRI, V)},
    },
    "deliberative-equality": {
        "NetworkOpenToSociety": {("closed-network", I)},
        "NoRuleMakingClub": {("club", W)},
    },
    "legitimate-difference": {
        "HarmonizationByConsent": {("majority-harmonizer", W), ("weighted-rule-maker", W)},
    },
    "positive-comity": {
        "NetworkPractisesActiveCooperation": {("rules-only-network", I), ("functionless-network", I)},
    },
    "checks-and-balances": {
        "SupranationalWorksThroughNationalInstitutions": {("supra-unbalanced", W)},
        "VerticalNetworkHasNationalCounterpart": {("vertical-supra-only", W)},
    },
    "subsidiarity": {
        "SupranationalAuthorityDelegated": {("undelegated-supra", W)},
        "DelegationKeepsNationalPrimacy": {("primary-delegation", I)},
    },
    "accountability": {
        "NetworkHasGovernmentCore": {("states-only-network", W)},
        "NetworkCoreAnswersToConstituency": {("states-only-network", W), ("unanchored-network", W)},
        "SupranationalCheckedByNationalCounterparts": {("unchecked-supra", W), ("unchecked-delegate", W)},
    },
    "ngo-accountability": {
        "NGOAccountableUpward": {("downward-only-ngo", W), ("silent-ngo", W)},
        "NGOAccountableDownward": {("upward-only-ngo", W), ("silent-ngo", W)},
    },
    "measured-principles": {
        "AuthorityWithoutNationalCourts": {("obs-high-2000", W), ("obs-binding-2000", W)},
        "BodyMeasuredClosed": {("bobs-closed-2010", W)},
        "AuthorityWithNoAccessRecord": {("io-high", I)},
    },
    "spic": {
        "SpicStatesOnePurpose": {("spic-no-purpose", W), ("spic-two-purposes", W)},
        "SpicNoMissionCreep": {("spic-creep", W)},
        "SpicParticipationVoluntary": {("spic-compulsory", W)},
        "SpicNotContingentOnOneState": {("spic-contingent", W)},
        "SpicOutsideUN": {("spic-within-un", W), ("un-agency", W)},
        "SpicNotHostedByExistingOrganization": {("spic-hosted", W)},
        "SpicNoDomesticValueTest": {("spic-value-test", W)},
    },
    "ontology-values": {
        "NetworkFunctionValue": {("bad-function", V)},
        "FormalityValue": {("bad-formality", V)},
        "NetworkScopeValue": {("bad-networkScope", V)},
        "NetworkLevelValue": {("bad-networkLevel", V)},
        "DecisionMethodValue": {("bad-decisionMethod", V)},
        "CommonChallengeValue": {("bad-addressesChallenge", V)},
        "ParticipationLevelValue": {("bad-participationLevel", V)},
        "SovereigntyConceptionValue": {("bad-holdsConception", V)},
        "CommonHeritageAgeValue": {("bad-commonHeritageAge", V)},
        "PowerKindValue": {("bad-exercisesPower", V)},
        "NormScopeValue": {("bad-normScope", V)},
        "InclusionPrincipleValue": {("bad-inclusionPrinciple", V)},
    },
    "events-and-claims": {
        "EventHasLabel": {("event-unlabelled", V)},
        "EventCitesPassage": {("event-unsourced", V), ("event-from-dataset", V)},
        "EventOneInterval": {("event-two-times", V)},
        "ParticipationParticipant": {("part-no-participant", V)},
        "ParticipationTarget": {("part-two-targets", V)},
        "ParticipationRoleValue": {("part-no-role", V)},
        "ParticipationCitesPassage": {("part-unsourced", V)},
        "ClaimHolder": {("claim-no-holder", V)},
        "ClaimStanceValue": {("claim-two-stances", V), ("claim-bad-stance", V)},
        "ClaimAbout": {("claim-about-nothing", V)},
        "ClaimCitesPassage": {("claim-unsourced", V)},
    },
    "derivation": {
        "RelationHasOneBasis": {("acc-no-basis", V), ("acc-two-bases", V)},
        "DerivedNamesRule": {("delegation-two-rules", V)},
        "DerivedNamesPremises": {("delegation-no-premise", V)},
        "RuleNamesFile": {("rule-no-file", V)},
        "DerivedRelationHasRule": {("acc-derived-by-hand", V)},
        "TextualRelationCitesPassage": {("acc-stated-no-passage", V)},
        "InterpretedHasNote": {("acc-interpreted-no-note", V)},
        "RuleIsGrounded": {("rule-ungrounded", V)},
    },
}

ALL_NORMS = {
    "GlobalDeliberativeEquality",
    "LegitimateDifference",
    "PositiveComity",
    "ChecksAndBalances",
    "Subsidiarity",
    "AccountabilityToConstituencies",
    "NGODualAccountability",
    "SinglePurpose",
    "VoluntaryParticipation",
    "Multipolarity",
    "OutsideExistingStructures",
    "NoDomesticValueTest",
}


def _iri(name: str) -> str:
    return name if name.startswith("http") else EX + name


def ontology_files() -> list[Path]:
    return sorted(Path(ONTOLOGY_DIR).glob("*.ttl"))


def run(fixtures, shapes, engine="pyshacl"):
    """Validate the ontology, the shared background and FIXTURES (paths) against the shapes files SHAPES."""
    from kg.validate import validate

    files = [*ontology_files(), FIXTURES / "base.ttl", *fixtures]
    return validate([str(f) for f in files], shapes=shapes, engine=engine)


def shapes_graph(stems=None):
    import rdflib

    g = rdflib.Graph()
    for stem in stems or FAMILIES:
        g.parse(Path(SHAPES_DIR) / f"{stem}.ttl", format="turtle")
    return g


def named_shapes(stem: str) -> set[str]:
    """The local names of the lat-sh: shapes of one file that have a target (the shapes that report)."""
    import rdflib

    g = shapes_graph([stem])
    sh = rdflib.Namespace(SH)
    targets = [sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.targetObjectsOf]
    out = set()
    for s in set(g.subjects()):
        if isinstance(s, rdflib.URIRef) and str(s).startswith(LAT_SH) and any((s, t, None) in g for t in targets):
            out.add(str(s)[len(LAT_SH) :])
    return out


# --------------------------------------------------------------------------------------------- fixtures


def test_every_shapes_file_is_covered():
    assert sorted(p.stem for p in Path(SHAPES_DIR).glob("*.ttl")) == sorted(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES)
def test_expectations_name_every_shape(family):
    # a shape without a violating example could never fire unnoticed
    assert named_shapes(family) == set(EXPECTED[family])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("family", FAMILIES)
def test_violating_fixture_gives_exact_results(family, engine):
    report = run([FIXTURES / f"{family}-violates.ttl"], [family], engine)
    assert not report.conforms
    for shape, expected in EXPECTED[family].items():
        got = {(r.focus, r.severity) for r in report.results_for(LAT_SH + shape)}
        assert got == {(_iri(f), sev) for f, sev in expected}, shape
    stray = {r.shape for r in report.results} - {LAT_SH + s for s in EXPECTED[family]}
    assert not stray


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("family", FAMILIES)
def test_conforming_fixture_gives_no_result(family, engine):
    report = run([FIXTURES / f"{family}-conforms.ttl"], [family], engine)
    assert report.results == []
    assert report.conforms


@pytest.mark.parametrize("family", [f for f in FAMILIES if f not in INTEGRITY_FAMILIES])
def test_principle_fixtures_are_sound_data(family):
    # the principle fixtures are themselves valid data: only principles, never integrity, can fail on them
    for kind in ("conforms", "violates"):
        report = run([FIXTURES / f"{family}-{kind}.ttl"], ["integrity"], "fast")
        assert report.results == [], kind


@pytest.mark.parametrize("engine", ENGINES)
def test_undeclared_terms_are_named(engine):
    report = run([FIXTURES / "integrity-violates.ttl"], ["integrity"], engine)
    values = {r.value for r in report.results_for("lat-sh:NoUndeclaredTerm")}
    assert values == {LAT + "Observer", LAT + "Sideways", LAT + "fundedBy"}
    for r in report.results_for("lat-sh:NoUndeclaredTerm"):
        assert r.value in r.message  # the message names the undeclared term


# --------------------------------------------------------------------------------------------- dates

DATE_PREFIX = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix lat: <https://w3id.org/lattice/ontology#> .
@prefix ex: <http://example.org/lattice-test/> .
ex:net a lat:GovernmentNetwork ; rdfs:label "a network" ; dcterms:source ex:passage .
"""


def _membership(tmp_path, start: str, end: str) -> Path:
    path = tmp_path / "membership.ttl"
    path.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        + DATE_PREFIX
        + f"ex:m a org:Membership ; org:member ex:regulatorA ; org:organization ex:net ;\n"
        f"    lat:startDate {start} ; lat:endDate {end} ; dcterms:source ex:passage .\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_end_before_start_is_a_violation(tmp_path, engine):
    report = run([_membership(tmp_path, '"2009-01-01"^^xsd:date', '"2008-12-31"^^xsd:date')], ["integrity"], engine)
    assert [(r.focus, r.severity) for r in report.results_for("lat-sh:IntervalEndsAfterStart")] == [
        (EX + "m", "Violation")
    ]
    assert len(report.results) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_end_equal_to_start_conforms(tmp_path, engine):
    report = run([_membership(tmp_path, '"2009-01-01"^^xsd:date', '"2009-01-01"^^xsd:date')], ["integrity"], engine)
    assert report.results == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("end", ['"2010-01-01"', '"2005-01-01"'])
def test_plain_string_date_is_a_datatype_violation(tmp_path, engine, end):
    # whether the string sorts after or before the start, it is never silently compared as a date
    report = run([_membership(tmp_path, '"2009-01-01"^^xsd:date', end)], ["integrity"], engine)
    datatype = report.results_for("lat-sh:DatesAreXsdDates")
    assert [(r.focus, r.severity, r.value) for r in datatype] == [(EX + "m", "Violation", end)]
    assert datatype[0].component == SH + "DatatypeConstraintComponent"
    interval = report.results_for("lat-sh:IntervalEndsAfterStart")
    assert [(r.focus, r.severity) for r in interval] == [(EX + "m", "Violation")]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "start", ['"2009"^^xsd:gYear', '"2009-01-01T00:00:00"^^xsd:dateTime', '"2009-02-30"^^xsd:date']
)
def test_other_date_forms_are_rejected(tmp_path, engine, start):
    report = run([_membership(tmp_path, start, '"2010-01-01"^^xsd:date')], ["integrity"], engine)
    assert [(r.focus, r.severity) for r in report.results_for("lat-sh:DatesAreXsdDates")] == [(EX + "m", "Violation")]


# --------------------------------------------------------------------------------------------- the shapes graph


def _meta_validate(g):
    import pyshacl
    import rdflib

    meta = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    meta_g = rdflib.Graph().parse(meta, format="turtle")
    conforms, _report, text = pyshacl.validate(g, shacl_graph=meta_g)
    return conforms, text


@pytest.mark.slow
def test_shapes_graph_passes_shacl_shacl():
    conforms, text = _meta_validate(shapes_graph())
    assert conforms, text


def test_shacl_shacl_catches_a_broken_shape():
    import rdflib

    g = shapes_graph(["spic"])
    g.add((rdflib.URIRef(LAT_SH + "SpicNoMissionCreep"), rdflib.URIRef(SH + "maxCount"), rdflib.Literal("one")))
    conforms, _text = _meta_validate(g)
    assert not conforms


def _shape_facts():
    import rdflib

    g = shapes_graph()
    sh = rdflib.Namespace(SH)
    lat = rdflib.Namespace(LAT)
    facts = {}
    for family in FAMILIES:
        for name in named_shapes(family):
            s = rdflib.URIRef(LAT_SH + name)
            facts[name] = {
                "family": family,
                "severity": set(g.objects(s, sh.severity)),
                "message": [m for m in g.objects(s, sh.message) if getattr(m, "language", None) == "en"],
                "description": list(g.objects(s, sh.description)),
                "norms": set(g.objects(s, lat.encodesNorm)),
            }
    return facts


def test_every_shape_has_message_description_and_deliberate_severity():
    import rdflib

    sh = rdflib.Namespace(SH)
    for name, f in _shape_facts().items():
        assert len(f["message"]) == 1 and len(f["description"]) == 1, name
        if f["family"] in INTEGRITY_FAMILIES:
            assert f["severity"] == {sh.Violation}, name
            assert f["norms"] == set(), name
        else:
            assert f["severity"] in ({sh.Warning}, {sh.Info}), name
            assert len(f["norms"]) == 1, name


def test_principle_shapes_encode_declared_norms_and_cover_every_norm():
    import rdflib

    onto = rdflib.Graph()
    for f in ontology_files():
        onto.parse(f, format="turtle")
    norm_class = rdflib.URIRef(LAT + "Norm")
    encoded = set()
    for name, f in _shape_facts().items():
        for n in f["norms"]:
            assert (n, rdflib.RDF.type, norm_class) in onto, (name, n)
            encoded.add(str(n)[len(LAT) :])
    assert encoded == ALL_NORMS


# --------------------------------------------------------------------------------------------- the curated graph


@pytest.mark.slow
def test_curated_graph_passes_integrity(built_store):
    from kg.validate import validate

    report = validate(built_store, shapes=["integrity"], engine="fast")
    offending = [(r.shape.rsplit("#", 1)[-1], r.focus, r.value) for r in report.results]
    assert offending == []


# --------------------------------------------------------------------------------------------- docs/principles.md

PRINCIPLES_MD = Path(__file__).resolve().parent.parent / "docs" / "principles.md"


def _blockquotes(text: str) -> list[str]:
    """The quoted passages of the Markdown blockquotes: the text between the outer straight quotes."""
    import re

    quotes, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith(">"):
            current.append(line[1:].strip())
        elif current:
            joined = " ".join(current)
            m = re.match(r'^"(.*?)"(?:\s+—.*)?$', joined)
            assert m, f"blockquote without a quoted passage: {joined}"
            quotes.append(m.group(1))
            current = []
    return quotes


def test_principles_doc_names_every_shape():
    text = PRINCIPLES_MD.read_text(encoding="utf-8")
    for family in FAMILIES:
        for name in named_shapes(family):
            assert f"lat-sh:{name}`" in text, name


def test_principles_doc_quotes_are_verbatim_and_short(shared_dir):
    import re

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s).strip()

    seeds = [norm(p.read_text(encoding="utf-8")) for p in sorted((shared_dir / "seeds").glob("*.txt"))]
    quotes = _blockquotes(PRINCIPLES_MD.read_text(encoding="utf-8"))
    assert len(quotes) >= 13
    for q in quotes:
        assert len(q.split()) <= 25, q
        assert any(norm(q) in s for s in seeds), q


@pytest.mark.slow
def test_engines_agree_on_the_curated_graph(built_store):
    # every shape, principle findings included: the two engines give the same results
    from kg.validate import validate

    fast = validate(built_store, engine="fast")
    reference = validate(built_store, engine="pyshacl")
    assert fast.keys() == reference.keys()
    assert fast.results, "the curated graph shows no principle finding at all"
