"""``apply_dimension`` that keeps the labels a UDF returns.

Reproduces geopyspark for a ``run_udf`` callback: the UDF receives the labelled cube (all
labels of ``dimension`` and of ``bands``) one spatial tile at a time (``TILE_PX`` x
``TILE_PX`` pixels, no overlap, as the back-end's tiles) and may return other labels along
``dimension`` (new dates) and along ``bands`` (new bands); the tiles are put back together
with the labels the UDF returned. openeo-processes-dask hands the UDF a bare array and
replaces new labels by 0, 1, 2, ... . Callbacks that are not a UDF go to
openeo-processes-dask's implementation.
"""

from __future__ import annotations

import numpy as np
import xarray
from openeo_processes_dask.process_implementations.cubes.apply import apply_dimension as _pd_apply_dimension

from efast_udp.errors import EfastUdpError
from efast_udp.local import callbacks, progress
from efast_udp.local.cube import cube_dims_order

TILE_PX = 256


def _tiles(n: int, size: int) -> list[slice]:
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def apply_dimension(data: xarray.DataArray, process, dimension: str, target_dimension=None, context=None,
                    **kwargs) -> xarray.DataArray:
    if callbacks.result_process_id(process) != "run_udf":
        return _pd_apply_dimension(data=data, process=process, dimension=dimension,
                                   target_dimension=target_dimension, context=context, **kwargs)
    if dimension not in data.dims:
        raise EfastUdpError(f"apply_dimension: dimension {dimension!r} not in the cube {tuple(data.dims)}")
    data = cube_dims_order(data)
    attrs = dict(data.attrs)
    y_tiles, x_tiles = _tiles(data.sizes["y"], TILE_PX), _tiles(data.sizes["x"], TILE_PX)
    rows = []
    with progress.sub_bar(len(y_tiles) * len(x_tiles), "tiles") as bar:
        for ys in y_tiles:
            row = []
            for xs in x_tiles:
                tile = data.isel(y=ys, x=xs)
                tile = tile.drop_vars([c for c in tile.coords if c not in tile.dims])
                out = callbacks.call(process, data=tile, context=context or {})
                if not isinstance(out, xarray.DataArray) or not {"y", "x"} <= set(out.dims):
                    raise EfastUdpError("apply_dimension: the UDF must return a cube with x and y")
                out = cube_dims_order(out)
                if out.sizes["y"] != tile.sizes["y"] or out.sizes["x"] != tile.sizes["x"]:
                    raise EfastUdpError(f"apply_dimension: the UDF changed the tile size {dict(tile.sizes)} -> {dict(out.sizes)}")
                row.append(out)
                bar.update(1)
            rows.append(row)
    first = rows[0][0]
    for row in rows:
        for out in row:
            for dim in out.dims:
                if dim not in ("x", "y") and not np.array_equal(out[dim].values, first[dim].values):
                    raise EfastUdpError(f"apply_dimension: tiles returned different {dim!r} labels")
    values = np.concatenate([np.concatenate([o.values for o in row], axis=-1) for row in rows], axis=-2)
    result = xarray.DataArray(
        values, dims=first.dims,
        coords={**{d: first[d].values for d in first.dims if d not in ("x", "y")}, "y": data.y.values, "x": data.x.values},
        attrs=attrs,
    )
    return result.rio.write_crs(data.rio.crs)
