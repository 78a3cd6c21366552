"""resample_spatial (block averages) and resample_cube_spatial (near, bilinear, S3 binning): the
back-end's conventions, and the same numbers whatever the windows."""

import numpy as np
import pytest

from cubes import cube, random, same, session
from openeo_cdse_local.cube import Grid
from openeo_cdse_local.processes.resample_cube_spatial import bilinear, binning, resample_cube_spatial
from openeo_cdse_local.processes.resample_spatial import resample_spatial


def test_resample_spatial_averages_blocks_from_the_top_left_corner():
    values = np.arange(5 * 7, dtype=float).reshape(1, 1, 5, 7)
    values[0, 0, 0, 0] = np.nan
    out = resample_spatial(session(), cube(values, 10.0), resolution=30, method="average")
    assert out.shape == (1, 1, 2, 3)
    assert out.x.values[0] == 15.0 and out.y.values[0] == -15.0
    np.testing.assert_allclose(out.values[0, 0, 0, 0], np.nanmean(values[0, 0, :3, :3]))
    np.testing.assert_allclose(out.values[0, 0, 1, 2], values[0, 0, 3:, 6:].mean())  # partial edge block


@pytest.mark.parametrize("window", [4, 30])
def test_resample_spatial_windows(window):
    values = random((2, 2, 95, 71))
    whole = resample_spatial(session(), cube(values, 10.0), resolution=300, method="average")
    same(resample_spatial(session(chunk_px=16), cube(values, 10.0, window=window), resolution=300,
                          method="average"), whole)


def test_bilinear_is_nan_aware_and_clamped():
    src = Grid(None, 150.0, -150.0, 300.0, 2, 1)
    dst = Grid(None, 5.0, -5.0, 10.0, 60, 1)
    out = bilinear(np.array([[[1.0, 3.0]]]), src, dst)[0, 0]
    assert out[0] == 1.0 and out[-1] == 3.0  # clamped outside the outer centres
    np.testing.assert_allclose(out[30], 1.0 + 2.0 * (305.0 - 150.0) / 300.0)
    out = bilinear(np.array([[[np.nan, 3.0]]]), src, dst)[0, 0]
    assert np.isnan(out[:15]).all()  # at or beyond the no-data centre: only it has weight
    assert np.all(out[15:] == 3.0)  # the valid neighbour carries the whole (renormalised) weight


@pytest.mark.parametrize("method", ["near", "bilinear"])
@pytest.mark.parametrize("window", [7, 16])
def test_resample_cube_spatial_windows(method, window):
    coarse = cube(random((2, 3, 5, 4), seed=1), 300.0, x0=-20.0, top=30.0)
    whole = resample_cube_spatial(session(), coarse, cube(np.zeros((1, 1, 47, 41)), 10.0), method=method)
    chunked = resample_cube_spatial(session(chunk_px=16), cube(coarse.values, 300.0, x0=-20.0, top=30.0, window=2),
                                    cube(np.zeros((1, 1, 47, 41)), 10.0, window=window), method=method)
    same(chunked, whole)
    assert chunked.data.chunks[-1][0] == min(window, 41)  # the target's windows


def test_binning_drops_flagged_pixels_and_averages():
    src = Grid(None, 75.0, -75.0, 150.0, 4, 2)  # 150 m pixels: 2 x 2 per 300 m cell
    dst = Grid(None, 150.0, -150.0, 300.0, 2, 1)
    refl = np.array([[1.0, 2.0, 5.0, 7.0], [3.0, 4.0, np.nan, 9.0]])
    flags = np.array([[0, 0, 1, 0], [0, 8, 0, 0]], dtype=float)
    out = binning(np.stack([refl, flags])[None], ["r", "CLOUD_flags"], src, dst,
                  {"super_sampling": 2, "flag_band": "CLOUD_flags", "flag_bitmask": 255})
    np.testing.assert_allclose(out[0, 0, 0], [(1 + 2 + 3) / 3, (7 + 9) / 2])
    np.testing.assert_allclose(out[0, 1, 0], [0.0, 0.0])


def test_binning_windows():
    flags = {"reprojection_type": "binning", "super_sampling": 2, "flag_band": "b1", "flag_bitmask": 255}
    values = random((11, 2, 9, 8), seed=2)
    values[:, 1] = np.where(values[:, 1] > 0.7, 1.0, 0.0)
    target = cube(np.zeros((1, 1, 5, 4)), 300.0)
    whole = resample_cube_spatial(session(), cube(values, 150.0, attrs={"featureflags": flags}), target)
    same(resample_cube_spatial(session(chunk_px=16), cube(values, 150.0, window=3, attrs={"featureflags": flags}),
                               target), whole)
