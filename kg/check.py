"""`kg check`: the ontology hygiene checks (ontology/hygiene/), and on request HermiT, the OWL 2 DL profile, FAIR and pitfall reports."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kg import paths
from kg.errors import InputError
from kg.namespaces import LATTICE, OWL, RDF, XSD

HYG = "urn:lattice:hygiene#"

# The closed namespaces of rdflib whose term lists tell a real term from a misspelled one.
KNOWN_NAMESPACES = ("RDF", "RDFS", "OWL", "XSD", "SKOS", "DCTERMS", "PROV", "ORG", "TIME", "FOAF", "VANN", "SH", "SDO")

_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One row returned by one hygiene check."""

    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def check_files() -> list[Path]:
    """The hygiene checks, one SPARQL file each, in name order."""
    return sorted(paths.HYGIENE_DIR.glob("*.rq"))


def project_files() -> list[Path]:
    """Everything else that uses the vocabulary: the shapes and the curated graph."""
    return sorted(paths.SHAPES_DIR.glob("*.ttl")) + paths.curated_files()


def known_terms() -> list[str]:
    """Every term of rdflib's closed namespaces (RDF, RDFS, OWL, XSD, SKOS, DCTERMS, PROV, ORG, TIME, ...)."""
    import rdflib.namespace as rns

    terms: list[str] = []
    for name in KNOWN_NAMESPACES:
        ns = getattr(rns, name)
        base = str(ns._NS)
        locals_ = set(getattr(ns, "__annotations__", {})) | set(getattr(ns, "_extras", []))
        terms.extend(base + t for t in sorted(locals_))
    return terms


def prefix_bindings(path: Path) -> list[tuple[int, str, str]]:
    """(line, prefix, namespace) for each @prefix / PREFIX line of a Turtle or SPARQL file."""
    found = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            m = _PREFIX_LINE.match(line)
            if m:
                found.append((n, m.group(1) or "", m.group(2)))
    return found


def load(files: list[Path], prefix_files: list[Path] | None = None):
    """A pyoxigraph store with FILES in the default graph plus the facts the checks compare against.

    PREFIX_FILES (e.g. SPARQL queries) contribute only their prefix declarations.
    """
    import pyoxigraph as ox

    from kg.fileio import load_rdf

    store = load_rdf(files)
    g = ox.NamedNode(HYG + "facts")
    rdf_type = ox.NamedNode(RDF.type)
    known = ox.NamedNode(HYG + "KnownTerm")
    quads = [ox.Quad(ox.NamedNode(t), rdf_type, known, g) for t in known_terms()]
    for f in list(files) + list(prefix_files or []):
        f = Path(f)
        if f.suffix.lower() not in {".ttl", ".trig", ".rq", ".sparql"}:
            continue
        for line, prefix, namespace in prefix_bindings(f):
            b = ox.BlankNode()
            quads += [
                ox.Quad(b, rdf_type, ox.NamedNode(HYG + "PrefixBinding"), g),
                ox.Quad(b, ox.NamedNode(HYG + "file"), ox.Literal(str(f)), g),
                ox.Quad(
                    b,
                    ox.NamedNode(HYG + "line"),
                    ox.Literal(str(line), datatype=ox.NamedNode(XSD.integer)),
                    g,
                ),
                ox.Quad(b, ox.NamedNode(HYG + "prefix"), ox.Literal(prefix), g),
                ox.Quad(b, ox.NamedNode(HYG + "namespace"), ox.Literal(namespace), g),
            ]
    store.extend(quads)
    return store


def run_checks(
    files: list[Path] | None = None,
    include_ontology: bool = True,
    checks: list[str] | None = None,
    prefix_files: list[Path] | None = None,
) -> list[Problem]:
    """Run the hygiene checks (all, or those whose file stems are in CHECKS) and return every problem found.

    FILES are RDF files checked together with the ontology; PREFIX_FILES (SPARQL queries) are only
    checked for their prefix declarations.
    """
    inputs = (paths.ontology_files() if include_ontology else []) + [Path(f) for f in files or []]
    store = load(inputs, prefix_files)
    problems: list[Problem] = []
    selected = check_files()
    if checks is not None:
        unknown = set(checks) - {p.stem for p in selected}
        if unknown:
            from kg.errors import UsageError

            raise UsageError(f"no such hygiene check: {', '.join(sorted(unknown))}")
        selected = [p for p in selected if p.stem in checks]
    for rq in selected:
        try:
            rows = store.query(rq.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        except SyntaxError as err:
            raise InputError(f"hygiene check does not parse: {err}", path=rq) from None
        for row in rows:
            problems.append(Problem(rq.stem, row["error"].value))
    return problems


SIZE_COLUMNS = ("classes", "object properties", "datatype properties", "annotation properties", "individuals")


def module_sizes() -> dict[str, dict[str, int]]:
    """Per ontology module: how many Lattice classes, properties of each kind and named individuals it declares."""
    import pyoxigraph as ox

    kinds = dict(
        zip(SIZE_COLUMNS, ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual"))
    )
    rdf_type = ox.NamedNode(RDF.type)
    sizes: dict[str, dict[str, int]] = {}
    for f in sorted(paths.ONTOLOGY_DIR.glob("*.ttl")):
        store = ox.Store()
        store.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        row = {}
        for column, kind in kinds.items():
            subjects = {
                q.subject
                for q in store.quads_for_pattern(None, rdf_type, ox.NamedNode(OWL.term(kind)), None)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(LATTICE)
            }
            row[column] = len(subjects)
        sizes[f.stem] = row
    return sizes


def register(subparsers) -> None:
    """Add `kg check` to the command line."""
    p = subparsers.add_parser(
        "check",
        help="run the ontology hygiene checks (and HermiT with --reason)",
        description="Run the hygiene checks in ontology/hygiene/ (one SPARQL query each; every row is a problem) on "
        "the ontology, plus any FILES given. With --all, also on the shapes and the curated graph. With --reason, "
        "also run the HermiT reasoner (needs Java) for consistency and unsatisfiable classes. "
        "Exit 0: no problem; 1: problems found; 2: unreadable input.",
    )
    p.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="extra RDF files to check together with the ontology"
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="also check shapes/*.ttl, the curated graph kg/data/*.ttl and the prefixes of queries/*.rq",
    )
    p.add_argument("--only", action="append", metavar="CHECK", help="run only this check (file stem; repeatable)")
    p.add_argument("--stats", action="store_true", help="print the size of each ontology module and exit")
    p.add_argument("--list", action="store_true", help="list the checks with their first comment line and exit")
    p.add_argument(
        "--reason", action="store_true", help="also run HermiT on the ontology (with --all or FILES: on them too)"
    )
    p.add_argument(
        "--dl",
        action="store_true",
        help="check the OWL 2 DL profile (OWL API 5) of every form: the export, lattice.ttl with its imports, "
        "each module alone, and every release artefact as kg serve returns it",
    )
    p.add_argument(
        "--vocabularies",
        type=Path,
        metavar="DIR",
        help="with --dl: also load the published ORG, PROV-O, OWL-Time, SKOS and FOAF from DIR "
        "(e.g. ../shared/data/vocabularies) with the curated graph, and run HermiT and Openllet on them",
    )
    p.add_argument(
        "--fair", action="store_true", help="print the FAIR report (24 checks in the manner of FOOPS!) and exit"
    )
    p.add_argument("--pitfalls", action="store_true", help="print the pitfall counts (in the manner of OOPS!) and exit")
    p.add_argument(
        "--method",
        choices=["owlready2", "cli"],
        default="owlready2",
        help="how to run HermiT: owlready2's sync_reasoner (default) or its bundled HermiT asked only "
        "for consistency and unsatisfiable classes (faster on data)",
    )
    p.set_defaults(func=run)


def _title(rq: Path) -> str:
    for line in rq.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").removeprefix("Hygiene: ")
    return ""


def run(args) -> int:
    """Run the checks; print one line per problem; exit 1 when there is any."""
    if args.stats:
        sizes = module_sizes()
        print(f"{'module':16}" + "".join(f"{c:>23}" for c in SIZE_COLUMNS))
        for name, row in sizes.items():
            print(f"{name:16}" + "".join(f"{row[c]:>23}" for c in SIZE_COLUMNS))
        print(f"{'total':16}" + "".join(f"{sum(r[c] for r in sizes.values()):>23}" for c in SIZE_COLUMNS))
        return 0
    if args.fair:
        from kg.quality import fair_checks, fair_report

        print(fair_report())
        return 0 if sum(c.passed for c in fair_checks()) >= 22 else 1
    if args.pitfalls:
        from kg.quality import pitfall_report

        print(pitfall_report())
        return 0
    if args.dl:
        return _dl(args)
    if args.list:
        for rq in check_files():
            print(f"{rq.stem:32} {_title(rq)}")
        return 0
    extra = list(args.files) + (project_files() if args.all else [])
    queries = sorted(paths.QUERIES_DIR.glob("*.rq")) + check_files() if args.all else []
    problems = run_checks(extra, checks=args.only, prefix_files=queries)
    for p in problems:
        print(p)
    n_checks = len(args.only) if args.only else len(check_files())
    print(
        f"{len(problems)} problem(s) from {n_checks} hygiene checks on "
        f"{len(paths.ontology_files()) + len(extra)} files",
        file=sys.stderr,
    )
    failed = bool(problems)
    if args.reason:
        from kg.reason import reason

        result = reason(files=list(args.files), with_data=args.all, method=args.method)  # shapes are not OWL: left out
        print(result.summary())
        for iri in result.unsatisfiable:
            print(f"reason: ERROR: {iri} is unsatisfiable")
        if not result.consistent and result.message:
            print(f"reason: ERROR: {result.message}")
        failed = failed or not result.ok
    return 1 if failed else 0


def _dl(args) -> int:
    """The OWL 2 DL profile of every form of the ontology; with --vocabularies, consistency with the published ones."""
    from kg import dlcheck

    failed = False
    for r in dlcheck.check_all():
        print(r.line())
        for v in r.violations[:5]:
            print(f"    {v.kind}: {v.text[:300]}")
        failed = failed or not r.ok
    if args.vocabularies:
        if not args.vocabularies.is_dir():
            raise InputError("no such folder", path=args.vocabularies)
        res = dlcheck.check_with_vocabularies(
            args.vocabularies, paths.curated_files(), reasoners=("hermit", "openllet")
        )
        rep = res.report
        assert rep is not None  # check_with_vocabularies always runs the reasoners
        print(
            f"with the published vocabularies and the curated graph: {len(res.own_violations)} OWL 2 DL violation(s) "
            f"of Lattice's own ({res.vocabulary_violations} in the published files themselves)"
        )
        for v in res.own_violations[:5]:
            print(f"    {v.kind}: {v.text[:300]}")
        for name in ("hermit", "openllet"):
            unsat = [u for u in rep.unsatisfiable.get(name, []) if u.startswith(release_ns())]
            print(
                f"{name}: {'consistent' if rep.consistent.get(name) else 'INCONSISTENT'}, "
                f"{len(unsat)} unsatisfiable Lattice class(es), {rep.milliseconds.get(name, 0) / 1000:.1f} s"
            )
            failed = failed or not rep.consistent.get(name) or bool(unsat)
        if not rep.consistent.get("hermit"):
            from kg.diagnose import explain_files

            for m in explain_files(paths.curated_files())[:10]:
                print(f"    {m}")
        failed = failed or bool(res.own_violations)
    return 1 if failed else 0


def release_ns() -> str:
    from kg.namespaces import LAT

    return LAT
