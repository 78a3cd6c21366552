"""openeo_cdse_local.schedulers: a run of the UDP on dask's other schedulers (a loopback
LocalCluster included) gives the threaded scheduler's outputs."""

from pathlib import Path

import numpy as np

from cli_support import UDP
from efast_udp.local.runner import run_udp
from run_support import scene_dir, threaded, values


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


def test_processes_scheduler_equals_threads(scene_dir, threaded, tmp_path):
    path, params = scene_dir
    run_udp(UDP, path / "data", params, tmp_path / "out", scheduler="processes", workers=2, chunk_px=32)
    assert_same_outputs(tmp_path / "out", threaded)


def test_worker_count_defaults_to_the_cpus():
    import os

    from openeo_cdse_local.schedulers import worker_count

    assert worker_count(3) == 3 and worker_count(None) == (os.cpu_count() or 1)
