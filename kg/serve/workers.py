"""Query workers: a zygote process holds the store and forks confined workers; the server dispatches to them."""

# The zygote is forked before the HTTP server starts any thread. It loads the store once and forks each worker
# on request, so workers share the store's memory copy-on-write. A worker forbids itself internet sockets
# (seccomp), caps its address space, and answers jobs over a Unix socket pair whose other end the zygote hands
# to the server. A job that runs past its time limit gets its worker killed (SIGKILL) and a fresh one forked;
# nothing a query does can outlive its time limit or take the server process down. Updates (token holders
# only) are applied by the zygote, after which every worker is replaced so that later queries see them.

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import struct
import sys
import threading
import time

from kg.serve.config import RequestFailed, ServeConfig

_LEN = struct.Struct("!I")
MAX_MESSAGE = 1 << 31


# ------------------------------------------------------------------------------------ framing


def _send(sock: socket.socket, header: dict, body: bytes = b"") -> None:
    head = json.dumps(header).encode("utf-8")
    sock.sendall(_LEN.pack(len(head)) + head + _LEN.pack(len(body)) + body)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket) -> tuple[dict, bytes]:
    head = json.loads(_recv_exact(sock, _LEN.unpack(_recv_exact(sock, 4))[0]))
    return head, _recv_exact(sock, _LEN.unpack(_recv_exact(sock, 4))[0])


async def _arecv(reader: asyncio.StreamReader) -> tuple[dict, bytes]:
    n = _LEN.unpack(await reader.readexactly(4))[0]
    if n > MAX_MESSAGE:
        raise EOFError
    head = json.loads(await reader.readexactly(n))
    n = _LEN.unpack(await reader.readexactly(4))[0]
    if n > MAX_MESSAGE:
        raise EOFError
    return head, await reader.readexactly(n)


# ------------------------------------------------------------------------------- worker process


def _worker_main(
    sock: socket.socket, store, store_path: str | None, memory_mb: int, nice: int, confine: bool = True
) -> None:
    """The body of a forked worker: confine, then answer jobs until the socket closes."""
    from kg.serve import sandbox
    from kg.serve.jobs import Jobs

    sandbox.die_with_parent()
    os.environ["RUST_BACKTRACE"] = "0"  # an engine that runs out of its memory cap says so in one line
    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    if store_path:  # a RocksDB store is not shared across fork: open the zygote's last snapshot read-only
        import pyoxigraph as ox

        store = ox.Store.read_only(store_path)
    confined = sandbox.forbid_network() if confine else False
    threading.stack_size(64 << 20)  # deep (but allowed) nesting needs more than the default 8 MB
    jobs = Jobs(store)

    def loop():
        sandbox.cap_memory(memory_mb << 20)
        while True:
            try:
                job, _ = _recv(sock)
            except (EOFError, OSError):
                return
            retire = False
            try:
                status, ctype, headers, body = jobs.run(job)
                reply = {"status": status, "type": ctype, "headers": headers}
            except RequestFailed as exc:
                reply, body = {"status": exc.status, "error": exc.message, "headers": exc.headers}, b""
            except MemoryError:
                retire = True
                reply, body = (
                    {
                        "retire": True,
                        "status": 503,
                        "error": f"the query needed more memory than its limit ({memory_mb} MB)",
                        "headers": {},
                    },
                    b"",
                )
            except RecursionError:
                retire = True
                reply, body = (
                    {"retire": True, "status": 400, "error": "the query is too deeply nested", "headers": {}},
                    b"",
                )
            except Exception as exc:
                reply, body = {"status": 500, "error": f"internal error ({type(exc).__name__})", "headers": {}}, b""
            reply["confined"] = confined
            try:
                _send(sock, reply, body)
            except OSError:
                return
            if retire:
                return

    t = threading.Thread(target=loop, name="lattice-worker")
    t.start()
    t.join()


# ------------------------------------------------------------------------------------- zygote


def _zygote_main(chan: socket.socket, load, store_path: str | None, memory_mb: int, confine: bool) -> None:
    """The zygote: load the store, then fork workers and apply updates on request, one at a time."""
    from kg.serve import sandbox

    sandbox.die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a signal to the process group: the server stops us in order
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    snapshots = _Snapshots(store_path)
    forker = None
    try:
        _preload()
        if store_path:
            # workers of a persistent store come from a process forked before the store is opened: RocksDB runs
            # threads of its own, and a process forked while one of them holds a lock inherits the lock held
            # by no thread of its own (a worker that waits for ever)
            forker = _start_forker(memory_mb, confine)
        store = load()
        snapshots.take(store)
        _send(chan, {"ready": True})
    except Exception as exc:
        _send(chan, {"ready": False, "error": str(exc)})
        return
    while True:
        try:
            msg, body = _recv(chan)
        except (EOFError, OSError):
            break
        op = msg.get("op")
        if op == "fork" and forker is not None:
            if snapshots.dirty:
                snapshots.take(store)
            _send(forker, {"op": "fork", "nice": int(msg.get("nice", 0)), "snapshot": snapshots.current})
            data, fds, _, _ = socket.recv_fds(forker, 4096, 1)
            socket.send_fds(chan, [data], fds)
            for fd in fds:
                os.close(fd)
        elif op == "fork":
            _fork_worker(chan, store, snapshots.current, memory_mb, int(msg.get("nice", 0)), confine)
        elif op == "update":
            outcome = _apply_update(store, body.decode("utf-8"), msg.get("base_iri"))
            if outcome.get("ok"):
                snapshots.dirty = True  # taken at the next fork: a run of updates costs one snapshot
                try:
                    store.flush()
                except (AttributeError, OSError):
                    pass
            _send(chan, outcome)
        elif op == "flush":
            try:
                store.flush()
            except (AttributeError, OSError):
                pass
            _send(chan, {"ok": True})
        else:
            break
    try:
        store.flush()
    except (AttributeError, OSError):
        pass
    snapshots.clear()


def _start_forker(memory_mb: int, confine: bool) -> socket.socket:
    """Fork the process that forks the workers of a persistent store; returns the zygote's end of its socket."""
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    _fork("forker", lambda: _forker_main(theirs, memory_mb, confine), mine)
    theirs.close()
    return mine


def _fork(what: str, body, *inherited: socket.socket) -> int:
    """Fork a child that closes INHERITED, runs BODY and exits (1, saying so, if BODY raised); returns its pid."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            for s in inherited:
                s.close()
            body()
        except BaseException as exc:
            print(f"lattice {what} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            code = 1
        os._exit(code)
    return pid


def _forker_main(chan: socket.socket, memory_mb: int, confine: bool) -> None:
    """Fork a worker on each request; the worker opens the snapshot it is given read-only."""
    from kg.serve import sandbox

    sandbox.die_with_parent()
    while True:
        try:
            msg, _ = _recv(chan)
        except (EOFError, OSError):
            return
        _fork_worker(chan, None, msg["snapshot"], memory_mb, int(msg.get("nice", 0)), confine)


def _fork_worker(chan: socket.socket, store, store_path: str | None, memory_mb: int, nice: int, confine: bool) -> None:
    """Fork one worker and hand the other end of its socket, with its pid, over CHAN."""
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = _fork(
        "worker", lambda: _worker_main(child_end, store, store_path, memory_mb, nice, confine), chan, parent_end
    )
    child_end.close()
    socket.send_fds(chan, [json.dumps({"pid": pid}).encode()], [parent_end.fileno()])
    parent_end.close()


class _Snapshots:
    """Immutable RocksDB checkpoints of a persistent store (hard links beside it), one per update; workers open
    the newest read-only, so compactions of the live store never pull files from under them."""

    def __init__(self, store_path: str | None):
        self.store_path = store_path
        self.current: str | None = None
        self.taken: list[str] = []
        self.count = 0
        self.dirty = False
        if store_path:
            from pathlib import Path

            p = Path(store_path)
            for old in p.parent.glob(f".{p.name}.serving-*"):
                pid = old.name.rsplit("-", 2)[-2]
                if not pid.isdigit() or not _alive(int(pid)):
                    _remove_tree(old)

    def take(self, store) -> None:
        if not self.store_path:
            return
        from pathlib import Path

        p = Path(self.store_path)
        target = p.parent / f".{p.name}.serving-{os.getpid()}-{self.count}"
        self.count += 1
        store.backup(str(target))  # a RocksDB checkpoint: flushes, then hard-links the immutable files
        self.dirty = False
        self.taken.append(str(target))
        self.current = str(target)
        while len(self.taken) > 3:  # workers of older generations are retired when they finish their job
            _remove_tree(self.taken.pop(0))

    def clear(self) -> None:
        for path in self.taken:
            _remove_tree(path)
        self.taken.clear()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_tree(path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _preload() -> None:
    """Import here, once, what workers use, so that a fresh worker answers at once (rdflib's SPARQL parser
    alone takes a second or more to import: a worker killed at the time limit must not pay it again)."""
    import rdflib.plugins.sparql.parser  # noqa: F401

    import kg.namespaces
    import kg.serve.jobs
    import kg.serve.pages  # noqa: F401
    from kg.serve.guard import remote_access_problem

    remote_access_problem("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", frozenset())


def _apply_update(store, text: str, base_iri: str | None) -> dict:
    from kg.namespaces import PREFIXES
    from kg.serve.protocol import syntax_failure

    try:
        store.update(text, base_iri=base_iri, prefixes=PREFIXES)
        return {"ok": True}
    except SyntaxError as exc:
        failure = syntax_failure(text, exc, "update")
        return {"ok": False, "status": failure.status, "error": failure.message, "headers": failure.headers}
    except (OSError, RuntimeError, ValueError) as exc:
        return {"ok": False, "status": 400, "error": f"update failed: {type(exc).__name__}", "headers": {}}


class Zygote:
    """The server's handle on the zygote process."""

    def __init__(self, load, store_path: str | None = None, memory_mb: int = 1024, confine: bool = True):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                parent.close()
                keep = child.fileno()  # the listening socket and everything else the server holds: not here
                os.closerange(3, keep)
                os.closerange(keep + 1, 65536)
                _zygote_main(child, load, store_path, memory_mb, confine)
            except BaseException as exc:
                print(f"lattice zygote failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        child.close()
        self.pid = pid
        self.chan = parent
        self.lock = threading.Lock()
        head, _ = _recv(parent)
        if not head.get("ready"):
            raise RuntimeError(head.get("error") or "the store could not be loaded")

    def fork(self, nice: int = 0) -> tuple[int, socket.socket]:
        """A new worker: its pid and the server's end of its socket."""
        with self.lock:
            _send(self.chan, {"op": "fork", "nice": nice})
            data, fds, _, _ = socket.recv_fds(self.chan, 4096, 1)
        if not fds:
            raise RuntimeError("the zygote did not hand over a worker")
        return json.loads(data)["pid"], socket.socket(fileno=fds[0])

    def update(self, text: str, base_iri: str | None) -> dict:
        with self.lock:
            _send(self.chan, {"op": "update", "base_iri": base_iri}, text.encode("utf-8"))
            return _recv(self.chan)[0]

    def stop(self) -> None:
        with self.lock:
            try:
                _send(self.chan, {"op": "stop"})
            except OSError:
                pass
            self.chan.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


# --------------------------------------------------------------------------------------- pool


class Worker:
    """One worker process as seen from the server."""

    def __init__(self, pid: int, sock: socket.socket, lane: str, generation: int):
        self.pid, self.sock, self.lane, self.generation = pid, sock, lane, generation
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.confined: bool | None = None

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.writer is not None:
            self.writer.close()
        else:
            self.sock.close()


class Pool:
    """Worker processes in two lanes: "open" for client SPARQL, "own" for named queries, IRIs, pages, health.

    Client SPARQL can therefore never take the workers the named queries use; open-lane workers also run at
    a lower CPU priority.
    """

    def __init__(self, zygote: Zygote, config: ServeConfig):
        self.zygote = zygote
        self.config = config
        self.sizes = {"open": max(1, config.slots), "own": max(1, config.own_slots)}
        self.idle: dict[str, asyncio.Queue] = {}
        self.generation = 0
        self.live: dict[int, Worker] = {}
        self.stats = {"killed_timeout": 0, "died": 0, "forked": 0}
        self._spawning: set = set()
        self.deficit: dict[str, int] = {lane: 0 for lane in self.sizes}  # workers retired by updates, not yet forked
        self._update_lock: asyncio.Lock | None = None

    async def start(self) -> None:
        self.idle = {lane: asyncio.Queue() for lane in self.sizes}
        self._update_lock = asyncio.Lock()
        for lane, n in self.sizes.items():
            for _ in range(n):
                await self._spawn(lane)

    async def _spawn(self, lane: str) -> None:
        loop = asyncio.get_running_loop()
        nice = 10 if lane == "open" else 0
        # the generation before the fork: a fork the zygote made before an update holds the old store, and
        # is replaced when taken (one made after it is only replaced once more than needed)
        generation = self.generation
        try:
            pid, sock = await loop.run_in_executor(None, self.zygote.fork, nice)
        except (OSError, EOFError, RuntimeError, ValueError) as exc:
            self.deficit[lane] += 1  # tried again by the next request of this lane
            print(f"lattice: cannot fork a worker: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return
        worker = Worker(pid, sock, lane, generation)
        worker.reader, worker.writer = await asyncio.open_unix_connection(sock=sock, limit=1 << 20)
        self.stats["forked"] += 1
        self.live[pid] = worker
        self.idle[lane].put_nowait(worker)

    def _replace(self, worker: Worker, later: bool = False) -> None:
        worker.kill()
        self.live.pop(worker.pid, None)
        if later:
            self.deficit[worker.lane] += 1
            return
        self._spawn_soon(worker.lane)

    def _spawn_soon(self, lane: str) -> None:
        task = asyncio.ensure_future(self._spawn(lane))
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)

    async def run(self, lane: str, job: dict, timeout: float | None = None) -> tuple[dict, bytes]:
        """Run JOB on a worker of LANE: (reply header, body); raises RequestFailed for 503s."""
        timeout = self.config.timeout if timeout is None else timeout
        deadline = time.monotonic() + self.config.queue_wait
        while True:
            if self.deficit[lane] and self.idle[lane].empty():
                self.deficit[lane] -= 1
                self._spawn_soon(lane)
            try:
                queue = self.idle[lane]
                worker = (
                    queue.get_nowait()
                    if not queue.empty()
                    else await asyncio.wait_for(queue.get(), max(0.0, deadline - time.monotonic()))
                )
            except asyncio.TimeoutError:
                raise RequestFailed(
                    503, "the server is busy with other queries; try again shortly", {"Retry-After": "5"}
                ) from None
            if worker.generation == self.generation and worker.pid in self.live:
                break
            self._replace(worker)  # forked before the last update: it holds an old copy of the store
        done = False
        expired: list = []

        def expire():  # the time limit: the worker is killed, which ends the read below
            expired.append(True)
            worker.kill()

        timer = asyncio.get_running_loop().call_later(timeout, expire)
        try:
            head = json.dumps(job).encode("utf-8")
            worker.writer.write(_LEN.pack(len(head)) + head + _LEN.pack(0))
            reply, body = await _arecv(worker.reader)
            done = True
        except (EOFError, asyncio.IncompleteReadError, ConnectionError, OSError):
            if expired:
                self.stats["killed_timeout"] += 1
                raise RequestFailed(
                    503, f"the query exceeded the time limit of {timeout:g} s", {"Retry-After": "10"}
                ) from None
            self.stats["died"] += 1
            raise RequestFailed(
                503,
                "the query was stopped: it needed more memory than the worker limit "
                f"({self.config.worker_memory_mb} MB) or the engine failed on it",
            ) from None
        finally:
            timer.cancel()
            if done and worker.generation == self.generation and not reply.get("retire"):
                worker.confined = reply.get("confined")
                self.idle[lane].put_nowait(worker)
            else:
                self._replace(worker, later=done)  # an old generation's worker: forked again when needed
        if "error" in reply:
            raise RequestFailed(int(reply["status"]), reply["error"], reply.get("headers") or {})
        return reply, body

    async def update(self, text: str, base_iri: str | None) -> None:
        """Apply an update in the zygote, then replace every worker (later queries see the update)."""
        loop = asyncio.get_running_loop()
        async with self._update_lock:
            outcome = await loop.run_in_executor(None, self.zygote.update, text, base_iri)
            if not outcome.get("ok"):
                raise RequestFailed(
                    int(outcome.get("status", 400)), outcome.get("error", "update failed"), outcome.get("headers") or {}
                )
            self.generation += 1
            for q in self.idle.values():
                while not q.empty():
                    self._replace(q.get_nowait(), later=True)

    def close(self) -> None:
        for worker in list(self.live.values()):
            worker.kill()
        self.live.clear()
