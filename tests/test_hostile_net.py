"""Hostile servers (issue 20): every HTTP request of efast-udp has a wall-clock deadline over
connect, headers and body, a body cap and safe redirects; publish-backend talks only to the
origin the user named. Each case: exit 2, one line naming the URL, nothing sent elsewhere."""

from __future__ import annotations

import pytest
from hostile_servers import Quiet, backend, recorder, serving
from cli_support import UDP, one_line_error

from efast_udp import net
from efast_udp.cli import main
from efast_udp.errors import UnreadableInput

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


# --- publish-backend -----------------------------------------------------------------------

@pytest.fixture
def basic_auth(tmp_path, monkeypatch):
    """The openeo client's auth config with alice's password for any back-end asked about."""
    from openeo.rest.auth.config import AuthConfig

    monkeypatch.setenv("OPENEO_CONFIG_HOME", str(tmp_path / "openeo-config"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    (tmp_path / "openeo-config").mkdir()

    def add(url):
        AuthConfig().set_basic_auth(backend=url, username="alice", password="alice123")
    return add


def publish(url, *extra):
    return main(["publish-backend", "--url", url, "--udp", str(UDP), "--auth", "basic", *extra])


def test_publish_backend_saves_on_the_named_origin(basic_auth, capsys):
    named = backend()
    with serving(named) as base:
        basic_auth(base)
        assert publish(base, "--retries", "0", "--timeout", "10") == 0
    assert "saved 'efast'" in capsys.readouterr().err
    assert ("PUT", "/openeo/1.2/process_graphs/efast", "Bearer basic//t0ken") in named.requests


@pytest.mark.parametrize("how", ["well-known", "redirect"])
def test_publish_backend_sends_nothing_to_another_origin(how, basic_auth, capsys):
    other = recorder()
    with serving(other) as elsewhere:
        knobs = {"well_known": f"{elsewhere}/openeo/1.2/"} if how == "well-known" else \
            {"mode": "redirect", "elsewhere": elsewhere}
        named = backend(**knobs)
        with serving(named) as base:
            basic_auth(base)
            basic_auth(elsewhere)
            assert publish(base, "--retries", "0", "--timeout", "10") == 2
    err = one_line_error(capsys, "publish-backend")
    assert ("refusing to send a request to" if how == "well-known" else "refusing to follow it to another origin") in err
    assert other.requests == []
    assert all(method == "GET" and auth is None for method, _, auth in named.requests)  # no credentials, no UDP


def test_publish_backend_refuses_a_redirect_to_https_elsewhere(basic_auth, capsys):
    named = backend(mode="redirect", elsewhere="https://192.0.2.1:8443")
    with serving(named) as base:
        basic_auth(base)
        assert publish(base, "--retries", "0", "--timeout", "10") == 2
    assert "redirects to 'https://192.0.2.1:8443/openeo/1.2/'" in one_line_error(capsys, "publish-backend")


@pytest.mark.parametrize("mode, message", [("slow-headers", "no complete answer within 2 s"),
                                           ("slow-body", "no complete answer within 2 s"),
                                           ("endless", "the response is larger than 10 MiB")])
def test_publish_backend_is_bounded(mode, message, basic_auth, capsys):
    named = backend(mode=mode)
    with serving(named) as base:
        basic_auth(base)
        assert publish(base, "--retries", "1", "--timeout", "2") == 2
    assert message in one_line_error(capsys, "publish-backend")
    if mode == "slow-headers":  # the retry is honoured: two attempts at the capabilities, no more
        assert [p for _, p, _ in named.requests].count("/openeo/1.2/") == 2


def test_publish_backend_retries_are_honoured_on_a_closed_port(capsys):
    from e2e.servers import free_port

    url = f"http://127.0.0.1:{free_port()}"
    assert publish(url, "--retries", "0", "--timeout", "2") == 2
    assert url in one_line_error(capsys, "publish-backend")


@pytest.mark.parametrize("option, value, message", [
    ("--timeout", "0", "expected seconds from 1 to 600"), ("--timeout", "nan", "expected seconds from 1 to 600"),
    ("--timeout", "1e9", "expected seconds from 1 to 600"), ("--retries", "-1", "from 0 to 10"),
    ("--retries", "1000", "from 0 to 10"),
])
def test_publish_backend_bounds_its_options(option, value, message, capsys):
    assert publish("http://127.0.0.1:9", option, value) == 2
    assert message in one_line_error(capsys, "publish-backend")


def test_publish_backend_refuses_http_oidc_issuers(capsys):
    class Oidc(backend()):
        def do_GET(self):
            if self.path == "/openeo/1.2/credentials/oidc":
                return self.json({"providers": [{"id": "evil", "issuer": "http://192.0.2.1/", "title": "x"}]})
            super().do_GET()

    with serving(Oidc) as base:
        assert main(["publish-backend", "--url", base, "--udp", str(UDP), "--retries", "0", "--timeout", "5"]) == 2
    assert "OIDC provider 'evil' has issuer 'http://192.0.2.1/'" in one_line_error(capsys, "publish-backend")


@pytest.mark.parametrize("url", ["http://localhost:8080", "http://10.0.0.1", "http://127.0.0.1.example.org",
                                 "ftp://127.0.0.1", "http://[::2]:80"])
def test_publish_backend_needs_https_or_a_loopback_address(url, capsys):
    assert publish(url) == 2
    assert "expected an https:// URL (http:// only for a back-end on this machine" in \
        one_line_error(capsys, "publish-backend")


def test_loopback_addresses():
    assert net.is_loopback("127.0.0.1") and net.is_loopback("127.1.2.3") and net.is_loopback("[::1]")
    assert not net.is_loopback("localhost") and not net.is_loopback("::2") and not net.is_loopback("10.0.0.1")
    assert net.safe_target("https://example.org/x") and net.safe_target("http://[::1]:9/x")
    assert not net.safe_target("http://example.org/x") and not net.safe_target("https:///x")


def test_publish_backend_retries_a_busy_back_end_as_often_as_asked(basic_auth, capsys):
    class Busy(backend()):
        busy = 2  # the capabilities answer 503 twice, then as usual

        def do_GET(self):
            if self.path == "/openeo/1.2/" and type(self).busy > 0:
                type(self).busy -= 1
                type(self).requests.append(("GET", self.path, None))
                return self.json({"code": "ServiceUnavailable", "message": "busy"}, 503)
            super().do_GET()

    with serving(Busy) as base:
        basic_auth(base)
        assert publish(base, "--retries", "1", "--timeout", "5") == 2  # one retry is not enough
        assert "ServiceUnavailable: busy" in one_line_error(capsys, "publish-backend")
        Busy.busy, Busy.requests = 2, []
        assert publish(base, "--retries", "2", "--timeout", "5") == 0  # two are
    assert [p for _, p, _ in Busy.requests].count("/openeo/1.2/") >= 3


@pytest.mark.parametrize("link", ["http://127.0.0.1:99999/openeo/1.2/", "https://[::1/openeo", "ftp://127.0.0.1/x"])
def test_publish_backend_refuses_a_malformed_or_foreign_well_known_link(link, basic_auth, capsys):
    named = backend(well_known=link)
    with serving(named) as base:
        basic_auth(base)
        assert publish(base, "--retries", "0", "--timeout", "5") == 2
    assert "refusing to send a request to" in one_line_error(capsys, "publish-backend")
