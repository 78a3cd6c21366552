"""openeo_cdse_local.writers: what the writers share. The layout of a CDSE result, so that
rioxarray and one downstream script (docs/examples/read_results.py) read a CDSE-like result and
``run``'s output alike; band names that can be variables; files claimed only where nothing is
(never through a symbolic link out of the output folder, never over a FIFO or a user's file)."""

from __future__ import annotations

import json
import os

import pytest
import xarray

import cdse_like
from efast_udp.cli import main
from efast_udp.project import ROOT
from openeo_cdse_local import writers
from outputs_support import BANDS, argv, copy_of, one_line

READ_RESULTS = ROOT / "docs" / "examples" / "read_results.py"


def test_rioxarray_opens_the_netcdf_and_the_geotiffs(run_out):
    import rioxarray

    tif = rioxarray.open_rasterio(sorted(run_out.glob("openEO_*Z.tif"))[0])
    assert tif.rio.crs.to_epsg() == 32628 and list(tif.attrs["long_name"]) == BANDS
    nc = rioxarray.open_rasterio(run_out / "openEO.nc")  # GDAL's netCDF driver; decodes t with cftime
    assert nc["B02"].rio.crs.to_epsg() == 32628


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
