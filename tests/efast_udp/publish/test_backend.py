"""efast_udp.publish.backend: ``efast-udp publish-backend`` talks only to the origin the user
named (https, or http on 127.0.0.1), bounded in time and size, with the retries asked for, and
checks what the back-end stored."""

from __future__ import annotations

import pytest

from cli_support import UDP, one_line_error, publish
from efast_udp.cli import main
from efast_udp.project import ROOT
from efast_udp.publish import backend as publish_backend
from hostile_servers import backend, recorder, serving
from site_support import project


@pytest.mark.parametrize("argv, message", [
    (["publish-backend", "--url", "https://[::1", "--udp", str(UDP)], "not a URL"),
    (["serve", "--host", "::1", "--dir", str(ROOT)], "only the loopback interface"),
])
def test_malformed_addresses_are_one_line(capsys, argv, message):
    assert main(argv) == 2
    assert message in one_line_error(capsys, argv[0])


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


def test_publish_backend_compare():
    sent = {"id": "efast", "process_graph": {"a": 1}, "links": [{"rel": "about", "href": "https://x"}], "examples": []}
    stored = {"id": "efast", "process_graph": {"a": 1},
              "links": [{"rel": "about", "href": "https://x"}, {"rel": "canonical", "href": "https://y"}]}
    assert publish_backend.compare(sent, stored) == ([], ["examples"])
    assert publish_backend.compare(sent, dict(stored, process_graph={}))[0] == ["process_graph"]


def test_publish_backend_unreachable_is_one_line(project, capsys):
    from e2e.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/openeo/1.2"
    assert main(["publish-backend", "--url", url, "--udp", str(project / "udp/efast.json"), "--auth", "basic",
                 "--retries", "0", "--timeout", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("efast-udp publish-backend: error:") and len(err.splitlines()) == 1
