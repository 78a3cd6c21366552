"""``efast_udp.review.values``: leaf-level changes between two JSON values at JSON-pointer paths,
keys sorted, list items aligned like lines, booleans apart from numbers.

efast_udp.review.values: key order and equal numbers are no difference (``true`` is not
``1``), and an inserted list item is one addition."""

from __future__ import annotations

import math

import pytest

from efast_udp.pointers import MISSING
from efast_udp.review import diff_documents
from efast_udp.review.values import same_scalar, value_changes, without

from diff_support import small_udp


def changes(old, new, path=(), on_callback=None):
    return [(c.path, c.old, c.new) for c in value_changes(old, new, path, on_callback)]


@pytest.mark.parametrize("old, new, same", [
    (1, 1.0, True), (0, -0.0, True), (math.nan, math.nan, True), (math.nan, 1.0, False),
    (True, 1, False), (False, 0, False), (1, True, False), (True, True, True),
    ("1", 1, False), (None, None, True), (None, 0, False), (None, "", False), ("a", "a", True),
])
def test_same_scalar(old, new, same):
    assert same_scalar(old, new) is same
    assert same_scalar(new, old) is same


def test_equal_values_have_no_changes():
    value = {"b": [1, {"c": None}], "a": "x"}
    assert value_changes(value, {"a": "x", "b": [1.0, {"c": None}]}) == []


def test_changes_are_at_leaf_paths_in_sorted_key_order():
    old = {"z": 1, "a": {"y": [1, 2], "b": "x"}}
    new = {"z": 2, "a": {"y": [1, 3], "b": "x"}, "m": True}
    assert changes(old, new) == [("/a/y/1", 2, 3), ("/m", MISSING, True), ("/z", 1, 2)]


def test_paths_escape_keys_and_start_at_the_given_prefix():
    assert changes({"a/b~c": 1}, {"a/b~c": 2}, ("links", 0)) == [("/links/0/a~1b~0c", 1, 2)]


def test_a_value_of_another_type_is_one_change():
    assert changes({"a": {"x": 1}}, {"a": [1]}) == [("/a", {"x": 1}, [1])]
    assert changes([1], "1") == [("", [1], "1")]


def test_an_inserted_item_is_one_addition():
    assert changes(["a", "b", "c"], ["a", "X", "b", "c"]) == [("/1", MISSING, "X")]


def test_a_removed_item_is_named_by_its_old_index():
    assert changes(["a", "b", "c", "d"], ["a", "d"]) == [("/1", "b", MISSING), ("/2", "c", MISSING)]


def test_a_replaced_item_is_compared_inside_at_its_new_index():
    old = [{"id": 1, "v": "x"}, "keep"]
    new = ["new", {"id": 1, "v": "y"}, "keep"]
    assert changes(old, new) == [("/0", {"id": 1, "v": "x"}, "new"), ("/1", MISSING, {"id": 1, "v": "y"})]
    assert changes([{"k": 1, "v": "x"}], [{"v": "y", "k": 1}]) == [("/0/v", "x", "y")]


def test_list_items_align_whatever_their_key_order():
    assert changes([{"a": 1, "b": 2}, 3], [{"b": 2, "a": 1}, 4]) == [("/1", 3, 4)]


def test_callbacks_are_handed_over_with_their_graphs():
    seen = []
    graph = {"n": {"process_id": "absolute"}}
    old = {"process": {"process_graph": graph}, "x": 1}
    new = {"process": {"process_graph": {}, "parameters": [{"name": "x"}]}, "filter": {"process_graph": graph}}
    found = changes(old, new, ("arguments",), lambda path, a, b: seen.append((path, a, b)))
    assert seen == [(("arguments", "filter"), {}, graph), (("arguments", "process"), graph, {})]
    # the callback's other fields are compared as values; its graph is the callback handler's
    assert found == [("/arguments/process/parameters", MISSING, [{"name": "x"}]), ("/arguments/x", 1, MISSING)]


def test_without_a_handler_a_callback_is_a_value():
    old = {"process": {"process_graph": {"n": {"process_id": "a"}}}}
    new = {"process": {"process_graph": {"n": {"process_id": "b"}}}}
    assert changes(old, new) == [("/process/process_graph/n/process_id", "a", "b")]


def test_a_callback_replaced_by_another_value_is_a_change_not_a_graph():
    seen = []
    old = {"process": {"process_graph": {}}}
    assert changes(old, {"process": 1}, on_callback=lambda *a: seen.append(a)) == [
        ("/process", {"process_graph": {}}, 1)]
    assert seen == []


def test_without_copies_all_but_the_key():
    mapping = {"a": 1, "b": 2}
    assert without(mapping, "a") == {"b": 2}
    assert without(mapping, "c") == mapping and without(mapping, "c") is not mapping
    assert mapping == {"a": 1, "b": 2}


def test_key_order_and_equal_numbers_are_no_difference_but_true_is_not_1():
    old, new = small_udp(), small_udp()
    new["process_graph"] = dict(reversed(list(new["process_graph"].items())))
    new["parameters"][0]["default"] = 2.0
    assert diff_documents(old, new).identical
    new["parameters"][0]["default"] = True
    old["parameters"][0]["default"] = 1
    assert not diff_documents(old, new).identical


def test_inserted_list_item_is_one_addition():
    old, new = small_udp(), small_udp()
    new["process_graph"]["load"]["arguments"]["bands"].insert(0, "B02")
    (load,) = diff_documents(old, new).nodes.changed
    assert [(c.path, c.kind, c.new) for c in load.changes] == [("/arguments/bands/0", "added", "B02")]
