"""The namespaces Lattice mints and reuses, the named graphs of a build, and the SPARQL prologue that binds them.

Every namespace is a `Namespace`: the IRI base as a string (so `iri.startswith(SH)` and `SH + name` work),
whose terms are a closed set, as with rdflib's `DefinedNamespace`: `SH.minCount` is the full IRI and
`SH.minCuont` raises AttributeError. `NS.term(name)` does the same for a name computed at run time.
"""

from __future__ import annotations

import re


class Namespace(str):
    """An IRI base with a closed set of terms; attribute access to an undeclared term fails."""

    _terms: frozenset[str]

    def __new__(cls, base: str, terms: str | tuple[str, ...] = ()) -> Namespace:
        obj = super().__new__(cls, base)
        obj._terms = frozenset(terms.split() if isinstance(terms, str) else terms)
        for t in obj._terms:  # instance attributes win over str methods: DCTERMS.title is the IRI
            object.__setattr__(obj, t, base + t)
        return obj

    def __getattr__(self, name: str) -> str:  # only reached for a name that is not a declared term
        raise AttributeError(f"{name!r} is not a term of the namespace <{self!s}>")

    def term(self, name: str) -> str:
        """The IRI of the declared term NAME (a name computed at run time); ValueError if it is not one."""
        if name not in self._terms:
            raise ValueError(f"{name!r} is not a term of the namespace <{self!s}>")
        return str(self) + name

    @property
    def terms(self) -> frozenset[str]:
        """The declared local names."""
        return self._terms


# ------------------------------------------------------------------ W3C and community vocabularies we reuse

RDF = Namespace(
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "type first rest nil Property List Statement langString value subject predicate object",
)
RDFS = Namespace(
    "http://www.w3.org/2000/01/rdf-schema#",
    "label comment subClassOf subPropertyOf domain range isDefinedBy seeAlso Class Resource Literal Datatype",
)
OWL = Namespace(
    "http://www.w3.org/2002/07/owl#",
    "Class ObjectProperty DatatypeProperty AnnotationProperty NamedIndividual Ontology Thing Nothing "
    "imports versionInfo versionIRI inverseOf equivalentClass equivalentProperty sameAs "
    "SymmetricProperty TransitiveProperty FunctionalProperty Restriction onProperty hasValue "
    "someValuesFrom allValuesFrom deprecated priorVersion",
)
XSD = Namespace(
    "http://www.w3.org/2001/XMLSchema#",
    "string boolean integer decimal double float date dateTime dateTimeStamp time duration "
    "dayTimeDuration yearMonthDuration gYear gYearMonth gMonth gDay gMonthDay anyURI nonPositiveInteger negativeInteger long int "
    "short byte nonNegativeInteger unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger",
)
SH = Namespace(
    "http://www.w3.org/ns/shacl#",
    # core vocabulary (SHACL 1.0)
    "Shape NodeShape PropertyShape ValidationReport ValidationResult Violation Warning Info Severity "
    "IRI BlankNode Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral ConstraintComponent "
    "conforms result focusNode resultPath resultSeverity resultMessage sourceShape sourceConstraint "
    "sourceConstraintComponent value detail "
    "targetNode targetClass targetSubjectsOf targetObjectsOf severity message deactivated path "
    "inversePath alternativePath zeroOrMorePath oneOrMorePath zeroOrOnePath "
    "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive maxInclusive "
    "minLength maxLength pattern flags languageIn uniqueLang equals disjoint lessThan lessThanOrEquals "
    "not and or xone node property qualifiedValueShape qualifiedValueShapesDisjoint qualifiedMinCount "
    "qualifiedMaxCount closed ignoredProperties hasValue in name description order group defaultValue "
    # SHACL-SPARQL
    "sparql select ask prefixes declare prefix namespace parameter optional validator nodeValidator "
    "propertyValidator SPARQLConstraint SPARQLAskValidator SPARQLSelectValidator shapesGraph "
    # the constraint components (SHACL 4 and 5)
    "ClassConstraintComponent DatatypeConstraintComponent NodeKindConstraintComponent "
    "MinCountConstraintComponent MaxCountConstraintComponent MinExclusiveConstraintComponent "
    "MinInclusiveConstraintComponent MaxExclusiveConstraintComponent MaxInclusiveConstraintComponent "
    "MinLengthConstraintComponent MaxLengthConstraintComponent PatternConstraintComponent "
    "LanguageInConstraintComponent UniqueLangConstraintComponent EqualsConstraintComponent "
    "DisjointConstraintComponent LessThanConstraintComponent LessThanOrEqualsConstraintComponent "
    "NotConstraintComponent AndConstraintComponent OrConstraintComponent XoneConstraintComponent "
    "NodeConstraintComponent PropertyConstraintComponent QualifiedMinCountConstraintComponent "
    "QualifiedMaxCountConstraintComponent ClosedConstraintComponent HasValueConstraintComponent "
    "InConstraintComponent SPARQLConstraintComponent",
)
SKOS = Namespace(
    "http://www.w3.org/2004/02/skos/core#",
    "prefLabel altLabel definition note scopeNote example Concept ConceptScheme inScheme broader narrower",
)
DCTERMS = Namespace(
    "http://purl.org/dc/terms/",
    "title description creator contributor source license date issued modified publisher bibliographicCitation "
    "identifier hasVersion",
)
ORG = Namespace(
    "http://www.w3.org/ns/org#",
    "Organization FormalOrganization Membership member organization memberOf hasMember memberDuring role",
)
TIME = Namespace(
    "http://www.w3.org/2006/time#",
    "Interval Instant ProperInterval DateTimeInterval GeneralDateTimeDescription hasBeginning hasEnd inXSDDate "
    "inXSDDateTimeStamp inXSDgYear",
)
PROV = Namespace("http://www.w3.org/ns/prov#", "wasDerivedFrom wasGeneratedBy wasAttributedTo Entity Activity")
FOAF = Namespace("http://xmlns.com/foaf/0.1/", "name homepage page")
SCHEMA = Namespace("https://schema.org/", "name url")
# the W3C test-suite vocabularies (the SHACL test suite's manifests)
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#", "action entries include result")
SHT = Namespace("http://www.w3.org/ns/shacl-test#", "Failure dataGraph shapesGraph")
VANN = Namespace("http://purl.org/vocab/vann/", "preferredNamespacePrefix preferredNamespaceUri")
# the W3C RDF Data Cube vocabulary (the statistical observations of the MIA and TRANSACCESS imports)
QB = Namespace(
    "http://purl.org/linked-data/cube#",
    "DataSet Observation DataStructureDefinition ComponentSpecification DimensionProperty MeasureProperty "
    "AttributeProperty ComponentProperty CodedProperty dataSet structure component dimension measure attribute "
    "order codeList concept",
)

# ------------------------------------------------------------------ what Lattice mints

LAT = Namespace(
    "https://w3id.org/lattice/ontology#",
    # the terms the code names (each is declared in ontology/; tests/test_namespaces.py checks it)
    "encodesNorm quote locator document accountableTo accountableActor forum memberOf "
    "SourcePassage SourceDocument Dataset seedFile ModellingAssumption",
)
LATTICE = "https://w3id.org/lattice/"  # the project's home; every IRI Lattice mints is below it
LAT_ONTOLOGY = LATTICE + "ontology"
LAT_ID = LATTICE + "id/"
LAT_SRC = LATTICE + "source/"
LAT_SH = LATTICE + "shapes#"
LAT_G = LATTICE + "graph/"

PREFIXES = {
    "lat": str(LAT),
    "lat-id": LAT_ID,
    "lat-src": LAT_SRC,
    "lat-sh": LAT_SH,
    "lat-g": LAT_G,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "time": str(TIME),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "vann": str(VANN),
    "qb": str(QB),
    "sh": str(SH),
}

GRAPH_ONTOLOGY = LAT_G + "ontology"
GRAPH_SHAPES = LAT_G + "shapes"
GRAPH_INFERRED = LAT_G + "inferred"
GRAPH_DERIVED = LAT_G + "derived"  # records the derivation rules in rules/ produce
GRAPH_RULES = LAT_G + "rules"  # the derivation rules themselves, as lat:DerivationRule individuals
GRAPH_CURATED = LAT_G + "curated/"  # + file stem
GRAPH_IMPORT = LAT_G + "import/"  # + data set name


def curated_graph(stem: str) -> str:
    """The named graph that holds one curated file."""
    return f"{GRAPH_CURATED}{stem}"


def import_graph(name: str) -> str:
    """The named graph that holds one imported data set."""
    return f"{GRAPH_IMPORT}{name}"


def sparql_prefixes() -> str:
    """A SPARQL prologue declaring every Lattice prefix."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


_PLAIN_LOCAL = re.compile(r"^[A-Za-z0-9_./-]+$")


def compact(iri: str, strict: bool = False, angle: bool = False, prefixes: dict[str, str] | None = None) -> str:
    """IRI as a prefixed name under the longest matching prefix (of PREFIXES, or the PREFIXES given).

    With STRICT, only when the local part is a plain name (letters, digits, _ . / -). An IRI no prefix
    covers comes back unchanged, or with ANGLE in angle brackets (<iri>).
    """
    best = ""
    best_base = ""
    for p, base in (prefixes if prefixes is not None else PREFIXES).items():
        if iri.startswith(base) and len(base) > len(best_base):
            best, best_base = p, base
    rest = iri[len(best_base) :]
    if not best_base or (strict and not _PLAIN_LOCAL.match(rest)):
        return f"<{iri}>" if angle else iri
    return f"{best}:{rest}"
