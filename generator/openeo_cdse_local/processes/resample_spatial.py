"""``resample_spatial`` to a coarser resolution in the same CRS, by block aggregation on the
back-end's grid.

Reproduces openeo-geopyspark-driver ``openeogeotrellis/geopysparkdatacube.py``
``GeopysparkDataCube.resample_spatial`` and ``_layout_for_resolution``: the new layout keeps the
tile size and is anchored at the old layout's *lower-left* corner: its left edge is the old
left edge, its bottom edge the old layout's bottom (the top-left origin less all its tile rows),
and it has ``ceil(extent / resolution)`` pixels per axis rounded up to whole tiles; so the new
cells' top edge is generally not the old top edge. Each new cell aggregates the old cells whose
centres fall into it (geotrellis ``tile_to_layout`` with ``AVERAGE``: the mean of those with
data, no data where none has). Nothing happens when the resolution already matches (within a
relative 1e-5). Only integer down-sampling factors are supported locally; the result fills
whole tiles of the new layout (no data where the source has none).

(This path runs because the graph's ``apply`` before ``resample_spatial`` keeps the dry run from
pushing the resample into ``load_collection``: see ``dryrun``.)

Lazy: the windows are re-cut to a multiple of the factor on the new cells' boundaries (a cell
never spans two windows) and each window is reduced on its own.
"""

from __future__ import annotations

import math
import warnings

import dask.array as da
import numpy as np
import xarray

from openeo_cdse_local import chunks
from openeo_cdse_local.cube import Grid, crs_of, cube_dims_order, grid_of, layout_of, with_grid
from openeo_cdse_local.grids import Layout, column_offset, row_offset
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


def anchored(layout: Layout, res: float) -> Layout:
    """The layout at ``res`` that ``_layout_for_resolution`` makes of ``layout``."""
    width, height = layout.right - layout.left, layout.top - layout.bottom
    tiles_x = math.ceil(math.ceil(round(width / res, 9)) / layout.tile_px)
    tiles_y = math.ceil(math.ceil(round(height / res, 9)) / layout.tile_px)
    top = layout.bottom + tiles_y * layout.tile_px * res
    return Layout(layout.crs, float(res), layout.left, top, layout.tile_px, tiles_x, tiles_y)


@override("resample_spatial",
          reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.resample_spatial, "
                     "_layout_for_resolution (anchored at the layout's lower-left corner)",
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
    if res == 0 or math.isclose(res, grid.res, rel_tol=1e-5):
        return data
    factor = res / grid.res
    if abs(factor - round(factor)) > 1e-9 or factor < 1:
        raise Unsupported(f"resample_spatial: resolution {res} is not an integer multiple of {grid.res}")
    factor = int(round(factor))
    old = layout_of(data, session.chunk_px)
    new = anchored(old, res)
    r0, c0 = row_offset(old, grid.y0), column_offset(old, grid.x0)
    shift = int(round((new.top - old.top) / grid.res))  # old pixel rows above the old top, in the new layout
    top, left = r0 + shift, c0  # the data's first pixel, in old pixels from the new layout's corner
    # new cells (and whole new tiles) the data touch
    k0, k1 = top // factor, (top + grid.ny - 1) // factor
    j0, j1 = left // factor, (left + grid.nx - 1) // factor
    t = new.tile_px
    tk0, tk1 = (k0 // t) * t, (k1 // t + 1) * t
    tj0, tj1 = (j0 // t) * t, (j1 // t + 1) * t
    lead = [(0, 0)] * (data.ndim - 2)
    values = chunks.as_dask(data, session.chunk_px)  # padded to whole new cells, reduced, padded to whole tiles
    values = chunks.pad_nan(values, lead + [(top - k0 * factor, (k1 + 1) * factor - (top + grid.ny)),
                                            (left - j0 * factor, (j1 + 1) * factor - (left + grid.nx))],
                            session.chunk_px)
    values = lazy_block_reduce(values, factor, method)
    values = chunks.pad_nan(values, lead + [(k0 - tk0, tk1 - k1 - 1), (j0 - tj0, tj1 - j1 - 1)],
                            session.chunk_px).rechunk({data.ndim - 2: session.chunk_px, data.ndim - 1: session.chunk_px})
    out = Grid(crs_of(data), new.left + (tj0 + 0.5) * res, new.top - (tk0 + 0.5) * res, res, tj1 - tj0, tk1 - tk0)
    attrs = {k: v for k, v in data.attrs.items() if k not in ("resolution", "layout")}
    attrs["layout"] = new
    return with_grid(values, data.dims, dict(data.coords), out, attrs)
