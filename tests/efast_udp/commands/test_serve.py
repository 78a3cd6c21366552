"""``efast-udp serve`` (``efast_udp.commands.serve``): its options, the refusals before a socket is
opened, and a real run on 127.0.0.1 that serves the site until it is stopped."""

from __future__ import annotations

import threading
import urllib.request
from types import SimpleNamespace

import pytest

from efast_udp.cli import main
from efast_udp.project import PUBLIC_DIR
from efast_udp.publish import serve


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "public"
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>t</title>")
    (folder / "efast.json").write_text('{"id": "efast"}')
    return folder


def test_defaults(parsed):
    args = parsed("serve")
    assert (args.dir, args.host, args.port) == (PUBLIC_DIR, "127.0.0.1", 8000)


@pytest.mark.parametrize("port", ["65536", "-1", "100000"])
def test_a_port_out_of_range_is_refused(efast, monkeypatch, not_called, site, port):
    monkeypatch.setattr(serve, "make_server", not_called)
    outcome = efast("serve", "--dir", site, "--port", port)
    assert outcome.code == 2
    assert outcome.error("serve") == f"--port {port}: expected a port number from 1 to 65535 (or 0 for any free port)"


def test_only_loopback_and_only_a_rendered_site(efast, site, tmp_path):
    outcome = efast("serve", "--dir", site, "--host", "0.0.0.0", "--port", "0")
    assert outcome.code == 2 and outcome.error("serve").startswith("refusing to serve on '0.0.0.0'")
    outcome = efast("serve", "--dir", tmp_path / "empty", "--port", "0")
    assert outcome.code == 2 and outcome.error("serve") == (
        f"{tmp_path / 'empty'} has no index.html; render the site first (efast-udp site / make site)")


def test_ctrl_c_ends_the_server_with_exit_0(efast, monkeypatch):
    closed = []

    def interrupted():
        raise KeyboardInterrupt

    fake = SimpleNamespace(url="http://127.0.0.1:1234", serve_forever=interrupted,
                           server_close=lambda: closed.append(True))
    monkeypatch.setattr(serve, "make_server", lambda directory, host, port: fake)
    outcome = efast("serve", "--dir", "somewhere", "--port", "1234")
    assert (outcome.code, outcome.out) == (0, "")
    assert outcome.err == "Serving somewhere at http://127.0.0.1:1234/ (Ctrl-C to stop)\n" and closed == [True]


def test_the_site_is_served_on_loopback_until_stopped(site, monkeypatch, capsys):
    started, codes = [], []
    real = serve.make_server

    def keep(directory, host, port):
        server = real(directory, host, port, quiet=True)
        started.append(server)
        return server

    monkeypatch.setattr(serve, "make_server", keep)
    thread = threading.Thread(target=lambda: codes.append(main(["serve", "--dir", str(site), "--port", "0"])),
                              daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if started:
                break
            thread.join(0.05)
        (server,) = started
        with urllib.request.urlopen(f"{server.url}/efast.json", timeout=10) as response:
            assert response.status == 200 and response.read() == b'{"id": "efast"}'
            assert response.headers["Content-Type"] == "application/json"
            assert response.headers["Access-Control-Allow-Origin"] == "*"
    finally:
        if started:
            started[0].shutdown()
        thread.join(10)
    assert codes == [0] and not thread.is_alive()
    assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith(":0")
    assert capsys.readouterr().err == f"Serving {site} at {server.url}/ (Ctrl-C to stop)\n"
