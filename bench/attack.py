"""The endpoint under denial-of-service attack: latency for an innocent client, slot release, memory, floods.

Usage: python bench/attack.py [--dataset DIR] [--seconds 6] [--timeout 2] [--connections 2000] [--json OUT]

Starts `kg serve` on 127.0.0.1 (with a fake internal service beside it that counts connections), then:
  1. for each kind of hostile query (deep nesting, blocking aggregates, sorts and joins, memory blow-ups, SSRF
     through /id/, the SERVICE guard bypasses), 8 clients send it in a loop while another client sends a named
     REST query; the named query's answers (all must be 200) and their p50/p95 latency are reported;
  2. slot release: 8 blocking aggregates at once; the time until every /sparql worker answers again;
  3. the server's memory (PSS of the server, the zygote and the workers together) sampled throughout;
  4. --connections idle and as many slow (headers never finished) connections, then a new client's query;
  5. the number of connections the fake internal service saw (must be 0).
All traffic goes to 127.0.0.1; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.attack_tools import EXPENSIVE, NESTING, SECRET, Listener

NAMED = "/api/queries/accountability-direct?actor=https%3A%2F%2Fw3id.org%2Flattice%2Fid%2Ffatf"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 60.0
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        conn.close()


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of PID and all its descendants (shared copy-on-write pages counted once)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


class MemorySampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_pss_mb(self.pid))
            self.stop.wait(0.25)


def hostile_cases(listener: Listener) -> dict:
    """name -> (method, path, body, headers) of one hostile request."""
    cases = {}
    for name, text in {**NESTING, **EXPENSIVE}.items():
        cases[name] = ("POST", "/sparql", text.encode(), {"Content-Type": "application/sparql-query"})
    inj = "x> WHERE { SERVICE <" + listener.url + "> { ?s ?p ?o } } #"
    cases["SSRF through /id/"] = ("GET", "/id/" + urllib.parse.quote(inj, safe=""), None, {"Accept": "text/turtle"})
    bypass = "SELECT * WHERE { ?s ?p ?o # note\rSERVICE <" + listener.url + "> { ?s ?p ?o } }"
    cases["SERVICE guard bypass (CR comment)"] = (
        "POST",
        "/sparql",
        bypass.encode(),
        {"Content-Type": "application/sparql-query"},
    )
    return cases


def under_attack(port: int, case: tuple, seconds: float, attackers: int = 8) -> dict:
    method, path, body, headers = case
    stop = threading.Event()
    hostile_status: dict[int, int] = {}
    leaked = [False]

    def attacker():
        while not stop.is_set():
            st, out = request(port, method, path, body, headers, timeout=60)
            hostile_status[st] = hostile_status.get(st, 0) + 1
            if SECRET in out:
                leaked[0] = True

    threads = [threading.Thread(target=attacker, daemon=True) for _ in range(attackers)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    latencies, failures = [], 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        st, _ = request(port, "GET", NAMED, headers={"Accept": "application/sparql-results+json"}, timeout=30)
        if st == 200:
            latencies.append(time.perf_counter() - t0)
        else:
            failures += 1
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join(120)
    return {
        "named_answered": len(latencies),
        "named_failed": failures,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "hostile_statuses": {str(k): v for k, v in sorted(hostile_status.items())},
        "leaked": leaked[0],
    }


def slot_release(port: int, timeout: float, workers: int) -> dict:
    """8 blocking aggregates at once; then how long until WORKERS simple /sparql queries are answered together."""
    body = EXPENSIVE["COUNT over a cartesian product"].encode()
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=request,
            args=(port, "POST", "/sparql", body, {"Content-Type": "application/sparql-query"}),
            daemon=True,
        )
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    hostile_done = time.monotonic()
    while time.monotonic() - hostile_done < 30:
        results = []
        probes = [
            threading.Thread(
                target=lambda: results.append(  # noqa: B023 (joined within this iteration)
                    request(
                        port,
                        "GET",
                        "/sparql?query=ASK%7B%7D",
                        headers={"Accept": "application/sparql-results+json"},
                        timeout=30,
                    )[0]
                )
            )
            for _ in range(workers)
        ]
        t0 = time.monotonic()
        for p in probes:
            p.start()
        for p in probes:
            p.join(30)
        if all(r == 200 for r in results) and time.monotonic() - t0 < 0.5:
            break
    free = time.monotonic()
    return {
        "hostile_seconds": round(hostile_done - started, 2),
        "all_slots_free_after_last_hostile_s": round(free - hostile_done, 2),
        "within_timeout_plus_1s": free - hostile_done <= 1.0 + 0.5,
    }


def flood(port: int, connections: int) -> dict:
    """CONNECTIONS idle + CONNECTIONS slow connections, then one new client."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held, opened = [], 0
    try:
        for i in range(2 * connections):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                break
            if i % 2:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(s)
            opened += 1
        time.sleep(3.0)  # the server accepts the backlog of connections first
        t0 = time.perf_counter()
        st, _ = request(port, "GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        return {"held": opened, "new_client_status": st, "new_client_ms": round((time.perf_counter() - t0) * 1000, 1)}
    finally:
        for s in held:
            s.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", help="built dataset folder (default: $LATTICE_HOME/build)")
    ap.add_argument("--seconds", type=float, default=6.0, help="seconds under attack per kind (default 6)")
    ap.add_argument("--timeout", type=float, default=2.0, help="the server's --timeout (default 2)")
    ap.add_argument("--workers", type=int, default=3, help="the server's --workers (default 3)")
    ap.add_argument("--worker-memory", type=int, default=512, help="the server's --worker-memory MB (default 512)")
    ap.add_argument("--connections", type=int, default=2000, help="idle and slow connections each (default 2000)")
    ap.add_argument("--json", metavar="OUT", help="also write the figures as JSON here")
    args = ap.parse_args(argv)

    from kg.thirdparty import KgServer

    out: dict = {"timeout_s": args.timeout, "workers": args.workers, "worker_memory_mb": args.worker_memory}
    with Listener() as listener:
        server = KgServer(
            dataset=args.dataset,
            args=[
                "--timeout",
                str(args.timeout),
                "--workers",
                str(args.workers),
                "--worker-memory",
                str(args.worker_memory),
                "--max-connections",
                str(2 * args.connections + 200),
                "--idle-timeout",
                "60",
                "--header-timeout",
                "60",
            ],
            startup_timeout=600,
        )
        server.start()
        try:
            sampler = MemorySampler(server.proc.pid)
            sampler.start()
            time.sleep(0.5)
            out["idle_memory_mb"] = round(tree_pss_mb(server.proc.pid), 1)
            print(f"server {server.url}; idle memory {out['idle_memory_mb']} MB (PSS, server + zygote + workers)")
            out["attacks"] = {}
            print(
                f"{'hostile kind (8 clients)':40} {'named ok':>8} {'failed':>6} {'p50 ms':>8} {'p95 ms':>8}  hostile statuses"
            )
            for name, case in hostile_cases(listener).items():
                r = under_attack(server.port, case, args.seconds)
                out["attacks"][name] = r
                print(
                    f"{name:40} {r['named_answered']:>8} {r['named_failed']:>6} {r['p50_ms']:>8} {r['p95_ms']:>8}  "
                    f"{r['hostile_statuses']}{'  LEAKED' if r['leaked'] else ''}",
                    flush=True,
                )
            out["slot_release"] = slot_release(server.port, args.timeout, args.workers)
            print(f"slot release: {out['slot_release']}")
            out["flood"] = flood(server.port, args.connections)
            print(f"flood: {out['flood']}")
            sampler.stop.set()
            sampler.join(2)
            out["peak_memory_mb"] = round(sampler.peak, 1)
            out["memory_bound_mb"] = round(out["idle_memory_mb"] + (args.workers + 1) * args.worker_memory, 1)
            print(
                f"peak memory {out['peak_memory_mb']} MB (PSS); documented bound: idle + (workers + 1) x "
                f"worker-memory = {out['memory_bound_mb']} MB"
            )
            out["server_alive"] = server.proc.poll() is None
            st, _ = request(server.port, "GET", "/health")
            out["health_after"] = st
        finally:
            log = server.log_text()
            code = server.stop()
        out["outbound_connections"] = listener.count
        out["tracebacks"] = log.count("Traceback")
        out["server_exit_code"] = code
    worst = max(r["p95_ms"] for r in out["attacks"].values())
    failed = sum(r["named_failed"] for r in out["attacks"].values())
    out["worst_named_p95_ms"] = worst
    out["named_failures"] = failed
    print(
        f"outbound connections {out['outbound_connections']}; tracebacks {out['tracebacks']}; "
        f"server alive {out['server_alive']} (exit {code}); worst named p95 {worst} ms; named failures {failed}"
    )
    if args.json:
        tmp = Path(args.json).with_suffix(".tmp")
        tmp.write_text(json.dumps(out, indent=1))
        os.replace(tmp, args.json)
    ok = (
        out["outbound_connections"] == 0
        and failed == 0
        and worst < 500
        and out["server_alive"]
        and out["tracebacks"] == 0
        and out["flood"]["new_client_status"] == 200
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
