"""chunks: windows cut from an axis's start, whole non-spatial dimensions per chunk, NaN padding
in few chunks, windows across blocks assembled in one task, and small lazy cubes computed once."""

import dask.array as da
import numpy as np
import pytest

from cubes import cube, random
from openeo_cdse_local import chunks


@pytest.mark.parametrize("n, size, expected", [
    (10, 4, (4, 4, 2)),
    (8, 4, (4, 4)),
    (3, 16, (3,)),  # an axis shorter than a window: one short chunk
    (0, 4, (0,)),  # an empty axis still has one (empty) chunk, as dask wants
    (3, 0, (1, 1, 1)),  # at least one pixel per chunk
    (5, 2.7, (2, 2, 1)),  # whole pixels
])
def test_spatial_chunks_cut_every_size_pixels_from_the_start(n, size, expected):
    assert chunks.spatial_chunks(n, size) == expected


@pytest.mark.parametrize("lengths, expected", [((8, 8, 3), True), ((8, 6, 8), False), ((6,), True), ((8, 12), True)])
def test_aligned_looks_at_every_chunk_but_the_last(lengths, expected):
    assert chunks.aligned(lengths, 4) is expected


@pytest.mark.parametrize("lengths, expected", [
    ((250, 250, 10), 256),  # 250 / 64 = 3.9 tiles -> 4
    ((100, 30), 128),  # 1.56 -> 2
    ((10,), 64),  # never below one multiple
])
def test_to_multiple_rounds_the_largest_chunk_to_a_multiple(lengths, expected):
    assert chunks.to_multiple(lengths, 64) == expected


def test_a_numpy_cube_is_cut_into_windows_whatever_its_dimension_order():
    data = cube(random((2, 3, 20, 35)), 10.0)
    assert chunks.as_dask(data, 16).chunks == ((2,), (3,), (16, 4), (16, 16, 3))
    moved = data.transpose("y", "x", "bands", "t")
    out = chunks.as_dask(moved, 16)
    assert out.chunks == ((16, 4), (16, 16, 3), (3,), (2,))
    np.testing.assert_array_equal(out.compute(), moved.values)


def test_a_dask_cube_gets_whole_labels_and_keeps_its_windows():
    data = cube(random((3, 2, 20, 20)), 10.0, window=8).chunk({"t": 1, "bands": 1})
    out = chunks.as_dask(data, 16)
    assert out.chunks == ((3,), (2,), (8, 8, 4), (8, 8, 4))  # windows not recut to chunk_px
    np.testing.assert_array_equal(out.compute(), data.values)


def test_a_dask_cube_already_in_whole_labels_is_returned_as_it_is():
    data = cube(random((3, 2, 20, 20)), 10.0, window=8)
    assert chunks.as_dask(data, 16) is data.data


def test_pad_nan_cuts_each_pad_by_chunk_px_and_follows_the_other_axes():
    values = da.from_array(np.arange(12, dtype=np.float32).reshape(1, 3, 4), chunks=-1)
    out = chunks.pad_nan(values, [(0, 0), (2, 1), (0, 5)], chunk_px=2)
    assert out.shape == (1, 6, 9) and out.dtype == np.float32
    assert out.chunks == ((1,), (2, 3, 1), (4, 2, 2, 1))
    result = out.compute()
    np.testing.assert_array_equal(result[:, 2:5, :4], values.compute())
    assert np.isnan(result).sum() == 6 * 9 - 12


def test_a_wide_pad_around_small_chunks_is_one_chunk_a_side():
    """``dask.array.pad`` would cut 250 px of padding as finely as the 3-px edge chunk."""
    out = chunks.pad_nan(da.zeros((10, 10), chunks=7, dtype=np.float32), [(250, 250), (250, 250)])
    assert out.chunks == ((250, 7, 3, 250),) * 2
    assert np.isnan(out.compute()).sum() == 510 * 510 - 100


def test_pad_nan_refuses_a_negative_width_naming_the_axis():
    with pytest.raises(ValueError, match=r"^pad_nan: negative width on axis 1$"):
        chunks.pad_nan(da.zeros((2, 2)), [(0, 0), (1, -1)])


def _blocked():
    values = np.arange(2 * 1 * 10 * 7, dtype=np.float32).reshape(2, 1, 10, 7)
    return values, chunks.Blocks(da.from_array(values, chunks=(1, 1, 4, 3)))


def test_blocks_are_the_spatial_blocks_with_every_label():
    _, blocks = _blocked()
    assert blocks.chunks == ((4, 4, 2), (3, 3, 1))
    assert [s.tolist() for s in blocks.starts] == [[0, 4, 8], [0, 3, 6]]
    assert blocks.parts.shape == (3, 3)  # the two time labels are one block


@pytest.mark.parametrize("rows, cols", [(slice(2, 9), slice(1, 6)), (slice(4, 8), slice(3, 6)), (slice(0, 10), slice(0, 7))],
                         ids=["across", "inside-one", "whole"])
def test_a_window_is_the_slice_of_the_array(rows, cols):
    values, blocks = _blocked()
    window = blocks.window(rows, cols).compute()
    np.testing.assert_array_equal(window, values[..., rows, cols])


def test_a_window_outside_the_array_is_refused():
    _, blocks = _blocked()
    with pytest.raises(ValueError, match=r"window slice\(10, 12, None\), slice\(0, 2, None\) lies outside the array"):
        blocks.window(slice(10, 12), slice(0, 2))


def test_starts_are_the_offsets_of_the_chunks():
    assert chunks.starts((4, 4, 2)).tolist() == [0, 4, 8]
    assert chunks.starts((5,)).tolist() == [0]


def test_from_pieces_lays_out_rows_of_columns():
    def piece(value, shape):
        return chunks.delayed(np.full)(shape, value, dtype=np.float32)

    shapes = [[(1, 2, 3), (1, 2, 4)], [(1, 1, 3), (1, 1, 4)]]
    rows = [[piece(v, s) for v, s in zip(values, row)] for values, row in zip([(1, 2), (3, 4)], shapes)]
    out = chunks.from_pieces(rows, shapes, np.float32)
    assert out.shape == (1, 3, 7) and out.chunks == ((1,), (2, 1), (3, 4)) and out.dtype == np.float32
    np.testing.assert_array_equal(out.compute()[0], [[1, 1, 1, 2, 2, 2, 2]] * 2 + [[3, 3, 3, 4, 4, 4, 4]])


def test_delayed_tasks_are_pure():
    assert chunks.delayed(np.add)(1, 2).key == chunks.delayed(np.add)(1, 2).key
    assert chunks.delayed(np.add)(1, 2).key != chunks.delayed(np.add)(1, 3).key


def test_only_a_dask_backed_cube_is_lazy():
    data = cube(np.zeros((1, 1, 2, 2)), 10.0)
    assert not chunks.is_lazy(data)
    assert chunks.is_lazy(data.chunk())
    assert not chunks.is_lazy(data.chunk().data)  # a bare dask array is no cube


def test_a_small_lazy_cube_is_computed_and_a_larger_one_stays_lazy(monkeypatch):
    monkeypatch.setattr(chunks, "PERSIST_BYTES", 400)  # 100 float32 values
    small = cube(random((1, 1, 10, 10)), 10.0, window=4)
    out = chunks.persist_if_small(small)
    assert isinstance(out.data, np.ndarray) and out.attrs == small.attrs
    np.testing.assert_array_equal(out.values, small.values)
    large = cube(random((1, 1, 10, 11)), 10.0, window=4)  # 440 bytes
    assert chunks.persist_if_small(large) is large


def test_persist_if_small_leaves_anything_else_as_it_is():
    computed = cube(np.zeros((1, 1, 2, 2)), 10.0)
    assert chunks.persist_if_small(computed) is computed
    assert chunks.persist_if_small([1, 2]) == [1, 2]
    lazy_array = da.zeros((2, 2))
    assert chunks.persist_if_small(lazy_array) is lazy_array
