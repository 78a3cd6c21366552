"""The suite's own rules: what counts as CI is decided in one place, under CI nothing may be
skipped (a skipped browser or back-end test would be a check that silently did not run), and no
test reaches beyond loopback (``conftest.pytest_configure``)."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import textwrap
import threading
import urllib.request
from pathlib import Path

import pytest

from ci import in_ci
from conftest import is_loopback

TESTS = Path(__file__).parent


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("YES", True), ("", False), ("false", False),
                                             ("0", False)])
def test_what_counts_as_ci(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert in_ci() is expected


@pytest.mark.parametrize("ci, outcome", [("true", "1 failed"), ("", "1 skipped")])
def test_a_skip_fails_under_ci(tmp_path, ci, outcome):
    (tmp_path / "conftest.py").write_text((TESTS / "conftest.py").read_text())
    (tmp_path / "ci.py").write_text((TESTS / "ci.py").read_text())
    (tmp_path / "test_skipping.py").write_text(textwrap.dedent('''
        import pytest

        def test_needs_a_browser():
            pytest.skip("chromium is not installed")
    '''))
    env = {"PATH": "/usr/bin:/bin", "CI": ci}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert outcome in result.stdout, result.stdout
    if ci:
        assert "skipped under CI, which must run every test: Skipped: chromium is not installed" in result.stdout


@pytest.mark.parametrize("host, loopback", [("localhost", True), ("127.0.0.1", True), ("127.8.9.1", True),
                                            ("::1", True), ("[::1]", True), ("example.org", False),
                                            ("10.0.0.1", False), ("127.0.0.1.example.org", False), ("", False),
                                            (None, False)])
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("address", [("93.184.215.14", 443), ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", 443)])
def test_a_connection_beyond_loopback_fails_at_once(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(OSError, match="the tests use loopback only"):
            sock.connect(address)
        assert sock.connect_ex(address) != 0


def test_a_name_beyond_loopback_is_not_looked_up_but_loopback_servers_work():
    with pytest.raises(socket.gaierror, match="loopback only, not 'openeo.example.org'"):
        socket.getaddrinfo("openeo.example.org", 443)
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://localhost:{server.server_port}/", timeout=10) as answer:
            assert answer.status == 200
    finally:
        thread.join(10)
        server.server_close()
