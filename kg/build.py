"""`kg build`: merge ontology, shapes, curated graph and imports into one dataset, and materialize inferences."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kg import namespaces as ns
from kg import paths
from kg.errors import InputError, UsageError
from kg.nquads import write_graphs
from kg.search import write_index as write_search_index
from kg.version import __version__

MANIFEST = "manifest.json"
DATASET = "dataset.nq"
DERIVED = "derived.nq"  # the derived records and the rules, apart, so that `kg validate` can read them alone

RDF_EXTENSIONS = {
    ".ttl": "TURTLE",
    ".nt": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".trig": "TRIG",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
    ".jsonld": "JSON_LD",
}


@dataclass
class Source:
    """One input file and the named graph it goes into."""

    path: Path
    graph: str

    def key(self) -> str:
        return f"{self.graph} {self.path}"


@dataclass
class BuildResult:
    """What a build did: where the dataset is, how big, what was reused."""

    out: Path
    triples: int = 0
    inferred: int = 0
    parsed: list = field(default_factory=list)
    reused: list = field(default_factory=list)
    seconds: float = 0.0
    skipped: bool = False
    incremental: bool = False  # the inferences were kept by difference (kg.maintain)
    on_disk: bool = False  # the whole build happened on the on-disk index, the inputs being too large for memory
    derived_again: bool = False  # ... and the derivation rules of rules/ ran again, the change reaching their reads


def rdf_format(path: Path):
    """The pyoxigraph format for a file name, or an InputError naming the file."""
    import pyoxigraph as ox

    name = RDF_EXTENSIONS.get(path.suffix.lower())
    if name is None:
        raise InputError(
            f"unknown RDF file extension {path.suffix!r} (expected one of {', '.join(sorted(RDF_EXTENSIONS))})",
            path=path,
        )
    return getattr(ox.RdfFormat, name)


def sources(extra: list[Path] | None = None) -> list[Source]:
    """Every input of the build, in a stable order, each with its named graph."""
    found: list[Source] = []
    for p in sorted(paths.ONTOLOGY_DIR.glob("*.ttl")):
        found.append(Source(p, ns.GRAPH_ONTOLOGY))
    for p in sorted((paths.ONTOLOGY_DIR / "external").glob("*.ttl")):
        found.append(Source(p, ns.LAT_G + "external"))
    for p in sorted(paths.SHAPES_DIR.glob("*.ttl")):
        found.append(Source(p, ns.GRAPH_SHAPES))
    for p in sorted(paths.RULES_DIR.glob("*.rq")):
        found.append(Source(p, ns.GRAPH_RULES))  # the rule's header, as a lat:DerivationRule individual
    for p in sorted(paths.DATA_DIR.glob("*.ttl")):
        found.append(Source(p, ns.curated_graph(p.stem)))
    imports = paths.imports_dir()
    if imports.is_dir():
        for p in sorted(imports.iterdir()):
            if p.suffix.lower() in RDF_EXTENSIONS:
                found.append(Source(p, ns.import_graph(p.stem)))
    for p in extra or []:
        p = Path(p)
        if not p.is_file():
            raise InputError("no such file", path=p)
        rdf_format(p)
        found.append(Source(p.resolve(), ns.import_graph(p.stem)))
    return found


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(src: Source, previous: dict | None = None) -> dict:
    """Size, mtime and content hash of an input; the hash is reused when size and mtime are unchanged."""
    st = src.path.stat()
    entry = {"path": str(src.path), "graph": src.graph, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    if previous and previous.get("size") == st.st_size and previous.get("mtime_ns") == st.st_mtime_ns:
        entry["sha256"] = previous["sha256"]
    else:
        entry["sha256"] = _digest(src.path)
    return entry


def read_manifest(out: Path) -> dict | None:
    """The manifest of a built dataset, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def _previous_entries(manifest: dict | None) -> dict:
    if not manifest:
        return {}
    return {f"{e['graph']} {e['path']}": e for e in manifest.get("inputs", [])}


def has_dataset(out: Path) -> bool:
    """Whether OUT holds a built dataset: its N-Quads file, or its on-disk index alone (after an incremental
    build of a large dataset; kg.store writes the file again when a command needs it)."""
    from kg.diskindex import DISK_INDEX

    return (out / DATASET).is_file() or (out / DISK_INDEX).is_dir()


def is_current(out: Path, extra: list[Path] | None = None) -> bool:
    """True when the dataset in OUT was built by this version from exactly the current inputs."""
    manifest = read_manifest(out)
    if not manifest or manifest.get("kg_version") != __version__ or not has_dataset(out):
        return False
    if extra is None:
        extra = [Path(p) for p in manifest.get("extra", [])]
    previous = _previous_entries(manifest)
    try:
        current = [fingerprint(s, previous.get(s.key())) for s in sources(extra)]
    except (OSError, InputError):
        return False
    return [(e["graph"], e["path"], e["sha256"]) for e in current] == [
        (e["graph"], e["path"], e["sha256"]) for e in manifest.get("inputs", [])
    ]


@contextlib.contextmanager
def lock(out: Path):
    """Serialize builds of one dataset folder across processes."""
    import fcntl

    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _load(store, src: Source) -> None:
    import pyoxigraph as ox

    graph = ox.NamedNode(src.graph)
    if src.graph == ns.GRAPH_RULES:
        from kg.rules import parse, to_ntriples

        store.bulk_load(to_ntriples(parse(src.path)).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        return
    fmt = rdf_format(src.path)
    from kg.fileio import check_rdf_file

    check_rdf_file(src.path, fmt)  # XML entities and deep JSON-LD are refused before parsing
    try:
        store.bulk_load(path=str(src.path), format=fmt, to_graph=graph, base_iri=src.path.absolute().as_uri())
    except SyntaxError as exc:
        from kg.fileio import from_oxigraph_syntax_error

        raise from_oxigraph_syntax_error(exc, src.path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", path=src.path) from None


def _stale(manifest: dict, entries: list) -> set:
    """The graphs whose inputs differ between MANIFEST (the previous build) and ENTRIES (fingerprints)."""
    old_graphs: dict[str, set] = {}
    new_graphs: dict[str, set] = {}
    for e in manifest.get("inputs", []):
        old_graphs.setdefault(e["graph"], set()).add(e["sha256"])
    for e in entries:
        new_graphs.setdefault(e["graph"], set()).add(e["sha256"])
    return {g for g in set(old_graphs) | set(new_graphs) if old_graphs.get(g) != new_graphs.get(g)}


def _maintain(store, inputs: list[Source], stale: set, result: BuildResult, say, sizes: dict | None = None):
    """Apply the new content of the STALE input graphs to STORE (the previous build) and keep the inferences
    by difference (kg.maintain); returns what changed (a kg.maintain.Change), or None, with STORE untouched,
    when the change reaches the schema. SIZES, when given, gets the new size of each stale graph."""
    import pyoxigraph as ox

    from kg.maintain import align_blank_nodes, graph_triples, update

    changes = {}
    for graph in sorted(stale):
        scratch = ox.Store()
        for src in inputs:
            if src.graph == graph:
                say(f"parse {src.path}")
                _load(scratch, src)
        before = graph_triples(store, graph)
        changes[graph] = (before, align_blank_nodes(before, graph_triples(scratch, graph)))
    change = update(store, changes, profile=say)
    if change is None:
        return None
    result.incremental = True
    result.derived_again = change.derived_again
    for src in inputs:
        (result.parsed if src.graph in stale else result.reused).append(str(src.path))
    if sizes is not None:
        for graph, (_before, after) in changes.items():
            sizes[graph] = len(after)
    return change


# A change whose triples name more nodes than this rebuilds the search index whole rather than entry by entry.
SEARCH_UPDATE_MAX_NODES = 5000


def _count(store, graph: str) -> int:
    found = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(found))[0].value)


class _OnDisk:
    """A build on disk in OUT.tmp-PID (its store in DISK_INDEX there): the store is closed and the folder
    removed when the block raises."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.tmp = out.parent / f"{out.name}.tmp-{os.getpid()}"
        self.store: Any = None  # a pyoxigraph Store while open

    def __enter__(self) -> _OnDisk:
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.drop()

    def drop(self) -> None:
        """Close the store and remove the folder."""
        import gc

        self.store = None
        gc.collect()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self, entries: list, extra, sizes: dict, result: BuildResult) -> None:
        """Close the store, write the manifest with the graph SIZES and put the folder in place of OUT."""
        import gc

        assert self.store is not None
        self.store.flush()
        self.store = None
        gc.collect()  # the store is closed when the last reference goes, before its folder is renamed
        result.triples = sum(sizes.values())
        result.inferred = sizes.get(ns.GRAPH_INFERRED, 0)
        _write_manifest(self.tmp, entries, extra, sizes)
        _swap(self.tmp, self.out)


def _build_on_disk(out: Path, manifest: dict, inputs, entries, stale: set, extra, result: BuildResult, say) -> bool:
    """The incremental build of a large dataset, on its on-disk index (kg.store): a copy of the index (its files
    hard-linked: instant) gets the change and the inferences kept by difference, and becomes the new build with
    the files that changed; the N-Quads file is written again only when a command needs it. False, with
    nothing written, when the change reaches the schema (the caller then builds in memory)."""
    import gc

    import pyoxigraph as ox

    from kg.diskindex import DISK_INDEX, make_index
    from kg.search import INDEX_FILE, update_index
    from kg.search import write_index as write_search_index

    index = out / DISK_INDEX
    if not index.is_dir():
        say(f"index {out / DATASET} on disk (once per full build)")
        make_index(out / DATASET, index)
    with _OnDisk(out) as disk:
        tmp = disk.tmp
        ox.Store.read_only(str(index)).backup(str(tmp / DISK_INDEX))
        gc.collect()
        disk.store = store = ox.Store(str(tmp / DISK_INDEX))
        sizes = dict(manifest.get("graphs", {}))
        change = _maintain(store, inputs, stale, result, say, sizes)
        if change is None:
            del store
            disk.drop()
            return False
        say("write the changed files")
        sizes[ns.GRAPH_INFERRED] = sizes.get(ns.GRAPH_INFERRED, 0) + change.inferred
        if change.derived_again:
            sizes[ns.GRAPH_DERIVED] = _count(store, ns.GRAPH_DERIVED)
        sizes = {g: n for g, n in sorted(sizes.items()) if n}
        if change.derived_again:
            with open(tmp / DERIVED, "wb") as apart:
                write_graphs(store, [ns.GRAPH_DERIVED, ns.GRAPH_RULES], apart)
        else:
            os.link(out / DERIVED, tmp / DERIVED)
        if change.derived_again or len(change.nodes) > SEARCH_UPDATE_MAX_NODES or not (out / INDEX_FILE).is_file():
            write_search_index(store, tmp)
        else:
            update_index(out / INDEX_FILE, store, change.nodes, tmp)
        del store
        disk.finish(entries, extra, sizes, result)
    return True


def _build_whole_on_disk(out: Path, inputs, entries, extra, result: BuildResult, say) -> None:
    """The full build of inputs too large for memory (kg.memory), on a new on-disk index: every input parsed
    into it, the inferences materialized there with the rules' outputs written to files (they need not fit in
    memory either), and the files beside it written from it; the N-Quads file is written only when a command
    needs it (kg.store.dataset_file). Later builds keep it up to date by difference (_build_on_disk)."""
    import pyoxigraph as ox

    from kg.diskindex import DISK_INDEX
    from kg.inference import materialize

    with _OnDisk(out) as disk:
        disk.store = store = ox.Store(str(disk.tmp / DISK_INDEX))
        for src in inputs:
            say(f"parse {src.path}")
            _load(store, src)
            result.parsed.append(str(src.path))
        say("materialize inferences")
        spill = disk.tmp / "rule-outputs"
        spill.mkdir()
        materialize(store, count=False, spill=spill)
        shutil.rmtree(spill)
        say("write the files beside the index")
        sizes = graph_sizes(store)
        with open(disk.tmp / DERIVED, "wb") as apart:
            write_graphs(store, [ns.GRAPH_DERIVED, ns.GRAPH_RULES], apart)
        write_search_index(store, disk.tmp)
        del store
        result.on_disk = True
        disk.finish(entries, extra, sizes, result)


def graph_sizes(store) -> dict:
    """The number of triples of every named graph of STORE, by graph IRI, sorted."""
    found = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return dict(sorted((row[0].value, int(row[1].value)) for row in found))


def _write_manifest(folder: Path, entries: list, extra, sizes: dict) -> None:
    """The manifest, written last: a folder with one is a complete build (see recover)."""
    new_manifest = {
        "kg_version": __version__,
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": entries,
        "extra": [str(Path(p).resolve()) for p in (extra or [])],
        "graphs": sizes,
        "triples": sum(sizes.values()),
        "inferred": sizes.get(ns.GRAPH_INFERRED, 0),
    }
    (folder / MANIFEST).write_text(json.dumps(new_manifest, indent=2))


def build(
    out: Path | None = None,
    force: bool = False,
    extra: list[Path] | None = None,
    progress=None,
    incremental: bool = True,
) -> BuildResult:
    """Build the dataset into OUT atomically; unchanged inputs are taken from the previous build unparsed.

    With INCREMENTAL (the default), a change to curated or imported graphs only updates the previous build's
    inferences by difference (kg.maintain); otherwise, and whenever the change reaches the schema, the rules
    run from scratch. Both give the same dataset.

    The work happens in an in-memory store (rule evaluation there is an order of magnitude faster than on
    disk); the result is written as one N-Quads file beside the target folder and renamed into place.
    """
    import pyoxigraph as ox

    out = Path(out) if out else paths.default_dataset()
    out = out.expanduser().resolve()
    say = progress or (lambda msg: None)
    started = time.perf_counter()
    with lock(out):
        recover(out)
        manifest = read_manifest(out)
        if extra is None and manifest:
            extra = [Path(p) for p in manifest.get("extra", [])]
        if not force and is_current(out, extra):
            return BuildResult(
                out=out,
                triples=manifest.get("triples", 0),
                inferred=manifest.get("inferred", 0),
                skipped=True,
                seconds=time.perf_counter() - started,
            )
        previous = _previous_entries(manifest)
        inputs = sources(extra)
        entries = [fingerprint(s, previous.get(s.key())) for s in inputs]
        result = BuildResult(out=out)
        stale = {e["graph"] for e in entries}
        old = manifest if not force and manifest and manifest.get("kg_version") == __version__ else None
        from kg.diskindex import large
        from kg.memory import fits, say_on_disk

        if old is not None and incremental and has_dataset(out) and large(old):  # kept up to date on disk
            stale = _stale(old, entries)
            changed = [s.path for s in inputs if s.graph in stale]  # parsed into memory to take the difference
            if (
                stale
                and all(g.startswith((ns.GRAPH_CURATED, ns.GRAPH_IMPORT)) for g in stale)
                and fits(changed, "build")
            ):
                if _build_on_disk(out, old, inputs, entries, stale, extra, result, say):
                    result.seconds = time.perf_counter() - started
                    return result
                result.parsed, result.reused = [], []
            stale = {e["graph"] for e in entries}
        files = [s.path for s in inputs]
        if not fits(files, "build"):
            say(say_on_disk(files, "build"))
            _build_whole_on_disk(out, inputs, entries, extra, result, say)
            result.seconds = time.perf_counter() - started
            return result
        store = ox.Store()
        maintained = False
        if old is not None and (out / DATASET).is_file():
            # graphs whose inputs are unchanged come from the previous dataset; only the others are parsed
            stale = _stale(old, entries)
            say(f"reuse {out / DATASET}")
            store.bulk_load(path=str(out / DATASET), format=ox.RdfFormat.N_QUADS, lenient=True)
            if stale and incremental and all(g.startswith((ns.GRAPH_CURATED, ns.GRAPH_IMPORT)) for g in stale):
                maintained = _maintain(store, inputs, stale, result, say) is not None
            if not maintained:
                for g in stale | {ns.GRAPH_INFERRED, ns.GRAPH_DERIVED}:
                    if store.contains_named_graph(ox.NamedNode(g)):
                        store.remove_graph(ox.NamedNode(g))
        if not maintained:
            for src in inputs:
                if src.graph in stale:
                    say(f"parse {src.path}")
                    _load(store, src)
                    result.parsed.append(str(src.path))
                else:
                    result.reused.append(str(src.path))
        tmp = out.parent / f"{out.name}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            from kg.inference import materialize

            made = {ns.GRAPH_INFERRED, ns.GRAPH_DERIVED}  # the only graphs the rules write to
            input_graphs = sorted(
                g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in made
            )
            with open(tmp / DATASET, "wb") as dataset, ThreadPoolExecutor(max_workers=1) as pool:
                # the input graphs are written by a thread of their own while the rules fill the other two
                written = pool.submit(write_graphs, store, input_graphs, dataset)
                if not maintained:
                    say("materialize inferences")
                    materialize(store, count=False)  # the graph sizes below count it
                say(f"write {out / DATASET}")
                sizes = written.result()
                index = pool.submit(write_search_index, store, tmp)  # labels and aliases for `kg serve`'s search
                sizes.update(write_graphs(store, sorted(made), dataset))
                # the derived records and the rules, apart
                with open(tmp / DERIVED, "wb") as apart:
                    write_graphs(store, [ns.GRAPH_DERIVED, ns.GRAPH_RULES], apart)
                index.result()
            sizes = dict(sorted(sizes.items()))
            result.triples = sum(sizes.values())
            result.inferred = sizes.get(ns.GRAPH_INFERRED, 0)
            _write_manifest(tmp, entries, extra, sizes)
            _swap(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    result.seconds = time.perf_counter() - started
    return result


def recover(out: Path) -> None:
    """Finish or undo a swap a kill interrupted, and remove what killed builds left (call under lock(out)).

    A kill between the two renames of _swap leaves no OUT but a complete OUT.tmp-PID (its manifest is written
    last) and the previous OUT.old-PID: the newest complete one is put in place. Every other OUT.tmp-*,
    OUT.old-* and unfinished on-disk index (OUT/store.tmp-*) is a leftover, since builds hold the lock.
    """
    parent = out.parent
    if not parent.is_dir():
        return
    tmps = sorted(parent.glob(f"{out.name}.tmp-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    olds = sorted(parent.glob(f"{out.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not out.exists():
        for candidate in [t for t in tmps if (t / MANIFEST).is_file() and (t / DATASET).is_file()] + olds:
            try:
                os.replace(candidate, out)
                break
            except OSError:
                continue
    for leftover in tmps + olds + list(out.glob("*.tmp-*")):
        if leftover.exists() and leftover != out:
            shutil.rmtree(leftover, ignore_errors=True)


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished build in place: the old one is renamed away first, then removed."""
    old = None
    if out.exists():
        old = out.parent / f"{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def register(sub) -> None:
    """Add `kg build` to the command line."""
    p = sub.add_parser(
        "build",
        help="merge ontology, shapes, curated graph and imports into the dataset",
        description="Merge the ontology, the shapes, the curated graph and any imported data into one dataset "
        "(one named graph per source) in an embedded store, and materialize the inferences the queries rely on. "
        "The build is atomic and reuses unchanged inputs from the previous build.",
    )
    from kg.cliopts import add_output

    add_output(p, "dataset folder (default: --dataset or $LATTICE_HOME/build)", dest="out", metavar="DIR")
    p.add_argument(
        "--add",
        metavar="FILE",
        action="append",
        default=None,
        help="extra RDF file to merge as graph lat-g:import/<stem> (repeatable; remembered by later builds)",
    )
    p.add_argument("--force", action="store_true", help="rebuild everything even when nothing changed")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=run)


def run(args) -> int:
    out = args.out or getattr(args, "dataset", None)
    if args.add:
        for f in args.add:
            if not Path(f).is_file():
                raise UsageError(f"--add {f}: no such file")
    show = not args.quiet and sys.stderr.isatty()
    progress = (lambda m: print(m, file=sys.stderr)) if show else None
    res = build(
        Path(out) if out else None,
        force=args.force,
        extra=[Path(f) for f in args.add] if args.add else None,
        progress=progress,
    )
    if not args.quiet:
        if res.skipped:
            print(f"{res.out}: up to date ({res.triples} triples)")
        else:
            print(
                f"{res.out}: {res.triples} triples ({res.inferred} inferred); "
                f"parsed {len(res.parsed)} inputs, reused {len(res.reused)}"
                + ("; inferences kept by difference" if res.incremental else "")
                + ("; on disk" if res.on_disk else "")
                + f"; {res.seconds:.2f} s"
            )
    return 0
