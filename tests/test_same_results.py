"""Product-level: the numbers do not move. ``run`` on the small demo scene, and the demo's error
figures (checked in ``tests/efast_udp/demo/test_runner.py``, on its own run), equal those recorded
in ``tests/fixtures/results/small_scene.json`` within 1e-6.

The record is a fingerprint of the outputs (per band and date: the mean and the count of no-data
pixels; the values at 64 fixed pixels), written by the UDP and the tool of release 0.4.0 at its
release commit (its ``release`` key). A change that moves any of it changes the numbers users
get: it is a new version with a CHANGELOG entry, and the record is rewritten with
``python tests/test_same_results.py`` in that change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray

from results_record import DEMO, RECORD, close, load_record

SAMPLES = 64


def run_arguments(scene, data: Path, out: Path) -> list[str]:
    from efast_udp.project import LATEST_UDP

    params = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    return ["run", "--udp", str(LATEST_UDP), "--data", str(data), "--out", str(out), "--quiet", "--no-quicklooks",
            "--no-geotiff", *[f"--param={k}={json.dumps(v)}" for k, v in params.items()]]


def fingerprint(nc: Path) -> dict:
    with xarray.open_dataset(nc, engine="h5netcdf") as ds:
        bands = [n for n in ds.data_vars if ds[n].dims == ("t", "y", "x")]
        shape = ds[bands[0]].shape
        where = np.random.default_rng(20261203).integers(0, shape, size=(SAMPLES, 3))
        found = {"dates": [str(np.datetime64(t, "D")) for t in ds["t"].values], "shape": list(shape), "bands": {}}
        for band in bands:
            values = ds[band].values.astype(np.float64)
            found["bands"][band] = {
                "mean": [None if np.isnan(m) else float(m) for m in np.nanmean(values, axis=(1, 2))],
                "nodata": np.isnan(values).sum(axis=(1, 2)).tolist(),
                "samples": [None if np.isnan(v) else float(v) for v in values[tuple(where.T)]],
            }
    return found


def demo_figures(out: Path) -> dict:
    from efast_udp.demo.runner import run_demo
    from efast_udp.project import LATEST_UDP

    return {"rmse": run_demo(out, LATEST_UDP, show_progress=False, quicklooks_too=False, **DEMO)["rmse"]}


@pytest.fixture(scope="module")
def record() -> dict:
    return load_record()


def test_run_gives_the_recorded_numbers(small_scene, small_data, tmp_path, record):
    from efast_udp.cli import main

    assert main(run_arguments(small_scene, small_data, tmp_path / "out")) == 0
    differences = close(fingerprint(tmp_path / "out" / "openEO.nc"), record["run"], "run")
    assert not differences, differences[:10]


def test_a_moved_number_is_found(record):
    moved = json.loads(json.dumps(record["run"]))
    band = next(iter(moved["bands"].values()))
    band["samples"][3] = (band["samples"][3] or 0.0) + 2e-6
    assert close(moved, record["run"]) and not close(record["run"], record["run"])


def write_record(out: Path) -> None:  # pragma: no cover - run by hand when the numbers change
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import SMALL_SCENE

    from efast_udp.cli import main
    from efast_udp.demo.scene import SceneConfig, make_scene

    scene = make_scene(SceneConfig(**SMALL_SCENE))
    scene.write(out / "data")
    assert main(run_arguments(scene, out / "data", out / "run")) == 0
    from efast_udp.project import project_version

    found = {"release": project_version(), "run": fingerprint(out / "run" / "openEO.nc"), "demo": demo_figures(out / "demo")}
    RECORD.write_text(json.dumps(found, indent=1) + "\n", "utf-8")
    print(f"wrote {RECORD}")


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_record(Path(tmp))
