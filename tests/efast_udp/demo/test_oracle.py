"""The numpy oracle's building blocks against hand-computed values of the paper's formulas."""

import numpy as np

from efast_udp.demo import oracle


def test_distance_score_ramp_and_no_cloud():
    cloudy = np.zeros((2, 1, 40), bool)
    cloudy[0, 0, 0] = True
    score = oracle.distance_score(cloudy, max_distance_m=3000)  # D = 10 cells
    assert score[0, 0, 0] == 0 and score[0, 0, 1] == 0  # cloud, and d = 1
    np.testing.assert_allclose(score[0, 0, 6], 0.5)  # (6 - 1) / 10
    assert score[0, 0, 20] == 1 and np.all(score[1] == 1)


def test_smoothing_kernel_centre_and_nan_edges():
    flat = np.full((7, 7), 0.3)
    flat[3, 0] = np.nan
    out = oracle.smooth(flat)
    np.testing.assert_allclose(out[np.isfinite(out)], 0.3)  # no darkening next to no data
    assert np.isnan(out[3, 0])
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1
    np.testing.assert_allclose(oracle.smooth(impulse)[2, 2], 0.1621, atol=1e-4)


def test_interpolate_uses_the_nearest_values_with_data():
    series = np.array([[1.0], [np.nan], [3.0]])
    np.testing.assert_allclose(oracle.interpolate(series, [0, 2, 4], 1.0), [1.5])
    assert np.isnan(oracle.interpolate(series, [0, 2, 4], 5.0)[0])


def test_fusion_equation_2_and_fallback():
    s2 = np.array([[[0.2]], [[0.3]]])
    ok = np.ones_like(s2, bool)
    lr_s2 = np.array([[[0.25]], [[np.nan]]])
    fused = oracle.fuse_band(s2, ok, lr_s2, np.array([[0.35]]), np.ones_like(s2), [0, 10], 0, 20)
    np.testing.assert_allclose(fused, [[0.35 + 0.2 - 0.25]])  # J = first date only
    fused = oracle.fuse_band(s2, ok, lr_s2, np.array([[np.nan]]), np.ones_like(s2), [0, 10], 5, 20)
    np.testing.assert_allclose(fused, [[0.25]])  # no LR_p: HR_m over both dates
    fused = oracle.fuse_band(s2, ok, lr_s2, np.array([[0.0]]), np.ones_like(s2), [0, 10], 0, 20)
    assert fused[0, 0] == 0  # clipped at 0
