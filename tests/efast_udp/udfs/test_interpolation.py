"""Interpolation UDF: S3 composites to the S2 dates and the target dates (docs/algorithm.md)."""

import numpy as np
import pytest
from udf_harness import context, cube, days, metadata_after, run

from efast_udp.udfs.interpolation import interpolate_series

CONTEXT = context("lr_series", temporal_extent=["2022-09-01", "2022-09-09"],
                  temporal_extent_target=["2022-09-03", "2022-09-07"], interval_days=2, target_time_series=None)
BANDS = ["Syn_Oa04_reflectance", "score"]
NAN = np.nan


def merged(rows, dates):
    """rows: (lr, score) per label, one pixel."""
    return cube(np.array([[[[lr]], [[s]]] for lr, s in rows], dtype=float), BANDS, days(*dates))


def test_lr_at_s2_dates_and_targets_with_score_and_marker():
    # composites at days 0, 4, 8 (0.1, 0.3, 0.5); S2 acquisitions at days 1 and 4
    data = merged([(0.1, NAN), (NAN, 0.7), (0.3, 0.9), (0.5, NAN)], [0, 1, 4, 8])
    out = run("interpolation", data, CONTEXT)
    assert list(out.bands.values) == ["Syn_Oa04_reflectance", "score", "target"]
    labels = [int((t - np.datetime64("2022-09-01")) / np.timedelta64(1, "D")) for t in out.t.values]
    assert labels == [1, 2, 4]  # S2 dates 1, 4 and targets 2, 4 (the end, day 6, is excluded)
    v = out.values[:, :, 0, 0]
    np.testing.assert_allclose(v[:, 0], [0.15, 0.2, 0.3], rtol=1e-6)
    np.testing.assert_array_equal(np.isnan(v[:, 1]), [False, True, False])
    np.testing.assert_allclose(v[[0, 2], 1], [0.7, 0.9], rtol=1e-6)
    np.testing.assert_array_equal(v[:, 2], [0, 1, 1])


def test_explicit_target_series_wins_and_gaps_are_bridged():
    data = merged([(0.1, NAN), (NAN, NAN), (0.5, NAN)], [0, 2, 8])
    ctx = dict(CONTEXT, target_time_series=["2022-09-05", "2022-09-03"])
    out = run("interpolation", data, ctx)
    np.testing.assert_allclose(out.values[:, 0, 0, 0], [0.2, 0.3], rtol=1e-6)


def test_no_s3_observation_gives_no_data():
    out = run("interpolation", merged([(NAN, 0.5), (NAN, NAN)], [2, 4]), CONTEXT)
    assert np.isnan(out.values[:, 0]).all()


def test_no_extrapolation_outside_the_composites():
    out = interpolate_series(np.array([[1.0], [2.0]]), np.array([2.0, 4.0]), np.array([1.0, 3.0, 5.0]))
    assert np.isnan(out[0, 0]) and out[1, 0] == pytest.approx(1.5) and np.isnan(out[2, 0])


@pytest.mark.parametrize("ctx, name", [
    ({"target_time_series": ["2022-09-03", "2022-10-01"]}, "target_time_series"),
    ({"temporal_extent_target": ["2022-08-20", "2022-09-05"]}, "temporal_extent_target"),
    ({"interval_days": 0}, "interval_days"),
])
def test_targets_outside_temporal_extent_name_the_parameter(ctx, name):
    with pytest.raises(ValueError, match=f"parameter '{name}'"):
        run("interpolation", merged([(0.1, 0.5)], [2]), dict(CONTEXT, **ctx))


def test_apply_metadata_adds_the_target_band():
    assert metadata_after("interpolation", BANDS, CONTEXT) == ["Syn_Oa04_reflectance", "score", "target"]


def test_matches_per_element_np_interp_with_and_without_gaps():
    rng = np.random.default_rng(3)
    days_ = np.array([0.0, 2, 4, 6, 8, 10, 12])
    values = rng.random((7, 3, 40)).astype(np.float32)
    values[:, :, :10][rng.random((7, 3, 10)) < 0.4] = np.nan  # gaps in some series only
    query = np.array([-1.0, 0, 1, 3.5, 6, 9, 12, 13])
    out = interpolate_series(values, days_, query)
    flat = values.reshape(7, -1)
    for p in range(flat.shape[1]):
        ok = np.isfinite(flat[:, p])
        expected = np.interp(query, days_[ok], flat[ok, p], left=np.nan, right=np.nan) if ok.any() else np.nan
        np.testing.assert_allclose(out.reshape(len(query), -1)[:, p], expected, rtol=1e-5, atol=1e-7)


def test_s2_labels_are_passed_on_exactly_sub_second_included():
    """The fusion merges on these labels: a rebuilt, rounded time would drop the acquisition."""
    s2_time = np.datetime64("2022-09-02T11:26:39.024123456", "ns")
    dates = [np.datetime64("2022-09-01", "ns"), s2_time, np.datetime64("2022-09-05", "ns")]
    data = cube(np.array([[[[0.1]], [[NAN]]], [[[NAN]], [[0.8]]], [[[0.5]], [[NAN]]]]), BANDS, dates)
    out = run("interpolation", data, dict(CONTEXT, target_time_series=["2022-09-03"]))
    assert out.t.values[0] == s2_time
    assert out.values[0, 1, 0, 0] == pytest.approx(0.8)
    frac = (s2_time - dates[0]) / np.timedelta64(4, "D")
    assert out.values[0, 0, 0, 0] == pytest.approx(0.1 + 0.4 * frac, rel=1e-5)


def test_target_with_utc_offset_is_converted():
    """2022-09-04T01:00+02:00 is 2022-09-03T23:00Z: the target day is 2022-09-03."""
    data = merged([(0.1, NAN), (0.5, NAN)], [0, 8])
    out = run("interpolation", data, dict(CONTEXT, target_time_series=["2022-09-04T01:00:00+02:00"]))
    assert str(out.t.values[0])[:10] == "2022-09-03"


@pytest.mark.parametrize("s2_days", [[1, 3, 5, 7], [1, 2, 7]], ids=["composites-evenly-spaced", "uneven"])
def test_whole_cube_matches_np_interp_per_pixel_and_band(s2_days):
    """Through the runner, two bands with gaps: the composites are read as a strided view when
    their labels are evenly spaced among the S2 labels, else row by row; both must agree with
    np.interp over each pixel's finite composites."""
    rng = np.random.default_rng(7)
    comp_days = [0, 2, 4, 6, 8]
    labels = sorted(set(comp_days) | set(s2_days))
    bands = ["Syn_Oa08_reflectance", "score", "Syn_Oa17_reflectance"]
    values = np.full((len(labels), 3, 2, 3), np.nan)
    for i, d in enumerate(labels):
        if d in comp_days:
            values[i, [0, 2]] = np.where(rng.random((2, 2, 3)) < 0.25, np.nan, rng.random((2, 2, 3)))
        if d in s2_days:
            values[i, 1] = rng.random((2, 3))
    out = run("interpolation", cube(values, bands, days(*labels)), CONTEXT)
    query = [(t - np.datetime64("2022-09-01")) / np.timedelta64(1, "D") for t in out.t.values]
    comp_rows = [labels.index(d) for d in comp_days]
    for b, name in ((0, "Syn_Oa08_reflectance"), (2, "Syn_Oa17_reflectance")):
        for y in range(2):
            for x in range(3):
                series = values[comp_rows, b, y, x]
                ok = np.isfinite(series)
                expected = np.interp(query, np.array(comp_days)[ok], series[ok], left=np.nan, right=np.nan)
                np.testing.assert_allclose(out.sel(bands=name).values[:, y, x], expected, rtol=1e-5, atol=1e-7)
