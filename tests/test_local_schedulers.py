"""``efast-udp run`` on dask schedulers (a loopback LocalCluster included), ``--params`` files,
and one-line errors for bad scheduler options."""

import json
from pathlib import Path

import numpy as np
import pytest
import xarray

from conftest import SMALL_SCENE
from efast_udp.cli import main
from efast_udp.demo.scene import SceneConfig, make_scene
from efast_udp.local.runner import run_udp

UDP = Path(__file__).parent.parent / "udp" / "efast.json"


@pytest.fixture(scope="module")
def scene_dir(tmp_path_factory):
    scene = make_scene(SceneConfig(**SMALL_SCENE))
    path = tmp_path_factory.mktemp("scene")
    scene.write(path / "data")
    params = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    (path / "parameters.json").write_text(json.dumps(params))
    return path, params


@pytest.fixture(scope="module")
def threaded(scene_dir, tmp_path_factory):
    path, params = scene_dir
    out = tmp_path_factory.mktemp("threads")
    run_udp(UDP, path / "data", params, out, chunk_px=32)
    return out


def values(out: Path) -> dict:
    with xarray.open_dataset(out / "openEO.nc") as ds:
        return {name: ds[name].values for name in ds.data_vars}


def assert_same_outputs(a: Path, b: Path):
    va, vb = values(a), values(b)
    assert set(va) == set(vb) and len(va) == 5
    for name in va:
        assert np.array_equal(np.isfinite(va[name]), np.isfinite(vb[name]))
        assert np.nanmax(np.abs(va[name] - vb[name])) <= 1e-6
    assert sorted(p.name for p in a.glob("openEO_*.tif")) == sorted(p.name for p in b.glob("openEO_*.tif"))


def test_distributed_local_cluster_equals_threads_and_reports_tasks(scene_dir, threaded, tmp_path):
    path, params = scene_dir
    report = tmp_path / "report.html"
    run_udp(UDP, path / "data", params, tmp_path / "out", scheduler="distributed", workers=2, chunk_px=32,
            report=report)
    assert_same_outputs(tmp_path / "out", threaded)
    text = report.read_text()
    assert "udf_window" in text and "Task Stream" in text  # the cluster ran the UDF windows


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


def test_processes_scheduler_equals_threads(scene_dir, threaded, tmp_path):
    path, params = scene_dir
    run_udp(UDP, path / "data", params, tmp_path / "out", scheduler="processes", workers=2, chunk_px=32)
    assert_same_outputs(tmp_path / "out", threaded)
