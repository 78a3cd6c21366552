"""``apply_neighborhood`` over x and y with static ``size`` and ``overlap`` (pixels).

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.apply_neighborhood``): the cube is retiled into chunks of ``size`` pixels
per spatial axis from the layout's upper-left corner (geotrellis ``RegridFixed``; the result's
layout has tiles of ``size``), each buffered by ``overlap`` pixels on every side;
beyond the cube's border the buffer is no data (NaN) on coordinates continuing the grid ("the
missing overlap at the borders of the original data cube is made available as no-data
values", openEO ``apply_neighborhood``). The callback (a UDF) sees the labelled chunk with all
dates and bands; only the chunk's core is kept, and the callback must keep the chunk's shape.
Upstream: openeo-processes-dask has no ``apply_neighborhood``.

Two modes (``Session.neighbourhood``):
- ``windows``: a chunk at an edge of the cube is clipped to the cube (plus its overlap): the
  same numbers for a UDF that treats no data alike wherever it is, less work;
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
from openeo_cdse_local.cube import cube_dims_order, grid_of, layout_of
from openeo_cdse_local.grids import column_offset, row_offset
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
    layout = layout_of(data)
    grid = grid_of(data)
    # chunk boundaries at multiples of size from the layout's corner: the first chunk may begin
    # before the cube's first pixel (those pixels are no data, as in the back-end's tiles)
    lead_y, lead_x = row_offset(layout, grid.y0) % sy, column_offset(layout, grid.x0) % sx
    values = chunks.as_dask(data, session.chunk_px)
    dtype = np.result_type(values.dtype, np.float32)
    tail_y, tail_x = (-(lead_y + ny)) % sy, (-(lead_x + nx)) % sx
    padded = chunks.pad_nan(values.astype(dtype), [(0, 0)] * (values.ndim - 2) + [(oy + lead_y, oy + tail_y),
                                                                                  (ox + lead_x, ox + tail_x)],
                            session.chunk_px)
    labels = {d: data[d].values for d in data.dims[:-2]}
    task = chunks.delayed(neighbourhood)
    rows, shapes = [], []
    for y0 in range(-lead_y, ny, sy):  # chunk cores in cube pixels, [y0, y0 + sy)
        ys_core = (max(y0, 0), min(y0 + sy, ny))
        row, row_shapes = [], []
        for x0 in range(-lead_x, nx, sx):
            xs_core = (max(x0, 0), min(x0 + sx, nx))
            # the tile: the whole chunk (back-end) or the chunk clipped to the cube, plus the overlap
            ty = (y0, y0 + sy) if full else ys_core
            tx = (x0, x0 + sx) if full else xs_core
            window = padded[..., ty[0] + lead_y:ty[1] + lead_y + 2 * oy, tx[0] + lead_x:tx[1] + lead_x + 2 * ox]
            ys = _grid(data["y"].values, ty[0] - oy, ty[1] + oy)
            xs = _grid(data["x"].values, tx[0] - ox, tx[1] + ox)
            core = (slice(oy + ys_core[0] - ty[0], oy + ys_core[1] - ty[0]),
                    slice(ox + xs_core[0] - tx[0], ox + xs_core[1] - tx[0]))
            row.append(task(window, call, context, data.dims, labels, ys, xs, core))
            row_shapes.append(data.shape[:-2] + (ys_core[1] - ys_core[0], xs_core[1] - xs_core[0]))
        rows.append(row)
        shapes.append(row_shapes)
    out = chunks.from_pieces(rows, shapes, np.float32)
    attrs = dict(data.attrs)
    attrs["layout"] = layout.retiled(sx)
    result = xarray.DataArray(out, dims=data.dims, coords={d: data[d].values for d in data.dims}, attrs=attrs)
    return result.rio.write_crs(data.rio.crs)
