"""Headless Firefox driven over WebDriver BiDi (the W3C protocol Firefox serves itself; no geckodriver needed)."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

KEYS = {
    "Tab": "\ue004",
    "Enter": "\ue007",
    "Escape": "\ue00c",
    "ArrowUp": "\ue013",
    "ArrowDown": "\ue015",
    "ArrowLeft": "\ue012",
    "ArrowRight": "\ue014",
}  # WebDriver's code points for named keys


def firefox_binary() -> str | None:
    return shutil.which("firefox-esr") or shutil.which("firefox")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BidiError(RuntimeError):
    pass


class Firefox:
    """One headless Firefox with its own profile, one BiDi session, one tab; every wait is bounded."""

    def __init__(self, binary: str, timeout: float = 30.0):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="lattice-firefox-")
        self.port = _free_port()
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-remote",
                "--profile",
                self.profile,
                f"--remote-debugging-port={self.port}",
                "--width=1400",
                "--height=1000",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.events: list[dict] = []
        self._next = 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.close()
                    raise BidiError("Firefox did not open its remote port") from None
                time.sleep(0.2)
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/session", timeout=timeout, suppress_origin=True
        )
        self.command("session.new", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": False}}})
        self.command("session.subscribe", {"events": ["log.entryAdded"]})
        self.context = self.command("browsingContext.getTree", {})["contexts"][0]["context"]

    def command(self, method: str, params: dict) -> dict:
        self._next += 1
        ident = self._next
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if message.get("type") == "error":
                    raise BidiError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message["result"]
            if message.get("type") == "event":
                self.events.append(message)
        raise BidiError(f"{method}: no answer in {self.timeout} s")

    # ------------------------------------------------------------------------------------- page

    def get(self, url: str) -> None:
        self.command("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"})

    def run(self, expression: str, await_promise: bool = True):
        """Evaluate EXPRESSION in the page; its value as JSON-like Python (objects by JSON.stringify)."""
        wrapped = f"(async () => JSON.stringify(await (async () => ({expression}))()))()"
        result = self.command(
            "script.evaluate",
            {"expression": wrapped, "target": {"context": self.context}, "awaitPromise": await_promise},
        )
        if result.get("type") == "exception":
            raise BidiError(result["exceptionDetails"].get("text", "script error"))
        value = result["result"]
        return json.loads(value["value"]) if value.get("type") == "string" else None

    def call(self, source: str) -> None:
        """Run a script (statements) in the page, e.g. a library's source."""
        result = self.command(
            "script.evaluate",
            {"expression": source, "target": {"context": self.context}, "awaitPromise": False},
        )
        if result.get("type") == "exception":
            raise BidiError(result["exceptionDetails"].get("text", "script error"))

    def wait(self, expression: str, timeout: float | None = None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                value = self.run(expression)
            except BidiError:
                value = None  # the page was between two documents
            if value:
                return value
            if time.monotonic() > deadline:
                raise BidiError(f"timed out waiting for: {expression}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        """Type KEYS (text, or names from KEYS) into whatever has the focus."""
        actions = []
        for k in keys:
            for ch in [KEYS[k]] if k in KEYS else list(k):
                actions += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
        self.command(
            "input.performActions",
            {"context": self.context, "actions": [{"type": "key", "id": "keyboard", "actions": actions}]},
        )

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element SELECTOR finds (scrolled into view)."""
        box = self.run(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
            " const r = e.getBoundingClientRect(); return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)]; })()"
        )
        pointer = [
            {"type": "pointerMove", "x": box[0], "y": box[1]},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
        ]
        self.command(
            "input.performActions",
            {"context": self.context, "actions": [{"type": "pointer", "id": "mouse", "actions": pointer}]},
        )

    def screenshot(self, path: Path) -> None:
        data = self.command("browsingContext.captureScreenshot", {"context": self.context})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def console_errors(self) -> list[dict]:
        """The errors the page logged (console and script errors) since the last call."""
        try:
            self.command("browsingContext.getTree", {"maxDepth": 0})  # drain the events sent so far
        except BidiError:
            pass
        found = [
            e["params"]
            for e in self.events
            if e.get("method") == "log.entryAdded" and e.get("params", {}).get("level") == "error"
        ]
        self.events.clear()
        return found

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                try:
                    self.command("session.end", {})
                except Exception:  # the browser may be gone already
                    pass
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
