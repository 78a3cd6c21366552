"""The fusion kernel's own functions on small hand-computed arrays: the weights (Section 2.5),
the weighted mosaics HR_m and LR_m (Section 2.3), Eq. 2, its fallback to HR_m, the clip at 0,
NDVI and the SCL validity. ``tests/test_udf_fusion.py`` runs the embedded UDF through openeo's
runner; here each step is called directly.

Shapes: S2 and LR at the S2 dates (dates, bands, y, x), score (dates, y, x), LR at the targets
(targets, bands, y, x)."""

import math

import numpy as np
import pytest
import xarray

from efast_udp.udfs import fusion

NAN = np.nan
#: at day 5 between acquisitions on days 0 and 10 with sigma 5 both temporal weights are exp(-1/2)
DAYS, TARGET, SIGMA = [0.0, 10.0], [5.0], 5.0
CONTEXT = {"s2_bands": ["B04", "B8A"], "s3_bands": ["Oa08", "Oa17"], "fused_band_names": None, "output_ndvi": False,
           "ndvi_red": "B04", "ndvi_nir": "B8A", "ndvi_band": "NDVI", "sigma_days": 5.0, "scl_band": "SCL",
           "invalid_scl": [3, 8, 9], "scale": 0.0001, "units": "digital numbers", "units_limit": 100,
           "score_band": "score", "target_band": "target"}


def pixels(*values):
    """Per-date values of one band at one pixel -> (dates, 1, 1, 1)."""
    return np.array(values, dtype=np.float32).reshape(-1, 1, 1, 1)


def scores(*values):
    return np.array(values, dtype=np.float32).reshape(-1, 1, 1)


def fuse(s2, lr, score, lr_p, days=DAYS, target=TARGET, sigma=SIGMA, scale=1.0):
    return fusion.fuse(s2, lr, score, lr_p, np.array(days), np.array(target), sigma, s2_scale=scale)


# --- Eq. 2 --------------------------------------------------------------------------------------

def test_eq2_with_equal_weights_is_lr_p_plus_the_mean_difference():
    # HR_m = (0.2 + 0.4) / 2 = 0.3, LR_m = (0.1 + 0.3) / 2 = 0.2, F = 0.25 + 0.3 - 0.2
    out = fuse(pixels(0.2, 0.4), pixels(0.1, 0.3), scores(1, 1), pixels(0.25))
    assert out.dtype == np.float32 and out.shape == (1, 1, 1, 1)
    assert out[0, 0, 0, 0] == pytest.approx(0.35, abs=1e-6)


def test_the_score_weighs_each_acquisition():
    # weights 1 and 0.5 (times the same exp(-1/2)): HR_m - LR_m = (1 * 0.1 + 0.5 * 0.3) / 1.5 = 1/6
    out = fuse(pixels(0.2, 0.5), pixels(0.1, 0.2), scores(1, 0.5), pixels(0.25))
    assert out[0, 0, 0, 0] == pytest.approx(0.25 + 1 / 6, abs=1e-6)


def test_the_temporal_weight_is_gaussian_in_days():
    # target on day 0: weights 1 and exp(-100 / 50) = e^-2 for the acquisition 10 days later
    w = math.exp(-2.0)
    out = fuse(pixels(0.2, 0.5), pixels(0.1, 0.2), scores(1, 1), pixels(0.3), target=[0.0])
    assert out[0, 0, 0, 0] == pytest.approx(0.3 + (0.1 + w * 0.3) / (1 + w), abs=1e-6)


def test_a_score_of_zero_removes_the_acquisition():
    out = fuse(pixels(0.2, 0.9), pixels(0.1, 0.1), scores(1, 0), pixels(0.25))
    assert out[0, 0, 0, 0] == pytest.approx(0.35, abs=1e-6)


def test_s2_in_digital_numbers_is_scaled_to_reflectance():
    out = fuse(pixels(2000, 4000), pixels(0.1, 0.3), scores(1, 1), pixels(0.25), scale=0.0001)
    assert out[0, 0, 0, 0] == pytest.approx(0.35, abs=1e-6)


def test_each_target_and_band_and_pixel_is_its_own_eq2():
    s2 = np.array([[[[0.2, 0.3]], [[0.5, 0.5]]], [[[0.4, 0.3]], [[0.5, 0.7]]]], dtype=np.float32)  # (2, 2, 1, 2)
    lr = np.full_like(s2, 0.1)
    lr_p = np.array([[[[0.2, 0.2]], [[0.3, 0.3]]], [[[0.0, 0.1]], [[0.1, 0.0]]]], dtype=np.float32)
    out = fuse(s2, lr, np.ones((2, 1, 2), np.float32), lr_p, target=[5.0, 5.0])
    # equal weights: F = LR_p + mean(S2) - 0.1
    expected = lr_p + s2.mean(axis=0) - 0.1
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_per_date_sequences_give_the_same_result_as_arrays():
    s2, lr = pixels(0.2, 0.5), pixels(0.1, 0.2)
    whole = fuse(s2, lr, scores(1, 0.5), pixels(0.25))
    listed = fuse(list(s2), list(lr), list(scores(1, 0.5)), pixels(0.25))
    np.testing.assert_array_equal(whole, listed)


def test_an_acquisition_without_lr_leaves_both_mosaics():
    # date 1 has no LR: HR_m and LR_m both over date 0 only (never one LR term without the other)
    out = fuse(pixels(0.2, 0.9), pixels(0.1, NAN), scores(1, 1), pixels(0.25))
    assert out[0, 0, 0, 0] == pytest.approx(0.35, abs=1e-6)


def test_bands_with_their_own_gaps_have_their_own_weights():
    s2 = np.array([[0.2, 0.3], [NAN, 0.5]], dtype=np.float32).reshape(2, 2, 1, 1)  # band 0 missing on date 1
    lr = np.full_like(s2, 0.1)
    out = fuse(s2, lr, scores(1, 1), np.full((1, 2, 1, 1), 0.2, np.float32))
    np.testing.assert_allclose(out[0, :, 0, 0], [0.2 + 0.2 - 0.1, 0.2 + 0.4 - 0.1], atol=1e-6)


# --- the fallback to HR_m, the clip, no data ----------------------------------------------------

@pytest.mark.parametrize("lr_p", [NAN, np.inf, -np.inf])
def test_without_lr_at_the_target_f_is_hr_m(lr_p):
    out = fuse(pixels(0.2, 0.4), pixels(0.1, 0.3), scores(1, 1), pixels(lr_p))
    assert out[0, 0, 0, 0] == pytest.approx(0.3, abs=1e-6)


def test_without_lr_at_any_acquisition_f_is_hr_m_over_all_valid_s2():
    out = fuse(pixels(0.2, 0.4), pixels(NAN, NAN), scores(1, 0.5), pixels(0.25))
    assert out[0, 0, 0, 0] == pytest.approx((0.2 + 0.5 * 0.4) / 1.5, abs=1e-6)


def test_the_fallback_is_only_where_eq2_is_undefined():
    s2 = np.array([0.2, 0.2, 0.4, 0.6], dtype=np.float32).reshape(2, 1, 1, 2)  # pixels (0.2, 0.4) and (0.2, 0.6)
    lr = np.array([0.1, NAN, 0.3, NAN], dtype=np.float32).reshape(2, 1, 1, 2)  # pixel 1: no LR
    out = fuse(s2, lr, np.ones((2, 1, 2), np.float32), np.full((1, 1, 1, 2), 0.25, np.float32))
    np.testing.assert_allclose(out[0, 0, 0], [0.35, 0.4], atol=1e-6)


def test_a_negative_f_is_clipped_to_zero():
    out = fuse(pixels(0.01, 0.01), pixels(0.5, 0.5), scores(1, 1), pixels(0.1))  # 0.1 + 0.01 - 0.5 < 0
    assert out[0, 0, 0, 0] == 0.0


def test_no_valid_acquisition_gives_nan_never_inf():
    out = fuse(pixels(0.2, NAN), pixels(0.1, 0.3), scores(0, 1), pixels(0.25))
    assert np.isnan(out[0, 0, 0, 0])


def test_a_subnormal_weight_sum_still_gives_eq2():
    # one acquisition 13.4 sigma away: weight ~1e-39 (subnormal in float32), not 0
    out = fuse(pixels(0.2), pixels(0.1), scores(1), pixels(0.15), days=[0.0], target=[67.0])
    assert out[0, 0, 0, 0] == pytest.approx(0.25, rel=1e-3)


@pytest.mark.parametrize("sigma", [0, -1.0, NAN])
def test_sigma_must_be_positive_naming_the_udp_parameter(sigma):
    with pytest.raises(ValueError, match="parameter 'temporal_score_stddev' must be > 0"):
        fuse(pixels(0.2), pixels(0.1), scores(1), pixels(0.15), days=[0.0], sigma=sigma)


# --- the pieces -----------------------------------------------------------------------------------

def test_weighted_differences_share_one_weight_layer_when_validity_is_shared():
    s2 = np.array([[0.2, 0.3], [NAN, NAN]], dtype=np.float32).reshape(2, 2, 1, 1)  # date 1: no band has data
    terms, weights = fusion._weighted_differences(s2, np.full_like(s2, 0.1), scores(0.5, 1), 1.0)
    assert weights.shape == (2, 1, 1, 1)
    np.testing.assert_allclose(weights[:, 0, 0, 0], [0.5, 0.0])
    np.testing.assert_allclose(terms[:, :, 0, 0], [[0.05, 0.1], [0.0, 0.0]], atol=1e-7)  # exact 0, not NaN


def test_weighted_differences_give_each_band_its_weights_when_validity_differs():
    s2 = np.array([[0.2, 0.3], [NAN, 0.5]], dtype=np.float32).reshape(2, 2, 1, 1)
    terms, weights = fusion._weighted_differences(s2, np.full_like(s2, 0.1), scores(1, 0.5), 1.0)
    assert weights.shape == (2, 2, 1, 1)
    np.testing.assert_allclose(weights[:, :, 0, 0], [[1, 1], [0, 0.5]])
    np.testing.assert_allclose(terms[:, :, 0, 0], [[0.1, 0.2], [0.0, 0.2]], atol=1e-7)


def test_weighted_mean_is_hr_m_with_nan_where_no_date_has_weight():
    w_t = np.array([[1.0, 1.0], [1.0, 0.0]], dtype=np.float32)  # target 1 sees only date 0
    values = [np.array([[2000.0, NAN]], np.float32), np.array([[4000.0, NAN]], np.float32)]  # (1 band, 2 px)
    score = [np.ones(2, np.float32), np.array([0.5, 1.0], np.float32)]
    out = fusion.weighted_mean(w_t, values, score, 0.0001)
    assert out.shape == (2, 1, 2)
    np.testing.assert_allclose(out[:, 0, 0], [(0.2 + 0.5 * 0.4) / 1.5, 0.2], atol=1e-6)
    assert np.isnan(out[:, 0, 1]).all()


@pytest.mark.parametrize("values, finite", [
    ([0.0, 1.0, -3.0], True), ([0.0, NAN], False), ([np.inf, 1.0], False), ([-np.inf], False),
    ([1e30, 1.0], False),  # its square overflows float32: the caller takes its exact path
])
def test_all_finite(values, finite):
    assert fusion._all_finite(np.array(values, dtype=np.float32)) is finite


def test_clip_negative_in_place_keeps_nan():
    values = np.array([[-0.5, 0.2], [NAN, -0.0]], dtype=np.float32)
    out = fusion._clip_negative(values, np.zeros(2, np.float32))
    assert out is values
    np.testing.assert_array_equal(values, np.array([[0.0, 0.2], [NAN, 0.0]], dtype=np.float32))


def test_ndvi_and_its_no_data():
    red = np.array([0.1, 0.0, 0.2, NAN, 0.3], dtype=np.float32)
    nir = np.array([0.3, 0.0, -0.4, 0.5, 0.3], dtype=np.float32)
    out = fusion.ndvi(red, nir)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.5, NAN, NAN, NAN, 0.0], atol=1e-6)  # sum 0 or negative: NaN


def test_s2_validity_from_the_scene_classes():
    scl = np.array([4.0, 8.0, NAN, 3.0, 5.0, 9.0], dtype=np.float32)
    np.testing.assert_array_equal(fusion.s2_validity(scl, [3.0, 8.0, 9.0]), [True, False, False, False, True, False])
    np.testing.assert_array_equal(fusion.s2_validity(scl, []), [True, True, False, True, True, True])


def test_label_maximum_ignores_nan_and_is_nan_only_where_all_are():
    band = np.array([[[NAN, 1.0]], [[NAN, NAN]], [[0.0, -2.0]]], dtype=np.float32)  # (t, y, x)
    np.testing.assert_array_equal(fusion._label_maximum(band), [1.0, NAN, 0.0])


# --- output band names ----------------------------------------------------------------------------

@pytest.mark.parametrize("change, names", [
    ({}, ["B04", "B8A"]),
    ({"fused_band_names": []}, ["B04", "B8A"]),  # empty as null: the S2 names
    ({"fused_band_names": ["red", "nir"], "output_ndvi": True}, ["red", "nir", "NDVI"]),
])
def test_output_band_names(change, names):
    assert fusion.output_band_names(dict(CONTEXT, **change)) == names


def test_ndvi_names_every_band_it_lacks():
    ctx = dict(CONTEXT, output_ndvi=True, s2_bands=["B02", "B03"], s3_bands=["Oa04", "Oa06"])
    with pytest.raises(ValueError, match=r"parameter 'output_ndvi' needs B04 and B8A in 's2_data_bands'"):
        fusion.output_band_names(ctx)


# --- the entry point's refusals -------------------------------------------------------------------

BANDS = ["B04", "B8A", "Oa08", "Oa17", "SCL", "score", "target"]


def merged(rows, bands=BANDS):
    """One pixel, a label per row (a dict of band -> value; missing bands are no data)."""
    values = np.array([[[[row.get(b, NAN)]] for b in bands] for row in rows], dtype=np.float32)
    t = np.datetime64("2023-06-01", "ns") + np.arange(len(rows)).astype("timedelta64[D]")
    return xarray.DataArray(values, dims=("t", "bands", "y", "x"),
                            coords={"t": t, "bands": bands, "y": [0.0], "x": [0.0]})


S2_ROW = {"B04": 2000, "B8A": 3000, "Oa08": 0.2, "Oa17": 0.3, "SCL": 4, "score": 1, "target": 0}


def test_the_entry_point_names_the_bands_missing_from_its_input():
    cube = merged([S2_ROW], bands=BANDS[:4] + ["SCL", "target"])
    with pytest.raises(ValueError, match=r"fusion: bands \['score'\] missing from the input bands"):
        fusion.apply_datacube(cube, CONTEXT)


def test_the_entry_point_refuses_a_cube_without_target_marker():
    with pytest.raises(ValueError, match="fusion: no target date marked in the input band 'target'"):
        fusion.apply_datacube(merged([S2_ROW, dict(S2_ROW)]), CONTEXT)


def test_the_entry_point_refuses_s2_in_reflectance():
    rows = [dict(S2_ROW, B04=0.2, B8A=0.3), {"Oa08": 0.2, "Oa17": 0.3, "target": 1}]
    with pytest.raises(ValueError, match="Sentinel-2 band B04: typical value 0.2 looks like reflectance"):
        fusion.apply_datacube(merged(rows), CONTEXT)


def test_the_entry_point_keeps_only_the_target_labels():
    rows = [S2_ROW, {"Oa08": 0.25, "Oa17": 0.35, "target": 1}, dict(S2_ROW, B04=4000, Oa08=0.3)]
    out = fusion.apply_datacube(merged(rows), CONTEXT)
    assert out.dims == ("t", "bands", "y", "x")
    assert list(out.t.values) == [np.datetime64("2023-06-02", "ns")]
    assert list(out.bands.values) == ["B04", "B8A"]
    # sigma 5, targets 1 day from each: equal weights; B04: 0.25 + (0.2 + 0.4) / 2 - (0.2 + 0.3) / 2
    np.testing.assert_allclose(out.values[0, :, 0, 0], [0.3, 0.35], atol=1e-6)
