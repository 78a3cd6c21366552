"""``apply_neighborhood`` over x and y with static ``size`` and ``overlap`` (pixels).

Reproduces the back-end: the cube is cut into chunks of ``size`` pixels per spatial axis,
each extended by ``overlap`` pixels on every side; beyond the cube's border that overlap is
no-data (NaN) on coordinates continuing the grid, as the process specification says ("the
missing overlap at the borders of the original data cube is made available as no-data
values in the sub-data cubes"). The callback
(here a UDF) sees the labelled chunk with all dates and bands, and only the chunk's core
(without the overlap) is kept in the result. The callback must keep the chunk's shape.
openeo-processes-dask has no implementation.
"""

from __future__ import annotations

import numpy as np
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local import callbacks, progress
from efast_udp.local.cube import cube_dims_order


def _pixels(spec, dim: str, default: int) -> int:
    for item in spec or []:
        if item.get("dimension") == dim:
            unit = item.get("unit", "px")
            if unit not in ("px", None):
                raise EfastUdpError(f"apply_neighborhood: unit {unit!r} is not supported locally (px only)")
            return int(item.get("value") or 0)
    return default


def _grid(coords: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Coordinates of pixels ``start..stop-1`` of a regular axis, continued beyond its ends."""
    step = float(coords[1] - coords[0]) if len(coords) > 1 else 1.0
    return float(coords[0]) + step * np.arange(start, stop)


def _padded_chunk(data: xarray.DataArray, ya: int, yb: int, xa: int, xb: int) -> xarray.DataArray:
    """Pixels [ya, yb) x [xa, xb) of ``data`` (dims ..., y, x); NaN outside the cube."""
    ny, nx = data.sizes["y"], data.sizes["x"]
    inner = data.isel(y=slice(max(ya, 0), min(yb, ny)), x=slice(max(xa, 0), min(xb, nx)))
    values = np.full(data.shape[:-2] + (yb - ya, xb - xa), np.nan, dtype=np.result_type(data.dtype, np.float32))
    values[..., max(ya, 0) - ya:min(yb, ny) - ya, max(xa, 0) - xa:min(xb, nx) - xa] = inner.values
    coords = {d: data[d].values for d in data.dims[:-2]}
    coords.update(y=_grid(data["y"].values, ya, yb), x=_grid(data["x"].values, xa, xb))
    return xarray.DataArray(values, dims=data.dims, coords=coords)


def apply_neighborhood(data: xarray.DataArray, process, size, overlap=None, context=None, **_ignored) -> xarray.DataArray:
    data = cube_dims_order(data)
    for item in size or []:
        if item.get("dimension") not in ("x", "y") and item.get("value") is not None:
            raise EfastUdpError("apply_neighborhood: only x/y neighbourhoods are supported locally")
    ny, nx = data.sizes["y"], data.sizes["x"]
    sy, sx = _pixels(size, "y", ny), _pixels(size, "x", nx)
    oy, ox = _pixels(overlap, "y", 0), _pixels(overlap, "x", 0)
    if sy <= 0 or sx <= 0:
        raise EfastUdpError("apply_neighborhood: size must be > 0")
    out = np.full(data.shape, np.nan, dtype=np.float32)
    starts = [(y0, x0) for y0 in range(0, ny, sy) for x0 in range(0, nx, sx)]
    with progress.sub_bar(len(starts), "chunks") as bar:
        for y0, x0 in starts:
            y1, x1 = min(y0 + sy, ny), min(x0 + sx, nx)
            chunk = _padded_chunk(data, y0 - oy, y1 + oy, x0 - ox, x1 + ox)
            ya, xa = y0 - oy, x0 - ox
            result = callbacks.call(process, data=chunk, context=context or {})
            if not isinstance(result, xarray.DataArray):
                result = xarray.DataArray(np.asarray(result), dims=chunk.dims, coords=chunk.coords)
            result = result.transpose(*chunk.dims)
            if result.shape != chunk.shape:
                raise EfastUdpError(
                    f"apply_neighborhood: the callback changed the chunk shape {chunk.shape} -> {result.shape}")
            out[..., y0:y1, x0:x1] = result.values[..., y0 - ya:y0 - ya + (y1 - y0), x0 - xa:x0 - xa + (x1 - x0)]
            bar.update(1)
    result = xarray.DataArray(out, dims=data.dims, coords={d: data[d].values for d in data.dims}, attrs=dict(data.attrs))
    return result.rio.write_crs(data.rio.crs)
