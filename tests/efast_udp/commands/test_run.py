"""``efast-udp run`` as a user meets it: options, ``--params`` files and calls checked before
anything is read or written (one line, exit 2), injected code that never runs, ``--timings``; the
GeoTIFFs converted to COGs while the quicklooks are drawn."""

from __future__ import annotations

import errno
import json
import os
import time

import numpy as np
import pytest
import rasterio
import rasterio.shutil
import xarray

from cli_support import CALL, UDP, one_line_error
from efast_udp.cli import main
from run_support import argv, base, data_dir, edited_udp, scene, scene_dir, threaded, values


def test_a_rerun_with_a_bad_option_leaves_the_previous_outputs_alone(small_scene, small_data, tmp_path, capsys):
    out = tmp_path / "out"
    call = ["run", "--udp", str(UDP), "--data", str(small_data), "--out", str(out), "--quiet", "--no-quicklooks",
            "--no-geotiff", "--param", f"spatial_extent={json.dumps(small_scene.spatial_extent)}",
            "--param", f"temporal_extent={json.dumps(small_scene.temporal_extent)}"]
    assert main(call) == 0
    capsys.readouterr()  # the summary line of the good run (stderr)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for bad in (["--param", "interval_days=-3"], ["--scheduler", "bogus"], ["--workers", "0"], ["--chunk-px", "0"],
                ["--scheduler", "distributed", "--memory-limit", "banana"], ["--param", "interval_days=1e400"]):
        assert main(call + bad) == 2, bad
        one_line_error(capsys, "run")
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before, bad
    assert main(call[:6] + [str(tmp_path / "new")] + call[7:] + ["--param", "interval_days=-3"]) == 2
    assert not (tmp_path / "new").exists()


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


BAD_CALLS = [
    ({"s3_data_bands": ["Syn_Oa04_reflectance"]}, "s3_data_bands"),
    ({"s2_data_bands": ["B02", "B99"]}, "s2_data_bands"),
    ({"s2_data_bands": ["B02", "B03"], "s3_data_bands": ["Syn_Oa04_reflectance", "Syn_Oa06_reflectance"],
      "output_ndvi": True}, "output_ndvi"),
    ({"target_time_series": ["2024-01-01"]}, "target_time_series"),
    ({"temporal_extent_target": ["2023-05-01", "2023-06-10"]}, "temporal_extent_target"),
    ({"interval_days": 0}, "interval_days"),
    ({"interval_days": -2}, "interval_days"),
    ({"spatial_extent": {"west": 5, "south": 5, "east": 5, "north": 6}}, "spatial_extent"),
    ({"spatial_extent": {"west": 1, "south": 1, "east": 2, "north": 2}}, "spatial_extent"),
    ({"temporal_extent": ["2024-01-01", "2024-02-01"]}, "temporal_extent"),
]


@pytest.mark.parametrize("extra,name", BAD_CALLS, ids=[n + str(i) for i, (_, n) in enumerate(BAD_CALLS)])
def test_bad_calls_give_one_line_naming_the_parameter(scene, data_dir, tmp_path, capsys, extra, name):
    import json
    params = {**base(scene), **extra}
    argv = ["run", "--udp", str(UDP), "--data", str(data_dir), "--out", str(tmp_path), "--quiet", "--no-geotiff"]
    for key, value in params.items():
        argv += ["--param", f"{key}={json.dumps(value)}"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"'{name}'" in err


def test_params_file_and_param_override(scene_dir, threaded, tmp_path, capsys):
    path, params = scene_dir
    argv = ["run", "--udp", str(UDP), "--data", str(path / "data"), "--out", str(tmp_path), "--quiet", "--no-geotiff",
            "--params", str(path / "parameters.json"), "--param", "output_ndvi=false", "--chunk-px", "32"]
    assert main(argv) == 0
    with xarray.open_dataset(tmp_path / "openEO.nc") as ds:
        assert "NDVI" not in ds.data_vars  # --param wins over the file
        np.testing.assert_allclose(ds["B02"].values, values(threaded)["B02"], atol=1e-6)


@pytest.mark.parametrize("content,expected", [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ("interval_days=0", "'interval_days'"),
    ("big", "larger than 10 bytes"),
])
def test_bad_params_files_give_one_line(scene_dir, tmp_path, capsys, monkeypatch, content, expected):
    from efast_udp.commands import run
    path, _ = scene_dir
    file = tmp_path / "params.json"
    if content == "big":
        monkeypatch.setattr(run, "MAX_PARAMS_BYTES", 10)
        content = json.dumps({"spatial_extent": {}})
    if content == "interval_days=0":
        content = json.dumps({**scene_dir[1], "interval_days": 0})
    if content is not None:
        file.write_text(content)
    argv = ["run", "--udp", str(UDP), "--data", str(path / "data"), "--out", str(tmp_path / "o"), "--quiet",
            "--params", str(file)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and expected in err
    if content is not None and "interval_days" not in content:
        assert "--params" in err


@pytest.mark.parametrize("extra,expected", [
    (["--scheduler", "nope"], "--scheduler"),
    (["--workers", "0"], "--workers"),
    (["--chunk-px", "0"], "--chunk-px"),
    (["--dask-report", "r.html"], "--dask-report"),
    (["--scheduler", "distributed", "--memory-limit", "lots"], "--memory-limit"),
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler"),
    (["--scheduler", "inproc://x"], "--scheduler: 'inproc://x' is neither"),
    (["--scheduler", "tcp://127.0.0.1:99999"], "--scheduler"),
    (["--scheduler", "tcp://host"], "--scheduler"),
    (["--chunk-px", "1"], "--chunk-px 1: expected a window edge of 16 to 4096 pixels"),
    (["--chunk-px", "100000"], "--chunk-px 100000"),
    (["--workers", "100000"], "--workers must be from 1 to 1024"),
    (["--scheduler", "distributed", "--memory-limit", "1B"], "--memory-limit: '1B' is outside 256MiB..16TiB"),
    (["--scheduler", "distributed", "--memory-limit", "1e30GiB"], "--memory-limit: '1e30GiB' is outside"),
])
def test_bad_scheduler_options_give_one_line(scene_dir, tmp_path, capsys, monkeypatch, extra, expected):
    from openeo_cdse_local import schedulers
    monkeypatch.setattr(schedulers, "CONNECT_TIMEOUT_S", 2)
    path, _ = scene_dir
    argv = ["run", "--udp", str(UDP), "--data", str(path / "data"), "--out", str(tmp_path), "--quiet",
            "--params", str(path / "parameters.json"), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and expected in err


def test_injected_code_never_runs_even_with_the_opt_in(small_scene, small_data, tmp_path, capsys):
    marker = tmp_path / "pwned"
    udp = edited_udp(tmp_path, lambda code: f"import os\nos.system('touch {marker}')\n" + code)
    assert main(argv(small_scene, small_data, tmp_path / "out", "--allow-untrusted-udf", udp=udp)) == 1
    err = capsys.readouterr().err
    assert "[udf-lint]" in err and "nothing was run" in err and "Traceback" not in err
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_timings_are_written_to_a_new_file_only(small_scene, small_data, tmp_path, capsys):
    timings = tmp_path / "timings.json"
    assert main(argv(small_scene, small_data, tmp_path / "out", "--no-quicklooks", "--timings", str(timings))) == 0
    phases = json.loads(timings.read_text())
    assert phases["tool"] == "efast-udp run"
    assert {"wall_s", "imports_s", "set_up_s", "compute_and_write_s", "writing_s"} <= set(phases)
    assert "quicklooks_s" not in phases and phases["writing_s"] <= phases["compute_and_write_s"] <= phases["wall_s"]
    capsys.readouterr()
    assert main(argv(small_scene, small_data, tmp_path / "again", "--timings", str(timings))) == 2
    err = capsys.readouterr().err.strip()
    assert "--timings" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "again").exists() and json.loads(timings.read_text()) == phases


# the GeoTIFFs are converted to COGs while the quicklooks are drawn: the files are complete when
# run returns, and a conversion that fails still leaves nothing partial


def _files(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
                  and not p.name.startswith(".efast-udp"))


def test_the_cogs_are_complete_and_the_quicklooks_drawn_meanwhile(small_scene, small_data, tmp_path, monkeypatch):
    order = []
    copy = rasterio.shutil.copy
    out = tmp_path / "o"
    deadline = time.monotonic() + 30

    def recorded(src, dst, **options):
        # the first conversion waits (bounded) for a quicklook: drawn after the COGs, none would come
        while not order and time.monotonic() < deadline and not list((out / "quicklooks").glob("*.png")):
            time.sleep(0.05)
        order.append(bool(list((out / "quicklooks").glob("*.png"))))
        return copy(src, dst, **options)

    monkeypatch.setattr(rasterio.shutil, "copy", recorded)
    assert main(argv(small_scene, small_data, out)) == 0
    names = _files(out)
    tifs = [n for n in names if n.endswith(".tif")]
    assert tifs and len(order) == len(tifs) and order[0], "the COGs were converted before any quicklook was drawn"
    assert not list(out.glob(".partial-*"))
    for name in tifs:
        with rasterio.open(out / name) as src:
            assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG" and np.isfinite(src.read()).any()


def test_a_conversion_failing_behind_the_quicklooks_leaves_no_partial_output(small_scene, small_data, tmp_path,
                                                                             capsys, monkeypatch):
    def no_space(src, dst, **options):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(rasterio.shutil, "copy", no_space)
    out = tmp_path / "o"
    assert main(argv(small_scene, small_data, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("efast-udp run: error: ") and "No space left on device" in err[0]
    assert _files(out) == []


@pytest.mark.parametrize("scheduler, workers, capped", [
    ("threads", 3, [3]), ("threads", None, [os.cpu_count() or 1]), ("processes", 3, []), ("distributed", 2, []),
])
def test_the_command_caps_the_allocator_of_a_threaded_run(monkeypatch, scheduler, workers, capped):
    """run and demo own their process: glibc's arenas follow the worker threads (threads only)."""
    from efast_udp.commands import run as run_command
    from openeo_cdse_local import allocator

    calls = []
    monkeypatch.setattr(allocator, "cap_arenas", lambda n: calls.append(n) or n)
    run_command.cap_allocator({"scheduler": scheduler, "workers": workers})
    assert calls == capped


def test_a_run_and_a_demo_call_the_cap(scene_dir, tmp_path, monkeypatch):
    from efast_udp.commands import run as run_command

    calls = []
    monkeypatch.setattr(run_command, "cap_allocator", lambda options: calls.append(options["scheduler"]))
    path, _ = scene_dir
    assert main(["run", "--udp", str(UDP), "--data", str(path / "data"), "--out", str(tmp_path / "run"), "--quiet",
                 "--no-quicklooks", "--no-geotiff", "--params", str(path / "parameters.json")]) == 0
    assert main(["demo", "--scene-only", "--size", "60", "--out", str(tmp_path / "demo"), "--quiet"]) == 0
    assert calls == ["threads", "threads"]
