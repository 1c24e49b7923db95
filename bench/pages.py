"""Speed of the reader's pages: search index size and build time, search and entity-page latency (p50/p95).

Usage: python bench/pages.py [--dataset DIR] [--searches 300] [--pages 60] [--seed 18] [--json OUT.json]
Writes the search index of the built dataset again to time it (`kg build` writes it once per build), starts
`kg serve` on 127.0.0.1, then sends, one at a time over a keep-alive connection, as-you-type searches (prefixes
of labels drawn from the index, one to three words) to /api/search and page requests for a sample of entities
(the FATF and IRIs drawn from the index) to /id/..., and prints the latencies seen by the client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.endpoint import percentile


def _get(conn, path: str, accept: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept": accept})
    r = conn.getresponse()
    body = r.read()
    return r.status, (time.perf_counter() - started) * 1000, len(body)


def main(argv=None) -> int:
    from kg.search import INDEX_FILE, SearchIndex, words, write_index
    from kg.serve.layout import local_path
    from kg.store import dataset_dir, open_store
    from kg.thirdparty import KgServer

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", help="built dataset folder (default: $LATTICE_HOME/build)")
    p.add_argument("--searches", type=int, default=300)
    p.add_argument("--pages", type=int, default=60)
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    out = dataset_dir(args.dataset)
    store = open_store(out, build_if_needed=False)
    triples = len(store)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_index(store, Path(tmp))
        index_seconds = time.perf_counter() - started
    del store
    index_file = out / INDEX_FILE
    index = SearchIndex.load(index_file)
    rng = random.Random(args.seed)
    queries = []
    for _ in range(args.searches):
        ws = words(rng.choice(index.entries)[1]) or ["a"]
        n = rng.randint(1, min(3, len(ws)))
        cut = [w[: rng.randint(1, len(w))] for w in ws[:n]]
        queries.append(" ".join(cut))
    lattice = [e[0] for e in index.entries if local_path(e[0]) and local_path(e[0]).startswith("/id/")]
    sample = ["https://w3id.org/lattice/id/fatf", *rng.sample(lattice, min(args.pages - 1, len(lattice)))]
    figures: dict = {
        "triples": triples,
        "index_bytes": index_file.stat().st_size,
        "index_entries": len(index.entries),
        "index_write_seconds": round(index_seconds, 3),
    }
    with KgServer(dataset=out) as server:
        netloc = urlsplit(server.url).netloc
        conn = http.client.HTTPConnection(netloc, timeout=60)
        _get(conn, "/api/search?q=warm", "application/json")  # loads the index once
        times = []
        for q in queries:
            status, ms, _ = _get(conn, "/api/search?limit=8&q=" + quote(q), "application/json")
            assert status == 200, (q, status)
            times.append(ms)
        figures["search_ms_p50"] = round(percentile(times, 50), 2)
        figures["search_ms_p95"] = round(percentile(times, 95), 2)
        page_times, sizes = [], []
        for iri in sample:
            status, ms, size = _get(conn, local_path(iri), "text/html")
            assert status == 200, (iri, status)
            page_times.append(ms)
            sizes.append(size)
        figures["page_ms_p50"] = round(percentile(page_times, 50), 1)
        figures["page_ms_p95"] = round(percentile(page_times, 95), 1)
        figures["page_ms_max"] = round(max(page_times), 1)
        figures["page_kb_max"] = round(max(sizes) / 1024, 1)
        figures["fatf_page_ms"] = round(page_times[0], 1)
        conn.close()
    for k, v in figures.items():
        print(f"{k:22} {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
