"""Open the built dataset for reading, building it first when it is missing or out of date."""

from __future__ import annotations

from pathlib import Path

from kg import paths
from kg.diskindex import DISK_INDEX, large, make_index
from kg.errors import UsageError


def dataset_dir(dataset=None) -> Path:
    """The dataset folder: the one given, else $LATTICE_HOME/build."""
    return Path(dataset).expanduser().resolve() if dataset else paths.default_dataset().resolve()


def ensure_built(dataset=None, quiet: bool = True) -> Path:
    """Build the dataset if it is missing or stale; returns its folder."""
    from kg.build import build, is_current

    out = dataset_dir(dataset)
    if not is_current(out):
        import sys

        if not quiet:
            print(f"building {out} ...", file=sys.stderr)
        build(out)
    return out


def open_store(dataset=None, build_if_needed: bool = True):
    """The built dataset loaded into an in-memory pyoxigraph Store (query it with use_default_graph_as_union=True).

    Each call returns a fresh store: a caller may add to it without touching the dataset on disk.
    """
    import pyoxigraph as ox

    out = dataset_dir(dataset)
    if build_if_needed:
        ensure_built(out)
    from kg.build import has_dataset

    if not has_dataset(out):
        raise UsageError(f"{out}: no built dataset here; run `kg build`")
    store = ox.Store()
    store.bulk_load(path=str(dataset_file(out)), format=ox.RdfFormat.N_QUADS, lenient=True)
    return store


def dataset_file(out: Path) -> Path:
    """The N-Quads file of the dataset in OUT, written from its on-disk index first when an incremental build
    left only the index (once per build)."""
    import os
    import sys

    from kg.build import DATASET, lock

    target = out / DATASET
    if target.is_file():
        return target
    with lock(out):
        if not target.is_file():
            import pyoxigraph as ox

            from kg.nquads import write_graphs

            print(f"writing {target} from its on-disk index (once per build) ...", file=sys.stderr)
            index = ox.Store.read_only(str(out / DISK_INDEX))
            graphs = sorted(g.value for g in index.named_graphs() if isinstance(g, ox.NamedNode))
            tmp = out / f"{DATASET}.tmp-{os.getpid()}"
            try:
                with open(tmp, "wb") as f:
                    write_graphs(index, graphs, f)
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
    return target


def open_read_store(dataset=None):
    """A store for reading only: the built dataset's on-disk index when the dataset is large, else open_store().

    Loading `dataset.nq` costs a few seconds per million triples on every command; the on-disk index opens in
    milliseconds. It is made once, on the first read after a full build, inside the dataset folder (so the
    next full build, which replaces the folder, drops it; an incremental build carries it over, updated).
    LATTICE_DISK_INDEX=0 turns it off.
    """
    import sys

    import pyoxigraph as ox

    from kg.build import DATASET, lock, read_manifest

    out = ensure_built(dataset)
    manifest = read_manifest(out) or {}
    if not large(manifest):
        return open_store(out, build_if_needed=False)
    index = out / DISK_INDEX
    if not index.is_dir():
        try:
            with lock(out):
                if not index.is_dir():
                    print(f"indexing {out} on disk for fast reads (once per build) ...", file=sys.stderr)
                    make_index(out / DATASET, out / DISK_INDEX)
        except OSError as exc:  # a read-only folder or a full disk: read from memory as before
            print(f"cannot write the on-disk index ({exc}); loading into memory", file=sys.stderr)
            return open_store(out, build_if_needed=False)
    return ox.Store.read_only(str(index))


def open_memory_store(dataset=None, build_if_needed: bool = True):
    """A writable in-memory store holding the built dataset (the same as open_store)."""
    return open_store(dataset, build_if_needed=build_if_needed)
