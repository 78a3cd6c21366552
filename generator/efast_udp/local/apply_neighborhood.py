"""``apply_neighborhood`` over x and y with static ``size`` and ``overlap`` (pixels).

Reproduces the back-end: the cube is cut into chunks of ``size`` pixels per spatial axis,
each extended by ``overlap`` pixels on every side; beyond the cube's border that overlap is
no-data (NaN) on coordinates continuing the grid, as the process specification says ("the
missing overlap at the borders of the original data cube is made available as no-data
values in the sub-data cubes"). The callback
(here a UDF) sees the labelled chunk with all dates and bands, and only the chunk's core
(without the overlap) is kept in the result. The callback must keep the chunk's shape.
openeo-processes-dask has no implementation.

Lazy: each chunk with its halo is one dask task reading the windows it overlaps (whatever the
cube's own windows are), so the result does not depend on how the cube is chunked.
"""

from __future__ import annotations

import dask.array as da
import numpy as np
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local import chunks, run_udf
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


def neighbourhood(window: np.ndarray, callback, context, dims: tuple, labels: dict, y: np.ndarray, x: np.ndarray,
                  core: tuple[slice, slice]) -> np.ndarray:
    """The callback on one chunk with its halo (``window``, labelled); its ``core`` pixels."""
    chunk = xarray.DataArray(window, dims=dims, coords={**labels, "y": y, "x": x})
    result = run_udf.invoke(callback, chunk, context)
    if not isinstance(result, xarray.DataArray):
        result = xarray.DataArray(np.asarray(result), dims=chunk.dims, coords=chunk.coords)
    result = result.transpose(*chunk.dims)
    if result.shape != chunk.shape:
        raise EfastUdpError(f"apply_neighborhood: the callback changed the chunk shape {chunk.shape} -> {result.shape}")
    return np.asarray(result.values[..., core[0], core[1]], dtype=np.float32)


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
    values = chunks.as_dask(data)
    dtype = np.result_type(values.dtype, np.float32)
    padded = da.pad(values.astype(dtype), [(0, 0)] * (values.ndim - 2) + [(oy, oy), (ox, ox)],
                    mode="constant", constant_values=np.nan)
    callback = run_udf.chunk_callback(process)
    labels = {d: data[d].values for d in data.dims[:-2]}
    task = chunks.delayed(neighbourhood)
    rows, shapes = [], []
    for y0 in range(0, ny, sy):
        y1 = min(y0 + sy, ny)
        row, row_shapes = [], []
        for x0 in range(0, nx, sx):
            x1 = min(x0 + sx, nx)
            window = padded[..., y0:y1 + 2 * oy, x0:x1 + 2 * ox]  # pixels [y0 - oy, y1 + oy) of the cube
            ys, xs = _grid(data["y"].values, y0 - oy, y1 + oy), _grid(data["x"].values, x0 - ox, x1 + ox)
            core = (slice(oy, oy + y1 - y0), slice(ox, ox + x1 - x0))
            row.append(task(window, callback, context, data.dims, labels, ys, xs, core))
            row_shapes.append(data.shape[:-2] + (y1 - y0, x1 - x0))
        rows.append(row)
        shapes.append(row_shapes)
    out = chunks.from_pieces(rows, shapes, np.float32)
    result = xarray.DataArray(out, dims=data.dims, coords={d: data[d].values for d in data.dims}, attrs=dict(data.attrs))
    return result.rio.write_crs(data.rio.crs)
