"""efast_udp.document: UDP documents read safely (bounded size, depth and number of values;
JSON that openEO reads as written; regular files only), from files and http(s) URLs alike, and
process listings."""

from __future__ import annotations

import json

import pytest

from efast_udp import document
from efast_udp.project import LATEST_UDP

RELEASED = json.loads(LATEST_UDP.read_text("utf-8"))


def test_a_listing_gives_its_one_process_and_refuses_ambiguity():
    listing = {"processes": [RELEASED], "links": []}
    assert document.select_process(listing, "x.json") is RELEASED
    with pytest.raises(Exception, match="lists 2 processes"):
        document.select_process({"processes": [RELEASED, RELEASED], "links": []}, "x.json")
    with pytest.raises(Exception, match="is not an openEO process definition"):
        document.select_process([], "x.json")


def test_nesting_depth_is_counted_without_recursion():
    deep = []
    for _ in range(10_000):
        deep = [deep]
    assert document.nesting_depth(deep, stop_after=100) == 101
    assert document.nesting_depth({"a": [1, {"b": 2}]}) == 3
