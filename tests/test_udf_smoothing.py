"""NaN-aware 5x5 Gaussian smoothing UDF (EFAST.md §1 step 4)."""

import numpy as np
import pytest
from udf_harness import cube, days, run

from efast_udp.udfs.smoothing import gaussian_kernel

CONTEXT = {"kernel_size": 5, "sigma_px": 1.0}


def test_kernel_is_the_normalised_5x5_gaussian():
    k = gaussian_kernel(5, 1.0)
    assert k.shape == (5, 5) and k.sum() == pytest.approx(1.0)
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
    np.testing.assert_allclose(out[2:7, 2:7], gaussian_kernel(5, 1.0), atol=1e-7)
