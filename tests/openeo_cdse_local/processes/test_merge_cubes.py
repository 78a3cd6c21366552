"""merge_cubes against the official openEO test cases (tests/fixtures/openeo_processes), and
the same numbers whatever the windows."""

import json
from pathlib import Path

import numpy as np
import pytest
import xarray

from cubes import cube, random, same, session
from openeo_cdse_local.errors import OverlapResolverMissing
from openeo_cdse_local.processes.merge_cubes import merge_cubes

FIXTURES = Path(__file__).parents[2] / "fixtures" / "openeo_processes"


def official_cube(spec: dict) -> xarray.DataArray:
    if "$ref" in spec:
        spec = json.loads((FIXTURES / Path(spec["$ref"]).name.replace(".json5", ".json")).read_text())
    dims = spec["order"]
    coords = {}
    for d in dims:
        values = spec["dimensions"][d]["values"]
        temporal = spec["dimensions"][d]["type"] == "temporal"
        coords[d] = np.array([v.rstrip("Z") for v in values], dtype="datetime64[ns]") if temporal else values
    data = xarray.DataArray(np.array(spec["data"], dtype=float), dims=dims, coords=coords)
    crs = spec["dimensions"].get("x", {}).get("reference_system")
    return data.rio.write_crs(crs) if crs else data


def merge_case(i: int) -> dict:
    return json.loads((FIXTURES / "merge_cubes.json").read_text())["tests"][i]


@pytest.mark.parametrize("i", [0, 1])
def test_official_disjoint_bands(i):
    case = merge_case(i)
    result = merge_cubes(session(), official_cube(case["arguments"]["cube1"]), official_cube(case["arguments"]["cube2"]))
    expected = official_cube(case["returns"])
    assert list(result.bands.values) == list(expected.bands.values)
    np.testing.assert_allclose(result.transpose(*expected.dims).values, expected.values)


def test_official_overlap_without_resolver_fails():
    case = merge_case(2)
    assert case["throws"] == "OverlapResolverMissing"
    with pytest.raises(OverlapResolverMissing):
        merge_cubes(session(), official_cube(case["arguments"]["cube1"]), official_cube(case["arguments"]["cube2"]))


def test_official_overlap_with_sum_resolver():
    case = merge_case(3)
    assert case["arguments"]["overlap_resolver"]["process_graph"]["sum"]["process_id"] == "sum"

    def resolver(named_parameters):  # the case's callback: sum([x, y])
        return named_parameters["x"] + named_parameters["y"]

    result = merge_cubes(session(), official_cube(case["arguments"]["cube1"]), official_cube(case["arguments"]["cube2"]),
                         overlap_resolver=resolver)
    expected = official_cube(case["returns"])
    assert np.array_equal(result.t.values, expected.t.values)
    np.testing.assert_allclose(result.transpose(*expected.dims).values, expected.values, equal_nan=True)


def test_windows_and_labels():
    a = random((3, 2, 33, 29), seed=3)
    b = random((5, 1, 33, 29), seed=4)
    whole = merge_cubes(session(), cube(a, 10.0, bands=["x", "y"]), cube(b, 10.0, bands=["z"]))
    chunked = merge_cubes(session(chunk_px=16), cube(a, 10.0, bands=["x", "y"], window=8),
                          cube(b, 10.0, bands=["z"], window=5))
    same(chunked, whole)
    assert list(chunked.bands.values) == ["x", "y", "z"] and chunked.sizes["t"] == 5
    assert chunked.dtype == np.float32


def test_cube2_on_another_grid_is_resampled_to_cube1_nearest():
    fine = cube(np.zeros((1, 1, 6, 6)), 10.0, bands=["a"])
    coarse = cube(np.arange(4, dtype=float).reshape(1, 1, 2, 2), 30.0, bands=["b"])
    out = merge_cubes(session(), fine, coarse)
    np.testing.assert_array_equal(out.sel(bands="b").values[0], np.kron([[0, 1], [2, 3]], np.ones((3, 3))))
