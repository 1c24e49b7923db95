"""`kg release`: the publishable ontology artefacts of one version (merged and per module, four formats) and how to serve them."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg import __version__, paths
from kg import namespaces as ns
from kg.cliopts import add_output
from kg.errors import InputError, UsageError

ONTOLOGY_IRI = ns.LAT_ONTOLOGY
BASE = ONTOLOGY_IRI + "/"
# format key -> (rdflib serializer, file extension, media type)
FORMATS = {
    "ttl": ("turtle", ".ttl", "text/turtle"),
    "rdf": ("xml", ".rdf", "application/rdf+xml"),
    "jsonld": ("json-ld", ".jsonld", "application/ld+json"),
    "nt": ("nt", ".nt", "application/n-triples"),
}
FORMAT_ALIASES = {
    "ttl": "ttl",
    "turtle": "ttl",
    "rdf": "rdf",
    "xml": "rdf",
    "rdfxml": "rdf",
    "owl": "rdf",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "json": "jsonld",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
}
MEDIA_TYPES = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/xml": "rdf",
    "application/owl+xml": None,
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
MERGED = "lattice"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def version() -> str:
    """The release version: the package version, the one place it is written."""
    return __version__


def version_iri(v: str | None = None) -> str:
    return f"{BASE}{v or version()}"


def module_names() -> list[str]:
    """The Lattice modules (ontology/*.ttl without the header lattice.ttl), each at <ontology IRI>/<name>."""
    return [p.stem for p in paths.ontology_modules() if p.stem != MERGED]


def external_names() -> list[str]:
    """The local declarations of external vocabularies, each at <ontology IRI>/external/<name>."""
    return [p.stem for p in sorted((paths.ONTOLOGY_DIR / "external").glob("*.ttl"))]


def module_iri(name: str) -> str:
    return BASE + name


def source_mappings() -> dict[str, Path]:
    """Every IRI the modules import, mapped to its source file: loads the ontology offline, imports resolved."""
    out = {ONTOLOGY_IRI: paths.ONTOLOGY_DIR / f"{MERGED}.ttl"}
    out.update({module_iri(n): paths.ONTOLOGY_DIR / f"{n}.ttl" for n in module_names()})
    out.update({module_iri("external/" + n): paths.ONTOLOGY_DIR / "external" / f"{n}.ttl" for n in external_names()})
    return out


def frozen_dir(v: str | None = None) -> Path:
    """Where the artefacts of version V (default: the current one) are kept: ontology/releases/V/."""
    return paths.ONTOLOGY_DIR / "releases" / (v or version())


def _parse(files: list[Path]):
    import rdflib

    g = rdflib.Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception as err:  # rdflib raises several parser exception types
            raise InputError(f"cannot parse: {err}", path=f) from None
    return g


def _canonical(g):
    """G with blank nodes named from the graph's structure and triples added in sorted order: stable bytes."""
    import rdflib
    from rdflib.compare import to_canonical_graph

    out = rdflib.Graph()
    for t in sorted(to_canonical_graph(g), key=lambda t: tuple(x.n3() for x in t)):
        out.add(t)
    for prefix, iri in ns.PREFIXES.items():
        out.bind(prefix, rdflib.Namespace(iri), override=True, replace=True)
    out.bind("vs", rdflib.Namespace("http://www.w3.org/2003/06/sw-vocab-status/ns#"), override=True)
    return out


def serialize(g, fmt: str) -> bytes:
    """G in format FMT (ttl, rdf, jsonld, nt), byte-for-byte the same for the same graph."""
    g = _canonical(g)
    if fmt == "nt":
        lines = sorted(set(g.serialize(format="nt").splitlines()) - {""})
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "jsonld":
        ctx = dict(ns.PREFIXES)
        data = json.loads(g.serialize(format="json-ld", context=ctx, auto_compact=True))
        if isinstance(data.get("@graph"), list):
            data["@graph"].sort(key=lambda n: json.dumps(n, sort_keys=True))
        return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    if fmt == "rdf":
        return _sorted_view(g).serialize(format="xml").encode("utf-8")
    return g.serialize(format=FORMATS[fmt][0]).encode("utf-8")


def _sorted_view(g):
    """G seen through a graph whose subjects, predicates and predicate-object pairs come out sorted, so that
    rdflib's RDF/XML writer (which walks them in hash order) writes the same bytes in every process."""
    import rdflib

    class SortedGraph(rdflib.Graph):
        def subjects(self, predicate=None, object=None, unique=False):
            return iter(sorted(set(super().subjects(predicate, object)), key=lambda t: t.n3()))

        def predicates(self, subject=None, object=None, unique=False):
            return iter(sorted(set(super().predicates(subject, object)), key=lambda t: t.n3()))

        def predicate_objects(self, subject=None, unique=False):
            return iter(sorted(super().predicate_objects(subject), key=lambda po: (po[0].n3(), po[1].n3())))

    view = SortedGraph(store=g.store, identifier=g.identifier)
    view.namespace_manager = g.namespace_manager
    return view


def merged_graph():
    """The whole ontology (every module and the external declarations) under the one header of lattice.ttl."""
    from kg.export import merged_graph as merged

    return merged(external=True)


def release_files() -> dict[str, bytes]:
    """Every artefact of the current version, as {relative path: bytes}."""
    out: dict[str, bytes] = {}
    g = merged_graph()
    for fmt, (_, ext, _) in FORMATS.items():
        out[f"{MERGED}{ext}"] = serialize(g, fmt)
    sources = [(n, paths.ONTOLOGY_DIR / f"{n}.ttl") for n in [MERGED, *module_names()]]
    sources += [(f"external/{n}", paths.ONTOLOGY_DIR / "external" / f"{n}.ttl") for n in external_names()]
    for name, src in sources:
        mg = _parse([src])
        for fmt, (_, ext, _) in FORMATS.items():
            out[f"modules/{name}{ext}"] = src.read_bytes() if fmt == "ttl" else serialize(mg, fmt)
    return out


def write_release(out: Path | None = None) -> Path:
    """Write the current version's artefacts into OUT (default ontology/releases/<version>/), all or nothing."""
    out = Path(out) if out else frozen_dir()
    files = release_files()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for rel, data in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def stale_files(v: str | None = None) -> list[str]:
    """The artefacts of the frozen release that differ from what the sources give now (missing ones included)."""
    d = frozen_dir(v)
    fresh = release_files()
    stale = [rel for rel, data in fresh.items() if not (d / rel).is_file() or (d / rel).read_bytes() != data]
    extra = (
        [str(p.relative_to(d)) for p in d.rglob("*") if p.is_file() and str(p.relative_to(d)) not in fresh]
        if d.is_dir()
        else []
    )
    return sorted(stale + extra)


# ----------------------------------------------------------------------------------------- serving


@dataclass(frozen=True)
class Artefact:
    """One release file to send: its bytes, media type and file name."""

    body: bytes
    media_type: str
    filename: str


def accepted_format(accept: str | None) -> str | None:
    """The format key (ttl, rdf, jsonld, nt) or "html" the Accept header prefers; None if it accepts none of them.

    No Accept header, or */*, gives Turtle.
    """
    if not accept or not accept.strip():
        return "ttl"
    best, best_q, best_pos = None, 0.0, 0
    for pos, part in enumerate(accept.split(",")[:64]):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            key = {"*/*": "ttl", "application/*": "rdf", "text/*": "ttl"}[media]
            q -= 0.0001  # a wildcard loses to an explicit type of the same q
        else:
            key = MEDIA_TYPES.get(media)
        if key and (q > best_q or (q == best_q and pos < best_pos)):
            best, best_q, best_pos = key, q, pos
    return best


def artefact(path: str, accept: str | None = None, fmt: str | None = None) -> Artefact | None:
    """The release file for a request PATH ("/ontology", "/ontology/0.2.0", "/ontology/actors",
    "/ontology/0.2.0/external/org", "/ontology/0.2.0/lattice.rdf", ...), in the format FMT (?format=) or else
    the one ACCEPT prefers.

    Returns None when PATH names no release artefact (e.g. a term such as /ontology/State), or when the
    client prefers HTML (the caller then serves its page). Raises LookupError (-> 404) for an unknown
    version and ValueError (-> 406) for a format not offered.
    """
    rest = path.split("?", 1)[0].split("#", 1)[0]
    if rest != "/ontology" and not rest.startswith("/ontology/"):
        return None
    parts = [p for p in rest[len("/ontology") :].split("/") if p]
    v = version()
    if parts and _VERSION.match(parts[0]):
        v, parts = parts[0], parts[1:]
        if not frozen_dir(v).is_dir():
            raise LookupError(f"no release {v}")
    ext_fmt = None
    if parts:
        stem, dot, ext = parts[-1].rpartition(".")
        if dot and FORMAT_ALIASES.get(ext.lower()) and _NAME.match(stem):
            parts[-1], ext_fmt = stem, FORMAT_ALIASES[ext.lower()]
    if not parts or parts == [MERGED]:
        name = None
    elif len(parts) == 1 and _NAME.match(parts[0]):
        name = parts[0]
    elif len(parts) == 2 and parts[0] == "external" and _NAME.match(parts[1]):
        name = "external/" + parts[1]
    else:
        return None
    if fmt:
        key = FORMAT_ALIASES.get(fmt.lower())
        if fmt.lower() == "html":
            return None
        if key is None:
            raise ValueError(f"unknown format {fmt!r}: ttl, rdf, jsonld or nt")
    elif ext_fmt:
        key = ext_fmt
    else:
        key = accepted_format(accept)
        if key == "html":
            return None
        if key is None:
            raise ValueError("available: text/turtle, application/rdf+xml, application/ld+json, application/n-triples")
    ext = FORMATS[key][1]
    d = frozen_dir(v)
    file = d / f"{MERGED}{ext}" if name is None else d / "modules" / f"{name}{ext}"
    if not file.is_file():
        if name is None:
            raise LookupError(f"release {v} has no {file.name}")
        return None  # not a module of that release: perhaps a term, which the caller looks up
    return Artefact(file.read_bytes(), FORMATS[key][2], file.name)


# ----------------------------------------------------------------------------------------- command


def register(subparsers) -> None:
    """Add `kg release` to the command line."""
    p = subparsers.add_parser(
        "release",
        help="write the ontology release artefacts of the current version (ontology/releases/<version>/)",
        description="Write the merged ontology (one owl:Ontology header, no imports) and every module and local "
        "external declaration, each in Turtle, RDF/XML, JSON-LD and N-Triples, into ontology/releases/<version>/ "
        "(the version is the package version). `kg serve` returns these files at the ontology IRI, the version "
        "IRI and each module IRI. --check exits 1 when the frozen files differ from the sources.",
    )
    add_output(p, "write here instead of ontology/releases/<version>/", dest="out", type=Path, metavar="DIR")
    p.add_argument("--check", action="store_true", help="only compare the frozen release with the sources")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.check:
        stale = stale_files()
        for rel in stale:
            print(f"{frozen_dir() / rel}: differs from the sources (run `kg release`)")
        if not stale:
            print(f"release {version()} matches the sources", file=sys.stderr)
        return 1 if stale else 0
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"{args.out} exists and is not a folder")
    out = write_release(args.out)
    print(f"wrote release {version()} to {out}", file=sys.stderr)
    return 0
