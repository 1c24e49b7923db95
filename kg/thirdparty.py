"""Start and stop the servers that tests and benchmarks talk to: `kg serve`, the Oxigraph server and Virtuoso."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOCALHOST, 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """True when a new server could listen on 127.0.0.1:PORT now (as a restarted server would, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOCALHOST, port))
            s.listen(1)
        except OSError:
            return False
        return True


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None, accept_status=(200,)) -> None:
    """Poll URL until it answers with an accepted status; raise RuntimeError on timeout or process exit."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status in accept_status:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in accept_status:
                return
            last = exc
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s ({last})")


class ManagedServer:
    """A server subprocess with a log file, used as a context manager; stop() ends it and reports its exit code."""

    name = "server"

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self._log = None
        self.log_path: Path | None = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _open_log(self):
        fd, path = tempfile.mkstemp(prefix=f"lattice-{self.name}-", suffix=".log")
        os.close(fd)
        self.log_path = Path(path)
        self._log = open(path, "wb")  # noqa: SIM115 - closed in stop()
        return self._log

    def log_text(self) -> str:
        """What the server wrote to stderr so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path else ""
        except OSError:
            return ""

    def start(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL if needed; returns the exit code."""
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            code = self.proc.returncode
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()
        if self._log:
            self._log.close()
            self._log = None
        if self.log_path and self.log_path.exists():
            try:
                self.log_path.unlink()
            except OSError:
                pass
        return code


class KgServer(ManagedServer):
    """`kg serve` on 127.0.0.1 with a free port (the server picks it and prints its address)."""

    name = "kg-serve"

    def __init__(
        self, dataset=None, store=None, args=(), env=None, host: str = LOCALHOST, startup_timeout: float = 120.0
    ):
        super().__init__()
        self.dataset = dataset
        self.store = store
        self.args = [str(a) for a in args]
        self.env = env
        self.host = host
        self.startup_timeout = startup_timeout
        self.port = None

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "kg.serve"]  # the `kg serve` command without the other subcommands
        if self.dataset:
            cmd += ["--dataset", str(self.dataset)]
        cmd += ["--host", self.host, "--port", "0"]
        if self.store:
            cmd += ["--store", str(self.store)]
        return cmd + self.args

    def start(self):
        env = dict(os.environ)
        env.update(self.env or {})
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.proc = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=self._open_log(), stdin=subprocess.DEVNULL, env=env
        )
        lines: queue.Queue = queue.Queue()

        def pump():
            for raw in self.proc.stdout:
                lines.put(raw.decode("utf-8", "replace"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"kg serve did not start within {self.startup_timeout:g} s") from None
            if line is None:
                code = self.proc.wait()
                raise RuntimeError(f"kg serve exited with code {code}: {self.log_text()[-2000:]}")
            m = re.search(r"(http://[^\s/]+)/sparql", line)
            if m:
                self.url = m.group(1)
                self.port = int(self.url.rsplit(":", 1)[1])
                return self


def oxigraph_binary() -> str | None:
    """The `oxigraph` server program shipped by the oxigraph wheel, if installed."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


class OxigraphServer(ManagedServer):
    """The Oxigraph server (PyPI `oxigraph`) on 127.0.0.1 with a fresh on-disk store; /query, /update, /store."""

    name = "oxigraph"

    def __init__(self, location=None, union_default_graph: bool = True, timeout_s: int | None = None):
        super().__init__()
        self.location = Path(location) if location else None
        self.union_default_graph = union_default_graph
        self.timeout_s = timeout_s
        self._tmp = None

    @property
    def query_endpoint(self) -> str:
        return self.url + "/query"

    @property
    def update_endpoint(self) -> str:
        return self.url + "/update"

    def start(self):
        binary = oxigraph_binary()
        if binary is None:
            raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
        if self.location is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="lattice-oxigraph-")
            self.location = Path(self._tmp.name)
        last = None
        for _ in range(3):  # the port may be taken between choosing and binding it
            port = free_port()
            cmd = [binary, "serve", "--location", str(self.location), "--bind", f"{LOCALHOST}:{port}"]
            if self.union_default_graph:
                cmd.append("--union-default-graph")
            if self.timeout_s:
                cmd += ["--timeout-s", str(self.timeout_s)]
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=self._open_log(), stdin=subprocess.DEVNULL
            )
            self.url = f"http://{LOCALHOST}:{port}"
            try:
                wait_http(self.query_endpoint + "?query=ASK%7B%7D", timeout=30, proc=self.proc)
                return self
            except RuntimeError as exc:
                last = exc
                self.stop()
        raise RuntimeError(f"the oxigraph server did not start: {last}")

    def stop(self, timeout: float = 15.0):
        code = super().stop(timeout)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
            self.location = None
        return code


def virtuoso_binary() -> str | None:
    """Virtuoso Open Source's server program (Debian virtuoso-opensource-7-bin), if installed."""
    return shutil.which("virtuoso-t")


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 60
DirsAllowed = ., {dir}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 10

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 10
DefaultGraph = urn:lattice:unused
"""


class VirtuosoServer(ManagedServer):
    """Virtuoso Open Source 7 on 127.0.0.1 in a scratch folder; queries at /sparql, uploads with isql."""

    name = "virtuoso"

    def __init__(self):
        super().__init__()
        self._tmp = None
        self.sql_port = None
        self.http_port = None

    @property
    def query_endpoint(self) -> str:
        return self.url + "/sparql"

    def start(self):
        binary = virtuoso_binary()
        if binary is None:
            raise RuntimeError("virtuoso-t is not installed (Debian package virtuoso-opensource-7-bin)")
        self._tmp = tempfile.TemporaryDirectory(prefix="lattice-virtuoso-")
        folder = Path(self._tmp.name)
        self.sql_port, self.http_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=self.sql_port, http_port=self.http_port))
        self.proc = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=self._open_log(),
            stdin=subprocess.DEVNULL,
        )
        self.url = f"http://{LOCALHOST}:{self.http_port}"
        wait_http(self.query_endpoint + "?query=ASK%7B%7D", timeout=90, proc=self.proc)
        return self

    def isql(self, statements: str, timeout: float = 300) -> str:
        """Run SQL statements through isql-vt as dba (the default password of a fresh database)."""
        client = shutil.which("isql-vt") or shutil.which("isql")
        if client is None:
            raise RuntimeError("isql-vt is not installed")
        done = subprocess.run(
            [client, f"{LOCALHOST}:{self.sql_port}", "dba", "dba"],
            input=statements,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return done.stdout

    def stop(self, timeout: float = 30.0):
        code = super().stop(timeout)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        return code
