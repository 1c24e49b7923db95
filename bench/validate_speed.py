"""Time `kg validate` (fast engine) against default pyshacl on synthetic graphs and compare their results."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def timed_validate(files, engine: str) -> dict:
    """Validate FILES in a fresh process (so peak memory is its own); returns seconds, memory and keys."""
    code = (
        "import json, resource, sys, time\n"
        "from kg.validate import validate, comparable_keys\n"
        "def cpu():\n"
        "    return sum(u.ru_utime + u.ru_stime for u in map(resource.getrusage, "
        "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))\n"
        "t = time.perf_counter(); c = cpu()\n"
        f"r = validate({[str(f) for f in files]!r}, engine={engine!r})\n"
        "s = time.perf_counter() - t; used = cpu() - c\n"
        "own, kids = (resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
        "peak = (own + r.jobs * kids if r.jobs > 1 else max(own, kids)) / 1024\n"
        "print(json.dumps({'seconds': s, 'cpu_seconds': used, 'peak_mb': peak, 'jobs': r.jobs,"
        " 'counts': r.counts(), 'keys': sorted(map(list, comparable_keys(r)), key=str)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--triples", type=lambda s: int(float(s)), nargs="+", default=[10_000, 100_000])
    ap.add_argument("--engines", default="fast,pyshacl", help="comma-separated: fast, pyshacl")
    ap.add_argument("--work", type=Path, default=Path("/tmp/lattice-validate-bench"))
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--runs", type=int, default=1, help="runs of the fast engine (median reported)")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    ontology = sorted((REPO / "ontology").glob("*.ttl"))
    rows = []
    for n in args.triples:
        data = args.work / f"synth-{n}.nt"
        if not data.exists():
            subprocess.run(
                [sys.executable, "-m", "kg", "synth", "--triples", str(n), "--output", str(data), "-q"],
                cwd=REPO,
                check=True,
            )
        files = [data, *ontology]
        row = {"triples": n}
        for engine in args.engines.split(","):
            runs = [timed_validate(files, engine) for _ in range(args.runs if engine == "fast" else 1)]
            runs.sort(key=lambda r: r["seconds"])
            best = runs[len(runs) // 2]
            row[engine] = {
                "seconds": round(best["seconds"], 3),
                "cpu_seconds": round(best["cpu_seconds"], 3),
                "peak_mb": round(best["peak_mb"]),
                "counts": best["counts"],
                "results": len(best["keys"]),
            }
            row[f"_{engine}_keys"] = {tuple(k) for k in best["keys"]}
            print(
                f"{n:>9} triples  {engine:8} {best['seconds']:8.2f} s wall {best['cpu_seconds']:8.2f} s cpu  "
                f"{best['peak_mb']:6.0f} MB  "
                f"{best['counts']}",
                flush=True,
            )
        if "fast" in row and "pyshacl" in row:
            a, b = row.pop("_fast_keys"), row.pop("_pyshacl_keys")
            row["identical"] = a == b
            row["only_fast"] = sorted(map(list, a - b))[:20]
            row["only_pyshacl"] = sorted(map(list, b - a))[:20]
            row["speedup"] = round(row["pyshacl"]["seconds"] / row["fast"]["seconds"], 1)
            row["speedup_cpu"] = round(row["pyshacl"]["cpu_seconds"] / row["fast"]["cpu_seconds"], 1)
            print(
                f"{'':>9}          identical result sets: {row['identical']}  speed-up: {row['speedup']}x wall, "
                f"{row['speedup_cpu']}x cpu "
                f"(only fast: {len(a - b)}, only pyshacl: {len(b - a)})",
                flush=True,
            )
        for k in [k for k in row if k.startswith("_")]:
            row.pop(k)
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
