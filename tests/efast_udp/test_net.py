"""efast_udp.net (issue 20): every HTTP request of efast-udp has a wall-clock deadline over
connect, headers and body, a body cap and safe redirects; each case ends with exit 2 and one
line naming the URL."""

from __future__ import annotations

import http.server
import threading

from cli_support import one_line_error
from efast_udp import net
from efast_udp.cli import main


class _BigBody(http.server.BaseHTTPRequestHandler):
    """Answers every GET with an endless body and no Content-Length."""

    sent = 0

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        chunk = b" " * 65536
        try:
            while _BigBody.sent < 64 * 2**20:  # bounded for the test's sake: 64 MiB at most
                self.wfile.write(chunk)
                _BigBody.sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_oversized_url_body_is_cut_off(capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BigBody)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert main(["validate", f"http://127.0.0.1:{server.server_port}/efast.json"]) == 2
        assert "larger than 10 MiB" in one_line_error(capsys, "validate")
    finally:
        server.shutdown()
        server.server_close()
    assert _BigBody.sent < 20 * 2**20  # the reader stopped soon after the limit


def test_a_url_that_never_answers_times_out_with_one_line(capsys, monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    monkeypatch.setattr(net, "TIMEOUT_S", 1)
    try:
        assert main(["validate", f"http://127.0.0.1:{listener.getsockname()[1]}/efast.json"]) == 2
    finally:
        listener.close()
    assert "cannot fetch" in one_line_error(capsys, "validate")


class _Drip(http.server.BaseHTTPRequestHandler):
    """Sends a promised body one byte at a time, each just before the socket timeout."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b" ")
                self.wfile.flush()
                import time
                time.sleep(0.3)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_a_slow_body_stops_at_the_deadline(capsys, monkeypatch):
    import time

    monkeypatch.setattr(net, "DEADLINE_S", 2)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        start = time.monotonic()
        assert main(["validate", f"http://127.0.0.1:{server.server_port}/efast.json"]) == 2
        assert time.monotonic() - start < 10
    finally:
        server.shutdown()
        server.server_close()
    assert "no complete answer within 2 s" in one_line_error(capsys, "validate")
