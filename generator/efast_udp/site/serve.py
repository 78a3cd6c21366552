"""``efast-udp serve``: serve the static site on the loopback interface, as GitHub Pages would.

JSON is sent as ``application/json`` and every response carries ``Access-Control-Allow-Origin: *``
so that the openEO Web Editor (which fetches the UDP from the browser) can load it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

from efast_udp.errors import EfastUdpError

HELP = "Serve public/ on 127.0.0.1 (JSON as application/json, CORS allowed) until interrupted"

LOOPBACK = ("127.0.0.1", "localhost", "::1")


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

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def make_server(directory: Path, host: str = "127.0.0.1", port: int = 0, quiet: bool = False) -> SiteServer:
    """A server for ``directory`` bound to ``host:port`` (port 0 picks a free one); not started yet."""
    if host not in LOOPBACK:
        raise EfastUdpError(f"refusing to serve on {host!r}: only the loopback interface (127.0.0.1) is allowed")
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise EfastUdpError(f"{directory} has no index.html; render the site first (efast-udp site / make site)")
    handler_class = _QuietHandler if quiet else SiteRequestHandler
    handler = functools.partial(handler_class, directory=str(directory.resolve()))
    try:
        return SiteServer((host, port), handler)
    except OSError as exc:
        raise EfastUdpError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=Path("public"), help="site directory (default: public)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")


def run(args: argparse.Namespace) -> int:
    server = make_server(args.dir, args.host, args.port)
    print(f"Serving {args.dir} at {server.url}/ (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
