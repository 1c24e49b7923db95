"""Where validation data and shapes come from: files, the built dataset, an rdflib graph, or an endpoint."""

from __future__ import annotations

import json
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.fileio import from_oxigraph_syntax_error, load_rdf, load_rdf_apart

APART_LIMIT = 64 * 1024 * 1024  # bytes of data files up to which blank nodes keep the file they came from


def context_files() -> list[Path]:
    """What `kg validate FILE` adds to the data: the Lattice ontology modules (class hierarchy, term
    declarations, the seed passages) and the register of the data sets that records cite."""
    from kg import paths

    register = [paths.DATASETS_REGISTER] if paths.DATASETS_REGISTER.is_file() else []
    return paths.ontology_modules() + register


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
        mem.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in src.quads_for_pattern(None, None, None, None)
        )
        return mem
    for g in graphs:
        gn = g if not isinstance(g, str) else ox.NamedNode(g)
        mem.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in src.quads_for_pattern(None, None, None, gn)
        )
    return mem


def dataset_graphs(store) -> list[str]:
    """The named graphs of a built dataset that `kg validate` checks: curated, imports, the ontology, and the
    records the derivation rules produced with the rules themselves."""
    from kg.namespaces import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_IMPORT, GRAPH_ONTOLOGY, GRAPH_RULES

    names = []
    for g in store.named_graphs():
        v = g.value
        if v in (GRAPH_ONTOLOGY, GRAPH_DERIVED, GRAPH_RULES) or v.startswith((GRAPH_CURATED, GRAPH_IMPORT)):
            names.append(v)
    return sorted(names)


def _dataset_from_inputs(dataset=None):
    """The validated graphs of a built dataset, parsed again from the input files its manifest lists.

    Reading ~1M quads back out of the on-disk store costs about twice as much as parsing the files, so
    when every input file is unchanged since the build (same size and modification time) the files are
    loaded instead; otherwise None (the caller copies from the store).
    """
    from kg.namespaces import GRAPH_CURATED, GRAPH_IMPORT, GRAPH_ONTOLOGY
    from kg.store import dataset_dir

    try:
        manifest = json.loads((dataset_dir(dataset) / "manifest.json").read_text())
        inputs = [
            i
            for i in manifest["inputs"]
            if i["graph"] == GRAPH_ONTOLOGY or i["graph"].startswith((GRAPH_CURATED, GRAPH_IMPORT))
        ]
        for i in inputs:
            st = Path(i["path"]).stat()
            if st.st_size != i["size"] or st.st_mtime_ns != i["mtime_ns"]:
                return None
    except (OSError, KeyError, ValueError, TypeError):
        return None
    from kg.build import DERIVED

    derived = dataset_dir(dataset) / DERIVED  # what the rules derived, and the rules
    if not inputs or not derived.is_file():
        return None
    try:
        return _load([i["path"] for i in inputs] + [str(derived)])
    except InputError:
        return None


def _load(files: list[str]):
    """FILES merged into the default graph of a new store: in memory, or, when they are too large for it
    (kg.memory), on disk in a temporary folder removed when the process ends."""
    from kg.memory import fits, say_on_disk

    if fits(files, "validate"):
        return load_rdf(files)
    import atexit
    import shutil
    import sys
    import tempfile

    from kg.validate.ondisk import load_on_disk

    print(say_on_disk(files, "validate"), file=sys.stderr)
    folder = Path(tempfile.mkdtemp(prefix="lattice-validate-"))
    atexit.register(shutil.rmtree, folder, True)
    return load_on_disk(folder / "store", files)


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
        # several files below APART_LIMIT are loaded with their blank nodes named after the file, so that a
        # result on a blank node is placed in its own file; otherwise the engine's bulk loader is faster
        size = sum(Path(f).stat().st_size for f in files if Path(f).is_file())
        apart = len(files) > 1 and size <= APART_LIMIT  # one file: every blank node is from it
        return (load_rdf_apart(files) if apart else _load(files)), files
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
            mem.extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in ox.parse(payload, format=ox.RdfFormat.N_QUADS)
            )
        else:
            mem.load(payload, format=ox.RdfFormat.N_TRIPLES)
        return mem, []
    raise UsageError(f"cannot validate data of type {type(data).__name__}")


def add_ontology(store) -> None:
    """Load the Lattice ontology and the register of cited data sets into the default graph of STORE."""
    load_rdf(context_files(), store)


def load_shapes(shapes=None):
    """The shapes graph as an in-memory pyoxigraph store, and the files it came from."""
    import pyoxigraph as ox

    if isinstance(shapes, ox.Store):
        return shapes, []
    files = shape_files(shapes)
    return load_rdf(files), [str(f) for f in files]


def top_shapes(shapes_store) -> list[str]:
    """The named shapes of a shapes graph (IRIs typed sh:NodeShape or sh:PropertyShape, or with a target),
    sorted; deactivated shapes left out."""
    from kg.namespaces import SH

    rows = shapes_store.query(
        f"""SELECT DISTINCT ?s WHERE {{
            {{ ?s a <{SH.NodeShape}> }} UNION {{ ?s a <{SH.PropertyShape}> }}
            UNION {{ ?s <{SH.targetClass}> ?t }} UNION {{ ?s <{SH.targetNode}> ?t }}
            UNION {{ ?s <{SH.targetSubjectsOf}> ?t }} UNION {{ ?s <{SH.targetObjectsOf}> ?t }}
            FILTER(isIRI(?s))
            FILTER NOT EXISTS {{ ?s <{SH.deactivated}> true }}
        }}"""
    )
    return sorted(r["s"].value for r in rows)


_ONTO_CACHE: dict = {}


def ontology_store():
    """The ontology files as a small store (for norm labels and passages); None when there is none."""
    from kg.paths import ONTOLOGY_DIR

    files = sorted(Path(ONTOLOGY_DIR).glob("*.ttl")) if Path(ONTOLOGY_DIR).is_dir() else []
    key = tuple((str(f), f.stat().st_mtime) for f in files)
    if key in _ONTO_CACHE:
        return _ONTO_CACHE[key]
    store = None
    if files:
        try:
            store = load_rdf(files)
        except InputError:
            store = None
    _ONTO_CACHE.clear()
    _ONTO_CACHE[key] = store
    return store


def fetch_endpoint(url: str, graph: str | None = None, page: int = 50000, timeout: int = 60):
    """Copy the triples an endpoint serves (optionally one named graph) into an in-memory store, in pages."""
    import pyoxigraph as ox
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    store = ox.Store()
    offset = 0
    inner = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    while True:
        q = (
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ {inner} }} "
            f"ORDER BY ?s ?p ?o LIMIT {page} OFFSET {offset} }} }}"
        )
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
            raise from_oxigraph_syntax_error(err, url) from None
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
