"""OWL 2 DL profile of every form of the ontology a scholar loads: header with imports, each module alone, export, release."""

from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg import namespaces as ns
from kg import owlapi, release


@dataclass
class FormResult:
    """The OWL API's verdict on one form of the ontology."""

    form: str
    ontology_iri: str
    version_iri: str
    violations: list = field(default_factory=list)
    missing_imports: list[str] = field(default_factory=list)
    expected_iri: str = ""

    @property
    def ok(self) -> bool:
        return not self.violations and not self.missing_imports and self.ontology_iri == self.expected_iri

    def line(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in _counts(self.violations).items())
        extra = f"; {len(self.missing_imports)} unresolved import(s)" if self.missing_imports else ""
        ident = "" if self.ontology_iri == self.expected_iri else f"; ontology IRI read as {self.ontology_iri}"
        return f"{self.form}: {len(self.violations)} OWL 2 DL violation(s){' (' + kinds + ')' if kinds else ''}{extra}{ident}"


def _counts(violations) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in violations:
        out[v.kind] = out.get(v.kind, 0) + 1
    return out


def _result(form: str, report: owlapi.OwlReport, expected: str) -> FormResult:
    iri, viri = report.ontologies[0] if report.ontologies else ("-", "-")
    return FormResult(form, iri, viri, report.violations, report.missing_imports, expected)


def check_sources() -> list[FormResult]:
    """lattice.ttl with its imports, and every module (ontology/*.ttl) alone with its imports, from the sources."""
    maps = release.source_mappings()
    todo = [(iri, path) for iri, path in maps.items() if "/external/" not in iri]
    reports = owlapi.run_each([p for _, p in todo], maps)
    return [
        _result("lattice.ttl with imports" if iri == release.ONTOLOGY_IRI else f"module {path.stem} alone", r, iri)
        for (iri, path), r in zip(todo, reports)
    ]


def check_export() -> FormResult:
    """The merged export (`kg export --format xml`)."""
    from kg.export import serialize

    with tempfile.TemporaryDirectory(prefix="lattice-dl-") as tmp:
        f = Path(tmp) / "lattice.rdf"
        f.write_text(serialize("xml"), encoding="utf-8")
        return _result("kg export --format xml", owlapi.run([f]), release.ONTOLOGY_IRI)


def check_served(version: str | None = None, formats: tuple[str, ...] = ("ttl", "rdf", "nt")) -> list[FormResult]:
    """Fetch every artefact the endpoint serves (through release.artefact, as kg serve does) and check it with its
    imports resolved to what the endpoint serves at the imported IRIs."""
    v = version or release.version()
    names = [None] + release.module_names() + ["external/" + n for n in release.external_names()]
    out = []
    with tempfile.TemporaryDirectory(prefix="lattice-served-") as tmp_name:
        tmp = Path(tmp_name)
        for fmt in formats:
            ext = release.FORMATS[fmt][1]
            maps: dict[str, Path] = {}
            files: list[tuple[str, Path, str]] = []
            for name in names:
                for prefix in ("/ontology", f"/ontology/{v}"):
                    path = prefix if name is None else f"{prefix}/{name}"
                    art = release.artefact(path, fmt=fmt)
                    if art is None:
                        raise LookupError(f"nothing served at {path}")
                    f = tmp / fmt / (path.strip("/").replace("/", "_") + ext)
                    f.parent.mkdir(parents=True, exist_ok=True)
                    f.write_bytes(art.body)
                    iri = release.ONTOLOGY_IRI + path[len("/ontology") :]
                    maps[iri] = f
                    expected = release.ONTOLOGY_IRI if name is None else release.module_iri(name)
                    if name is None or not name.startswith("external/"):
                        files.append((path, f, expected))
            reports = owlapi.run_each([f for _, f, _ in files], maps)
            out += [_result(f"served {path} ({fmt})", r, expected) for (path, f, expected), r in zip(files, reports)]
    return out


def check_all(served: bool = True) -> list[FormResult]:
    """Every form: the export, the sources (header and modules) and, with SERVED, what the endpoint serves."""
    results = [check_export(), *check_sources()]
    if served:
        results += check_served()
    return results


# The published vocabularies Lattice aligns to: file under the vocabularies folder -> its ontology IRI.
VOCABULARIES = {
    "w3c-org/org.ttl": str(ns.ORG),
    "prov/prov-o.ttl": str(ns.PROV),
    "time/time.ttl": "http://www.w3.org/2006/time",
    "skos/skos.rdf": "http://www.w3.org/2004/02/skos/core",
    "foaf/foaf.rdf": "http://xmlns.com/foaf/0.1/",
}


@dataclass
class AlignmentResult:
    """The export with the published vocabularies (and data): Lattice's own DL violations and the reasoners' verdicts."""

    own_violations: list = field(default_factory=list)  # violations the vocabularies alone do not have
    vocabulary_violations: int = 0  # violations of the published files on their own
    report: owlapi.OwlReport | None = None


@functools.lru_cache(maxsize=4)
def _vocabulary_baseline(vocab_dir: str) -> tuple[frozenset, frozenset]:
    """The DL violations the published files have on their own (keys), and the datatypes outside OWL 2 they
    prescribe themselves (OWL-Time: time:year is an xsd:gYear), computed once per folder."""
    maps = {iri: Path(vocab_dir) / rel for rel, iri in VOCABULARIES.items()}
    violations = [v for r in owlapi.run_each(list(maps.values()), maps) for v in r.violations]
    datatypes = {m.group(1) for v in violations for m in [_UNDECLARED_DATATYPE.search(v.text)] if m}
    return frozenset(v.key for v in violations), frozenset(datatypes)


def _vocabulary_violations(vocab_dir: str) -> frozenset:
    """The DL violations the published files have on their own (keys)."""
    return _vocabulary_baseline(vocab_dir)[0]


_UNDECLARED_DATATYPE = re.compile(r"Use of undeclared datatype: (\S+)")
_LITERAL_DATATYPE = re.compile(r"\^\^(\S+?)\)|datatype: (\S+)")


_ASSERTED_PROPERTY = re.compile(r"DataPropertyAssertion\(<([^>]*)>")


def _published(iri: str) -> bool:
    """Whether IRI is a term of one of the published vocabularies."""
    return any(iri.startswith(v) for v in VOCABULARIES.values())


def _prescribed(v, datatypes: frozenset) -> bool:
    """Whether violation V is only the use, in a value of a published vocabulary's property (time:year), of a
    datatype outside OWL 2 that the published vocabularies prescribe themselves."""
    prop = _ASSERTED_PROPERTY.search(v.text)
    m = _LITERAL_DATATYPE.search(v.text)
    if prop is None or m is None:
        return False
    return _published(prop.group(1)) and (m.group(1) or m.group(2)) in datatypes


def _prepare_keeping(files: list[Path], out: Path, datatypes: frozenset) -> None:
    """As kg.reason.prepare (xsd:date as xsd:dateTime, no imports, no reified statements), but a value of a
    published vocabulary's property in one of the DATATYPES (compact, xsd:gYear) is kept as it is: the vocabulary
    restricts its property to that datatype (time:year only takes xsd:gYear), so a plain string in its place
    would contradict it."""
    import pyoxigraph as ox

    from kg.fileio import load_rdf
    from kg.reason import _fix_literal

    keep = {ns.XSD + d.removeprefix("xsd:") for d in datatypes if d.startswith("xsd:")}
    store = load_rdf(files)
    imports = ox.NamedNode(ns.OWL.imports)
    statements = {
        q.subject
        for q in store.quads_for_pattern(None, ox.NamedNode(ns.RDF.type), ox.NamedNode(ns.RDF.Statement), None)
    }
    with open(out, "w", encoding="utf-8") as fh:
        for q in store.quads_for_pattern(None, None, None, None):
            if q.predicate == imports or q.subject in statements:
                continue
            obj = q.object
            if isinstance(obj, ox.Literal) and not (
                obj.datatype is not None and obj.datatype.value in keep and _published(q.predicate.value)
            ):
                obj = _fix_literal(obj)
            fh.write(f"{q.subject} {q.predicate} {obj} .\n")


def check_with_vocabularies(
    vocab_dir: Path,
    data_files: list[Path] | None = None,
    reasoners: tuple[str, ...] = ("hermit",),
    extra_triples: str = "",
) -> AlignmentResult:
    """Load the merged export, the published ORG, PROV-O, OWL-Time, SKOS and FOAF, and DATA_FILES (prepared as
    for HermiT: xsd:date as xsd:dateTime, no imports, no reification) as one ontology importing them all."""
    from kg.export import serialize

    vocab_dir = Path(vocab_dir)
    maps = {iri: vocab_dir / rel for rel, iri in VOCABULARIES.items()}
    baseline, prescribed = _vocabulary_baseline(str(vocab_dir.resolve()))
    with tempfile.TemporaryDirectory(prefix="lattice-align-") as tmp_name:
        tmp = Path(tmp_name)
        export = tmp / "lattice.rdf"
        export.write_text(serialize("xml"), encoding="utf-8")
        maps[release.ONTOLOGY_IRI] = export
        data = tmp / "data.nt"
        if data_files:
            _prepare_keeping(list(data_files), data, prescribed)
        wrapper = tmp / "check.nt"
        head = [f"<urn:lattice:alignment-check> <{ns.RDF.type}> <{ns.OWL.Ontology}> ."]
        head += [f"<urn:lattice:alignment-check> <{ns.OWL.imports}> <{iri}> ." for iri in maps]
        body = data.read_text(encoding="utf-8") if data_files else ""
        wrapper.write_text("\n".join(head) + "\n" + body + extra_triples, encoding="utf-8")
        report = owlapi.run([wrapper], maps, reasoners=reasoners)
    vocab_ids = tuple(f"OntologyIRI(<{iri}>)" for iri in VOCABULARIES.values())
    # A violation inside one of the published files (their own undeclared terms) is theirs, not Lattice's, and so
    # is a data value of a datatype outside OWL 2 that a published file prescribes (time:year "1919"^^xsd:gYear);
    # anything else that the published files alone do not show (illegal punning across files) is Lattice's.
    own = [
        v
        for v in report.violations
        if v.key not in baseline
        and not any(i in v.text[v.text.rfind(" in OntologyID(") :] for i in vocab_ids)
        and not _prescribed(v, prescribed)
    ]
    return AlignmentResult(own, len(baseline), report)
