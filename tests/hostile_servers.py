"""Small hostile HTTP servers on 127.0.0.1 for the network tests: each runs in a thread for the
length of a ``with`` block and stops (bounded) at its end."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import threading
import time


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drip(self, data: bytes, pause_s: float = 0.3) -> None:
        """Sends ``data`` one byte at a time (each well within any socket timeout), stopping when
        the client goes away."""
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(pause_s)
        except OSError:
            pass

    def endless(self, limit: int = 64 * 2**20) -> None:
        """A 200 with no length and a body that goes on (bounded for the test's sake)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        try:
            while sent < limit:
                self.wfile.write(b" " * 65536)
                sent += 65536
        except OSError:
            pass
        type(self).sent = sent


@contextlib.contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]):
    """The base URL (http://127.0.0.1:PORT) of ``handler`` served in a thread."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


CAPABILITIES = {
    "api_version": "1.2.0", "backend_version": "0", "stac_version": "1.0.0", "id": "fake", "title": "fake",
    "description": "a fake openEO back-end for the tests", "links": [],
    "endpoints": [{"path": "/credentials/basic", "methods": ["GET"]},
                  {"path": "/process_graphs", "methods": ["GET"]},
                  {"path": "/process_graphs/{process_graph_id}", "methods": ["GET", "PUT"]}],
}


class FakeBackend(Quiet):
    """A minimal openEO back-end at /openeo/1.2 with basic auth (alice/alice123). ``well_known``
    replaces the version URL its /.well-known/openeo names; ``mode`` makes it hostile:
    "redirect" (every GET under /openeo redirects to ``elsewhere``), "slow-headers", "slow-body", "endless"."""

    well_known: str | None = None
    elsewhere: str = ""
    mode = "ok"
    requests: list = []
    stored: dict = {}

    def do_GET(self):
        type(self).requests.append(("GET", self.path, self.headers.get("Authorization")))
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/.well-known/openeo":
            url = self.well_known or f"{base}/openeo/1.2/"
            return self.json({"versions": [{"api_version": "1.2.0", "url": url}]})
        if self.mode == "redirect":
            return self.answer(307, headers={"Location": self.elsewhere + self.path})
        if self.mode == "slow-headers":
            return self.drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: x\r\n" * 100)
        if self.mode == "endless":
            return self.endless()
        if self.mode == "slow-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            return self.drip(b" " * 1000)
        if self.path.rstrip("/") == "/openeo/1.2":
            return self.json(CAPABILITIES)
        if self.path == "/openeo/1.2/credentials/basic":
            expected = "Basic " + base64.b64encode(b"alice:alice123").decode()
            if self.headers.get("Authorization") != expected:
                return self.json({"code": "AuthenticationRequired", "message": "no"}, 401)
            return self.json({"access_token": "t0ken"})
        if self.path.startswith("/openeo/1.2/process_graphs/") and self.stored:
            return self.json(self.stored)
        return self.json({"code": "NotFound", "message": self.path}, 404)

    def do_PUT(self):
        type(self).requests.append(("PUT", self.path, self.headers.get("Authorization")))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).stored = dict(body, id=self.path.rsplit("/", 1)[-1])
        self.answer(200)

    def json(self, value, status: int = 200):
        self.answer(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


def backend(**knobs) -> type[FakeBackend]:
    """A fresh FakeBackend class (its own request log) with ``knobs`` set."""
    return type("Backend", (FakeBackend,), {"requests": [], "stored": {}, **knobs})


class Recorder(Quiet):
    """Answers 200 {} to anything and records every request (the "other" server, which must
    never be contacted)."""

    requests: list = []

    def do_GET(self):
        type(self).requests.append(("GET", self.path, self.headers.get("Authorization")))
        self.answer(200, b"{}")

    do_PUT = do_POST = do_GET


def recorder() -> type[Recorder]:
    return type("Other", (Recorder,), {"requests": []})
