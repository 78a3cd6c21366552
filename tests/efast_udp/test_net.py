"""efast_udp.net (issue 20): every HTTP request of efast-udp has a wall-clock deadline over
connect, headers and body, a body cap and safe redirects; each case ends with exit 2 and one
line naming the URL."""

from __future__ import annotations

import http.server
import threading

import pytest

from cli_support import UDP, one_line_error
from efast_udp import net
from efast_udp.cli import main
from efast_udp.errors import UnreadableInput
from hostile_servers import Quiet, serving


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


UDP_BYTES = UDP.read_bytes()


class SlowHeaders(Quiet):
    def do_GET(self):
        self.drip(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: x\r\n" * 200)


class Redirect(Quiet):
    """/to?URL redirects there; /udp answers the UDP."""

    def do_GET(self):
        if self.path.startswith("/to?"):
            return self.answer(302, headers={"Location": self.path[4:]})
        self.answer(200, UDP_BYTES, {"Content-Type": "application/json"})


class Endless(Quiet):
    def do_GET(self):
        self.endless()


class Announces(Quiet):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(50 * 2**20))
        self.end_headers()


@pytest.mark.parametrize("command", ["validate", "diff"])
def test_slow_headers_stop_at_the_deadline(command, capsys, monkeypatch):
    monkeypatch.setattr(net, "DEADLINE_S", 2)
    monkeypatch.setattr(net, "TIMEOUT_S", 1)  # each header byte comes well within it
    with serving(SlowHeaders) as base:
        argv = [command, f"{base}/efast.json"] + ([str(UDP)] if command == "diff" else [])
        assert main(argv) == 2
    assert f"cannot fetch {base}/efast.json: no complete answer within 2 s" in one_line_error(capsys, command)


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/efast.json", "file:///etc/passwd", "data:,{}",
                                    "http://192.0.2.1/efast.json", "gopher://127.0.0.1:70/"])
def test_redirects_go_only_to_https_or_loopback_http(target, capsys):
    with serving(Redirect) as base:
        assert main(["validate", f"{base}/to?{target}"]) == 2
    err = one_line_error(capsys, "validate")
    assert f"it redirects to {target!r}; only https (or http on 127.0.0.1) is followed" in err


def test_a_redirect_to_loopback_http_is_followed(capsys):
    with serving(Redirect) as base:
        assert main(["validate", f"{base}/to?{base}/udp"]) == 0
    assert ": valid" in capsys.readouterr().err


def test_a_redirect_loop_ends(capsys):
    class Loop(Quiet):
        def do_GET(self):
            self.answer(302, headers={"Location": self.path})

    with serving(Loop) as base:
        assert main(["validate", f"{base}/again"]) == 2
    assert "cannot fetch" in one_line_error(capsys, "validate")


def test_an_announced_oversized_body_is_refused_before_reading(capsys):
    with serving(Announces) as base:
        assert main(["diff", f"{base}/efast.json", str(UDP)]) == 2
    assert "the response is larger than 10 MiB" in one_line_error(capsys, "diff")


def test_net_fetch_caps_an_endless_body():
    handler = type("E", (Endless,), {"sent": 0})
    with serving(handler) as base:
        with pytest.raises(UnreadableInput, match="larger than 1 MiB"):
            net.fetch(f"{base}/x", 2**20, deadline_s=30)
    assert handler.sent < 20 * 2**20  # the reader stopped soon after the cap


def test_net_refuses_other_schemes_up_front():
    for url in ("ftp://127.0.0.1/x", "file:///etc/passwd"):
        with pytest.raises(UnreadableInput, match="expected an http"):
            net.fetch(url, 100)


def test_loopback_addresses():
    assert net.is_loopback("127.0.0.1") and net.is_loopback("127.1.2.3") and net.is_loopback("[::1]")
    assert not net.is_loopback("localhost") and not net.is_loopback("::2") and not net.is_loopback("10.0.0.1")
    assert net.safe_target("https://example.org/x") and net.safe_target("http://[::1]:9/x")
    assert not net.safe_target("http://example.org/x") and not net.safe_target("https:///x")
