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
            check_rdf_file(f, fmt)
            if fmt.supports_datasets:
                store.bulk_load(path=str(f), format=fmt)
            else:
                store.bulk_load(path=str(f), format=fmt, to_graph=ox.DefaultGraph())
        except SyntaxError as err:
            raise from_oxigraph_syntax_error(err, f) from None


MAX_JSON_DEPTH = 100  # JSON-LD nesting ({ and [) a file may have; deeper files are refused, not parsed


def check_rdf_file(path, fmt) -> None:
    """Refuse, before any RDF parser sees it, an RDF/XML file that declares XML entities (billion laughs,
    quadratic blow-up) and a JSON-LD file nested deeper than MAX_JSON_DEPTH; InputError with file:line:col."""
    import pyoxigraph as ox

    path = Path(path)
    if fmt == ox.RdfFormat.RDF_XML:
        _refuse_xml_entities(path)
    elif fmt == ox.RdfFormat.JSON_LD:
        _refuse_deep_json(path)


def _refuse_xml_entities(path: Path) -> None:
    """Stream the document through expat up to its root element; any entity declaration is refused."""
    from xml.parsers import expat

    class Stop(Exception):
        pass

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(*_args):
        raise InputError("XML entity declarations are refused (they can expand to gigabytes)", path=path,
                         line=parser.CurrentLineNumber, col=parser.CurrentColumnNumber + 1)

    def root(*_args):
        raise Stop

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 16)
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except Stop:
        return
    except expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {expat.ErrorString(exc.code)}", path=path, line=exc.lineno,
                         col=exc.offset + 1) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None


def _refuse_deep_json(path: Path, limit: int = MAX_JSON_DEPTH) -> None:
    """Track the nesting of { and [ outside JSON strings; refuse the file at the first bracket past LIMIT."""
    import re

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text, re.DOTALL):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                raise InputError(f"JSON nested more than {limit} levels deep is refused", path=path, line=line,
                                 col=col)
        elif token in "]}":
            depth = max(0, depth - 1)
