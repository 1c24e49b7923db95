"""Latency (p50/p99) and throughput of `kg serve` for a simple and a chain query at 1 and 8 concurrent clients.

Usage: python bench/endpoint.py [--dataset DIR | --url http://127.0.0.1:PORT] [--clients 1,8] [--seconds 5]
                                [--oxigraph] [--json OUT.json]
Starts `kg serve` on 127.0.0.1 (unless --url is given), sends SPARQL POSTs over keep-alive connections from
client threads for a fixed time per configuration, and prints one line per (query, clients). With
--oxigraph, the same dataset is also loaded into the Oxigraph server (`kg load`) and measured the same way.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIMPLE = "accountability-direct"
CHAIN = "accountability-chain"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def busiest_actor(endpoint: str) -> str:
    """The actor with the most lat:accountableTo links (falls back to the FATF)."""
    q = (
        "PREFIX lat: <https://w3id.org/lattice/ontology#> SELECT ?a WHERE { ?a lat:accountableTo ?f } "
        "GROUP BY ?a ORDER BY DESC(COUNT(?f)) ?a LIMIT 1"
    )
    _status, body = post_once(endpoint, q)
    try:
        return json.loads(body)["results"]["bindings"][0]["a"]["value"]
    except (ValueError, KeyError, IndexError):
        return "https://w3id.org/lattice/id/fatf"


def post_once(endpoint: str, query: str) -> tuple[int, bytes]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(
            "POST",
            parts.path,
            body=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def named_text(name: str, **params) -> str:
    from kg.query import _with_prologue, bind, get_query

    return _with_prologue(bind(get_query(name), params))


def run_load(endpoint: str, query: str, clients: int, seconds: float, warmup: float = 0.5) -> dict:
    """Closed-loop load: CLIENTS threads, each with one keep-alive connection, for SECONDS after a warm-up."""
    parts = urlsplit(endpoint)
    body = query.encode("utf-8")
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start_gate = threading.Barrier(clients + 1)
    t_begin = [0.0]
    t_end = [0.0]

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        start_gate.wait()
        while True:
            now = time.perf_counter()
            if now >= t_end[0]:
                break
            try:
                conn.request("POST", parts.path, body=body, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            done = time.perf_counter()
            if now >= t_begin[0]:  # requests started during the warm-up are not counted
                if ok:
                    latencies[i].append(done - now)
                else:
                    errors[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    t_begin[0] = t0 + warmup
    t_end[0] = t_begin[0] + seconds
    start_gate.wait()
    for t in threads:
        t.join(seconds + warmup + 120)
    all_lat = [x for lat in latencies for x in lat]
    return {
        "clients": clients,
        "requests": len(all_lat),
        "errors": sum(errors),
        "seconds": seconds,
        "qps": round(len(all_lat) / seconds, 1),
        "p50_ms": round(percentile(all_lat, 50) * 1000, 3),
        "p99_ms": round(percentile(all_lat, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(all_lat) * 1000, 3) if all_lat else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", help="built dataset folder to serve (default: $LATTICE_HOME/build)")
    ap.add_argument("--url", help="an already running kg serve (http://127.0.0.1:PORT); nothing is started")
    ap.add_argument("--clients", default="1,8", help="comma-separated client counts (default 1,8)")
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per configuration (default 5)")
    ap.add_argument("--actor", help="actor IRI for both queries (default: the one with most accountability links)")
    ap.add_argument("--oxigraph", action="store_true", help="also measure the Oxigraph server on the same data")
    ap.add_argument("--json", metavar="OUT", help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    counts = [int(c) for c in args.clients.split(",") if c.strip()]

    server = None
    if args.url:
        endpoint = args.url.rstrip("/") + "/sparql"
    else:
        from kg.thirdparty import KgServer

        server = KgServer(dataset=args.dataset, args=["--timeout", "60", "--max-rows", "100000"])
        server.start()
        endpoint = server.endpoint
    try:
        actor = args.actor or busiest_actor(endpoint)
        results = measure("kg serve", endpoint, actor, counts, args.seconds)
        if args.oxigraph:
            results += measure_oxigraph(args.dataset, actor, counts, args.seconds)
        out = {
            "status": "ok",
            "endpoint": "kg serve" if server else endpoint,
            "actor": actor,
            "cpu_count": os.cpu_count(),
            "results": results,
        }
        if args.json:
            tmp = Path(args.json).with_suffix(".tmp")
            tmp.write_text(json.dumps(out, indent=1))
            os.replace(tmp, args.json)
        return 0
    finally:
        if server is not None:
            server.stop()


def measure(engine: str, endpoint: str, actor: str, counts: list[int], seconds: float) -> list[dict]:
    """Both queries at each client count against one endpoint; prints a line per configuration."""
    queries = {"simple": named_text(SIMPLE, actor=actor), "chain": named_text(CHAIN, actor=actor)}
    rows = {}
    for kind, text in queries.items():
        status, body = post_once(endpoint, text)
        if status != 200:
            raise SystemExit(f"{engine}: {kind} query failed with HTTP {status}: {body[:300]!r}")
        rows[kind] = len(json.loads(body)["results"]["bindings"])
    print(
        f"{engine} at {endpoint}; actor {actor}; simple = {SIMPLE} ({rows['simple']} rows), "
        f"chain = {CHAIN} ({rows['chain']} rows); {seconds:g} s per configuration"
    )
    print(f"{'query':8} {'clients':>7} {'requests':>9} {'q/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    results = []
    for kind, text in queries.items():
        for n in counts:
            r = run_load(endpoint, text, n, seconds)
            r.update(
                {
                    "engine": engine,
                    "query": kind if engine == "kg serve" else f"{kind} ({engine})",
                    "named_query": SIMPLE if kind == "simple" else CHAIN,
                    "result_rows": rows[kind],
                }
            )
            results.append(r)
            print(
                f"{kind:8} {n:>7} {r['requests']:>9} {r['qps']:>9.1f} {r['p50_ms']:>9.2f} "
                f"{r['p99_ms']:>9.2f} {r['errors']:>7}",
                flush=True,
            )
    return results


def measure_oxigraph(dataset, actor: str, counts: list[int], seconds: float) -> list[dict]:
    """The same load against the Oxigraph server holding the same dataset (loaded with `kg load`)."""
    from kg.load import Target, load
    from kg.store import open_store
    from kg.thirdparty import OxigraphServer, oxigraph_binary

    if oxigraph_binary() is None:
        print("oxigraph server not installed: skipped")
        return []
    with OxigraphServer() as ox_server:
        load(open_store(dataset), Target(ox_server.query_endpoint))
        return measure("oxigraph server", ox_server.query_endpoint, actor, counts, seconds)


if __name__ == "__main__":
    sys.exit(main())
