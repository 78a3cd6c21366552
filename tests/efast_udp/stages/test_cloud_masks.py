"""``efast_udp.stages.cloud_masks``: the invalid-SCL mark (Section 2.2), its 300 m average that makes
the coarse grid, and Sentinel-3 brought onto that grid."""

from __future__ import annotations

import pytest
from openeo.rest.datacube import DataCube

from efast_udp.stages import cloud_masks

INVALID = {0, 3, 8, 9, 10, 11}


def evaluate(graph: dict, x):
    """The value of a callback made of ``eq``, ``or`` and ``if`` for the argument ``x``."""
    def value(arg):
        if isinstance(arg, dict) and "from_parameter" in arg:
            assert arg["from_parameter"] == "x"
            return x
        if isinstance(arg, dict) and "from_node" in arg:
            return node(arg["from_node"])
        return arg

    def node(node_id):
        n = graph[node_id]
        a = {k: value(v) for k, v in n["arguments"].items()}
        return {"eq": lambda: a["x"] == a["y"], "or": lambda: a["x"] or a["y"],
                "if": lambda: a["accept"] if a["value"] else a["reject"]}[n["process_id"]]()

    (result,) = [k for k, n in graph.items() if n.get("result")]
    return node(result)


@pytest.fixture
def invalid_callback(fragment):
    """The callback ``scl_is_invalid`` builds, as ``apply`` holds it."""
    cube = fragment.input("scl").apply(cloud_masks.scl_is_invalid)
    return cube.flat_graph()["apply1"]["arguments"]["process"]["process_graph"]


@pytest.mark.parametrize("scl", range(12))
def test_scl_mark_is_100_for_the_invalid_classes_and_0_otherwise(invalid_callback, scl):
    assert evaluate(invalid_callback, scl) == (100 if scl in INVALID else 0)


def test_scl_mark_tests_each_invalid_class_once(invalid_callback):
    tested = sorted(n["arguments"]["y"] for n in invalid_callback.values() if n["process_id"] == "eq")
    assert tested == [0, 3, 8, 9, 10, 11]
    assert [n["process_id"] for n in invalid_callback.values()].count("if") == 1


def test_invalid_fraction_is_the_300_m_average_of_the_scl_mark(fragment):
    graph = fragment.flat(cloud_masks.s2_invalid_fraction(fragment.pipeline, fragment.input("s2")))
    assert list(graph) == ["s2", "s2_scl", "s2_invalid", "s2_invalid_fraction"]
    assert graph["s2_scl"] == {"process_id": "filter_bands", "arguments": {"bands": ["SCL"],
                                                                           "data": {"from_node": "s2"}}}
    assert graph["s2_invalid"]["process_id"] == "apply"
    assert graph["s2_invalid"]["arguments"]["data"] == {"from_node": "s2_scl"}
    assert evaluate(graph["s2_invalid"]["arguments"]["process"]["process_graph"], 9) == 100
    assert graph["s2_invalid_fraction"] == {"process_id": "resample_spatial", "result": True, "arguments": {
        "data": {"from_node": "s2_invalid"}, "method": "average", "resolution": 300.0}}
    assert fragment.stages == ["s2_scl", "s2_invalid", "s2_invalid_fraction"]


def test_s3_is_resampled_onto_the_coarse_grid(fragment):
    s3, grid = fragment.input("s3"), fragment.input("grid")
    cube = cloud_masks.s3_on_coarse_grid(fragment.pipeline, s3, grid)
    assert isinstance(cube, DataCube)
    assert fragment.flat(cube)["s3_coarse"] == {"process_id": "resample_cube_spatial", "result": True, "arguments": {
        "data": {"from_node": "s3"}, "method": "near", "target": {"from_node": "grid"}}}
    assert fragment.stages == ["s3_coarse"]
    assert fragment.pipeline.stages["s3_coarse"].description == "Sentinel-3 on the coarse grid (S2 CRS, 300 m)."
