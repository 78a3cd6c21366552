"""``resample_spatial`` to a coarser resolution in the same CRS, by block aggregation.

Reproduces the back-end for this graph (``resolution=300, method="average"`` on the 10 m S2
grid): the new grid starts at the cube's top-left corner, each cell aggregates the
``resolution / old resolution`` (an integer, here 30) source pixels per axis it covers (fewer
at the right/bottom edge when the extent is not a multiple), ``average`` over the pixels with
data (no data where none has). Only integer down-sampling factors are supported locally.

Lazy: the windows are re-cut to a multiple of the factor (a cell never spans two windows) and
each window is reduced on its own, so the result equals the whole-scene reduction exactly.
"""

from __future__ import annotations

import numpy as np
import xarray

from openeo_cdse_local import chunks
from openeo_cdse_local.cube import Grid, crs_of, cube_dims_order, grid_of, with_grid
from openeo_cdse_local.errors import Unsupported
from openeo_cdse_local.registry import override

METHODS = ("average", "mean", "min", "max", "sum", "near")


def block_reduce(values: np.ndarray, factor: int, method: str) -> np.ndarray:
    """Reduce the last two axes by ``factor`` (edge blocks may be partial), NaN-aware."""
    *lead, ny, nx = values.shape
    cy, cx = -(-ny // factor), -(-nx // factor)
    padded = np.full((*lead, cy * factor, cx * factor), np.nan, dtype=np.float64)
    padded[..., :ny, :nx] = values
    blocks = padded.reshape(*lead, cy, factor, cx, factor)
    if method == "near":
        centre = factor // 2
        return blocks[..., :, centre, :, centre].astype(np.float32)
    count = np.isfinite(blocks).sum(axis=(-3, -1))
    reducer = {"average": np.nansum, "mean": np.nansum, "sum": np.nansum, "min": np.nanmin, "max": np.nanmax}[method]
    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = reducer(blocks, axis=(-3, -1))
        if method in ("average", "mean"):
            out = out / count
    out[count == 0] = np.nan
    return out.astype(np.float32)


def lazy_block_reduce(values, factor: int, method: str):
    """``block_reduce`` window by window on a dask array (..., y, x)."""
    spatial = {}
    for axis in (-2, -1):
        axis_chunks = values.chunks[axis]
        if not chunks.aligned(axis_chunks, factor):
            spatial[values.ndim + axis] = chunks.to_multiple(axis_chunks, factor)
    if spatial:
        values = values.rechunk(spatial)
    out_chunks = values.chunks[:-2] + tuple(tuple(-(-c // factor) for c in values.chunks[a]) for a in (-2, -1))
    return values.map_blocks(block_reduce, factor, method, chunks=out_chunks, dtype=np.float32,
                             meta=np.empty((0,) * values.ndim, np.float32))


@override("resample_spatial",
          reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.resample_spatial",
          upstream="openeo-processes-dask resample_spatial reprojects with odc-geo onto a grid of its own")
def resample_spatial(session, data: xarray.DataArray, resolution=0, projection=None, method="near",
                     align="upper-left", **_ignored) -> xarray.DataArray:
    data = cube_dims_order(data)
    grid = grid_of(data)
    if projection not in (None, grid.crs.to_epsg()) and projection is not None:
        raise Unsupported("resample_spatial: reprojection is not supported by the local executor")
    if method not in METHODS:
        raise Unsupported(f"resample_spatial: method {method!r} is not supported locally ({', '.join(METHODS)})")
    res = float(resolution[0] if isinstance(resolution, (list, tuple)) else resolution)
    if res in (0, grid.res):
        return data
    factor = res / grid.res
    if abs(factor - round(factor)) > 1e-9 or factor < 1:
        raise Unsupported(f"resample_spatial: resolution {res} is not an integer multiple of {grid.res}")
    factor = int(round(factor))
    values = lazy_block_reduce(chunks.as_dask(data, session.chunk_px), factor, method)
    new = Grid(crs_of(data), grid.left + res / 2, grid.top - res / 2, res, values.shape[-1], values.shape[-2])
    attrs = {k: v for k, v in data.attrs.items() if k != "resolution"}
    return with_grid(values, data.dims, dict(data.coords), new, attrs)
