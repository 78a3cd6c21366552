"""``apply_dimension`` that keeps the labels a UDF returns.

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.apply_dimension``) for a ``run_udf`` callback: the UDF receives the labelled cube (all
labels of ``dimension`` and of ``bands``) one spatial tile at a time (``TILE_PX`` x
``TILE_PX`` pixels from the cube's top-left corner, no overlap, as the back-end's tiles) and
may return other labels along ``dimension`` (new dates) and along ``bands`` (new bands); the
tiles are put back together with the labels the UDF returned. Upstream: openeo-processes-dask
hands the UDF a bare array and replaces new labels by 0, 1, 2, ... (pinned in
``tests/openeo_cdse_local/test_upstream.py``). Only a callback that is one ``run_udf`` runs here
(the only kind a released graph has).

Lazy: the UDF first runs on the top-left tile to learn the output labels (a back-end learns
them the same way, from the first tile it gets back); then every window of the cube, cut at
multiples of ``TILE_PX``, runs tile by tile as a dask task, and each tile's labels must equal
the first tile's.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import xarray

from openeo_cdse_local import callbacks, chunks
from openeo_cdse_local.cube import cube_dims_order
from openeo_cdse_local.errors import ProcessFailure, Unsupported
from openeo_cdse_local.processes import run_udf
from openeo_cdse_local.registry import override

#: The back-end's layout tile edge (pixels): what one UDF call of ``apply_dimension`` gets.
TILE_PX = 256


def _tiles(n: int, size: int) -> list[slice]:
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def _run_tile(call, tile: xarray.DataArray, context) -> xarray.DataArray:
    out = run_udf.invoke(call, tile, context)
    if not isinstance(out, xarray.DataArray) or not {"y", "x"} <= set(out.dims):
        raise ProcessFailure("apply_dimension: the UDF must return a cube with x and y")
    out = cube_dims_order(out)
    if out.sizes["y"] != tile.sizes["y"] or out.sizes["x"] != tile.sizes["x"]:
        raise ProcessFailure(f"apply_dimension: the UDF changed the tile size {dict(tile.sizes)} -> {dict(out.sizes)}")
    return out


def _labelled(values: np.ndarray, dims: tuple, labels: dict, y: np.ndarray, x: np.ndarray) -> xarray.DataArray:
    return xarray.DataArray(values, dims=dims, coords={**labels, "y": y, "x": x})


def udf_window(block: np.ndarray, call, context, dims: tuple, labels: dict, template: xarray.DataArray,
               y: np.ndarray, x: np.ndarray, block_info=None) -> np.ndarray:
    """One window of the result: the UDF on each ``TILE_PX`` tile of ``block``; the labels of
    every tile must equal the ``template``'s (the first tile's result)."""
    (y0, y1), (x0, x1) = block_info[0]["array-location"][-2:]
    out = np.empty(template.shape[:-2] + block.shape[-2:], dtype=template.dtype)
    for ys in _tiles(y1 - y0, TILE_PX):
        for xs in _tiles(x1 - x0, TILE_PX):
            tile = _labelled(block[..., ys, xs], dims, labels, y[y0:y1][ys], x[x0:x1][xs])
            result = _run_tile(call, tile, context)
            for dim in template.dims[:-2]:
                if dim not in result.dims or not np.array_equal(result[dim].values, template[dim].values):
                    raise ProcessFailure(f"apply_dimension: the UDF returned other {dim!r} labels for the tile at "
                                        f"row {y0 + ys.start}, column {x0 + xs.start} than for the first tile")
            out[..., ys, xs] = result.transpose(*template.dims).values
    return out


@override("apply_dimension",
          reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.apply_dimension "
                     "(a UDF per layout tile with all labels, its new labels kept)",
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
    data = data.drop_vars([c for c in data.coords if c not in data.dims])
    first = data.isel(y=slice(0, TILE_PX), x=slice(0, TILE_PX)).compute()
    template = _run_tile(call, first, context)
    values = chunks.as_dask(data, session.chunk_px)
    window = {}
    for axis in (-2, -1):
        if not chunks.aligned(values.chunks[axis], TILE_PX):
            window[values.ndim + axis] = chunks.to_multiple(values.chunks[axis], TILE_PX)
    values = values.rechunk(window) if window else values
    labels = {d: data[d].values for d in data.dims[:-2]}
    func = partial(udf_window, call=call, context=context, dims=data.dims, labels=labels,
                   template=template.isel(y=slice(0, 0), x=slice(0, 0)), y=data.y.values, x=data.x.values)
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
