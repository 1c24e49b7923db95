"""The `kg serve` command: options, start-up (zygote, workers, listening socket) and shutdown."""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path

from kg.errors import UsageError
from kg.serve.config import ServeConfig


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the graph as a SPARQL 1.1 endpoint with a web page",
        description="Serve the built dataset: SPARQL 1.1 protocol at /sparql, named queries at /api/queries, "
        "ontology IRIs at /ontology, and a query page at /. Read-only unless --allow-update.",
    )
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p) -> None:
    """The options of `kg serve`."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878, help="port (default 7878; 0 picks a free one)")
    p.add_argument(
        "--store",
        metavar="PATH",
        help="serve a persistent pyoxigraph store at PATH (created from the "
        "built dataset when new) instead of an in-memory copy",
    )
    p.add_argument("--allow-update", action="store_true", help="accept SPARQL Update (needs --token-file)")
    p.add_argument("--token-file", metavar="F", help="file holding the bearer token updates must present")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="per-query time limit (default 30 s)")
    p.add_argument("--max-rows", type=int, default=10000, metavar="N", help="result row cap (default 10000)")
    p.add_argument(
        "--max-body", type=int, default=1_000_000, metavar="BYTES", help="request size limit (default 1000000 bytes)"
    )
    p.add_argument(
        "--allow-service", metavar="HOST,...", default="", help="hosts that SERVICE and LOAD may reach (default: none)"
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the public origin clients use (e.g. https://lattice.example.org); used in the service "
        "description and the OpenAPI document instead of the listening address",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=3,
        metavar="N",
        help="worker processes for /sparql queries (default 3; one more serves named queries and IRIs)",
    )
    p.add_argument(
        "--worker-memory",
        type=int,
        default=1024,
        metavar="MB",
        help="memory a query may use beyond the shared store before its worker is killed (default 1024)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=4096,
        metavar="N",
        help="open connections (default 4096); beyond, the longest-idle one is closed",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="close a connection idle for S seconds (default 15)",
    )
    p.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="close a connection whose request line and headers take longer than S seconds (default 10)",
    )
    p.add_argument(
        "--body-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="close a connection whose request body takes longer than S seconds (default 30)",
    )
    p.add_argument("--verbose", "-v", action="store_true", help="log every request to stderr")


def load_store(dataset=None, store_path=None, from_index: bool = False):
    """The store to serve: a persistent pyoxigraph store at STORE_PATH (filled from the dataset when new: with
    FROM_INDEX, as a copy of the dataset's on-disk index), else an in-memory copy of the built dataset."""
    import pyoxigraph as ox

    if store_path:
        p = Path(store_path).expanduser()
        fresh = not p.exists() or (p.is_dir() and not any(p.iterdir()))
        if fresh and from_index:
            from kg.diskindex import DISK_INDEX
            from kg.store import dataset_dir, open_read_store

            open_read_store(dataset)  # builds when needed, and makes a large dataset's index once
            index = dataset_dir(dataset) / DISK_INDEX
            if index.is_dir():  # a RocksDB checkpoint: files hard-linked, instant, untouched by later builds
                ox.Store.read_only(str(index)).backup(str(p))
                return ox.Store(str(p))
        store = ox.Store(str(p))
        if fresh:
            from kg.store import open_store

            src = open_store(dataset)
            store.bulk_extend(src.quads_for_pattern(None, None, None, None))
            store.flush()
        return store
    from kg.store import open_memory_store

    return open_memory_store(dataset)


def disk_copy_path(dataset=None) -> str | None:
    """Where to put the private copy of the dataset's on-disk index that the server serves when the built
    dataset is too large to load into memory (kg.memory), removed when the server exits; None when it fits.
    (Only the manifest is read here: the server process itself never opens a store, so that it forks cleanly.)"""
    import atexit
    import shutil
    import tempfile

    from kg.build import read_manifest
    from kg.memory import MEMORY_ENV, fits_triples
    from kg.store import dataset_dir

    triples = (read_manifest(dataset_dir(dataset)) or {}).get("triples", 0)
    if fits_triples(triples, "serve"):
        return None
    folder = Path(tempfile.mkdtemp(prefix="lattice-serve-"))
    atexit.register(shutil.rmtree, folder, True)
    print(f"serving {triples} triples from a copy of the on-disk index (over {MEMORY_ENV})", file=sys.stderr)
    return str(folder / "store")


def config_from_args(args) -> ServeConfig:
    """The ServeConfig the options describe; UsageError for options that cannot work together."""
    token = None
    if args.allow_update:
        if not args.token_file:
            raise UsageError("--allow-update needs --token-file F (a file holding the bearer token)")
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--token-file {args.token_file}: {getattr(exc, 'strerror', None) or exc}") from None
        if len(token) < 16:
            raise UsageError(f"--token-file {args.token_file}: the token must have at least 16 characters")
    elif args.token_file:
        raise UsageError("--token-file only makes sense with --allow-update")
    if args.timeout <= 0 or args.max_rows <= 0 or args.max_body <= 0:
        raise UsageError("--timeout, --max-rows and --max-body must be positive")
    if min(args.idle_timeout, args.header_timeout, args.body_timeout) <= 0:
        raise UsageError("--idle-timeout, --header-timeout and --body-timeout must be positive")
    if args.workers < 1 or args.worker_memory < 64 or args.max_connections < 16:
        raise UsageError("--workers must be at least 1, --worker-memory at least 64, --max-connections at least 16")
    public = args.public_url
    if public is not None:
        public = public.rstrip("/")
        if not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?$", public):
            raise UsageError(f"--public-url {args.public_url!r}: give an origin such as https://lattice.example.org")
    allowed = frozenset(h.strip().lower() for h in args.allow_service.split(",") if h.strip())
    return ServeConfig(
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_body=args.max_body,
        allow_update=args.allow_update,
        token=token,
        allowed_services=allowed,
        slots=args.workers,
        worker_memory_mb=args.worker_memory,
        public_url=public,
        max_connections=args.max_connections,
        idle_timeout=args.idle_timeout,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
    )


def run(args) -> int:
    from kg.serve.app import Site, make_app
    from kg.serve.server import listen, raise_file_limit, run_uvicorn
    from kg.serve.workers import Pool, Zygote

    config = config_from_args(args)
    dataset = getattr(args, "dataset", None)
    files = raise_file_limit()
    if config.max_connections > files - 64:  # past the file limit, accept() itself would fail
        config.max_connections = max(16, files - 64)
        print(f"--max-connections lowered to {config.max_connections} (open-file limit {files})", file=sys.stderr)
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    bound = f"http://{shown_host}:{port}"
    store_path = str(Path(args.store).expanduser()) if args.store else disk_copy_path(dataset)
    try:
        zygote = Zygote(
            lambda: load_store(dataset, store_path, from_index=not args.store),
            store_path=store_path,
            memory_mb=config.worker_memory_mb,
            confine=not config.allowed_services,
        )
    except RuntimeError as exc:
        sock.close()
        raise UsageError(f"cannot serve: {exc}") from None
    pool = Pool(zygote, config)
    site = Site(config, pool, config.public_url or bound)
    if not args.store:
        from kg.search import INDEX_FILE
        from kg.store import dataset_dir

        site.search_file = dataset_dir(dataset) / INDEX_FILE
        from kg.validate.findings import FINDINGS_FILE, build_stamp

        site.findings_file = dataset_dir(dataset) / FINDINGS_FILE  # `kg validate` writes it (kg/validate/findings.py)
        site.build_stamp = build_stamp(dataset_dir(dataset))  # the build the workers loaded

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        print(f"Lattice SPARQL endpoint at {bound}/sparql (web page {bound}/)", flush=True)
        yield
        pool.close()

    try:
        run_uvicorn(make_app(site, lifespan), sock, config, verbose=args.verbose)
    finally:
        pool.close()
        zygote.stop()
        sock.close()
    print("stopped", file=sys.stderr, flush=True)
    return 0


def main(argv=None) -> int:
    """`python -m kg.serve [--dataset DIR] [serve options]`: the serve command alone, as `kg serve` runs it."""
    import argparse

    from kg.errors import LatticeError

    parser = argparse.ArgumentParser(prog="python -m kg.serve", description="Serve the Lattice graph.")
    parser.add_argument("--dataset", metavar="DIR", help="built dataset folder (default: $LATTICE_HOME/build)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return int(run(args) or 0)
    except LatticeError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
