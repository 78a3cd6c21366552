"""What the command tests share: a command run in-process as ``efast-udp`` runs it, its exit code
and output, the parsed arguments of a command line, and stand-ins for the work a command hands on."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from efast_udp.cli import build_parser, main


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    def error(self, command: str) -> str:
        """The one error line of ``command``, without its ``efast-udp COMMAND: error: `` prefix."""
        prefix = f"efast-udp {command}: error: "
        assert self.err.count("\n") == 1 and self.err.startswith(prefix), self.err
        return self.err[len(prefix):-1]


@pytest.fixture
def efast(capsys):
    """``efast(*argv)``: ``efast-udp ARGV`` in this process, as an :class:`Outcome`."""
    capsys.readouterr()

    def run(*argv) -> Outcome:
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


@pytest.fixture
def parsed():
    """``parsed(*argv)``: the namespace ``efast-udp ARGV`` hands to its command (nothing is run)."""
    return lambda *argv: build_parser(argv[0]).parse_args(list(argv))


class Recorder:
    """A stand-in that records how it was called and answers ``result`` (or raises it)."""

    def __init__(self, result=None):
        self.result, self.calls = result, []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result(*args, **kwargs) if callable(self.result) else self.result


def _not_called(*args, **kwargs):
    raise AssertionError("called although the command should have stopped before")


@pytest.fixture
def not_called():
    """A stand-in for work the command must not reach."""
    return _not_called


@pytest.fixture
def recorder():
    """``recorder(result)``: a new :class:`Recorder`."""
    return Recorder


@pytest.fixture
def checked_udp(monkeypatch):
    """``commands.run.checked_udp`` replaced: the UDP source is recorded and answered with a
    small definition (validating the real one costs half a second per call)."""
    from efast_udp.commands import run

    stand_in = Recorder(lambda source, allow: {"id": "efast", "source": str(source), "allow": allow})
    monkeypatch.setattr(run, "checked_udp", stand_in)
    return stand_in
