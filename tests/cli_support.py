"""Shared helpers of the tests that drive the ``efast-udp`` command line: the UDP they call, the
required arguments of a call, the one line a refused command prints, and ``publish-backend`` with
basic authentication."""

from __future__ import annotations

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
