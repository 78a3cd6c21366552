"""``efast-udp build``: bad settings, options that need ``-o FILE`` and refused builds end
with one line and exit 2 (and create nothing); ``--list-intermediates``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cli_support import one_line_error
from efast_udp.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "efast_udp", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, message", [
    (["--set", "s2_data_bands=B02,B99"], '"B99" is not one of'),
    (["--set", "interval_days=-2"], "interval_days"),
    (["--base-url", "http://example.org/efast"], "must be an https:// URL"),
    (["--set", "no_such_parameter=1"], "unknown parameter"),
    (["--until", "no_such_stage"], "unknown intermediate"),
])
def test_bad_generator_settings_fail_with_one_line_and_exit_2(tmp_path, args, message):
    result = run_cli("build", *args, "-o", str(tmp_path / "x.json"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_list_intermediates_names_every_stage():
    result = run_cli("build", "--list-intermediates")
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert result.returncode == 0
    assert names[0] == "s2_input" and names[-1] == "fused" and "s3_composite" in names and "lr_series" in names


def test_build_refuses_options_that_need_an_output(capsys):
    assert main(["build", "--until", "s3_composite"]) == 2
    assert "need -o FILE" in one_line_error(capsys, "build")


def test_a_refused_build_creates_no_folders(tmp_path, capsys):
    assert main(["build", "--set", "no_such=1", "-o", str(tmp_path / "a" / "b.json")]) == 2
    one_line_error(capsys, "build")
    assert not (tmp_path / "a").exists()
