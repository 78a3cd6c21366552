"""efast_udp.review.compare (``diff_documents``): parameters, graph nodes through callbacks
and UDFs compared section by section, each change at its path."""

from __future__ import annotations

import copy

from diff_support import small_udp, udf_node
from efast_udp.review import diff_documents, format_text


def test_parameter_added_removed_and_changed():
    old, new = small_udp(), small_udp()
    new["parameters"][0]["schema"]["minimum"] = 0
    new["parameters"][0]["default"] = 5
    del new["parameters"][1]
    new["parameters"].append({"name": "c", "description": "New.", "schema": {"type": "boolean"},
                              "default": False, "optional": True})
    params = diff_documents(old, new).parameters
    assert [p["name"] for p in params.added] == ["c"]
    assert [p["name"] for p in params.removed] == ["b"]
    (changed,) = params.changed
    assert changed.name == "a"
    assert {(c.path, c.old, c.new) for c in changed.changes} == {("/schema/minimum", 1, 0), ("/default", 2, 5)}
    text = format_text(diff_documents(old, new))
    assert "+ c (optional, default false): schema {\"type\": \"boolean\"}" in text
    assert "- b" in text
    assert "    /default: 2 → 5" in text
    assert "    /schema/minimum: 1 → 0" in text


def test_parameter_optional_false_is_the_same_as_absent_but_order_counts():
    old, new = small_udp(), small_udp()
    new["parameters"][1]["optional"] = False
    assert diff_documents(old, new).identical
    new["parameters"].reverse()
    diff = diff_documents(old, new)
    assert diff.parameters.order == (["a", "b"], ["b", "a"])
    assert "order: a, b → b, a" in format_text(diff)


def test_nodes_added_removed_and_argument_changed():
    old, new = small_udp(), small_udp()
    graph = new["process_graph"]
    graph["load"]["arguments"]["bands"] = ["B04", "B8A"]
    graph["ndvi"] = {"process_id": "ndvi", "arguments": {"data": {"from_node": "fused"}}}
    old["process_graph"]["unused"] = {"process_id": "constant", "arguments": {"x": 1}}
    nodes = diff_documents(old, new).nodes
    assert [(n.path, n.process_id) for n in nodes.added] == [("ndvi", "ndvi")]
    assert [(n.path, n.process_id) for n in nodes.removed] == [("unused", "constant")]
    (load,) = nodes.changed
    assert (load.path, [(c.path, c.old, c.new) for c in load.changes]) == (
        "load", [("/arguments/bands/1", "B08", "B8A")])
    text = format_text(diff_documents(old, new))
    assert "+ ndvi (ndvi)\n- unused (constant)\n~ load (load_collection)\n" in text
    assert '    /arguments/bands/1: "B08" → "B8A"' in text


def test_callback_node_changes_have_node_paths():
    old, new = small_udp(), small_udp()
    callback = new["process_graph"]["fused"]["arguments"]["process"]["process_graph"]
    callback["runudf1"]["arguments"]["context"] = {"scale": 0.001}
    callback["extra"] = {"process_id": "absolute", "arguments": {"x": {"from_parameter": "data"}}}
    nodes = diff_documents(old, new).nodes
    assert [n.path for n in nodes.added] == ["fused/process/extra"]
    assert [(n.path, [c.path for c in n.changes]) for n in nodes.changed] == [
        ("fused/process/runudf1", ["/arguments/context"])]
    assert "~ fused/process/runudf1 (run_udf)\n    /arguments/context: (absent) → {\"scale\": 0.001}" \
        in format_text(diff_documents(old, new))


def test_a_callback_that_appears_lists_its_nodes_as_added():
    old, new = small_udp(), small_udp()
    new["process_graph"]["load"]["arguments"]["filter"] = {"process_graph": {
        "gt1": {"process_id": "gt", "arguments": {"x": {"from_parameter": "value"}, "y": 0}, "result": True}}}
    nodes = diff_documents(old, new).nodes
    assert [(n.path, n.process_id) for n in nodes.added] == [("load/filter/gt1", "gt")]
    assert nodes.changed == [] and diff_documents(new, old).nodes.removed == nodes.added


def test_udf_paths_escape_ids_and_name_callbacks_nested_in_arrays_and_objects():
    """UDF paths are the node paths of the nodes section: ids escaped as in JSON pointers, and the
    full argument path of a callback inside an array or object (two such callbacks stay apart)."""
    old = small_udp()
    new = copy.deepcopy(old)
    node = udf_node(new)
    graph = new["process_graph"]
    graph["a/b~c"] = copy.deepcopy(node)
    graph["many"] = {"process_id": "apply", "arguments": {
        "list": [{"process_graph": {"u": copy.deepcopy(node)}}, {"process_graph": {"u": copy.deepcopy(node)}}],
        "object": {"k": {"process_graph": {"u": copy.deepcopy(node)}}}}}
    added = diff_documents(old, new).udfs.added
    assert [u.path for u in added] == ["a~1b~0c", "many/list/0/u", "many/list/1/u", "many/object/k/u"]
