"""One measured benchmark step, run in its own process so that its peak memory is its own.

Usage: python bench/steps.py STEP ARGS.json RESULT.json — ARGS.json holds the step's arguments; the step
writes its figures to RESULT.json (rewritten after every measurement, so a step stopped by a time limit
still leaves what it measured) including `peak_rss_mb`, the peak resident memory of this process and its workers.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def peak_rss_mb(workers: int = 0) -> float:
    """Peak resident memory in MiB: of this process, or with WORKERS concurrent child processes an upper bound,
    this process plus WORKERS times the largest child (pages a forked child shares are counted again)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    total = own + workers * kids if workers > 1 else max(own, kids)
    return round(total / 1024.0, 1)  # Linux reports KiB


def cpu_seconds() -> float:
    """User plus system CPU time of this process and its finished children: less sensitive than wall time to a
    busy machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        ru = resource.getrusage(who)
        total += ru.ru_utime + ru.ru_stime
    return round(total, 3)


class Recorder:
    """Accumulates a step's figures and rewrites the result file after every change."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.data: dict = {}

    def put(self, **kw) -> None:
        self.data.update(kw)
        self.data["peak_rss_mb"] = peak_rss_mb(int(self.data.get("jobs", 0) or 0))
        self.data["cpu_seconds"] = cpu_seconds()
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str))
        os.replace(tmp, self.path)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between order statistics."""
    vals = sorted(values)
    if not vals:
        return float("nan")
    if len(vals) == 1:
        return vals[0]
    pos = (len(vals) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def result_key(r) -> list:
    """The identity of a validation result across engines: focus, shape, component, value.

    A shape that is a blank node (a property shape nested in a node shape) has no name both engines share,
    so it is identified by its path instead.
    """
    shape = r.shape
    if shape is None or shape.startswith("_:"):
        shape = f"[path {r.path}]"
    return [r.focus, shape, r.component, r.value]


def _write_keys(path: str, results) -> dict:
    keys = sorted({tuple(result_key(r)) for r in results}, key=lambda k: tuple("" if x is None else x for x in k))
    Path(path).write_text(json.dumps(keys))
    by_shape: dict[str, int] = {}
    for r in results:
        shape = result_key(r)[1]
        by_shape[shape] = by_shape.get(shape, 0) + 1
    return {"results": len(results), "distinct_keys": len(keys), "by_shape": dict(sorted(by_shape.items()))}


# ------------------------------------------------------------------------------------------------ steps


def step_build(args: dict, rec: Recorder) -> None:
    from kg.build import build

    started = time.perf_counter()
    res = build(Path(args["out"]), force=True, extra=[Path(p) for p in args.get("extra", [])])
    rec.put(seconds=time.perf_counter() - started, triples=res.triples, inferred=res.inferred, inputs=len(res.parsed))


def step_export(args: dict, rec: Recorder) -> None:
    """Write the validation input (ontology, curated and imported graphs) and the whole dataset as N-Triples."""
    import pyoxigraph as ox

    from kg.store import open_read_store
    from kg.validate import dataset_graphs

    store = open_read_store(args["dataset"])  # a large dataset through its on-disk index, not loaded into memory
    graphs = dataset_graphs(store)
    with open(args["validation_nt"], "wb") as fh:
        for g in graphs:
            store.dump(fh, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))
    n = _count_lines(args["validation_nt"])
    total = 0
    if args.get("all_nt"):
        with open(args["all_nt"], "wb") as fh:
            for g in store.named_graphs():
                store.dump(fh, format=ox.RdfFormat.N_TRIPLES, from_graph=g)
            store.dump(fh, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        total = _count_lines(args["all_nt"])
    rec.put(validation_triples=n, graphs=graphs, all_quads=total)


def _count_lines(path) -> int:
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def step_validate_fast(args: dict, rec: Recorder) -> None:
    from kg.validate import validate

    started = time.perf_counter()
    report = validate([args["data"]], shapes=args.get("shapes"), engine="fast")
    seconds = time.perf_counter() - started
    rec.put(
        seconds=seconds,
        engine_seconds=report.seconds,
        jobs=report.jobs,
        **_write_keys(args["keys_out"], report.results),
    )


def step_validate_pyshacl(args: dict, rec: Recorder) -> None:
    from rdflib_baseline import pyshacl_validate

    from kg.validate import shape_files

    files = shape_files(args.get("shapes"))
    started = time.perf_counter()
    results, inner, _ = pyshacl_validate(Path(args["data"]), files)
    seconds = time.perf_counter() - started
    rec.put(seconds=seconds, pyshacl_seconds=inner, **_write_keys(args["keys_out"], results))


def _named_text(name: str, **params) -> str:
    from kg.query import _with_prologue, bind, get_query

    return _with_prologue(bind(get_query(name), params))


def step_query_oxigraph(args: dict, rec: Recorder) -> None:
    """The chain query for one actor and the gap query, repeated, on the embedded store: in memory, as `kg serve`
    holds it, unless the dataset is too large for memory (LATTICE_MEMORY); then on its on-disk index."""
    from kg.build import read_manifest
    from kg.memory import fits_triples
    from kg.query import run_sparql
    from kg.store import open_read_store, open_store

    opened = time.perf_counter()
    in_memory = fits_triples((read_manifest(Path(args["dataset"])) or {}).get("triples", 0), "serve")
    store = open_store(args["dataset"], build_if_needed=False) if in_memory else open_read_store(args["dataset"])
    rec.put(open_seconds=time.perf_counter() - opened, in_memory=in_memory)
    plan = [
        ("chain", args["chain_query"], {"actor": args["actor"]}, args.get("chain_reps", 20)),
        ("gap", args["gap_query"], {}, args.get("gap_reps", 5)),
    ]
    if args.get("deep_actor"):
        plan.append(("chain_deepest", args["chain_query"], {"actor": args["deep_actor"]}, args.get("gap_reps", 5)))
    for label, name, params, reps in plan:
        text = _named_text(name, **params)
        times, rows = [], None
        for _ in range(reps):
            t0 = time.perf_counter()
            out = run_sparql(text, store=store)
            times.append(time.perf_counter() - t0)
            rows = len(out)
            rec.put(
                **{
                    label: {
                        "times": times,
                        "rows": rows,
                        "p50": statistics.median(times),
                        "p99": percentile(times, 99),
                        "query": name,
                    }
                }
            )


def step_query_rdflib(args: dict, rec: Recorder) -> None:
    """The same two queries on rdflib's default engine over the same dataset (all graphs as one graph)."""
    from rdflib_baseline import load_rdflib, rdflib_query

    graph, load_s = load_rdflib(Path(args["all_nt"]))
    rec.put(load_seconds=load_s, triples=len(graph))
    budget = float(args.get("budget_s", 300))
    for label, name, params, reps in (
        ("chain", args["chain_query"], {"actor": args["actor"]}, args.get("chain_reps", 5)),
        ("gap", args["gap_query"], {}, args.get("gap_reps", 3)),
    ):
        text = _named_text(name, **params)
        times, rows = [], None
        spent = 0.0
        for _ in range(reps):
            rec.put(running=label, running_since=time.time())  # lets the caller say how long a stopped query ran
            t0 = time.perf_counter()
            rows = rdflib_query(graph, text)
            dt = time.perf_counter() - t0
            times.append(dt)
            spent += dt
            rec.put(
                **{
                    label: {
                        "times": times,
                        "rows": rows,
                        "p50": statistics.median(times),
                        "p99": percentile(times, 99),
                        "query": name,
                    }
                }
            )
            if spent > budget / 2:  # leave time for the other query
                break
        rec.put(running=None)


def step_import(args: dict, rec: Recorder) -> None:
    """Run one `kg import ...` command line (the importers write into $LATTICE_HOME/imports)."""
    from kg.cli import main

    started = time.perf_counter()
    code = main(["import", *args["argv"]])
    rec.put(seconds=time.perf_counter() - started, exit_code=code)
    from kg.paths import imports_dir

    out = imports_dir() / f"{args['argv'][0]}.nq"
    if out.is_file():
        with open(out, "rb") as f:
            rec.put(triples=sum(1 for _ in f))


def step_query_observations(args: dict, rec: Recorder) -> None:
    """The named queries over the MIA and TRANSACCESS observations, each repeated, on the embedded store."""
    from kg.query import run_sparql
    from kg.store import open_store

    opened = time.perf_counter()
    store = open_store(args["dataset"], build_if_needed=False)
    rec.put(open_seconds=time.perf_counter() - opened)
    for name in args["queries"]:
        text = _named_text(name)
        times, rows = [], None
        for _ in range(args.get("reps", 5)):
            t0 = time.perf_counter()
            rows = len(run_sparql(text, store=store))
            times.append(time.perf_counter() - t0)
        rec.put(**{name: {"times": times, "rows": rows, "p50": statistics.median(times), "p99": percentile(times, 99)}})


def step_pick_actor(args: dict, rec: Recorder) -> None:
    """An actor for the chain query on real data: the preferred one when it answers to someone, else the
    actor with the most two-step chains."""
    from kg.store import open_store

    store = open_store(args["dataset"], build_if_needed=False)
    lat = "https://w3id.org/lattice/ontology#"
    for iri in args.get("preferred", []):
        if store.query(f"ASK {{ <{iri}> <{lat}accountableTo> ?f }}", use_default_graph_as_union=True):
            rec.put(actor=iri)
            return
    rows = list(
        store.query(
            f"""SELECT ?a (COUNT(*) AS ?n) WHERE {{ ?a <{lat}accountableTo>/<{lat}accountableTo> ?x }}
        GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1""",
            use_default_graph_as_union=True,
        )
    )
    rec.put(actor=rows[0]["a"].value if rows else None)


def step_store_floor(args: dict, rec: Recorder) -> None:
    """What any build or validation of a file must at least do with a store: parse it, and (beyond memory) write
    it to an on-disk store. The on-disk store is made in a fresh folder and removed."""
    import shutil
    import tempfile

    import pyoxigraph as ox

    for name, path in args["files"].items():
        started = time.perf_counter()
        quads = sum(1 for _ in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES))
        parse_s = time.perf_counter() - started
        where = tempfile.mkdtemp(prefix="floor-", dir=args.get("dir"))
        try:
            started = time.perf_counter()
            store = ox.Store(where)
            store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
            store.flush()
            load_s = time.perf_counter() - started
            del store
        finally:
            shutil.rmtree(where, ignore_errors=True)
        rec.put(**{name: {"quads": quads, "parse_s": round(parse_s, 2), "disk_load_s": round(load_s, 2)}})


STEPS = {
    "pick-actor": step_pick_actor,
    "build": step_build,
    "export": step_export,
    "store-floor": step_store_floor,
    "validate-fast": step_validate_fast,
    "validate-pyshacl": step_validate_pyshacl,
    "query-oxigraph": step_query_oxigraph,
    "query-rdflib": step_query_rdflib,
    "import": step_import,
    "query-observations": step_query_observations,
}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in STEPS:
        print(__doc__, file=sys.stderr)
        print(f"steps: {', '.join(STEPS)}", file=sys.stderr)
        return 2
    step, args_file, result_file = argv
    rec = Recorder(Path(result_file))
    rec.put(step=step)
    STEPS[step](json.loads(Path(args_file).read_text()), rec)
    rec.put(done=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
