"""efast_udp.cli: ``--version``, ``--help`` in plain text, fast and light, "did you mean" for
command names, and every failure as one bounded line with its exit code (2 bad usage, 3 an
internal error asking for a report), library warnings kept off the terminal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cli_support import CALL, UDP, one_line_error
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


@pytest.mark.parametrize("argv, message", [
    (["serve", "--port", "99999"], "expected a port number from 1 to 65535"),
    (["serve", "--port", "-1"], "expected a port number"),
    (["serve", "--port", "abc"], "invalid int value"),
    (["site", "--changelog", "/nonexistent/CHANGELOG.md", "--out", "{tmp}/site"], "cannot read /nonexistent"),
    (["site", "--version", "banana"], "unrecognized arguments: --version banana"),
    (["build", "--set", "nope", "-o", "{tmp}/x.json"], "expected NAME=VALUE"),
    (["build", "--set", "fused_band_names=[\"a\",\"a\"]", "-o", "{tmp}/x.json"], "must be unique"),
    (["publish-backend", "--url", "http://example.org/openeo", "--udp", str(UDP)], "expected an https:// URL"),
    (["run", "--udp", str(UDP), "--data", "{tmp}", "--out", "{tmp}/file.txt", *CALL], "it is a file, not a directory"),
    (["run", "--udp", str(UDP), "--data", "{tmp}/file.txt", "--out", "{tmp}/out", *CALL], "--data"),
    (["run", "--udp", str(UDP), "--data", "{tmp}", "--out", "{tmp}/out", *CALL, "--dask-report", "{tmp}/file.txt"],
     "choose a new file"),
    (["demo", "--out", "{tmp}/file.txt"], "it is a file, not a directory"),
    (["bench", "--json", "{tmp}/file.txt", "--no-demo"], "the file exists"),
    (["bench", "--runs", "2"], "at least 5 rounds"),
])
def test_bad_options_give_one_line_and_exit_2(tmp_path, capsys, argv, message):
    (tmp_path / "file.txt").write_text("keep")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and message in err, err
    assert (tmp_path / "file.txt").read_text() == "keep"


def test_unexpected_failures_are_one_line_asking_for_a_report(capsys, monkeypatch):
    from efast_udp.commands import check

    def broken(args):
        raise RuntimeError("something nobody thought of")

    monkeypatch.setattr(check, "run", broken)
    assert main(["check"]) == 3
    err = one_line_error(capsys, "check")
    assert "internal error: RuntimeError: something nobody thought of" in err and "please report" in err
    assert main(["--debug", "check"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_help_is_fast_and_quiet():
    for command in ("run", "demo", "bench", "validate", "site"):
        result = subprocess.run([sys.executable, "-m", "efast_udp", command, "--help"], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0 and "usage:" in result.stdout and result.stderr == "", result.stderr


def test_help_imports_nothing_heavy():
    code = ("import sys\nfrom efast_udp.cli import main\n"
            "for c in ('run', 'demo', 'bench', 'build', 'validate', 'site', 'diff'):\n"
            "    assert main([c, '--help']) == 0\n"
            "print(sorted(m for m in ('numpy', 'xarray', 'dask', 'openeo', 'jsonschema', 'matplotlib') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("argv", [
    ["build", "-o", "/proc/efast-udp-test.json"],
    ["build", "-o", "/tmp/" + "b" * 300 + ".json"],
    ["demo", "--scene-only", "--size", "60", "--out", "/proc/efast-udp-test"],
    ["site", "--out", "/proc/efast-udp-test"],
    ["validate", "/tmp/" + "a" * 300],
])
def test_paths_the_system_refuses_are_one_line_not_an_internal_error(argv, capsys):
    """/proc, /sys and names over 255 bytes: the file system says no; that is a bad request
    (exit 2, one line), not a bug (exit 3)."""
    assert main(argv) == 2
    err = one_line_error(capsys, argv[0])
    assert "internal error" not in err
