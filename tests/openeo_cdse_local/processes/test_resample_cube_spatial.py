"""resample_cube_spatial: nearest and bilinear onto the target's grid and layout, the same
numbers whatever the windows."""

import numpy as np
import pyproj
import pytest

from cubes import cube, random, same, session
from openeo_cdse_local.cube import Grid
from openeo_cdse_local.errors import Unsupported
from openeo_cdse_local.grids import Layout
from openeo_cdse_local.processes.resample_cube_spatial import bilinear, nearest, resample_cube_spatial


def test_bilinear_is_nan_aware_and_clamped():
    src = Grid(None, 150.0, -150.0, 300.0, 2, 1)
    dst = Grid(None, 5.0, -5.0, 10.0, 60, 1)
    out = bilinear(np.array([[[1.0, 3.0]]]), src, dst)[0, 0]
    assert out[0] == 1.0 and out[-1] == 3.0  # clamped outside the outer centres
    np.testing.assert_allclose(out[30], 1.0 + 2.0 * (305.0 - 150.0) / 300.0)
    out = bilinear(np.array([[[np.nan, 3.0]]]), src, dst)[0, 0]
    assert np.isnan(out[:15]).all()  # at or beyond the no-data centre: only it has weight
    assert np.all(out[15:] == 3.0)  # the valid neighbour carries the whole (renormalised) weight


def test_nearest_takes_the_source_cell_containing_the_projected_centre():
    """A lon/lat layer onto a UTM grid: each target centre projected to EPSG:4326 picks its cell."""
    wgs84, utm = pyproj.CRS.from_epsg(4326), pyproj.CRS.from_epsg(32628)
    step = 1 / 336
    src = Grid(wgs84, -15.5 + step / 2, 15.7 - step / 2, step, 20, 20)
    values = np.arange(400, dtype=float).reshape(1, 20, 20)
    dst = Grid(utm, 446000.0, 1734000.0, 300.0, 5, 5)
    out = nearest(values, src, dst)[0]
    lon, lat = pyproj.Transformer.from_crs(utm, wgs84, always_xy=True).transform(446000.0 + 600.0, 1734000.0 - 300.0)
    row, col = int((15.7 - lat) // step), int((lon + 15.5) // step)
    assert out[1, 2] == values[0, row, col]


@pytest.mark.parametrize("offset", [(0, 0), (3, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nearest_equals_indexing_each_pixel(offset, dtype):
    """The flat gather is pixel by pixel ``values[..., row, col]``, float32, NaN outside the source."""
    wgs84, utm = pyproj.CRS.from_epsg(4326), pyproj.CRS.from_epsg(32628)
    step = 1 / 336
    src = Grid(wgs84, -15.5 + step / 2, 15.7 - step / 2, step, 20, 20)
    values = random((3, 2, 20 - offset[0], 20 - offset[1]), seed=4).astype(dtype)
    dst = Grid(utm, 445500.0, 1735000.0, 100.0, 30, 25)  # reaches beyond the source on the west and north
    out = nearest(values, src, dst, offset)
    assert out.dtype == np.float32 and out.shape == (3, 2, 25, 30)
    lon, lat = pyproj.Transformer.from_crs(utm, wgs84, always_xy=True).transform(*np.meshgrid(dst.x, dst.y))
    rows, cols = np.floor((15.7 - lat) / step).astype(int), np.floor((lon + 15.5) / step).astype(int)
    inside = (rows >= 0) & (rows < 20) & (cols >= 0) & (cols < 20)
    assert inside.any() and not inside.all()
    in_window = inside & (rows >= offset[0]) & (cols >= offset[1])  # a window of the source from ``offset`` on
    for i, j in zip(*np.nonzero(in_window)):
        expected = values[..., rows[i, j] - offset[0], cols[i, j] - offset[1]].astype(np.float32)
        assert np.array_equal(out[..., i, j], expected, equal_nan=True)
    assert np.isnan(out[..., ~inside]).all()


def test_the_result_takes_the_targets_layout():
    layout = Layout(pyproj.CRS.from_epsg(32628), 10.0, 0.0, 0.0, 7, 10, 10)
    target = cube(np.zeros((1, 1, 47, 41)), 10.0, attrs={"layout": layout})
    out = resample_cube_spatial(session(), cube(random((2, 3, 5, 4), seed=1), 300.0), target, method="near")
    assert out.attrs["layout"] == layout and out.sizes["x"] == 41


@pytest.mark.parametrize("method", ["near", "bilinear"])
@pytest.mark.parametrize("window", [7, 16])
def test_windows_give_the_same_numbers(method, window):
    coarse = cube(random((2, 3, 5, 4), seed=1), 300.0, x0=-20.0, top=30.0)
    whole = resample_cube_spatial(session(), coarse, cube(np.zeros((1, 1, 47, 41)), 10.0), method=method)
    chunked = resample_cube_spatial(session(chunk_px=16), cube(coarse.values, 300.0, x0=-20.0, top=30.0, window=2),
                                    cube(np.zeros((1, 1, 47, 41)), 10.0, window=window), method=method)
    same(chunked, whole)
    assert chunked.data.chunks[-1][0] == min(window, 41)  # the target's windows


def test_other_methods_are_refused():
    with pytest.raises(Unsupported, match="method 'cubic'"):
        resample_cube_spatial(session(), cube(np.ones((1, 1, 2, 2)), 300.0), cube(np.ones((1, 1, 4, 4)), 10.0),
                              method="cubic")
