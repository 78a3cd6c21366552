"""efast_udp.local.runner: whole-graph local runs of the published UDP on a small synthetic
scene (agreement with the numpy oracle, edge data, intermediates, one window or many), and the
outputs a run writes: CF NetCDF with provenance, GeoTIFFs, quicklooks, a word when the result
is no data, nothing partial after a failure."""

from __future__ import annotations

import copy
import json

import dask
import numpy as np
import pytest
import xarray

from cli_support import UDP, one_line_error
from conftest import SMALL_SCENE
from cubes import same
from efast_udp.cli import main
from efast_udp.demo import oracle
from efast_udp.demo.scene import SceneConfig, make_scene
from efast_udp.local.runner import execute, write_outputs
from openeo_cdse_local import chunks
from run_support import argv, base, data_dir, scene

SMALL = SceneConfig(**SMALL_SCENE)


def oracle_of(scene, run):
    from efast_udp.demo.evaluate import oracle_inputs

    epoch = scene.dates(0).astype(np.int64)
    inputs = oracle_inputs(run, scene)
    return oracle.efast(scene.s2, inputs["fine"], scene.s2_days + epoch, inputs["coarse"], inputs["s3"],
                        inputs["s3_days"], run.parameters)


@pytest.mark.parametrize("extra", [
    {},
    {"output_ndvi": True, "interval_days": 3, "temporal_extent_target": ["2023-06-06", "2023-06-25"]},
    {"target_time_series": ["2023-06-08", "2023-06-13", "2023-06-14"], "temporal_score_stddev": 8,
     "cloud_tolerance": 0.3, "max_distance_to_cloud_m": 600},
    {"s2_data_bands": ["B8A", "B02", "B04"],
     "s3_data_bands": ["Syn_Oa17_reflectance", "Syn_Oa04_reflectance", "Syn_Oa08_reflectance"],
     "fused_band_names": ["nir", "blue", "red"], "output_ndvi": True, "s3_temporal_score_stddev": 3},
], ids=["defaults", "ndvi", "target_time_series", "swapped_bands"])
def test_whole_graph_agrees_with_the_oracle(scene, data_dir, extra):
    run = execute(UDP, data_dir, {**base(scene), **extra})
    expected, names, days = oracle_of(scene, run)
    cube = run.result.transpose("t", "bands", "y", "x")
    assert [str(b) for b in cube.bands.values] == names
    assert np.array_equal(cube.t.values.astype("datetime64[D]").astype(np.int64), days)
    got = cube.values
    assert np.array_equal(np.isfinite(got), np.isfinite(expected))
    assert np.nanmax(np.abs(got - expected)) < 1e-4


def edge_scene(kind: str):
    s = make_scene(SMALL)
    s = copy.copy(s)
    if kind == "all_cloud_s2":
        s.s2 = dict(s.s2, SCL=np.full_like(s.s2["SCL"], 9.0))
    elif kind == "no_s3":
        s.s3 = dict(s.s3, CLOUD_flags=np.ones_like(s.s3["CLOUD_flags"]))
    elif kind == "one_s2_date":
        s.s2 = {k: v[:1] for k, v in s.s2.items()}  # day 0: clear
        s.s2_days = s.s2_days[:1]
    elif kind == "nan_bands":
        s.s2 = dict(s.s2, B04=np.full_like(s.s2["B04"], np.nan))
        s.s3 = dict(s.s3, Syn_Oa17_reflectance=np.full_like(s.s3["Syn_Oa17_reflectance"], np.nan))
    return s


@pytest.mark.parametrize("kind", ["all_cloud_s2", "no_s3", "one_s2_date", "nan_bands"])
def test_edge_data_runs_to_completion(kind, tmp_path):
    s = edge_scene(kind)
    s.write(tmp_path / "data")
    run = execute(UDP, tmp_path / "data", {**base(s), "output_ndvi": True})
    values = run.result.values
    assert not np.isinf(values).any()
    refl = run.result.sel(bands=["B02", "B03", "B04", "B8A"]).values
    assert not (refl < 0).any()
    if kind == "all_cloud_s2":
        assert np.isnan(refl).all()
    if kind == "nan_bands":
        assert np.isnan(run.result.sel(bands=["B04", "NDVI"]).values).all()
        assert np.isfinite(run.result.sel(bands="B02").values).any()
    if kind in ("no_s3", "one_s2_date"):
        assert np.isfinite(refl).any()
        expected, _, _ = oracle_of(s, run)
        got = run.result.transpose("t", "bands", "y", "x").values
        assert np.array_equal(np.isfinite(got), np.isfinite(expected))  # no data exactly where the oracle has none
        assert np.nanmax(np.abs(got - expected)) < 1e-4


def test_save_intermediates_writes_every_named_stage(scene, data_dir, tmp_path):
    from efast_udp.udp import intermediates
    run = execute(UDP, data_dir, base(scene))
    paths = write_outputs(run, tmp_path, save_intermediates=True)
    written = {p.stem for p in (tmp_path / "intermediates").glob("*.nc")}
    assert {name for name, _ in intermediates()} <= written
    assert (tmp_path / "openEO.nc").is_file()
    tifs = sorted(tmp_path.glob("openEO_*Z.tif"))
    assert len(tifs) == run.result.sizes["t"] and set(tifs) <= set(paths)
    import xarray
    with xarray.open_dataset(tmp_path / "openEO.nc") as ds:
        assert {"B02", "B8A", "crs"} <= set(ds.variables) and ds["B02"].attrs["grid_mapping"] == "crs"


def test_whole_graph_one_window_equals_many(small_scene, small_data, monkeypatch):
    """Every named stage, with one window per cube (small stages computed at once) and with
    64 px windows (half a 128 px S2 tile), the 10 m stages lazy (UDF tiles, coarse cells and resampling straddling borders)."""
    scene, path = small_scene, small_data
    given = {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}
    one = execute(UDP, path, given, chunk_px=4096)
    monkeypatch.setattr(chunks, "PERSIST_BYTES", 100_000)  # the 300 m stages at once, the 10 m ones lazy
    many = execute(UDP, path, given, chunk_px=64)
    assert many.intermediates["fusion_input"].data.numblocks[-1] > 1
    assert set(one.intermediates) == set(many.intermediates)
    names = sorted(one.intermediates)
    computed = dask.compute(*[many.intermediates[name] for name in names])  # one pass over the lazy graph
    for name, cube in zip(names, computed):
        same(cube, one.intermediates[name])


@pytest.fixture(scope="module")
def run_out(small_scene, small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(argv(small_scene, small_data, out)) == 0
    return out


def test_outputs_are_cf_with_provenance_geotiffs_with_nodata_and_quicklooks(run_out):
    with xarray.open_dataset(run_out / "openEO.nc") as ds:
        assert ds.attrs["Conventions"] == "CF-1.8" and "doi.org/10.3390/rs16111833" in ds.attrs["references"]
        assert "efast 0." in ds.attrs["title"] and "/efast.json" in ds.attrs["source"]
        history = ds.attrs["history"]
        assert "efast-udp run --udp" in history and '"interval_days": 2' in history  # defaults included
        assert '"output_ndvi": true' in history
        for band in ("B02", "B03", "B04", "B8A", "NDVI"):
            assert ds[band].attrs["units"] == "1" and ds[band].attrs["long_name"], band
            assert np.isnan(ds[band].encoding["_FillValue"])
        assert "Sentinel-2 B04 and Sentinel-3 Syn_Oa08_reflectance" in ds["B04"].attrs["long_name"]
        dates = [str(np.datetime64(t, "D")) for t in ds["t"].values]
    import rasterio

    tifs = sorted(run_out.glob("openEO_*Z.tif"))
    assert [t.stem.split("_")[1] for t in tifs] == [f"{d}Z" for d in dates]
    with rasterio.open(tifs[0]) as tif:
        assert np.isnan(tif.nodata) and tif.descriptions == ("B02", "B03", "B04", "B8A", "NDVI")
        assert tif.tags()["date"] == dates[0] and tif.crs is not None
    pngs = {p.name for p in (run_out / "quicklooks").glob("*.png")}
    assert pngs == {f"{kind}_{d}.png" for d in dates for kind in ("rgb", "ndvi")}
    marker = json.loads((run_out / ".efast-udp").read_text())
    assert marker["command"] == "run" and "openEO.nc" in marker["files"] and f"quicklooks/rgb_{dates[0]}.png" in marker["files"]


def test_a_rerun_replaces_only_its_own_files(small_scene, small_data, run_out, capsys):
    (run_out / "notes.txt").write_text("mine")
    stale = run_out / "openEO_1999-01-01Z.tif"
    marker = json.loads((run_out / ".efast-udp").read_text())
    marker["files"].append("openEO_1999-01-01Z.tif")
    (run_out / ".efast-udp").write_text(json.dumps(marker))
    stale.write_text("from an earlier run")
    assert main(argv(small_scene, small_data, run_out, "--no-quicklooks", "--no-geotiff")) == 0
    assert (run_out / "notes.txt").read_text() == "mine" and not stale.exists()
    assert not (run_out / "quicklooks").exists() or not any((run_out / "quicklooks").iterdir())
    assert "no data: 0.0 %" in capsys.readouterr().err


def test_all_no_data_sentinel2_ends_with_a_warning_that_says_why(small_scene, tmp_path, capsys):
    blank = copy.copy(small_scene)
    blank.s2 = {k: np.full_like(v, np.nan) for k, v in small_scene.s2.items()}
    blank.write(tmp_path / "data")
    assert main(argv(blank, tmp_path / "data", tmp_path / "out", "--no-quicklooks", "--no-geotiff")) == 0
    captured = capsys.readouterr()
    assert "no data: 100.0 %" in captured.err
    assert "warning:" in captured.err and "no valid Sentinel-2 pixel" in captured.err


def test_a_killed_runs_quicklooks_are_its_own_for_the_next_run(small_scene, small_data, tmp_path, monkeypatch):
    """The marker a run writes before it starts lists the quicklooks too: a run killed after
    drawing leaves that marker, and the next run replaces them instead of refusing."""
    from efast_udp import outputs

    out = tmp_path / "out"
    # as if killed once everything is drawn: the marker stays the plan, the lock goes with the process
    monkeypatch.setattr(outputs.Claim, "release", lambda self: outputs.unlock(self.lock_fd))
    assert main(argv(small_scene, small_data, out, "--no-geotiff")) == 0
    planned = json.loads((out / outputs.MARKER).read_text())["files"]
    drawn = sorted(str(p.relative_to(out)) for p in (out / "quicklooks").glob("*.png"))
    assert drawn and set(drawn) <= set(planned)
    monkeypatch.undo()
    assert main(argv(small_scene, small_data, out, "--no-geotiff")) == 0


def test_a_run_that_fails_while_writing_leaves_no_partial_output(small_scene, small_data, tmp_path, capsys,
                                                                   monkeypatch):
    """A full disk while the GeoTIFFs are made: one line, exit 2, and the NetCDF written before
    it is removed again (it would look like a result)."""
    import errno
    import os

    from openeo_cdse_local import geotiff_writer

    def no_space(self):  # as close does when the COG conversion fails: the temporary files go, the error stays
        self.abort()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.paths[0]))

    monkeypatch.setattr(geotiff_writer.GeoTIFFWriter, "close", no_space)
    from run_support import argv

    out = tmp_path / "o"
    assert main(argv(small_scene, small_data, out, "--no-quicklooks")) == 2
    assert "No space left on device" in one_line_error(capsys, "run")
    assert not [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".efast-udp")]
