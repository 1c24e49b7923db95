"""Open the built dataset for reading, building it first when it is missing or out of date."""

from __future__ import annotations

from pathlib import Path

from kg import paths
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

    from kg.build import DATASET

    out = dataset_dir(dataset)
    if build_if_needed:
        ensure_built(out)
    elif not (out / DATASET).is_file():
        raise UsageError(f"{out}: no built dataset here; run `kg build`")
    store = ox.Store()
    store.bulk_load(path=str(out / DATASET), format=ox.RdfFormat.N_QUADS, lenient=True)
    return store


# A dataset at least this large is read through an on-disk index instead of being loaded for every command.
DISK_INDEX_MIN_TRIPLES = 200_000
DISK_INDEX = "store"


def open_read_store(dataset=None):
    """A store for reading only: the built dataset's on-disk index when the dataset is large, else open_store().

    Loading `dataset.nq` costs a few seconds per million triples on every command; the on-disk index opens in
    milliseconds. It is made once, on the first read after a build, inside the dataset folder (so the next
    build, which replaces the folder, drops it). LATTICE_DISK_INDEX=0 turns it off.
    """
    import os
    import sys

    import pyoxigraph as ox

    from kg.build import DATASET, lock, read_manifest

    out = ensure_built(dataset)
    manifest = read_manifest(out) or {}
    if os.environ.get("LATTICE_DISK_INDEX", "1") == "0" or manifest.get("triples", 0) < DISK_INDEX_MIN_TRIPLES:
        return open_store(out, build_if_needed=False)
    index = out / DISK_INDEX
    if not index.is_dir():
        tmp = out / f"{DISK_INDEX}.tmp-{os.getpid()}"
        try:
            with lock(out):
                if not index.is_dir():
                    print(f"indexing {out / DATASET} on disk for fast reads (once per build) ...", file=sys.stderr)
                    _write_index(out / DATASET, tmp)
                    os.replace(tmp, index)
        except OSError as exc:  # a read-only folder or a full disk: read from memory as before
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
            print(f"cannot write the on-disk index ({exc}); loading into memory", file=sys.stderr)
            return open_store(out, build_if_needed=False)
    return ox.Store.read_only(str(index))


def _write_index(nquads: Path, where: Path) -> None:
    """Fill a new on-disk store at WHERE with NQUADS and close it."""
    import gc

    import pyoxigraph as ox

    store = ox.Store(str(where))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
    store.optimize()
    store.flush()
    del store
    gc.collect()  # the store is closed when the last reference goes


def open_memory_store(dataset=None, build_if_needed: bool = True):
    """A writable in-memory store holding the built dataset (the same as open_store)."""
    return open_store(dataset, build_if_needed=build_if_needed)
