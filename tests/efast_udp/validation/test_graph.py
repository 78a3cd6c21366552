"""efast_udp.validation.graph: the read-only view every check walks: the UDP's graph and its
callbacks (top first, callbacks after their owners, each with its pointer and the parameters in
its scope), the references and callbacks inside argument values, the specification of a process's
argument, and where a ``from_parameter`` comes from. A malformed document is walked, not refused
(the checks report it)."""

from __future__ import annotations

import pytest
from udp_docs import UDF_NODE, cube_udp, number_udp

from efast_udp.validation import graph as g

CALLBACK = "/process_graph/scaled/arguments/process/process_graph"
ANY = {"description": "Any data type."}


def nested_udp() -> dict:
    """``outer`` (apply) whose callback holds ``inner`` (apply) with a callback of its own, and a
    process nobody knows with a callback in an array, declaring a parameter."""
    leaf = {"process_graph": {"abs": {"process_id": "absolute", "arguments": {"x": {"from_parameter": "x"}},
                                      "result": True}}}
    return {"parameters": [{"name": "factor", "schema": {"type": "number"}}], "process_graph": {
        "outer": {"process_id": "apply", "arguments": {"data": {"from_parameter": "factor"}, "process": {
            "process_graph": {"inner": {"process_id": "apply", "arguments": {
                "data": {"from_parameter": "x"}, "process": leaf}, "result": True}}}}},
        "odd": {"process_id": "no_such_process", "arguments": {"steps": [1, {
            "process_graph": {"n": {"process_id": "absolute", "arguments": {"x": {"from_parameter": "own"}},
                                    "result": True}},
            "parameters": [{"name": "own", "schema": {"type": "integer"}}, {"name": 3}, "junk"]}]},
            "result": True},
    }}


def test_a_graph_without_callbacks():
    [top] = g.build(number_udp())
    assert (top.pointer, top.parent, top.owner, top.argument_path, top.is_callback) == ("/process_graph", None, None,
                                                                                         [], False)
    assert top.parameters == {"x": {"type": "number"}, "y": {"type": "number", "minimum": 0}}
    [node] = top.nodes.values()
    assert (node.id, node.pointer, node.process_id, node.graph) == ("sum", "/process_graph/sum", "add", top)
    assert top.result_nodes() == [node]
    assert node.argument_pointer("x", "from_parameter") == "/process_graph/sum/arguments/x/from_parameter"


def test_a_callback_knows_its_owner_pointer_and_the_parameters_its_process_passes():
    top, callback = g.build(cube_udp())
    assert callback.is_callback and callback.parent is top and callback.owner is top.nodes["scaled"]
    assert (callback.pointer, callback.argument_path) == (CALLBACK, ["process"])
    assert callback.parameters == {"x": ANY, "context": ANY}  # what apply passes to its process
    assert callback.nodes["udf"].pointer == UDF_NODE
    assert [n.id for n in top.result_nodes()] == ["scaled"] and [n.id for n in callback.result_nodes()] == ["udf"]


def test_callbacks_come_after_their_owners_and_in_arrays_with_their_index():
    graphs = g.build(nested_udp())
    assert [x.pointer for x in graphs] == [
        "/process_graph",
        "/process_graph/outer/arguments/process/process_graph",
        "/process_graph/odd/arguments/steps/1/process_graph",
        "/process_graph/outer/arguments/process/process_graph/inner/arguments/process/process_graph",
    ]
    top, outer, odd, leaf = graphs
    assert leaf.parent is outer and leaf.owner is outer.nodes["inner"] and outer.parent is top
    assert odd.argument_path == ["steps", 1]
    # an unknown process passes unknown parameters; those the callback declares are known
    assert odd.parameters == {"own": {"type": "integer"}}


def test_a_malformed_document_is_walked_not_refused():
    assert [x.nodes for x in g.build({})] == [{}]
    assert g.build({"process_graph": ["not", "a", "graph"], "parameters": "none"})[0].parameters == {}
    [top] = g.build({"process_graph": {"ok": {"process_id": "add"}, "bad": "text", "worse": None}})
    assert list(top.nodes) == ["ok"] and top.result_nodes() == []
    odd = {"process_graph": {"n": {"process_id": 7, "arguments": ["x"], "result": "yes"}}}
    [node] = g.build(odd)[0].nodes.values()
    assert (node.process_id, node.arguments, node.graph.result_nodes()) == (None, {}, [])


def test_refs_of_a_node_are_those_of_its_arguments_not_of_its_callbacks():
    top = g.build(nested_udp())[0]
    assert list(g.refs_of(top.nodes["outer"])) == [g.Ref("from_parameter", "factor", "data", ())]
    node = g.build({"process_graph": {"n": {"process_id": "p", "arguments": {
        "a": [{"from_node": "m"}, {"deep": {"from_parameter": "q"}}], "b": 3}}}})[0].nodes["n"]
    assert list(g.refs_of(node)) == [g.Ref("from_node", "m", "a", (0,)), g.Ref("from_parameter", "q", "a", (1, "deep"))]


def test_callbacks_of_a_node_with_their_argument_and_path():
    top = g.build(nested_udp())[0]
    [(argument, path, callback)] = g.callbacks_of(top.nodes["odd"])
    assert (argument, path) == ("steps", (1,)) and list(callback["process_graph"]) == ["n"]
    assert list(g.callbacks_of(g.build(number_udp())[0].nodes["sum"])) == []


def test_parameter_spec_of_a_process_argument_and_of_a_profiled_extra():
    assert g.parameter_spec("apply", "process")["name"] == "process"
    featureflags = g.parameter_spec("load_collection", "featureflags")  # the back-end profile's extra argument
    assert featureflags["optional"] is True and featureflags["schema"]["type"] == "object"
    assert featureflags["name"] == "featureflags"
    assert g.parameter_spec("apply", "no_such_argument") is None
    assert g.parameter_spec("no_such_process", "process") is None
    assert g.parameter_spec(None, "process") is None


@pytest.mark.parametrize("process_id, argument, expected", [
    ("apply", "process", {"x": ANY, "context": ANY}),
    ("reduce_dimension", "reducer", {"data": {"type": "array", "subtype": "labeled-array", "items": ANY},
                                     "context": ANY}),
    ("apply", "data", {}),  # an argument that takes no callback
    ("apply", "no_such_argument", None),
    ("no_such_process", "process", None),
])
def test_callback_parameters(process_id, argument, expected):
    assert g.callback_parameters(process_id, argument, []) == expected


def test_a_parameter_resolves_in_the_innermost_graph_that_declares_it():
    top, outer, odd, leaf = g.build(nested_udp())
    assert g.resolve_parameter(leaf, "x") == (leaf, ANY, True)  # the innermost x, not outer's
    assert g.resolve_parameter(leaf, "factor") == (top, {"type": "number"}, True)  # the UDP's parameter
    assert g.resolve_parameter(top, "nobody") == (None, None, True)  # declared nowhere: known to be missing
    assert g.resolve_parameter(odd, "own") == (odd, {"type": "integer"}, True)


def test_nothing_is_concluded_through_a_graph_whose_parameters_are_unknown():
    doc = {"process_graph": {"odd": {"process_id": "no_such_process", "arguments": {"process": {
        "process_graph": {"n": {"process_id": "absolute", "arguments": {"x": {"from_parameter": "x"}}}}}}}}}
    top, callback = g.build(doc)
    assert callback.parameters is None
    assert g.resolve_parameter(callback, "x") == (None, None, False)


def test_the_exported_names_exist():
    assert all(hasattr(g, name) for name in g.__all__)
    assert {"build", "resolve_parameter", "Graph", "Node", "Ref"} <= set(g.__all__)
