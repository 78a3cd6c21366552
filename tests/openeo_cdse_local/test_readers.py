"""``readers``: files onto the layer, products in batches, products sharing a label merged."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pytest

from openeo_cdse_local import readers
from openeo_cdse_local.data import open_collection, write_collection
from openeo_cdse_local.errors import InvalidData
from openeo_cdse_local.grids import Layout


def test_batches_keep_each_label_whole_and_hold_at_most_size_products():
    groups = [np.array([0]), np.array([1, 2]), np.array([3]), np.array([4, 5, 6]), np.array([7])]
    batches = readers._batches(groups, 3)
    assert [[g.tolist() for g in b] for b in batches] == [[[0], [1, 2]], [[3]], [[4, 5, 6]], [[7]]]
    assert readers._batches(groups, 1) == [[g] for g in groups]  # a label larger than a batch stays whole
    assert readers._batches([], 32) == []


def test_first_with_data_fills_each_cell_from_the_first_layer_that_has_it():
    nan = np.nan
    stack = np.array([[[1.0, nan], [nan, nan]], [[5.0, 2.0], [nan, 7.0]], [[9.0, 9.0], [3.0, 9.0]]])
    np.testing.assert_array_equal(readers.first_with_data(stack), [[1.0, 2.0], [3.0, 7.0]])
    assert np.isnan(readers.first_with_data(np.full((2, 1, 1), nan))).all()


def test_merge_groups_keeps_single_dates_and_merges_shared_labels():
    values = np.arange(4 * 1 * 2 * 2, dtype=np.float32).reshape(4, 1, 2, 2)
    values[1, 0, 0, 0] = np.nan
    lazy = da.from_array(values, chunks=(-1, -1, 1, 1))
    assert readers.merge_groups(lazy, [np.array([0]), np.array([1]), np.array([2]), np.array([3])]) is lazy
    merged = readers.merge_groups(lazy, [np.array([0]), np.array([1, 2]), np.array([3])]).compute()
    assert merged.shape == (3, 1, 2, 2)
    np.testing.assert_array_equal(merged[0], values[0])
    np.testing.assert_array_equal(merged[1, 0], [[values[2, 0, 0, 0], values[1, 0, 0, 1]], values[1, 0, 1]])
    np.testing.assert_array_equal(merged[2], values[3])


def _utm_file(tmp_path, x0: float):
    x = x0 + 10.0 * np.arange(4)
    y = 5005.0 + 10.0 * np.arange(4)[::-1]
    t = np.array(["2023-06-01"], dtype="datetime64[ns]")
    band = np.arange(16, dtype=np.float32).reshape(1, 4, 4) + 1
    path = tmp_path / "SENTINEL2_L2A.nc"
    write_collection(path, {"B02": band}, t, y, x, "EPSG:32631")
    return open_collection(tmp_path, "SENTINEL2_L2A"), band


def test_on_grid_places_the_file_in_the_window_and_pads_with_no_data(tmp_path):
    collection, band = _utm_file(tmp_path, 505.0)  # pixel edges at multiples of 10 m
    layout = Layout(collection.crs, 10.0, 480.0, 5060.0, 8, 1, 1)
    values = readers.on_grid(collection, ["B02"], np.array([0]), layout, slice(0, 8), slice(0, 8), None, 8).compute()
    assert values.shape == (1, 1, 8, 8) and values.dtype == np.float32
    # the file's top-left centre (505, 5035) is the layout's pixel row 2, column 2
    np.testing.assert_array_equal(values[0, 0, 2:6, 2:6], band[0])
    assert np.isnan(values[0, 0, :2]).all() and np.isnan(values[0, 0, :, :2]).all()


def test_on_grid_refuses_a_file_off_the_layers_pixel_grid(tmp_path):
    collection, _ = _utm_file(tmp_path, 503.0)
    layout = Layout(collection.crs, 10.0, 480.0, 5060.0, 8, 1, 1)
    with pytest.raises(InvalidData, match="pixel centres are not on the back-end's 10 grid"):
        readers.on_grid(collection, ["B02"], np.array([0]), layout, slice(0, 8), slice(0, 8), None, 8)
