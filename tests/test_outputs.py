"""``efast-udp run``'s outputs in the tools users have, and its output folder under hostile use.

Formats (issue 21): the NetCDF opens with xarray + rioxarray (CRS without options) and passes
IOOS ``compliance-checker --test cf:1.8`` (pinned in .venv-cf) with no high or medium finding;
the GeoTIFFs are COGs (overviews, predictor, tiles) with the NetCDF's values; one downstream
script (docs/examples/read_results.py) reads a CDSE-like result and run's output alike.

Folder safety (issue 20): a run never writes over or through what it did not create (a user's
file, a hard link out of the folder, a FIFO, a symbolic link), and a second run into a folder
that is being written stops with one line.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray

import cdse_like
from efast_udp.cli import main
from efast_udp.outputs import LOCK
from efast_udp.project import LATEST_UDP, ROOT
from openeo_cdse_local import geotiff_writer, writers

CF_VENV = ROOT / ".venv-cf"
READ_RESULTS = ROOT / "docs" / "examples" / "read_results.py"
EFAST_UDP = str(Path(sys.executable).parent / "efast-udp")
BANDS = ["B02", "B03", "B04", "B8A", "NDVI"]


def params(scene) -> dict:
    return {"spatial_extent": scene.spatial_extent, "temporal_extent": scene.temporal_extent, "output_ndvi": True}


def argv(data, out, scene, *extra) -> list[str]:
    args = ["run", "--udp", str(LATEST_UDP), "--data", str(data), "--out", str(out), "--quiet", "--chunk-px", "32"]
    return args + [f"--param={k}={json.dumps(v)}" for k, v in params(scene).items()] + list(extra)


@pytest.fixture(scope="module")
def run_out(small_scene, small_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs") / "out"
    assert main(argv(small_data, out, small_scene, "--no-quicklooks")) == 0
    return out


@pytest.fixture
def copy_of(run_out, tmp_path):
    """A private copy of the run's folder (marker included), to rerun into and to tamper with."""
    out = tmp_path / "out"
    shutil.copytree(run_out, out)
    return out


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- formats ---------------------------------------------------------------------------------

def test_netcdf_has_cdse_names_and_its_crs_opens_without_options(run_out):
    import h5py
    import rioxarray  # noqa: F401

    with xarray.open_dataset(run_out / "openEO.nc") as ds:  # no decode_coords="all"
        assert ds.rio.crs.to_epsg() == 32628 and list(ds.data_vars) == BANDS
        assert ds["crs"].attrs["crs_wkt"] and ds["crs"].attrs["spatial_ref"] and ds["crs"].attrs["epsg_code"] == "EPSG:32628"
        assert all(ds[b].dims == ("t", "y", "x") and ds[b].attrs["grid_mapping"] == "crs" for b in BANDS)
        assert {ds[c].attrs["axis"] for c in ("t", "y", "x")} == {"T", "Y", "X"}
        assert ds["x"].attrs["standard_name"] == "projection_x_coordinate" and ds["y"].attrs["units"] == "m"
    with h5py.File(run_out / "openEO.nc") as f:
        assert f["t"].dtype == np.int32 and f["t"].attrs["units"] == "days since 1990-01-01"
        assert f["t"].attrs["calendar"] == "standard"
        assert not any("_FillValue" in f[c].attrs for c in ("t", "y", "x"))


def test_rioxarray_opens_the_netcdf_and_the_geotiffs(run_out):
    import rioxarray

    tif = rioxarray.open_rasterio(sorted(run_out.glob("openEO_*Z.tif"))[0])
    assert tif.rio.crs.to_epsg() == 32628 and list(tif.attrs["long_name"]) == BANDS
    nc = rioxarray.open_rasterio(run_out / "openEO.nc")  # GDAL's netCDF driver; decodes t with cftime
    assert nc["B02"].rio.crs.to_epsg() == 32628


def test_geotiffs_are_cogs_with_the_netcdf_values_bit_for_bit(run_out):
    import rasterio

    with xarray.open_dataset(run_out / "openEO.nc") as ds:
        days = [str(d) for d in ds["t"].values.astype("datetime64[D]")]
        for i, day in enumerate(days):
            with rasterio.open(run_out / f"openEO_{day}Z.tif") as src:
                layout = src.tags(ns="IMAGE_STRUCTURE")
                assert layout["LAYOUT"] == "COG" and layout["COMPRESSION"] == "DEFLATE" and layout["PREDICTOR"] == "3"
                assert src.profile["tiled"] and src.block_shapes[0] == (256, 256) and src.overviews(1)
                assert np.isnan(src.nodata) and src.descriptions == tuple(BANDS) and src.tags()["date"] == day
                values = src.read()
                overview = src.read(1, out_shape=(src.height // src.overviews(1)[0], src.width // src.overviews(1)[0]))
            # nearest-neighbour overviews, as CDSE's writer makes them: no value that is not in the band
            assert np.isin(overview[np.isfinite(overview)], values[0]).all()
            expected = np.stack([ds[b].isel(t=i).values for b in BANDS])
            assert np.array_equal(np.isnan(values), np.isnan(expected))
            assert np.nanmax(np.abs(values - expected)) == 0.0
    assert not list(run_out.glob(".partial-*"))  # the temporary GeoTIFFs are gone


@pytest.mark.skipif(not (CF_VENV / "bin" / "compliance-checker").exists(), reason="no .venv-cf: run `make cf-venv`")
def test_compliance_checker_cf_1_8_has_no_high_or_medium_finding(run_out, tmp_path):
    report = tmp_path / "cf.json"
    proc = subprocess.run([str(CF_VENV / "bin" / "compliance-checker"), "--test", "cf:1.8", "--format", "json",
                           "--output", str(report), str(run_out / "openEO.nc")],
                          capture_output=True, text=True, timeout=120)
    result = json.loads(report.read_text())["cf:1.8"]
    findings = {level: [m for section in result[f"{level}_priorities"] for m in section["msgs"]]
                for level in ("high", "medium")}
    assert findings == {"high": [], "medium": []}, findings
    assert proc.returncode == 0


def test_one_downstream_script_reads_a_cdse_result_and_runs_output(run_out, tmp_path):
    with xarray.open_dataset(run_out / "openEO.nc") as ds:
        bands = {b: ds[b].values for b in BANDS}
        days, x, y = ds["t"].values, ds["x"].values, ds["y"].values
    cdse = cdse_like.write(tmp_path / "cdse", bands, days, x, y, 32628)
    import importlib.util

    spec = importlib.util.spec_from_file_location("read_results", READ_RESULTS)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    summaries = [json.loads(json.dumps(script.read(folder))) for folder in (cdse, run_out)]
    assert summaries[0] == summaries[1]  # the same numbers from both layouts
    assert summaries[1]["crs"] == "EPSG:32628" and summaries[1]["bands"] == BANDS
    assert summaries[1]["max_abs_diff_geotiff_netcdf"] == 0.0 and summaries[1]["geotiffs"] == len(days)


# --- the output folder -----------------------------------------------------------------------

def test_a_users_file_where_an_intermediate_goes_is_kept_and_nothing_is_removed(small_scene, small_data, copy_of,
                                                                                capsys):
    mine = copy_of / "intermediates" / "s2_input.nc"
    mine.parent.mkdir()
    mine.write_text("my own notes")
    before = sorted(p.name for p in copy_of.iterdir())
    assert main(argv(small_data, copy_of, small_scene, "--save-intermediates", "--no-quicklooks")) == 2
    err = one_line(capsys)
    assert "intermediates/s2_input.nc is there and `efast-udp run` did not write it" in err
    assert mine.read_text() == "my own notes" and sorted(p.name for p in copy_of.iterdir()) == before


def test_a_hard_link_to_a_file_outside_is_never_written_through(small_scene, small_data, copy_of, tmp_path, capsys):
    outside = tmp_path / "outside.nc"
    outside.write_text("not yours")
    (copy_of / "intermediates").mkdir()
    os.link(outside, copy_of / "intermediates" / "fused.nc")  # where an output goes, not listed
    assert main(argv(small_data, copy_of, small_scene, "--save-intermediates", "--no-quicklooks")) == 2
    assert "intermediates/fused.nc is there" in one_line(capsys) and outside.read_text() == "not yours"
    (copy_of / "openEO.nc").unlink()
    os.link(outside, copy_of / "openEO.nc")  # a listed file replaced by a hard link
    assert main(argv(small_data, copy_of, small_scene, "--no-quicklooks")) == 2
    assert "openEO.nc, listed in .efast-udp, is now a file with another hard link" in one_line(capsys)
    assert outside.read_text() == "not yours" and os.stat(outside).st_nlink == 3  # both links still there


def test_a_symbolic_link_out_of_the_folder_is_refused(small_scene, small_data, copy_of, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (copy_of / "intermediates").symlink_to(elsewhere)
    assert main(argv(small_data, copy_of, small_scene, "--save-intermediates", "--no-quicklooks")) == 2
    assert "a symbolic link (intermediates)" in one_line(capsys) and not any(elsewhere.iterdir())
    with pytest.raises(writers.OutputRefused, match="is a symbolic link, not a folder"):
        writers.claim_path(copy_of / "intermediates" / "x.nc", copy_of)
    (copy_of / "link.nc").symlink_to(elsewhere / "target.nc")
    with pytest.raises(writers.OutputRefused, match=r"it exists \(a symbolic link\)"):
        writers.claim_path(copy_of / "link.nc", copy_of)
    assert not any(elsewhere.iterdir())


@pytest.mark.parametrize("where", ["intermediates/fused.nc", "openEO.nc"])
def test_a_fifo_named_like_an_output_is_refused_without_opening_it(small_scene, small_data, copy_of, where):
    fifo = copy_of / where
    fifo.parent.mkdir(exist_ok=True)
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    cmd = [EFAST_UDP, *argv(small_data, copy_of, small_scene, "--save-intermediates",
                                                          "--no-quicklooks", "--no-geotiff")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)  # a blocking open would hang here
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert f"it holds a FIFO ({where}), which efast-udp never makes" in proc.stderr
    assert fifo.is_fifo() and (copy_of / "openEO.nc").exists()


def test_a_second_run_into_a_folder_being_written_stops_with_one_line(small_scene, small_data, tmp_path, capsys):
    out = tmp_path / "out"
    first = subprocess.Popen([EFAST_UDP,
                              *argv(small_data, out, small_scene, "--no-quicklooks", "--no-geotiff")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not _locked(out / LOCK):  # until the first run holds the folder
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.1)
        assert main(argv(small_data, out, small_scene, "--no-quicklooks", "--no-geotiff")) == 2
        assert "another `efast-udp run` is writing there (it holds .efast-udp.lock)" in one_line(capsys)
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
    assert json.loads((out / ".efast-udp").read_text())["files"] == ["openEO.nc"]


def _locked(path: Path) -> bool:
    if not path.exists():
        return False
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


@pytest.mark.parametrize("names, why", [
    (["a/b", "B03", "B04", "B8A"], "'a/b' is not a valid variable name"),
    (["../c", "B03", "B04", "B8A"], "'../c' is not a valid variable name"),
    (["x", "B03", "B04", "B8A"], "'x' is taken by a coordinate"),
    (["crs", "B03", "B04", "B8A"], "'crs' is taken by a coordinate or the grid mapping"),
    (["spatial_ref", "B03", "B04", "B8A"], "'spatial_ref' is taken"),
    (["NDVI", "B03", "B04", "B8A"], "band names 'NDVI' and 'NDVI' are the same name"),
])
def test_band_names_that_cannot_be_variables_are_refused_with_one_line(small_scene, small_data, tmp_path, capsys,
                                                                       names, why):
    out = tmp_path / "out"
    assert main(argv(small_data, out, small_scene, f"--param=fused_band_names={json.dumps(names)}")) == 2
    err = one_line(capsys)
    assert "fused_band_names: " in err and why in err and not out.exists()


def test_claim_path_creates_only_new_plain_files(tmp_path):
    fifo = tmp_path / "fifo.nc"
    os.mkfifo(fifo)
    with pytest.raises(writers.OutputRefused, match=r"it exists \(a FIFO\)"):
        writers.claim_path(fifo)
    (tmp_path / "mine.tif").write_text("mine")
    with pytest.raises(writers.OutputRefused, match=r"it exists \(a file\) and this run did not create it"):
        writers.claim_path(tmp_path / "mine.tif")
    with pytest.raises(writers.OutputRefused, match="not inside the output folder"):
        writers.claim_path(tmp_path / "sub" / ".." / ".." / "escape.nc", tmp_path / "sub")
    made = writers.claim_path(tmp_path / "a" / "b" / "new.nc", tmp_path)
    assert made.is_file() and made.stat().st_size == 0 and (tmp_path / "mine.tif").read_text() == "mine"


def test_a_forced_build_output_replaces_a_hard_link_without_writing_through(tmp_path, capsys):
    outside = tmp_path / "outside.json"
    outside.write_text("not yours")
    os.link(outside, tmp_path / "udp.json")
    assert main(["build", "--until", "s3_composite", "--force", "-o", str(tmp_path / "udp.json")]) == 0
    assert outside.read_text() == "not yours" and json.loads((tmp_path / "udp.json").read_text())["process_graph"]
    assert not list(tmp_path.glob(".udp.json.*"))  # no temporary file left


def test_a_failed_computation_leaves_no_geotiff_and_no_temporary_folder(tmp_path):
    import dask.array as da

    from cubes import cube, random
    from openeo_cdse_local import stream

    def fail(block):
        raise RuntimeError("a window failed")

    values = cube(random((2, 2, 20, 20)), 10.0, window=10)
    broken = values.copy(data=da.map_blocks(fail, values.data, dtype=np.float32))
    with pytest.raises(RuntimeError, match="a window failed"):
        stream.write([(broken, [lambda c: geotiff_writer.GeoTIFFWriter(c, tmp_path)])], chunk_px=10)
    assert list(tmp_path.iterdir()) == []
    (path,) = [p for p in geotiff_writer.write_geotiffs(values[:1], tmp_path)]
    assert path.name == "openEO_2023-06-01Z.tif" and list(tmp_path.iterdir()) == [path]
