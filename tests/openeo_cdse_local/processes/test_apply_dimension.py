"""``apply_dimension`` with a UDF as the back-end runs it: one layout tile at a time with all
labels, the UDF's new labels kept, band names from its ``apply_metadata`` (by position), the same
labels required of every tile, lazy after the first tile, and full tiles in ``backend-tiles`` mode."""

import numpy as np
import pytest

from cubes import CRS, cube, random, recorded_udf_inputs, same, session, udf_callback
from openeo_cdse_local.errors import ProcessFailure, Unsupported
from openeo_cdse_local.grids import Layout
from openeo_cdse_local.processes import apply_dimension as module
from openeo_cdse_local.processes.apply_dimension import _spans, apply_dimension, tile_chunks

HEAD = "import numpy as np\nimport xarray\n\n\ndef apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:\n"
LAST_DATE = HEAD + "    return cube.isel(t=[-1]) * context['factor']\n"
#: one new date, the mean over t of each band (xarray skips no data)
NEW_DATE = HEAD + "    return cube.mean('t').expand_dims(t=[np.datetime64('2024-01-01', 'ns')])\n"
WITH_METADATA = HEAD + '''    return (cube.sel(bands=["b1"]) - cube.sel(bands=["b0"]).values).assign_coords(bands=["diff"])


def apply_metadata(metadata, context):
    return metadata.rename_labels("bands", target=["b1_minus_b0"])
'''
RENAMED = HEAD + "    return cube.assign_coords(bands=['first', 'second'])\n"
ONE_BAND = HEAD + "    return cube.isel(bands=[0])\n"
MAXIMUM = HEAD + "    return cube.max('t')\n"

#: tiles of 8 px whose corner is 3 px above and left of the cube's first pixel: on each axis of
#: a 20 px cube the tiles hold pixels 0..4, 5..12 and 13..19
LAYOUT = Layout(CRS, 10.0, -30.0, 30.0, 8, 3, 3)
SPANS = [(0, 5), (5, 13), (13, 20)]


def tiled(values=None, bands=None):
    values = random((3, 2, 20, 20), seed=11) if values is None else values
    return cube(values, 10.0, bands=bands, attrs={"layout": LAYOUT})


@pytest.mark.parametrize("n, lead, tile, window, lengths", [
    (600, 0, 256, 256, (256, 256, 88)),
    (600, 100, 256, 256, (156, 256, 188)),  # the first chunk ends on the first tile boundary
    (600, 0, 256, 600, (512, 88)),  # windows of about 600 px: two tiles
    (600, 0, 256, 100, (256, 256, 88)),  # never less than a tile
    (20, 3, 8, 16, (5, 15)),
    (0, 0, 256, 256, (0,)),
])
def test_tile_chunks_put_every_boundary_on_a_tile_boundary(n, lead, tile, window, lengths):
    assert tile_chunks(n, lead, tile, window) == lengths
    assert sum(lengths) == n


@pytest.mark.parametrize("n, offset, tile, spans", [
    (20, 3, 8, [(0, 5, 3), (5, 13, 0), (13, 20, 0)]),
    (10, 250, 256, [(0, 6, 250), (6, 10, 0)]),
    (8, 0, 8, [(0, 8, 0)]),
    (0, 0, 8, []),
])
def test_spans_are_the_tiles_of_a_block(n, offset, tile, spans):
    assert _spans(n, offset, tile) == spans


def test_the_udf_runs_once_per_layout_tile_with_every_label(monkeypatch):
    seen = recorded_udf_inputs(monkeypatch, module)
    data = tiled()
    out = apply_dimension(session(), data, udf_callback(LAST_DATE), "t", context={"factor": 2.0})
    assert len(seen) == 1  # lazy: only the first tile ran, for the labels
    values = out.values
    assert len(seen) == 1 + 9
    assert sorted((t.sizes["y"], t.sizes["x"]) for t in seen[1:]) == sorted(
        (b - a, d - c) for a, b in SPANS for c, d in SPANS)
    assert all(list(t.t.values) == list(data.t.values) and list(t.bands.values) == ["b0", "b1"] for t in seen)
    same(values, data.values[-1:] * 2.0)


def test_the_result_is_a_lazy_float32_cube_on_the_input_grid():
    data = tiled()
    out = apply_dimension(session(), data, udf_callback(LAST_DATE), "t", context={"factor": 1.0})
    assert out.dims == ("t", "bands", "y", "x")
    assert type(out.data).__name__ == "Array" and out.dtype == np.float32
    np.testing.assert_array_equal(out.x.values, data.x.values)
    np.testing.assert_array_equal(out.y.values, data.y.values)
    assert out.rio.crs == data.rio.crs and out.attrs["layout"] == LAYOUT
    assert out.chunks[-1] == (5, 15)  # windows of 16 px cut on the tile boundaries


def test_no_data_stays_no_data():
    values = random((3, 2, 20, 20), seed=2, nan=0.5)
    out = apply_dimension(session(), tiled(values), udf_callback(LAST_DATE), "t", context={"factor": 3.0})
    same(out.values, values[-1:] * 3.0)
    assert np.isnan(out.values).sum() == np.isnan(values[-1]).sum()


@pytest.mark.filterwarnings("ignore:Mean of empty slice")
def test_new_labels_along_the_dimension_are_kept_as_the_udf_returns_them():
    data = tiled()
    out = apply_dimension(session(), data, udf_callback(NEW_DATE), "t")
    assert list(out.t.values) == [np.datetime64("2024-01-01", "ns")]  # upstream: 0
    same(out.values, np.nanmean(data.values, axis=0, keepdims=True), tol=1e-6)


def test_band_names_come_from_apply_metadata_by_position():
    data = tiled()
    out = apply_dimension(session(), data, udf_callback(WITH_METADATA), "t")
    assert list(out.bands.values) == ["b1_minus_b0"]
    same(out.values, data.values[:, 1:] - data.values[:, :1], tol=1e-6)


def test_without_apply_metadata_the_input_band_names_stay():
    out = apply_dimension(session(), tiled(bands=["red", "nir"]), udf_callback(RENAMED), "t")
    assert list(out.bands.values) == ["red", "nir"]  # the back-end takes names from the metadata only


def test_another_band_count_than_the_metadata_says_is_refused():
    with pytest.raises(ProcessFailure, match=r"^apply_dimension: the UDF returned 1 bands \(b0\), while the cube's "
                                             r"metadata has 2 \(b0, b1\); on the back-end the next process would fail$"):
        apply_dimension(session(), tiled(), udf_callback(ONE_BAND), "t")


@pytest.mark.filterwarnings("ignore:All-NaN slice")
def test_a_dimension_the_udf_drops_is_dropped():
    data = tiled()
    out = apply_dimension(session(), data, udf_callback(MAXIMUM), "t")
    assert out.dims == ("bands", "y", "x")
    same(out.values, np.nanmax(data.values, axis=0))


def test_every_tile_must_return_the_labels_of_the_first():
    code = HEAD + "    odd = float(cube.x[0]) > 100 and float(cube.y[0]) > -10  # the top-right tile only\n" \
                  "    return cube.isel(t=[1 if odd else 0])\n"
    out = apply_dimension(session(), tiled(), udf_callback(code), "t")
    with pytest.raises(ProcessFailure, match=r"^apply_dimension: the UDF returned other 't' labels for the tile at "
                                             r"row 0, column 13 than for the first tile$"):
        out.compute()


@pytest.mark.parametrize("body, message", [
    ("return cube.isel(x=slice(0, 1))", r"the UDF changed the tile size"),
    ("return cube.mean(('x', 'y'))", r"the UDF must return a cube with x and y"),
])
def test_a_udf_must_keep_the_tile(body, message):
    with pytest.raises(ProcessFailure, match=rf"^apply_dimension: {message}"):
        apply_dimension(session(), tiled(), udf_callback(HEAD + f"    {body}\n"), "t")


def test_backend_tiles_are_whole_layout_tiles_no_data_beyond_the_cube(monkeypatch):
    seen = recorded_udf_inputs(monkeypatch, module)
    data = tiled()
    out = apply_dimension(session(neighbourhood="backend-tiles"), data, udf_callback(LAST_DATE), "t",
                          context={"factor": 1.0})
    same(out.values, data.values[-1:])
    assert {(t.sizes["y"], t.sizes["x"]) for t in seen} == {(8, 8)}
    first = seen[0]  # the top-left tile: 3 rows and columns before the cube, on its grid
    assert np.isnan(first.values[..., :3, :]).all() and np.isnan(first.values[..., :, :3]).all()
    np.testing.assert_array_equal(first.values[..., 3:, 3:], data.values[..., :5, :5])
    np.testing.assert_allclose(first.x.values, -25.0 + 10.0 * np.arange(8))
    np.testing.assert_allclose(first.y.values, 25.0 - 10.0 * np.arange(8))


def test_a_cube_without_layout_is_one_tile_from_its_own_corner(monkeypatch):
    seen = recorded_udf_inputs(monkeypatch, module)
    data = cube(random((2, 1, 9, 7), seed=4), 10.0)
    out = apply_dimension(session(), data, udf_callback(LAST_DATE), "t", context={"factor": 1.0})
    same(out.values, data.values[-1:])
    assert [(t.sizes["y"], t.sizes["x"]) for t in seen] == [(9, 7), (9, 7)]


def test_only_a_callback_that_is_one_run_udf_runs():
    def not_a_udf(named_parameters):
        raise TypeError("an apply callback of eq, or, ...")

    with pytest.raises(Unsupported, match=r"^apply_dimension: only a callback that is one run_udf on its data"):
        apply_dimension(session(), tiled(), not_a_udf, "t")


def test_a_dimension_the_cube_lacks_is_refused():
    with pytest.raises(ProcessFailure, match=r"^apply_dimension: dimension 'time' not in the cube "
                                             r"\('t', 'bands', 'y', 'x'\)$"):
        apply_dimension(session(), tiled(), udf_callback(LAST_DATE), "time")
