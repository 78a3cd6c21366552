"""``efast-udp check``: 0 and one line when udp/ is what the generator renders, 1 with every
problem on stderr when it is not, warnings before the problems, ``--verbose`` with a note per
older release, and 2 with one line for a bad option or setting."""

from __future__ import annotations

import pytest

from efast_udp import release
from efast_udp.commands import check

UP_TO_DATE = "udp/ is up to date with the generator; every release file is unchanged\n"


@pytest.fixture(autouse=True)
def default_base_url(monkeypatch):
    monkeypatch.delenv("EFAST_UDP_BASE_URL", raising=False)


def test_the_checkout_is_up_to_date(efast):
    outcome = efast("check")
    assert (outcome.code, outcome.out) == (0, UP_TO_DATE)
    # nothing else on stderr (a shallow clone would be warned about: CI fetches the whole history)
    assert all(line.startswith("efast-udp check: warning: a shallow clone") for line in outcome.err.splitlines())


def test_another_base_url_makes_the_rendered_files_differ(efast, monkeypatch):
    monkeypatch.setenv("EFAST_UDP_BASE_URL", "https://example.org/efast")
    outcome = efast("check")
    assert (outcome.code, outcome.out) == (1, "")
    lines = outcome.err.splitlines()
    assert "efast-udp check: udp/efast.json differs from a fresh render; run `make build-udp` (never edit it by " \
           "hand)" in lines
    assert all(line.startswith("efast-udp check: udp/") and line.endswith("differs from a fresh render; run "
                                                                          "`make build-udp` (never edit it by hand)")
               for line in lines)


def test_a_bad_setting_is_one_line_naming_it(efast, monkeypatch, not_called):
    monkeypatch.setenv("EFAST_UDP_BASE_URL", "http://example.org/efast")
    monkeypatch.setattr(release, "check", not_called)
    outcome = efast("check")
    assert (outcome.code, outcome.out) == (2, "")
    assert outcome.error("check").startswith("setting 'base_url' must be an https:// URL")


def test_a_bad_option_is_one_line(efast, not_called, monkeypatch):
    monkeypatch.setattr(release, "check", not_called)
    outcome = efast("check", "--verbose=yes")
    assert (outcome.code, outcome.out) == (2, "")
    assert outcome.error("check") == "argument --verbose: ignored explicit argument 'yes' (see efast-udp check --help)"
    outcome = efast("check", "--udp-dir", "x")  # check has no such option (argparse's top level says so)
    assert (outcome.code, outcome.out) == (2, "")
    assert outcome.err == "efast-udp: error: unrecognized arguments: --udp-dir x (see efast-udp --help)\n"


def test_warnings_come_before_the_problems_and_notes_only_with_verbose(efast, recorder, monkeypatch):
    stand_in = recorder(release.Report(problems=["p1 is wrong", "p2 is wrong"], notes=["0.1.0: frozen"],
                                       warnings=["a shallow clone"]))
    monkeypatch.setattr(release, "check", stand_in)
    outcome = efast("check")
    assert (outcome.code, outcome.out) == (1, "")
    assert outcome.err == ("efast-udp check: warning: a shallow clone\n"
                           "efast-udp check: p1 is wrong\nefast-udp check: p2 is wrong\n")
    assert stand_in.calls[0][1] == {"verbose": False}
    outcome = efast("check", "--verbose")
    assert (outcome.code, outcome.out) == (1, "0.1.0: frozen\n")
    assert stand_in.calls[1][1] == {"verbose": True}


def test_a_warning_alone_does_not_fail(efast, recorder, monkeypatch):
    monkeypatch.setattr(release, "check", recorder(release.Report(
        problems=[], notes=["0.1.0: re-rendered identically", "0.2.0: frozen"], warnings=["a shallow clone"])))
    outcome = efast("check", "--verbose")
    assert outcome.code == 0 and outcome.err == "efast-udp check: warning: a shallow clone\n"
    assert outcome.out == "0.1.0: re-rendered identically\n0.2.0: frozen\n" + UP_TO_DATE


def test_the_options(parsed):
    assert parsed("check").verbose is False and parsed("check", "--verbose").verbose is True
    assert check.HELP.endswith("exit 1 if not.")
