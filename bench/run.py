"""`make bench`: build, validation, queries and the endpoint at scale, against the reference tools, in one run.

Every measured step runs in its own process (bench/steps.py) so that its peak memory is its own; each figure
is the median of several runs. Prints a table, writes bench/results/<time>.json and bench/results/latest.json
(with the machine's description), and regenerates docs/performance.md with the targets and pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
PERFORMANCE_MD = REPO / "docs" / "performance.md"
PY = sys.executable
LAT_ID = "https://w3id.org/lattice/id/"

CHAIN_QUERY = "accountability-chain"
GAP_QUERY = "accountability-gaps"

# (id, what, threshold, unit, how it is read from the results)
TARGETS = [
    ("validate-speedup-100k", "kg validate (fast) at least 20x faster than default pyshacl at 1e5 triples", 20.0, "x"),
    ("validate-identical-100k", "fast engine reports exactly pyshacl's result set at 1e5 triples", 0, "diff"),
    ("validate-1m-time", "kg validate at 1e6 triples under 30 s", 30.0, "s"),
    ("validate-1m-memory", "kg validate at 1e6 triples under 2 GB peak memory", 2048.0, "MiB"),
    ("chain-p50", "chain query for one actor under 100 ms p50 (1e6 triples)", 0.100, "s"),
    ("gap-time", "gap query under 2 s (1e6 triples)", 2.0, "s"),
    ("build-time", "kg build at 1e6 triples under 20 s", 20.0, "s"),
    ("build-memory", "kg build at 1e6 triples under 2 GB peak memory", 2048.0, "MiB"),
    ("endpoint-qps", "endpoint at least 500 simple queries/s at 8 clients", 500.0, "q/s"),
    ("build-10m-time", "kg build at 1e7 triples under 90 s (--huge, within the memory below)", 90.0, "s"),
    ("build-10m-memory", "kg build at 1e7 triples under 4 GB peak memory (--huge)", 4096.0, "MiB"),
    ("validate-10m-time", "kg validate at 1e7 triples under 60 s (--huge, within the memory below)", 60.0, "s"),
    ("validate-10m-memory", "kg validate at 1e7 triples under 4 GB peak memory (--huge)", 4096.0, "MiB"),
]
HUGE = 10_000_000
FLOOR_FROM = 1_000_000  # from this size, the time a store needs to hold each input is measured (store-floor)
HUGE_MEMORY = "4G"  # the budget (LATTICE_MEMORY) of the 1e7 input's commands: the targets' ceiling


# ------------------------------------------------------------------------------------------------ machine


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict:
    """CPU model, cores, memory, OS, Python and library versions."""
    from importlib import metadata

    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in _read("/proc/cpuinfo").splitlines() if ln.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next((int(ln.split()[1]) for ln in _read("/proc/meminfo").splitlines() if ln.startswith("MemTotal:")), 0)
    versions = {}
    for dist in ("lattice-kg", "rdflib", "pyoxigraph", "pyshacl", "owlready2", "oxigraph", "sparqlwrapper"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "libraries": versions,
    }


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# ------------------------------------------------------------------------------------------------ running


class Runner:
    """Runs steps in child processes and keeps the log of what ran."""

    def __init__(self, work: Path, verbose: bool = True, slow_cutoff: float = 0):
        self.work = work
        self.slow_cutoff = slow_cutoff
        self.n = 0
        self.verbose = verbose

    def say(self, msg: str) -> None:
        if self.verbose:
            print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    def step(self, step: str, args: dict, env: dict | None = None, timeout: float = 1800) -> dict:
        """Run one step once; returns its figures plus status, wall_seconds and load average."""
        self.n += 1
        args_file = self.work / f"step-{self.n:03d}-{step}.args.json"
        result_file = self.work / f"step-{self.n:03d}-{step}.result.json"
        args_file.write_text(json.dumps(args))
        full_env = dict(os.environ)
        full_env.update(env or {})
        started = time.perf_counter()
        status = "ok"
        stderr = ""
        try:
            proc = subprocess.run(
                [PY, str(HERE / "steps.py"), step, str(args_file), str(result_file)],
                env=full_env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            if proc.returncode != 0:
                status = "error"
                stderr = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            status = "timeout"
            stderr = f"stopped after {timeout:.0f} s"
        wall = time.perf_counter() - started
        try:
            out = json.loads(result_file.read_text())
        except (OSError, ValueError):
            out = {}
        out.update(status=status, wall_seconds=round(wall, 3), loadavg=loadavg())
        if stderr:
            out["error"] = stderr
        return out

    def repeat(
        self, step: str, args: dict, runs: int, env: dict | None = None, timeout: float = 1800, label: str = ""
    ) -> dict:
        """Run a step RUNS times (fresh process each); median seconds, peak memory the largest seen."""
        results = []
        note = ""
        for i in range(runs):
            self.say(f"{label or step}: run {i + 1}/{runs}")
            r = self.step(step, args, env=env, timeout=timeout)
            results.append(r)
            if r["status"] != "ok":
                self.say(f"{label or step}: {r['status']}: {r.get('error', '')}")
                break
            if i == 0 and runs > 1 and self.slow_cutoff and r.get("seconds", 0) > self.slow_cutoff:
                note = (
                    f"1 run only: one run took {r['seconds']:.0f} s (over the {self.slow_cutoff:.0f} s "
                    f"cut-off that keeps `make bench` under 30 minutes)"
                )
                self.say(f"{label or step}: {note}")
                break
        ok = [r for r in results if r["status"] == "ok" and "seconds" in r]
        times = [r["seconds"] for r in ok]
        summary = {
            "runs": len(ok),
            "times": [round(t, 4) for t in times],
            "median_s": round(statistics.median(times), 4) if times else None,
            # a run that did not finish shows only a lower bound of its peak: no memory target reads it
            "peak_rss_mb": max((r.get("peak_rss_mb", 0) for r in ok), default=None),
            "cpu_seconds": [r.get("cpu_seconds") for r in ok],
            "status": "ok" if ok and len(ok) == len(results) else results[-1]["status"] if results else "not run",
            "loadavg": [r.get("loadavg") for r in results],
            "last": {k: v for k, v in results[-1].items() if k != "loadavg"} if results else {},
        }
        if results and results[-1].get("error"):
            summary["error"] = results[-1]["error"]
        if len(ok) < len(results):
            summary["unfinished_peak_rss_mb"] = max((r.get("peak_rss_mb", 0) for r in results), default=None)
        if note:
            summary["note"] = note
        return summary


def have_module(name: str) -> bool:
    """True when a module of the project can be imported in a child (its file exists)."""
    try:
        out = subprocess.run(
            [PY, "-c", f"import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('{name}') else 1)"],
            capture_output=True,
            timeout=60,
        )
        return out.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def query_available(name: str) -> bool:
    from kg import paths

    return (Path(paths.QUERIES_DIR) / f"{name}.rq").is_file()


def shapes_available() -> bool:
    from kg import paths

    return any(Path(paths.SHAPES_DIR).glob("*.ttl"))


# ------------------------------------------------------------------------------------------------ one input


def bench_dataset(
    r: Runner,
    name: str,
    dataset: Path,
    env: dict,
    opts,
    entry: dict,
    actor: str | None,
    build_args: dict | None,
    deep_actor: str | None = None,
) -> None:
    """Build (timed), then validation, queries and endpoint on one input; fills ENTRY."""
    work = dataset.parent
    if build_args is not None:
        entry["build"] = r.repeat(
            "build", build_args, opts.runs, env=env, timeout=opts.step_timeout, label=f"{name} build"
        )
        if entry["build"]["status"] != "ok":
            entry["notes"].append(f"build failed: {entry['build'].get('error')}")
            return
        entry["dataset_triples"] = entry["build"]["last"].get("triples")
        entry["inferred_triples"] = entry["build"]["last"].get("inferred")

    validation_nt = work / f"{name}.validation.nt"
    all_nt = work / f"{name}.all.nt"
    r.say(f"{name}: export")
    exp = r.step(
        "export",
        {"dataset": str(dataset), "validation_nt": str(validation_nt), "all_nt": str(all_nt)},
        env=env,
        timeout=opts.step_timeout,
    )
    if exp["status"] != "ok":
        entry["notes"].append(f"export failed: {exp.get('error')}")
        return
    entry["validation_triples"] = exp.get("validation_triples")
    # the size that decides whether the slow reference tools run: the synthetic size asked for, else the dataset's
    size = entry.get("requested_triples") or entry.get("dataset_triples") or exp.get("all_quads") or 0
    if entry.get("kind") == "synthetic" and size >= FLOOR_FROM:
        r.say(f"{name}: store floor")
        files = {"build": str(all_nt), "validate": str(validation_nt)}
        entry["floor"] = r.step("store-floor", {"files": files, "dir": str(work)}, timeout=opts.step_timeout)

    # ---- validation: fast engine vs plain default pyshacl
    v = entry.setdefault("validate", {})
    if not have_module("kg.validate") or not have_module("kg.shacl") or not shapes_available():
        v["fast"] = {"status": "not available yet", "note": "kg.validate, kg/shacl or shapes/ missing"}
    else:
        fast_keys = work / f"{name}.fast.keys.json"
        v["fast"] = r.repeat(
            "validate-fast",
            {"data": str(validation_nt), "keys_out": str(fast_keys)},
            opts.runs,
            env=env,
            timeout=opts.step_timeout,
            label=f"{name} validate fast",
        )
        ref_keys = work / f"{name}.pyshacl.keys.json"
        limit = opts.pyshacl_max
        if size <= limit * 1.3:
            runs = opts.pyshacl_runs
            v["pyshacl"] = r.repeat(
                "validate-pyshacl",
                {"data": str(validation_nt), "keys_out": str(ref_keys)},
                runs,
                env=env,
                timeout=opts.pyshacl_timeout,
                label=f"{name} validate pyshacl",
            )
            if runs < 3:
                v["pyshacl"]["note"] = (
                    f"{runs} run(s) only: default pyshacl takes long at this size (--pyshacl-runs to change)"
                )
        elif opts.pyshacl_once_timeout > 0:
            v["pyshacl"] = r.repeat(
                "validate-pyshacl",
                {"data": str(validation_nt), "keys_out": str(ref_keys)},
                1,
                env=env,
                timeout=opts.pyshacl_once_timeout,
                label=f"{name} validate pyshacl",
            )
            v["pyshacl"]["note"] = f"run once with a {opts.pyshacl_once_timeout:.0f} s limit"
        else:
            v["pyshacl"] = {
                "status": "not run",
                "note": (
                    f"not run above {limit:.0e} triples: default pyshacl grows linearly (about 129 s per 1e5 triples "
                    f"with six shapes on this machine, did not finish 1e6 in 441 s); --pyshacl-once-timeout S tries once"
                ),
            }
        if v["fast"].get("status") == "ok" and entry.get("planted_file"):
            v["planted_detected"] = planted_detected(Path(entry["planted_file"]), fast_keys)
        if v["fast"].get("status") == "ok" and v.get("pyshacl", {}).get("status") == "ok":
            v["diff"] = compare_keys(fast_keys, ref_keys)
            fm, pm = v["fast"]["median_s"], v["pyshacl"]["median_s"]
            v["speedup"] = round(pm / fm, 1) if fm else None

    # ---- queries: embedded store vs rdflib's engine
    q = entry.setdefault("queries", {})
    if not (query_available(CHAIN_QUERY) and query_available(GAP_QUERY) and have_module("kg.query")):
        q["oxigraph"] = {"status": "not available yet", "note": f"queries/{CHAIN_QUERY}.rq or {GAP_QUERY}.rq missing"}
    elif not actor:
        q["oxigraph"] = {"status": "not run", "note": "no actor with an accountability chain in this input"}
    else:
        entry["chain_actor"] = actor
        qargs = {
            "dataset": str(dataset),
            "actor": actor,
            "chain_query": CHAIN_QUERY,
            "gap_query": GAP_QUERY,
            "chain_reps": opts.chain_reps,
            "gap_reps": opts.gap_reps,
            "deep_actor": deep_actor,
        }
        r.say(f"{name}: queries on pyoxigraph")
        q["oxigraph"] = r.step("query-oxigraph", qargs, env=env, timeout=opts.step_timeout)
        if entry.get("kind") == "real" and not opts.rdflib_real:
            q["rdflib"] = {
                "status": "not run",
                "note": "rdflib runs on the synthetic graphs only (--rdflib-real adds "
                "the real data), to keep the run under 30 minutes",
            }
        elif size <= opts.rdflib_max * 1.3:
            r.say(f"{name}: queries on rdflib")
            rq = dict(
                qargs,
                all_nt=str(all_nt),
                chain_reps=opts.rdflib_reps,
                gap_reps=opts.rdflib_reps,
                budget_s=opts.rdflib_budget,
                deep_actor=None,
            )
            q["rdflib"] = res = r.step("query-rdflib", rq, env=env, timeout=opts.rdflib_budget)
            if res["status"] == "timeout" and res.get("running"):
                ran = time.time() - res.get("running_since", time.time())
                res["stopped"] = {"query": res["running"], "ran_s": round(ran, 1)}
                res.setdefault(
                    res["running"],
                    {"times": [], "rows": None, "p50": None, "p99": None, "unfinished_after_s": round(ran, 1)},
                )
        else:
            q["rdflib"] = {"status": "not run", "note": f"rdflib not run above {opts.rdflib_max:.0e} triples"}

    # ---- endpoint
    entry["endpoint"] = bench_endpoint(r, name, dataset, env, opts, actor)
    for f in (all_nt,):
        if not opts.keep:
            f.unlink(missing_ok=True)


def planted_detected(sidecar: Path, keys_file: Path) -> dict:
    """How many of the violations `kg synth` planted the fast engine reports (as a focus node), per kind."""
    planted = json.loads(sidecar.read_text())["planted"]
    foci = {k[0] for k in json.loads(keys_file.read_text())}
    out: dict[str, list[int]] = {}
    for p in planted:
        hit = out.setdefault(p["kind"], [0, 0])
        hit[1] += 1
        hit[0] += p["focus"] in foci
    total = [sum(h[0] for h in out.values()), sum(h[1] for h in out.values())]
    return {
        "detected": total[0],
        "planted": total[1],
        "by_kind": {k: {"detected": h[0], "planted": h[1]} for k, h in sorted(out.items())},
    }


def compare_keys(fast_file: Path, ref_file: Path) -> dict:
    fast = {tuple(k) for k in json.loads(fast_file.read_text())}
    ref = {tuple(k) for k in json.loads(ref_file.read_text())}
    only_fast = sorted(fast - ref, key=str)
    only_ref = sorted(ref - fast, key=str)
    return {
        "fast": len(fast),
        "pyshacl": len(ref),
        "only_fast": len(only_fast),
        "only_pyshacl": len(only_ref),
        "identical": not only_fast and not only_ref,
        "examples_only_fast": [list(k) for k in only_fast[:5]],
        "examples_only_pyshacl": [list(k) for k in only_ref[:5]],
    }


def _vm_hwm_mb(pid: int) -> float | None:
    """Peak resident memory of a running process (VmHWM), in MiB."""
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024.0, 1)
    return None


def bench_endpoint(r: Runner, name: str, dataset: Path, env: dict, opts, actor: str | None = None) -> dict:
    """Throughput and latency of `kg serve` at 1 and 8 clients through bench/endpoint.py.

    The server is started here (with a generous start-up limit: at 1e6 triples it copies the dataset into
    memory first), so that its start-up time and peak memory are measured too; bench/endpoint.py then drives
    it through --url.
    """
    script = HERE / "endpoint.py"
    if opts.no_endpoint:
        return {"status": "not run", "note": "--no-endpoint"}
    if not script.is_file():
        return {"status": "not available yet", "note": "bench/endpoint.py missing"}
    out = r.work / f"{name}.endpoint.json"
    info: dict = {}
    server = None
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        try:
            from kg.thirdparty import KgServer
        except ImportError:
            KgServer = None
        cmd = [PY, str(script), "--clients", "1,8", "--json", str(out), "--seconds", str(opts.endpoint_seconds)]
        if KgServer is not None:
            r.say(f"{name}: starting kg serve")
            server = KgServer(
                dataset=str(dataset),
                args=["--timeout", "60", "--max-rows", "100000"],
                startup_timeout=opts.step_timeout,
            )
            t0 = time.perf_counter()
            try:
                server.start()
            except Exception as exc:
                return {
                    "status": "error",
                    "error": f"kg serve did not start: {exc}",
                    "startup_seconds": round(time.perf_counter() - t0, 1),
                }
            info["startup_seconds"] = round(time.perf_counter() - t0, 2)
            cmd += ["--url", server.endpoint.rsplit("/sparql", 1)[0]]
        else:
            cmd += ["--dataset", str(dataset)]
        if actor:
            cmd += ["--actor", actor]
        r.say(f"{name}: endpoint load ({' '.join(cmd[2:])})")
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=opts.step_timeout)
        except subprocess.TimeoutExpired:
            return dict(info, status="timeout", wall_seconds=round(time.perf_counter() - started, 1))
        if server is not None and server.proc is not None:
            info["server_peak_rss_mb"] = _vm_hwm_mb(server.proc.pid)
    finally:
        if server is not None:
            server.stop()
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        data = json.loads(out.read_text())
    except (OSError, ValueError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return dict(info, status="error", error=" | ".join(tail), exit_code=proc.returncode)
    data.setdefault("status", "ok" if proc.returncode == 0 else "error")
    data.update(info)
    data["wall_seconds"] = round(time.perf_counter() - started, 1)
    return data


# ------------------------------------------------------------------------------------------------ inputs


def synthetic_input(r: Runner, triples: int, opts, sink: list) -> dict:
    name = f"synthetic-{triples:.0e}".replace("+0", "").replace("+", "")
    work = r.work / name
    work.mkdir(parents=True, exist_ok=True)
    entry = {"name": name, "kind": "synthetic", "requested_triples": triples, "notes": []}
    sink.append(entry)  # listed even when the run is interrupted half-way
    src = work / f"{name}.nt"
    r.say(f"{name}: kg synth --triples {triples} --seed {opts.seed}")
    started = time.perf_counter()
    proc = subprocess.run(
        [
            PY,
            "-m",
            "kg",
            "synth",
            "--triples",
            str(triples),
            "--seed",
            str(opts.seed),
            "--violation-rate",
            str(opts.violation_rate),
            "--output",
            str(src),
            "-q",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        entry["notes"].append(f"kg synth failed: {proc.stderr.strip()}")
        return entry
    side = json.loads(Path(str(src) + ".violations.json").read_text())
    entry["synth"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "triples": side["triples"],
        "planted": side["violations"],
        "planted_total": side["violations_total"],
        "counts": side["counts"],
        "chain_depth": side["chain_depth"],
    }
    entry["planted_file"] = str(src) + ".violations.json"
    home = work / "home"  # an empty LATTICE_HOME: no imports besides the synthetic graph
    home.mkdir(exist_ok=True)
    env = {"LATTICE_HOME": str(home)}
    if triples >= HUGE:  # built and validated within the memory of the targets: on disk (kg/memory.py)
        env["LATTICE_MEMORY"] = HUGE_MEMORY
        entry["memory_budget"] = HUGE_MEMORY
    dataset = work / "build"
    bench_dataset(
        r,
        name,
        dataset,
        env,
        opts,
        entry,
        side["chain_actor"],
        {"out": str(dataset), "extra": [str(src)]},
        deep_actor=side.get("deepest_actor"),
    )
    entry.pop("planted_file", None)  # a path in the removed working folder
    return entry


IMPORTS = [
    ("cow-igo", ["cow-igo-v3/igo_year_format3.csv"]),
    ("migo", ["migo-iigo/memberships_MIGO.csv"]),
    ("treaties", ["treaties/parties_GGO.csv", "treaties/agreements_GGO.csv"]),
    ("iigo", ["migo-iigo/organizations_IIGO.csv", "migo-iigo/memberships_IIGO.csv"]),
    ("regimes", ["regimes/bmr-democracy-v4.0.csv"]),
    ("mia", ["io-design/mia_delegation_pooling.csv"]),
    ("transaccess", ["io-design/transaccess_io_body_years.csv"]),
]
# the named queries over the statistical observations (MIA, TRANSACCESS), timed on the real data
OBSERVATION_QUERIES = [
    "accountability-gap-index",
    "io-authority",
    "delegation-change",
    "dispute-settlement",
    "body-access",
    "closed-bodies-by-phase",
    "bodies-opened",
    "authority-without-national-courts",
]


def real_input(r: Runner, opts, sink: list) -> dict:
    from kg.paths import shared_dir

    entry = {"name": "real-data", "kind": "real", "notes": []}
    sink.append(entry)
    shared = shared_dir()
    if shared is None or not (shared / "data").is_dir():
        entry["status"] = "not run"
        entry["notes"].append("../shared/data is not present")
        return entry
    if not have_module("kg.importers"):
        entry["status"] = "not available yet"
        entry["notes"].append("kg.importers missing")
        return entry
    work = r.work / "real"
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = {"LATTICE_HOME": str(home)}
    entry["imports"] = {}
    for kind, files in IMPORTS:
        paths = [shared / "data" / f for f in files]
        if not all(p.is_file() for p in paths):
            entry["imports"][kind] = {"status": "not run", "note": "data files missing"}
            continue
        r.say(f"real: kg import {kind}")
        res = r.step(
            "import", {"argv": [kind, "--progress", "never", *map(str, paths)]}, env=env, timeout=opts.step_timeout
        )
        if res.get("exit_code") not in (0, 1) and res["status"] == "ok":
            res["status"] = "error"
        entry["imports"][kind] = res
    imported = sorted(p.name for p in (home / "imports").glob("*")) if (home / "imports").is_dir() else []
    entry["import_files"] = imported
    if not imported:
        entry["status"] = "not available yet"
        entry["notes"].append("no importer produced output")
        return entry
    dataset = work / "build"
    entry["build"] = r.repeat(
        "build", {"out": str(dataset), "extra": []}, opts.runs, env=env, timeout=opts.step_timeout, label="real build"
    )
    if entry["build"]["status"] != "ok":
        entry["notes"].append(f"build failed: {entry['build'].get('error')}")
        return entry
    entry["dataset_triples"] = entry["build"]["last"].get("triples")
    entry["inferred_triples"] = entry["build"]["last"].get("inferred")
    pick = r.step("pick-actor", {"dataset": str(dataset), "preferred": [LAT_ID + "fatf"]}, env=env)
    if {"mia.nq", "transaccess.nq"} & set(imported):
        r.say("real: queries over the observations")
        entry["observation_queries"] = r.step(
            "query-observations",
            {"dataset": str(dataset), "queries": OBSERVATION_QUERIES, "reps": 5},
            env=env,
            timeout=opts.step_timeout,
        )
    bench_dataset(r, "real", dataset, env, opts, entry, pick.get("actor"), None)
    r.say("real: edit loop")  # build and validate after an edit, incremental against full (bench/edit_loop.py)
    entry["edit_loop"] = _edit_loop().run(r, home, opts.step_timeout)
    return entry


# ------------------------------------------------------------------------------------------------ targets


def _find(results: dict, triples: int) -> dict | None:
    for e in results["inputs"]:
        if e.get("kind") == "synthetic" and e.get("requested_triples") == triples:
            return e
    return None


def _unfinished_note(step: dict | None) -> str:
    """Why a step has no figure, as a note: it did not finish (a time limit, an error)."""
    if not step or step.get("status", "ok") == "ok":
        return ""
    return f"; the step ended with {step['status']}: {step.get('error', '')}".rstrip(": ")


def _floor_note(floor: dict | None) -> str:
    """What the store alone needs for the quads a step must hold (see the store-floor step), as a note."""
    if not floor:
        return ""
    return (
        f"; floor: writing its {floor['quads']:,} quads to an on-disk store alone takes {floor['disk_load_s']:.0f} s "
        f"(parsing them, {floor['parse_s']:.0f} s)"
    )


def evaluate_targets(results: dict) -> list[dict]:
    """Pass/fail of each target from the figures; None when the figure is missing."""
    small, big, huge = _find(results, 100_000), _find(results, 1_000_000), _find(results, HUGE)
    out = []

    def g(entry, *path):
        cur = entry
        for p in path:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(p)
        return cur

    for tid, text, threshold, unit in TARGETS:
        measured, ok, note = None, None, ""
        if tid == "validate-speedup-100k":
            measured = g(small, "validate", "speedup")
            ok = None if measured is None else measured >= threshold
            fast_cpu = [c for c in (g(small, "validate", "fast", "cpu_seconds") or []) if c]
            ref_cpu = [c for c in (g(small, "validate", "pyshacl", "cpu_seconds") or []) if c]
            if fast_cpu and ref_cpu:
                note = (
                    f"wall-time ratio of medians; CPU-time ratio "
                    f"{statistics.median(ref_cpu) / statistics.median(fast_cpu):.1f}x"
                )
        elif tid == "validate-identical-100k":
            d = g(small, "validate", "diff")
            if d:
                measured = d["only_fast"] + d["only_pyshacl"]
                ok = d["identical"]
                note = f"fast {d['fast']} / pyshacl {d['pyshacl']} distinct results"
        elif tid == "validate-1m-time":
            measured = g(big, "validate", "fast", "median_s")
            ok = None if measured is None else measured < threshold
            note = (
                f"wall time; {_cpu(g(big, 'validate', 'fast') or {})}" if _cpu(g(big, "validate", "fast") or {}) else ""
            )
        elif tid == "validate-1m-memory":
            measured = g(big, "validate", "fast", "peak_rss_mb")
            ok = None if measured is None else measured < threshold
        elif tid == "chain-p50":
            measured = g(big, "queries", "oxigraph", "chain", "p50")
            ok = None if measured is None else measured < threshold
        elif tid == "gap-time":
            measured = g(big, "queries", "oxigraph", "gap", "p50")
            ok = None if measured is None else measured < threshold
        elif tid == "build-time":
            measured = g(big, "build", "median_s")
            ok = None if measured is None else measured < threshold
            note = f"wall time; {_cpu(g(big, 'build') or {})}" if _cpu(g(big, "build") or {}) else ""
        elif tid == "build-memory":
            measured = g(big, "build", "peak_rss_mb")
            ok = None if measured is None else measured < threshold
        elif tid.endswith("-10m-time"):
            step = g(huge, tid.split("-")[0]) or {}
            measured = g(step, "fast", "median_s") if tid.startswith("validate") else step.get("median_s")
            ok = None if measured is None else measured < threshold
            note = "not measured: run with --huge" if huge is None else f"LATTICE_MEMORY={huge.get('memory_budget')}"
            note += _unfinished_note(step if tid.startswith("build") else g(step, "fast"))
            note += _floor_note(g(huge, "floor", tid.split("-")[0]))
        elif tid.endswith("-10m-memory"):
            step = g(huge, tid.split("-")[0]) or {}
            measured = g(step, "fast", "peak_rss_mb") if tid.startswith("validate") else step.get("peak_rss_mb")
            ok = None if measured is None else measured < threshold
            note = "not measured: run with --huge" if huge is None else ""
            note += _unfinished_note(step if tid.startswith("build") else g(step, "fast"))
        elif tid == "endpoint-qps":
            for entry, where in ((big, "at 1e6 triples"), (small, "at 1e5 triples (none at 1e6)")):
                measured = endpoint_qps(g(entry, "endpoint"))
                if measured is not None:
                    note = where
                    break
            ok = None if measured is None else measured >= threshold
        out.append(
            {
                "id": tid,
                "target": text,
                "threshold": threshold,
                "unit": unit,
                "measured": round(measured, 4) if isinstance(measured, float) else measured,
                "pass": ok,
                "note": note,
            }
        )
    return [*out, _edit_loop().target(results)]


def _edit_loop():
    """bench/edit_loop.py as a module (this file is also loaded by path, without bench/ on sys.path)."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import edit_loop

    return edit_loop


def endpoint_qps(ep: dict | None) -> float | None:
    """Simple-query throughput at 8 clients from bench/endpoint.py's JSON, whatever its exact nesting."""
    if not isinstance(ep, dict) or ep.get("status") not in (None, "ok"):
        return None
    found = []

    def walk(node, trail):
        if isinstance(node, dict):
            clients = node.get("clients")
            qps = node.get("qps", node.get("throughput_qps", node.get("throughput")))
            kind = str(node.get("query", node.get("kind", ""))) + " " + " ".join(trail)
            if clients == 8 and isinstance(qps, (int, float)) and "chain" not in kind:
                found.append(float(qps))
            for k, v in node.items():
                walk(v, [*trail, str(k)])
        elif isinstance(node, list):
            for v in node:
                walk(v, trail)

    walk(ep, [])
    return max(found) if found else None


# ------------------------------------------------------------------------------------------------ output


def _fmt_s(x) -> str:
    if x is None:
        return "-"
    if x < 1:
        return f"{x * 1000:.1f} ms"
    return f"{x:.2f} s"


def _fmt_mb(x) -> str:
    return "-" if x in (None, 0) else f"{x:,.0f} MiB"


def _cpu(m: dict) -> str:
    cpu = [c for c in (m.get("cpu_seconds") or []) if isinstance(c, (int, float))]
    return f"cpu {statistics.median(cpu):.1f} s" if cpu else ""


def table_rows(results: dict) -> list[list[str]]:
    """One row per measured figure: input, measure, engine, median/p50, p99, peak memory, runs, note."""
    rows = []
    for e in results["inputs"]:
        name = e["name"]
        size = e.get("dataset_triples")
        label = f"{name} ({size:,} triples)" if size else name
        if e.get("synth"):
            rows.append(
                [
                    label,
                    "synthesize",
                    "kg synth",
                    _fmt_s(e["synth"]["seconds"]),
                    "",
                    "",
                    "1",
                    f"{e['synth']['triples']:,} triples, {e['synth']['planted_total']} planted violations",
                ]
            )
        for kind, imp in (e.get("imports") or {}).items():
            rows.append(
                [
                    label,
                    f"import {kind}",
                    "kg import",
                    _fmt_s(imp.get("seconds")),
                    "",
                    _fmt_mb(imp.get("peak_rss_mb")),
                    "1",
                    imp.get("status", "")
                    if imp.get("status") != "ok"
                    else (f"{imp['triples']:,} triples" if imp.get("triples") else ""),
                ]
            )
        obs = e.get("observation_queries") or {}
        for qname in OBSERVATION_QUERIES:
            if isinstance(obs.get(qname), dict):
                m = obs[qname]
                rows.append(
                    [
                        label,
                        f"query {qname}",
                        "pyoxigraph",
                        _fmt_s(m.get("p50")),
                        _fmt_s(m.get("p99")),
                        "",
                        str(len(m.get("times") or [])),
                        f"{m.get('rows')} rows; target < 1 s",
                    ]
                )
        b = e.get("build")
        if b:
            rows.append(
                [
                    label,
                    "build (parse+merge+materialize)",
                    "kg build",
                    _fmt_s(b.get("median_s")),
                    "",
                    _fmt_mb(b.get("peak_rss_mb")),
                    str(b.get("runs", "")),
                    "; ".join(
                        x
                        for x in (
                            _cpu(b),
                            f"{b['last'].get('inferred', 0):,} inferred" if b.get("last", {}).get("inferred") else "",
                            b.get("note", "")
                            if b.get("status") == "ok"
                            else f"{b.get('status')}: {b.get('error', '')}",
                        )
                        if x
                    ),
                ]
            )
        v = e.get("validate") or {}
        for eng, label_eng in (("fast", "kg validate (fast)"), ("pyshacl", "pyshacl default")):
            m = v.get(eng)
            if not m:
                continue
            note = (
                m.get("note", "")
                if m.get("status") == "ok"
                else f"{m.get('status')}: {m.get('note', '') or m.get('error', '')}"
            )
            res = (m.get("last") or {}).get("results")
            jobs = (m.get("last") or {}).get("jobs") or 0
            if res is not None:
                note = "; ".join(
                    x for x in (_cpu(m), f"{jobs} worker processes" if jobs > 1 else "", f"{res} results", note) if x
                )
            rows.append(
                [
                    label,
                    "validate (all shapes)",
                    label_eng,
                    _fmt_s(m.get("median_s")),
                    "",
                    _fmt_mb(m.get("peak_rss_mb")),
                    str(m.get("runs", "")),
                    note,
                ]
            )
        if v.get("planted_detected"):
            pd = v["planted_detected"]
            missed = ", ".join(
                f"{k} {h['detected']}/{h['planted']}" for k, h in pd["by_kind"].items() if h["detected"] < h["planted"]
            )
            rows.append(
                [
                    label,
                    "validate: planted violations found",
                    "kg validate (fast)",
                    f"{pd['detected']}/{pd['planted']}",
                    "",
                    "",
                    "",
                    f"missed: {missed}" if missed else "every planted violation reported",
                ]
            )
        if v.get("diff"):
            d = v["diff"]
            rows.append(
                [
                    label,
                    "validate: result-set diff",
                    "fast vs pyshacl",
                    f"{d['only_fast'] + d['only_pyshacl']}",
                    "",
                    "",
                    "",
                    f"only fast {d['only_fast']}, only pyshacl {d['only_pyshacl']}; speedup {v.get('speedup')}x",
                ]
            )
        q = e.get("queries") or {}
        for eng in ("oxigraph", "rdflib"):
            m = q.get(eng)
            if not m:
                continue
            if m.get("status") != "ok" and not m.get("chain"):
                rows.append(
                    [
                        label,
                        "chain / gap queries",
                        eng,
                        "-",
                        "",
                        "",
                        "",
                        f"{m.get('status')}: {m.get('note', '') or m.get('error', '')}",
                    ]
                )
                continue
            extra = f"load {m['load_seconds']:.1f} s; " if m.get("load_seconds") else ""
            for qn in ("chain", "gap", "chain_deepest"):
                qq = m.get(qn)
                if not qq and qn == "chain_deepest":
                    continue
                if not qq:
                    rows.append([label, f"{qn} query", eng, "-", "", "", "", m.get("status", "")])
                    continue
                what = {
                    "chain": "chain query (one actor)",
                    "gap": "gap query",
                    "chain_deepest": "chain query (deepest actor)",
                }[qn]
                if qq.get("unfinished_after_s") is not None:
                    rows.append(
                        [
                            label,
                            what,
                            eng,
                            f"> {qq['unfinished_after_s']:.0f} s",
                            "",
                            _fmt_mb(m.get("peak_rss_mb")),
                            "0",
                            (
                                f"{extra}did not finish: stopped at the {results['options'].get('rdflib_budget', 0):.0f} s "
                                f"limit of the rdflib step (load included)"
                            ),
                        ]
                    )
                    continue
                rows.append(
                    [
                        label,
                        what,
                        eng,
                        _fmt_s(qq.get("p50")),
                        _fmt_s(qq.get("p99")),
                        _fmt_mb(m.get("peak_rss_mb")),
                        str(len(qq.get("times", []))),
                        f"{extra}{qq.get('rows')} rows"
                        + ("" if m.get("status") in (None, "ok") else f"; {m['status']}"),
                    ]
                )
        ep = e.get("endpoint")
        if ep:
            for row in endpoint_rows(ep):
                rows.append([label, *row])
    return rows


def endpoint_rows(ep: dict) -> list[list[str]]:
    """Rows for the endpoint figures; bench/endpoint.py reports a list under "results" (or "runs")."""
    if ep.get("status") not in (None, "ok"):
        return [
            [
                "endpoint",
                "kg serve",
                _fmt_s(ep.get("startup_seconds")),
                "",
                "",
                "",
                f"{ep.get('status')}: {ep.get('note', '') or ep.get('error', '')}",
            ]
        ]
    items = ep.get("results") or ep.get("runs") or []
    rows = []
    for it in items:
        if not isinstance(it, dict):
            continue
        qps = it.get("qps", it.get("throughput_qps", it.get("throughput")))
        p50 = it.get("p50_ms", None)
        p99 = it.get("p99_ms", None)
        p50s = it.get("p50") if p50 is None else p50 / 1000.0
        p99s = it.get("p99") if p99 is None else p99 / 1000.0
        n = it.get("requests", it.get("n"))
        errors = it.get("errors")
        note = "; ".join(
            x
            for x in (
                f"{qps:.0f} q/s" if isinstance(qps, (int, float)) else "",
                f"{n} requests" if n is not None else "",
                f"{errors} errors" if errors else "",
                f"{it['result_rows']} rows" if it.get("result_rows") is not None else "",
            )
            if x
        )
        rows.append(
            [
                f"endpoint {it.get('query', it.get('kind', ''))} query, {it.get('clients', '?')} client(s)",
                "kg serve",
                _fmt_s(p50s),
                _fmt_s(p99s),
                "",
                "",
                note,
            ]
        )
    if not rows:
        rows.append(["endpoint", "kg serve", "-", "", "", "", "no figures in bench/endpoint.py output"])
    elif ep.get("startup_seconds") is not None:
        rows.insert(
            0,
            [
                "endpoint start-up (load dataset)",
                "kg serve",
                _fmt_s(ep["startup_seconds"]),
                "",
                _fmt_mb(ep.get("server_peak_rss_mb")),
                "1",
                "server peak memory over the whole load test",
            ],
        )
    return rows


HEADER = ["input", "measure", "engine", "median / p50", "p99", "peak memory", "runs", "note"]


def render_table(rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [*rows, HEADER]) for i in range(len(HEADER))]
    widths[-1] = min(widths[-1], 90)
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADER, widths)), "  ".join("-" * w for w in widths)]
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return "\n".join(lines)


def render_targets(targets: list[dict]) -> str:
    lines = []
    for t in targets:
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[t["pass"]]
        m = t["measured"]
        if t["unit"] == "s" and isinstance(m, (int, float)):
            shown = _fmt_s(m)
        elif t["unit"] == "MiB" and isinstance(m, (int, float)):
            shown = _fmt_mb(m)
        elif isinstance(m, (int, float)):
            shown = f"{m} {t['unit']}"
        else:
            shown = "not measured"
        lines.append(f"{mark}  {t['target']}: {shown}" + (f" ({t['note']})" if t.get("note") else ""))
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    def cell(x):
        return str(x).replace("|", "\\|")

    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def write_performance_md(results: dict, path: Path = PERFORMANCE_MD) -> None:
    """docs/performance.md from a results JSON: the targets with pass/fail, the table, and the machine."""
    m = results["machine"]
    lib = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    targets = results.get("targets") or evaluate_targets(results)
    tl = ["| target | measured | result |", "|---|---|---|"]
    for t in targets:
        mark = {True: "pass", False: "**fail**", None: "not measured"}[t["pass"]]
        mm = t["measured"]
        shown = (
            (_fmt_s(mm) if t["unit"] == "s" else _fmt_mb(mm) if t["unit"] == "MiB" else f"{mm} {t['unit']}")
            if isinstance(mm, (int, float))
            else "-"
        )
        tl.append(f"| {t['target']} | {shown}{' (' + t['note'] + ')' if t.get('note') else ''} | {mark} |")
    notes = "\n".join(f"- {n}" for n in results.get("notes", []))
    inputs = []
    for e in results["inputs"]:
        size = f"{e['dataset_triples']:,} triples after the build" if e.get("dataset_triples") else "not built"
        if e.get("kind") == "synthetic" and e.get("synth"):
            c = e["synth"]["counts"]
            planted = ", ".join(f"{k} {v}" for k, v in e["synth"]["planted"].items() if v)
            inputs.append(
                f"- **{e['name']}**: {e['synth']['triples']:,} synthetic triples ({c['states']} states, "
                f"{c['institutions']:,} institutions, {c['networks']:,} networks, "
                f"{c['organizations']:,} IGOs, {c['ngos']:,} NGOs, {c['spics']:,} collaborations, "
                f"{c['memberships']:,} memberships, {c['accountability_relations']:,} accountability "
                f"records; chain actor depth {e['synth']['chain_depth']}); planted: {planted}; {size}."
            )
        elif e.get("kind") == "real":
            files = ", ".join(e.get("import_files", [])) or "none"
            inputs.append(f"- **{e['name']}**: imports {files} plus the curated graph; {size}.")
    inputs_text = "\n".join(inputs) or "- none"
    text = f"""# Performance

Generated by `make bench` (`python bench/run.py`) from `bench/results/latest.json`; do not edit by hand —
rerun the benchmark, or `python bench/run.py --render-only` to redraw this page from the JSON.

Run of {results["started"]} (took {results.get("elapsed_s", 0) / 60:.1f} min), on {m["cpu_model"]},
{m["cores"]} cores, {m["memory_gib"]} GiB, {m["os"]}, Python {m["python"]}; {lib}.
Load average at start {results["loadavg_start"]}, at end {results["loadavg_end"]} (the machine was shared,
so figures are upper bounds of what an idle machine gives).

## Targets

{chr(10).join(tl)}

## What was measured

Each measured step runs in a fresh process (`bench/steps.py`); a figure is the median of the runs shown
(wall time), peak memory the largest resident set of any of them (for a step with worker processes, an upper
bound: the step's process plus the number of workers times the largest worker, shared pages counted again),
and "cpu" in the notes the user + system CPU time of the step and its workers, which a busy machine inflates
less than wall time. Inputs: synthetic governance graphs from
`kg synth --seed {results["options"]["seed"]} --violation-rate {results["options"]["violation_rate"]}` (merged
with the ontology, shapes and curated graph by `kg build --add`), and the real data sets through the
importers when `../shared/data` is present.

- **build**: `kg.build.build(force=True)`: parse every input, merge, materialize the inferences (rules that
  do not feed each other run side by side on two threads), write the dataset.
- **validate**: the same N-Triples file (the dataset's ontology, curated and imported graphs — what
  `kg validate` checks) against all shapes: `kg.validate.validate(engine="fast")` with its defaults (on
  this 2-core machine the shapes are spread over 2 forked worker processes) versus plain
  `pyshacl.validate(data, shacl_graph=shapes)` with its defaults (one process), parse included for both;
  the targets table also gives the ratio of CPU times, which compares the work done. The result sets
  are compared as (focus, shape, component, value); a blank-node property shape is identified by its path.
- **queries**: the named `{CHAIN_QUERY}` query for one actor and `{GAP_QUERY}`, on the built pyoxigraph
  store versus rdflib's default engine over the same triples (rdflib's parse time shown as "load"). The
  actor is, in a synthetic graph, the agency with the longest chain inside its own state (sub-agency →
  agency → ministry → executive → legislature → electorate); "deepest actor" is the actor with the longest
  chain anywhere (through networks and their peer reviews), a worst case. On real data it is the FATF.
- **planted violations found**: how many of the violations `kg synth` planted (recorded in its sidecar) the
  fast engine reports with the planted node as focus.
- **endpoint**: `bench/endpoint.py` against `kg serve` on the built dataset, at 1 and 8 clients.

## Inputs of this run

{inputs_text}

## Latest figures

{markdown_table(table_rows(results))}

## Notes

{notes or "- none"}
"""
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(text)
    os.replace(tmp, path)


def save(results: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = results["started"].replace(":", "").replace("-", "")[:15]
    dated = RESULTS / f"run-{stamp}.json"
    text = json.dumps(results, indent=1, default=str) + "\n"
    for p in (dated, RESULTS / "latest.json"):
        tmp = p.with_name(f".{p.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, p)
    return dated


# ------------------------------------------------------------------------------------------------ main


def _size(text: str) -> int:
    return int(float(text))


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1e5,1e6", help="synthetic graph sizes in triples (default 1e5,1e6)")
    p.add_argument("--huge", action="store_true", help="add a 1e7-triple synthetic graph (long; needs memory)")
    p.add_argument("--runs", type=int, default=3, help="runs per measured step (default 3)")
    p.add_argument(
        "--pyshacl-runs",
        type=int,
        default=3,
        help="runs of default pyshacl (default 3, like every other step; about 30 s each at 1e5)",
    )
    p.add_argument("--pyshacl-max", type=_size, default=100_000, help="largest size pyshacl runs at (default 1e5)")
    p.add_argument("--pyshacl-timeout", type=float, default=1200, help="time limit of one pyshacl run (s)")
    p.add_argument(
        "--pyshacl-once-timeout",
        type=float,
        default=0,
        help="above --pyshacl-max, run pyshacl once with this limit (s; default 0 = do not run)",
    )
    p.add_argument("--rdflib-max", type=_size, default=1_000_000, help="largest size rdflib's engine runs at")
    p.add_argument("--rdflib-real", action="store_true", help="also run rdflib's engine on the real data sets")
    p.add_argument("--rdflib-reps", type=int, default=3, help="repetitions of each query on rdflib (default 3)")
    p.add_argument(
        "--rdflib-budget",
        type=float,
        default=360,
        help="time limit of the rdflib step per input, parse included (s; default 360)",
    )
    p.add_argument("--chain-reps", type=int, default=30, help="repetitions of the chain query (default 30)")
    p.add_argument("--gap-reps", type=int, default=5, help="repetitions of the gap query (default 5)")
    p.add_argument(
        "--slow-cutoff",
        type=float,
        default=120,
        help="a step whose first run takes longer than this (s) is not repeated (default 120; 0 = off)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--violation-rate", type=float, default=0.01)
    p.add_argument("--no-real", action="store_true", help="skip the real data sets")
    p.add_argument("--no-endpoint", action="store_true", help="skip the endpoint")
    p.add_argument("--endpoint-seconds", type=float, default=5, help="measured seconds per endpoint configuration")
    p.add_argument("--step-timeout", type=float, default=900, help="time limit of any other step (s)")
    p.add_argument("--workdir", help="keep the working files here (default: a temporary folder, removed)")
    p.add_argument("--keep", action="store_true", help="keep exported N-Triples files")
    p.add_argument("--no-save", action="store_true", help="do not write bench/results or docs/performance.md")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: one 2e4-triple graph, one run each, no real data, nothing saved",
    )
    p.add_argument("--render-only", action="store_true", help="redraw docs/performance.md from latest.json")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.no_real, args.no_save = "2e4", 1, True, True
        args.pyshacl_max, args.chain_reps, args.gap_reps, args.rdflib_reps = 20000, 5, 2, 1
    return args


def main(argv=None) -> int:
    opts = parse_args(argv if argv is not None else sys.argv[1:])
    if opts.render_only:
        results = json.loads((RESULTS / "latest.json").read_text())
        results["targets"] = evaluate_targets(results)
        write_performance_md(results)
        print(f"wrote {PERFORMANCE_MD}")
        return 0
    sys.path.insert(0, str(REPO))
    sizes = [_size(s) for s in opts.sizes.split(",") if s.strip()]
    if opts.huge and 10_000_000 not in sizes:
        sizes.append(10_000_000)
    work = Path(opts.workdir) if opts.workdir else Path(tempfile.mkdtemp(prefix="lattice-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    r = Runner(work, slow_cutoff=opts.slow_cutoff)
    started = time.perf_counter()
    results = {
        "schema": 1,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(),
        "loadavg_start": loadavg(),
        "options": {k: v for k, v in vars(opts).items() if k != "workdir"},
        "inputs": [],
        "notes": [],
    }

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        # the synthetic graphs first: they carry the targets; the real data sets last
        for n in sizes:
            synthetic_input(r, n, opts, results["inputs"])
        if not opts.no_real:
            real_input(r, opts, results["inputs"])
    except KeyboardInterrupt:
        results["notes"].append("the run was interrupted; inputs not listed were not measured")
        r.say("interrupted: saving what was measured")
    finally:
        results["loadavg_end"] = loadavg()
        results["elapsed_s"] = round(time.perf_counter() - started, 1)
        results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if not opts.workdir:
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = evaluate_targets(results)
    for e in results["inputs"]:
        for n in e.get("notes", []):
            results["notes"].append(f"{e['name']}: {n}")
        if isinstance(e.get("build"), dict) and e["build"].get("note"):
            results["notes"].append(f"{e['name']}: build: {e['build']['note']}")
        for eng, m in (e.get("validate") or {}).items():
            if isinstance(m, dict) and m.get("note"):
                results["notes"].append(f"{e['name']}: validate {eng}: {m['note']}")
    rows = table_rows(results)
    print(render_table(rows))
    print()
    print(render_targets(results["targets"]))
    print(
        f"\nload average: start {results['loadavg_start']}, end {results['loadavg_end']}; "
        f"{results['elapsed_s'] / 60:.1f} min"
    )
    if not opts.no_save:
        dated = save(results)
        write_performance_md(results)
        print(f"wrote {dated.relative_to(REPO)}, bench/results/latest.json and docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
