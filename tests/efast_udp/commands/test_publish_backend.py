"""``efast-udp publish-backend`` (``efast_udp.commands.publish_backend``): its options and their
bounds, checked before anything is sent, and how it judges what the back-end stored (the saving
itself is replaced here; it runs against local back-ends in the site and network tests).

``efast-udp publish-backend``'s options: ``--timeout`` and ``--retries`` are bounded."""

from __future__ import annotations

import pytest

from efast_udp.commands import publish_backend
from efast_udp.project import LATEST_UDP
from efast_udp.publish import backend

from cli_support import one_line_error, publish


URL = "https://openeo.example.org/openeo/1.2"
SENT = {"id": "efast", "summary": "s", "process_graph": {"n": {}}, "links": [{"rel": "about", "href": "https://a"}]}


@pytest.fixture
def saved(monkeypatch, recorder):
    """``saved(stored)``: the back-end replaced; it stores ``stored`` for SENT."""
    def stand_in(stored):
        publish = recorder((dict(SENT), stored))
        monkeypatch.setattr(backend, "publish", publish)
        return publish
    return stand_in


def test_defaults(parsed):
    args = parsed("publish-backend", "--url", URL)
    assert (args.udp, args.process_id, args.auth, args.provider_id, args.username, args.public) == (
        LATEST_UDP, None, "oidc", None, None, False)
    assert (args.retries, args.timeout) == (2, 120)
    assert (publish_backend.MAX_RETRIES, publish_backend.MAX_TIMEOUT_S) == (10, 600)


def test_url_is_required_and_auth_is_oidc_or_basic(efast):
    assert "the following arguments are required: --url" in efast("publish-backend").err
    outcome = efast("publish-backend", "--url", URL, "--auth", "token")
    assert outcome.code == 2 and "argument --auth: invalid choice: 'token'" in outcome.err


@pytest.mark.parametrize("option, value, message", [
    ("--retries", "11", "--retries 11: expected a number of retries from 0 to 10"),
    ("--retries", "-1", "--retries -1: expected a number of retries from 0 to 10"),
    ("--timeout", "0.5", "--timeout 0.5: expected seconds from 1 to 600"),
    ("--timeout", "600.5", "--timeout 600.5: expected seconds from 1 to 600"),
    ("--timeout", "inf", "--timeout inf: expected seconds from 1 to 600"),
])
def test_out_of_bounds_options_are_refused_before_anything_is_sent(efast, monkeypatch, not_called, option, value,
                                                                   message):
    monkeypatch.setattr(backend, "publish", not_called)
    outcome = efast("publish-backend", "--url", URL, option, value)
    assert outcome.code == 2 and outcome.error("publish-backend") == message


@pytest.mark.parametrize("extra", [["--retries", "0", "--timeout", "1"], ["--retries", "10", "--timeout", "600"]])
def test_the_bounds_themselves_are_accepted(efast, saved, extra):
    publish = saved(dict(SENT))
    assert efast("publish-backend", "--url", URL, *extra).code == 0
    (args,), _ = publish.calls[0]
    assert (args.retries, args.timeout) == (int(extra[1]), float(extra[3]))


def test_a_stored_copy_as_sent_is_saved(efast, saved):
    publish = saved(dict(SENT, links=SENT["links"] + [{"rel": "canonical", "href": "https://b"}]))
    outcome = efast("publish-backend", "--url", URL, "--udp", "u.json", "--process-id", "mine", "--public",
                    "--auth", "basic", "--username", "me")
    assert (outcome.code, outcome.out) == (0, "")
    assert outcome.err == f"saved 'efast' on {URL}\n"  # links the back-end adds are allowed
    (args,), _ = publish.calls[0]
    assert (str(args.udp), args.process_id, args.public, args.auth, args.username) == ("u.json", "mine", True,
                                                                                       "basic", "me")


def test_fields_the_back_end_drops_are_named(efast, saved):
    saved({"id": "efast", "process_graph": {"n": {}}, "links": SENT["links"]})
    outcome = efast("publish-backend", "--url", URL)
    assert outcome.code == 0 and outcome.err == f"saved 'efast' on {URL} (the back-end does not keep: summary)\n"


def test_a_changed_copy_is_an_error(efast, saved):
    saved({"id": "efast", "summary": "other", "process_graph": {}, "links": []})
    outcome = efast("publish-backend", "--url", URL)
    assert outcome.code == 2
    assert outcome.error("publish-backend") == "the back-end stored 'efast' but changed: summary, process_graph, links"


@pytest.mark.parametrize("option, value, message", [
    ("--timeout", "0", "expected seconds from 1 to 600"), ("--timeout", "nan", "expected seconds from 1 to 600"),
    ("--timeout", "1e9", "expected seconds from 1 to 600"), ("--retries", "-1", "from 0 to 10"),
    ("--retries", "1000", "from 0 to 10"),
])
def test_publish_backend_bounds_its_options(option, value, message, capsys):
    assert publish("http://127.0.0.1:9", option, value) == 2
    assert message in one_line_error(capsys, "publish-backend")
