"""S3 compositing UDF (Sections 2.4/2.5, docs/algorithm.md) through the openeo UDF runner."""

import math

import numpy as np
import pytest
from udf_harness import context, cube, days, metadata_after, run

from efast_udp.udfs.compositing import composite

CONTEXT = context("s3_composite", temporal_extent=["2022-09-01", "2022-09-07"], interval_days=2, sigma_days=10)
BANDS = ["Syn_Oa04_reflectance", "Syn_Oa17_reflectance", "score"]


def s3(values_dn, scores, dates):
    """(t, 3, 1, 1) cube: two reflectance bands and the score. Values are written as digital
    numbers and handed over as reflectance (x 0.0001), as CDSE delivers Sentinel-3."""
    v = np.array([[[[a * 1e-4]], [[b * 1e-4]], [[s]]] for (a, b), s in zip(values_dn, scores)], dtype=float)
    return cube(v, BANDS, days(*dates))


def test_digital_numbers_stop_with_a_message_naming_the_band():
    v = np.array([[[[1000.0]], [[2000.0]], [[1.0]]]])  # reflectance x 10000: scaled twice somewhere
    with pytest.raises(ValueError, match="Syn_Oa04_reflectance: typical value 1000 looks like digital numbers"):
        run("compositing", cube(v, BANDS, days(0)), CONTEXT)


def test_weighted_mean_by_score_and_time_at_regular_dates():
    out = run("compositing", s3([(1000, 2000), (3000, 4000)], [1.0, 0.5], [0, 10]), CONTEXT)
    assert out.dims == ("t", "bands", "y", "x")
    assert list(out.bands.values) == BANDS[:2]
    # every 2 days from the start, up to the first date on or after the (excluded) end
    assert [str(t)[:10] for t in out.t.values] == ["2022-09-01", "2022-09-03", "2022-09-05", "2022-09-07"]
    for k, T in enumerate([0, 2, 4, 6]):
        w0 = 1.0 * math.exp(-T ** 2 / (2 * 10 ** 2))
        w1 = 0.5 * math.exp(-(10 - T) ** 2 / (2 * 10 ** 2))
        expected = (w0 * 1000 + w1 * 3000) / (w0 + w1) * 1e-4
        assert out.values[k, 0, 0, 0] == pytest.approx(expected, rel=1e-6)
        assert out.values[k, 1, 0, 0] == pytest.approx((w0 * 2000 + w1 * 4000) / (w0 + w1) * 1e-4, rel=1e-6)


def test_cloudy_observation_and_zero_score_do_not_count():
    out = run("compositing", s3([(np.nan, np.nan), (3000, 4000), (9000, 9000)], [0.0, 1.0, 0.0], [0, 1, 2]),
              CONTEXT)
    np.testing.assert_allclose(out.values[:, 0, 0, 0], 0.3, rtol=1e-6)


def test_no_s3_observation_gives_no_data_not_zero():
    out = run("compositing", s3([(np.nan, np.nan), (np.nan, np.nan)], [np.nan, 0.0], [0, 3]), CONTEXT)
    assert np.isnan(out.values).all()


def test_single_date():
    out = run("compositing", s3([(500, 600)], [1.0], [3]), CONTEXT)
    np.testing.assert_allclose(out.values[:, :, 0, 0], [[0.05, 0.06]] * 4, rtol=1e-6)


def test_nan_band_only_affects_that_band():
    out = run("compositing", s3([(np.nan, 1000), (2000, 3000)], [1.0, 1.0], [0, 4]), CONTEXT)
    assert out.values[0, 0, 0, 0] == pytest.approx(0.2, rel=1e-6)  # band 0: only day 4 has data
    w4 = math.exp(-4 ** 2 / (2 * 10 ** 2))  # band 1 at day 0: day 0 (weight 1) and day 4 (weight w4)
    assert out.values[0, 1, 0, 0] == pytest.approx((1000 + 3000 * w4) / (1 + w4) * 1e-4, rel=1e-6)


def test_equals_the_materialising_reference():
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 5000, (6, 2, 5, 4)).astype(np.float32)
    values[rng.random(values.shape) < 0.2] = np.nan
    score = rng.random((6, 5, 4)).astype(np.float32)
    obs, out_days = np.array([0, 1, 3, 5, 8, 13.0]), np.arange(0, 14, 2.0)
    w = score[None] * np.exp(-0.5 * ((out_days[:, None] - obs[None]) / 7.0) ** 2)[:, :, None, None]
    w = w[:, :, None] * np.isfinite(values)[None]
    reference = np.nansum(w * np.nan_to_num(values)[None], axis=1) / w.sum(axis=1)
    np.testing.assert_allclose(composite(values, score, obs, out_days, 7.0), reference, rtol=1e-5)


@pytest.mark.parametrize("extent, interval, last", [
    (["2022-09-01", "2022-09-07"], 2, "2022-09-07"),
    (["2022-09-01", "2022-09-08"], 3, "2022-09-10"),
    (["2022-09-01", "2022-09-02"], 5, "2022-09-06"),
])
def test_composites_reach_past_every_date_of_the_extent(extent, interval, last):
    """A Sentinel-2 date on the extent's last day still lies between two composites."""
    out = run("compositing", s3([(500, 600)], [1.0], [0]), dict(CONTEXT, temporal_extent=extent, interval_days=interval))
    assert str(out.t.values[-1])[:10] == last
    assert str(out.t.values[0])[:10] == extent[0]


def test_extent_with_utc_offset_is_converted_not_dropped():
    """2022-09-01T23:00-02:00 is 2022-09-02T01:00Z: the series starts on 2022-09-02."""
    ctx = dict(CONTEXT, temporal_extent=["2022-09-01T23:00:00-02:00", "2022-09-07T00:00:00Z"])
    out = run("compositing", s3([(500, 600)], [1.0], [2]), ctx)
    assert str(out.t.values[0])[:10] == "2022-09-02"


def test_interval_must_be_positive_and_named():
    with pytest.raises(ValueError, match="interval_days"):
        run("compositing", s3([(1000, 1000)], [1.0], [0]), dict(CONTEXT, interval_days=0))


def test_apply_metadata_drops_the_score_band():
    assert metadata_after("compositing", BANDS, CONTEXT) == BANDS[:2]
