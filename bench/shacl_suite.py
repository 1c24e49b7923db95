"""Run a SHACL engine over the W3C SHACL test suite (core/ and sparql/) and print the pass count."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    from kg.paths import shared_dir
    from kg.shacl.w3c import run_suite

    shared = shared_dir()
    default = shared / "data" / "w3c-tests" / "shacl" if shared else None
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--suite", type=Path, default=default, help="folder holding the suite's manifest.ttl")
    ap.add_argument("--engine", choices=("fast", "pyshacl"), default="fast")
    ap.add_argument("--only", help="run only test names starting with this (e.g. core/node)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the reason of each failure")
    args = ap.parse_args(argv)
    if args.suite is None or not (args.suite / "manifest.ttl").is_file():
        print("the W3C SHACL test suite was not found (give --suite DIR)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    outcomes = run_suite(args.suite, args.engine, args.only)
    elapsed = time.perf_counter() - started
    by_part: dict[str, list] = {}
    for o in outcomes:
        by_part.setdefault(o.case.name.split("/")[0], []).append(o)
    for o in outcomes:
        if not o.passed:
            print(f"FAIL {o.case.name}" + (f": {o.detail[:400]}" if args.verbose else ""))
    for part, os_ in sorted(by_part.items()):
        print(f"{part}: {sum(o.passed for o in os_)}/{len(os_)} passed")
    print(f"total: {sum(o.passed for o in outcomes)}/{len(outcomes)} passed ({args.engine} engine, {elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
