"""Command-line habits: ``--version``, http(s) URLs taken alike by every command that reads a UDP,
"did you mean" for command and parameter names, and ``--help`` in plain text."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from e2e.servers import free_port
from efast_udp.cli import COMMANDS, main
from efast_udp.project import LATEST_UDP
from efast_udp.publish.serve import BackgroundServer


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """udp/efast.json on http://127.0.0.1:PORT/efast.json."""
    folder = tmp_path_factory.mktemp("served")
    shutil.copy(LATEST_UDP, folder / "efast.json")
    (folder / "index.html").write_text("<!doctype html><title>test</title>")
    with BackgroundServer(folder) as server:
        yield f"{server.url.rstrip('/')}/efast.json"


def test_version(capsys):
    import efast_udp

    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"efast-udp \d+\.\d+\.\d+\n", out) and efast_udp.__version__ in out


def test_validate_and_diff_read_a_url(served, capsys):
    assert main(["validate", served]) == 0
    assert main(["diff", served, str(LATEST_UDP)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("command", ["run", "demo", "bench", "publish-backend"])
def test_a_udp_url_stays_a_url(command, served, tmp_path, capsys):
    """The UDP is read from the URL (``http://`` intact); each command then stops at a later,
    deliberate mistake, so nothing heavy runs."""
    later_mistake = {
        "run": ["--data", str(tmp_path / "missing"), "--out", str(tmp_path / "out")],
        "demo": ["--out", str(tmp_path / "out"), "--scheduler", "nowhere"],
        "bench": ["--json", str(LATEST_UDP)],
        "publish-backend": ["--url", "ftp://example.invalid"],
    }[command]
    assert main([command, "--udp", served, *later_mistake]) == 2
    err = capsys.readouterr().err
    assert "http:/1" not in err and "no such file" not in err, err
    closed = f"http://127.0.0.1:{free_port()}/efast.json"
    if command in ("run", "demo", "bench"):  # these read the UDP before anything else
        assert main([command, "--udp", closed, *later_mistake]) == 2
        err = capsys.readouterr().err
        assert closed in err and "no such file" not in err, err


def test_an_unknown_command_suggests_the_close_one(capsys):
    assert main(["rnu", "--data", "x"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'rnu' (did you mean 'run'?)" in err and err.count("\n") == 1
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "did you mean" not in err and "validate" in err


def test_an_unknown_parameter_suggests_the_close_one(tmp_path, capsys):
    argv = ["run", "--data", str(tmp_path), "--out", str(tmp_path / "out")]
    assert main([*argv, "--param", "temporal_extnt=2023-06-01,2023-06-30"]) == 2
    err = capsys.readouterr().err
    assert "--param temporal_extnt: unknown parameter (did you mean 'temporal_extent'?)" in err
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"output_ndiv": True}))
    assert main([*argv, "--params", str(params)]) == 2
    err = capsys.readouterr().err
    assert "parameter 'output_ndiv' does not exist (did you mean 'output_ndvi'?)" in err and err.count("\n") == 1


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_plain_text(command, capsys):
    assert main(["--help"] if command is None else [command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: efast-udp") and "`" not in out and ":py:" not in out, out


@pytest.mark.parametrize("argv, expected", [
    (["build", "--set", "interval_day=3"], "--set interval_day: unknown parameter (did you mean 'interval_days'?)"),
    (["build", "--set", "zzz=3"], "--set zzz: unknown parameter; expected one of"),
])
def test_build_settings_suggest_the_close_parameter(argv, expected, tmp_path, capsys):
    assert main([*argv, "-o", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and not (tmp_path / "x.json").exists()


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


@pytest.mark.parametrize("argv", [["build", "-o", "out/"], ["run", "--timings", "t/"], ["bench", "--json", "."]])
def test_a_file_option_given_a_folder_name_is_refused(argv, capsys):
    """Path() drops a trailing slash: `build -o keepdir/` wrote a file named keepdir."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "names a folder; give the name of a file" in err, err


def test_an_error_line_is_bounded_whatever_the_input_echoes(tmp_path, capsys):
    from efast_udp.cli import MAX_MESSAGE

    params = tmp_path / "p.json"
    params.write_text('{"fused_band_names": ["' + "x" * 100_000 + '", "b", "c", "d"]}')
    assert main(["run", "--data", str(tmp_path), "--params", str(params), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) <= MAX_MESSAGE + 40, len(err)
