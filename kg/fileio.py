"""Atomic file writes and RDF file loading shared by every command that writes or reads files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kg.errors import InputError


def atomic_write(path, write) -> Path:
    """Call WRITE(tmp_path) on a temporary file beside PATH, then rename it over PATH; nothing half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_atomic(path, text: str) -> Path:
    """Write TEXT (UTF-8) to PATH atomically."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def load_rdf_files(store, files, fmt_for) -> None:
    """Parse FILES into STORE (triples into the default graph); a syntax error becomes file:line:col."""
    import pyoxigraph as ox

    from kg.errors import from_oxigraph_syntax_error

    for f in files:
        f = Path(f)
        if not f.is_file():
            raise InputError("no such file", path=f)
        try:
            fmt = fmt_for(f)
            if fmt.supports_datasets:
                store.bulk_load(path=str(f), format=fmt)
            else:
                store.bulk_load(path=str(f), format=fmt, to_graph=ox.DefaultGraph())
        except SyntaxError as err:
            raise from_oxigraph_syntax_error(err, f) from None
