"""efast_udp.perf.scenarios: the benchmark's standard chunks, at 8 px instead of 256 (``SIZE``):
the cubes and contexts each kernel gets, the pixel-dates counted, each reference formulation
against the formula written out for one pixel, and ``agreement`` (where both have values).
That the kernels agree with these references is ``perf/test_benchmark.py``'s."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray

from efast_udp import constants as C
from efast_udp.perf import scenarios

N = 8


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(scenarios, "SIZE", N)


def rng():
    return np.random.default_rng(0)


def days_of(cube) -> np.ndarray:
    return (cube.t.values - scenarios.START.astype("datetime64[ns]")) / np.timedelta64(1, "D")


def gaussian(delta, sigma):
    return math.exp(-delta ** 2 / (2 * sigma ** 2))


# --- agreement ----------------------------------------------------------------------------------

def scenario_answering(expected) -> scenarios.Scenario:
    return scenarios.Scenario("probe", xarray.DataArray([0.0]), {}, 1, lambda: np.asarray(expected),
                              lambda out: np.asarray(out))


def test_agreement_is_the_largest_difference_where_both_have_values():
    probe = scenario_answering([1.0, 2.0, np.nan, 4.0])
    assert probe.agreement([1.5, 2.0, 9.0, np.nan]) == 0.5
    assert probe.agreement([1.0, 2.0, np.nan, 4.0]) == 0.0


def test_agreement_without_a_common_value_is_nan():
    assert math.isnan(scenario_answering([np.nan, 1.0]).agreement([2.0, np.nan]))


# --- the chunks ---------------------------------------------------------------------------------

def test_compositing_chunk_and_its_reference():
    s = scenarios.compositing_scenario(rng(), {"sigma_days": 10})
    assert s.name == "compositing" and s.cube.dims == ("t", "bands", "y", "x")
    assert list(s.cube.bands.values) == [*C.DEFAULT_S3_BANDS, "score"] and s.cube.shape == (24, 5, N, N)
    days = days_of(s.cube)
    assert np.all(np.diff(days) > 0) and days.min() >= 0 and days.max() < 68
    assert s.px_dates == N * N * 24
    assert s.context == {"sigma_days": 10, "temporal_extent": ["2022-08-01", "2022-10-08"],
                         "interval_days": C.DEFAULT_INTERVAL_DAYS}
    values, score = s.cube.values[:, :4].astype(np.float64), s.cube.values[:, 4].astype(np.float64)
    assert (score[np.isnan(values[:, 0])] == 0).all()  # cloudy: no value and no weight
    reference = s.reference()
    assert reference.shape == (35, 4, N, N)  # every 2 days from day 0 to 68, the first on or after the end
    y, x, band = 3, 5, 2
    for k, day in enumerate(np.arange(0, 70, 2)):
        w = [gaussian(day - d, 10) * score[i, y, x] for i, d in enumerate(days) if np.isfinite(values[i, band, y, x])]
        v = [values[i, band, y, x] for i in range(len(days)) if np.isfinite(values[i, band, y, x])]
        assert reference[k, band, y, x] == pytest.approx(np.dot(w, v) / sum(w), rel=1e-9)
    assert s.agreement(xarray.DataArray(reference)) == 0.0


def test_interpolation_chunk_and_its_reference():
    s = scenarios.interpolation_scenario(rng(), {"other": 1})
    assert list(s.cube.bands.values) == [*C.DEFAULT_S3_BANDS, "score"] and s.cube.shape == (24, 5, N, N)
    days = days_of(s.cube)
    composites, s2_dates = np.arange(0, 72, 6), np.arange(0, 72, 6) + 3
    np.testing.assert_array_equal(days, np.sort(np.concatenate([composites, s2_dates])))
    lr = s.cube.values[np.isin(days, composites)]
    assert np.isnan(lr[:, 4]).all() and np.isnan(s.cube.values[np.isin(days, s2_dates), :4]).all()
    assert s.context["other"] == 1 and s.context["temporal_extent"] == ["2022-08-01", "2022-10-20"]
    assert s.context["target_time_series"] == [str(np.datetime64("2022-08-01") + int(d)) for d in composites + 1]
    assert s.px_dates == N * N * 24
    reference = s.reference()
    query = np.union1d(s2_dates, composites + 1)
    assert reference.shape == (24, 4 * N * N)
    y, x, band = 1, 6, 3
    column = np.ravel_multi_index((band, y, x), (4, N, N))
    np.testing.assert_allclose(reference[:, column], np.interp(query, composites, lr[:, band, y, x], left=np.nan, right=np.nan), rtol=1e-6)
    out = xarray.DataArray(reference.reshape(24, 4, N, N), dims=("t", "bands", "y", "x"),
                           coords={"bands": list(C.DEFAULT_S3_BANDS)})
    assert s.agreement(out) == 0.0


def test_fusion_chunk_and_its_reference_is_equation_2():
    s = scenarios.fusion_scenario(rng(), {"sigma_days": 20})
    bands = [*C.DEFAULT_S2_BANDS, "SCL", *C.DEFAULT_S3_BANDS, "score", "target"]
    assert list(s.cube.bands.values) == bands and s.cube.shape == (35, 11, N, N)
    days = days_of(s.cube)
    np.testing.assert_array_equal(days, np.arange(0, 70, 2))
    cube = s.cube.values.astype(np.float64)
    is_s2 = np.isin(days, np.arange(0, 70, 6))
    assert is_s2.sum() == 12 and (cube[:, 10] == 1).all()  # every label is a target
    assert np.isnan(cube[~is_s2, :5]).all() and np.isin(cube[is_s2, 4], (4, 9)).all()
    assert s.px_dates == N * N * 35
    reference = s.reference()
    assert reference.shape == (35, 4, N, N)
    y, x, band = 2, 4, 1
    compared = 0
    for t in range(35):
        w = np.array([gaussian(days[t] - days[i], 20) * cube[i, 9, y, x] * (cube[i, 4, y, x] == 4)
                      for i in np.flatnonzero(is_s2)])
        hr = np.dot(w, cube[is_s2, band, y, x] * 1e-4) / w.sum()
        lr_m = np.dot(w, cube[is_s2, 5 + band, y, x]) / w.sum()
        fused = cube[t, 5 + band, y, x] + hr - lr_m
        if fused < 0:
            assert np.isnan(reference[t, band, y, x])  # compared only where the kernel did not clip
        else:
            assert reference[t, band, y, x] == pytest.approx(fused, rel=1e-6)
            compared += 1
    assert compared > 0
    assert (np.nan_to_num(reference, nan=0.0) >= 0).all()


def test_distance_chunk_and_its_reference_is_the_exact_distance_ramp():
    context = {"cloud_tolerance": 0.05, "fraction_scale": 100, "max_distance_to_cloud_m": 600, "pixel_size_m": 300.0}
    s = scenarios.distance_scenario(rng(), context)
    assert list(s.cube.bands.values) == [C.S2_SCL_BAND] and s.cube.shape == (1, 1, 2 * N, 2 * N)
    fraction = s.cube.values[0, 0]
    assert set(np.unique(fraction).tolist()) <= {0.0, 100.0} and s.px_dates == (2 * N) ** 2
    cloudy = np.argwhere(fraction == 100)
    assert len(cloudy) > 0
    reference = s.reference()
    for (y, x), value in np.ndenumerate(reference):
        d = np.sqrt(((cloudy - (y, x)) ** 2).sum(axis=1)).min()
        assert value == pytest.approx(min(max((d - 1) / 2, 0), 1)), (y, x)  # D = 600 m / 300 m
    assert s.agreement(xarray.DataArray(reference[None, None])) == 0.0


def test_the_same_generator_gives_the_same_chunk():
    one, two = scenarios.fusion_scenario(rng(), {"sigma_days": 20}), scenarios.fusion_scenario(rng(), {"sigma_days": 20})
    np.testing.assert_array_equal(one.cube.values, two.cube.values)
