"""efast_udp.review.values: key order and equal numbers are no difference (``true`` is not
``1``), and an inserted list item is one addition."""

from __future__ import annotations

from diff_support import small_udp
from efast_udp.review import diff_documents


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
