"""``executor``'s own functions: the walk over every node (callbacks included) that refuses a
process the executor does not run, and the crop to the request's bounding box as the back-end's
``save_result`` crops. ``test_executor.py`` runs whole graphs through ``run`` (which imports the
graph parser and openeo-processes-dask, 3 s; not here)."""

import copy

import numpy as np
import pyproj
import pytest

from cubes import CRS, cube, random
from openeo_cdse_local.errors import ProcessFailure, Unsupported
from openeo_cdse_local.executor import Result, _nodes, check_processes, crop
from openeo_cdse_local.grids import BBox

#: a node whose callbacks sit in an argument, inside a list and inside an object
GRAPH = {
    "load": {"process_id": "load_collection", "arguments": {}},
    "merge": {"process_id": "merge_cubes", "arguments": {
        "overlap_resolver": {"process_graph": {"or": {"process_id": "or", "arguments": {}, "result": True}}},
        "options": [1, {"process_graph": {"eq": {"process_id": "eq", "arguments": {}}}}],
        "nested": {"deeper": {"process_graph": {"if": {"process_id": "if", "arguments": {}}}}},
    }},
    "not a node": "text",
}


def test_nodes_walks_callbacks_wherever_they_sit_with_their_paths():
    assert [(path, node["process_id"]) for path, node in _nodes(GRAPH)] == [
        ("load", "load_collection"),
        ("merge", "merge_cubes"),
        ("merge/overlap_resolver/or", "or"),
        ("merge/options/1/eq", "eq"),
        ("merge/nested/deeper/if", "if"),
    ]


@pytest.mark.parametrize("graph", [None, {}])
def test_an_empty_graph_has_no_nodes(graph):
    assert list(_nodes(graph)) == []


def test_check_processes_passes_a_graph_of_known_processes():
    assert check_processes({"process_graph": GRAPH}) is None


@pytest.mark.parametrize("path, process_id", [
    (("options", 1, "process_graph", "eq"), "ndvi"),
    (("nested", "deeper", "process_graph", "if"), None),
])
def test_check_processes_names_the_node_deep_in_a_callback(path, process_id):
    graph = copy.deepcopy(GRAPH)
    node = graph["merge"]["arguments"]
    for key in path:
        node = node[key]
    node["process_id"] = process_id
    where = "/".join(["merge"] + [str(p) for p in path if p != "process_graph"])
    with pytest.raises(Unsupported, match=rf"^node '{where}' uses process {process_id!r}, which the local executor "
                                          r"does not run \(it runs apply, apply_dimension, "):
        check_processes({"process_graph": graph})


def test_check_processes_accepts_a_definition_without_graph():
    check_processes({})
    check_processes({"process_graph": None})


def test_result_has_no_intermediates_unless_given():
    a, b = Result(None, {}), Result(None, {})
    a.intermediates["x"] = 1
    assert b.intermediates == {}


# --- crop ---------------------------------------------------------------------------------------

def scene(**attrs):
    """10 x 8 px of 10 m from (0, 0): x centres 5..95, y centres -5..-75."""
    return cube(random((2, 1, 8, 10), seed=1), 10.0, attrs=attrs)


def test_crop_keeps_the_pixels_whose_footprint_meets_the_box():
    data = scene(request_bbox=BBox(12.0, -40.0, 31.0, -15.0, CRS))
    out = crop(data)
    np.testing.assert_array_equal(out.x.values, [15.0, 25.0, 35.0])  # 10..20 meets 12, 30..40 meets 31
    np.testing.assert_array_equal(out.y.values, [-15.0, -25.0, -35.0])  # -20..-10 meets -15, -40..-30 meets -40
    np.testing.assert_array_equal(out.values, data.values[..., 1:4, 1:4])


def test_a_box_on_pixel_edges_takes_no_pixel_it_only_touches():
    out = crop(scene(request_bbox=BBox(10.0, -30.0, 30.0, -10.0, CRS)))
    np.testing.assert_array_equal(out.x.values, [15.0, 25.0])
    np.testing.assert_array_equal(out.y.values, [-15.0, -25.0])


def test_a_box_in_another_crs_is_projected_to_the_cubes():
    wgs84 = pyproj.CRS.from_epsg(4326)
    to_wgs84 = pyproj.Transformer.from_crs(CRS, wgs84, always_xy=True)
    (west, east), (south, north) = to_wgs84.transform([500012.0, 500031.0], [1000015.0, 1000035.0])
    data = cube(random((1, 1, 8, 10), seed=1), 10.0, x0=500000.0, top=1000050.0,
                attrs={"request_bbox": BBox(west, south, east, north, wgs84)})
    out = crop(data)
    np.testing.assert_array_equal(out.x.values, [500015.0, 500025.0, 500035.0])
    np.testing.assert_array_equal(out.y.values, [1000035.0, 1000025.0, 1000015.0])


def test_a_box_larger_than_the_cube_keeps_it_whole():
    data = scene(request_bbox=BBox(-1000.0, -1000.0, 1000.0, 1000.0, CRS))
    assert crop(data).shape == data.shape


def test_without_a_request_box_or_spatial_dimensions_nothing_is_cropped():
    data = scene()
    assert crop(data) is data
    reduced = scene(request_bbox=BBox(12.0, -40.0, 31.0, -15.0, CRS)).isel(x=0, drop=True)
    assert crop(reduced) is reduced


def test_a_box_beside_the_result_is_refused():
    with pytest.raises(ProcessFailure, match="^the result has no pixel inside spatial_extent$"):
        crop(scene(request_bbox=BBox(200.0, -40.0, 300.0, -15.0, CRS)))

