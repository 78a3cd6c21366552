"""``merge_cubes`` that aligns grids and labels the way the target back-end does.

Reproduces geopyspark: when the spatial grids differ, ``cube2`` is first resampled to
``cube1``'s grid (nearest neighbour); the result has the union of the labels of every
dimension (``cube1``'s first, then ``cube2``'s new ones; dates sorted), values from the cube
that has the label combination and no data where neither has; where both have it the
``overlap_resolver`` decides (``x`` from ``cube1``, ``y`` from ``cube2``), and without one
that is an ``OverlapResolverMissing`` error. openeo-processes-dask does not resample.
"""

from __future__ import annotations

import numpy as np
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local import callbacks
from efast_udp.local.cube import crs_of, grid_of, same_grid, with_grid
from efast_udp.local.resample_cube_spatial import nearest


class OverlapResolverMissing(EfastUdpError):
    pass


def _union(a: np.ndarray, b: np.ndarray, is_time: bool) -> np.ndarray:
    extra = [v for v in b if v not in set(a.tolist())] if not is_time else np.setdiff1d(b, a)
    merged = np.concatenate([a, np.asarray(extra, dtype=a.dtype if len(extra) == 0 else None)])
    return np.sort(merged) if is_time else merged


def _has_crs(cube: xarray.DataArray) -> bool:
    try:
        crs_of(cube)
        return True
    except ValueError:
        return False


def merge_cubes(cube1: xarray.DataArray, cube2: xarray.DataArray, overlap_resolver=None, context=None,
                **_ignored) -> xarray.DataArray:
    if set(cube1.dims) != set(cube2.dims):
        raise EfastUdpError(f"merge_cubes: the cubes have different dimensions {cube1.dims} and {cube2.dims}")
    spatial = {"x", "y"} <= set(cube1.dims)
    if spatial and _has_crs(cube1) and _has_crs(cube2) and not same_grid(cube1, cube2):
        moved = cube2.transpose(*[d for d in cube2.dims if d not in ("y", "x")], "y", "x")
        values = nearest(moved.values, grid_of(moved), grid_of(cube1))
        cube2 = with_grid(values, moved.dims, dict(moved.coords), grid_of(cube1), dict(moved.attrs))
    cube2 = cube2.transpose(*cube1.dims)
    labels = {}
    for dim in cube1.dims:
        if spatial and dim in ("x", "y"):
            labels[dim] = cube1[dim].values
        else:
            a, b = cube1[dim].values, cube2[dim].values
            labels[dim] = _union(a, b, np.issubdtype(a.dtype, np.datetime64))
    r1 = cube1.astype(np.float64).drop_vars([c for c in cube1.coords if c not in cube1.dims]).reindex(labels)
    r2 = cube2.astype(np.float64).drop_vars([c for c in cube2.coords if c not in cube2.dims]).reindex(labels)
    has1 = xarray.ones_like(cube1, dtype=bool).drop_vars([c for c in cube1.coords if c not in cube1.dims]).reindex(labels, fill_value=False)
    has2 = xarray.ones_like(cube2, dtype=bool).drop_vars([c for c in cube2.coords if c not in cube2.dims]).reindex(labels, fill_value=False)
    result = xarray.where(has1, r1, r2)
    overlap = has1 & has2
    if bool(overlap.any()):
        if overlap_resolver is None:
            raise OverlapResolverMissing(
                "merge_cubes: the cubes overlap (same labels in every dimension) and no overlap_resolver is given")
        resolved = callbacks.call(overlap_resolver, x=r1, y=r2, context=context or {})
        result = xarray.where(overlap, resolved, result)
    result = result.astype(np.float32)
    result.attrs = {k: v for k, v in cube1.attrs.items() if k != "featureflags"}
    if spatial and _has_crs(cube1):
        result = result.rio.write_crs(cube1.rio.crs)
    return result
