"""``apply_neighborhood`` over x and y with static ``size`` and ``overlap`` (pixels).

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.apply_neighborhood``): the cube is retiled into chunks of ``size`` pixels
per spatial axis from its top-left corner, each buffered by ``overlap`` pixels on every side;
beyond the cube's border the buffer is no data (NaN) on coordinates continuing the grid ("the
missing overlap at the borders of the original data cube is made available as no-data
values", openEO ``apply_neighborhood``). The callback (a UDF) sees the labelled chunk with all
dates and bands; only the chunk's core is kept, and the callback must keep the chunk's shape.
Upstream: openeo-processes-dask has no ``apply_neighborhood``.

Two modes (``Session.neighbourhood``):
- ``windows``: a chunk at the right or bottom edge of the cube ends with the cube (plus its
  overlap): the same numbers, less work;
- ``backend-tiles``: every call gets the full ``size + 2 * overlap`` tile, padded with NaN, as
  the back-end's fixed-size tiles are: the memory a call needs on the back-end (tests, bench).

Lazy: each chunk with its halo is one dask task reading the windows it overlaps (whatever the
cube's own windows are), so the result does not depend on how the cube is chunked.
"""

from __future__ import annotations

import dask.array as da
import numpy as np
import xarray

from openeo_cdse_local import callbacks, chunks
from openeo_cdse_local.cube import cube_dims_order
from openeo_cdse_local.errors import ProcessFailure, Unsupported
from openeo_cdse_local.processes import run_udf
from openeo_cdse_local.registry import override

#: Largest size and overlap (pixels) a run accepts: a 4096 px tile with 100 labels and 10 bands
#: is 67 GB of float32 already; beyond, a graph asks for what no machine has.
MAX_PX = 4096


def _pixels(spec, dim: str, default: int) -> int:
    for item in spec or []:
        if item.get("dimension") == dim:
            unit = item.get("unit", "px")
            if unit not in ("px", None):
                raise Unsupported(f"apply_neighborhood: unit {unit!r} is not supported locally (px only)")
            value = item.get("value") or 0
            if not isinstance(value, (int, float)) or value != int(value) or not 0 <= value <= MAX_PX:
                raise Unsupported(f"apply_neighborhood: {dim} value {value!r} must be a whole number of pixels "
                                  f"from 0 to {MAX_PX}")
            return int(value)
    return default


def _grid(coords: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Coordinates of pixels ``start..stop-1`` of a regular axis, continued beyond its ends."""
    step = float(coords[1] - coords[0]) if len(coords) > 1 else 1.0
    return float(coords[0]) + step * np.arange(start, stop)


def neighbourhood(window: np.ndarray, call, context, dims: tuple, labels: dict, y: np.ndarray, x: np.ndarray,
                  core: tuple[slice, slice]) -> np.ndarray:
    """The UDF on one chunk with its halo (``window``, labelled); its ``core`` pixels."""
    chunk = xarray.DataArray(window, dims=dims, coords={**labels, "y": y, "x": x})
    result = run_udf.invoke(call, chunk, context)
    if not isinstance(result, xarray.DataArray):
        result = xarray.DataArray(np.asarray(result), dims=chunk.dims, coords=chunk.coords)
    result = result.transpose(*chunk.dims)
    if result.shape != chunk.shape:
        raise ProcessFailure(f"apply_neighborhood: the callback changed the chunk shape {chunk.shape} -> {result.shape}")
    return np.asarray(result.values[..., core[0], core[1]], dtype=np.float32)


@override("apply_neighborhood",
          reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.apply_neighborhood "
                     "(retile to size, buffer by overlap, NaN beyond the data)",
          upstream="openeo-processes-dask has no apply_neighborhood")
def apply_neighborhood(session, data: xarray.DataArray, process, size, overlap=None, context=None,
                       **_ignored) -> xarray.DataArray:
    data = cube_dims_order(data)
    for item in size or []:
        if item.get("dimension") not in ("x", "y") and item.get("value") is not None:
            raise Unsupported("apply_neighborhood: only x/y neighbourhoods are supported locally")
    call = callbacks.udf_call(process, session.results_cache)
    if call is None:
        raise Unsupported("apply_neighborhood: only a callback that is one run_udf on its data is supported locally")
    ny, nx = data.sizes["y"], data.sizes["x"]
    sy, sx = _pixels(size, "y", ny), _pixels(size, "x", nx)
    oy, ox = _pixels(overlap, "y", 0), _pixels(overlap, "x", 0)
    if sy <= 0 or sx <= 0:
        raise Unsupported("apply_neighborhood: size must be > 0")
    full = session.neighbourhood == "backend-tiles"
    values = chunks.as_dask(data, session.chunk_px)
    dtype = np.result_type(values.dtype, np.float32)
    tail_y, tail_x = ((-ny) % sy, (-nx) % sx) if full else (0, 0)  # full tiles: pad to a multiple of size
    padded = da.pad(values.astype(dtype), [(0, 0)] * (values.ndim - 2) + [(oy, oy + tail_y), (ox, ox + tail_x)],
                    mode="constant", constant_values=np.nan)
    labels = {d: data[d].values for d in data.dims[:-2]}
    task = chunks.delayed(neighbourhood)
    rows, shapes = [], []
    for y0 in range(0, ny, sy):
        y1 = min(y0 + sy, ny)
        t1 = y0 + sy if full else y1  # end of the tile's core, beyond the cube when padded
        row, row_shapes = [], []
        for x0 in range(0, nx, sx):
            x1 = min(x0 + sx, nx)
            u1 = x0 + sx if full else x1
            window = padded[..., y0:t1 + 2 * oy, x0:u1 + 2 * ox]  # pixels [y0 - oy, t1 + oy) of the cube
            ys, xs = _grid(data["y"].values, y0 - oy, t1 + oy), _grid(data["x"].values, x0 - ox, u1 + ox)
            core = (slice(oy, oy + y1 - y0), slice(ox, ox + x1 - x0))
            row.append(task(window, call, context, data.dims, labels, ys, xs, core))
            row_shapes.append(data.shape[:-2] + (y1 - y0, x1 - x0))
        rows.append(row)
        shapes.append(row_shapes)
    out = chunks.from_pieces(rows, shapes, np.float32)
    result = xarray.DataArray(out, dims=data.dims, coords={d: data[d].values for d in data.dims}, attrs=dict(data.attrs))
    return result.rio.write_crs(data.rio.crs)
