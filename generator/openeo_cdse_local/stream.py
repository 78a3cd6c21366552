"""Compute lazy cubes window by window and hand each window to writers as soon as it exists.

One dask computation covers every cube to write (the result and, on request, the named
stages), so work they share runs once. A window is written in this process the moment it is
computed and then dropped: memory holds the windows in flight, never a whole cube. With
dask's local schedulers (threads, processes) a scheduler callback receives each window; with
``dask.distributed`` the windows are futures gathered as they complete. Writers have
``write(region, block)`` and ``close()`` (and may have ``abort()``, called instead of ``close``
when the computation fails: a partial output is then not finished); ``region`` is one slice per
dimension of the cube in (t, bands, y, x) order.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from typing import Callable, Iterator

import dask
import dask.array as da
import numpy as np
import xarray
from dask.callbacks import Callback

from openeo_cdse_local.chunks import as_dask, starts
from openeo_cdse_local.cube import cube_dims_order
from openeo_cdse_local.session import DEFAULT_CHUNK_PX

#: windows computed but not yet written, per worker, before the computation waits for the writer
QUEUE_PER_WORKER = 2
#: the ``timings`` key of the seconds the computation waited for the writers
WAITED = "computation_waited"
_DONE = object()


def _regions(array: da.Array) -> dict[tuple, tuple[slice, ...]]:
    """Block index -> the block's region of the array."""
    offsets = [starts(c) for c in array.chunks]
    regions = {}
    for index in np.ndindex(*array.numblocks):
        regions[index] = tuple(slice(int(o[i]), int(o[i]) + c[i]) for o, c, i in zip(offsets, array.chunks, index))
    return regions


def _same(block: np.ndarray) -> np.ndarray:
    return block


def _mark(block: np.ndarray) -> np.ndarray:
    """What is left of a window once it has been handed over: nothing worth keeping."""
    return np.zeros((1,) * block.ndim, dtype=np.int8)


class _Handover(Callback):
    """Local scheduler callback: every finished window of the arrays goes into ``out``."""

    def __init__(self, names: dict, out: queue.Queue, stop: threading.Event, timings: dict | None = None):
        super().__init__()
        self.names, self.out, self.stop, self.timings = names, out, stop, timings

    def _posttask(self, key, result, dsk, state, worker_id):
        if isinstance(key, tuple) and key[0] in self.names:
            item = (self.names[key[0]], key[1:], result)
            try:
                self.out.put_nowait(item)
                return
            except queue.Full:  # the writers are behind: the computation waits for them
                start = time.perf_counter()
            while True:
                if self.stop.is_set():
                    raise RuntimeError("writing the outputs failed")
                try:
                    self.out.put(item, timeout=0.5)
                    break
                except queue.Full:
                    continue
            if self.timings is not None:
                self.timings[WAITED] = self.timings.get(WAITED, 0.0) + time.perf_counter() - start


def _local_windows(arrays: list[da.Array], workers: int, timings: dict | None = None
                   ) -> Iterator[tuple[int, tuple, np.ndarray]]:
    arrays = [a.map_blocks(_same, dtype=a.dtype) for a in arrays]  # a task per window, even when persisted
    names = {a.name: i for i, a in enumerate(arrays)}
    sinks = [a.map_blocks(_mark, dtype=np.int8, chunks=tuple((1,) * len(c) for c in a.chunks)) for a in arrays]
    out: queue.Queue = queue.Queue(maxsize=QUEUE_PER_WORKER * workers)
    stop = threading.Event()
    failure: list[BaseException] = []

    def compute():
        try:
            with _Handover(names, out, stop, timings):
                dask.compute(*sinks, optimize_graph=False)
        except BaseException as exc:  # noqa: BLE001  (handed to the consumer)
            failure.append(exc)
        finally:
            out.put(_DONE)

    thread = threading.Thread(target=compute, name="efast-compute", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not _DONE:
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let the computation see the stop and end
            try:
                out.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()
    if failure:
        raise failure[0]


def _distributed_windows(arrays: list[da.Array], client) -> Iterator[tuple[int, tuple, np.ndarray]]:
    from distributed import as_completed  # lazy: 180 ms after a run's imports, see _client

    pieces = [(i, index, a.blocks[index]) for i, a in enumerate(arrays) for index in np.ndindex(*a.numblocks)]
    futures = client.compute([p[2] for p in pieces])
    where = {f.key: (i, index) for f, (i, index, _) in zip(futures, pieces)}
    for future in as_completed(futures):
        i, index = where[future.key]
        block = future.result()
        future.release()
        yield i, index, block


def _client():
    if "distributed" not in sys.modules:
        return None
    # lazy: distributed costs 180 ms after a run's imports (python -X importtime); without it loaded there is no
    # client (above), and only --scheduler distributed or an address needs one
    from distributed import default_client
    try:
        return default_client()
    except ValueError:
        return None


def windows(arrays: list[da.Array], on_window: Callable[[int], None] | None = None, timings: dict | None = None
            ) -> Iterator[tuple[int, tuple[slice, ...], np.ndarray]]:
    """(array number, region, values) of every window of ``arrays``, in the order computed;
    ``on_window(total)`` is called once per window handed over (distributed schedulers only:
    the local ones report their tasks through dask callbacks). ``timings[WAITED]`` gets the
    seconds the computation waited for the consumer (local schedulers; a distributed one
    computes ahead on its workers)."""
    regions = [_regions(a) for a in arrays]
    client = _client()
    total = sum(a.npartitions for a in arrays)
    if client is not None:
        source = _distributed_windows(arrays, client)
    else:
        source = _local_windows(arrays, int(dask.config.get("num_workers", None) or 2), timings)
    for i, index, block in source:
        yield i, regions[i][tuple(index)], block
        if client is not None and on_window is not None:
            on_window(total)


def aligned_windows(array: da.Array, chunk_px: int) -> da.Array:
    """``array`` in windows of ``chunk_px`` counted from its first pixel, the output files' tiles.

    A result cropped to the request starts inside a window of the layout, so its windows
    straddle the files' tiles: each tile is then written up to four times, and HDF5 decompresses,
    merges and recompresses it each time (a 1200 px run spent 31 s writing its NetCDF so, 9 s
    with aligned windows). Re-cutting costs a window's neighbours in memory for a moment."""
    axes = (array.ndim - 2, array.ndim - 1)
    if all(array.chunks[a][:-1] == (chunk_px,) * (len(array.chunks[a]) - 1) and array.chunks[a][-1] <= chunk_px
           for a in axes):
        return array
    return array.rechunk({a: chunk_px for a in axes})


def _timed(call: Callable, key: str, timings: dict | None) -> Callable:
    if timings is None:
        return call

    def timed(*args):
        start = time.perf_counter()
        try:
            return call(*args)
        finally:
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - start

    return timed


def write(items: list[tuple[xarray.DataArray, list[Callable]]], chunk_px: int = DEFAULT_CHUNK_PX,
          on_window: Callable[[int], None] | None = None, timings: dict | None = None) -> list:
    """Write cubes: ``items`` = (cube, [writer factory taking the (t, bands, y, x) cube]).
    Returns the writers (closed), in order. The same cube given twice (a result that is also a
    named stage) is computed once and its windows go to the writers of both. ``timings``, when
    given, gets the seconds this thread spent in ``<writer class>.write`` and ``.close``, and
    (``WAITED``) the seconds the computation waited for the writers."""
    cubes = [cube_dims_order(cube) for cube, _ in items]
    writers: list[list] = []
    done = False
    try:
        for cube, (_, makers) in zip(cubes, items):  # a writer that refuses its path stops all before computing
            writers.append([])
            for make in makers:
                writers[-1].append(make(cube))
        arrays, targets, seen = [], [], {}
        for cube, group in zip(cubes, writers):
            array = aligned_windows(as_dask(cube, chunk_px), chunk_px)
            if array.name in seen:  # one computation per distinct array, every writer served
                targets[seen[array.name]].extend(group)
                continue
            seen[array.name] = len(arrays)
            arrays.append(array)
            targets.append(list(group))
        for i, region, block in windows(arrays, on_window, timings):
            for writer in targets[i]:
                _timed(writer.write, f"{type(writer).__name__}.write", timings)(region, block)
        done = True
    finally:
        for group in writers:
            for writer in group:
                end = writer.close if done else getattr(writer, "abort", writer.close)
                _timed(end, f"{type(writer).__name__}.close", timings)()
    return [w for group in writers for w in group]
