"""openeo_cdse_local.geotiff_writer: ``efast-udp run``'s GeoTIFFs are COGs (overviews,
predictor, tiles) with the NetCDF's values, and a failed computation leaves no GeoTIFF and no
temporary folder."""

from __future__ import annotations

import numpy as np
import pytest
import xarray

from openeo_cdse_local import geotiff_writer
from outputs_support import BANDS


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
