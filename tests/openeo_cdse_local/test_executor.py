"""The executor on a small graph of its own: load_collection -> apply_neighborhood(UDF) ->
apply_dimension(UDF), parameters with defaults, runs that share a process without sharing state,
processes it does not run refused before anything runs; and its own functions: the walk over
every node (callbacks included) that refuses a process the executor does not run, the crop to
the request's bounding box as the back-end's ``save_result`` crops."""

from __future__ import annotations

import copy
import json
import threading

import numpy as np
import pyproj
import pytest

from cli_support import CALL, UDP, one_line_error
from cubes import BOX_MEAN_UDF, CRS, cube, random, same, spec
from efast_udp.cli import main
from openeo_cdse_local import ProcessFailure, Session, Unsupported, check_processes, run
from openeo_cdse_local.data import write_collection
from openeo_cdse_local.executor import Result, _nodes, crop
from openeo_cdse_local.grids import BBox

LAST_DATE_UDF = '''
import xarray


def apply_datacube(cube: xarray.DataArray, context: dict) -> xarray.DataArray:
    return cube.isel(t=[-1]) * context["factor"]
'''


def graph(udf_context=None):
    return {
        "id": "tiny",
        "parameters": [
            {"name": "radius", "schema": {"type": "integer"}, "optional": True, "default": 1},
            {"name": "factor", "schema": {"type": "number"}},
        ],
        "process_graph": {
            "load": {"process_id": "load_collection", "arguments": {
                "id": "TINY", "spatial_extent": None, "temporal_extent": None, "bands": ["a"],
                "featureflags": {"tilesize": 16}}},
            "box": {"process_id": "apply_neighborhood", "arguments": {
                "data": {"from_node": "load"}, "size": spec(8), "overlap": spec(2),
                "context": {"radius": {"from_parameter": "radius"}},
                "process": {"process_graph": {"udf": {"process_id": "run_udf", "arguments": {
                    "data": {"from_parameter": "data"}, "udf": BOX_MEAN_UDF, "runtime": "Python",
                    "context": {"from_parameter": "context"}}, "result": True}}}}},
            "last": {"process_id": "apply_dimension", "arguments": {
                "data": {"from_node": "box"}, "dimension": "t", "context": {"factor": {"from_parameter": "factor"}},
                "process": {"process_graph": {"udf": {"process_id": "run_udf", "arguments": {
                    "data": {"from_parameter": "data"}, "udf": LAST_DATE_UDF, "runtime": "Python",
                    "context": udf_context or {"from_parameter": "context"}}, "result": True}}}},
                "result": True},
        },
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny")
    values = random((3, 40, 35), seed=7)
    t = np.datetime64("2023-06-01", "ns") + np.arange(3).astype("timedelta64[D]")
    write_collection(path / "TINY.nc", {"a": values}, t, 1000.0 - 10 * np.arange(40), 10 * np.arange(35) + 5, CRS)
    return path


def expected(data_dir, radius=1, factor=2.0):
    from scipy import ndimage

    import xarray

    values = xarray.open_dataset(data_dir / "TINY.nc")["a"].values[-1]
    finite = np.isfinite(values)
    k = 2 * radius + 1
    total = ndimage.uniform_filter(np.where(finite, values, 0.0), size=k, mode="constant")
    count = ndimage.uniform_filter(finite.astype(float), size=k, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total / count * factor)[None, None]


def test_runs_with_defaults_and_keeps_the_udf_labels(data_dir):
    out = run(graph(), {"factor": 2.0}, Session(data_dir, chunk_px=16))
    assert out.parameters == {"radius": 1, "factor": 2.0}
    assert list(out.result.t.values) == [np.datetime64("2023-06-03", "ns")]
    same(out.result.values, expected(data_dir), tol=1e-5)
    assert set(out.intermediates) == {"load", "box", "last"}


def test_a_literal_udf_context_wins_over_the_parent_context(data_dir):
    out = run(graph(udf_context={"factor": 3.0}), {"factor": 2.0}, Session(data_dir))
    same(out.result.values, expected(data_dir, factor=3.0), tol=1e-5)


def test_two_runs_in_one_process_and_at_once_do_not_share_state(data_dir):
    """Sessions hold everything a run needs: other window sizes and parameters at the same time."""
    results = {}

    def one(name, chunk_px, radius):
        results[name] = run(graph(), {"factor": 2.0, "radius": radius}, Session(data_dir, chunk_px=chunk_px)).result.values

    threads = [threading.Thread(target=one, args=(f"r{r}-{c}", c, r)) for r, c in ((1, 16), (2, 256), (1, 256))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    same(results["r1-16"], results["r1-256"])
    same(results["r1-16"], expected(data_dir), tol=1e-5)
    same(results["r2-256"], expected(data_dir, radius=2), tol=1e-5)


def test_required_and_unknown_parameters(data_dir):
    with pytest.raises(ProcessFailure, match="parameter 'factor' is required"):
        run(graph(), {}, Session(data_dir))
    with pytest.raises(ProcessFailure, match="parameter 'nope' does not exist"):
        run(graph(), {"factor": 1, "nope": 2}, Session(data_dir))


def test_processes_it_does_not_run_are_refused_before_anything_runs():
    doc = graph()
    doc["process_graph"]["box"]["arguments"]["process"]["process_graph"]["udf"]["process_id"] = "load_stac"
    with pytest.raises(Unsupported, match=r"node 'box/process/udf' uses process 'load_stac'"):
        check_processes(doc)


@pytest.mark.parametrize("options, message", [
    ({"chunk_px": 1}, "chunk size 1: expected a window edge of 16 to 4096 pixels"),
    ({"chunk_px": 10**6}, "chunk size 1000000"),
    ({"neighbourhood": "tiles"}, "neighbourhood mode 'tiles'"),
])
def test_session_options_are_checked(options, message):
    with pytest.raises(Unsupported, match=message):
        Session(".", **options)


def test_callback_node_results_are_not_kept_once_their_process_returned(data_dir):
    """The parser caches every node's result; those of an ``apply`` callback on a computed cube
    are arrays that nothing reads again and that held 300 MiB on the demo scene."""
    doc = graph()
    doc["process_graph"]["mask"] = {"process_id": "apply", "arguments": {
        "data": {"from_node": "load"}, "process": {"process_graph": {
            "low": {"process_id": "eq", "arguments": {"x": {"from_parameter": "x"}, "y": 0.3}},
            "high": {"process_id": "eq", "arguments": {"x": {"from_parameter": "x"}, "y": 0.7}},
            "either": {"process_id": "or", "arguments": {"x": {"from_node": "low"}, "y": {"from_node": "high"}},
                       "result": True}}}}}
    doc["process_graph"]["box"]["arguments"]["data"] = {"from_node": "mask"}
    session = Session(data_dir, chunk_px=16)
    out = run(doc, {"factor": 1.0}, session)
    assert set(out.intermediates) == {"load", "mask", "box", "last"}
    assert len(session.results_cache) == 4  # the top-level nodes only


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


def test_run_refuses_processes_it_does_not_run_and_collection_paths(small_data, tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    arguments = doc["process_graph"]["s2_input"]["arguments"]  # a valid UDP that would reach the network
    doc["process_graph"]["s2_input"]["process_id"] = "load_stac"
    arguments["url"] = "http://127.0.0.1:9/catalog.json"
    del arguments["id"], arguments["featureflags"]
    (tmp_path / "stac.json").write_text(json.dumps(doc))
    argv = ["run", "--udp", str(tmp_path / "stac.json"), "--data", str(small_data), "--out", str(tmp_path / "o"), *CALL]
    assert main(argv) == 2
    assert "node 's2_input' uses process 'load_stac', which the local executor does not run" in one_line_error(capsys, "run")
    assert not (tmp_path / "o").exists()
    from openeo_cdse_local.data import collection_path
    from openeo_cdse_local.errors import InvalidData

    with pytest.raises(InvalidData, match="not a plain name"):
        collection_path(small_data, "../../etc/passwd")
