"""``resample_cube_spatial``: bring a cube onto the grid of ``target``.

Reproduces the back-end for this graph:
- ``near``: the source pixel containing each target pixel centre.
- ``bilinear``: interpolation between the four source pixel centres around each target pixel
  centre, normalised over those with data (GDAL's bilinear with no data); outside the outer
  source pixel centres the nearest edge value (clamped), no data where none of the four has.
- CDSE S3 *binning*, when the cube was loaded with ``featureflags`` ``reprojection_type:
  "binning"`` (the method argument is then ignored, as the loader bins instead of warping):
  each source pixel is split into ``super_sampling`` x ``super_sampling`` sub-pixels, pixels
  whose ``flag_band`` has any ``flag_bitmask`` bit set (or no flag) are dropped, and every
  target cell gets, per band, the mean of the sub-pixels with data whose centres fall into it.
"""

from __future__ import annotations

import numpy as np
import pyproj
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local.cube import Grid, cube_dims_order, grid_of, with_grid

METHODS = ("near", "bilinear", "average")


def _target_coords_in(source: Grid, target: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Target pixel centres (2-D) in the source CRS."""
    xx, yy = np.meshgrid(target.x, target.y)
    if source.crs != target.crs:
        xx, yy = pyproj.Transformer.from_crs(target.crs, source.crs, always_xy=True).transform(xx, yy)
    return xx, yy


def nearest(values: np.ndarray, source: Grid, target: Grid) -> np.ndarray:
    xx, yy = _target_coords_in(source, target)
    col = np.floor((xx - source.left) / source.res).astype(np.int64)
    row = np.floor((source.top - yy) / source.res).astype(np.int64)
    inside = (col >= 0) & (col < source.nx) & (row >= 0) & (row < source.ny)
    out = values[..., np.clip(row, 0, source.ny - 1), np.clip(col, 0, source.nx - 1)].astype(np.float32)
    out[..., ~inside] = np.nan
    return out


def bilinear(values: np.ndarray, source: Grid, target: Grid) -> np.ndarray:
    xx, yy = _target_coords_in(source, target)
    fx = np.clip((xx - source.x0) / source.res, 0, source.nx - 1)
    fy = np.clip((source.y0 - yy) / source.res, 0, source.ny - 1)
    i0 = np.minimum(np.floor(fy).astype(np.int64), max(source.ny - 2, 0))
    j0 = np.minimum(np.floor(fx).astype(np.int64), max(source.nx - 2, 0))
    i1, j1 = np.minimum(i0 + 1, source.ny - 1), np.minimum(j0 + 1, source.nx - 1)
    wy, wx = fy - i0, fx - j0
    out = np.empty(values.shape[:-2] + xx.shape, dtype=np.float32)
    lead = values.reshape((-1,) + values.shape[-2:])
    flat_out = out.reshape((-1,) + xx.shape)
    corners = ((i0, j0, (1 - wy) * (1 - wx)), (i0, j1, (1 - wy) * wx), (i1, j0, wy * (1 - wx)), (i1, j1, wy * wx))
    for k in range(lead.shape[0]):
        num = np.zeros(xx.shape)
        den = np.zeros(xx.shape)
        for i, j, w in corners:
            v = lead[k][i, j]
            ok = np.isfinite(v) & (w > 0)
            num += np.where(ok, v * w, 0.0)
            den += np.where(ok, w, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            flat_out[k] = np.where(den > 0, num / den, np.nan)
    return out


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


def resample_cube_spatial(data: xarray.DataArray, target: xarray.DataArray, method="near", **_ignored) -> xarray.DataArray:
    data = cube_dims_order(data)
    source, dest = grid_of(data), grid_of(target)
    attrs = {k: v for k, v in data.attrs.items() if k not in ("featureflags", "resolution")}
    flags = data.attrs.get("featureflags") or {}
    if flags.get("reprojection_type") == "binning":
        if data.dims != ("t", "bands", "y", "x"):
            raise EfastUdpError("resample_cube_spatial: binning needs a (t, bands, y, x) cube")
        bands = [str(b) for b in data.bands.values]
        values = binning(data.values, bands, source, dest, flags)
    elif method == "near":
        values = nearest(data.values, source, dest)
    elif method == "bilinear":
        values = bilinear(data.values, source, dest)
    else:
        raise EfastUdpError(f"resample_cube_spatial: method {method!r} is not supported locally ({', '.join(METHODS[:2])})")
    return with_grid(values, data.dims, dict(data.coords), dest, attrs)
