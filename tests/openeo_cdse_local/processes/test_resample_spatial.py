"""resample_spatial: block averages on the grid the back-end makes, anchored at the layout's
lower-left corner; the same numbers whatever the windows."""

import numpy as np
import pytest

from cubes import CRS, cube, random, same, session
from openeo_cdse_local.grids import Layout
from openeo_cdse_local.processes.resample_spatial import anchored, resample_spatial


def test_anchored_layout_keeps_left_and_bottom_and_whole_tiles():
    old = Layout(CRS, 10.0, 1000.0, 50000.0, tile_px=4, cols=3, rows=2)  # 120 m x 80 m
    new = anchored(old, 30.0)
    assert (new.left, new.bottom, new.tile_px, new.cols, new.rows) == (1000.0, 49920.0, 4, 1, 1)
    assert new.top == 49920.0 + 4 * 30.0  # 40 m above the old top: the top edge moves, the bottom stays


def test_cells_start_at_the_lower_left_corner_and_average_what_they_cover():
    layout = Layout(CRS, 10.0, 0.0, 0.0, tile_px=5, cols=1, rows=1)  # 50 x 50 m, bottom at -50
    values = np.arange(25, dtype=float).reshape(1, 1, 5, 5)
    values[0, 0, 4, 0] = np.nan
    out = resample_spatial(session(), cube(values, 10.0, attrs={"layout": layout}), resolution=30, method="average")
    new = out.attrs["layout"]
    assert new.top == -50.0 + 5 * 30.0 == 100.0 and new.tile_px == 5
    # cells of 30 m from y = -50 upwards: rows -50..-20 (old rows 2..4) and -20..10 (old rows 0..1)
    assert out.y.values[:2].tolist() == [85.0, 55.0] and out.sizes["y"] == 5 and out.sizes["x"] == 5
    cell = out.sel(y=-5.0, x=15.0).values[0, 0]  # old rows 0-1, columns 0-2
    np.testing.assert_allclose(cell, values[0, 0, 0:2, 0:3].mean())
    low = out.sel(y=-35.0, x=15.0).values[0, 0]  # old rows 2-4, columns 0-2, one of them no data
    np.testing.assert_allclose(low, np.nanmean(values[0, 0, 2:5, 0:3]))
    assert np.isnan(out.sel(y=85.0).values).all()  # whole tiles: no data where the source has none


def test_no_op_when_the_resolution_already_matches():
    data = cube(np.ones((1, 1, 4, 4)), 300.0)
    assert resample_spatial(session(), data, resolution=300.00001, method="average") is not None
    assert resample_spatial(session(), data, resolution=300.0, method="average").identical(data)


@pytest.mark.parametrize("window", [16, 32])
def test_windows_give_the_same_numbers(window):
    values = random((2, 2, 95, 71))
    whole = resample_spatial(session(chunk_px=4096), cube(values, 10.0), resolution=300, method="average")
    same(resample_spatial(session(chunk_px=16), cube(values, 10.0, window=window), resolution=300, method="average"),
         whole)
