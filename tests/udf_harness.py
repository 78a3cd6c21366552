"""Run the embedded UDF sources the way back-ends do: through the openeo client's UDF runner."""

from __future__ import annotations

import numpy as np
import openeo
import xarray
from openeo.metadata import BandDimension, CubeMetadata, SpatialDimension, TemporalDimension
from openeo.udf.run_code import execute_local_udf, load_module_from_string

from efast_udp.udf_source import udf_code


def cube(values, bands, dates=None, x=None, y=None) -> xarray.DataArray:
    """A (t, bands, y, x) cube (or (bands, y, x) without dates) with simple coordinates."""
    values = np.asarray(values, dtype=np.float64)
    ny, nx = values.shape[-2:]
    coords = {
        "bands": list(bands),
        "y": np.arange(ny, dtype=float) * -300.0 if y is None else y,
        "x": np.arange(nx, dtype=float) * 300.0 if x is None else x,
    }
    dims = ("bands", "y", "x")
    if dates is not None:
        coords["t"] = np.array(dates, dtype="datetime64[ns]")
        dims = ("t",) + dims
    return xarray.DataArray(values, dims=dims, coords=coords)


def run(module: str, data: xarray.DataArray, context: dict) -> xarray.DataArray:
    """Execute the rendered UDF code of ``module`` on ``data`` with ``context``."""
    result = execute_local_udf(openeo.UDF(code=udf_code(module), runtime="Python", context=context), data)
    return result.get_datacube_list()[0].get_array()


def metadata_after(module: str, bands: list[str], context: dict) -> list[str]:
    """Band names after the UDF's ``apply_metadata``."""
    namespace = load_module_from_string(udf_code(module))
    metadata = CubeMetadata(dimensions=[
        SpatialDimension(name="x", extent=[0, 1]), SpatialDimension(name="y", extent=[0, 1]),
        TemporalDimension(name="t", extent=["2022-01-01", "2022-12-31"]),
        BandDimension(name="bands", bands=[]).rename_labels(target=bands, source=None),
    ])
    return namespace["apply_metadata"](metadata, context).band_names


def days(*values: int) -> list:
    """Dates as days after 2022-09-01."""
    return [np.datetime64("2022-09-01") + np.timedelta64(v, "D") for v in values]
