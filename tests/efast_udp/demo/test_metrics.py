"""``efast_udp.demo.metrics``: the S2-only baseline, the cloud-gap targets, RMSE accumulated window
by window, and NDVI."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from efast_udp.demo import metrics
from efast_udp.demo.scene import SceneConfig

NAN = np.nan


def scene_with(**config) -> SimpleNamespace:
    """What the metrics read of a scene: its config, and truth = the day in every band and pixel."""
    return SimpleNamespace(config=SceneConfig(**config),
                           truth=lambda day, window: np.full((2, 1, 3), float(day))[(slice(None),) + window])


def s2_series(values, scl) -> dict:
    """One band B04 (t, 1, n) DN and its SCL."""
    return {"B04": np.asarray(values, float)[:, None, :], "SCL": np.asarray(scl, float)[:, None, :]}


def test_s2_only_interpolates_the_clear_observations_in_reflectance():
    s2 = s2_series([[1000, 1000], [9999, 3000], [3000, 5000]], [[4, 4], [9, 4], [4, 4]])
    out = metrics.s2_only(s2, np.array([0, 10, 20]), np.array([5, 15]), bands=("B04",))
    assert out.shape == (2, 1, 1, 2)
    # pixel 0: day 10 is cloudy (SCL 9), so both targets lie between days 0 and 20
    np.testing.assert_allclose(out[:, 0, 0, 0], [0.15, 0.25])
    np.testing.assert_allclose(out[:, 0, 0, 1], [0.2, 0.4])


def test_s2_only_drops_every_invalid_class_and_missing_scl():
    for scl in (0, 3, 8, 9, 10, 11, NAN):
        s2 = s2_series([[1000], [5000]], [[4], [scl]])
        out = metrics.s2_only(s2, np.array([0, 10]), np.array([5]), bands=("B04",))
        assert np.isnan(out[0, 0, 0, 0]), scl  # no clear observation after the target
    s2 = s2_series([[1000], [5000]], [[4], [5]])
    assert metrics.s2_only(s2, np.array([0, 10]), np.array([5]), bands=("B04",))[0, 0, 0, 0] == pytest.approx(0.3)


def test_s2_only_has_no_value_outside_the_observations():
    s2 = s2_series([[1000], [2000]], [[4], [4]])
    out = metrics.s2_only(s2, np.array([10, 20]), np.array([5, 10, 25]), bands=("B04",))
    assert np.isnan(out[0, 0, 0, 0]) and out[1, 0, 0, 0] == pytest.approx(0.1) and np.isnan(out[2, 0, 0, 0])


def test_truth_stacks_the_scenes_truth_per_target():
    values = metrics.truth(scene_with(), np.array([3, 7]), (slice(None), slice(0, 2)))
    assert values.shape == (2, 2, 1, 2) and values[0].max() == 3 and values[1].min() == 7


def test_gap_targets_lie_strictly_between_the_clear_acquisitions_around_the_gap():
    scene = scene_with(gap_days=(10, 15), s2_step_days=5)  # clear S2 on day 5 and day 20
    assert metrics.gap_mask(scene, [4, 5, 6, 12, 19, 20, 21]).tolist() == [False, False, True, True, True, False,
                                                                           False]


def test_rmse_accumulates_windows_and_is_nan_without_pixels():
    total = metrics.Rmse()
    assert math.isnan(total.value)
    total.add(np.array([1.0, 2.0, 99.0]), np.array([0.0, 0.0, 0.0]), np.array([True, True, False]))
    total.add(np.array([3.0]), np.array([0.0]), np.array([True]))
    assert (total.sse, total.n) == (14.0, 3)
    assert total.value == pytest.approx(math.sqrt(14 / 3))
    assert metrics.rmse(np.array([3.0, 4.0]), np.zeros(2), np.array([True, True])) == pytest.approx(math.sqrt(12.5))


def test_scores_over_all_targets_and_the_gap_where_all_three_have_data():
    gap = np.array([False, True])
    true = np.zeros((2, 1, 1, 2))
    efast = np.array([1.0, 2.0, 3.0, NAN]).reshape(2, 1, 1, 2)
    baseline = np.array([2.0, NAN, 4.0, 4.0]).reshape(2, 1, 1, 2)
    scores = metrics.Scores(gap)
    scores.add(efast, baseline, true)
    result = scores.result()
    # common pixels: (target 0, px 0) and (target 1, px 0); only the second is in the gap
    assert result == {"all": {"efast": pytest.approx(math.sqrt(5)), "s2_only": pytest.approx(math.sqrt(10))},
                      "gap": {"efast": pytest.approx(3.0), "s2_only": pytest.approx(4.0)}}


def test_compute_scores_at_once():
    scene = scene_with(gap_days=(10, 15), s2_step_days=5)
    efast = np.ones((2, 1, 1, 1))
    result = metrics.compute(scene, efast, 2 * efast, np.zeros_like(efast), [0, 12])
    assert result == {"all": {"efast": 1.0, "s2_only": 2.0}, "gap": {"efast": 1.0, "s2_only": 2.0}}
    gapless = metrics.compute(scene, efast, 2 * efast, np.zeros_like(efast), [0, 30])
    assert math.isnan(gapless["gap"]["efast"]) and gapless["all"]["efast"] == 1.0


def test_ndvi_from_b04_and_b8a_wherever_they_are():
    values = np.array([0.1, 0.5, 0.0, 0.0, 0.2, -0.2]).reshape(3, 2, 1, 1)  # (targets, bands [B8A, B04])
    ndvi = metrics.ndvi(values, bands=("B8A", "B04"))
    assert ndvi.shape == (3, 1, 1)
    assert ndvi[0, 0, 0] == pytest.approx((0.1 - 0.5) / 0.6)
    assert np.isnan(ndvi[1, 0, 0]) and np.isnan(ndvi[2, 0, 0])  # NIR + red not positive
    default = np.zeros((1, 4, 1, 1))
    default[0, 2], default[0, 3] = 0.1, 0.3  # B04, B8A in S2_BANDS
    assert metrics.ndvi(default)[0, 0, 0] == pytest.approx(0.5)
