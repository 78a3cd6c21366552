"""cube: pixel-centre grids with their edges, the CRS and pixel size read back from a cube (and
refused when they cannot be), a cube's own layout, grid comparison, and the (t, bands, y, x) order."""

import numpy as np
import pyproj
import pytest
import xarray

from cubes import CRS, cube
from openeo_cdse_local.cube import (Grid, crs_of, cube_dims_order, grid_of, layout_of, resolution, same_grid,
                                    with_grid)
from openeo_cdse_local.grids import Layout


def test_a_grid_has_pixel_centres_from_its_first_column_and_top_row():
    grid = Grid(CRS, 105.0, 995.0, 10.0, 3, 2)
    assert grid.x.tolist() == [105.0, 115.0, 125.0]
    assert grid.y.tolist() == [995.0, 985.0]  # descending
    assert (grid.left, grid.top) == (100.0, 1000.0)


def test_the_crs_is_read_back_as_pyproj():
    found = crs_of(cube(np.zeros((1, 1, 2, 2)), 10.0))
    assert isinstance(found, pyproj.CRS) and found == CRS


def test_a_cube_without_crs_is_refused():
    bare = xarray.DataArray(np.zeros((2, 2)), dims=("y", "x"), coords={"y": [15.0, 5.0], "x": [5.0, 15.0]})
    with pytest.raises(ValueError, match="^data cube without a coordinate reference system$"):
        crs_of(bare)


@pytest.mark.parametrize("coords, expected", [
    ([0.0, 10.0, 20.0], 10.0),
    ([1739995.0, 1739985.0, 1739975.0], 10.0),  # descending y
    (np.array([399905.0, 400205.0, 400505.0], np.float32), 300.0),
])
def test_resolution_is_the_step_between_coordinates(coords, expected):
    assert resolution(np.asarray(coords), "x") == expected


@pytest.mark.parametrize("coords, message", [
    ([5.0], "^cannot tell the pixel size from a single y coordinate$"),
    ([0.0, 10.0, 25.0], "^irregular y coordinates$"),
])
def test_resolution_refuses_what_has_no_single_step_naming_the_axis(coords, message):
    with pytest.raises(ValueError, match=message):
        resolution(np.asarray(coords), "y")


def test_grid_of_reads_back_the_grid_a_cube_was_made_on():
    data = cube(np.zeros((1, 1, 2, 3)), 10.0, x0=399900.0, top=1740000.0)
    assert grid_of(data) == Grid(CRS, 399905.0, 1739995.0, 10.0, 3, 2)


def test_grid_of_takes_the_pixel_size_from_coordinates_then_from_y_then_from_the_caller():
    data = cube(np.zeros((1, 1, 3, 3)), 20.0)
    data.attrs.pop("resolution")
    assert grid_of(data).res == 20.0
    assert grid_of(data.isel(x=[0])).res == 20.0  # one column wide: the rows' step
    single = data.isel(x=[0], y=[0])
    assert grid_of(single, res=300.0).res == 300.0
    with pytest.raises(ValueError, match="cannot tell the pixel size from a single"):
        grid_of(single)


def test_irregular_rows_of_a_one_column_cube_are_named_y():
    data = cube(np.zeros((1, 1, 3, 1)), 10.0).assign_coords(y=[25.0, 15.0, 0.0])
    data.attrs.pop("resolution")
    with pytest.raises(ValueError, match="^irregular y coordinates$"):
        grid_of(data)


def test_a_cube_with_a_layout_keeps_it():
    layout = Layout(CRS, 10.0, -40.0, 50.0, 8, 2, 2)
    assert layout_of(cube(np.zeros((1, 1, 2, 2)), 10.0, attrs={"layout": layout})) == layout  # not its own (0, 0) one


@pytest.mark.parametrize("attrs", [None, {"layout": "Layout(EPSG:32628, ...)"}], ids=["none", "not-a-layout"])
def test_a_cube_without_a_layout_gets_one_from_its_top_left_pixel(attrs):
    data = cube(np.zeros((1, 1, 2, 300)), 10.0, x0=1000.0, top=5000.0, attrs=attrs)
    assert layout_of(data) == Layout(CRS, 10.0, 1000.0, 5000.0, 256, 2, 1)  # 300 px: two tiles of 256


def test_the_same_grid_is_the_same_size_coordinates_and_crs():
    data = cube(np.zeros((1, 1, 3, 4)), 10.0)
    assert same_grid(data, cube(np.ones((2, 2, 3, 4)), 10.0, x0=1e-9))  # labels and float noise do not matter
    assert not same_grid(data, cube(np.zeros((1, 1, 3, 4)), 10.0, x0=10.0))  # one column over
    assert not same_grid(data, cube(np.zeros((1, 1, 3, 5)), 10.0))
    assert not same_grid(data, cube(np.zeros((1, 1, 3, 4)), 10.0, crs=pyproj.CRS.from_epsg(32629)))


def test_grids_one_pixel_apart_at_a_real_northing_are_not_the_same():
    a = cube(np.zeros((1, 1, 3, 3)), 10.0, x0=399900.0, top=1740000.0)
    b = cube(np.zeros((1, 1, 3, 3)), 10.0, x0=399900.0, top=1740010.0)
    assert not same_grid(a, b)


def test_with_grid_puts_values_on_the_grid_with_its_crs_and_pixel_size():
    grid = Grid(CRS, 105.0, 995.0, 10.0, 3, 2)
    attrs = {"note": "kept"}
    coords = {"bands": ["a"], "x": [0.0, 1.0, 2.0], "extra": [1, 2]}
    out = with_grid(np.ones((1, 2, 3), np.float32), ("bands", "y", "x"), coords, grid, attrs)
    assert out.dims == ("bands", "y", "x") and set(out.coords) == {"bands", "y", "x", "spatial_ref"}
    assert out.x.values.tolist() == [105.0, 115.0, 125.0] and out.y.values.tolist() == [995.0, 985.0]
    assert out.attrs == {"note": "kept", "resolution": 10.0} and attrs == {"note": "kept"}
    assert crs_of(out) == CRS and grid_of(out) == grid


@pytest.mark.parametrize("dims, expected", [
    (("x", "y", "bands", "t"), ("t", "bands", "y", "x")),
    (("y", "x", "t"), ("t", "y", "x")),
    (("x", "z", "t", "y"), ("t", "z", "y", "x")),  # another dimension goes just before y, x
])
def test_cube_dims_order_puts_t_bands_first_and_y_x_last(dims, expected):
    sizes = {"t": 2, "bands": 3, "y": 4, "x": 5, "z": 6}
    data = xarray.DataArray(np.random.default_rng(0).random([sizes[d] for d in dims]), dims=dims)
    out = cube_dims_order(data)
    assert out.dims == expected
    index = {"t": 1, "bands": 2, "y": 3, "x": 4, "z": 5}
    assert out[tuple(index[d] for d in expected)] == data[tuple(index[d] for d in dims)]
