"""``merge_cubes`` that aligns grids and labels the way the target back-end does.

Reproduces openeo-geopyspark-driver (``openeogeotrellis/geopysparkdatacube.py``,
``GeopysparkDataCube.merge_cubes``): when the spatial grids differ, ``cube2`` is first resampled to
``cube1``'s grid (nearest neighbour); the result has the union of the labels of every
dimension (``cube1``'s first, then ``cube2``'s new ones; dates sorted), values from the cube
that has the label combination and no data where neither has; where both have it the
``overlap_resolver`` decides (``x`` from ``cube1``, ``y`` from ``cube2``), and without one
that is an ``OverlapResolverMissing`` error. Upstream: openeo-processes-dask does not resample
(pinned in ``tests/openeo_cdse_local/test_registry.py``).

Lazy and without copies beyond the result: each output window is allocated once (float32,
NaN) and both cubes' windows are written into it at their labels' positions.
"""

from __future__ import annotations

from functools import partial

import dask.array as da
import numpy as np
import xarray

from openeo_cdse_local import chunks
from openeo_cdse_local.cube import crs_of, grid_of, same_grid, with_grid
from openeo_cdse_local.errors import OverlapResolverMissing, Unsupported
from openeo_cdse_local.processes.resample_cube_spatial import nearest, regrid
from openeo_cdse_local.registry import override


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


def _positions(labels: np.ndarray, union: np.ndarray) -> np.ndarray:
    index = {v: i for i, v in enumerate(union.tolist())}
    return np.array([index[v] for v in np.asarray(labels).astype(union.dtype).tolist()], dtype=np.int64)


def scatter(*blocks, positions: tuple, shape: tuple[int, ...]) -> np.ndarray:
    """One window of the merged cube: each block written at the positions of its labels along
    the leading (label) dimensions; NaN where no block has the label combination."""
    out = np.full(tuple(shape) + blocks[0].shape[len(shape):], np.nan, dtype=np.float32)
    for block, pos in zip(blocks, positions):
        out[np.ix_(*pos) + (Ellipsis,)] = block
    return out


def _merged(cubes: list[xarray.DataArray], labels: dict, label_dims: list[str], chunk_px: int) -> xarray.DataArray:
    """The cubes' values at their labels' positions in the union, lazily, window by window.
    The cubes have the dimensions ``label_dims`` followed by the same spatial grid."""
    arrays = [chunks.as_dask(c, chunk_px) for c in cubes]
    n = len(label_dims)
    spatial = arrays[0].chunks[n:]
    arrays = [a.rechunk(a.chunks[:n] + spatial) for a in arrays]
    positions = tuple(tuple(_positions(c[d].values, labels[d]) for d in label_dims) for c in cubes)
    shape = tuple(len(labels[d]) for d in label_dims)
    values = da.map_blocks(partial(scatter, positions=positions, shape=shape), *arrays, dtype=np.float32,
                           chunks=tuple((s,) for s in shape) + spatial, meta=np.empty((0,) * arrays[0].ndim, np.float32))
    dims = list(cubes[0].dims)
    return xarray.DataArray(values, dims=dims, coords={d: labels.get(d, cubes[0][d].values) for d in dims})


@override("merge_cubes", reproduces="openeogeotrellis/geopysparkdatacube.py GeopysparkDataCube.merge_cubes "
                                   "(cube2 resampled to cube1's grid, union of labels)",
          upstream="openeo-processes-dask merge_cubes does not align grids")
def merge_cubes(session, cube1: xarray.DataArray, cube2: xarray.DataArray, overlap_resolver=None, context=None,
                **_ignored) -> xarray.DataArray:
    if set(cube1.dims) != set(cube2.dims):
        raise Unsupported(f"merge_cubes: the cubes have different dimensions {cube1.dims} and {cube2.dims}")
    spatial = {"x", "y"} <= set(cube1.dims)
    order = [d for d in cube1.dims if not (spatial and d in ("x", "y"))] + (["y", "x"] if spatial else [])
    a, b = cube1.transpose(*order), cube2.transpose(*order)
    if spatial and _has_crs(a) and _has_crs(b) and not same_grid(a, b):
        layout = chunks.as_dask(a, session.chunk_px).chunks
        values = regrid(b, grid_of(a), layout[-2], layout[-1], nearest, session.chunk_px)
        b = with_grid(values, b.dims, dict(b.coords), grid_of(a), dict(b.attrs))
    label_dims = order[:-2] if spatial else order
    labels = {d: _union(a[d].values, b[d].values, np.issubdtype(a[d].dtype, np.datetime64)) for d in label_dims}
    if spatial:
        labels.update(y=a.y.values, x=a.x.values)
    has = [np.zeros(tuple(len(labels[d]) for d in label_dims), bool) for _ in range(2)]
    for mask, cube in zip(has, (a, b)):
        mask[np.ix_(*(_positions(cube[d].values, labels[d]) for d in label_dims))] = True
    overlap = has[0] & has[1]
    if not overlap.any():
        result = _merged([a, b], labels, label_dims, session.chunk_px)
    else:
        if overlap_resolver is None:
            raise OverlapResolverMissing(
                "merge_cubes: the cubes overlap (same labels in every dimension) and no overlap_resolver is given")
        r1, r2 = _merged([a], labels, label_dims, session.chunk_px), _merged([b], labels, label_dims, session.chunk_px)
        resolved = overlap_resolver(named_parameters={"x": r1, "y": r2, "context": context or {}})
        where = lambda mask: xarray.DataArray(mask, dims=label_dims).broadcast_like(r1)  # noqa: E731
        result = xarray.where(where(overlap), resolved, xarray.where(where(has[0]), r1, r2)).astype(np.float32)
    result = result.transpose(*cube1.dims)
    result.attrs = {k: v for k, v in cube1.attrs.items() if k != "featureflags"}
    if spatial and _has_crs(cube1):
        result = result.rio.write_crs(cube1.rio.crs)
    return result
