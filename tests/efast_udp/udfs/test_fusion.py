"""The fusion kernel's own functions on small hand-computed arrays: the weights (Section 2.5),
the weighted mosaics HR_m and LR_m (Section 2.3), Eq. 2, its fallback to HR_m, the clip at 0,
NDVI and the SCL validity. ``tests/test_udf_fusion.py`` runs the embedded UDF through openeo's
runner; here each step is called directly.

Shapes: S2 and LR at the S2 dates (dates, bands, y, x), score (dates, y, x), LR at the targets
(targets, bands, y, x).

Fusion UDF: weighted mosaics and Eq. 2 (Sections 2.3/2.5), through the openeo UDF runner."""

import math

import numpy as np
import pytest
import xarray

from efast_udp.udfs import fusion

from udf_harness import context, cube, days, metadata_after, run

NAN = np.nan


#: at day 5 between acquisitions on days 0 and 10 with sigma 5 both temporal weights are exp(-1/2)
DAYS, TARGET, SIGMA = [0.0, 10.0], [5.0], 5.0
KERNEL_CONTEXT = {"s2_bands": ["B04", "B8A"], "s3_bands": ["Oa08", "Oa17"], "fused_band_names": None,
                  "output_ndvi": False, "ndvi_red": "B04", "ndvi_nir": "B8A", "ndvi_band": "NDVI", "sigma_days": 5.0,
                  "scl_band": "SCL", "invalid_scl": [3, 8, 9], "scale": 0.0001, "units": "digital numbers",
                  "units_limit": 100, "score_band": "score", "target_band": "target"}


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
    assert fusion.output_band_names(dict(KERNEL_CONTEXT, **change)) == names


def test_ndvi_names_every_band_it_lacks():
    ctx = dict(KERNEL_CONTEXT, output_ndvi=True, s2_bands=["B02", "B03"], s3_bands=["Oa04", "Oa06"])
    with pytest.raises(ValueError, match=r"parameter 'output_ndvi' needs B04 and B8A in 's2_data_bands'"):
        fusion.output_band_names(ctx)


# --- the entry point's refusals -------------------------------------------------------------------

KERNEL_BANDS = ["B04", "B8A", "Oa08", "Oa17", "SCL", "score", "target"]


def kernel_input(rows, bands=KERNEL_BANDS):
    """One pixel, a label per row (a dict of band -> value; missing bands are no data)."""
    values = np.array([[[[row.get(b, NAN)]] for b in bands] for row in rows], dtype=np.float32)
    t = np.datetime64("2023-06-01", "ns") + np.arange(len(rows)).astype("timedelta64[D]")
    return xarray.DataArray(values, dims=("t", "bands", "y", "x"),
                            coords={"t": t, "bands": bands, "y": [0.0], "x": [0.0]})


S2_ROW = {"B04": 2000, "B8A": 3000, "Oa08": 0.2, "Oa17": 0.3, "SCL": 4, "score": 1, "target": 0}


def test_the_entry_point_names_the_bands_missing_from_its_input():
    cube = kernel_input([S2_ROW], bands=KERNEL_BANDS[:4] + ["SCL", "target"])
    with pytest.raises(ValueError, match=r"fusion: bands \['score'\] missing from the input bands"):
        fusion.apply_datacube(cube, KERNEL_CONTEXT)


def test_the_entry_point_refuses_a_cube_without_target_marker():
    with pytest.raises(ValueError, match="fusion: no target date marked in the input band 'target'"):
        fusion.apply_datacube(kernel_input([S2_ROW, dict(S2_ROW)]), KERNEL_CONTEXT)


def test_the_entry_point_refuses_s2_in_reflectance():
    rows = [dict(S2_ROW, B04=0.2, B8A=0.3), {"Oa08": 0.2, "Oa17": 0.3, "target": 1}]
    with pytest.raises(ValueError, match="Sentinel-2 band B04: typical value 0.2 looks like reflectance"):
        fusion.apply_datacube(kernel_input(rows), KERNEL_CONTEXT)


def test_the_entry_point_keeps_only_the_target_labels():
    rows = [S2_ROW, {"Oa08": 0.25, "Oa17": 0.35, "target": 1}, dict(S2_ROW, B04=4000, Oa08=0.3)]
    out = fusion.apply_datacube(kernel_input(rows), KERNEL_CONTEXT)
    assert out.dims == ("t", "bands", "y", "x")
    assert list(out.t.values) == [np.datetime64("2023-06-02", "ns")]
    assert list(out.bands.values) == ["B04", "B8A"]
    # sigma 5, targets 1 day from each: equal weights; B04: 0.25 + (0.2 + 0.4) / 2 - (0.2 + 0.3) / 2
    np.testing.assert_allclose(out.values[0, :, 0, 0], [0.3, 0.35], atol=1e-6)


CONTEXT = context("fused", s2_bands=["B04", "B8A"], s3_bands=["Syn_Oa08_reflectance", "Syn_Oa17_reflectance"],
                  fused_band_names=None, output_ndvi=False, sigma_days=20)
# a deliberately shuffled band order: pairing must go by name, never by position in the cube
BANDS = ["Syn_Oa17_reflectance", "B8A", "score", "SCL", "target", "Syn_Oa08_reflectance", "B04"]


def merged(labels):
    """labels: list of (day, dict of band -> value); missing bands are no data. One pixel."""
    values = np.array([[[[row.get(b, NAN)]] for b in BANDS] for _, row in labels], dtype=float)
    return cube(values, BANDS, days(*[d for d, _ in labels]))


def s2_label(day, b04, b8a, lr04, lr8a, score=1.0, scl=4):
    return (day, {"B04": b04, "B8A": b8a, "SCL": scl, "score": score, "target": 0,
                  "Syn_Oa08_reflectance": lr04, "Syn_Oa17_reflectance": lr8a})


def target_label(day, lr04, lr8a):
    return (day, {"target": 1, "Syn_Oa08_reflectance": lr04, "Syn_Oa17_reflectance": lr8a})


def eq2(T, s2_days, hr, lr, score, lr_p, sigma=20.0):
    w = [s * math.exp(-(t - T) ** 2 / (2 * sigma ** 2)) for t, s in zip(s2_days, score)]
    hr_m = sum(wi * v for wi, v in zip(w, hr)) / sum(w)
    lr_m = sum(wi * v for wi, v in zip(w, lr)) / sum(w)
    return lr_p + hr_m - lr_m


def test_eq2_for_one_target_between_two_acquisitions():
    data = merged([s2_label(0, 1000, 3000, 0.12, 0.30, score=1.0), target_label(5, 0.18, 0.35),
                   s2_label(12, 2500, 2000, 0.20, 0.25, score=0.5)])
    out = run("fusion", data, CONTEXT)
    assert out.dims == ("t", "bands", "y", "x")
    assert list(out.bands.values) == ["B04", "B8A"]
    assert [str(t)[:10] for t in out.t.values] == ["2022-09-06"]
    assert out.values[0, 0, 0, 0] == pytest.approx(eq2(5, [0, 12], [0.1, 0.25], [0.12, 0.20], [1, 0.5], 0.18), rel=1e-5)
    assert out.values[0, 1, 0, 0] == pytest.approx(eq2(5, [0, 12], [0.3, 0.2], [0.30, 0.25], [1, 0.5], 0.35), rel=1e-5)


def test_target_on_an_s2_date_and_cloudy_acquisitions_ignored():
    s2 = s2_label(4, 1000, 3000, 0.1, 0.3)
    s2[1]["target"] = 1
    data = merged([s2, s2_label(8, 9000, 9000, 0.9, 0.9, scl=9), s2_label(9, 9000, 9000, 0.9, 0.9, score=0.0)])
    out = run("fusion", data, CONTEXT)
    np.testing.assert_allclose(out.values[0, :, 0, 0], [0.1, 0.3], rtol=1e-5)


def test_missing_s3_falls_back_to_the_s2_mosaic():
    data = merged([s2_label(0, 1000, 3000, NAN, NAN), target_label(5, 0.5, 0.5),
                   s2_label(10, 3000, 1000, NAN, NAN)])
    out = run("fusion", data, CONTEXT)
    np.testing.assert_allclose(out.values[0, :, 0, 0], [0.2, 0.2], rtol=1e-5)


def test_missing_lr_at_target_falls_back_too():
    data = merged([s2_label(0, 1000, 3000, 0.5, 0.5), target_label(5, NAN, NAN), s2_label(10, 3000, 1000, 0.5, 0.5)])
    np.testing.assert_allclose(run("fusion", data, CONTEXT).values[0, :, 0, 0], [0.2, 0.2], rtol=1e-5)


def test_all_cloud_gives_no_data_never_inf():
    data = merged([s2_label(0, 1000, 3000, 0.1, 0.1, scl=8), target_label(5, 0.2, 0.2),
                   s2_label(10, 1000, 3000, 0.1, 0.1, scl=3)])
    out = run("fusion", data, dict(CONTEXT, output_ndvi=True)).values
    assert np.isnan(out).all()


def test_fusion_never_returns_negative_reflectance():
    data = merged([s2_label(0, 100, 100, 0.5, 0.5), target_label(5, 0.01, 0.01), s2_label(10, 100, 100, 0.5, 0.5)])
    out = run("fusion", data, CONTEXT).values
    assert (out == 0).all()


def test_ndvi_and_renamed_bands():
    ctx = dict(CONTEXT, output_ndvi=True, fused_band_names=["red", "nir"])
    day, row = s2_label(0, 1000, 3000, 0.1, 0.3)
    data = merged([(day, dict(row, target=1))])  # the single S2 date is also the target
    out = run("fusion", data, ctx)
    assert list(out.bands.values) == ["red", "nir", "NDVI"]
    assert out.values[0, 2, 0, 0] == pytest.approx((0.3 - 0.1) / (0.3 + 0.1), rel=1e-5)
    assert metadata_after("fusion", BANDS, ctx) == ["red", "nir", "NDVI"]


@pytest.mark.parametrize("ctx, name", [
    ({"s3_bands": ["Syn_Oa08_reflectance"]}, "s3_data_bands"),
    ({"fused_band_names": ["only_one"]}, "fused_band_names"),
    ({"output_ndvi": True, "s2_bands": ["B04", "B03"], "s3_bands": ["Syn_Oa08_reflectance", "Syn_Oa06_reflectance"]},
     "output_ndvi"),
])
def test_inconsistent_band_parameters_name_the_parameter(ctx, name):
    data = merged([s2_label(0, 1000, 3000, 0.1, 0.3), target_label(2, 0.1, 0.3)])
    with pytest.raises(ValueError, match=f"parameter '{name}'"):
        run("fusion", data, dict(CONTEXT, **ctx))


def test_chunk_without_any_s2_data_gives_no_data_not_an_error():
    """One tile outside every S2 footprint must not fail the whole back-end job."""
    out = run("fusion", merged([target_label(2, 0.1, 0.3)]), CONTEXT)
    assert out.sizes["t"] == 1 and np.isnan(out.values).all()


def test_apply_metadata_default_names_are_the_s2_bands():
    assert metadata_after("fusion", BANDS, CONTEXT) == ["B04", "B8A"]


def _pixel_reference(data, ctx):
    """Eq. 2 pixel by pixel and band by band in plain Python, with the documented fallback to
    HR_m and the clip at 0: the specification the vectorised kernel must agree with."""
    bands = list(data.bands.values)
    v = data.values
    t_days = [(t - data.t.values[0]) / np.timedelta64(1, "D") for t in data.t.values]
    is_s2 = [np.isfinite(v[k, bands.index("SCL")]).any() for k in range(len(t_days))]
    targets = [k for k in range(len(t_days)) if (v[k, bands.index("target")] > 0.5).any()]
    out = np.full((len(targets), 2) + v.shape[2:], np.nan)
    for (y, x), _ in np.ndenumerate(v[0, 0]):
        for j, T in enumerate(targets):
            for i, (hb, lb) in enumerate(zip(ctx["s2_bands"], ctx["s3_bands"])):
                eq2_w, eq2_d, hr_w, hr_v = [], [], [], []
                for k in (k for k in range(len(t_days)) if is_s2[k]):
                    scl, score = v[k, bands.index("SCL"), y, x], v[k, bands.index("score"), y, x]
                    if not np.isfinite(scl) or scl in ctx["invalid_scl"] or not np.isfinite(score):
                        continue
                    w = score * math.exp(-(t_days[k] - t_days[T]) ** 2 / (2 * ctx["sigma_days"] ** 2))
                    hr, lr = v[k, bands.index(hb), y, x] * ctx["scale"], v[k, bands.index(lb), y, x]
                    if np.isfinite(hr):
                        hr_w.append(w)
                        hr_v.append(hr)
                        if np.isfinite(lr):
                            eq2_w.append(w)
                            eq2_d.append(hr - lr)
                lr_p = v[T, bands.index(lb), y, x]
                if np.isfinite(lr_p) and sum(eq2_w) > 0:
                    f = lr_p + sum(a * b for a, b in zip(eq2_w, eq2_d)) / sum(eq2_w)
                elif sum(hr_w) > 0:
                    f = sum(a * b for a, b in zip(hr_w, hr_v)) / sum(hr_w)
                else:
                    continue
                out[j, i, y, x] = max(f, 0.0)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_random_chunks_with_gaps_agree_with_the_pixel_reference(seed):
    """Gaps in one band only, missing LR (at S2 dates and at targets), NaN scores, invalid SCL:
    every path of the kernel (shared or per-band validity, dates with and without gaps, the
    HR_m fallback) against the plain per-pixel formula."""
    rng = np.random.default_rng(seed)
    n, ny, nx = int(rng.integers(3, 8)), 3, 4
    is_s2 = rng.random(n) < 0.6
    is_s2[0] = True
    is_target = rng.random(n) < 0.5
    is_target[-1] = True
    layers = {}
    for b in ("B04", "B8A"):
        layers[b] = np.where(rng.random((n, ny, nx)) < 0.15, NAN, rng.uniform(0, 6000, (n, ny, nx)))
    for b in ("Syn_Oa08_reflectance", "Syn_Oa17_reflectance"):
        layers[b] = np.where(rng.random((n, ny, nx)) < 0.1, NAN, rng.uniform(0, 0.6, (n, ny, nx)))
    if seed % 3 == 0:  # validity shared by the bands: the common case
        layers["B8A"][np.isnan(layers["B04"])] = NAN
        layers["Syn_Oa17_reflectance"][np.isnan(layers["Syn_Oa08_reflectance"])] = NAN
    if seed % 4 == 1:  # S2 data everywhere: the kernel's path without masking
        for b in ("B04", "B8A", "Syn_Oa08_reflectance", "Syn_Oa17_reflectance"):
            layers[b] = np.nan_to_num(layers[b], nan=0.1)
    layers["SCL"] = rng.choice([4, 5, 6, 8, 9, 3, 0], (n, ny, nx)).astype(float)
    layers["score"] = np.where(rng.random((n, ny, nx)) < 0.1, NAN, rng.random((n, ny, nx)))
    for b in ("B04", "B8A", "SCL", "score"):
        layers[b][~is_s2] = NAN
    layers["target"] = np.broadcast_to(is_target.astype(float)[:, None, None], (n, ny, nx))
    data = cube(np.stack([layers[b] for b in BANDS], axis=1), BANDS,
                days(*np.sort(rng.choice(60, n, replace=False)).tolist()))
    out = run("fusion", data, CONTEXT).values
    expected = _pixel_reference(data, CONTEXT)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    np.testing.assert_allclose(out[~np.isnan(out)], expected[~np.isnan(expected)], rtol=1e-4, atol=1e-6)


def test_bands_are_picked_by_name_when_first_and_last_positions_only_look_like_a_run():
    """S2 bands at cube positions 1, 3, 5 and S3 bands at 0, 4, 2: the S3 positions span three
    places like a run but are not one (0.2.2 read them as the slice 0:3)."""
    bands = ["Oa04", "B02", "Oa08", "B03", "Oa06", "B04", "SCL", "score", "target"]
    ctx = dict(CONTEXT, s2_bands=["B02", "B03", "B04"], s3_bands=["Oa04", "Oa06", "Oa08"])
    s2 = [0.1, 1000, 0.3, 2000, 0.2, 3000, 4, 1, 0]
    target = [0.15, NAN, 0.35, NAN, 0.25, NAN, NAN, NAN, 1]
    for rows, dates in (([s2, target, s2, target, s2], [0, 5, 10, 15, 20]), ([s2, s2, target], [0, 5, 10])):
        out = run("fusion", cube(np.array(rows, dtype=float)[:, :, None, None], bands, days(*dates)), ctx).values
        for t in range(out.shape[0]):
            np.testing.assert_allclose(out[t, :, 0, 0], [0.15, 0.25, 0.35], rtol=1e-5)


def test_minus_infinite_lr_at_the_target_falls_back_to_hr_m_not_zero():
    data = merged([s2_label(0, 2000, 3000, 0.1, 0.2), target_label(5, -np.inf, 0.35)])
    np.testing.assert_allclose(run("fusion", data, CONTEXT).values[0, :, 0, 0], [0.2, 0.45], rtol=1e-5)


def test_eq2_holds_when_the_weight_sum_is_subnormal():
    """The only acquisition is 13.4 sigma away: its weight (~1e-39, subnormal in float32) is tiny
    but not zero, so Eq. 2 applies (0.2.2 took 1 / weight sum, which overflows, and fell back to
    HR_m = [0.2, 0.3])."""
    data = merged([s2_label(0, 2000, 3000, 0.1, 0.2), target_label(67, 0.15, 0.35)])
    out = run("fusion", data, dict(CONTEXT, sigma_days=5)).values[0, :, 0, 0]
    np.testing.assert_allclose(out, [0.25, 0.45], rtol=1e-3)
