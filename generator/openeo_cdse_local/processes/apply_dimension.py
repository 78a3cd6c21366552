"""``apply_dimension`` that keeps the labels a UDF returns.

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.apply_dimension`` with ``_run_udf_dimension`` and ``apply_metadata``) for a
``run_udf`` callback: the UDF receives the labelled cube (all labels of ``dimension`` and of
``bands``) one tile of the cube's layout at a time (no overlap; in ``backend-tiles`` mode the
whole tile, no data where the cube has none) and may return other labels along ``dimension``
(new dates: kept as the UDF returns them) and other bands, which get the names its
``apply_metadata`` declares (the back-end takes band names from there only, by position; a UDF
without ``apply_metadata`` keeps the input's names), so a count that differs is an error here
where the back-end would fail in the next process. Upstream: openeo-processes-dask
hands the UDF a bare array and replaces new labels by 0, 1, 2, ... (pinned in
``tests/openeo_cdse_local/test_registry.py``). Only a callback that is one ``run_udf`` runs here
(the only kind a released graph has).

Lazy: the UDF first runs on the top-left tile to learn the output labels; then every window of
the cube, cut on tile boundaries, runs tile by tile as a dask task, and each tile's labels must
equal the first tile's.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import xarray

from openeo_cdse_local import callbacks, chunks
from openeo_cdse_local.cube import cube_dims_order, grid_of, layout_of
from openeo_cdse_local.grids import column_offset, row_offset
from openeo_cdse_local.errors import ProcessFailure, Unsupported
from openeo_cdse_local.processes import run_udf
from openeo_cdse_local.registry import override

def tile_chunks(n: int, lead: int, tile: int, window: int) -> tuple[int, ...]:
    """Chunk lengths of an axis of ``n`` pixels whose first pixel is ``lead`` pixels into a
    tile: every boundary on a tile boundary, chunks of about ``window`` pixels."""
    per = max(1, round(window / tile)) * tile
    out, start = [], 0
    first = (tile - lead) % tile or per
    while start < n:
        size = min(first if not out else per, n - start)
        out.append(size)
        start += size
    return tuple(out) or (0,)


def _spans(n: int, offset: int, tile: int) -> list[tuple[int, int, int]]:
    """(start, stop, position in its tile) of the tiles of a block of ``n`` pixels whose first
    pixel is ``offset`` pixels into a tile."""
    spans, start = [], 0
    while start < n:
        into = (offset + start) % tile
        stop = min(start + tile - into, n)
        spans.append((start, stop, into))
        start = stop
    return spans


def _run_tile(call, tile: xarray.DataArray, context) -> xarray.DataArray:
    out = run_udf.invoke(call, tile, context)
    if not isinstance(out, xarray.DataArray) or not {"y", "x"} <= set(out.dims):
        raise ProcessFailure("apply_dimension: the UDF must return a cube with x and y")
    out = cube_dims_order(out)
    if out.sizes["y"] != tile.sizes["y"] or out.sizes["x"] != tile.sizes["x"]:
        raise ProcessFailure(f"apply_dimension: the UDF changed the tile size {dict(tile.sizes)} -> {dict(out.sizes)}")
    return out


def _grid_axis(coords: np.ndarray, start: int, stop: int) -> np.ndarray:
    step = float(coords[1] - coords[0]) if len(coords) > 1 else 1.0
    return float(coords[0]) + step * np.arange(start, stop)


def _tile(block, dims, labels, y, x, ys, xs, full: bool, tile: int):
    """The labelled tile of ``block`` at pixels ``ys`` x ``xs`` ((start, stop, into) each): as it
    is, or (``full``) padded with no data to the whole ``tile`` x ``tile`` of the layout. Returns
    the tile and where the block's pixels are in it."""
    (y0, y1, iy), (x0, x1, ix) = ys, xs
    values = block[..., y0:y1, x0:x1]
    if not full:
        return xarray.DataArray(values, dims=dims, coords={**labels, "y": y[y0:y1], "x": x[x0:x1]}), \
            (slice(None), slice(None))
    padded = np.full(values.shape[:-2] + (tile, tile), np.nan, dtype=values.dtype)
    inside = (slice(iy, iy + y1 - y0), slice(ix, ix + x1 - x0))
    padded[(...,) + inside] = values
    coords = {**labels, "y": _grid_axis(y, y0 - iy, y0 - iy + tile), "x": _grid_axis(x, x0 - ix, x0 - ix + tile)}
    return xarray.DataArray(padded, dims=dims, coords=coords), inside


def udf_window(block: np.ndarray, call, context, dims: tuple, labels: dict, template: xarray.DataArray,
               y: np.ndarray, x: np.ndarray, offset: tuple[int, int], tile: int, full: bool, bands,
               block_info=None) -> np.ndarray:
    """One window of the result: the UDF on each layout tile of ``block`` (``offset``: the
    cube's first pixel's position in its tile); the labels of every tile must equal the
    ``template``'s (the first tile's result); bands named ``bands``."""
    (y0, y1), (x0, x1) = block_info[0]["array-location"][-2:]
    out = np.empty(template.shape[:-2] + block.shape[-2:], dtype=template.dtype)
    for ys in _spans(y1 - y0, offset[0] + y0, tile):
        for xs in _spans(x1 - x0, offset[1] + x0, tile):
            piece, inside = _tile(block, dims, labels, y[y0:y1], x[x0:x1], ys, xs, full, tile)
            result = _labelled_result(_run_tile(call, piece, context), bands)
            for dim in template.dims[:-2]:
                if dim not in result.dims or not np.array_equal(result[dim].values, template[dim].values):
                    raise ProcessFailure(f"apply_dimension: the UDF returned other {dim!r} labels for the tile at "
                                         f"row {y0 + ys[0]}, column {x0 + xs[0]} than for the first tile")
            out[..., ys[0]:ys[1], xs[0]:xs[1]] = result.transpose(*template.dims).values[(...,) + inside]
    return out


def _labelled_result(result: xarray.DataArray, bands) -> xarray.DataArray:
    """The UDF's result with the band names the back-end gives it (``bands``, by position)."""
    if bands is None or "bands" not in result.dims:
        return result
    if result.sizes["bands"] != len(bands):
        raise ProcessFailure(f"apply_dimension: the UDF returned {result.sizes['bands']} bands "
                             f"({', '.join(map(str, result.bands.values))}), while the cube's metadata has "
                             f"{len(bands)} ({', '.join(bands)}); on the back-end the next process would fail")
    return result.assign_coords(bands=list(bands))


@override("apply_dimension",
          reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.apply_dimension, apply_metadata "
                     "(a UDF per layout tile with all labels; new t labels kept, band names from apply_metadata)",
          upstream="openeo-processes-dask apply_dimension replaces changed labels with 0, 1, 2, ...")
def apply_dimension(session, data: xarray.DataArray, process, dimension: str, target_dimension=None, context=None,
                    **_ignored) -> xarray.DataArray:
    call = callbacks.udf_call(process, session.results_cache)
    if call is None:
        raise Unsupported("apply_dimension: only a callback that is one run_udf on its data is supported locally")
    if dimension not in data.dims:
        raise ProcessFailure(f"apply_dimension: dimension {dimension!r} not in the cube {tuple(data.dims)}")
    data = cube_dims_order(data)
    crs = data.rio.crs
    layout, grid = layout_of(data), grid_of(data)
    tile = layout.tile_px
    offset = (row_offset(layout, grid.y0) % tile, column_offset(layout, grid.x0) % tile)
    full = session.neighbourhood == "backend-tiles"
    data = data.drop_vars([c for c in data.coords if c not in data.dims])
    input_bands = [str(b) for b in data.bands.values] if "bands" in data.dims else None
    bands = run_udf.metadata_bands(call, input_bands, context) if input_bands is not None else None
    first_y, first_x = _spans(grid.ny, offset[0], tile)[0], _spans(grid.nx, offset[1], tile)[0]
    first = data.isel(y=slice(0, first_y[1]), x=slice(0, first_x[1])).compute()
    piece, inside = _tile(first.values, data.dims, {d: data[d].values for d in data.dims[:-2]}, data.y.values,
                          data.x.values, first_y, first_x, full, tile)
    template = _labelled_result(_run_tile(call, piece, context), bands)
    values = chunks.as_dask(data, session.chunk_px)
    values = values.rechunk({values.ndim - 2: tile_chunks(grid.ny, offset[0], tile, session.chunk_px),
                             values.ndim - 1: tile_chunks(grid.nx, offset[1], tile, session.chunk_px)})
    labels = {d: data[d].values for d in data.dims[:-2]}
    func = partial(udf_window, call=call, context=context, dims=data.dims, labels=labels,
                   template=template.isel(y=slice(0, 0), x=slice(0, 0)), y=data.y.values, x=data.x.values,
                   offset=offset, tile=tile, full=full, bands=bands)
    lead = template.ndim - values.ndim  # dimensions the UDF added (> 0) or dropped (< 0)
    out = values.map_blocks(func, dtype=template.dtype, chunks=tuple((n,) for n in template.shape[:-2]) + values.chunks[-2:],
                            new_axis=list(range(lead)) if lead > 0 else None,
                            drop_axis=list(range(-lead)) if lead < 0 else [],
                            meta=np.empty((0,) * template.ndim, template.dtype))
    result = xarray.DataArray(
        out, dims=template.dims,
        coords={**{d: template[d].values for d in template.dims[:-2]}, "y": data.y.values, "x": data.x.values},
        attrs=dict(data.attrs),
    )
    return result.rio.write_crs(crs)
