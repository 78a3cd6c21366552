"""``apply_neighborhood`` over x and y with static ``size`` and ``overlap`` (pixels).

Reproduces the back-end: the cube is cut into chunks of ``size`` pixels per spatial axis,
each extended by ``overlap`` pixels on every side (less at the cube's border), the callback
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
            ya, xa = max(y0 - oy, 0), max(x0 - ox, 0)
            yb, xb = min(y1 + oy, ny), min(x1 + ox, nx)
            chunk = data.isel(y=slice(ya, yb), x=slice(xa, xb))
            chunk = chunk.drop_vars([c for c in chunk.coords if c not in chunk.dims])
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
