"""apply as the back-end's ``GeopysparkDataCube.apply`` runs it: the callback on the valid cells
only, NoData staying NoData (openeo-processes-dask turns it into a value, pinned in
test_registry.py), float32 values with the cube's attributes, and a computed cube larger than
``EAGER_APPLY_BYTES`` run window by window."""

import dask.array as da
import numpy as np

from cubes import CRS, cube, random, session
from openeo_cdse_local.grids import Layout
from openeo_cdse_local.processes import apply as module
from openeo_cdse_local.processes.apply import apply


def invalid_mark(x, positional_parameters=None, named_parameters=None):
    """``if(eq(x, 3), 100, 0)`` as a compiled callback: 0 for any other value, NaN included."""
    return np.where(x == 3, 100.0, 0.0)


def test_nodata_stays_nodata_whatever_the_callback_makes_of_it():
    data = cube(np.array([np.nan, 3.0, 4.0]).reshape(1, 1, 1, 3), 10.0)
    out = apply(session(), data, invalid_mark)
    np.testing.assert_array_equal(out.values.ravel(), [np.nan, 100.0, 0.0])


def test_a_callback_making_nodata_of_a_valid_cell_keeps_it():
    def inverse(x, positional_parameters=None, named_parameters=None):
        with np.errstate(divide="ignore"):
            return np.where(x == 0, np.nan, 1.0 / x)

    out = apply(session(), cube(np.array([0.0, 2.0, np.nan]).reshape(1, 1, 1, 3), 10.0), inverse)
    np.testing.assert_array_equal(out.values.ravel(), [np.nan, 0.5, np.nan])


def test_the_result_is_float32_with_the_cubes_attributes_and_grid():
    layout = Layout(CRS, 10.0, 0.0, 0.0, 4, 1, 1)
    data = cube(random((2, 2, 4, 4), seed=1), 10.0, attrs={"layout": layout, "note": "kept"})
    out = apply(session(), data, invalid_mark)
    assert out.dtype == np.float32 and out.dims == data.dims
    assert out.attrs == {"layout": layout, "note": "kept", "resolution": 10.0}
    out.attrs["note"] = "changed"
    assert data.attrs["note"] == "kept"  # a copy: the input cube's attributes are its own
    assert out.rio.crs == data.rio.crs and out.x.values.tolist() == data.x.values.tolist()


def test_the_callback_gets_the_context():
    seen = []

    def record(x, positional_parameters=None, named_parameters=None):
        seen.append(named_parameters["context"])
        return x

    apply(session(), cube(np.ones((1, 1, 2, 2)), 10.0), record, context={"threshold": 3})
    assert seen == [{"threshold": 3}]


def _upstream_inputs(monkeypatch) -> list:
    """The data of each call of openeo-processes-dask's apply."""
    seen = []
    upstream = module._upstream_apply
    monkeypatch.setattr(module, "_upstream_apply", lambda data, **kw: seen.append(data.data) or upstream(data=data, **kw))
    return seen


def test_a_computed_cube_above_the_limit_runs_its_callback_window_by_window(monkeypatch):
    """A computed (small, kept) cube goes back to windows first, so the callback's nodes are
    lazy windows, not whole float64 arrays at once (350 MiB on the 300 px demo scene); the
    values are those of the callback on the whole array."""
    seen = _upstream_inputs(monkeypatch)
    values = random((2, 1, 20, 20), seed=2)
    values[0, 0, :3, :3] = 3.0
    data = cube(values, 10.0)
    results = {}
    for limit in (data.nbytes, data.nbytes - 1):  # at the limit: at once; above it: by windows
        monkeypatch.setattr(module, "EAGER_APPLY_BYTES", limit)
        results[limit] = apply(session(chunk_px=16), data, invalid_mark)
    eager, windowed = seen
    assert isinstance(eager, np.ndarray)
    assert isinstance(windowed, da.Array) and windowed.chunks == ((2,), (1,), (16, 4), (16, 4))
    assert isinstance(results[data.nbytes - 1].data, da.Array)  # lazy: the registry computes it again if small
    np.testing.assert_array_equal(results[data.nbytes - 1].values, results[data.nbytes].values)
    assert np.nansum(results[data.nbytes].values) == 9 * 100.0


def test_a_lazy_cube_keeps_its_windows(monkeypatch):
    seen = _upstream_inputs(monkeypatch)
    monkeypatch.setattr(module, "EAGER_APPLY_BYTES", 0)
    data = cube(random((1, 1, 20, 20), seed=3), 10.0, window=8)
    out = apply(session(chunk_px=16), data, invalid_mark)
    assert len(seen) == 1 and seen[0] is data.data  # handed over as it is, not recut to the session's 16 px
    assert out.data.chunks == ((1,), (1,), (8, 8, 4), (8, 8, 4))
