"""efast_udp.errors: the kinds of failure a command reports, each with the exit code the module
promises (1 the checked or run thing is wrong, 2 the request is), as one line without a
traceback; and the "did you mean" hint."""

from __future__ import annotations

import pytest

from cli_support import one_line_error
from efast_udp import errors
from efast_udp.cli import exit_code, main
from efast_udp.commands import check

#: every kind of failure -> its exit code, as the module's docstring says
KINDS = {
    errors.EfastUdpError: 2,
    errors.UsageError: 2,
    errors.UnknownVersion: 2,
    errors.SettingsError: 2,
    errors.UnreadableInput: 2,
    errors.NestedTooDeep: 2,
    errors.InvalidDocument: 1,
    errors.ReleaseError: 1,
    errors.IncompatibleClient: 2,
    errors.ExecutionError: 2,
}


def test_every_error_class_of_the_module_has_its_exit_code_here():
    classes = {v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)}
    assert classes == set(KINDS)


def test_the_kinds_of_failure():
    assert all(issubclass(kind, errors.EfastUdpError) for kind in KINDS)
    assert issubclass(errors.UnknownVersion, errors.UsageError) and issubclass(errors.UnknownVersion, ValueError)
    assert issubclass(errors.SettingsError, errors.UsageError)
    assert issubclass(errors.NestedTooDeep, errors.UnreadableInput)
    assert issubclass(errors.ReleaseError, errors.InvalidDocument)
    assert not issubclass(errors.UnreadableInput, errors.UsageError)  # unreadable is not bad usage


@pytest.mark.parametrize("kind, code", KINDS.items(), ids=[k.__name__ for k in KINDS])
def test_each_kind_is_one_line_with_its_exit_code(kind, code, monkeypatch, capsys):
    def failing(args):
        raise kind("udp/efast.json: something is wrong\n  (said on two lines)")

    monkeypatch.setattr(check, "run", failing)
    assert exit_code(kind("x")) == code
    assert main(["check"]) == code
    err = one_line_error(capsys, "check")
    assert err == "efast-udp check: error: udp/efast.json: something is wrong (said on two lines)"


@pytest.mark.parametrize("word, choices, hint", [
    ("rnu", ["run", "build", "check"], " (did you mean 'run'?)"),
    ("chek", {"build": 1, "check": 2}, " (did you mean 'check'?)"),  # the keys of a mapping
    ("vaildate", ["validate", "valid"], " (did you mean 'validate'?)"),  # the closest one only
    ("frobnicate", ["run", "build"], ""),
    ("run", [], ""),
    ("01", [1, 10], " (did you mean '1'?)"),  # choices that are not text are compared as text
])
def test_did_you_mean(word, choices, hint):
    assert errors.did_you_mean(word, choices) == hint
