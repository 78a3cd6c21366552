"""``efast-udp demo``'s command line: ``--size`` checked as its help says, ``--scene-only``
writes the data and the parameters and stops."""

from __future__ import annotations

import json

from cli_support import one_line_error
from efast_udp.cli import main


def test_demo_bad_size_is_one_line(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--size", "100"]) == 2
    assert "--size" in capsys.readouterr().err


def test_demo_scene_only_writes_data_and_parameters(tmp_path, capsys):
    assert main(["demo", "--scene-only", "--size", "60", "--out", str(tmp_path), "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["SENTINEL2_L2A.nc", "SENTINEL3_SYN_L2_SYN.nc"]
    params = json.loads((tmp_path / "parameters.json").read_text())
    assert params["output_ndvi"] is True and params["s3_temporal_score_stddev"] == 3
    assert params["spatial_extent"]["east"] - params["spatial_extent"]["west"] == 600
    assert not (tmp_path / "result").exists() and not (tmp_path / "metrics.json").exists()
    assert "parameters.json" in capsys.readouterr().out


def test_demo_size_help_and_check_agree(capsys):
    from efast_udp.cli import build_parser

    parser = build_parser("demo")
    demo = next(a for a in parser._subparsers._group_actions if a.dest == "command").choices["demo"]
    help_text = " ".join(demo.format_help().split())
    assert "a multiple of 30 from 30 to 6000" in help_text
    for size in ("100", "0", "6030"):
        assert main(["demo", "--out", "/nonexistent-efast-demo", "--size", size, "--scene-only"]) == 2
        assert "expected a multiple of 30 from 30 to 6000" in one_line_error(capsys, "demo")
