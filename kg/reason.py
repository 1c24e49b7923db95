"""HermiT reasoning (through owlready2) over the ontology, alone or with instance data: consistency and unsatisfiable classes."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg import paths
from kg.errors import UsageError
from kg.namespaces import OWL, RDF, XSD

# Datatypes outside the OWL 2 datatype map that HermiT refuses; the literal is rewritten before reasoning.
# xsd:date becomes xsd:dateTime at midnight; the others become plain strings.
_TO_STRING = {
    XSD.gYear,
    XSD.gYearMonth,
    XSD.gMonth,
    XSD.gDay,
    XSD.gMonthDay,
    XSD.duration,
    XSD.time,
    XSD.dayTimeDuration,
    XSD.yearMonthDuration,
}


@dataclass
class ReasonResult:
    """What HermiT said about one input set."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    triples: int = 0
    files: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def summary(self) -> str:
        if not self.consistent:
            state = "INCONSISTENT"
        elif self.unsatisfiable:
            state = f"consistent, {len(self.unsatisfiable)} unsatisfiable class(es)"
        else:
            state = "consistent, no unsatisfiable class"
        return f"HermiT: {state} ({self.triples} triples from {len(self.files)} files, {self.seconds:.2f} s wall, {self.cpu_seconds:.2f} s CPU)"


def _child_cpu() -> float:
    """CPU seconds used so far by finished child processes (the Java process running HermiT)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def java_available() -> bool:
    """True when a Java runtime is on the PATH (HermiT runs in Java)."""
    return shutil.which("java") is not None


def _fix_literal(lit):
    """Rewrite a literal whose datatype HermiT rejects."""
    import pyoxigraph as ox

    dt = lit.datatype.value if lit.datatype is not None else None
    if dt == XSD.date:
        value = lit.value
        # keep a time-zone suffix if there is one (2004-01-01Z, 2004-01-01+02:00)
        date, tz = value[:10], value[10:]
        return ox.Literal(f"{date}T00:00:00{tz}", datatype=ox.NamedNode(XSD.dateTime))
    if dt in _TO_STRING:
        return ox.Literal(lit.value)
    return lit


def prepare(files: list[Path], out: Path) -> int:
    """Write FILES as one N-Triples file OUT fit for HermiT; returns the number of triples written.

    Rewrites xsd:date to xsd:dateTime, drops owl:imports (the modules are all present already and owlready2
    would try to fetch them) and drops reified statements (rdf:Statement nodes only carry citations).
    """
    import pyoxigraph as ox

    from kg.fileio import load_rdf

    store = load_rdf(files)
    imports = ox.NamedNode(OWL.imports)
    rdf_type = ox.NamedNode(RDF.type)
    statements = {q.subject for q in store.quads_for_pattern(None, rdf_type, ox.NamedNode(RDF.Statement), None)}
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for q in store.quads_for_pattern(None, None, None, None):
            if q.predicate == imports or q.subject in statements:
                continue
            obj = q.object
            if isinstance(obj, ox.Literal):
                obj = _fix_literal(obj)
            fh.write(f"{q.subject} {q.predicate} {obj} .\n")
            n += 1
    return n


def _hermit_cli(nt: Path, memory_mb: int) -> tuple[bool, list[str], str]:
    """Run owlready2's bundled HermiT on its command line: consistency (-k) and unsatisfiable classes (-U) only."""
    import subprocess

    import owlready2

    command = [
        owlready2.JAVA_EXE,
        f"-Xmx{memory_mb}M",
        "-cp",
        owlready2.reasoning._HERMIT_CLASSPATH,
        "org.semanticweb.HermiT.cli.CommandLine",
        "-k",
        "-U",
        nt.as_uri(),
    ]
    proc = subprocess.run(command, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    if "Inconsistent" in output or "owl#Thing is unsatisfiable" in output:
        return False, [], "HermiT: the ontology is inconsistent"
    if proc.returncode != 0:
        raise UsageError(f"HermiT failed: {output.strip()[-800:]}")
    unsat: list[str] = []
    in_list = False
    for line in proc.stdout.splitlines():
        if line.startswith("Classes equivalent to 'owl:Nothing'"):
            in_list = True
            continue
        if in_list and line.startswith(("\t", " ")):
            name = line.strip().strip("<>")
            if name not in ("owl:Nothing", OWL.Nothing):
                unsat.append(name)
        elif in_list:
            in_list = False
    return True, sorted(unsat), ""


def reason(
    files: list[Path] | None = None, with_data: bool = False, memory_mb: int = 1000, method: str = "owlready2"
) -> ReasonResult:
    """Run HermiT over the ontology (and the curated data, and FILES); report consistency and unsatisfiable classes.

    method "owlready2": owlready2's sync_reasoner_hermit (full classification and realization, then the
    unsatisfiable classes from owlready2's world). method "cli": the same HermiT, from owlready2's bundle, asked
    only for consistency and unsatisfiable classes — the same answer in well under half the time on data.
    """
    if method not in ("owlready2", "cli"):
        raise UsageError(f"unknown reasoning method {method!r} (owlready2 or cli)")
    if not java_available():
        raise UsageError(
            "HermiT needs Java, and no `java` was found on the PATH; install a Java runtime (e.g. openjdk-17-jre-headless)"
        )
    import owlready2

    inputs = paths.ontology_files() + (paths.curated_files() if with_data else []) + [Path(f) for f in files or []]
    names = [str(p) for p in inputs]
    with tempfile.TemporaryDirectory(prefix="lattice-reason-") as tmp:
        nt = Path(tmp) / "lattice-merged.nt"
        triples = prepare(inputs, nt)
        start = time.perf_counter()
        cpu0 = _child_cpu()
        if method == "cli":
            consistent, unsat, message = _hermit_cli(nt, memory_mb)
            return ReasonResult(
                consistent, unsat, time.perf_counter() - start, _child_cpu() - cpu0, triples, names, message
            )
        owlready2.reasoning.JAVA_MEMORY = memory_mb
        world = owlready2.World()
        onto = world.get_ontology(nt.as_uri()).load()
        start = time.perf_counter()
        cpu0 = _child_cpu()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            world.close()
            return ReasonResult(
                False,
                [],
                time.perf_counter() - start,
                _child_cpu() - cpu0,
                triples,
                names,
                "HermiT: the ontology is inconsistent",
            )
        except owlready2.base.OwlReadyJavaError as err:
            raise UsageError(f"HermiT failed: {str(err).strip()[-800:]}") from None
        seconds = time.perf_counter() - start
        cpu = _child_cpu() - cpu0
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        world.close()
    return ReasonResult(True, unsat, seconds, cpu, triples, names)
