"""Distance-to-cloud score UDF (Section 2.4), run through the openeo client's UDF runner."""

import math

import numpy as np
import pytest
from udf_harness import context, cube, days, run

from efast_udp import constants as C
from efast_udp.udfs.distance_score import distance_score

S2_CONTEXT = context("s2_distance_score", max_distance_to_cloud_m=600)  # S2: invalid percentage (marks of 100)
S3_CONTEXT = context("s3_distance_score", max_distance_to_cloud_m=600)


def expected_ramp(d, D=2.0):
    return min(max((d - 1.0) / D, 0.0), 1.0)


def test_single_cloudy_cell_gives_the_ramp_by_distance():
    fraction = np.zeros((1, 1, 7, 7))
    fraction[0, 0, 3, 3] = 50.0  # 50 % >= the 5 % tolerance: cloudy
    fraction[0, 0, 0, 0] = 4.0  # 4 % < tolerance: clear
    out = run("distance_score", cube(fraction, ["SCL"], days(0)), S2_CONTEXT)
    assert out.dims == ("t", "bands", "y", "x")
    assert list(out.bands.values) == ["SCL"]
    score = out.values[0, 0]
    for (j, i) in [(3, 3), (3, 4), (2, 2), (3, 5), (1, 4), (1, 1), (0, 3), (0, 0)]:
        d = math.hypot(j - 3, i - 3)
        assert score[j, i] == pytest.approx(expected_ramp(d), abs=1e-6), (j, i)
    assert score[3, 3] == 0.0


def test_no_cloud_scores_one_everywhere_and_all_cloud_zero():
    clear = np.zeros((2, 1, 5, 5))
    clear[1] = 100.0  # second date: every cell fully invalid
    out = run("distance_score", cube(clear, ["SCL"], days(0, 5)), S2_CONTEXT).values
    assert np.all(out[0] == 1.0)
    assert np.all(out[1] == 0.0)


def test_missing_fraction_is_not_a_cloud():
    """No S2 pixel in a cell (outside the footprint) is no evidence of cloud."""
    fraction = np.zeros((1, 1, 3, 3))
    fraction[0, 0, 1, 1] = np.nan
    out = run("distance_score", cube(fraction, ["SCL"], days(0)), S2_CONTEXT).values[0, 0]
    np.testing.assert_array_equal(out, 1.0)


def test_fraction_as_percentage_with_fraction_scale():
    """The graph marks invalid pixels 100, so the 300 m average is a percentage."""
    assert S2_CONTEXT["fraction_scale"] == C.S2_INVALID_MARK == 100
    fraction = np.zeros((1, 1, 3, 3))
    fraction[0, 0, 0, 0], fraction[0, 0, 2, 2] = 5.0, 4.0  # 5 % reaches the 0.05 tolerance, 4 % not
    out = run("distance_score", cube(fraction, ["SCL"], days(0)), S2_CONTEXT).values[0, 0]
    assert out[0, 0] == 0.0 and out[2, 2] > 0.0


def test_s3_binned_flags_above_zero_are_clouds_and_become_the_score():
    """CLOUD_flags as the back-end bins it (a mean of the product pixels' bit fields): any value
    above 0 is a cloud, whatever the bits (snow/ice included); a flag missing at one date while
    present at others is a cloud too; other bands are set to no data where it is cloudy."""
    values = np.full((2, 2, 4, 4), 0.1)
    values[:, 1] = 0.0  # CLOUD_flags: clear
    values[0, 1, 0, 0] = 1.0  # every product pixel cloudy
    values[0, 1, 3, 3] = 0.5  # a quarter of the sub-pixels snow/ice (8 / 4 / 4)
    values[0, 1, 0, 3] = np.nan  # no flag at date 0 only
    bands = ["Syn_Oa04_reflectance", "CLOUD_flags"]
    out = run("distance_score", cube(values, bands, days(0, 1)), S3_CONTEXT)
    assert list(out.bands.values) == bands
    v = out.values[0]
    for cell in [(0, 0), (3, 3), (0, 3)]:
        assert np.isnan(v[0][cell]) and v[1][cell] == 0.0, cell
    assert v[0, 1, 1] == pytest.approx(0.1) and v[1, 1, 1] == pytest.approx(expected_ramp(math.sqrt(2)))
    np.testing.assert_array_equal(out.values[1, 1], 1.0)  # date 1: clear everywhere


@pytest.mark.parametrize("context, cloud", [(S2_CONTEXT, 100.0), (S3_CONTEXT, 1.0)], ids=["S2", "S3"])
def test_nodata_padding_beyond_the_cube_is_not_a_cloud(context, cloud):
    """apply_neighborhood pads the overlap beyond the cube's border with no-data: the score
    next to the border must be the one without padding, not a ramp from the edge."""
    core = np.full((2, 2, 6, 6), 1000.0)
    core[:, 1] = 0.0  # clear
    core[0, 1, 4, 4] = cloud  # one cloudy cell at date 0
    padded = np.full((2, 2, 10, 10), np.nan)
    padded[:, :, 2:8, 2:8] = core
    bands = ["B", context["mask_band"]]
    inner = run("distance_score", cube(core, bands, days(0, 1)), context).values
    outer = run("distance_score", cube(padded, bands, days(0, 1)), context).values[:, :, 2:8, 2:8]
    np.testing.assert_array_equal(outer, inner)
    assert inner[1, 1].min() == 1.0 and inner[0, 1, 0, 0] == 1.0
    assert inner[0, 1, 4, 4] == 0.0 and inner[0, 1, 4, 2] == pytest.approx(expected_ramp(2.0))


def test_chunks_with_the_static_overlap_reproduce_the_whole_scene():
    """⌈D⌉ + 1 px of overlap is enough for the chunked score to equal the unchunked one."""
    rng = np.random.default_rng(1)
    D = C.MAX_MAX_DISTANCE_TO_CLOUD_M / C.COARSE_PIXEL_SIZE_M
    overlap = C.distance_overlap_px()
    assert overlap == math.ceil(D) + 1 == 35
    cloudy = rng.random((200, 200)) > 0.9995
    cloudy[20:23, 150:160] = True
    whole = distance_score(cloudy, D)
    y0, y1, x0, x1 = 60, 140, 60, 140
    window = cloudy[y0 - overlap:y1 + overlap, x0 - overlap:x1 + overlap]
    part = distance_score(window, D)[overlap:-overlap, overlap:-overlap]
    np.testing.assert_array_equal(part, whole[y0:y1, x0:x1])


def test_bad_tolerance_names_the_parameter():
    ctx = dict(S2_CONTEXT, cloud_tolerance=0)
    with pytest.raises(ValueError, match="cloud_tolerance"):
        run("distance_score", cube(np.zeros((1, 1, 2, 2)), ["SCL"], days(0)), ctx)


@pytest.mark.parametrize("max_distance_m", [300, 5000, 7777, C.MAX_MAX_DISTANCE_TO_CLOUD_M])
def test_bounded_transform_equals_the_exact_euclidean_distance_transform(max_distance_m):
    from scipy import ndimage

    rng = np.random.default_rng(int(max_distance_m))
    cloudy = rng.random((3, 90, 120)) < 0.004
    cloudy[1, 10:20, 30:80] = True
    cloudy[2] = False  # a date without any cloud
    D = max_distance_m / C.COARSE_PIXEL_SIZE_M
    expected = np.ones(cloudy.shape)
    for i in range(2):
        d = ndimage.distance_transform_edt(~cloudy[i])
        expected[i] = np.clip((d - 1) / D, 0, 1)
    expected[cloudy] = 0
    np.testing.assert_allclose(distance_score(cloudy, D), expected, atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 7, 5), (2, 40, 3), (1, 3, 64), (4, 37, 41)])
def test_bounded_squared_distance_on_small_and_narrow_slices(shape):
    """Exact squared distances up to the radius, whatever the slice shape (rows narrower than
    the radius, a single column, several slices laid end to end)."""
    from scipy import ndimage

    from efast_udp.udfs.distance_score import bounded_squared_distance

    radius = 18
    rng = np.random.default_rng(sum(shape))
    cloudy = rng.random(shape) < 0.03
    cloudy[0, 0, 0] = True  # every slice but the first may be cloud-free: all get (radius + 1)² or more
    got = bounded_squared_distance(cloudy, radius).astype(float)
    for i in range(shape[0]):
        if cloudy[i].any():
            exact = np.round(ndimage.distance_transform_edt(~cloudy[i]) ** 2)  # integers
        else:
            exact = np.full(shape[1:], np.inf)
        near = exact <= radius ** 2
        np.testing.assert_array_equal(got[i][near], exact[near])
        assert (got[i][~near] >= min(exact[~near].min(initial=np.inf), (radius + 1) ** 2)).all()
