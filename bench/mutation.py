"""Mutation testing of query parameter binding and the SHACL engine (`make mutation`; slow, not in `make test`).

Runs mutmut (configured under [tool.mutmut] in pyproject.toml: kg/query.py and kg/shacl/{components,engine,plan}.py,
mutated only on the lines the selected fast tests run), then reports, per area, how many mutants the tests
killed, and writes bench/results/mutation.json. `--report` only reads the results of the last run.
Content negotiation lives in kg/serve/protocol.py, which is not mutated here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "mutation.json"
BINDING = ("parse_params", "expand_iri", "sparql_term", "bind", "parse_param_args")
KILLED = {"killed", "caught by type check"}


def area(mutant: str) -> str:
    """Which reported area a mutant (e.g. kg.query.x_bind__mutmut_3) belongs to."""
    if mutant.startswith("kg.shacl."):
        return "SHACL engine"
    m = re.match(r"kg\.query\.x_(\w+?)__mutmut_\d+$", mutant)
    if m and m.group(1) in BINDING:
        return "query parameter binding"
    return "other (not scored)"


def results() -> dict[str, str]:
    """mutant name -> status, from mutmut's record of the last run."""
    r = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True
    )
    if r.returncode != 0:
        sys.exit(r.stderr or "mutmut results failed")
    out = {}
    for line in r.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            out[name] = status
    return out


def summary(statuses: dict[str, str]) -> dict[str, dict]:
    by_area: dict[str, Counter] = {}
    for name, status in statuses.items():
        by_area.setdefault(area(name), Counter())[status] += 1
    out = {}
    for name, counts in sorted(by_area.items()):
        killed = sum(n for s, n in counts.items() if s in KILLED)
        scored = sum(n for s, n in counts.items() if s not in ("skipped", "not checked"))
        out[name] = {
            "counts": dict(counts),
            "killed": killed,
            "scored": scored,
            "score": round(killed / scored, 3) if scored else None,
            "survivors": sorted(n for n, s in statuses.items() if area(n) == name and s == "survived"),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only report the results of the last run")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    args = parser.parse_args()
    if not args.report:
        env = dict(os.environ, LATTICE_HOME=str(ROOT / "mutants" / ".lattice-home"))
        subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.jobs)], cwd=ROOT, env=env, check=False
        )
    report = summary(results())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for name, r in report.items():
        score = f"{r['score']:.1%}" if r["score"] is not None else "-"
        print(f"{name:28} {r['killed']:5} of {r['scored']:5} killed  {score:>6}  {r['counts']}")
    print(f"survivors listed in {OUT.relative_to(ROOT)}; `mutmut show NAME` prints one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
