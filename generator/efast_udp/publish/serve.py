"""Serving the static site on the loopback interface, as GitHub Pages would (``efast-udp serve``).

JSON is sent as ``application/json`` and every response carries ``Access-Control-Allow-Origin: *``
so that the openEO Web Editor (which fetches the UDP from the browser) can load it. As on GitHub
Pages, a folder without ``index.html`` is "404 Not Found", never a listing, and nothing outside
the site's folder is served, also not through a symbolic link.

Like a static host it holds up against odd clients: a malformed path (a NUL byte raw or as
``%00``, another control character, a percent escape that is not UTF-8 such as ``%ed%a0%80``, a
``..`` segment) gets "400 Bad Request"; a connection that sends nothing for ``IDLE_TIMEOUT_S``
seconds, or lasts longer than ``CONNECTION_DEADLINE_S`` in all, is closed; ``LISTEN_BACKLOG`` connections may wait to be accepted; a failure inside a
request is one log line, never a traceback.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import sys
import threading
import urllib.parse
from pathlib import Path

from efast_udp.errors import UsageError

LOOPBACK = ("127.0.0.1", "localhost")
#: Seconds a connection may stay silent (before or within a request) before it is closed.
IDLE_TIMEOUT_S = 20
#: Seconds one connection may last in all: a client that sends a byte now and then (each within
#: ``IDLE_TIMEOUT_S``) is cut off here. The site's largest file takes milliseconds on loopback.
CONNECTION_DEADLINE_S = 120
#: Connections the kernel queues before they are accepted (Python's default is 5).
LISTEN_BACKLOG = 1024


def path_problem(path: str) -> str | None:
    """Why a request path is malformed (None when it is fine)."""
    local = path.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = urllib.parse.unquote(local, errors="strict")
    except UnicodeDecodeError:
        return "the path escapes bytes that are not UTF-8 text"
    if any(ord(c) < 32 or ord(c) == 127 for c in decoded + path):
        return "the path holds a control character (a NUL byte, a line break, ...)"
    if ".." in decoded.replace("\\", "/").split("/"):
        return "the path has a '..' segment"
    return None


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the headers back-ends and the Web Editor rely on."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".json": "application/json",
        ".html": "text/html; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
        "": "application/octet-stream",
    }
    quiet = False
    timeout = IDLE_TIMEOUT_S  # socket timeout of each connection: a silent client is dropped
    deadline = CONNECTION_DEADLINE_S

    def setup(self):
        super().setup()
        self._deadline = threading.Timer(self.deadline, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()

    def _cut_off(self):
        """The connection outlived its deadline: shut it, which ends any read or write on it."""
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def finish(self):
        self._deadline.cancel()
        super().finish()

    def send_head(self):
        problem = path_problem(self.path)
        if problem:
            self.send_error(400, "Bad Request", problem)
            return None
        return super().send_head()

    def translate_path(self, path):
        """The file for a URL path; a path that resolves (symbolic links included) outside the
        site's folder maps to a name that does not exist, so it is answered 404."""
        local = super().translate_path(path)
        root = os.path.realpath(self.directory)
        real = os.path.realpath(local)
        if real != root and not real.startswith(root + os.sep):
            return os.path.join(root, ".outside-the-site")
        return local

    def list_directory(self, path):
        """No listings: a folder without index.html is not found, as on GitHub Pages."""
        self.send_error(404, "Not Found")
        return None

    def guess_type(self, path):
        if Path(str(path)).name == "SHA256SUMS":
            return "text/plain; charset=utf-8"
        return super().guess_type(path)

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_OPTIONS(self):  # CORS preflight
        self.send_response(204)
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request, client_address):
        """One line for a request that failed (the client went away, ...), never a traceback."""
        exc = sys.exc_info()[1]
        print(f"efast-udp serve: request from {client_address[0]} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> SiteServer:
    """A server for ``directory`` bound to ``host:port`` (port 0 picks a free one); not started yet."""
    if host not in LOOPBACK:
        raise UsageError(f"refusing to serve on {host!r}: only the loopback interface (127.0.0.1) is allowed")
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise UsageError(f"{directory} has no index.html; render the site first (efast-udp site / make site)")
    handler_class = _QuietHandler if quiet else SiteRequestHandler
    handler = functools.partial(handler_class, directory=str(directory.resolve()))
    try:
        return SiteServer((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


class _QuietHandler(SiteRequestHandler):
    quiet = True


class BackgroundServer:
    """Context manager running a :class:`SiteServer` in a thread (used by the tests)."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(directory, host, port, quiet=True)
        self.url = self.server.url
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)
