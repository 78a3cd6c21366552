"""efast_udp.publish.serve: ``efast-udp serve`` serves the site as GitHub Pages would
(headers, CORS, no listings, no links out, loopback only) and stands odd clients (issue 20):
malformed paths get a 400 and no traceback, silent connections are closed, 200 clients at once
are all served."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest

from efast_udp.errors import EfastUdpError
from efast_udp.publish import serve
from efast_udp.publish.serve import BackgroundServer, make_server
from site_support import project, run_site

MALFORMED = [b"/index.html%00.json", b"/index.html\x00.json", b"/%ed%a0%80", b"/%ff.json", b"/a%0d%0aSet-Cookie:x",
             b"/../secret.txt", b"/%2e%2e/secret.txt", b"/0.1.0/%2E%2E/%2e%2e/secret.txt", b"/..%5csecret.txt",
             b"/a\x7fb"]


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "public"
    (site / "0.1.0").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (site / "0.1.0" / "efast.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("not for the web")
    return site


def raw_get(port: int, path: bytes, timeout: float = 10) -> bytes:
    """The status line of a GET sent byte for byte as given (no client library cleans it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(b"GET " + path + b" HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_malformed_paths_get_a_400_and_no_traceback(site):
    """Against the real command in its own process, whose whole output is read afterwards."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    server = subprocess.Popen([sys.executable, "-m", "efast_udp", "serve", "--dir", str(site), "--port", "0"],
                              stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = server.stderr.readline()  # "Serving DIR at http://127.0.0.1:PORT/ (Ctrl-C to stop)"
        port = int(first.split("http://127.0.0.1:")[1].split("/")[0])
        for path in MALFORMED:
            assert raw_get(port, path) == b"HTTP/1.0 400 Bad Request", path
        assert raw_get(port, b"/0.1.0/efast.json") == b"HTTP/1.0 200 OK"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            _, err = server.communicate(timeout=20)
        finally:
            if server.poll() is None:
                server.kill()
    assert "Traceback" not in err and "Exception" not in err, err
    assert err.count('" 400 ') == len(MALFORMED), err


def test_path_problems_name_the_rule():
    assert "not UTF-8" in serve.path_problem("/%ed%a0%80")
    assert "control character" in serve.path_problem("/a%00b")
    assert "'..' segment" in serve.path_problem("/x/%2e%2E/y")
    assert serve.path_problem("/0.1.0/efast.json?x=..#..") is None
    assert serve.path_problem("/a..b/c..") is None


@pytest.mark.parametrize("sent", [b"", b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"])
def test_a_silent_connection_is_closed(site, monkeypatch, sent):
    monkeypatch.setattr(serve.SiteRequestHandler, "timeout", 1)
    with BackgroundServer(site) as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
            conn.sendall(sent)
            assert conn.recv(4096) == b""  # closed by the server long before our own 15 s timeout


def test_a_dripping_client_is_cut_off_at_the_connection_deadline(site, monkeypatch):
    """One header byte every 0.2 s keeps each read within the idle timeout, never the deadline."""
    monkeypatch.setattr(serve.SiteRequestHandler, "deadline", 1)
    with BackgroundServer(site) as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=15) as conn:
            conn.sendall(b"GET /index.html HTTP/1.1\r\n")
            closed = False
            for _ in range(100):  # 20 s at most; the server cuts off after about 1 s
                try:
                    conn.sendall(b"X: y\r\n")
                except OSError:
                    closed = True
                    break
                conn.settimeout(0.2)
                try:
                    if conn.recv(4096) == b"":
                        closed = True
                        break
                except socket.timeout:
                    pass
            assert closed


def test_two_hundred_clients_at_once_are_all_served(site):
    results, start = [], threading.Barrier(200, timeout=60)

    def client():
        try:
            start.wait()
            with urllib.request.urlopen(f"{server.url}/0.1.0/efast.json", timeout=10) as response:
                results.append(response.read())
        except Exception as exc:  # counted below
            results.append(exc)

    with BackgroundServer(site) as server:
        threads = [threading.Thread(target=client, daemon=True) for _ in range(200)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    failures = [r for r in results if r != b"{}"]
    assert len(results) == 200 and not failures, failures[:3]


def test_serve_lists_no_directories_and_follows_no_links_out(tmp_path):
    import urllib.error
    import urllib.request

    from efast_udp.publish.serve import BackgroundServer

    site = tmp_path / "public"
    (site / "0.1.0").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (site / "0.1.0" / "efast.json").write_text("{}")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (site / "leak.txt").symlink_to(secret)
    (site / "outside").symlink_to(tmp_path)
    with BackgroundServer(site) as server:
        for path in ("0.1.0/", "leak.txt", "outside/secret.txt", "../secret.txt", "%2e%2e/secret.txt"):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"{server.url}/{path}", timeout=10)
            assert caught.value.code == (400 if ".." in path or "%2e%2e" in path else 404), path
        with urllib.request.urlopen(f"{server.url}/0.1.0/efast.json", timeout=10) as response:
            assert response.read() == b"{}"


def test_serve_headers(project):
    assert run_site(project) == 0
    with BackgroundServer(project / "public") as server:
        for rel, ctype in [("efast.json", "application/json"), ("0.1.0/processes.json", "application/json"),
                           ("index.html", "text/html"), ("SHA256SUMS", "text/plain")]:
            with urllib.request.urlopen(f"{server.url}/{rel}", timeout=10) as resp:
                assert resp.status == 200
                assert resp.headers["Content-Type"].split(";")[0] == ctype
                assert resp.headers["Access-Control-Allow-Origin"] == "*"
                assert resp.read() == (project / "public" / rel).read_bytes()
        req = urllib.request.Request(f"{server.url}/efast.json", method="OPTIONS",
                                     headers={"Origin": "https://editor.openeo.org", "Access-Control-Request-Method": "GET"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204 and resp.headers["Access-Control-Allow-Origin"] == "*"


def test_serve_refuses_non_loopback_and_missing_site(project, tmp_path):
    assert run_site(project) == 0
    with pytest.raises(EfastUdpError, match="loopback"):
        make_server(project / "public", host="0.0.0.0")
    with pytest.raises(EfastUdpError, match="efast-udp site"):
        make_server(tmp_path / "nothing")
