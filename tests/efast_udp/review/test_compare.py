"""``efast_udp.review.compare``: the sections of a diff computed one by one: metadata in reading
order, parameters by name, nodes by node path through callbacks, UDF code by the path of its node."""

from __future__ import annotations

from efast_udp.pointers import MISSING
from efast_udp.review.compare import (
    METADATA_FIELDS, diff_documents, metadata_changes, node_changes, node_path, parameter_changes, udf_changes,
    udf_sources,
)


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
