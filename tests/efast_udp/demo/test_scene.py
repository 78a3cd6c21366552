"""efast_udp.demo.scene: the synthetic scene with known truth, on the small scene of the suite
(60 px, 30 days): its grids and acquisition times, Sentinel-2 in digital numbers with clouds,
shadows and a fully cloudy gap, Sentinel-3 as footprint means on a shifted product grid with
its cloud flags, the green-up, the files it writes, and the sizes it refuses."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest

from efast_udp.demo import scene as sc
from efast_udp.demo.scene import SceneConfig, make_scene
from openeo_cdse_local import data as io

TINY = SceneConfig(size_px=30, n_days=6, gap_days=(2,), green_up_day=3.0, s3_cloudy_days=(1,))


@pytest.mark.parametrize("size", [45, 31, 10])
def test_a_size_that_is_not_whole_coarse_cells_is_refused(size):
    with pytest.raises(ValueError, match="^size_px must be a multiple of 30$"):
        make_scene(SceneConfig(size_px=size, n_days=6))


def test_the_same_seed_gives_the_same_scene_and_another_seed_another():
    one, two = make_scene(TINY), make_scene(TINY)
    for band in one.s2:
        np.testing.assert_array_equal(one.s2[band], two.s2[band])
    for band in one.s3:
        np.testing.assert_array_equal(one.s3[band], two.s3[band])
    other = make_scene(SceneConfig(**{**TINY.__dict__, "seed": 7}))
    assert not np.array_equal(one.s2["B02"], other.s2["B02"])


def test_grids_extents_and_acquisition_times(small_scene):
    s, c = small_scene, small_scene.config
    np.testing.assert_allclose(s.x[:3], c.x0 + np.array([5.0, 15.0, 25.0]))
    np.testing.assert_allclose(s.y[:3], c.top - np.array([5.0, 15.0, 25.0]))  # top row first
    assert s.spatial_extent == {"west": c.x0, "south": c.top - 600, "east": c.x0 + 600, "north": c.top,
                                "crs": 32628}
    assert s.temporal_extent == ["2023-06-01", "2023-07-01"]  # the end: the day after the last
    assert s.s2_days.tolist() == [0, 5, 10, 15, 20, 25]
    assert s.s2_times[1] == np.datetime64("2023-06-06T11:26")
    assert s.s3_days.tolist()[:4] == [0, 0, 1, 1] and s.s3_days.size == 2 * c.n_days
    assert s.s3_times[:3].tolist() == np.array(["2023-06-01T10:12", "2023-06-01T11:41", "2023-06-02T10:12"],
                                               "datetime64[m]").tolist()


def test_sentinel2_is_the_truth_in_digital_numbers_with_noise_shadows_and_bright_clouds(small_scene):
    s, noise = small_scene, small_scene.config.s2_noise
    for i, day in enumerate(s.s2_days):
        truth, scl = s.truth(day), s.s2["SCL"][i]
        dn = np.stack([s.s2[b][i] for b in sc.S2_BANDS])
        assert np.array_equal(dn, np.round(dn))  # whole digital numbers
        clear, shadow, cloud = np.isin(scl, (4, 5)), scl == 3, np.isin(scl, (8, 9))
        assert np.abs(dn[:, clear] / 1e4 - truth[:, clear]).max(initial=0) < 6 * noise
        assert np.abs(dn[:, shadow] / 1e4 - sc.SHADOW_FACTOR * truth[:, shadow]).max(initial=0) < 6 * noise
        assert dn[:, cloud].min(initial=sc.CLOUD_DN) >= sc.CLOUD_DN
        vegetated = s.vegetation_fraction(day) > 0.35
        assert np.array_equal(scl[clear] == 4, vegetated[clear])  # 4 vegetation, 5 bare soil


def test_the_first_date_is_clear_the_gap_fully_cloudy_and_the_others_partly(small_scene):
    s = small_scene
    scl = s.s2["SCL"]
    assert np.isin(scl[0], (4, 5)).all()
    for i, day in enumerate(s.s2_days):
        if day in s.config.gap_days:
            assert np.isin(scl[i], (8, 9)).all(), day
        elif day:
            assert np.isin(scl[i], (8, 9)).mean() == pytest.approx(s.config.cloud_cover, abs=0.01), day
            assert {3, 10} <= set(np.unique(scl[i]).tolist()), day  # shadows, and thin cirrus around the clouds


def test_the_product_grid_is_shifted_and_holds_every_pixel_centre(small_scene):
    s = small_scene
    lon3, lat3, index = sc.product_grid(s)
    step = sc.S3_STEP_DEG
    np.testing.assert_allclose(np.diff(lon3), step)
    np.testing.assert_allclose(np.diff(lat3), -step)
    assert ((lon3[0] - step / 2) / step) % 1 == pytest.approx(sc.S3_GRID_SHIFT)
    assert ((lat3[0] + step / 2) / step) % 1 == pytest.approx(sc.S3_GRID_SHIFT)
    xx, yy = np.meshgrid(s.x, s.y)
    lon, lat = pyproj.Transformer.from_crs(sc.CRS, "EPSG:4326", always_xy=True).transform(xx, yy)
    row, col = np.divmod(index, lon3.size)
    assert index.shape == (60, 60) and index.min() >= 0 and index.max() < lon3.size * lat3.size
    assert np.abs(lon - lon3[col]).max() <= step / 2 and np.abs(lat - lat3[row]).max() <= step / 2


def test_sentinel3_is_footprint_means_with_gain_offset_and_its_cloud_flags(small_scene):
    s, noise = small_scene, small_scene.config.s3_noise
    _, _, index = sc.product_grid(s)
    flags = s.s3["CLOUD_flags"]
    seen = np.isin(np.arange(flags[0].size), index).reshape(flags[0].shape)
    assert np.isnan(flags[:, ~seen]).all() and np.isfinite(flags[:, seen]).all()
    for k, day in enumerate(s.s3_days):
        layer = flags[k]
        if day in s.config.s3_cloudy_days:
            assert (layer[seen] == 1).all(), day
        assert set(np.unique(layer[seen]).tolist()) <= {0, 1, 2, 4}
        values = np.stack([s.s3[b][k] for b in sc.S3_BANDS])
        assert np.isnan(values[:, ~seen]).all()
        assert values[:, layer == 1].min(initial=0.5) >= 0.5  # cloudy pixels are bright
        truth = s.truth(day)
        for cell in np.flatnonzero((layer == 0) & seen)[:3]:
            footprint = truth[:, index == cell].mean(axis=1)
            got = values.reshape(4, -1)[:, cell]
            assert np.abs(got - (sc.S3_GAIN * footprint + sc.S3_OFFSET)).max() < 6 * noise, (day, cell)
    assert (flags == 4).any() and (flags == 2).any()  # margins and ambiguous pixels occur


def test_the_green_up_raises_nir_and_lowers_red(small_scene):
    s = small_scene
    before, after = s.truth(s.config.green_up_day - 30), s.truth(s.config.green_up_day + 30)
    red, nir = sc.S2_BANDS.index("B04"), sc.S2_BANDS.index("B8A")
    assert (after[nir] > before[nir]).all() and (after[red] < before[red]).all()
    fractions = np.stack([s.vegetation_fraction(d) for d in range(s.config.n_days)])
    assert (np.diff(fractions, axis=0) >= 0).all() and fractions.min() >= 0 and fractions.max() <= 1
    window = (slice(10, 20), slice(30, 35))
    np.testing.assert_array_equal(s.truth(12.5, window), s.truth(12.5)[(slice(None),) + window])


def test_write_gives_the_two_collections_as_cdse_delivers_them(small_scene, small_data):
    """``small_data``: the suite's small scene, written once for the session."""
    scene = small_scene
    s2, s3 = io.open_collection(small_data, "SENTINEL2_L2A"), io.open_collection(small_data, "SENTINEL3_SYN_L2_SYN")
    try:
        assert s2.crs == pyproj.CRS(sc.CRS) and s2.bands == [*sc.S2_BANDS, "SCL"] and s2.res == sc.S2_RES
        np.testing.assert_array_equal(s2.t, scene.s2_times.astype("datetime64[ns]"))
        np.testing.assert_array_equal(s2.ds["B8A"].values, scene.s2["B8A"])
        np.testing.assert_allclose(s2.x, scene.x)
        np.testing.assert_allclose(s2.y, scene.y)
        assert s3.crs == pyproj.CRS("EPSG:4326") and s3.bands == [*sc.S3_BANDS, "CLOUD_flags"]
        np.testing.assert_array_equal(s3.t, scene.s3_times.astype("datetime64[ns]"))
        np.testing.assert_array_equal(s3.ds["CLOUD_flags"].values, scene.s3["CLOUD_flags"])
    finally:
        s2.ds.close()
        s3.ds.close()
