"""stream.write: windows reach every writer, also when one array is written twice; windows
are re-cut to start at the first pixel."""

from __future__ import annotations

import dask.array as da
import numpy as np

from cubes import cube, random
from openeo_cdse_local import stream


class Collect:
    def __init__(self, c):
        self.out = np.full(c.shape, np.nan, dtype=np.float32)
        self.closed = False

    def write(self, region, block):
        self.out[region] = block

    def close(self):
        self.closed = True


def test_the_same_array_twice_feeds_both_writers():
    """A result that is also a named stage (``fused``) is one dask array; both writers get every
    window (0.3.0 gave the result's writer nothing: run --save-intermediates wrote NaN)."""
    values = random((2, 3, 20, 20), seed=1)
    a = cube(values, 10.0, window=8)
    b = a.copy()  # same dask array, same name
    writers = stream.write([(a, [Collect]), (b, [Collect, Collect])], chunk_px=8)
    assert len(writers) == 3 and all(w.closed for w in writers)
    for w in writers:
        np.testing.assert_array_equal(w.out, values)


def test_numpy_cubes_are_cut_into_windows():
    values = random((1, 1, 30, 30), seed=2)
    windows = []

    class Count(Collect):
        def write(self, region, block):
            windows.append(region)
            super().write(region, block)

    (writer,) = stream.write([(cube(values, 10.0), [Count])], chunk_px=16)
    np.testing.assert_array_equal(writer.out, values)
    assert len(windows) == 4


def test_windows_are_recut_to_start_at_the_first_pixel():
    offset = da.zeros((2, 1, 600, 600), chunks=(-1, -1, 256, 256))[..., 100:, 30:]  # a cropped result
    assert offset.chunks[-1][0] == 226
    fixed = stream.aligned_windows(offset, 256)
    assert fixed.chunks[-2] == (256, 244) and fixed.chunks[-1] == (256, 256, 58)
    ready = da.zeros((2, 1, 600, 600), chunks=(-1, -1, 256, 256))
    assert stream.aligned_windows(ready, 256) is ready
