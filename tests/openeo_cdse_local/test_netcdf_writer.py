"""openeo_cdse_local.netcdf_writer: the NetCDF writer's own compression (chunks as HDF5
would store them, windows of whole chunks compressed beside the computation, any other window
through HDF5's filters), and ``efast-udp run``'s ``openEO.nc`` as other tools read it: CDSE's
names, a CRS that opens without options, IOOS ``compliance-checker --test cf:1.8`` (pinned in
.venv-cf) with no high or medium finding."""

from __future__ import annotations

import json
import subprocess

import h5py
import numpy as np
import pytest
import xarray

from cubes import cube, random
from efast_udp.project import ROOT
from openeo_cdse_local import netcdf_writer
from outputs_support import BANDS


def test_shuffled_deflate_is_what_hdf5_stores(tmp_path):
    values = random((1, 64, 48), seed=4)
    with h5py.File(tmp_path / "f.h5", "w") as f:
        dset = f.create_dataset("v", data=values, chunks=(1, 64, 48), compression="gzip",
                                compression_opts=netcdf_writer.NETCDF_COMPLEVEL, shuffle=True)
        mask, stored = dset.id.read_direct_chunk((0, 0, 0))
    assert mask == 0 and stored == netcdf_writer.shuffled_deflate(values, netcdf_writer.NETCDF_COMPLEVEL)


def written(tmp_path, values, windows, workers=2):
    c = cube(values, 10.0, x0=500_000.0, top=4_000_000.0, bands=["B02", "NDVI"])
    w = netcdf_writer.NetCDFWriter(c, tmp_path / "o.nc", workers=workers)
    for region in windows:
        w.write(region, values[region])
    w.close()
    with xarray.open_dataset(tmp_path / "o.nc", engine="h5netcdf") as ds:
        return np.stack([ds["B02"].values, ds["NDVI"].values], axis=1)


def test_whole_chunk_and_other_windows_read_back_bit_for_bit(tmp_path):
    values = random((3, 2, 300, 520), seed=7)  # 256 px chunks: edge chunks of 44 and 8 px
    t, b = slice(0, 3), slice(0, 2)
    whole = [(t, b, slice(0, 256), slice(0, 256)), (t, b, slice(0, 256), slice(256, 512)),
             (t, b, slice(0, 256), slice(512, 520)), (t, b, slice(256, 300), slice(0, 520))]
    np.testing.assert_array_equal(written(tmp_path / "a", values, whole), values)
    odd = [(t, b, slice(0, 100), slice(0, 520)), (t, b, slice(100, 300), slice(0, 300)),
           (t, b, slice(100, 300), slice(300, 520))]  # no chunk edges: HDF5's filters, read-modify-write
    np.testing.assert_array_equal(written(tmp_path / "b", values, odd, workers=1), values)


CF_VENV = ROOT / ".venv-cf"


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
