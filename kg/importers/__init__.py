"""`kg import`: stream published data sets (COW IGO, MIGO, IIGO, GGO treaties, BMR regimes, MIA, TRANSACCESS) into N-Triples with provenance.

Longer than 600 lines on purpose: it is the one toolkit every importer module builds on (N-Triples terms,
streaming CSV with rejected-row reports, the atomic writer, the curated graph, the import context) plus the
command that drives them, so that each importer imports its building blocks from one place.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kg.errors import InputError, UsageError
from kg.namespaces import DCTERMS, LAT, LAT_ID, ORG, OWL, RDF, RDFS, SKOS, XSD

# name on the command line -> module implementing it
IMPORTERS = {
    "cow-igo": "kg.importers.cow_igo",
    "migo": "kg.importers.migo",
    "treaties": "kg.importers.treaties",
    "iigo": "kg.importers.iigo",
    "regimes": "kg.importers.regimes",
    "mia": "kg.importers.mia",
    "transaccess": "kg.importers.transaccess",
}

# Pre-formatted N-Triples terms used by every importer.
A = f"<{RDF}type>"
LABEL = f"<{RDFS}label>"
COMMENT = f"<{RDFS}comment>"
ALT_LABEL = f"<{SKOS}altLabel>"
SOURCE = f"<{DCTERMS}source>"


def lat(term: str) -> str:
    """The N-Triples form of a term of the Lattice ontology."""
    return f"<{LAT}{term}>"


def org(term: str) -> str:
    """The N-Triples form of a term of the W3C Organization Ontology."""
    return f"<{ORG}{term}>"


def slug(value: str) -> str:
    """A data set identifier made safe for an IRI path segment (percent-encoding anything unusual)."""
    return quote(value.strip(), safe="-_.~:")


def id_iri(path: str) -> str:
    """The N-Triples IRI of an instance under lat-id:."""
    return f"<{LAT_ID}{path}>"


def iri(value: str) -> str:
    """The N-Triples form of an absolute IRI."""
    return f"<{value}>"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def literal(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    """The N-Triples form of a literal, escaped."""
    text = str(value)
    if any(c in text for c in _ESCAPES):
        text = "".join(_ESCAPES.get(c, c) for c in text)
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def date(year: int, month: int = 1, day: int = 1) -> str:
    """An xsd:date literal."""
    return literal(f"{year:04d}-{month:02d}-{day:02d}", XSD + "date")


def integer(value: int) -> str:
    """An xsd:integer literal."""
    return literal(str(int(value)), XSD + "integer")


@dataclass
class DatasetInfo:
    """What an importer records about the data set it reads (the provenance of everything it creates)."""

    key: str  # lat-id:dataset/<key>
    title: str
    version: str
    citation: str
    license: str
    description: str = ""
    label: str = ""
    coverage_end: str = ""  # xsd:date of the last date the data set covers, when the register gives it

    @property
    def iri(self) -> str:
        return f"{LAT_ID}dataset/{self.key}"

    @classmethod
    def from_register(cls, key: str, description: str = "") -> DatasetInfo:
        """The data set lat-id:dataset/KEY as the register of cited data sets describes it (the one place its
        title, version, citation and licence are written: kg/data/sources-datasets.ttl)."""
        import pyoxigraph as ox

        from kg import paths

        node = ox.NamedNode(f"{LAT_ID}dataset/{key}")
        store = ox.Store()
        store.load(path=str(paths.DATASETS_REGISTER), format=ox.RdfFormat.TURTLE)

        def value(predicate: str) -> str:
            for q in store.quads_for_pattern(node, ox.NamedNode(predicate), None, None):
                return q.object.value
            raise InputError(f"the register does not give {predicate} for {node.value}", path=paths.DATASETS_REGISTER)

        coverage = [
            str(getattr(q.object, "value", q.object))
            for q in store.quads_for_pattern(node, ox.NamedNode(LAT + "coverageEnd"), None, None)
        ]
        return cls(
            key=key,
            title=value(DCTERMS + "title"),
            version=value(OWL + "versionInfo"),
            citation=value(DCTERMS + "bibliographicCitation"),
            license=value(DCTERMS + "license"),
            label=value(RDFS + "label"),
            description=description,
            coverage_end=coverage[0] if coverage else "",
        )


# --------------------------------------------------------------------------- rejected rows


class Rejects:
    """Rows an importer refused, with line number (and column, when known) and reason; keeps the first few and
    counts the rest."""

    def __init__(self, path: Path, keep: int = 20):
        self.path = Path(path)
        self.keep = keep
        self.count = 0
        self.first: list[tuple[Path, int, str]] = []
        self.cols: list[int | None] = []  # the column of each kept reject (None when not known)
        self.by_kind: Counter = Counter()

    def add(
        self, line: int, reason: str, kind: str | None = None, path: Path | None = None, col: int | None = None
    ) -> None:
        self.count += 1
        self.by_kind[kind or reason] += 1
        if len(self.first) < self.keep:
            self.first.append((Path(path) if path else self.path, line, reason))
            self.cols.append(col)

    def report(self, stream) -> None:
        if not self.count:
            return
        print(f"rejected {self.count} row(s):", file=stream)
        for (path, line, reason), col in zip(self.first, self.cols):
            where = f"{line}:{col}" if col is not None else f"{line}"
            print(f"{path}:{where}: {reason}", file=stream)
        if self.count > len(self.first):
            print(f"... and {self.count - len(self.first)} more; by reason:", file=stream)
            for kind, n in self.by_kind.most_common():
                print(f"  {n:7d}  {kind}", file=stream)


# --------------------------------------------------------------------------- streaming CSV


class CsvSource:
    """Stream a CSV file as (line number, fields) pairs; rows with the wrong column count are rejected."""

    def __init__(
        self,
        path: Path,
        rejects: Rejects,
        required: list[str] | None = None,
        desc: str = "",
        delimiter: str = ",",
        progress: bool | None = None,
    ):
        self.path = Path(path)
        self.rejects = rejects
        self.desc = desc or self.path.name
        self.delimiter = delimiter
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.line = 0  # physical lines consumed so far
        self._bytes = 0
        self._record: list[str] = []  # the physical lines of the row being read
        try:
            self._file = open(self.path, "rb")  # noqa: SIM115 (closed when the rows are read)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=self.path) from None
        import csv

        self._reader = csv.reader(self._lines(), delimiter=delimiter)
        try:
            header = next(self._reader)
        except StopIteration:
            self._file.close()
            raise InputError("empty file: no header row", path=self.path, line=1) from None
        except csv.Error as exc:
            self._file.close()
            raise InputError(f"unreadable header: {exc}", path=self.path, line=1) from None
        self.header = [h.strip() for h in header]
        self.index = {name: i for i, name in enumerate(self.header)}
        missing = [c for c in (required or []) if c not in self.index]
        if missing:
            self._file.close()
            raise InputError(
                f"not a {desc or 'recognised'} file: missing column(s) {', '.join(missing)}", path=self.path, line=1
            )

    def reject(self, line: int, reason: str, kind: str | None = None, field: int | None = None) -> None:
        """Report a row of this file as rejected; FIELD (0-based) names the offending field of the row just read,
        whose line and column are then given."""
        col = None
        if field is not None:
            line, col = self.position(line, field)
        self.rejects.add(line, reason, kind, path=self.path, col=col)

    def position(self, line: int, field: int) -> tuple[int, int]:
        """The (line, column), 1-based, where field number FIELD (0-based) of the row just read begins; LINE is
        the row's first line. Quoted fields, doubled quotes and line breaks inside quotes are followed."""
        text = "".join(self._record)
        i, n, current, quoted = 0, len(text), 0, False
        while i < n and current < field:
            c = text[i]
            if quoted:
                if c == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        i += 1
                    else:
                        quoted = False
            elif c == '"':
                quoted = True
            elif c == self.delimiter:
                current += 1
            i += 1
        start = text.rfind("\n", 0, i) + 1
        return line + text.count("\n", 0, i), i - start + 1

    def _lines(self):
        first = True
        for raw in self._file:
            self.line += 1
            self._bytes += len(raw)
            text = raw.decode("utf-8", errors="replace")
            if first:
                text = text.lstrip("\ufeff")
                first = False
            self._record.append(text)
            yield text

    def __iter__(self):
        import csv

        width = len(self.header)
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(
                total=self.path.stat().st_size, unit="B", unit_scale=True, desc=self.desc, file=sys.stderr, leave=False
            )
        shown = 0
        try:
            while True:
                start = self.line + 1
                self._record = []
                try:
                    fields = next(self._reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    self.reject(start, f"malformed CSV: {exc}", "malformed CSV")
                    continue
                if bar is not None and self._bytes - shown > 1 << 18:
                    bar.update(self._bytes - shown)
                    shown = self._bytes
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                if len(fields) != width:
                    self.reject(start, f"expected {width} columns, found {len(fields)}", "wrong number of columns")
                    continue
                yield start, fields
        finally:
            if bar is not None:
                bar.update(self._bytes - shown)
                bar.close()
            self._file.close()


def scan_column_max(path: Path, column: str) -> int | None:
    """The largest integer value of COLUMN in a CSV file (a quick pre-pass; unparsable values are ignored)."""
    import csv

    best = None
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return None
        if column not in header:
            return None
        i = header.index(column)
        for row in reader:
            if len(row) > i:
                try:
                    v = int(float(row[i]))
                except ValueError:
                    continue
                if best is None or v > best:
                    best = v
    return best


def parse_year(text: str) -> int | None:
    """A year written as '1945' or '1945.0'; None when it is not a plausible year."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if value != int(value) or not (1000 <= value <= 2999):
        return None
    return int(value)


# --------------------------------------------------------------------------- atomic N-Triples output


class TripleWriter:
    """Write N-Triples lines (valid N-Quads, default graph) to a temp file; commit renames it into place."""

    def __init__(self, target: Path):
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.target.parent / f".{self.target.name}.tmp-{os.getpid()}"
        self._f = open(self.tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20)  # noqa: SIM115 (closed by commit or abort)
        self.count = 0

    def add(self, s: str, p: str, o: str) -> None:
        self._f.write(f"{s} {p} {o} .\n")
        self.count += 1

    def commit(self) -> None:
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        try:
            self._f.close()
        finally:
            try:
                self.tmp.unlink()
            except FileNotFoundError:
                pass


# --------------------------------------------------------------------------- curated graph


class Curated:
    """The curated graph's identifiers: which curated entity carries a given COW, MIGO or GGO key."""

    KEYS = ("cowIgoCode", "migoId", "ggoTreatyId", "iigoId")

    def __init__(self, data_dir: Path | None, link: bool = True):
        self.link = link
        self.by_key: dict[str, dict[str, str]] = {k: {} for k in self.KEYS}
        self.subjects: set[str] = set()
        self.warnings: list[str] = []
        if data_dir is None:
            return
        data_dir = Path(data_dir)
        files = sorted(data_dir.glob("*.ttl")) if data_dir.is_dir() else []
        if not files:
            return
        import pyoxigraph as ox

        from kg.fileio import from_oxigraph_syntax_error

        wanted = {LAT + k: k for k in self.KEYS}
        for path in files:
            try:
                with open(path, "rb") as f:
                    triples = list(ox.parse(f, format=ox.RdfFormat.TURTLE, base_iri=path.absolute().as_uri()))
            except SyntaxError as exc:
                raise from_oxigraph_syntax_error(exc, path) from None
            for t in triples:
                s = t.subject
                if not isinstance(s, ox.NamedNode):
                    continue
                self.subjects.add(s.value)
                p = t.predicate.value
                if p in wanted and isinstance(t.object, ox.Literal):
                    table = self.by_key[wanted[p]]
                    key = t.object.value.strip()
                    if key in table and table[key] != s.value:
                        self.warnings.append(
                            f"{path.name}: {wanted[p]} {key!r} is carried by both <{table[key]}> and "
                            f"<{s.value}>; using the first"
                        )
                        continue
                    table[key] = s.value

    def entity(self, key_name: str, key: str) -> str | None:
        """The curated entity carrying KEY as KEY_NAME (None when linking is off or nobody carries it)."""
        if not self.link:
            return None
        return self.by_key[key_name].get(key.strip())

    def defines(self, iri_value: str) -> bool:
        """True when the curated graph says something about this IRI (as a subject)."""
        return iri_value in self.subjects


# --------------------------------------------------------------------------- import context


@dataclass
class Stats:
    """Counts an importer reports at the end."""

    counts: Counter = field(default_factory=Counter)

    def __getitem__(self, key):
        return self.counts[key]

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


class ImportContext:
    """Everything an importer needs: the output, the rejects, the state mapper, the curated keys, provenance."""

    def __init__(self, info: DatasetInfo, writer: TripleWriter, rejects: Rejects, states, curated: Curated):
        self.info = info
        self.out = writer
        self.rejects = rejects
        self.states = states
        self.curated = curated
        self.stats = Stats()
        self.src = iri(info.iri)
        self._states_done: set[str] = set()

    def write_dataset(self) -> None:
        """Describe the data set (unless the curated graph already does, under the same IRI)."""
        if self.curated.defines(self.info.iri):
            return
        s = self.src
        self.out.add(s, A, lat("Dataset"))
        self.out.add(s, LABEL, literal(self.info.label or self.info.title, lang="en"))
        self.out.add(s, f"<{DCTERMS}title>", literal(self.info.title))
        self.out.add(s, f"<{OWL}versionInfo>", literal(self.info.version))
        self.out.add(s, f"<{DCTERMS}bibliographicCitation>", literal(self.info.citation))
        self.out.add(s, f"<{DCTERMS}license>", literal(self.info.license))
        if self.info.description:
            self.out.add(s, f"<{DCTERMS}description>", literal(self.info.description))
        if self.info.coverage_end:
            self.out.add(s, lat("coverageEnd"), literal(self.info.coverage_end, datatype=XSD + "date"))

    def state(self, ref) -> str:
        """The IRI (N-Triples form) of a state; described once per import unless the curated graph has it."""
        node = iri(ref.iri)
        if ref.iso3 in self._states_done:
            return node
        self._states_done.add(ref.iso3)
        self.stats.add("states")
        if self.curated.defines(ref.iri):
            return node
        self.out.add(node, A, lat("State"))
        self.out.add(node, LABEL, literal(ref.name, lang="en"))
        self.out.add(node, lat("iso3"), literal(ref.iso3))
        if ref.cow_code is not None:
            self.out.add(node, lat("cowCode"), integer(ref.cow_code))
        self.out.add(node, SOURCE, self.src)
        return node

    def membership(
        self, state_ref, body: str, body_slug: str, status: str, start: int, end: int | None, comment: str | None = None
    ) -> None:
        """One membership spell of a state in a body, with year precision (end None = still running)."""
        rec = id_iri(f"membership/{state_ref.iso3}--{body_slug}--{start}")
        member = self.state(state_ref)
        self.out.add(rec, A, org("Membership"))
        self.out.add(rec, org("member"), member)
        self.out.add(rec, org("organization"), body)
        self.out.add(rec, lat("membershipStatus"), lat(status))
        self.out.add(rec, lat("startDate"), date(start, 1, 1))
        if end is not None:
            self.out.add(rec, lat("endDate"), date(end, 12, 31))
        self.out.add(rec, lat("temporalPrecision"), literal("year"))
        if comment:
            self.out.add(rec, COMMENT, literal(comment, lang="en"))
        self.out.add(rec, SOURCE, self.src)
        self.stats.add("memberships")


@dataclass
class Spell:
    """An open run of consecutive years with one membership status."""

    status: str
    start: int
    last: int
    comment: str | None = None


# --------------------------------------------------------------------------- command line


def _common_options() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    from kg.cliopts import add_output

    add_output(
        p, "write the N-Triples here instead of $LATTICE_HOME/imports/<name>.nq", dest="out", metavar="FILE", type=Path
    )
    p.add_argument(
        "--curated",
        metavar="DIR",
        type=Path,
        default=None,
        help="curated Turtle folder: its keys (lat:cowIgoCode, lat:migoId, lat:iigoId, lat:ggoTreatyId) link "
        "imported bodies to curated ones, and states or data sets it already describes are not "
        "described again (default: the package's kg/data)",
    )
    p.add_argument(
        "--no-link", action="store_true", help="mint an IRI for every body even when a curated entity carries its key"
    )
    p.add_argument(
        "--countries",
        metavar="FILE",
        type=Path,
        help="country table (country_converter TSV) adding country names as aliases for odd codes",
    )
    p.add_argument("--strict", action="store_true", help="fail (and write nothing) when any row is rejected")
    p.add_argument(
        "--show-rejects",
        metavar="N",
        type=int,
        default=20,
        help="how many rejected rows to list (default 20; all are counted)",
    )
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    return p


def register(subparsers) -> None:
    """Add `kg import` and its data-set subcommands."""
    parser = subparsers.add_parser(
        "import",
        help="convert a published data set (COW IGO, MIGO, IIGO, GGO treaties, BMR regimes) into the graph's vocabulary",
        description="Convert a published data set into N-Triples under $LATTICE_HOME/imports/<name>.nq, "
        "which `kg build` merges as the named graph lat-g:import/<name>. Every node and record "
        "created cites the data set (a lat:Dataset with title, version, citation and licence). "
        "Rejected rows are listed with their line numbers; the output is written atomically.",
    )
    sub = parser.add_subparsers(dest="import_kind", metavar="DATASET", help="the data set to import")
    common = _common_options()
    for name, module_name in IMPORTERS.items():
        module = importlib.import_module(module_name)
        p = module.add_parser(sub, name, common)
        p.set_defaults(func=run, import_module=module_name, import_name=name)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def default_output(name: str) -> Path:
    from kg import paths

    return paths.imports_dir() / f"{name}.nq"


def run(args) -> int:
    """Run one importer: read, convert, report, and commit the output only if everything went through."""
    from kg import paths
    from kg.importers.states import StateMapper

    module = importlib.import_module(args.import_module)
    info: DatasetInfo = module.dataset_info(args)
    target = Path(args.out) if args.out else default_output(args.import_name)
    if target.exists() and target.is_dir():
        raise UsageError(f"--out {target} is a folder; give a file name")
    if args.curated is not None and not args.curated.is_dir():
        raise InputError("no such folder", path=args.curated)
    curated = Curated(args.curated or paths.DATA_DIR, link=not args.no_link)
    for w in curated.warnings:
        print(f"warning: {w}", file=sys.stderr)
    files = module.inputs(args)
    for f in files:
        if not f.is_file():
            raise InputError("no such file", path=f)
    if args.countries is not None and not args.countries.is_file():
        raise InputError("no such file", path=args.countries)
    states = StateMapper(args.countries)
    progress = {"auto": None, "always": True, "never": False}[args.progress]
    rejects = Rejects(files[0], keep=max(0, args.show_rejects))
    writer = TripleWriter(target)
    ctx = ImportContext(info, writer, rejects, states, curated)
    ctx.progress = progress
    try:
        ctx.write_dataset()
        module.convert(args, ctx)
        if args.strict and rejects.count:
            rejects.report(sys.stderr)
            path, line, reason = rejects.first[0] if rejects.first else (rejects.path, None, "rows rejected")
            col = rejects.cols[0] if rejects.cols else None
            raise InputError(
                f"{reason} ({rejects.count} row(s) rejected; --strict: nothing written)", path=path, line=line, col=col
            )
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    rejects.report(sys.stderr)
    parts = ", ".join(f"{v} {k}" for k, v in ctx.stats.counts.items())
    print(f"{args.import_name}: {parts}; {writer.count} triples -> {target}", file=sys.stderr)
    return 0


def import_file(
    name: str,
    *files,
    out: Path | None = None,
    curated: Path | None = None,
    link: bool = True,
    strict: bool = False,
    countries: Path | None = None,
    **options,
) -> Path:
    """Run importer NAME on FILES from Python (as `kg import NAME FILES...` would); returns the output path.
    Other keyword arguments are the importer's own options (crosswalk=PATH gives --crosswalk PATH)."""
    parser = argparse.ArgumentParser(prog="kg")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    argv = ["import", name, *map(str, files)]
    if out is not None:
        argv += ["--output", str(out)]
    if curated is not None:
        argv += ["--curated", str(curated)]
    if not link:
        argv.append("--no-link")
    if strict:
        argv.append("--strict")
    if countries is not None:
        argv += ["--countries", str(countries)]
    for option, value in options.items():  # importer-specific options, e.g. crosswalk=PATH for regimes
        argv += [f"--{option.replace('_', '-')}", str(value)]
    argv += ["--progress", "never"]
    args = parser.parse_args(argv)
    args.func(args)
    return Path(args.out) if args.out else default_output(name)
