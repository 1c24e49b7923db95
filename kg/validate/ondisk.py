"""The validated graph of a large dataset, kept on disk beside the validation state and updated by the difference."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

VALIDATED = "store"  # its folder, in the validation state's folder


def validated_graph(graph: str) -> bool:
    """Whether GRAPH, a named graph of the build, is one of those `kg validate` merges (see current_sources)."""
    from kg.namespaces import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_IMPORT, GRAPH_ONTOLOGY, GRAPH_RULES

    return graph in (GRAPH_ONTOLOGY, GRAPH_DERIVED, GRAPH_RULES) or graph.startswith((GRAPH_CURATED, GRAPH_IMPORT))


def blank_free(path: str) -> bool:
    """Whether an N-Quads or TriG source names no blank node (the store loads those under labels of its own)."""
    tail = b""
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            if b"_:" in tail + chunk:
                return False
            tail = chunk[-1:]
    return True


def clean(where: Path) -> None:
    """Remove what killed runs left in the state's folder WHERE (call under its lock)."""
    for leftover in [*where.glob(f"{VALIDATED}.tmp-*"), *where.glob(f"{VALIDATED}.old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def keep(where: Path, large: bool, dataset_files: list[str], store: ox.Store) -> None:
    """Write the default graph of STORE (the validated graph) to WHERE/VALIDATED when the dataset is LARGE and
    its DATASET_FILES name no blank node; otherwise leave none."""
    target = where / VALIDATED
    shutil.rmtree(target, ignore_errors=True)
    if not large or not all(blank_free(p) for p in dataset_files):
        return
    tmp = where / f"{VALIDATED}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        disk = ox.Store(str(tmp))
        disk.bulk_extend(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        disk.flush()
        del disk
        gc.collect()  # the store is closed when the last reference goes, before its folder is renamed
        os.replace(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # the next run loads the sources again


def load_on_disk(folder: Path, files: list[str], triples_of=None) -> ox.Store:
    """A new on-disk store in FOLDER with every graph of FILES merged into its default graph, streamed by bulk
    loads, so that memory does not grow with the data. TRIPLES_OF(path), when given, gives the triples of a
    graph file (its blank nodes labelled as the caller needs); otherwise the store labels them.

    A file that is missing or malformed raises InputError with file:line:col, and FOLDER is removed."""
    from kg.errors import InputError
    from kg.fileio import check_rdf_file, from_oxigraph_syntax_error, rdf_format

    store = ox.Store(str(folder))
    dg = ox.DefaultGraph()
    try:
        for f in files:
            path = Path(f)
            if not path.is_file():
                raise InputError("no such file", path=path)
            fmt = rdf_format(path)
            check_rdf_file(path, fmt)
            try:
                if fmt.supports_datasets:
                    quads = ox.parse(path=str(path), format=fmt)
                    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, dg) for q in quads)
                elif triples_of is not None:
                    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, dg) for t in triples_of(path))
                else:
                    store.bulk_load(path=str(path), format=fmt, to_graph=dg)  # no base IRI, as in memory
            except SyntaxError as err:
                raise from_oxigraph_syntax_error(err, path) from None
            except ValueError as err:
                raise InputError(str(err), path=path) from None
        store.flush()
    except BaseException:
        del store
        gc.collect()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return store


def load_apart(where: Path, files: list[str], triples_of=None) -> tuple[ox.Store, Path]:
    """FILES loaded on disk (load_on_disk) into a new folder in the state's folder WHERE, and that folder."""
    tmp = where / f"{VALIDATED}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    where.mkdir(parents=True, exist_ok=True)
    return load_on_disk(tmp, files, triples_of), tmp


def put_in_place(where: Path, folder: Path, kept: bool) -> ox.Store:
    """The store loaded in FOLDER by load_apart, once the caller dropped it: kept as WHERE/VALIDATED when KEPT,
    otherwise removed when the process ends; opened again for reading."""
    gc.collect()  # the store is closed when the last reference goes, before its folder is renamed
    if kept:
        os.replace(folder, where / VALIDATED)
        return ox.Store.read_only(str(where / VALIDATED))
    atexit.register(shutil.rmtree, folder, True)
    return ox.Store.read_only(str(folder))


@dataclass
class Copy:
    """A writable copy of the validated graph on disk, while it is being updated."""

    store: ox.Store | None


@contextlib.contextmanager
def updated_copy(where: Path, index: Path, added: set, removed: set) -> Iterator[Copy]:
    """A copy of WHERE/VALIDATED (a RocksDB checkpoint: hard links, instant) with the triples ADDED added and
    REMOVED removed, unless the build's on-disk INDEX still states one in a validated graph; the copy replaces
    the original when the block ends, and is dropped if it raises. (Applied twice, a difference gives the same
    graph, so the state written after it may lag behind without harm.)"""
    target = where / VALIDATED
    tmp = where / f"{VALIDATED}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    ox.Store.read_only(str(target)).backup(str(tmp))
    gc.collect()
    copy = Copy(ox.Store(str(tmp)))
    try:
        assert copy.store is not None
        stated = ox.Store.read_only(str(index))
        dg = ox.DefaultGraph()
        for t in removed:
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode):
                graphs = (q.graph_name for q in stated.quads_for_pattern(t.subject, t.predicate, t.object))
                if any(isinstance(g, ox.NamedNode) and validated_graph(g.value) for g in graphs):
                    continue
            copy.store.remove(ox.Quad(t.subject, t.predicate, t.object, dg))
        copy.store.extend(ox.Quad(t.subject, t.predicate, t.object, dg) for t in added)
        yield copy
        copy.store.flush()
        copy.store = None
        gc.collect()
        old = where / f"{VALIDATED}.old-{os.getpid()}"
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        copy.store = None
        gc.collect()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
