"""Tests of the ontology's content: the fixed vocabulary in its modules, module headers, sources, OWL 2 DL rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg import paths
from kg.version import __version__

LAT = rdflib.Namespace("https://w3id.org/lattice/ontology#")
LAT_SRC = "https://w3id.org/lattice/source/"
ONT = "https://w3id.org/lattice/ontology"
XSD = "http://www.w3.org/2001/XMLSchema#"
MODULES = [
    "actors",
    "organizations",
    "networks",
    "membership",
    "spic",
    "sovereignty",
    "norms",
    "accountability",
    "derivation",
    "regimes",
    "events",
    "roles",
    "claims",
    "provenance",
    "passages",
    "alignments",
    "measures",
]

# The vocabulary each module must declare (term names are stable IRIs: never renamed once published).
MODULE_TERMS = {
    "actors": [
        "Actor",
        "BeneficiaryGroup",
        "CentralBank",
        "Constituency",
        "ConstitutionalCourt",
        "Corporation",
        "Court",
        "Electorate",
        "Executive",
        "ExpertCommission",
        "FinanceMinistry",
        "ForeignMinistry",
        "GovernmentInstitution",
        "LawEnforcementAgency",
        "LegislativeCommittee",
        "Legislature",
        "Ministry",
        "NGO",
        "NonStateActor",
        "Official",
        "Post",
        "RegulatoryAgency",
        "Scholar",
        "StakeholderGroup",
        "State",
        "SupremeCourt",
        "TransnationalCoalition",
        "componentOf",
        "constituencyOf",
        "cowCode",
        "iso3",
        "officialName",
        "subunitOf",
    ],
    "organizations": [
        "Consensus",
        "DecisionMethod",
        "IntergovernmentalOrganization",
        "InternationalOrganization",
        "MajorityVoting",
        "NetworkOfNetworks",
        "QualifiedMajorityVoting",
        "SpecializedOrganization",
        "SupranationalInstitution",
        "Unanimity",
        "WeightedVoting",
        "WeightedVotingOrganization",
        "cowIgoCode",
        "decisionMethod",
        "dissolutionDate",
        "foundingDate",
        "headquarters",
        "hostedBy",
        "iigoId",
        "migoId",
        "organOf",
        "replacedBy",
    ],
    "networks": [
        "AgencyLevel",
        "Bilateral",
        "Enforcement",
        "EnforcementNetwork",
        "ExecutiveAgreement",
        "Formality",
        "Global",
        "GovernmentNetwork",
        "Harmonization",
        "HarmonizationNetwork",
        "HorizontalNetwork",
        "InformationExchange",
        "InformationNetwork",
        "JudicialLevel",
        "JudicialNetwork",
        "LawEnforcementNetwork",
        "LegislativeLevel",
        "LegislativeNetwork",
        "MinisterialLevel",
        "NetworkFunction",
        "NetworkLevel",
        "NetworkScope",
        "Plurilateral",
        "PolicyCoordination",
        "Regional",
        "RegulatoryNetwork",
        "RuleMaking",
        "Spontaneous",
        "TechnicalAssistance",
        "TreatyBased",
        "VerticalNetwork",
        "WithinOrganization",
        "counterpartOf",
        "formality",
        "function",
        "networkLevel",
        "networkScope",
        "regionalBodyOf",
    ],
    "membership": [
        "AssociateMember",
        "CountObservation",
        "continuesSeatOf",
        "FullMember",
        "MembershipStatus",
        "ObserverMember",
        "count",
        "countOf",
        "countedKind",
        "endDate",
        "memberOf",
        "membershipCriterion",
        "membershipStatus",
        "observationDate",
        "startDate",
        "temporalPrecision",
    ],
    "spic": [
        "AIGovernance",
        "ArmedConflict",
        "ClimateChange",
        "CommonChallenge",
        "ComplementsUNSystem",
        "Conference",
        "ContactGroup",
        "DiplomaticProcess",
        "Energy",
        "Environment",
        "ExpertLevel",
        "FinancialStability",
        "FoodSecurity",
        "HeadsOfStateLevel",
        "HumanRights",
        "Landmines",
        "MaritimeSecurity",
        "Migration",
        "MilitaryLevel",
        "MinisterialParticipation",
        "MoneyLaundering",
        "NaturalResources",
        "OfficialsLevel",
        "OutsideUNSystem",
        "Pandemics",
        "ParticipationLevel",
        "Partnership",
        "Piracy",
        "RelationToSystem",
        "SpecialPurposeCollaboration",
        "Terrorism",
        "TransnationalCrime",
        "Water",
        "WithinUNSystem",
        "addressesChallenge",
        "convenedBy",
        "declinedToJoin",
        "formationCondition",
        "formationContingentOn",
        "hasDomesticValueTest",
        "heldIn",
        "inclusionPrinciple",
        "mandate",
        "participantIn",
        "participationLevel",
        "participationVoluntary",
        "partner",
        "purpose",
        "relationToSystem",
    ],
    "sovereignty": [
        "CoercivePower",
        "CommonHeritageRegime",
        "ComplementaryJurisdiction",
        "Delegation",
        "DisaggregatedSovereignty",
        "DominionSovereignty",
        "FirstAgeCommonHeritage",
        "JurisdictionKind",
        "LegalInstrument",
        "MemorandumOfUnderstanding",
        "Moratorium",
        "PersuasivePower",
        "PowerKind",
        "PrimaryJurisdiction",
        "SecondAgeCommonHeritage",
        "SelectiveAdmissionPower",
        "ServiceSovereignty",
        "SovereigntyAsParticipation",
        "SovereigntyConception",
        "Treaty",
        "TreatyParticipation",
        "WestphalianSovereignty",
        "adoptedAt",
        "commonHeritageAge",
        "complementaryTo",
        "concerns",
        "declaredBy",
        "delegate",
        "delegatedAuthority",
        "delegator",
        "entryIntoForceDate",
        "establishes",
        "exercisesPower",
        "exitDate",
        "ggoTreatyId",
        "governsArea",
        "holdsConception",
        "jurisdictionKind",
        "party",
        "ratificationDate",
        "reliesOn",
        "signatureDate",
        "treaty",
    ],
    "norms": [
        "AccountabilityToConstituencies",
        "ChecksAndBalances",
        "CommonButDifferentiatedResponsibilities",
        "CommonHeritageOfHumanity",
        "FiveConstitutionalNorms",
        "GlobalDeliberativeEquality",
        "HorizontalScope",
        "IntergenerationalSolidarity",
        "IntragenerationalSolidarity",
        "LegitimateDifference",
        "Multipolarity",
        "NGODualAccountability",
        "NoDomesticValueTest",
        "Norm",
        "NormScope",
        "OutsideExistingStructures",
        "PositiveComity",
        "SinglePurpose",
        "Stewardship",
        "Subsidiarity",
        "SupranationalChecks",
        "VerticalScope",
        "VoluntaryParticipation",
        "encodesNorm",
        "normScope",
        "proponent",
    ],
    "accountability": [
        "AccountabilityBasis",
        "AccountabilityDirection",
        "AccountabilityMechanism",
        "AccountabilityRelation",
        "CharterBasis",
        "ConstitutionBasis",
        "ConventionBasis",
        "Derivation",
        "Derived",
        "Downward",
        "ElectoralAccountability",
        "FiscalAccountability",
        "FundingAgreementBasis",
        "HierarchicalAccountability",
        "LegalAccountability",
        "MarketAccountability",
        "MoUBasis",
        "PeerAccountability",
        "PublicReputationalAccountability",
        "Stated",
        "StatuteBasis",
        "SupervisoryAccountability",
        "TreatyBasis",
        "Upward",
        "accountableActor",
        "accountableTo",
        "basis",
        "derivation",
        "direction",
        "forum",
        "mechanism",
    ],
    "derivation": [
        "ActorGroup",
        "DerivationRule",
        "IntervalStatus",
        "Interpreted",
        "KnownInterval",
        "ModellingAssumption",
        "NationalBodyKind",
        "Proposed",
        "UnknownInterval",
        "assumes",
        "bodyClass",
        "bodySlug",
        "composedOf",
        "coverageEnd",
        "derivedBy",
        "groupOfMembersOf",
        "interpretationNote",
        "intervalStatus",
        "justification",
        "observedUntil",
        "readsTerm",
        "ruleFile",
    ],
    "regimes": [
        "DemocraticSpell",
        "NonDemocraticSpell",
        "RegimeObservation",
        "RegimeSpell",
        "democratic",
        "endsWithChange",
        "firstYear",
        "lastYear",
        "leftCensored",
        "regimeState",
        "rightCensored",
        "sourceLine",
        "startsWithChange",
        "year",
    ],
    "events": [
        "Crisis",
        "DecadeUnit",
        "Declaration",
        "Event",
        "Founding",
        "JudicialCitation",
        "Negotiation",
        "Publication",
        "Testimony",
        "Training",
        "founded",
        "precedes",
        "respondedTo",
        "resultedIn",
    ],
    "roles": [
        "AggressorRole",
        "AuthorRole",
        "ChairRole",
        "CitedCourtRole",
        "CitingCourtRole",
        "ContenderRole",
        "ConvenorRole",
        "DeclarantRole",
        "ForumRole",
        "FounderRole",
        "HearingBodyRole",
        "InitiatorRole",
        "LeaderRole",
        "MemberRole",
        "OrganiserRole",
        "Participation",
        "ParticipationRole",
        "ParticipationRoleScheme",
        "ParticipantRole",
        "ReferralCourtRole",
        "ReferringCourtRole",
        "TargetRole",
        "TestifierRole",
        "TraineeRole",
        "TrainerRole",
        "participant",
        "participationIn",
        "participationRole",
    ],
    "claims": [
        "Anticipates",
        "Asserts",
        "Claim",
        "Criticises",
        "Endorses",
        "Proposes",
        "Rejects",
        "Stance",
        "StanceScheme",
        "Topic",
        "TopicScheme",
        "about",
        "attacks",
        "cites",
        "claimant",
        "stance",
        "supersedes",
        "supports",
    ],
    "provenance": ["Dataset", "SourceDocument", "SourcePassage", "document", "locator", "quote", "seedFile"],
}


def _parse(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def modules() -> dict[str, rdflib.Graph]:
    return {p.stem: _parse(p) for p in sorted(paths.ONTOLOGY_DIR.glob("*.ttl"))}


@pytest.fixture(scope="module")
def onto(modules) -> rdflib.Graph:
    g = rdflib.Graph()
    for m in modules.values():
        g += m
    for p in sorted((paths.ONTOLOGY_DIR / "external").glob("*.ttl")):
        g += _parse(p)
    return g


def _declared(g: rdflib.Graph) -> set[str]:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}
    return {
        str(s)[len(str(LAT)) :]
        for s, _, k in g.triples((None, RDF.type, None))
        if k in kinds and str(s).startswith(str(LAT))
    }


def test_every_module_file_is_present_and_imported(modules):
    assert set(MODULES) | {"lattice"} <= set(modules)
    header = modules["lattice"]
    imported = {str(o) for o in header.objects(rdflib.URIRef(ONT), OWL.imports) if "/external/" not in str(o)}
    parts = {str(o) for o in header.objects(rdflib.URIRef(ONT), DCTERMS.hasPart)}
    # every ontology/*.ttl module, whatever its name, is imported by the header and listed as a part
    assert imported == parts == {f"{ONT}/{m}" for m in modules if m != "lattice"}


@pytest.mark.parametrize("module", MODULES)
def test_module_declares_its_own_ontology_iri(modules, module):
    g = modules[module]
    ontologies = set(g.subjects(RDF.type, OWL.Ontology))
    assert ontologies == {rdflib.URIRef(f"{ONT}/{module}")}
    assert g.value(rdflib.URIRef(f"{ONT}/{module}"), DCTERMS.title) is not None


@pytest.mark.parametrize("module", sorted(MODULE_TERMS))
def test_published_terms_are_declared_in_their_module(modules, module):
    missing = sorted(set(MODULE_TERMS[module]) - _declared(modules[module]))
    assert not missing, f"{module}.ttl lacks {missing}"


def test_no_term_is_declared_in_two_modules(modules):
    seen: dict[str, str] = {}
    clashes = []
    for name, g in modules.items():
        for t in _declared(g):
            if (LAT[t], RDFS.label, None) not in g:
                continue  # a mere reference, e.g. a type given again elsewhere
            if t in seen:
                clashes.append((t, seen[t], name))
            seen[t] = name
    assert not clashes


def test_header_metadata(onto):
    o = rdflib.URIRef(ONT)
    from kg import __version__

    assert onto.value(o, OWL.versionIRI) == rdflib.URIRef(f"{ONT}/{__version__}")
    assert str(onto.value(o, OWL.versionInfo)) == __version__
    assert onto.value(o, DCTERMS.license) == rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    vann = rdflib.Namespace("http://purl.org/vocab/vann/")
    assert str(onto.value(o, vann.preferredNamespacePrefix)) == "lat"
    assert str(onto.value(o, vann.preferredNamespaceUri)) == str(LAT)


def test_terms_are_defined_by_the_main_ontology_not_a_module(onto):
    wrong = [s for s, o in onto.subject_objects(RDFS.isDefinedBy) if str(s).startswith(str(LAT)) and str(o) != ONT]
    assert not wrong


def test_date_properties_range_literal_not_xsd_date(onto):
    dates = [
        "startDate",
        "endDate",
        "foundingDate",
        "dissolutionDate",
        "observationDate",
        "signatureDate",
        "ratificationDate",
        "entryIntoForceDate",
        "exitDate",
    ]
    for d in dates:
        assert (LAT[d], RDF.type, OWL.DatatypeProperty) in onto
        assert onto.value(LAT[d], RDFS.range) == RDFS.Literal, d
    # HermiT rejects xsd:date and xsd:gYear: the ontology never names them as a range.
    assert not set(onto.objects(None, RDFS.range)) & {rdflib.URIRef(XSD + "date"), rdflib.URIRef(XSD + "gYear")}


def test_dcterms_source_is_an_annotation_property(onto):
    assert (DCTERMS.source, RDF.type, OWL.AnnotationProperty) in onto
    assert (DCTERMS.source, RDF.type, OWL.ObjectProperty) not in onto
    assert (LAT.encodesNorm, RDF.type, OWL.AnnotationProperty) in onto


def test_no_inverse_of_an_external_property(onto):
    for a, b in onto.subject_objects(OWL.inverseOf):
        if isinstance(a, rdflib.URIRef) and isinstance(b, rdflib.URIRef):
            assert str(a).startswith(str(LAT)) == str(b).startswith(str(LAT)), (a, b)


@pytest.mark.parametrize(
    "cls, concept",
    [
        ("InformationNetwork", "InformationExchange"),
        ("EnforcementNetwork", "Enforcement"),
        ("HarmonizationNetwork", "Harmonization"),
    ],
)
def test_function_network_classes_are_defined_by_has_value(onto, cls, concept):
    rows = list(
        onto.query(
            """
        SELECT ?v WHERE {
          ?c owl:equivalentClass ?e . ?e owl:intersectionOf ?l .
          ?l rdf:rest*/rdf:first lat:GovernmentNetwork .
          ?l rdf:rest*/rdf:first ?r . ?r owl:onProperty lat:function ; owl:hasValue ?v .
        }""",
            initNs={"owl": OWL, "rdf": RDF, "lat": LAT},
            initBindings={"c": LAT[cls]},
        )
    )
    assert [r.v for r in rows] == [LAT[concept]]


def test_horizontal_and_vertical_networks_are_disjoint(onto):
    assert (LAT.HorizontalNetwork, OWL.disjointWith, LAT.VerticalNetwork) in onto


def test_concepts_are_typed_by_their_scheme_class(onto):
    concepts = set(onto.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 50
    for c in concepts:
        if (c, OWL.deprecated, Literal(True)) in onto:
            assert not list(onto.objects(c, SKOS.inScheme)), c  # a deprecated concept leaves its scheme
            continue
        schemes = list(onto.objects(c, SKOS.inScheme))
        assert len(schemes) == 1, c
        classes = [k for k in onto.objects(c, RDF.type) if (k, RDFS.subClassOf, SKOS.Concept) in onto]
        # the value class lat:XValue (or lat:X) goes with the scheme lat:XScheme
        assert [f"{str(k).removesuffix('Value')}Scheme" for k in classes] == [str(schemes[0])], c
        # and the scheme names it among its top concepts
        assert (schemes[0], SKOS.hasTopConcept, c) in onto and (c, SKOS.topConceptOf, schemes[0]) in onto, c


def test_norms_have_proponent_scholar_and_source(onto):
    norms = set(onto.subjects(RDF.type, LAT.Norm))
    # all but the 7 non-individual terms, the collection of Slaughter's five and the deprecated third vertical norm
    assert len(norms) == len(MODULE_TERMS["norms"]) - 9
    for n in norms:
        proponents = list(onto.objects(n, LAT.proponent))
        assert proponents and all((p, RDF.type, LAT.Scholar) in onto for p in proponents), n
        assert onto.value(n, DCTERMS.source) is not None, n
    five = [LAT.GlobalDeliberativeEquality, LAT.LegitimateDifference, LAT.PositiveComity]
    assert all(onto.value(n, LAT.normScope) == LAT.HorizontalScope for n in five)
    assert onto.value(LAT.Subsidiarity, LAT.normScope) == LAT.VerticalScope
    assert onto.value(LAT.ChecksAndBalances, LAT.normScope) == LAT.VerticalScope


def test_slaughter_names_five_norms_two_of_them_vertical(onto):
    """The collection of the five holds exactly the norms with a scope; no other concept is a Slaughter norm with
    a scope (a third vertical norm was once recorded), and no shape encodes a deprecated concept."""
    five = set(onto.objects(LAT.FiveConstitutionalNorms, SKOS.member))
    assert len(five) == 5
    scoped = {n for n in onto.subjects(RDF.type, LAT.Norm) if onto.value(n, LAT.normScope) is not None}
    assert scoped == five
    assert {n for n in five if onto.value(n, LAT.normScope) == LAT.VerticalScope} == {
        LAT.ChecksAndBalances,
        LAT.Subsidiarity,
    }
    assert (LAT.SupranationalChecks, RDF.type, LAT.Norm) not in onto
    assert (LAT.SupranationalChecks, OWL.deprecated, Literal(True)) in onto
    from kg.paths import SHAPES_DIR

    shapes = rdflib.Graph()
    for f in Path(SHAPES_DIR).glob("*.ttl"):
        shapes.parse(f, format="turtle")
    deprecated = set(onto.subjects(OWL.deprecated, Literal(True)))
    encoded = set(shapes.objects(None, LAT.encodesNorm))
    assert encoded and not encoded & deprecated


def test_every_cited_passage_exists(onto):
    cited = {o for s, o in onto.subject_objects(DCTERMS.source) if str(s).startswith(str(LAT))}
    assert cited
    for p in cited:
        assert (p, RDF.type, LAT.SourcePassage) in onto, p


def test_source_documents_and_scholars(onto):
    docs = set(onto.subjects(RDF.type, LAT.SourceDocument))
    assert {str(d) for d in docs} == {LAT_SRC + s for s in ("slaughter-2004", "letwin-2023", "pureza-2002")}
    creators = {str(onto.value(d, DCTERMS.creator)) for d in docs}
    scholars = {str(onto.value(s, RDFS.label)) for s in onto.subjects(RDF.type, LAT.Scholar)}
    assert creators == scholars
    for d in docs:
        for p in (DCTERMS.title, DCTERMS.date, DCTERMS.bibliographicCitation, LAT.seedFile):
            assert onto.value(d, p) is not None, (d, p)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.shared
def test_passage_quotes_are_verbatim_and_short(onto, shared_dir):
    seeds = {}
    for doc in onto.subjects(RDF.type, LAT.SourceDocument):
        seed = shared_dir / "seeds" / str(onto.value(doc, LAT.seedFile))
        assert seed.is_file(), seed
        seeds[doc] = _normalise(seed.read_text(encoding="utf-8"))
    passages = list(onto.subjects(RDF.type, LAT.SourcePassage))
    assert len(passages) > 30
    for p in passages:
        quote = str(onto.value(p, LAT.quote))
        assert len(quote.split()) <= 25, p
        assert _normalise(quote) in seeds[onto.value(p, LAT.document)], p


def test_disjoint_top_level_actors(onto):
    rows = list(
        onto.query(
            """
        SELECT ?m WHERE { ?x a owl:AllDisjointClasses ; owl:members/rdf:rest*/rdf:first ?m }""",
            initNs={"owl": OWL, "rdf": RDF},
        )
    )
    assert {r.m for r in rows} >= {LAT.State, LAT.GovernmentInstitution, LAT.NonStateActor}


def test_alignments_to_org(modules):
    g = modules["alignments"]
    org = rdflib.Namespace("http://www.w3.org/ns/org#")
    skos_related = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#relatedMatch")
    # a network's members may be officials: ORG's collaboration (members all organizations) would contradict that
    assert (LAT.GovernmentNetwork, RDFS.subClassOf, org.Organization) in g
    assert (LAT.GovernmentNetwork, RDFS.subClassOf, org.OrganizationalCollaboration) not in g
    assert (LAT.SpecialPurposeCollaboration, RDFS.subClassOf, org.OrganizationalCollaboration) in g
    # answering to voters or beneficiaries is not a reporting line: only a related match
    assert (LAT.accountableTo, RDFS.subPropertyOf, org.reportsTo) not in g
    assert (LAT.accountableTo, skos_related, org.reportsTo) in g
    assert (LAT.memberOf, RDFS.subPropertyOf, org.memberOf) in g


def test_size_table_in_the_documentation_is_current():
    """docs/ontology.md states the module sizes; they must match what `kg check --stats` counts."""
    from kg.check import SIZE_COLUMNS, module_sizes

    doc = paths.PACKAGE_DIR.parent / "docs" / "ontology.md"
    if not doc.is_file():
        pytest.skip("docs/ontology.md is not part of an installed package")
    rows = {}
    for line in doc.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and all(c.isdigit() for c in cells[1:]):
            rows[cells[0]] = [int(c) for c in cells[1:]]
    sizes = module_sizes()
    assert rows, "no size table found"
    for name, counts in rows.items():
        if name == "total":
            assert counts == [sum(r[c] for r in sizes.values()) for c in SIZE_COLUMNS]
        else:
            assert counts == [sizes[name][c] for c in SIZE_COLUMNS], name


def test_every_module_states_the_package_version():
    """The version lives in kg/version.py; every ontology module's owl:versionInfo (and the header's
    owl:versionIRI) must say the same, so a release bumps them together."""
    import pyoxigraph as ox

    from kg.namespaces import OWL as OWL_NS
    from kg.paths import ontology_modules

    modules = ontology_modules()
    assert modules
    for f in modules:
        store = ox.Store()
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
        infos = [q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(OWL_NS.versionInfo), None, None)]
        assert infos, f"{f.name}: no owl:versionInfo"
        assert set(infos) == {__version__}, f"{f.name}: owl:versionInfo {infos} but kg/version.py says {__version__}"
        # the header's version IRI is <ontology>/<version>, a module's <ontology>/<version>/<module> (kg release)
        expected = f"{ONT}/{__version__}" + ("" if f.stem == "lattice" else f"/{f.stem}")
        for q in store.quads_for_pattern(None, ox.NamedNode(OWL_NS.versionIRI), None, None):
            assert q.object.value == expected, f"{f.name}: {q.object.value}"
