"""efast_udp.graph_nodes: the one node walker, and the two names of a node (path, JSON pointer)."""

from __future__ import annotations

import json

import pytest

from efast_udp import graph_nodes
from efast_udp.project import LATEST_UDP
from efast_udp.validation import graph as validation_graph


def resolve(doc: object, pointer: str) -> object:
    """The value at an RFC 6901 pointer (written here, independently of efast_udp.pointers)."""
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    return doc


def test_every_node_of_the_release_is_found_at_its_pointer_as_validation_names_it():
    doc = json.loads(LATEST_UDP.read_text("utf-8"))
    refs = list(graph_nodes.iter_nodes(doc["process_graph"]))
    assert len(refs) > 20 and any(ref.owner is not None for ref in refs)
    for ref in refs:
        assert resolve(doc, ref.pointer) is ref.data
    validated = {node.pointer for g in validation_graph.build(doc) for node in g.nodes.values()}
    assert {ref.pointer for ref in refs} == validated


def test_callbacks_in_arrays_and_ids_that_need_escaping():
    inner = {"a/b~c": {"process_id": "absolute", "arguments": {"x": 1}, "result": True}}
    doc = {"process_graph": {"top": {"process_id": "p", "arguments": {
        "steps": [{"process_graph": inner}], "plain": {"process_graph": {"n": {"process_id": "q"}}}}}}}
    refs = {ref.path: ref for ref in graph_nodes.iter_nodes(doc["process_graph"])}
    assert set(refs) == {"top", "top/steps/a/b~c", "top/plain/n"}
    nested = refs["top/steps/a/b~c"]
    assert nested.pointer == "/process_graph/top/arguments/steps/0/process_graph/a~1b~0c"
    assert resolve(doc, nested.pointer) is inner["a/b~c"] and nested.top is refs["top"]
    assert refs["top/plain/n"].pointer == "/process_graph/top/arguments/plain/process_graph/n"


def test_every_run_udf_finds_those_no_graph_walk_reaches():
    hidden = {"process_id": "run_udf", "arguments": {"udf": "x = 1", "runtime": "Python"}}
    doc = {"parameters": [{"name": "p", "default": {"process_graph": {"u": hidden}}}], "process_graph": {}}
    assert [path for path, _ in graph_nodes.every_run_udf(doc)] == [("parameters", 0, "default", "process_graph", "u")]
    assert graph_nodes.udf_nodes(doc) == []


def test_find_cycle_has_no_recursion_limit():
    find_cycle = graph_nodes.find_cycle
    assert find_cycle({f"n{i}": [f"n{i + 1}"] for i in range(5000)} | {"n5000": []}) is None  # no recursion limit


@pytest.mark.parametrize("deps, cycle", [
    ({"a": ["a"]}, ["a", "a"]),
    ({"a": ["b"], "b": ["c"], "c": ["a"]}, ["a", "b", "c", "a"]),
    ({"z": ["y"], "y": [], "b": ["a"], "a": ["b"]}, ["a", "b", "a"]),  # the first id in order starts
    ({"a": ["b", "c"], "b": ["c"], "c": []}, None),  # a diamond is no cycle
    ({}, None),
])
def test_find_cycle(deps, cycle):
    assert graph_nodes.find_cycle(deps) == cycle


UDP = json.loads(LATEST_UDP.read_text("utf-8"))


def test_udf_nodes_and_their_contexts():
    udfs = {u.ref.path: u for u in graph_nodes.udf_nodes(UDP)}
    assert sorted(udfs) == ["fused/process/runudf1", "lr_series/process/runudf1", "s2_distance_score/process/runudf1",
                            "s3_composite/process/runudf1", "s3_distance_score/process/runudf1",
                            "s3_smoothed/process/runudf1"]
    fused = udfs["fused/process/runudf1"]
    assert fused.ref.top.node_id == "fused" and fused.runtime == "Python"
    assert fused.context["s2_bands"] == {"from_parameter": "s2_data_bands"}  # the owner node's context
