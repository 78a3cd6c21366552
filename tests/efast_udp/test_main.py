"""``python -m efast_udp``: the command line of ``efast_udp.cli.main``, its exit code the process's."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import efast_udp

GENERATOR = Path(efast_udp.__file__).resolve().parents[1]


def run_module(monkeypatch, *argv: str) -> int:
    """``python -m efast_udp ARGV`` in this process: the code it exits with."""
    monkeypatch.setattr(sys, "argv", ["efast_udp", *argv])
    with pytest.raises(SystemExit) as caught:
        runpy.run_module("efast_udp", run_name="__main__")
    return caught.value.code


def test_version_exits_0(monkeypatch, capsys):
    assert run_module(monkeypatch, "--version") == 0
    assert capsys.readouterr().out == f"efast-udp {efast_udp.__version__}\n"


def test_an_unknown_command_exits_2_with_one_line(monkeypatch, capsys):
    assert run_module(monkeypatch, "frobnicate") == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("efast-udp: error: unknown command 'frobnicate'")
    assert captured.err.count("\n") == 1


def test_no_command_is_a_usage_error(monkeypatch, capsys):
    assert run_module(monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("efast-udp: error: the following arguments are required: COMMAND")


def test_the_argument_list_is_the_processs(monkeypatch, capsys):
    """``main()`` without arguments reads ``sys.argv[1:]``, not the interpreter's own arguments."""
    assert run_module(monkeypatch, "diff", "--context", "-1", "a", "b") == 2
    assert "argument --context: must be 0 or more" in capsys.readouterr().err


def test_python_dash_m_exits_with_the_commands_code(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(GENERATOR)}
    ok = subprocess.run([sys.executable, "-m", "efast_udp", "--version"], capture_output=True, text=True,
                        timeout=60, env=env, cwd=tmp_path)
    assert (ok.returncode, ok.stdout) == (0, f"efast-udp {efast_udp.__version__}\n")
    bad = subprocess.run([sys.executable, "-m", "efast_udp", "nope"], capture_output=True, text=True, timeout=60,
                         env=env, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == "" and "unknown command 'nope'" in bad.stderr
