"""``resample_cube_spatial``: bring a cube onto the grid of ``target``.

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.resample_cube_spatial``; S3 binning: ``openeogeotrellis/collections/sentinel3.py``,
``do_binning``) for this graph. Upstream: openeo-processes-dask reprojects with odc-geo, which
knows no binning. Methods:
- ``near``: the source pixel containing each target pixel centre.
- ``bilinear``: interpolation between the four source pixel centres around each target pixel
  centre, normalised over those with data (GDAL's bilinear with no data); outside the outer
  source pixel centres the nearest edge value (clamped), no data where none of the four has.
- CDSE S3 *binning*, when the cube was loaded with ``featureflags`` ``reprojection_type:
  "binning"`` (the method argument is then ignored, as the loader bins instead of warping):
  each source pixel is split into ``super_sampling`` x ``super_sampling`` sub-pixels, pixels
  whose ``flag_band`` has any ``flag_bitmask`` bit set (or no flag) are dropped, and every
  target cell gets, per band, the mean of the sub-pixels with data whose centres fall into it.

Lazy: ``near`` and ``bilinear`` produce the target's windows one by one, each from the source
window around it (index arithmetic on the whole grids, so a window equals the same pixels of a
whole-scene resampling); binning, whose target is the coarse grid, runs per group of dates.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pyproj
import xarray

from openeo_cdse_local import chunks
from openeo_cdse_local.cube import Grid, cube_dims_order, grid_of, with_grid
from openeo_cdse_local.errors import Unsupported
from openeo_cdse_local.registry import override

METHODS = ("near", "bilinear", "average")
#: dates per binning task (the coarse grid is small; this bounds a task's sub-pixel arrays)
BINNING_DATES = 8


def _target_coords_in(source: Grid, target: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Target pixel centres (2-D) in the source CRS."""
    xx, yy = np.meshgrid(target.x, target.y)
    if source.crs != target.crs:
        xx, yy = pyproj.Transformer.from_crs(target.crs, source.crs, always_xy=True).transform(xx, yy)
    return xx, yy


def _fractional(source: Grid, target: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Target pixel centres as fractional source (column, row) indices; 1-D each when the CRSs
    agree (the grids are then axis-aligned), else 2-D."""
    if source.crs == target.crs:
        return (target.x - source.x0) / source.res, (source.y0 - target.y) / source.res
    xx, yy = _target_coords_in(source, target)
    return (xx - source.x0) / source.res, (source.y0 - yy) / source.res


def nearest(values: np.ndarray, source: Grid, target: Grid, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Nearest neighbour of (..., y, x) ``values`` onto ``target``; ``values`` may be the window
    of ``source`` starting at pixel (row, column) ``offset``."""
    if source.crs == target.crs:
        xx, yy = target.x[None, :], target.y[:, None]
    else:
        xx, yy = _target_coords_in(source, target)
    col = np.floor((xx - source.left) / source.res).astype(np.int64)
    row = np.floor((source.top - yy) / source.res).astype(np.int64)
    col, row = np.broadcast_arrays(col, row)
    inside = (col >= 0) & (col < source.nx) & (row >= 0) & (row < source.ny)
    r = np.clip(row - offset[0], 0, values.shape[-2] - 1)
    c = np.clip(col - offset[1], 0, values.shape[-1] - 1)
    out = values[..., r, c].astype(np.float32)
    out[..., ~inside] = np.nan
    return out


def _corners(f: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower/upper source index and the upper one's weight for fractional indices ``f``."""
    f = np.clip(f, 0, n - 1)
    lo = np.minimum(np.floor(f).astype(np.int64), max(n - 2, 0))
    return lo, np.minimum(lo + 1, n - 1), f - lo


def bilinear(values: np.ndarray, source: Grid, target: Grid, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Bilinear (NaN-aware, clamped) of (..., y, x) ``values`` onto ``target``; ``values`` may be
    the window of ``source`` starting at pixel (row, column) ``offset``."""
    fx, fy = _fractional(source, target)
    j0, j1, wx = _corners(fx, source.nx)
    i0, i1, wy = _corners(fy, source.ny)
    i0, i1, j0, j1 = i0 - offset[0], i1 - offset[0], j0 - offset[1], j1 - offset[1]
    lead = values.reshape((-1,) + values.shape[-2:])
    shape = (fy.size, fx.size) if fx.ndim == 1 else fx.shape
    out = np.empty((lead.shape[0],) + shape, dtype=np.float32)
    for k in range(lead.shape[0]):
        out[k] = (_separable if fx.ndim == 1 else _pointwise)(lead[k], i0, i1, wy, j0, j1, wx)
    return out.reshape(values.shape[:-2] + shape)


def _separable(v, i0, i1, wy, j0, j1, wx) -> np.ndarray:
    """One layer, axis-aligned grids: weighted sums along x on the source rows, then along y."""
    finite = np.isfinite(v)
    if not finite.any():
        return np.full((i0.size, j0.size), np.nan)
    v = np.where(finite, v, 0.0)
    num = v[:, j0] * (1 - wx) + v[:, j1] * wx
    num = num[i0] * (1 - wy)[:, None] + num[i1] * wy[:, None]
    if finite.all():
        return num
    ok = finite.astype(np.float64)
    den = ok[:, j0] * (1 - wx) + ok[:, j1] * wx
    den = den[i0] * (1 - wy)[:, None] + den[i1] * wy[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _pointwise(v, i0, i1, wy, j0, j1, wx) -> np.ndarray:
    """One layer, any grids: the four corners of every target pixel."""
    num = np.zeros(i0.shape)
    den = np.zeros(i0.shape)
    for i, j, w in ((i0, j0, (1 - wy) * (1 - wx)), (i0, j1, (1 - wy) * wx), (i1, j0, wy * (1 - wx)), (i1, j1, wy * wx)):
        value = v[i, j]
        ok = np.isfinite(value) & (w > 0)
        num += np.where(ok, value * w, 0.0)
        den += np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def binning(values: np.ndarray, bands: list[str], source: Grid, target: Grid, flags: dict) -> np.ndarray:
    """CDSE S3 binning of (t, bands, y, x) onto ``target``."""
    n = int(flags.get("super_sampling", 1))
    flag_band = flags.get("flag_band")
    bitmask = int(flags.get("flag_bitmask", 0))
    offsets = (np.arange(n) + 0.5) / n - 0.5  # sub-pixel centres, in source pixels
    sx = (source.x[:, None] + offsets[None, :] * source.res).ravel()
    sy = (source.y[:, None] - offsets[None, :] * source.res).ravel()
    xx, yy = np.meshgrid(sx, sy)
    if source.crs != target.crs:
        xx, yy = pyproj.Transformer.from_crs(source.crs, target.crs, always_xy=True).transform(xx, yy)
    col = np.floor((xx - target.left) / target.res).astype(np.int64)
    row = np.floor((target.top - yy) / target.res).astype(np.int64)
    inside = (col >= 0) & (col < target.nx) & (row >= 0) & (row < target.ny)
    cell = np.where(inside, row * target.nx + col, -1).ravel()
    n_cells = target.nx * target.ny
    out = np.full((values.shape[0], values.shape[1], n_cells), np.nan, dtype=np.float32)
    for ti in range(values.shape[0]):
        layer = np.repeat(np.repeat(values[ti], n, axis=-2), n, axis=-1).reshape(values.shape[1], -1)
        keep = cell >= 0
        if flag_band in bands:
            flag = layer[bands.index(flag_band)]
            finite = np.isfinite(flag)
            keep &= finite & ((np.where(finite, flag, 0).astype(np.int64) & bitmask) == 0)
        for bi in range(values.shape[1]):
            ok = keep & np.isfinite(layer[bi])
            total = np.bincount(cell[ok], weights=layer[bi][ok], minlength=n_cells)
            count = np.bincount(cell[ok], minlength=n_cells)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[ti, bi] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out.reshape(values.shape[:2] + (target.ny, target.nx))


def _window(source: Grid, block: Grid, margin: int) -> tuple[slice, slice]:
    """Source rows and columns that the target ``block`` reads (with ``margin`` pixels more)."""
    fx, fy = _fractional(source, block)

    def span(f, n):
        f = np.clip(f, 0, n - 1)
        return slice(max(int(np.floor(np.nanmin(f))) - margin, 0), min(int(np.floor(np.nanmax(f))) + margin + 2, n))

    return span(fy, source.ny), span(fx, source.nx)


def _target_chunks(target: xarray.DataArray, axis: str, chunk_px: int) -> tuple[int, ...]:
    data = target.data
    if chunks.is_lazy(target):
        return data.chunks[target.dims.index(axis)]
    return chunks.spatial_chunks(target.sizes[axis], chunk_px)


def regrid(data: xarray.DataArray, dest: Grid, y_chunks, x_chunks, kernel, chunk_px: int):
    """``kernel(window, source, target_block, offset)`` over the target windows, lazily."""
    source = grid_of(data)
    values = chunks.as_dask(data, chunk_px)
    rows, shapes = [], []
    for y0, ny in zip(chunks.starts(y_chunks), y_chunks):
        row, row_shapes = [], []
        for x0, nx in zip(chunks.starts(x_chunks), x_chunks):
            block = Grid(dest.crs, dest.x0 + x0 * dest.res, dest.y0 - y0 * dest.res, dest.res, nx, ny)
            r, c = _window(source, block, margin=1)
            row.append(chunks.delayed(kernel)(values[..., r, c], source, block, (r.start, c.start)))
            row_shapes.append(values.shape[:-2] + (ny, nx))
        rows.append(row)
        shapes.append(row_shapes)
    return chunks.from_pieces(rows, shapes, np.float32)


def lazy_binning(data: xarray.DataArray, dest: Grid, flags: dict, chunk_px: int):
    values = chunks.as_dask(data, chunk_px).rechunk({0: BINNING_DATES, 2: -1, 3: -1})
    bands = [str(b) for b in data.bands.values]
    out_chunks = (values.chunks[0], values.chunks[1], (dest.ny,), (dest.nx,))
    return values.map_blocks(partial(binning, bands=bands, source=grid_of(data), target=dest, flags=flags),
                             chunks=out_chunks, dtype=np.float32, meta=np.empty((0, 0, 0, 0), np.float32))


@override("resample_cube_spatial",
          reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.resample_cube_spatial; "
                     "openeogeotrellis/collections/sentinel3.py do_binning",
          upstream="openeo-processes-dask resample_cube_spatial knows no binning featureflags")
def resample_cube_spatial(session, data: xarray.DataArray, target: xarray.DataArray, method="near", **_ignored) -> xarray.DataArray:
    data = cube_dims_order(data)
    dest = grid_of(target)
    attrs = {k: v for k, v in data.attrs.items() if k not in ("featureflags", "resolution")}
    flags = data.attrs.get("featureflags") or {}
    if flags.get("reprojection_type") == "binning":
        if data.dims != ("t", "bands", "y", "x"):
            raise Unsupported("resample_cube_spatial: binning needs a (t, bands, y, x) cube")
        values = lazy_binning(data, dest, flags, session.chunk_px)
    elif method in ("near", "bilinear"):
        kernel = nearest if method == "near" else bilinear
        values = regrid(data, dest, _target_chunks(target, "y", session.chunk_px),
                        _target_chunks(target, "x", session.chunk_px), kernel, session.chunk_px)
    else:
        raise Unsupported(f"resample_cube_spatial: method {method!r} is not supported locally ({', '.join(METHODS[:2])})")
    return with_grid(values, data.dims, dict(data.coords), dest, attrs)
