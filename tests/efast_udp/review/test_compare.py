"""``efast_udp.review.compare``: the sections of a diff computed one by one: metadata in reading
order, parameters by name, nodes by node path through callbacks, UDF code by the path of its node.

efast_udp.review.compare (``diff_documents``): parameters, graph nodes through callbacks
and UDFs compared section by section, each change at its path."""

from __future__ import annotations

import copy

from efast_udp.pointers import MISSING
from efast_udp.review import diff_documents, format_text
from efast_udp.review.compare import (
    METADATA_FIELDS, diff_documents, metadata_changes, node_changes, node_path, parameter_changes, udf_changes,
    udf_sources,
)

from diff_support import small_udp, udf_node


def run_udf(code: str) -> dict:
    return {"process_id": "run_udf", "arguments": {"data": {"from_parameter": "data"}, "runtime": "Python",
                                                     "udf": code}, "result": True}


def apply(graph: dict, **arguments) -> dict:
    return {"process_id": "apply", "arguments": {"process": {"process_graph": graph}, **arguments}}


# --- metadata -----------------------------------------------------------------------------------

def test_metadata_in_reading_order_then_other_fields_by_name():
    old = {"id": "a", "zeta": 1, "alpha": 1, "links": [], "summary": "s"}
    new = {"id": "b", "zeta": 2, "alpha": 2, "links": [{"rel": "about"}], "summary": "t"}
    assert [c.path for c in metadata_changes(old, new)] == ["/id", "/summary", "/links/0", "/alpha", "/zeta"]
    assert METADATA_FIELDS[0] == "id" and METADATA_FIELDS[-1] == "default_job_options"


def test_parameters_and_graph_are_not_metadata():
    old = {"id": "a", "parameters": [], "process_graph": {}}
    new = {"id": "a", "parameters": [{"name": "x"}], "process_graph": {"n": {}}}
    assert metadata_changes(old, new) == []


def test_flags_false_are_the_same_as_absent():
    assert metadata_changes({"id": "a"}, {"id": "a", "deprecated": False, "experimental": False}) == []
    (change,) = metadata_changes({"id": "a", "experimental": False}, {"id": "a", "experimental": True})
    assert (change.path, change.old, change.new) == ("/experimental", MISSING, True)
    (change,) = metadata_changes({"id": "a", "other": False}, {"id": "a"})  # only the openEO flags
    assert (change.path, change.kind) == ("/other", "removed")


# --- parameters ---------------------------------------------------------------------------------

def test_parameters_are_matched_by_name_and_changed_ones_listed_in_the_new_order():
    old = [{"name": "a", "schema": 1}, {"name": "b", "schema": 1}, {"name": "gone"}]
    new = [{"name": "new"}, {"name": "b", "schema": 2}, {"name": "a", "schema": 2}]
    result = parameter_changes(old, new)
    assert result.added == [{"name": "new"}] and result.removed == [{"name": "gone"}]
    assert [(p.name, [(c.path, c.old, c.new) for c in p.changes]) for p in result.changed] == [
        ("b", [("/schema", 1, 2)]), ("a", [("/schema", 1, 2)])]
    assert result.order == (["a", "b"], ["b", "a"])


def test_parameter_flags_false_are_the_same_as_absent():
    old = [{"name": "a"}]
    new = [{"name": "a", "optional": False, "deprecated": False, "experimental": False}]
    assert not parameter_changes(old, new)
    (changed,) = parameter_changes(old, [{"name": "a", "optional": True}]).changed
    assert [(c.path, c.kind) for c in changed.changes] == [("/optional", "added")]


def test_added_and_removed_parameters_do_not_make_an_order_change():
    result = parameter_changes([{"name": "a"}, {"name": "b"}], [{"name": "x"}, {"name": "a"}, {"name": "b"}])
    assert result.order is None and result.changed == [] and bool(result)


# --- nodes --------------------------------------------------------------------------------------

def test_node_path_escapes_ids_as_json_pointers():
    assert node_path(("fused", "process", "runudf1")) == "fused/process/runudf1"
    assert node_path(("a/b~c", "list", 0, "u")) == "a~1b~0c/list/0/u"


def test_nodes_are_sorted_parents_before_their_callbacks():
    old = {"b": apply({"x": {"process_id": "absolute", "arguments": {}}}), "a": {"process_id": "add", "arguments": {}}}
    new = {"b": apply({"x": {"process_id": "absolute", "arguments": {"x": 1}}}, context=1),
           "a": {"process_id": "add", "arguments": {"y": 2}}}
    result = node_changes(old, new)
    assert [(n.path, n.process_id, [c.path for c in n.changes]) for n in result.changed] == [
        ("a", "add", ["/arguments/y"]), ("b", "apply", ["/arguments/context"]),
        ("b/process/x", "absolute", ["/arguments/x"])]


def test_a_callback_node_comes_right_after_its_parent_whatever_the_characters():
    """``a/process/x`` belongs to ``a``: it comes before ``a-b``, although "-" sorts before "/"."""
    inner = {"process_id": "absolute", "arguments": {}}
    old = {"a": apply({"x": inner}), "a-b": {"process_id": "add", "arguments": {}}}
    new = {"a": apply({"x": dict(inner, arguments={"v": 1})}, context=1),
           "a-b": {"process_id": "add", "arguments": {"y": 1}}}
    assert [n.path for n in node_changes(old, new).changed] == ["a", "a/process/x", "a-b"]


def test_a_removed_node_is_listed_once_without_its_callback():
    old = {"keep": {"process_id": "add", "arguments": {}}, "gone": apply({"inner": run_udf("x = 1\n")})}
    result = node_changes(old, {"keep": old["keep"]})
    assert [(n.path, n.process_id) for n in result.removed] == [("gone", "apply")]
    assert result.added == [] and result.changed == []


def test_a_changed_process_id_and_a_node_that_is_no_object():
    result = node_changes({"n": {"process_id": "add", "arguments": {}}, "m": {"process_id": "x"}},
                          {"n": {"process_id": "subtract", "arguments": {}}, "m": "broken"})
    assert [(n.path, n.process_id, [(c.path, c.old, c.new) for c in n.changes]) for n in result.changed] == [
        ("m", None, [("", {"process_id": "x"}, "broken")]), ("n", "subtract", [("/process_id", "add", "subtract")])]


def test_udf_code_is_left_out_of_the_node_changes():
    old = {"f": apply({"u": run_udf("a = 1\n")})}
    new = {"f": apply({"u": run_udf("a = 2\n")})}
    assert not node_changes(old, new)
    (change,) = udf_changes(old, new).changed
    assert (change.path, change.old, change.new) == ("f/process/u", "a = 1\n", "a = 2\n")


# --- UDF code -----------------------------------------------------------------------------------

def test_udf_sources_by_node_parts():
    graph = {"f": apply({"u": run_udf("one")}), "top": run_udf("two"), "other": {"process_id": "run_udf",
                                                                                 "arguments": {"udf": {"x": 1}}}}
    assert udf_sources(graph) == {("f", "process", "u"): "one", ("top",): "two"}


def test_udfs_added_removed_and_changed_sorted_by_path():
    old = {"b": run_udf("b"), "gone": run_udf("g"), "f": apply({"u": run_udf("same")})}
    new = {"b": run_udf("B"), "a": run_udf("a"), "new": run_udf("n"), "f": apply({"u": run_udf("same")})}
    result = udf_changes(old, new)
    assert [(u.path, u.code) for u in result.added] == [("a", "a"), ("new", "n")]
    assert [(u.path, u.code) for u in result.removed] == [("gone", "g")]
    assert [(u.path, u.old, u.new) for u in result.changed] == [("b", "b", "B")]


def test_diff_documents_puts_each_section_in_its_place():
    old = {"id": "x", "process_graph": {"n": run_udf("a")}}
    new = {"id": "y", "parameters": [{"name": "p"}], "process_graph": {"n": run_udf("b")}}
    diff = diff_documents(old, new)
    assert [c.path for c in diff.metadata] == ["/id"]
    assert [p["name"] for p in diff.parameters.added] == ["p"]
    assert not diff.nodes and [u.path for u in diff.udfs.changed] == ["n"]
    assert diff_documents(old, old).identical


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
