"""RDF input and output for every command: formats by file extension, the one loader, parse errors, atomic writes."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from kg.errors import InputError

if TYPE_CHECKING:
    import pyoxigraph as ox

# Extensions pyoxigraph's RdfFormat.from_extension does not know, as the extension it does know.
_EXTENSION_ALIASES = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "owl": "rdf"}
# The formats Lattice reads and writes (N3 is not an RDF 1.1 serialisation: refused).
_ACCEPTED = ("Turtle", "TriG", "N-Triples", "N-Quads", "JSON-LD", "RDF/XML")
# The rdflib parser name of each format (rdflib reads data files for the pySHACL reference engine).
_RDFLIB_NAMES = {
    "Turtle": "turtle",
    "TriG": "trig",
    "N-Triples": "nt",
    "N-Quads": "nquads",
    "JSON-LD": "json-ld",
    "RDF/XML": "xml",
}


def rdf_format(path: str | Path) -> ox.RdfFormat:
    """The RDF format of a file, from its extension (.ttl .trig .nt .nq .jsonld .json .rdf .owl .xml)."""
    import pyoxigraph as ox

    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    fmt = ox.RdfFormat.from_extension(_EXTENSION_ALIASES.get(ext, ext)) if ext else None
    if fmt is None or fmt.name not in _ACCEPTED:
        raise InputError(
            f"unknown RDF file extension {path.suffix.lower()!r} (use .ttl, .trig, .nt, .nq, .jsonld or .rdf)",
            path=path,
        )
    return fmt


def rdflib_format(path: str | Path) -> str:
    """The rdflib parser name for a file, from its extension."""
    return _RDFLIB_NAMES[rdf_format(path).name]


def from_oxigraph_syntax_error(err: SyntaxError, path: object) -> InputError:
    """Turn a pyoxigraph parse error into an InputError with the position it reports."""
    msg = str(err)
    line = getattr(err, "lineno", None)
    col = getattr(err, "offset", None)
    if msg.startswith("Parser error") and ": " in msg:  # "... at line L column C: cause" or "between ..."
        msg = msg.split(": ", 1)[1]
    # pyoxigraph may append "(file, line N)"; the position is already in the prefix
    msg = re.sub(r"\s*\([^()]*, line \d+\)$", "", msg)
    return InputError(msg, path=path, line=line, col=col)


def _merge_dataset_file(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode | None) -> None:
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
            store.extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in list(store.quads_for_pattern(None, None, None, g))
            )
            store.remove_graph(g)
        return
    target = graph or ox.DefaultGraph()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, target) for q in ox.parse(path=str(path), format=fmt))


def load_rdf(paths: Iterable[str | Path], store: ox.Store | None = None, graph: ox.NamedNode | None = None) -> ox.Store:
    """Parse RDF files into a pyoxigraph store (a new one unless STORE is given).

    Every triple goes into GRAPH (default: the default graph), the named graphs of dataset files included.
    A file that is missing or malformed raises InputError with file:line:col.
    """
    import pyoxigraph as ox

    store = store if store is not None else ox.Store()
    for p in paths:
        p = Path(p)
        if not p.is_file():
            raise InputError("no such file", path=p)
        fmt = rdf_format(p)
        check_rdf_file(p, fmt)  # XML entities and deep JSON-LD are refused before any parser sees them
        try:
            if fmt.supports_datasets:
                _merge_dataset_file(store, p, fmt, graph)
            else:
                store.load(path=str(p), format=fmt, to_graph=graph or ox.DefaultGraph())
        except SyntaxError as err:
            raise from_oxigraph_syntax_error(err, p) from None
        except ValueError as err:
            raise InputError(str(err), path=p) from None
    return store


BLANK_PREFIX = "f{index}x"  # load_rdf_apart: the blank nodes of the INDEX-th file start with this


def load_rdf_apart(paths: Iterable[str | Path], store: ox.Store | None = None) -> ox.Store:
    """Like load_rdf into the default graph, but the blank nodes of the i-th file are named `f<i>x<label>`, so
    that the file a blank node comes from is known (blank_node_file); equal labels in two files stay apart."""
    import pyoxigraph as ox

    store = store if store is not None else ox.Store()
    for index, p in enumerate(paths):
        p = Path(p)
        if not p.is_file():
            raise InputError("no such file", path=p)
        fmt = rdf_format(p)
        check_rdf_file(p, fmt)
        prefix = BLANK_PREFIX.format(index=index)

        def rename(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, prefix: str = prefix) -> object:
            return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term

        def quads(p: Path = p, fmt: ox.RdfFormat = fmt, rename: Callable[..., object] = rename) -> Iterable[ox.Quad]:
            for q in ox.parse(path=str(p), format=fmt):
                yield ox.Quad(rename(q.subject), q.predicate, rename(q.object), ox.DefaultGraph())  # type: ignore[arg-type]

        try:
            store.bulk_extend(quads())
        except SyntaxError as err:
            raise from_oxigraph_syntax_error(err, p) from None
        except ValueError as err:
            raise InputError(str(err), path=p) from None
    return store


def blank_node_file(label: str, paths: list[str]) -> str | None:
    """The file of PATHS (as given to load_rdf_apart) that the blank node LABEL (without `_:`) comes from."""
    m = re.match(r"f(\d+)x", label)
    if m and int(m.group(1)) < len(paths):
        return paths[int(m.group(1))]
    return None


def atomic_write(path: str | Path, write: Callable[[str], object]) -> Path:
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


def write_atomic(path: str | Path, text: str) -> Path:
    """Write TEXT (UTF-8) to PATH atomically."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


MAX_JSON_DEPTH = 100  # JSON-LD nesting ({ and [) a file may have; deeper files are refused, not parsed


def check_rdf_file(path: str | Path, fmt: ox.RdfFormat | None) -> None:
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

    def entity(*_args: object) -> NoReturn:
        raise InputError(
            "XML entity declarations are refused (they can expand to gigabytes)",
            path=path,
            line=parser.CurrentLineNumber,
            col=parser.CurrentColumnNumber + 1,
        )

    def root(*_args: object) -> NoReturn:
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
        raise InputError(
            f"not well-formed XML: {expat.ErrorString(exc.code)}", path=path, line=exc.lineno, col=exc.offset + 1
        ) from None
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
                raise InputError(f"JSON nested more than {limit} levels deep is refused", path=path, line=line, col=col)
        elif token in "]}":
            depth = max(0, depth - 1)
