"""efast_udp.cli: ``--version``, ``--help`` in plain text, fast and light, "did you mean" for
command names, and every failure as one bounded line with its exit code (2 bad usage, 3 an
internal error asking for a report), library warnings kept off the terminal."""

from __future__ import annotations

import re

import pytest

from efast_udp.cli import COMMANDS, main


def test_version(capsys):
    import efast_udp

    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"efast-udp \d+\.\d+\.\d+\n", out) and efast_udp.__version__ in out


def test_an_unknown_command_suggests_the_close_one(capsys):
    assert main(["rnu", "--data", "x"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'rnu' (did you mean 'run'?)" in err and err.count("\n") == 1
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "did you mean" not in err and "validate" in err


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_plain_text(command, capsys):
    assert main(["--help"] if command is None else [command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: efast-udp") and "`" not in out and ":py:" not in out, out


def test_library_warnings_stay_off_the_terminal_unless_debugging(monkeypatch, capsys):
    """numpy's RuntimeWarnings on odd values and xarray's decoding warnings are not the tool's
    one line (a run with temporal_score_stddev=5e-324 printed '<string>:120: RuntimeWarning')."""
    import warnings

    from efast_udp.commands import validate

    def noisy(args):
        warnings.warn("overflow encountered in divide", RuntimeWarning)
        return 0

    monkeypatch.setattr(validate, "run", noisy)
    assert main(["validate", "udp/efast.json"]) == 0
    assert "RuntimeWarning" not in capsys.readouterr().err
    with pytest.warns(RuntimeWarning):
        assert main(["--debug", "validate", "udp/efast.json"]) == 0


def test_an_error_line_is_bounded_whatever_the_input_echoes(tmp_path, capsys):
    from efast_udp.cli import MAX_MESSAGE

    params = tmp_path / "p.json"
    params.write_text('{"fused_band_names": ["' + "x" * 100_000 + '", "b", "c", "d"]}')
    assert main(["run", "--data", str(tmp_path), "--params", str(params), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) <= MAX_MESSAGE + 40, len(err)
