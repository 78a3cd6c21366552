"""``efast-udp demo`` (``efast_udp.commands.demo``): its options, the order of its refusals, and
what it hands to the demo runner and prints around it (the runner is replaced here; the demo
itself runs in tests of demo/).

``efast-udp demo``'s command line: ``--size`` checked as its help says, ``--scene-only``
writes the data and the parameters and stops."""

from __future__ import annotations

import json

import pytest

from efast_udp.cli import main
from efast_udp.commands import demo
from efast_udp.demo import runner
from efast_udp.outputs import MARKER
from efast_udp.project import LATEST_UDP

from cli_support import one_line_error


REPORT = {"rmse": {"all": {"efast": 0.01, "s2_only": 0.02}, "gap": {"efast": 0.015, "s2_only": 0.04}},
          "oracle_max_abs_diff": 1e-7, "wall_s": 3.5, "peak_mib": 800.0}


@pytest.fixture
def demo_run(monkeypatch, recorder):
    stand_in = recorder(REPORT)
    monkeypatch.setattr(runner, "run_demo", stand_in)
    return stand_in


def test_defaults(parsed, tmp_path):
    args = parsed("demo", "--out", str(tmp_path))
    assert (args.udp, args.size, args.seed, args.scene_only, args.no_quicklooks, args.quiet) == (
        LATEST_UDP, 450, 42, False, False, False)
    assert (args.scheduler, args.allow_untrusted_udf) == ("threads", False)
    from efast_udp.demo.scene import SceneConfig

    assert (demo.DEFAULT_SIZE, demo.DEFAULT_SEED) == (SceneConfig().size_px, SceneConfig().seed)


def test_out_is_required(efast):
    outcome = efast("demo")
    assert outcome.code == 2 and "the following arguments are required: --out" in outcome.err


@pytest.mark.parametrize("size", ["0", "45", "-30", "6030"])
def test_a_bad_size_is_refused_before_the_udp_is_read(efast, demo_run, tmp_path, size):
    outcome = efast("demo", "--out", tmp_path / "out", "--size", size, "--udp", tmp_path / "missing.json")
    assert outcome.code == 2
    assert outcome.error("demo") == f"--size {size}: expected a multiple of 30 from 30 to 6000 (10 m pixels per side)"
    assert demo_run.calls == [] and not (tmp_path / "out").exists()


def test_a_bad_scheduler_is_refused_before_the_folder_is_claimed(efast, demo_run, checked_udp, tmp_path):
    outcome = efast("demo", "--out", tmp_path / "out", "--size", "30", "--chunk-px", "8")
    assert outcome.code == 2 and "--chunk-px 8: expected a window edge of" in outcome.error("demo")
    assert demo_run.calls == [] and not (tmp_path / "out").exists()


def test_scene_only_reads_no_udp(efast, demo_run, not_called, monkeypatch, tmp_path):
    from efast_udp.commands import run

    monkeypatch.setattr(run, "checked_udp", not_called)
    out = tmp_path / "out"
    outcome = efast("demo", "--out", out, "--size", "30", "--seed", "7", "--scene-only", "--quiet",
                    "--udp", tmp_path / "missing.json")
    assert (outcome.code, outcome.out) == (0, f"efast-udp demo: wrote {out / 'data'} and {out / 'parameters.json'}\n")
    (args, kwargs), = demo_run.calls
    assert args == (out.resolve(), None, 30, 7, False, True) and kwargs["scene_only"] is True


def test_the_runner_gets_the_checked_udp_and_the_options(efast, demo_run, checked_udp, tmp_path):
    out = tmp_path / "out"
    outcome = efast("demo", "--out", out, "--size", "60", "--no-quicklooks", "--workers", "2", "--chunk-px", "64",
                    "--allow-untrusted-udf")
    assert outcome.code == 0
    assert outcome.out == f"{runner.table(REPORT)}\nefast-udp demo: wrote {out / 'metrics.json'}\n"
    assert checked_udp.calls == [((LATEST_UDP, True), {})]
    (args, kwargs), = demo_run.calls
    assert args == (out.resolve(), {"id": "efast", "source": str(LATEST_UDP), "allow": True}, 60, 42, True, False)
    assert kwargs == {"scene_only": False, "scheduler": "threads", "workers": 2, "memory_limit": None,
                      "chunk_px": 64, "report": None, "neighbourhood": "windows"}


def test_the_folder_is_released_and_its_files_listed_when_the_demo_fails(efast, monkeypatch, recorder, tmp_path):
    from efast_udp.errors import ExecutionError

    def fails(out, *args, **kwargs):
        (out / "data").mkdir()
        (out / "data" / "SENTINEL2_L2A.nc").write_text("partial")
        raise ExecutionError("the run failed in fusion")

    monkeypatch.setattr(runner, "run_demo", fails)
    out = tmp_path / "out"
    outcome = efast("demo", "--out", out, "--size", "30", "--scene-only")
    assert outcome.code == 2 and outcome.error("demo") == "the run failed in fusion"
    assert "data/SENTINEL2_L2A.nc" in json.loads((out / MARKER).read_text())["files"]
    monkeypatch.setattr(runner, "run_demo", recorder(REPORT))  # the folder is the demo's: a next run may use it
    assert efast("demo", "--out", out, "--size", "30", "--scene-only").code == 0


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
