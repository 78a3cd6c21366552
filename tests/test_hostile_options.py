"""Odd answers to options (issue 20): one line, exit 2, before anything is read or written; and
``build -o`` into a folder that merely contains the checkout. (``inproc://x``, ``--chunk-px 1``,
``--memory-limit 1B``/``1e30GiB`` with distributed and ``--workers 0`` are pinned in
tests/test_local_schedulers.py; these are the cases around them.)"""

from __future__ import annotations

import json

import pytest
from cli_support import CALL, UDP, one_line_error

from efast_udp import outputs
from efast_udp.cli import main
from efast_udp.errors import UsageError


@pytest.mark.parametrize("extra, expected", [
    (["--scheduler", "tcp://127.0.0.1"], "--scheduler: 'tcp://127.0.0.1' is neither"),
    (["--scheduler", "tcp://:99999"], "--scheduler: 'tcp://:99999' is neither"),
    (["--scheduler", "tcp://h:1/x"], "--scheduler: 'tcp://h:1/x' is neither"),
    (["--scheduler", "file:///tmp/s"], "--scheduler: 'file:///tmp/s' is neither"),
    (["--chunk-px", "15"], "--chunk-px 15: expected a window edge of 16 to 4096 pixels"),
    (["--chunk-px", "4097"], "--chunk-px 4097: expected a window edge of 16 to 4096 pixels"),
    (["--chunk-px", "1e3"], "invalid int value: '1e3'"),
    (["--memory-limit", "1B"], "--memory-limit: '1B' is outside 256MiB..16TiB"),
    (["--memory-limit", "1e30GiB"], "--memory-limit: '1e30GiB' is outside 256MiB..16TiB"),
    (["--memory-limit", "4GiB"], "--memory-limit limits dask.distributed workers: it needs --scheduler distributed"),
    (["--scheduler", "processes", "--memory-limit", "4GiB"], "not processes"),
    (["--scheduler", "distributed", "--memory-limit", "nanGiB"], "--memory-limit: 'nanGiB'"),
    (["--scheduler", "distributed", "--memory-limit", "infGiB"], "--memory-limit: 'infGiB'"),
    (["--scheduler", "distributed", "--memory-limit=-1GiB"], "--memory-limit: '-1GiB'"),
    (["--scheduler", "distributed", "--memory-limit", "4 parsecs"], "--memory-limit: '4 parsecs' is not a size"),
    (["--workers", "-3"], "--workers must be from 1 to 1024, got -3"),
])
def test_odd_run_options_are_one_line(small_data, tmp_path, capsys, extra, expected):
    out = tmp_path / "out"
    assert main(["run", "--udp", str(UDP), "--data", str(small_data), "--out", str(out), *CALL, *extra]) == 2
    assert expected in one_line_error(capsys, "run")
    assert not out.exists()


@pytest.fixture
def checkout_inside(tmp_path, monkeypatch):
    """A checkout at tmp_path/work/efast-udp (as outputs sees it); returns tmp_path/work."""
    root = tmp_path / "work" / "efast-udp"
    (root / ".git").mkdir(parents=True)
    (root / "udp").mkdir()
    monkeypatch.setattr(outputs, "ROOT", root)
    monkeypatch.setattr(outputs, "UDP_DIR", root / "udp")
    return tmp_path / "work"


def test_build_output_beside_the_checkout_is_written(checkout_inside, capsys):
    target = checkout_inside / "efast-debug.json"
    assert main(["build", "-o", str(target)]) == 0
    assert json.loads(target.read_text())["id"] == "efast"
    deeper = checkout_inside / "new" / "folder" / "efast.json"  # missing folders are created
    assert main(["build", "-o", str(deeper), "--until", "s2_input"]) == 0
    assert deeper.is_file()


@pytest.mark.parametrize("inside, why", [
    ("efast-udp/udp/x.json", "udp/ holds only"),
    ("efast-udp/generator/x.json", "it is part of the checkout (generator/)"),
    ("efast-udp/.git/x.json", "inside a git repository's .git folder"),
])
def test_build_output_inside_the_checkout_stays_refused(checkout_inside, inside, why):
    (checkout_inside / "efast-udp" / "generator").mkdir(exist_ok=True)
    with pytest.raises(UsageError, match="refusing to write there"):
        try:
            outputs.new_file(checkout_inside / inside, "-o")
        except UsageError as exc:
            assert why in str(exc)
            raise


def test_folder_outputs_still_refuse_a_folder_containing_the_checkout(checkout_inside, capsys):
    assert main(["site", "--out", str(checkout_inside)]) == 2
    assert "it contains the efast-udp checkout" in one_line_error(capsys, "site")
