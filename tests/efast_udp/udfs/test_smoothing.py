"""NaN-aware 5x5 Gaussian smoothing UDF (docs/algorithm.md)."""

import math

import numpy as np
import pytest
from udf_harness import context, cube, days, run

from efast_udp.udfs.smoothing import gaussian_kernel

CONTEXT = context("s3_smoothed")


def expected_kernel():
    """The 5 x 5 Gaussian, sigma 1 px, normalised to 1, written out from its definition."""
    g = [math.exp(-d * d / 2.0) for d in (-2, -1, 0, 1, 2)]
    total = sum(g) ** 2
    return np.array([[a * b / total for b in g] for a in g])


def test_kernel_is_the_normalised_5x5_gaussian():
    k = gaussian_kernel(5, 1.0)
    np.testing.assert_allclose(k, expected_kernel(), rtol=1e-6)
    assert k[2, 2] == pytest.approx(0.1621, abs=5e-5)


def test_gap_edges_are_not_darkened_and_gaps_stay_no_data():
    values = np.full((1, 1, 9, 9), 0.3)
    values[0, 0, 3:6, 3:6] = np.nan
    out = run("smoothing", cube(values, ["B"], days(0)), CONTEXT)
    assert out.dims == ("t", "bands", "y", "x") and list(out.bands.values) == ["B"]
    v = out.values[0, 0]
    assert np.isnan(v[3:6, 3:6]).all()
    finite = np.isfinite(v)
    np.testing.assert_allclose(v[finite], 0.3, rtol=1e-6)  # also at the scene edges


def test_an_impulse_spreads_as_the_kernel():
    values = np.zeros((1, 1, 9, 9))
    values[0, 0, 4, 4] = 1.0
    out = run("smoothing", cube(values, ["B"], days(0)), CONTEXT).values[0, 0]
    np.testing.assert_allclose(out[2:7, 2:7], expected_kernel(), atol=1e-7)
    assert (out[:2] == 0).all() and (out[7:] == 0).all() and (out[:, :2] == 0).all() and (out[:, 7:] == 0).all()
