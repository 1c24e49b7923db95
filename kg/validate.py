"""Validate RDF data against Lattice's SHACL shapes: the Python API and the `kg validate` subcommand."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.fileio import write_atomic

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LAT = "https://w3id.org/lattice/ontology#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

SEVERITIES = ("Violation", "Warning", "Info")
ENGINES = ("fast", "pyshacl")
INFERENCE = ("none", "rdfs", "owlrl")
FORMATS = ("text", "json", "turtle", "junit", "sarif")
JSON_SCHEMA_VERSION = 1

# File extensions the data loader understands, and the pyoxigraph / rdflib format names for each.
EXTENSIONS = {
    ".ttl": ("TURTLE", "turtle"),
    ".turtle": ("TURTLE", "turtle"),
    ".trig": ("TRIG", "trig"),
    ".nt": ("N_TRIPLES", "nt"),
    ".ntriples": ("N_TRIPLES", "nt"),
    ".nq": ("N_QUADS", "nquads"),
    ".nquads": ("N_QUADS", "nquads"),
    ".jsonld": ("JSON_LD", "json-ld"),
    ".json": ("JSON_LD", "json-ld"),
    ".rdf": ("RDF_XML", "xml"),
    ".owl": ("RDF_XML", "xml"),
    ".xml": ("RDF_XML", "xml"),
}


@dataclass(frozen=True)
class Result:
    """One validation result; IRIs as plain strings, blank nodes as "_:id", literals in N-Triples syntax."""

    focus: str
    shape: str
    component: str
    severity: str
    path: str | None = None
    value: str | None = None
    message: str = ""

    def key(self) -> tuple:
        """The identity used to compare engines: (focus, shape, component, value, severity)."""
        return (self.focus, self.shape, self.component, self.value, self.severity)


@dataclass
class Report:
    """The outcome of a validation: whether the data conforms and the results, plus context for reports."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    engine: str = "fast"
    inference: str = "none"
    shapes_files: list[str] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # node -> rdfs:label (focus nodes, shapes, norms)
    norms: dict[str, str] = field(default_factory=dict)  # shape -> norm individual (lat:encodesNorm)
    norm_info: dict[str, dict] = field(default_factory=dict)  # norm -> {label, quote, locator, passage}
    shape_info: dict[str, dict] = field(default_factory=dict)  # shape -> {severity, description, label}
    focus_files: dict[str, str] = field(default_factory=dict)  # focus node -> data file that describes it
    seconds: float = 0.0
    jobs: int = 1  # processes the fast engine used

    def counts(self) -> dict[str, int]:
        """Number of results per severity."""
        out = {s: 0 for s in SEVERITIES}
        for r in self.results:
            out[r.severity] = out.get(r.severity, 0) + 1
        return out

    def results_for(self, shape: str) -> list[Result]:
        """The results of one shape (full IRI or a lat-sh: prefixed name)."""
        from kg.namespaces import LAT_SH

        if shape.startswith("lat-sh:"):
            shape = LAT_SH + shape[len("lat-sh:"):]
        return [r for r in self.results if r.shape == shape]

    def fails(self, level: str = "violation") -> bool:
        """True when a result at LEVEL or more severe exists."""
        level = level.capitalize()
        if level not in SEVERITIES:
            raise UsageError(f"unknown severity level {level!r}; use violation, warning or info")
        worst = SEVERITIES.index(level)
        return any(SEVERITIES.index(r.severity) <= worst for r in self.results if r.severity in SEVERITIES)

    def keys(self) -> set[tuple]:
        """The set of result identities, for comparing engines."""
        return {r.key() for r in self.results}


# --------------------------------------------------------------------------------------------- loading


def _format_of(path: Path):
    """The pyoxigraph RdfFormat for a data file, from its extension."""
    import pyoxigraph as ox

    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise InputError(
            f"unknown RDF file extension {ext!r} (use .ttl, .trig, .nt, .nq, .jsonld or .rdf)", path=path
        )
    return getattr(ox.RdfFormat, EXTENSIONS[ext][0])


def syntax_error(err: SyntaxError, path) -> InputError:
    """Turn a pyoxigraph parse error into an InputError pointing at line and column."""
    msg = str(err.args[0]) if err.args else str(err)
    line = col = None
    if len(err.args) > 1 and isinstance(err.args[1], tuple) and len(err.args[1]) >= 3:
        line, col = err.args[1][1], err.args[1][2]
    else:
        line, col = getattr(err, "lineno", None), getattr(err, "offset", None)
    if msg.startswith("Parser error") and ": " in msg:
        msg = msg.split(": ", 1)[1]
    return InputError(msg, path=path, line=line, col=col)


def _load_dataset_file(store, path: Path, fmt, graph=None) -> None:
    """Merge every graph of an N-Quads or TriG file into GRAPH (default: the default graph) of STORE.

    The engine loads the file as it is (fast) and then moves the named graphs it brought; a store that has
    named graphs already, a target other than the default graph, or a blank-node graph name take the slow
    path through Python objects.
    """
    import pyoxigraph as ox

    before = list(store.named_graphs())
    if not before and graph is None:
        store.bulk_load(path=str(path), format=fmt)
        brought = list(store.named_graphs())
        if all(isinstance(g, ox.NamedNode) for g in brought):
            for g in brought:
                store.update(f"ADD <{g.value}> TO DEFAULT ; DROP GRAPH <{g.value}>")
            return
        for g in brought:  # blank-node graph names: move them one quad at a time
            store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                         for q in list(store.quads_for_pattern(None, None, None, g)))
            store.remove_graph(g)
        return
    target = graph or ox.DefaultGraph()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in ox.parse(path=str(path), format=fmt))


def load_files(paths, store=None, graph=None):
    """Parse RDF files into a pyoxigraph store (into its default graph unless GRAPH is given)."""
    import pyoxigraph as ox

    store = store if store is not None else ox.Store()
    for p in paths:
        p = Path(p)
        if not p.is_file():
            raise InputError("no such file", path=p)
        fmt = _format_of(p)
        try:
            if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                _load_dataset_file(store, p, fmt, graph)
            else:
                store.load(path=str(p), format=fmt, to_graph=graph or ox.DefaultGraph())
        except SyntaxError as err:
            raise syntax_error(err, p) from None
        except ValueError as err:
            raise InputError(str(err), path=p) from None
    return store


def shape_files(shapes=None) -> list[Path]:
    """The shapes files to use: all of shapes/*.ttl, or the files named by stem (or path)."""
    from kg.paths import SHAPES_DIR

    if shapes is None:
        found = sorted(Path(SHAPES_DIR).glob("*.ttl"))
        if not found:
            raise UsageError(f"no shapes in {SHAPES_DIR}")
        return found
    if isinstance(shapes, (str, Path)):
        shapes = [s for s in str(shapes).split(",") if s.strip()]
    out = []
    for s in shapes:
        s = str(s).strip()
        p = Path(s)
        if p.suffix and p.is_file():
            out.append(p)
            continue
        cand = Path(SHAPES_DIR) / f"{s}.ttl"
        if not cand.is_file():
            have = ", ".join(sorted(x.stem for x in Path(SHAPES_DIR).glob("*.ttl"))) or "none"
            raise UsageError(f"no shapes file named {s!r} (available: {have})")
        out.append(cand)
    return out


def _copy_store(src, graphs=None):
    """An in-memory copy of a store with the chosen named graphs (default: all) merged into the default graph."""
    import pyoxigraph as ox

    mem = ox.Store()
    if graphs is None:
        mem.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                        for q in src.quads_for_pattern(None, None, None, None))
        return mem
    for g in graphs:
        gn = g if not isinstance(g, str) else ox.NamedNode(g)
        mem.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                        for q in src.quads_for_pattern(None, None, None, gn))
    return mem


def dataset_graphs(store) -> list[str]:
    """The named graphs of a built dataset that `kg validate` checks: curated, imports and the ontology."""
    from kg.namespaces import GRAPH_ONTOLOGY, LAT_G

    names = []
    for g in store.named_graphs():
        v = g.value
        if v == GRAPH_ONTOLOGY or v.startswith(LAT_G + "curated/") or v.startswith(LAT_G + "import/"):
            names.append(v)
    return sorted(names)


def _dataset_from_inputs(dataset=None):
    """The validated graphs of a built dataset, parsed again from the input files its manifest lists.

    Reading ~1M quads back out of the on-disk store costs about twice as much as parsing the files, so
    when every input file is unchanged since the build (same size and modification time) the files are
    loaded instead; otherwise None (the caller copies from the store).
    """
    from kg.namespaces import GRAPH_ONTOLOGY, LAT_G
    from kg.store import dataset_dir

    try:
        manifest = json.loads((dataset_dir(dataset) / "manifest.json").read_text())
        inputs = [i for i in manifest["inputs"]
                  if i["graph"] == GRAPH_ONTOLOGY or i["graph"].startswith((LAT_G + "curated/", LAT_G + "import/"))]
        for i in inputs:
            st = Path(i["path"]).stat()
            if st.st_size != i["size"] or st.st_mtime_ns != i["mtime_ns"]:
                return None
    except (OSError, KeyError, ValueError, TypeError):
        return None
    if not inputs:
        return None
    try:
        return load_files([i["path"] for i in inputs])
    except InputError:
        return None


def working_store(data, dataset=None):
    """Put DATA (store, files, rdflib graph, or None = the built dataset) into a fresh in-memory store."""
    import pyoxigraph as ox

    if data is None:
        from kg.store import ensure_built, open_store

        ensure_built(dataset)
        fast = _dataset_from_inputs(dataset)
        if fast is not None:
            return fast, []
        src = open_store(dataset, build_if_needed=False)
        return _copy_store(src, dataset_graphs(src)), []
    if isinstance(data, ox.Store):
        graphs = dataset_graphs(data)
        has_default = next(iter(data.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
        if graphs and not has_default:
            return _copy_store(data, graphs), []
        return _copy_store(data), []
    if isinstance(data, (str, Path)):
        data = [data]
    if isinstance(data, (list, tuple)):
        files = [str(p) for p in data]
        return load_files(files), files
    # rdflib Graph / Dataset
    try:
        import rdflib
    except ImportError:  # pragma: no cover
        rdflib = None
    if rdflib is not None and isinstance(data, rdflib.Graph):
        mem = ox.Store()
        payload = data.serialize(format="nt", encoding="utf-8")
        if isinstance(data, rdflib.Dataset) or type(data).__name__ == "ConjunctiveGraph":
            payload = data.serialize(format="nquads", encoding="utf-8")
            mem.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                       for q in ox.parse(payload, format=ox.RdfFormat.N_QUADS))
        else:
            mem.load(payload, format=ox.RdfFormat.N_TRIPLES)
        return mem, []
    raise UsageError(f"cannot validate data of type {type(data).__name__}")


def ontology_files() -> list[Path]:
    """What `kg validate FILE` adds to the data: the Lattice ontology modules (class hierarchy, term
    declarations, the seed passages) and the register of the data sets that records cite."""
    from kg import paths

    register = [paths.DATASETS_REGISTER] if paths.DATASETS_REGISTER.is_file() else []
    return paths.ontology_modules() + register


def add_ontology(store) -> None:
    """Load the Lattice ontology and the register of cited data sets into the default graph of STORE."""
    load_files(ontology_files(), store)


def load_shapes(shapes=None):
    """The shapes graph as an in-memory pyoxigraph store, and the files it came from."""
    import pyoxigraph as ox

    if isinstance(shapes, ox.Store):
        return shapes, []
    files = shape_files(shapes)
    return load_files(files), [str(f) for f in files]


# --------------------------------------------------------------------------------------------- inference


def materialize(store, inference: str = "rdfs") -> None:
    """Add to STORE (in place) the RDFS closure, and for "owlrl" also a few OWL RL rules, with SPARQL INSERT."""
    if inference == "none":
        return
    rules = [
        # rdfs5/rdfs7: subproperty closure
        "INSERT { ?s ?q ?o } WHERE { ?p <%ssubPropertyOf>+ ?q . ?s ?p ?o . FILTER(isIRI(?q)) }" % RDFS,
        # rdfs2/rdfs3: domain and range
        "INSERT { ?s a ?c } WHERE { ?p <%sdomain> ?c . ?s ?p ?o }" % RDFS,
        "INSERT { ?o a ?c } WHERE { ?p <%srange> ?c . ?s ?p ?o . FILTER(!isLiteral(?o)) }" % RDFS,
        # rdfs9/rdfs11: subclass closure
        "INSERT { ?x a ?c } WHERE { ?x a ?d . ?d <%ssubClassOf>+ ?c . FILTER(isIRI(?c) || isBlank(?c)) }" % RDFS,
    ]
    owl = "http://www.w3.org/2002/07/owl#"
    owl_rules = [
        "INSERT { ?o ?q ?s } WHERE { ?p <%sinverseOf> ?q . ?s ?p ?o . FILTER(!isLiteral(?o)) }" % owl,
        "INSERT { ?o ?p ?s } WHERE { ?q <%sinverseOf> ?p . ?s ?q ?o . FILTER(!isLiteral(?o)) }" % owl,
        "INSERT { ?o ?p ?s } WHERE { ?p a <%sSymmetricProperty> . ?s ?p ?o . FILTER(!isLiteral(?o)) }" % owl,
        "INSERT { ?s ?p ?z } WHERE { ?p a <%sTransitiveProperty> . ?s ?p ?o . ?o ?p ?z }" % owl,
        "INSERT { ?s ?q ?o } WHERE { { ?p <%sequivalentProperty> ?q } UNION { ?q <%sequivalentProperty> ?p } ?s ?p ?o }"
        % (owl, owl),
        "INSERT { ?x a ?d } WHERE { { ?c <%sequivalentClass> ?d } UNION { ?d <%sequivalentClass> ?c } ?x a ?c . FILTER(isIRI(?d)) }"
        % (owl, owl),
        # class defined by an owl:hasValue restriction (both directions of the equivalence)
        "INSERT { ?x a ?c } WHERE { ?c <%sequivalentClass> ?r . ?r <%sonProperty> ?p ; <%shasValue> ?v . ?x ?p ?v }"
        % (owl, owl, owl),
        "INSERT { ?x ?p ?v } WHERE { ?c <%sequivalentClass> ?r . ?r <%sonProperty> ?p ; <%shasValue> ?v . ?x a ?c }"
        % (owl, owl, owl),
    ]
    passes = 20 if inference == "owlrl" else 1  # owlrl: until nothing new (transitivity doubles per round)
    for _ in range(passes):
        before = len(store)
        if inference == "owlrl":
            for r in owl_rules:
                store.update(r)
        for r in rules:
            store.update(r)
        if len(store) == before:
            break


# --------------------------------------------------------------------------------------------- engines


def _term_str(term) -> str:
    """A pyoxigraph or rdflib term as a plain string: IRI, "_:id", or a literal in N-Triples syntax."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return str(term)
    try:
        import rdflib
    except ImportError:  # pragma: no cover
        rdflib = None
    if rdflib is not None:
        if isinstance(term, rdflib.URIRef):
            return str(term)
        if isinstance(term, rdflib.BNode):
            return "_:" + str(term)
        if isinstance(term, rdflib.Literal):
            return term.n3()
    return str(term)


def literal_nt(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in N-Triples syntax (the form Result.value uses for literals)."""
    import pyoxigraph as ox

    if language:
        return str(ox.Literal(lexical, language=language))
    if datatype:
        return str(ox.Literal(lexical, datatype=ox.NamedNode(datatype)))
    return str(ox.Literal(lexical))


def _run_pyshacl(store, shapes_store, inference: str, data_g=None) -> list[Result]:
    """Validate with pyshacl (the reference engine) on rdflib copies of the data (or DATA_G) and shapes."""
    import pyshacl

    data_g = data_g if data_g is not None else to_rdflib(store)
    shapes_g = to_rdflib(shapes_store)
    _conforms, report_g, _text = pyshacl.validate(
        data_g, shacl_graph=shapes_g, inference=None if inference == "none" else inference,
        allow_warnings=False, allow_infos=False,
    )
    return results_from_report_graph(report_g, shapes_g)


def rdflib_from_files(files):
    """One rdflib Graph with every triple of FILES (all graphs of a dataset file merged), parsed by rdflib."""
    import rdflib

    g = rdflib.Graph()
    for f in files:
        fmt = EXTENSIONS[Path(f).suffix.lower()][1]
        if fmt in ("nquads", "trig"):
            ds = rdflib.Dataset()
            ds.parse(str(f), format=fmt)
            for s_, p_, o_, _g in ds.quads((None, None, None, None)):
                g.add((s_, p_, o_))
        else:
            g.parse(str(f), format=fmt)
    return g


def to_rdflib(store):
    """The default graph of a pyoxigraph store as an rdflib Graph, keeping blank node labels."""
    import pyoxigraph as ox
    import rdflib

    def conv(t):
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        dt = t.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return rdflib.Literal(t.value)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(dt))

    g = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        g.add((conv(q.subject), conv(q.predicate), conv(q.object)))
    return g


def results_from_report_graph(report_g, shapes_g=None) -> list[Result]:
    """Read sh:ValidationResult nodes of an rdflib report graph into Result objects."""
    import rdflib

    sh = rdflib.Namespace(SH)
    from kg.shacl.paths import render_path

    def report_objects(node, pred):
        pred = rdflib.URIRef(pred)
        out = list(report_g.objects(node, pred))
        if not out and shapes_g is not None:
            out = list(shapes_g.objects(node, pred))
        return out

    results = []
    # only the report's own results: nested ones (under sh:detail) explain a parent result
    top = [r for rep in report_g.subjects(rdflib.RDF.type, sh.ValidationReport) for r in report_g.objects(rep, sh.result)]
    for r in top:
        def one(p):
            return next(iter(report_g.objects(r, p)), None)

        objects = report_objects

        sev = one(sh.resultSeverity)
        severity = str(sev)[len(SH):] if sev is not None and str(sev).startswith(SH) else _term_str(sev)
        path = one(sh.resultPath)
        source = one(sh.sourceShape)
        if isinstance(path, rdflib.BNode) and shapes_g is not None and source is not None:
            # pyshacl may copy complex paths under fresh blank nodes: read the shape's own path instead
            own = next(iter(shapes_g.objects(source, sh.path)), None)
            if own is not None:
                path = own
                objects = (lambda node, pred: list(shapes_g.objects(node, rdflib.URIRef(pred))))  # noqa: E731
        if path is not None:
            try:
                path_s = str(path) if isinstance(path, rdflib.URIRef) else render_path(path, objects, _rdflib_kind)
            except ValueError:
                path_s = _term_str(path)
        else:
            path_s = None
        value = one(sh.value)
        msgs = list(report_g.objects(r, sh.resultMessage))
        message = _pick_message(msgs)
        results.append(Result(
            focus=_term_str(one(sh.focusNode)),
            shape=_term_str(one(sh.sourceShape)),
            component=str(one(sh.sourceConstraintComponent)),
            severity=severity,
            path=path_s,
            value=_term_str(value) if value is not None else None,
            message=message,
        ))
    return sorted(results, key=_sort_key)


def _rdflib_kind(term) -> str:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return "iri"
    if isinstance(term, rdflib.BNode):
        return "bnode"
    return "literal"


def _pick_message(msgs) -> str:
    """The English (or untagged) message among several language variants."""
    if not msgs:
        return ""
    for m in msgs:
        if getattr(m, "language", None) in ("en", None):
            return str(m.value if hasattr(m, "value") and not isinstance(m.value, (int, float)) else m)
    return str(msgs[0])


def _sort_key(r: Result):
    return (SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9, r.shape, r.focus, r.value or "",
            r.component)


def validate(data=None, shapes=None, engine: str = "fast", inference: str = "none",
             with_ontology: bool = False, dataset=None, jobs: int = 0) -> Report:
    """Validate DATA against SHAPES (None = every file in shapes/) and return a Report.

    DATA is a pyoxigraph Store, a list of RDF file paths, an rdflib Graph, or None for the built dataset.
    ENGINE is "fast" (SHACL compiled to SPARQL on pyoxigraph) or "pyshacl" (the reference engine).
    INFERENCE is "none", "rdfs" or "owlrl" (see docs/validation.md for what each adds).
    WITH_ONTOLOGY adds the Lattice ontology files and the register of cited data sets to the data graph (class hierarchy and term
    declarations), as the built dataset already has them; `kg validate FILE` turns it on.
    DATASET names the build folder used when DATA is None (default: $LATTICE_HOME/build).
    JOBS is how many processes the fast engine spreads the shapes over (0: one per core, at most 2, for a
    graph of 20,000 triples or more; forking needs Linux and a single-threaded caller, else 1 is used).
    """
    import time

    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if inference not in INFERENCE:
        raise UsageError(f"unknown inference {inference!r}; use one of {', '.join(INFERENCE)}")
    started = time.perf_counter()
    shapes_store, shapes_used = load_shapes(shapes)
    store, files = working_store(data, dataset)
    if with_ontology and data is not None:
        add_ontology(store)
    if engine == "pyshacl":
        # the reference engine reads data files itself: the store rewrites some literals on loading (derived
        # integer types become xsd:integer), and pyshacl must see them as written
        data_g = rdflib_from_files(files + ([str(f) for f in ontology_files()] if with_ontology else [])) \
            if files else None
        results = _run_pyshacl(store, shapes_store, inference, data_g=data_g)
    else:
        from kg.shacl.engine import can_fork, default_jobs
        from kg.shacl import validate_store
        from kg.shacl.model import ShapesError

        materialize(store, inference)
        jobs = jobs or default_jobs(store)
        jobs = jobs if jobs > 1 and can_fork() else 1
        try:
            results = sorted(validate_store(store, shapes_store, jobs=jobs), key=_sort_key)
        except ShapesError as err:
            where = shapes_used[0] if len(shapes_used) == 1 else "shapes"
            raise InputError(f"unusable shapes graph: {err}", path=where) from None
    report = Report(conforms=not results, results=results, engine=engine, inference=inference,
                    shapes_files=shapes_used, data_files=files, jobs=jobs if engine == "fast" else 1)
    report.seconds = time.perf_counter() - started
    _annotate(report, store, shapes_store)
    return report


# --------------------------------------------------------------------------------------------- context


def _annotate(report: Report, store, shapes_store) -> None:
    """Fill in labels of focus nodes, the norm each shape encodes, and each norm's label and passage."""
    import pyoxigraph as ox

    def first_literal(stores, node, pred):
        if node.startswith("_:") or node.startswith('"'):
            return None
        best = None
        for st in stores:
            for q in st.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(pred), None, None):
                o = q.object
                if isinstance(o, ox.Literal):
                    if o.language in (None, "en"):
                        return o.value
                    best = best or o.value
        return best

    def first_iri(stores, node, pred):
        if node.startswith("_:") or node.startswith('"'):
            return None
        for st in stores:
            for q in st.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(pred), None, None):
                if isinstance(q.object, ox.NamedNode):
                    return q.object.value
        return None

    has_onto = next(iter(store.quads_for_pattern(ox.NamedNode(LAT.rstrip("#")), None, None, None)), None)
    onto = None if has_onto is not None else _ontology_store()
    stores = [s for s in (store, shapes_store, onto) if s is not None]
    shapes = {r.shape for r in report.results}
    for s in shapes:
        norm = _norm_of(shapes_store, s)
        info = {
            "severity": None,
            "description": first_literal([shapes_store], s, SH + "description"),
            "label": first_literal([shapes_store], s, RDFS + "label"),
        }
        report.shape_info[s] = info
        if norm:
            report.norms[s] = norm
            if norm not in report.norm_info:
                passage = first_iri(stores, norm, DCTERMS + "source")
                report.norm_info[norm] = {
                    "label": first_literal(stores, norm, RDFS + "label") or _local(norm),
                    "passage": passage,
                    "quote": first_literal(stores, passage, LAT + "quote") if passage else None,
                    "locator": first_literal(stores, passage, LAT + "locator") if passage else None,
                    "document": first_iri(stores, passage, LAT + "document") if passage else None,
                }
    for r in report.results:
        if r.focus not in report.labels:
            lab = first_literal([store], r.focus, RDFS + "label") or first_literal(
                [store], r.focus, SKOS + "prefLabel")
            if lab:
                report.labels[r.focus] = lab


SHAPE_REFS = ("property", "node", "not", "qualifiedValueShape")


def _norm_of(shapes_store, shape: str) -> str | None:
    """The norm a shape encodes: its own lat:encodesNorm, else that of the nearest shape that uses it."""
    import pyoxigraph as ox

    def term(s):
        return ox.BlankNode(s[2:]) if s.startswith("_:") else ox.NamedNode(s)

    seen = set()
    todo = [term(shape)]
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        for q in shapes_store.quads_for_pattern(node, ox.NamedNode(LAT + "encodesNorm"), None, None):
            if isinstance(q.object, ox.NamedNode):
                return q.object.value
        for q in shapes_store.quads_for_pattern(None, None, node, None):
            p = q.predicate.value
            if p in {SH + r for r in SHAPE_REFS}:
                todo.append(q.subject)
            elif p == RDF + "first":  # member of sh:and / sh:or / sh:xone: climb to the list head
                head = q.subject
                while True:
                    prev = [x.subject for x in shapes_store.quads_for_pattern(None, ox.NamedNode(RDF + "rest"), head, None)]
                    if not prev:
                        break
                    head = prev[0]
                todo.extend(x.subject for x in shapes_store.quads_for_pattern(None, None, head, None)
                            if x.predicate.value in (SH + "and", SH + "or", SH + "xone"))
    return None


_ONTO_CACHE: dict = {}


def _ontology_store():
    """The ontology files as a small store (for norm labels and passages); None when there is none."""
    from kg.paths import ONTOLOGY_DIR

    files = sorted(Path(ONTOLOGY_DIR).glob("*.ttl")) if Path(ONTOLOGY_DIR).is_dir() else []
    key = tuple((str(f), f.stat().st_mtime) for f in files)
    if key in _ONTO_CACHE:
        return _ONTO_CACHE[key]
    store = None
    if files:
        try:
            store = load_files(files)
        except InputError:
            store = None
    _ONTO_CACHE.clear()
    _ONTO_CACHE[key] = store
    return store


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


def _focus_files(report: Report) -> dict[str, str]:
    """For each IRI focus node, the first data file that has it as a subject (for CI annotations)."""
    import pyoxigraph as ox

    wanted = {r.focus for r in report.results if not r.focus.startswith(("_:", '"'))}
    out: dict[str, str] = {}
    if len(report.data_files) == 1:
        return {f: report.data_files[0] for f in wanted}
    for f in report.data_files:
        try:
            for q in ox.parse(path=f, format=_format_of(Path(f))):
                s = q.subject
                if isinstance(s, ox.NamedNode) and s.value in wanted and s.value not in out:
                    out[s.value] = f
        except (SyntaxError, InputError):
            continue
    return out


def _line_of(path: str, iri: str) -> int | None:
    """The first line of PATH that mentions IRI in full or as a prefixed name (best effort)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import re

    prefixes = {}
    for line in text:
        m = re.match(r"\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", line, re.IGNORECASE)
        if m:
            prefixes[m.group(2)] = m.group(1)
    needles = [f"<{iri}>"]
    for ns, p in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            needles.append(f"{p}:{iri[len(ns):]}")
    for i, line in enumerate(text, 1):
        stripped = line.lstrip()
        for n in needles:
            if stripped.startswith(n) and (len(stripped) == len(n) or not (stripped[len(n)].isalnum()
                                                                          or stripped[len(n)] in "-_")):
                return i
    for i, line in enumerate(text, 1):
        if any(n in line for n in needles):
            return i
    return None


# --------------------------------------------------------------------------------------------- formats


def short(iri: str | None) -> str:
    """An IRI in prefixed form when a Lattice prefix covers it."""
    if iri is None:
        return ""
    if iri.startswith('"'):  # a literal: abbreviate an XSD datatype
        xsd = "^^<http://www.w3.org/2001/XMLSchema#"
        at = iri.rfind(xsd)
        return iri[:at] + "^^xsd:" + iri[at + len(xsd):-1] if at > 0 and iri.endswith(">") else iri
    from kg.namespaces import compact

    short_form = compact(iri)
    if short_form == iri and "://" in iri:
        return f"<{iri}>"
    return short_form


def short_path(path: str | None) -> str:
    """A SHACL path for people: a plain IRI prefixed, a complex path with each IRI inside it prefixed."""
    import re

    if not path or "(" not in path:
        return short(path)
    inner = path[1:-1] if path.startswith("<(") and path.endswith(")>") else path
    return re.sub(r"<([^<>\s]+)>", lambda m: short(m.group(1)), inner)


def summary_line(report: Report) -> str:
    c = report.counts()

    def n(k, word):
        return f"{k} {word}" + ("" if k == 1 else "s")

    return f"{n(c['Violation'], 'violation')}, {n(c['Warning'], 'warning')}, {n(c['Info'], 'info')}"


def format_text(report: Report) -> str:
    """Human-readable report: results grouped by the principle (norm) their shape encodes."""
    lines = []
    groups: dict[str | None, list[Result]] = {}
    for r in report.results:
        groups.setdefault(report.norms.get(r.shape), []).append(r)
    order = sorted(groups, key=lambda n: (n is None, (report.norm_info.get(n) or {}).get("label") or n or ""))
    for norm in order:
        rs = groups[norm]
        if norm is None:
            lines.append("== Integrity and other shapes (no principle linked)")
        else:
            info = report.norm_info.get(norm, {})
            lines.append(f"== Principle: {info.get('label') or short(norm)} ({short(norm)})")
            if info.get("quote"):
                where = f" [{info['locator']}]" if info.get("locator") else ""
                lines.append(f'   source: "{info["quote"]}"{where} ({short(info.get("passage"))})')
        for r in rs:
            label = report.labels.get(r.focus)
            who = f"{short(r.focus)}" + (f' "{label}"' if label else "")
            lines.append(f"  [{r.severity}] {who}  (shape {short(r.shape)}, {short(r.component)})")
            if r.message:
                lines.append(f"      {r.message}")
            detail = []
            if r.path:
                detail.append(f"path {short_path(r.path)}")
            if r.value is not None:
                detail.append(f"value {short(r.value)}")
            if detail:
                lines.append("      " + ", ".join(detail))
        lines.append("")
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{summary_line(report)} — data {verdict} ({report.engine} engine, {report.seconds:.2f} s)")
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    """The stable JSON form: {schema, conforms, engine, counts, results: [...]}, results sorted."""
    doc = {
        "schema": JSON_SCHEMA_VERSION,
        "conforms": report.conforms,
        "engine": report.engine,
        "jobs": report.jobs,
        "inference": report.inference,
        "counts": {k.lower(): v for k, v in report.counts().items()},
        "shapes_files": report.shapes_files,
        "data_files": report.data_files,
        "results": [
            dict(asdict(r), norm=report.norms.get(r.shape), focus_label=report.labels.get(r.focus),
                 file=report.focus_files.get(r.focus))
            for r in report.results
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _nt_term(s: str) -> str:
    if s.startswith("_:") or s.startswith('"'):
        return s
    return f"<{s}>"


def format_turtle(report: Report) -> str:
    """The report as an sh:ValidationReport graph in Turtle."""
    import pyoxigraph as ox

    lines = ["_:report <%s> <%sValidationReport> ." % (RDF + "type", SH),
             '_:report <%sconforms> "%s"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
             % (SH, "true" if report.conforms else "false")]
    for i, r in enumerate(report.results):
        n = f"_:r{i}"
        lines.append(f"_:report <{SH}result> {n} .")
        lines.append(f"{n} <{RDF}type> <{SH}ValidationResult> .")
        lines.append(f"{n} <{SH}focusNode> {_nt_term(r.focus)} .")
        lines.append(f"{n} <{SH}sourceShape> {_nt_term(r.shape)} .")
        lines.append(f"{n} <{SH}sourceConstraintComponent> <{r.component}> .")
        lines.append(f"{n} <{SH}resultSeverity> <{SH}{r.severity}> .")
        if r.path and not r.path.startswith(("^", "(", "<")) and "://" in r.path:
            lines.append(f"{n} <{SH}resultPath> <{r.path}> .")
        if r.value is not None:
            lines.append(f"{n} <{SH}value> {_nt_term(r.value)} .")
        if r.message:
            lines.append(f"{n} <{SH}resultMessage> {ox.Literal(r.message)} .")
    store = ox.Store()
    store.load("\n".join(lines) + "\n", format=ox.RdfFormat.N_TRIPLES)
    prefixes = {"sh": SH, "xsd": "http://www.w3.org/2001/XMLSchema#"}
    from kg.namespaces import PREFIXES

    prefixes.update({k: v for k, v in PREFIXES.items() if k not in prefixes})
    out = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=prefixes)
    return out.decode("utf-8")


def format_junit(report: Report) -> str:
    """JUnit XML: one testsuite, one testcase per shape, one failure element per result."""
    from xml.sax.saxutils import quoteattr, escape

    by_shape: dict[str, list[Result]] = {}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)
    all_shapes = sorted(set(by_shape) | set(report.shape_info))
    failures = sum(1 for r in report.results)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="kg validate" tests="{len(all_shapes)}" failures="{failures}" '
           f'time="{report.seconds:.3f}">',
           f'  <testsuite name="kg validate" tests="{len(all_shapes)}" failures="{failures}" errors="0" '
           f'time="{report.seconds:.3f}">']
    for s in all_shapes:
        rs = by_shape.get(s, [])
        out.append(f"    <testcase classname=\"shapes\" name={quoteattr(short(s))}>")
        for r in rs:
            label = report.labels.get(r.focus)
            msg = f"[{r.severity}] {short(r.focus)}" + (f' "{label}"' if label else "") + f": {r.message}"
            body = [f"focus: {r.focus}", f"component: {r.component}"]
            if r.path:
                body.append(f"path: {r.path}")
            if r.value is not None:
                body.append(f"value: {r.value}")
            f = report.focus_files.get(r.focus)
            if f:
                body.append(f"file: {f}")
            out.append(f"      <failure type={quoteattr(r.severity)} message={quoteattr(msg)}>"
                       f"{escape(chr(10).join(body))}</failure>")
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


SARIF_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "note"}


def format_sarif(report: Report) -> str:
    """SARIF 2.1.0: one rule per shape, one result per finding, located in the data file when known."""
    from kg import __version__

    shapes = sorted({r.shape for r in report.results})
    rule_index = {s: i for i, s in enumerate(shapes)}
    rules = []
    for s in shapes:
        info = report.shape_info.get(s, {})
        norm = report.norms.get(s)
        rule = {
            "id": short(s),
            "name": _local(s),
            "shortDescription": {"text": info.get("label") or short(s)},
            "fullDescription": {"text": info.get("description") or f"SHACL shape {s}"},
            "properties": {"shape": s},
        }
        if norm:
            ni = report.norm_info.get(norm, {})
            rule["properties"]["norm"] = norm
            rule["properties"]["principle"] = ni.get("label")
            if ni.get("quote"):
                rule["help"] = {"text": f"{ni.get('label')}: \"{ni['quote']}\""}
        rules.append(rule)
    results = []
    line_cache: dict[tuple, int | None] = {}
    for r in report.results:
        label = report.labels.get(r.focus)
        text = (r.message or r.component) + f" (focus {short(r.focus)}" + (f' "{label}"' if label else "")
        if r.value is not None:
            text += f", value {short(r.value)}"
        text += ")"
        res = {
            "ruleId": short(r.shape),
            "ruleIndex": rule_index[r.shape],
            "level": SARIF_LEVEL.get(r.severity, "note"),
            "message": {"text": text},
            "properties": {"focusNode": r.focus, "sourceConstraintComponent": r.component,
                           "resultPath": r.path, "value": r.value, "severity": r.severity},
        }
        f = report.focus_files.get(r.focus)
        if f:
            key = (f, r.focus)
            if key not in line_cache:
                line_cache[key] = _line_of(f, r.focus)
            loc = {"artifactLocation": {"uri": _sarif_uri(f)}}
            if line_cache[key]:
                loc["region"] = {"startLine": line_cache[key]}
            res["locations"] = [{"physicalLocation": loc,
                                 "logicalLocations": [{"fullyQualifiedName": r.focus, "kind": "resource"}]}]
        else:
            res["locations"] = [{"logicalLocations": [{"fullyQualifiedName": r.focus, "kind": "resource"}]}]
        results.append(res)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kg validate", "fullName": "Lattice kg validate (SHACL)",
                                "version": __version__, "informationUri": "https://w3id.org/lattice/",
                                "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _sarif_uri(path: str) -> str:
    """A file path as SARIF wants it: relative to the working folder when below it, with forward slashes."""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve())
        return rel.as_posix()
    except ValueError:
        return p.resolve().as_uri()


FORMATTERS = {"text": format_text, "json": format_json, "turtle": format_turtle, "junit": format_junit,
              "sarif": format_sarif}


def render(report: Report, fmt: str = "text") -> str:
    """The report in one of FORMATS."""
    if fmt not in FORMATTERS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in ("json", "junit", "sarif") and report.data_files and not report.focus_files and report.results:
        report.focus_files = _focus_files(report)
    return FORMATTERS[fmt](report)


# --------------------------------------------------------------------------------------------- endpoint


def fetch_endpoint(url: str, graph: str | None = None, page: int = 50000, timeout: int = 60):
    """Copy the triples an endpoint serves (optionally one named graph) into an in-memory store, in pages."""
    import pyoxigraph as ox
    from SPARQLWrapper import SPARQLWrapper, POST
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    store = ox.Store()
    offset = 0
    inner = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    while True:
        q = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ {inner} }} "
             f"ORDER BY ?s ?p ?o LIMIT {page} OFFSET {offset} }} }}")
        client = SPARQLWrapper(url)
        client.setTimeout(timeout)
        client.setMethod(POST)
        client.setQuery(q)
        client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
        try:
            resp = client.query()
            raw = resp.response.read()
            ctype = (resp.response.headers.get("Content-Type") or "").split(";")[0].strip()
        except (SPARQLWrapperException, OSError, ValueError) as err:
            raise InputError(f"cannot fetch data from endpoint: {err}", path=url) from None
        fmt = ox.RdfFormat.TURTLE
        if "n-triples" in ctype or ctype == "text/plain":
            fmt = ox.RdfFormat.N_TRIPLES
        elif "rdf+xml" in ctype:
            fmt = ox.RdfFormat.RDF_XML
        elif "ld+json" in ctype:
            fmt = ox.RdfFormat.JSON_LD
        try:
            store.load(raw, format=fmt)
        except SyntaxError as err:
            raise syntax_error(err, url) from None
        # A server may cap the rows of one answer below PAGE (kg serve's --max-rows, for instance): advance
        # by what actually arrived and stop only on an empty page, so a cap never truncates the data.
        received = _page_count(raw, fmt)
        if received == 0:
            break
        offset += received
    return store


def _page_count(raw: bytes, fmt) -> int:
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse(raw, format=fmt))


# --------------------------------------------------------------------------------------------- CLI


def register(subparsers) -> None:
    """Add `kg validate` to the command line."""
    p = subparsers.add_parser(
        "validate",
        help="validate RDF data (or the built dataset) against the SHACL shapes",
        description="Validate RDF files, a SPARQL endpoint, or the built dataset against Lattice's SHACL shapes. "
                    "Exit 0 when the data conforms at the --fail-on level, 1 with findings, 2 on bad input.",
    )
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="data files (.ttl .trig .nt .nq .jsonld .rdf); none = the built dataset")
    p.add_argument("--endpoint", metavar="URL", help="fetch the data from this SPARQL endpoint")
    p.add_argument("--graph", metavar="IRI", help="with --endpoint: only this named graph")
    p.add_argument("--shapes", metavar="NAME,...", help="shapes files to use by stem (default: all of shapes/)")
    p.add_argument("--inference", choices=INFERENCE, default="none",
                   help="entailment to apply before validating (default: none)")
    p.add_argument("--engine", choices=ENGINES, default="fast",
                   help="fast = SHACL compiled to SPARQL on pyoxigraph (default); pyshacl = reference engine")
    p.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                   help="fast engine: worker processes to spread the shapes over (default 0: one per core, at most "
                        "2, for graphs of 20,000 triples or more; 1: none)")
    p.add_argument("--format", choices=FORMATS, default="text", dest="fmt", help="report format (default: text)")
    p.add_argument("--fail-on", choices=("violation", "warning", "info"), default="violation",
                   help="lowest severity that makes the exit code 1 (default: violation)")
    p.add_argument("--no-ontology", action="store_true",
                   help="with FILE or --endpoint: do not add the Lattice ontology to the data "
                        "(by default it is added, for the class hierarchy and term declarations, with the "
                        "register of the data sets that records cite)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    p.set_defaults(func=run)


def run(args) -> int:
    """Run `kg validate`; returns 0 (conforms), 1 (findings) or 2 (bad input)."""
    if args.endpoint and args.files:
        raise UsageError("give data files or --endpoint, not both")
    if args.graph and not args.endpoint:
        raise UsageError("--graph needs --endpoint")
    shapes = [s for s in args.shapes.split(",") if s.strip()] if args.shapes else None
    add_onto = not args.no_ontology
    if args.endpoint:
        data = fetch_endpoint(args.endpoint, args.graph)
    elif args.files:
        data = list(args.files)
    else:
        add_onto = False  # the built dataset has its ontology graph already
        data = None
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or more")
    report = validate(data, shapes=shapes, engine=args.engine, inference=args.inference, with_ontology=add_onto,
                      dataset=getattr(args, "dataset", None), jobs=args.jobs)
    text = render(report, args.fmt)
    if args.output:
        write_atomic(Path(args.output), text)
        print(summary_line(report), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 1 if report.fails(args.fail_on) else 0


def comparable_keys(report: Report) -> set[tuple]:
    """Result identities that do not depend on blank node labels, for comparing two engines.

    A blank-node shape (usually a property shape) is named by its path; blank focus nodes and values
    become "_:"; the rest is (focus, shape, component, value, severity).
    """

    def node(s):
        return "_:" if s is not None and s.startswith("_:") else s

    out = set()
    for r in report.results:
        shape = r.shape if not r.shape.startswith("_:") else f"[path {r.path}]"
        out.add((node(r.focus), shape, r.component, node(r.value), r.severity))
    return out
