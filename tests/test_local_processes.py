"""The local executor's process modules, each against the back-end behaviour it reproduces,
and merge_cubes against the official openEO test cases (tests/fixtures/openeo_processes)."""

import json
from pathlib import Path

import numpy as np
import pytest
import xarray

from efast_udp.errors import EfastUdpError
from efast_udp.local import context
from efast_udp.local.apply_neighborhood import apply_neighborhood
from efast_udp.local.cube import Grid, with_grid
from efast_udp.local.merge_cubes import OverlapResolverMissing, merge_cubes
from efast_udp.local.resample_cube_spatial import bilinear, binning
from efast_udp.local.resample_spatial import resample_spatial

FIXTURES = Path(__file__).parent / "fixtures" / "openeo_processes"


def official_cube(spec: dict) -> xarray.DataArray:
    if "$ref" in spec:
        spec = json.loads((FIXTURES / Path(spec["$ref"]).name.replace(".json5", ".json")).read_text())
    dims = spec["order"]
    coords = {}
    for d in dims:
        values = spec["dimensions"][d]["values"]
        coords[d] = np.array([v.rstrip("Z") for v in values], dtype="datetime64[ns]") if spec["dimensions"][d]["type"] == "temporal" else values
    data = np.array(spec["data"], dtype=float)
    cube = xarray.DataArray(data, dims=dims, coords=coords)
    crs = spec["dimensions"].get("x", {}).get("reference_system")
    return cube.rio.write_crs(crs) if crs else cube


def merge_case(i: int) -> dict:
    return json.loads((FIXTURES / "merge_cubes.json").read_text())["tests"][i]


@pytest.mark.parametrize("i", [0, 1])
def test_merge_cubes_official_disjoint_bands(i):
    case = merge_case(i)
    result = merge_cubes(official_cube(case["arguments"]["cube1"]), official_cube(case["arguments"]["cube2"]))
    expected = official_cube(case["returns"])
    assert list(result.bands.values) == list(expected.bands.values)
    np.testing.assert_allclose(result.transpose(*expected.dims).values, expected.values)


def test_merge_cubes_official_overlap_without_resolver_fails():
    case = merge_case(2)
    assert case["throws"] == "OverlapResolverMissing"
    with pytest.raises(OverlapResolverMissing):
        merge_cubes(official_cube(case["arguments"]["cube1"]), official_cube(case["arguments"]["cube2"]))


def test_merge_cubes_official_overlap_with_sum_resolver():
    case = merge_case(3)
    assert case["arguments"]["overlap_resolver"]["process_graph"]["sum"]["process_id"] == "sum"

    def resolver(named_parameters):  # the case's callback: sum([x, y])
        return named_parameters["x"] + named_parameters["y"]

    result = merge_cubes(official_cube(case["arguments"]["cube1"]), official_cube(case["arguments"]["cube2"]),
                         overlap_resolver=resolver)
    expected = official_cube(case["returns"])
    assert np.array_equal(result.t.values, expected.t.values)
    np.testing.assert_allclose(result.transpose(*expected.dims).values, expected.values, equal_nan=True)


def grid_cube(values, res, x0=0.0, top=0.0, bands=("a",)):
    values = np.asarray(values, dtype=np.float32)
    grid = Grid(__import__("pyproj").CRS.from_epsg(32628), x0 + res / 2, top - res / 2, res, values.shape[-1], values.shape[-2])
    return with_grid(values, ("t", "bands", "y", "x"), {"t": np.datetime64("2023-06-01", "ns") + np.arange(values.shape[0]).astype("timedelta64[D]"),
                                                              "bands": list(bands)}, grid)


def test_resample_spatial_averages_blocks_from_the_top_left_corner():
    values = np.arange(5 * 7, dtype=float).reshape(1, 1, 5, 7)
    values[0, 0, 0, 0] = np.nan
    out = resample_spatial(grid_cube(values, 10.0), resolution=30, method="average")
    assert out.shape == (1, 1, 2, 3)
    assert out.x.values[0] == 15.0 and out.y.values[0] == -15.0
    np.testing.assert_allclose(out.values[0, 0, 0, 0], np.nanmean(values[0, 0, :3, :3]))
    np.testing.assert_allclose(out.values[0, 0, 1, 2], values[0, 0, 3:, 6:].mean())  # partial edge block


def test_bilinear_is_nan_aware_and_clamped():
    src = Grid(None, 150.0, -150.0, 300.0, 2, 1)
    dst = Grid(None, 5.0, -5.0, 10.0, 60, 1)
    out = bilinear(np.array([[[1.0, 3.0]]]), src, dst)[0, 0]
    assert out[0] == 1.0 and out[-1] == 3.0  # clamped outside the outer centres
    np.testing.assert_allclose(out[30], 1.0 + 2.0 * (305.0 - 150.0) / 300.0)
    out = bilinear(np.array([[[np.nan, 3.0]]]), src, dst)[0, 0]
    assert np.isnan(out[:15]).all()  # at or beyond the no-data centre: only it has weight
    assert np.all(out[15:] == 3.0)  # the valid neighbour carries the whole (renormalised) weight


def test_binning_drops_flagged_pixels_and_averages():
    src = Grid(None, 75.0, -75.0, 150.0, 4, 2)  # 150 m pixels -> two 300 m cells per row... 2x2 per cell
    dst = Grid(None, 150.0, -150.0, 300.0, 2, 1)
    refl = np.array([[1.0, 2.0, 5.0, 7.0], [3.0, 4.0, np.nan, 9.0]])
    flags = np.array([[0, 0, 1, 0], [0, 8, 0, 0]], dtype=float)
    out = binning(np.stack([refl, flags])[None], ["r", "CLOUD_flags"], src, dst,
                  {"super_sampling": 2, "flag_band": "CLOUD_flags", "flag_bitmask": 255})
    np.testing.assert_allclose(out[0, 0, 0], [(1 + 2 + 3) / 3, (7 + 9) / 2])
    np.testing.assert_allclose(out[0, 1, 0], [0.0, 0.0])


def test_apply_neighborhood_chunks_with_overlap_equal_the_whole():
    values = np.random.default_rng(0).random((2, 1, 11, 13)).astype(np.float32)
    cube = grid_cube(values, 10.0)

    def box_mean(named_parameters):  # NaN-aware 3 x 3 mean: padding and the cube's outside both count as absent
        data = named_parameters["data"]
        from scipy import ndimage
        finite = np.isfinite(data.values)
        total = ndimage.uniform_filter(np.where(finite, data.values, 0.0), size=(1, 1, 3, 3), mode="constant")
        count = ndimage.uniform_filter(finite.astype(float), size=(1, 1, 3, 3), mode="constant")
        return data.copy(data=total / count)

    whole = apply_neighborhood(cube, box_mean, size=[{"dimension": "x", "value": 100, "unit": "px"},
                                                     {"dimension": "y", "value": 100, "unit": "px"}])
    chunked = apply_neighborhood(cube, box_mean, size=[{"dimension": "x", "value": 4, "unit": "px"},
                                                       {"dimension": "y", "value": 5, "unit": "px"}],
                                 overlap=[{"dimension": "x", "value": 1, "unit": "px"},
                                          {"dimension": "y", "value": 1, "unit": "px"}])
    np.testing.assert_allclose(chunked.values, whole.values, rtol=1e-6)
    assert list(chunked.t.values) == list(cube.t.values)


def test_apply_neighborhood_pads_beyond_the_border_with_nodata_on_the_grid():
    """openEO: "the missing overlap at the borders of the original data cube is made available
    as no-data values in the sub-data cubes"; the padded chunk continues the grid."""
    cube = grid_cube(np.ones((1, 1, 4, 4), dtype=np.float32), 10.0)
    seen = []

    def record(named_parameters):
        seen.append(named_parameters["data"])
        return named_parameters["data"]

    out = apply_neighborhood(cube, record, size=[{"dimension": "x", "value": 4, "unit": "px"},
                                                 {"dimension": "y", "value": 4, "unit": "px"}],
                             overlap=[{"dimension": "x", "value": 2, "unit": "px"},
                                      {"dimension": "y", "value": 2, "unit": "px"}])
    values = out.values  # lazy: the callback runs when the result is computed
    chunk = seen[0]
    assert chunk.shape == (1, 1, 8, 8)
    assert np.isnan(chunk.values[..., :2, :]).all() and np.isnan(chunk.values[..., :, 6:]).all()
    np.testing.assert_array_equal(chunk.values[..., 2:6, 2:6], 1.0)
    np.testing.assert_allclose(np.diff(chunk.x.values), np.diff(cube.x.values)[0])
    np.testing.assert_allclose(chunk.x.values[2:6], cube.x.values)
    np.testing.assert_allclose(chunk.y.values[2:6], cube.y.values)
    np.testing.assert_array_equal(values, 1.0)


def test_nested_parameter_references_are_resolved():
    from openeo_pg_parser_networkx.pg_schema import ParameterReference
    seen = {}

    def process(context=None, named_parameters=None):
        seen.update(context)

    wrapped = context.resolve_nested_references(process)
    wrapped(context={"a": ParameterReference(from_parameter="interval_days"), "b": [1, {"from_parameter": "x"}]},
            named_parameters={"interval_days": 5, "x": "y"})
    assert seen == {"a": 5, "b": [1, "y"]}
    with pytest.raises(EfastUdpError, match="'missing'"):
        wrapped(context={"a": {"from_parameter": "missing"}}, named_parameters={})
