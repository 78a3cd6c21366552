"""Fusion UDF: weighted mosaics and Eq. 2 (Sections 2.3/2.5), through the openeo UDF runner."""

import math

import numpy as np
import pytest
from udf_harness import context, cube, days, metadata_after, run

NAN = np.nan
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
