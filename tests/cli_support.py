"""Shared helpers of the tests that drive the ``efast-udp`` command line: the UDP they call, the
required arguments of a call, the one line a refused command prints, ``publish-backend`` with
basic authentication, and the command in a process of its own."""

from __future__ import annotations

import subprocess
import sys

from efast_udp.cli import main
from efast_udp.project import ROOT

UDP = ROOT / "udp" / "efast.json"
#: the required arguments of a call, for commands that check them before the option under test
CALL = ["--param", 'spatial_extent={"west": 0, "south": 0, "east": 1, "north": 1}',
        "--param", "temporal_extent=2022-01-01,2022-02-01"]


def one_line_error(capsys, command: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err and err.startswith(f"efast-udp {command}: error: "), err
    return err


def publish(url, *extra):
    return main(["publish-backend", "--url", url, "--udp", str(UDP), "--auth", "basic", *extra])


def efast_udp(*argv, timeout=120) -> subprocess.CompletedProcess:
    """The command in its own process; a hang fails the test at ``timeout``."""
    return subprocess.run([sys.executable, "-m", "efast_udp", *argv], capture_output=True, text=True, timeout=timeout)
