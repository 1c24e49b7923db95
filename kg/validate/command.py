"""The `kg validate` command and its Python API, `validate()`: load, run an engine, annotate, report."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kg.cliopts import add_format, add_output
from kg.errors import InputError, UsageError
from kg.fileio import load_rdf, write_atomic
from kg.shacl import validate_store
from kg.shacl.engine import can_fork, default_jobs
from kg.shacl.model import ShapesError
from kg.shacl.reference import rdflib_from_files, result_sort_key, run_pyshacl
from kg.validate.context import annotate
from kg.validate.entailment import entail
from kg.validate.formats import FORMATS, render, summary_line
from kg.validate.inputs import add_ontology, context_files, fetch_endpoint, load_shapes, top_shapes, working_store
from kg.validate.locate import Locator
from kg.validate.outcome import Report
from kg.validate.repository import repository_data

ENGINES = ("fast", "pyshacl")
INFERENCE = ("none", "rdfs", "owlrl")


def validate(
    data=None,
    shapes=None,
    engine: str = "fast",
    inference: str = "none",
    with_ontology: bool = False,
    dataset=None,
    jobs: int = 0,
    background=None,
    lattice_data: bool = False,
    report_files=None,
    keep_state: bool = False,
    full: bool = False,
    since: tuple | None = None,
) -> Report:
    """Validate DATA against SHAPES (None = every file in shapes/) and return a Report.

    DATA is a pyoxigraph Store, a list of RDF file paths, an rdflib Graph, or None for the built dataset.
    ENGINE is "fast" (SHACL compiled to SPARQL on pyoxigraph) or "pyshacl" (the reference engine).
    INFERENCE is "none", "rdfs" or "owlrl" (see docs/validation.md for what each adds).
    WITH_ONTOLOGY adds the Lattice ontology files and the register of cited data sets to the data graph (class hierarchy and term
    declarations), as the built dataset already has them; `kg validate FILE` turns it on.
    DATASET names the build folder used when DATA is None (default: $LATTICE_HOME/build).
    JOBS is how many processes the fast engine spreads the shapes over (0: one per core, at most 2, for a
    graph of 20,000 triples or more; forking needs Linux and a single-threaded caller, else 1 is used).
    BACKGROUND is a list of RDF files loaded as reference data: they take part in the validation, but no result
    placed in them is reported; LATTICE_DATA adds Lattice's curated graph (kg/data/*.ttl) to them.
    REPORT_FILES (a subset of the data files) keeps only the results placed in those files; with a background
    and no REPORT_FILES, the results placed in the data files are kept.
    KEEP_STATE (the built dataset, fast engine, no inference) keeps the results and the validated files beside
    the dataset and re-checks, on the next run, only the focus nodes the changes since can affect
    (kg/validate/incremental.py); FULL re-checks everything (and keeps the state).
    SINCE = (repository root, git REF) with data files: only the focus nodes that the changes of the data files
    since REF can affect are checked and reported (kg/validate/since.py; fast engine, no inference).
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if inference not in INFERENCE:
        raise UsageError(f"unknown inference {inference!r}; use one of {', '.join(INFERENCE)}")
    started = time.perf_counter()
    shapes_store, shapes_used = load_shapes(shapes)
    kept = None
    if keep_state and data is None and engine == "fast" and inference == "none" and not background and shapes_used:
        from kg.validate.incremental import load_shapes_stable, validate_dataset

        shapes_store = load_shapes_stable(shapes_used)
        try:
            kept = validate_dataset(dataset, shapes_store, shapes_used, jobs, full=full)
        except ShapesError as err:
            where = shapes_used[0] if len(shapes_used) == 1 else "shapes"
            raise InputError(f"unusable shapes graph: {err}", path=where) from None
    if kept is not None:
        store, results, outcome, jobs = kept
        return finish(
            Report(
                conforms=not results,
                results=sorted(results, key=result_sort_key),
                jobs=jobs,
                shapes_files=shapes_used,
                incremental=outcome,
            ),
            store,
            shapes_store,
            started,
        )
    labels = None
    if since is not None and engine == "fast" and inference == "none" and isinstance(data, (list, tuple)):
        from kg.validate.since import load_data

        files = [str(p) for p in data]
        store, labels = load_data(files)
    else:
        store, files = working_store(data, dataset)
    if with_ontology and data is not None:
        add_ontology(store)
    extra = background_files(background, lattice_data, with_ontology and data is not None, files)
    if extra:
        load_rdf(extra, store)
    if engine == "pyshacl":
        # the reference engine reads data files itself: the store rewrites some literals on loading (derived
        # integer types become xsd:integer), and pyshacl must see them as written
        data_g = (
            rdflib_from_files(files + ([str(f) for f in context_files()] if with_ontology else []) + extra)
            if files
            else None
        )
        results = run_pyshacl(store, shapes_store, inference, data_g=data_g)
    else:
        entail(store, inference)
        jobs = jobs or default_jobs(store)
        jobs = jobs if jobs > 1 and can_fork() else 1
        try:
            if labels is not None:
                results, narrowed = results_since(store, shapes_store, jobs, since, files, extra, labels)
            else:
                results = sorted(validate_store(store, shapes_store, jobs=jobs), key=result_sort_key)
        except ShapesError as err:
            where = shapes_used[0] if len(shapes_used) == 1 else "shapes"
            raise InputError(f"unusable shapes graph: {err}", path=where) from None
    report = Report(
        conforms=not results,
        results=results,
        engine=engine,
        inference=inference,
        shapes_files=shapes_used,
        data_files=files,
        jobs=jobs if engine == "fast" else 1,
        incremental=narrowed if labels is not None else None,
    )
    place(
        report,
        store,
        report_files,
        scoped=report_files is not None or bool(extra),
        built=data is None,
        background=extra,
    )
    return finish(report, store, shapes_store, started, placed=True)


def finish(report: Report, store, shapes_store, started: float, placed: bool = False) -> Report:
    """Place (unless PLACED: the built dataset's results go to the curated files), label and time REPORT."""
    if not placed:
        place(report, store, None, scoped=False, built=True)
    report.shapes = top_shapes(shapes_store)
    report.seconds = time.perf_counter() - started
    annotate(report, store, shapes_store)
    return report


def results_since(store, shapes_store, jobs: int, since: tuple | None, files: list[str], background, labels):
    """The results on the focus nodes that the changes to FILES since the git ref can affect (SINCE = (repository
    root, ref)), and what was checked; everything when the change cannot be narrowed."""
    from kg.validate.incremental import Outcome, run_full, run_narrowed
    from kg.validate.since import change_since

    if since is None:
        raise UsageError("--since needs a repository and a git ref")
    root, ref = since
    change = change_since(Path(root), ref, files, list(background), labels)
    outcome = Outcome()
    if change.full:
        outcome.reason = change.full
        grouped = run_full(store, shapes_store, jobs)
    else:
        from kg.shacl.engine import Engine

        outcome.mode = "incremental"
        outcome.added = len(change.triples)
        tops: dict[str, list] = {s.id: [] for s in Engine(store, shapes_store).top_shapes()}
        grouped = run_narrowed(store, shapes_store, jobs, change.triples, tops, outcome) if change.triples else {}
    return sorted((r for v in grouped.values() for r in v), key=result_sort_key), outcome


def background_files(background, lattice_data: bool, has_context: bool, files: list[str]) -> list[str]:
    """The reference files to load beside the data: BACKGROUND, and the curated graph with LATTICE_DATA; a
    file already loaded (as data, or as the ontology context) is not loaded twice."""
    from kg.paths import curated_files

    loaded = {Path(f).resolve() for f in files}
    if has_context:
        loaded |= {Path(f).resolve() for f in context_files()}
    out: list[str] = []
    for f in [*(background or []), *(curated_files() if lattice_data else [])]:
        key = Path(f).resolve()
        if key not in loaded:
            loaded.add(key)
            out.append(str(f))
    return out


def place(report: Report, store, report_files, scoped: bool, built: bool = False, background=()) -> None:
    """Give each result its (file, line); when SCOPED keep only results placed in REPORT_FILES (default: the
    data files). Unscoped, a result that cannot be placed goes to the first data file, line 1. For the built
    dataset (BUILT), results are placed in the curated files where possible. Data given as a store or a graph
    has no files: with a BACKGROUND, the results placed in the background files are dropped."""
    from kg.paths import curated_files

    files = report.data_files
    if scoped and not files and background:  # data from a store or graph: drop what the background describes
        placed = Locator(background, store).locate_all(report.results)
        report.results = [r for r, loc in zip(report.results, placed) if loc is None]
        report.conforms = not report.results
        scoped = False
    where = files or ([str(f) for f in curated_files()] if built else [])
    if not where or not report.results:
        report.locations = [None] * len(report.results)
        return
    wanted = [str(f) for f in (report_files if report_files is not None else files)]
    prefer = [str(f) for f in report_files] if report_files is not None else None
    locations = Locator(where, store, quick=not scoped and bool(files)).locate_all(report.results, prefer=prefer)
    if scoped:
        keep = {Path(f).resolve() for f in wanted}
        pairs = [(r, loc) for r, loc in zip(report.results, locations) if loc and Path(loc[0]).resolve() in keep]
        report.results = [r for r, _ in pairs]
        locations = [loc for _, loc in pairs]
        report.conforms = not report.results
    elif files:
        locations = [loc or (files[0], 1) for loc in locations]
    report.locations = locations
    report.focus_files = {r.focus: loc[0] for r, loc in zip(report.results, locations) if loc}


def write_findings(report: Report, dataset: Path, stamp: dict | None) -> None:
    """Write the findings index of REPORT beside DATASET, unless a build replaced the dataset meanwhile."""
    from kg.validate.findings import FINDINGS_FILE, build_stamp, index_from_report, write_index

    if stamp is None or build_stamp(dataset) != stamp:
        print(f"{dataset}: the dataset changed during validation; {FINDINGS_FILE} not written", file=sys.stderr)
        return
    try:
        write_index(dataset, index_from_report(report, stamp))
    except OSError as exc:
        print(f"{dataset / FINDINGS_FILE}: cannot write the findings index: {exc.strerror or exc}", file=sys.stderr)


def register(subparsers) -> None:
    """Add `kg validate` to the command line."""
    p = subparsers.add_parser(
        "validate",
        help="validate RDF data (or the built dataset) against the SHACL shapes",
        description="Validate RDF files, a SPARQL endpoint, or the built dataset against Lattice's SHACL shapes. "
        "Exit 0 when the data conforms at the --fail-on level, 1 with findings, 2 on bad input.",
    )
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="data files (.ttl .trig .nt .nq .jsonld .rdf); none = the built dataset",
    )
    p.add_argument("--endpoint", metavar="URL", help="fetch the data from this SPARQL endpoint")
    p.add_argument("--graph", metavar="IRI", help="with --endpoint: only this named graph")
    p.add_argument("--shapes", metavar="NAME,...", help="shapes files to use by stem (default: all of shapes/)")
    p.add_argument(
        "--inference", choices=INFERENCE, default="none", help="entailment to apply before validating (default: none)"
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="fast = SHACL compiled to SPARQL on pyoxigraph (default); pyshacl = reference engine",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="fast engine: worker processes to spread the shapes over (default 0: one per core, at most "
        "2, for graphs of 20,000 triples or more; 1: none)",
    )
    add_format(p, FORMATS, "text", "report format (default: text)", dest="fmt")
    p.add_argument(
        "--fail-on",
        choices=("violation", "warning", "info"),
        default="violation",
        help="lowest severity that makes the exit code 1 (default: violation)",
    )
    p.add_argument(
        "--no-ontology",
        action="store_true",
        help="with FILE or --endpoint: do not add the Lattice ontology to the data "
        "(by default it is added, for the class hierarchy and term declarations, with the "
        "register of the data sets that records cite)",
    )
    p.add_argument(
        "--repo",
        action="store_true",
        help="validate in the context of the whole git repository: load every tracked RDF file (or the set "
        ".lattice.toml names) and report only on the FILEs given (all of it when none is given)",
    )
    p.add_argument(
        "--background",
        action="append",
        default=[],
        metavar="FILE",
        help="reference data: loaded with the data, never reported on (repeatable)",
    )
    p.add_argument(
        "--lattice-data",
        action="store_true",
        help="load Lattice's curated graph (its bodies, states and memberships) as reference data",
    )
    p.add_argument(
        "--since",
        metavar="REF",
        help="with --repo: check and report only the focus nodes that the changes to the data files since the "
        "git commit REF can affect (for CI: the findings a pull request can have introduced or removed)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="re-check every focus node: of the built dataset, instead of only those the changes since the last "
        "run can affect (the state for the next run is kept either way); with --since, as if it were not given",
    )
    add_output(p, "write the report to FILE instead of standard output", metavar="FILE")
    p.set_defaults(func=run)


def run(args) -> int:
    """Run `kg validate`; returns 0 (conforms), 1 (findings) or 2 (bad input)."""
    if args.endpoint and args.files:
        raise UsageError("give data files or --endpoint, not both")
    if args.graph and not args.endpoint:
        raise UsageError("--graph needs --endpoint")
    shapes = [s for s in args.shapes.split(",") if s.strip()] if args.shapes else None
    add_onto = not args.no_ontology
    background = list(args.background)
    lattice_data = args.lattice_data
    report_files = None
    if args.repo and args.endpoint:
        raise UsageError("--repo validates the files of a repository, not an endpoint")
    if args.since and not args.repo:
        raise UsageError("--since needs --repo (the repository whose history it reads)")
    if args.since and (args.engine != "fast" or args.inference != "none"):
        raise UsageError("--since works with the fast engine and no --inference")
    since = None
    if args.repo:
        repo = repository_data()
        since = (repo.root, args.since) if args.since and not args.full else None
        given = [Path(f) for f in args.files]
        keys = {f.resolve() for f in given}
        data = [str(f) for f in given] + [str(f) for f in repo.data if f.resolve() not in keys]
        if not data:
            raise UsageError(f"--repo: no RDF file in {repo.root}")
        report_files = [str(f) for f in given] if given else None
        background += [str(f) for f in repo.background]
        lattice_data = lattice_data or repo.lattice_data
    elif args.endpoint:
        data = fetch_endpoint(args.endpoint, args.graph)
    elif args.files:
        data = list(args.files)
    else:
        add_onto = False  # the built dataset has its ontology graph already
        data = None
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or more")
    index_for = None  # the built dataset validated with every shape: its findings index is written beside it
    if data is None and shapes is None and not background and not lattice_data:
        from kg.store import ensure_built
        from kg.validate.findings import build_stamp

        index_for = ensure_built(getattr(args, "dataset", None))
        stamp = build_stamp(index_for)
    report = validate(
        data,
        shapes=shapes,
        engine=args.engine,
        inference=args.inference,
        with_ontology=add_onto,
        dataset=getattr(args, "dataset", None),
        jobs=args.jobs,
        background=background,
        lattice_data=lattice_data,
        report_files=report_files,
        keep_state=index_for is not None and args.engine == "fast" and args.inference == "none",
        full=args.full,
        since=since,
    )
    if report.incremental is not None:
        print(f"{report.incremental.line()} ({report.seconds:.2f} s)", file=sys.stderr)
    report.fail_on = args.fail_on
    if index_for is not None:
        write_findings(report, index_for, stamp)
    text = render(report, args.fmt)
    if args.output:
        write_atomic(Path(args.output), text)
        print(summary_line(report), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 1 if report.fails(args.fail_on) else 0
