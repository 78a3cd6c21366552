"""Spatial chunking of lazy cubes: the unit of work and of memory of a local run.

Every cube of a run is backed by a dask array whose chunks hold all labels of the non-spatial
dimensions (``t``, ``bands``) and a window of ``y`` x ``x`` pixels; ``load_collection`` starts
with windows of the session's ``chunk_px`` pixels (a multiple of the UDF tile, so that the
fine-grid UDF tiles never straddle two windows), and the process implementations keep that
layout. Peak memory is then set by a few windows in flight per worker, not by the scene.
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np
import xarray


#: cubes up to this size are computed once when their node runs and kept in memory: the coarse
#: (300 m) stages are tiny, many later steps read them, and a UDF node computes one tile up
#: front to learn its output labels; everything larger stays lazy and streams.
PERSIST_BYTES = 32 * 2 ** 20

def spatial_chunks(n: int, size: int) -> tuple[int, ...]:
    """Chunk lengths of an axis of ``n`` pixels cut every ``size`` pixels from its start."""
    size = max(1, int(size))
    return tuple(min(size, n - start) for start in range(0, n, size)) or (0,)


def aligned(chunks: tuple[int, ...], multiple: int) -> bool:
    """True if every chunk but the last is a multiple of ``multiple`` (the last may be short)."""
    return all(c % multiple == 0 for c in chunks[:-1])


def to_multiple(chunks: tuple[int, ...], multiple: int) -> int:
    """A window edge that is a multiple of ``multiple`` close to the current chunk length."""
    return max(multiple, int(round(max(chunks) / multiple)) * multiple)


def as_dask(cube: xarray.DataArray, chunk_px: int) -> da.Array:
    """The cube's values as a dask array with whole non-spatial dimensions per chunk.

    A numpy-backed cube (e.g. from a test) is cut into ``chunk_px`` windows."""
    data = cube.data
    spatial = [i for i, d in enumerate(cube.dims) if d in ("x", "y")]
    if not isinstance(data, da.Array):
        chunks = tuple(spatial_chunks(n, chunk_px) if i in spatial else (n,) for i, n in enumerate(cube.shape))
        return da.from_array(np.asarray(data), chunks=chunks)
    whole = {i: -1 for i in range(data.ndim) if i not in spatial}
    return data.rechunk(whole) if whole and any(len(data.chunks[i]) > 1 for i in whole) else data


def pad_nan(values: da.Array, widths: list[tuple[int, int]], chunk_px: int = 4096) -> da.Array:
    """``values`` with ``widths[i]`` (before, after) pixels of NaN on each axis ``i``.

    ``dask.array.pad`` cuts constant padding into chunks as small as the array's edge chunks
    (a 3-px edge padded by 250 px becomes 80 chunks per axis, and thousands of tasks); here each
    pad is cut every ``chunk_px`` along its axis and follows the array's chunks on the others."""
    out = values
    for axis, (before, after) in enumerate(widths):
        if before < 0 or after < 0:
            raise ValueError(f"pad_nan: negative width on axis {axis}")
        if not before and not after:
            continue
        parts = []
        for width in (before, after):
            shape = list(out.shape)
            shape[axis] = width
            block = tuple(spatial_chunks(width, chunk_px) if i == axis else out.chunks[i] for i in range(out.ndim))
            parts.append(da.full(shape, np.nan, dtype=out.dtype, chunks=block) if width else None)
        out = da.concatenate([p for p in (parts[0], out, parts[1]) if p is not None], axis=axis)
    return out


def starts(chunks: tuple[int, ...]) -> np.ndarray:
    """Offsets of the chunks of one axis."""
    return np.concatenate([[0], np.cumsum(chunks)[:-1]]).astype(int)


def from_pieces(rows: list[list], shapes: list[list[tuple]], dtype) -> da.Array:
    """A dask array assembled from delayed pieces laid out as rows of columns (last two axes)."""
    meta = np.empty((0,) * len(shapes[0][0]), dtype=dtype)
    return da.block([[da.from_delayed(piece, shape=shape, dtype=dtype, meta=meta)
                      for piece, shape in zip(row, row_shapes)] for row, row_shapes in zip(rows, shapes)])


def delayed(func):
    """``dask.delayed`` for a task function (pure: the same inputs give the same key)."""
    return dask.delayed(func, pure=True)


def is_lazy(cube) -> bool:
    return isinstance(cube, xarray.DataArray) and isinstance(cube.data, da.Array)


def persist_if_small(cube):
    """Compute a small lazy cube once and keep its values (see ``PERSIST_BYTES``). Values, not
    ``persist``: later graphs carry them as data, which every scheduler handles alike."""
    if is_lazy(cube) and cube.nbytes <= PERSIST_BYTES:
        return cube.compute()
    return cube
