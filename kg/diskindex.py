"""The on-disk index of a built dataset: where it lives, which datasets have one, and how it is made."""

from __future__ import annotations

from pathlib import Path

# A dataset at least this large is read through an on-disk index instead of being loaded for every command, and
# an incremental build of it works on that index (kg.build).
DISK_INDEX_MIN_TRIPLES = 200_000
DISK_INDEX = "store"


def large(manifest: dict | None) -> bool:
    """Whether the build of MANIFEST is large enough to be read and kept up to date on disk (never with
    LATTICE_DISK_INDEX=0)."""
    import os

    if os.environ.get("LATTICE_DISK_INDEX", "1") == "0":
        return False
    return (manifest or {}).get("triples", 0) >= DISK_INDEX_MIN_TRIPLES


def make_index(nquads: Path, index: Path) -> None:
    """Write the on-disk INDEX of a dataset from its N-Quads file (call under kg.build.lock of its folder)."""
    import gc
    import os
    import shutil

    import pyoxigraph as ox

    tmp = index.parent / f"{index.name}.tmp-{os.getpid()}"
    try:
        store = ox.Store(str(tmp))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        store.optimize()
        store.flush()
        del store
        gc.collect()  # the store is closed when the last reference goes
        os.replace(tmp, index)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
