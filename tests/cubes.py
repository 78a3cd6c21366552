"""The fake-cube factory the executor tests share: labelled (t, bands, y, x) cubes on a UTM grid,
random values with gaps, UDF callbacks as the graph parser hands them over, and comparisons."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pyproj

from openeo_cdse_local import Session
from openeo_cdse_local.callbacks import PARENT_CONTEXT, PROBE, UdfCall
from openeo_cdse_local.cube import Grid, with_grid

CRS = pyproj.CRS.from_epsg(32628)
TOL = 1e-6


def cube(values, res, x0=0.0, top=0.0, bands=None, window=None, attrs=None, t=None, crs=CRS):
    """A (t, bands, y, x) cube whose grid starts at (x0, top), cut into ``window`` px windows
    (numpy-backed without); daily labels from 2023-06-01 unless ``t`` is given."""
    values = np.asarray(values, dtype=np.float32)
    grid = Grid(crs, x0 + res / 2, top - res / 2, res, values.shape[-1], values.shape[-2])
    if window is not None:
        values = da.from_array(values, chunks=(-1, -1, window, window))
    bands = bands or [f"b{i}" for i in range(values.shape[1])]
    if t is None:
        t = np.datetime64("2023-06-01", "ns") + np.arange(values.shape[0]).astype("timedelta64[D]")
    return with_grid(values, ("t", "bands", "y", "x"), {"t": np.asarray(t, "datetime64[ns]"), "bands": bands},
                     grid, attrs)


def random(shape, seed=0, nan=0.2):
    """Uniform values in [0, 1) with a fraction ``nan`` of no data."""
    rng = np.random.default_rng(seed)
    values = rng.random(shape).astype(np.float32)
    values[rng.random(shape) < nan] = np.nan
    return values


def same(a, b, tol=TOL):
    """Same shape, same no-data pattern, values within ``tol``."""
    a, b = np.asarray(getattr(a, "values", a), float), np.asarray(getattr(b, "values", b), float)
    assert a.shape == b.shape
    assert np.array_equal(np.isfinite(a), np.isfinite(b))
    assert np.nanmax(np.abs(a - b), initial=0.0) <= tol


def session(tmp_path=".", **options) -> Session:
    return Session(tmp_path, **options)


def udf_callback(code: str, context=PARENT_CONTEXT):
    """A compiled callback that is one ``run_udf`` of ``code`` on its data, as the parser hands it
    to a process: called with the probe, it answers what the executor's ``run_udf`` answers."""

    def callback(named_parameters):
        if named_parameters.get("data") is not PROBE:
            raise AssertionError("the executor called the UDF callback itself instead of running the UDF")
        return UdfCall(code, "Python", context)

    return callback


def recorded_udf_inputs(monkeypatch, module) -> list:
    """The chunks or tiles a process ``module`` (``openeo_cdse_local.processes.<name>``) hands to
    its UDF, in the order of the calls: its ``run_udf.invoke`` wrapped for the test."""
    seen = []
    original = module.run_udf.invoke

    def record(call, data, context):
        seen.append(data)
        return original(call, data, context)

    monkeypatch.setattr(module.run_udf, "invoke", record)
    return seen


#: NaN-aware box mean over (2 * context["radius"] + 1)^2 pixels, as a UDF: padding and the cube's
#: outside both count as absent, so a chunk needs exactly ``radius`` px of halo
BOX_MEAN_UDF = '''
import numpy as np
import xarray
from scipy import ndimage


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    k = 2 * int(context["radius"]) + 1
    values = cube.values
    finite = np.isfinite(values)
    size = (1,) * (values.ndim - 2) + (k, k)
    total = ndimage.uniform_filter(np.where(finite, values, 0.0), size=size, mode="constant")
    count = ndimage.uniform_filter(finite.astype(float), size=size, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        return cube.copy(data=(total / count).astype(np.float32))
'''


def spec(value_x, value_y=None):
    """An apply_neighborhood size/overlap list in pixels."""
    return [{"dimension": "x", "value": value_x, "unit": "px"},
            {"dimension": "y", "value": value_x if value_y is None else value_y, "unit": "px"}]
