"""``check_references``: references resolve in their own graph, UDP parameters stay out of
callbacks, every graph has one result node, no cycle and no node that feeds nothing."""

import pytest
from udp_docs import UDF_NODE, cube_udp, findings, located, number_udp

from efast_udp.validation.check_references import (
    check_acyclic,
    check_from_node,
    check_from_parameter,
    check_result_node,
    check_udp_parameter_in_callback,
    check_unused_nodes,
)


def _callback(doc):
    return doc["process_graph"]["scaled"]["arguments"]["process"]["process_graph"]


def _udf_arguments(doc):
    return _callback(doc)["udf"]["arguments"]


def test_a_reference_to_a_missing_node_gets_a_hint():
    doc = number_udp()
    doc["process_graph"]["sum"]["arguments"]["x"] = {"from_node": "summ"}
    [finding] = findings(check_from_node, doc)
    assert (finding.code, finding.pointer, finding.found) == (
        "unknown-node", "/process_graph/sum/arguments/x/from_node", '"summ"')
    assert finding.expected == "one of the node ids of the same graph: sum"
    assert finding.message == "node 'sum' refers to node 'summ', which is not in its graph; did you mean 'sum'?"


def test_a_reference_from_a_callback_to_a_node_outside_it_says_where_that_node_is():
    doc = cube_udp()
    _udf_arguments(doc)["data"] = {"from_node": "load"}
    [finding] = findings(check_from_node, doc)
    assert finding.pointer == UDF_NODE + "/arguments/data/from_node"
    assert finding.message == ("node 'udf' refers to node 'load', which is not in its graph; it is a node of the "
                               "enclosing graph /process_graph, which a callback cannot reference")


def test_a_reference_inside_a_list_is_found_at_its_index():
    doc = number_udp()
    doc["process_graph"]["sum"]["arguments"]["y"] = [1, {"from_node": 7}]
    assert located(check_from_node, doc) == [("unknown-node", "/process_graph/sum/arguments/y/1/from_node")]


def test_an_undeclared_parameter_lists_what_is_in_scope():
    doc = cube_udp()
    _udf_arguments(doc)["data"] = {"from_parameter": "data"}
    [finding] = findings(check_from_parameter, doc)
    assert (finding.code, finding.pointer) == ("undeclared-parameter", UDF_NODE + "/arguments/data/from_parameter")
    assert finding.expected == "one of x, context, factor"  # the callback's own first, then the UDP's


def test_a_misspelled_udp_parameter_gets_a_hint():
    doc = number_udp()
    doc["process_graph"]["sum"]["arguments"]["x"] = {"from_parameter": "xx"}
    doc["parameters"][0]["name"] = "xxx"
    [finding] = findings(check_from_parameter, doc)
    assert finding.message.endswith("nor a parameter of an enclosing callback; did you mean 'xxx'?")


def test_parameters_of_a_callback_of_an_unknown_process_cannot_be_judged():
    doc = cube_udp()
    doc["process_graph"]["scaled"]["process_id"] = "no_such_process"
    _udf_arguments(doc)["data"] = {"from_parameter": "whatever"}
    assert located(check_from_parameter, doc) == []


def test_a_udp_parameter_read_inside_a_callback_is_a_finding():
    doc = cube_udp()
    _udf_arguments(doc)["context"] = {"from_parameter": "factor"}
    [finding] = findings(check_udp_parameter_in_callback, doc)
    assert (finding.code, finding.pointer, finding.found) == (
        "parameter-in-callback", UDF_NODE + "/arguments/context/from_parameter", '"factor"')
    assert finding.message.startswith("UDP parameter 'factor' is used inside the callback of 'apply' (node 'scaled')")
    assert located(check_from_parameter, doc) == []  # it does resolve: the problem is where


def test_a_callback_parameter_of_the_same_name_shadows_the_udp_parameter():
    doc = cube_udp()
    doc["parameters"][0]["name"] = "x"
    doc["process_graph"]["scaled"]["arguments"]["context"] = {"factor": {"from_parameter": "x"}}
    assert located(check_udp_parameter_in_callback, doc) == []  # udf's data is the callback's x


@pytest.mark.parametrize("results, found", [((), "0 result nodes"), (("a", "b"), "2 result nodes (a, b)")])
def test_a_graph_needs_exactly_one_result_node(results, found):
    doc = number_udp()
    doc["process_graph"] = {name: {"process_id": "add", "arguments": {"x": 1, "y": 2}} for name in ("a", "b")}
    for name in results:
        doc["process_graph"][name]["result"] = True
    [finding] = findings(check_result_node, doc)
    assert (finding.code, finding.pointer, finding.found) == ("result-node", "/process_graph", found)
    assert finding.message == f"the graph at /process_graph must have exactly one result node, it has {len(results)}"


def test_a_callback_whose_result_is_not_true_has_no_result_node():
    doc = cube_udp()
    _callback(doc)["udf"]["result"] = "true"
    assert located(check_result_node, doc) == [("result-node", UDF_NODE[: -len("/udf")])]


def test_an_empty_graph_is_left_to_the_schema():
    doc = number_udp()
    doc["process_graph"] = {}
    assert located(check_result_node, doc) == []


def test_a_cycle_is_found_at_its_first_node():
    doc = number_udp()
    doc["process_graph"]["a"] = {"process_id": "add", "arguments": {"x": {"from_node": "b"}, "y": 1}}
    doc["process_graph"]["b"] = {"process_id": "add", "arguments": {"x": {"from_node": "a"}, "y": 1}}
    doc["process_graph"]["sum"]["arguments"]["x"] = {"from_node": "a"}
    [finding] = findings(check_acyclic, doc)
    assert (finding.code, finding.pointer, finding.found) == ("cycle", "/process_graph/a", "a -> b -> a")
    assert finding.message == "nodes a -> b -> a depend on each other in a cycle"


def test_nodes_the_result_does_not_depend_on_are_unused_in_id_order():
    doc = number_udp()
    doc["process_graph"]["zeta"] = {"process_id": "add", "arguments": {"x": 1, "y": 1}}
    doc["process_graph"]["alpha"] = {"process_id": "add", "arguments": {"x": {"from_node": "zeta"}, "y": 1}}
    found = findings(check_unused_nodes, doc)
    assert [(f.code, f.pointer) for f in found] == [("unused-node", "/process_graph/alpha"),
                                                    ("unused-node", "/process_graph/zeta")]
    assert found[0].expected == "a node the result node 'sum' depends on"
    doc["process_graph"]["sum"]["arguments"]["y"] = {"from_node": "alpha"}
    assert located(check_unused_nodes, doc) == []


def test_without_exactly_one_result_node_nothing_is_called_unused():
    doc = number_udp()
    doc["process_graph"]["other"] = {"process_id": "add", "arguments": {"x": 1, "y": 1}, "result": True}
    assert located(check_unused_nodes, doc) == []
