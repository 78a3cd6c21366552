"""apply_neighborhood: chunks of ``size`` with ``overlap`` halos, NaN beyond the data, the same
numbers whatever the windows, and full back-end tiles in ``backend-tiles`` mode."""

import numpy as np
import pytest

from cubes import BOX_MEAN_UDF, cube, random, recorded_udf_inputs, same, session, spec, udf_callback
from openeo_cdse_local.errors import Unsupported
from openeo_cdse_local.processes import apply_neighborhood as module
from openeo_cdse_local.processes.apply_neighborhood import apply_neighborhood


@pytest.mark.parametrize("size,overlap", [(4, 1), (5, 3), (100, 2)])
def test_halos_at_window_and_scene_borders(size, overlap):
    """A NaN-aware box mean needs exactly its halo: chunked equals whole, whatever the windows."""
    values = random((2, 1, 23, 17), seed=5)
    box = udf_callback(BOX_MEAN_UDF)
    context = {"radius": overlap}
    whole = apply_neighborhood(session(), cube(values, 10.0), box, size=spec(1000), overlap=spec(overlap),
                               context=context)
    for window in (2, 6, 23):
        chunked = apply_neighborhood(session(), cube(values, 10.0, window=window), box, size=spec(size),
                                     overlap=spec(overlap), context=context)
        same(chunked, whole)
        assert list(chunked.t.values) == list(whole.t.values)


def _recorded(monkeypatch, mode, shape, size, overlap):
    """The chunks the UDF is handed, recorded around the module's UDF call."""
    seen = recorded_udf_inputs(monkeypatch, module)
    data = cube(np.ones(shape, dtype=np.float32), 10.0)
    out = apply_neighborhood(session(neighbourhood=mode), data, udf_callback(BOX_MEAN_UDF), size=spec(size),
                             overlap=spec(overlap), context={"radius": 0})
    return data, out.values, seen


def test_pads_beyond_the_border_with_nodata_on_the_grid(monkeypatch):
    """openEO: "the missing overlap at the borders of the original data cube is made available
    as no-data values in the sub-data cubes"; the padded chunk continues the grid."""
    data, values, seen = _recorded(monkeypatch, "windows", (1, 1, 4, 4), 4, 2)
    chunk = seen[0]
    assert chunk.shape == (1, 1, 8, 8)
    assert np.isnan(chunk.values[..., :2, :]).all() and np.isnan(chunk.values[..., :, 6:]).all()
    np.testing.assert_array_equal(chunk.values[..., 2:6, 2:6], 1.0)
    np.testing.assert_allclose(np.diff(chunk.x.values), np.diff(data.x.values)[0])
    np.testing.assert_allclose(chunk.x.values[2:6], data.x.values)
    np.testing.assert_allclose(chunk.y.values[2:6], data.y.values)
    np.testing.assert_array_equal(values, 1.0)


def test_backend_tiles_are_full_size_with_all_labels(monkeypatch):
    """Back-end mode: every call gets size + 2 * overlap px, even for a cube smaller than one
    tile, with every label; the result is the same."""
    data, values, seen = _recorded(monkeypatch, "backend-tiles", (3, 2, 7, 12), 5, 2)
    assert len(seen) == 2 * 3  # ceil(7 / 5) x ceil(12 / 5) tiles
    assert {chunk.shape for chunk in seen} == {(3, 2, 9, 9)}
    assert all(list(chunk.t.values) == list(data.t.values) for chunk in seen)
    last = min(seen, key=lambda c: (-c.x.values[0], c.y.values[0]))  # bottom right: cube pixels 5..6 x 10..11
    assert np.isfinite(last.values[..., 2:4, 2:4]).all() and np.isnan(last.values[..., 4:, :]).all()
    np.testing.assert_array_equal(values, 1.0)
    _, windows, _ = _recorded(monkeypatch, "windows", (3, 2, 7, 12), 5, 2)
    same(values, windows)


@pytest.mark.parametrize("bad", [-1, 1.5, 10**6, "8"])
def test_sizes_and_overlaps_are_bounded(bad):
    with pytest.raises(Unsupported, match=r"whole number of pixels from 0 to 4096"):
        apply_neighborhood(session(), cube(np.ones((1, 1, 4, 4)), 10.0), udf_callback(BOX_MEAN_UDF),
                           size=spec(4), overlap=spec(bad))


def test_only_a_udf_callback_runs():
    def not_a_udf(named_parameters):
        return named_parameters["data"] * 2

    with pytest.raises(Unsupported, match="only a callback that is one run_udf"):
        apply_neighborhood(session(), cube(np.ones((1, 1, 4, 4)), 10.0), not_a_udf, size=spec(4))
