"""``efast_udp.review.model``: the kinds of a change, when a section and a diff count as empty, and
the line counts of UDF code."""

from __future__ import annotations

import pytest

from efast_udp.pointers import MISSING
from efast_udp.review.model import (
    Change, Diff, NodeChanges, NodeEntry, ParameterChanges, Section, Udf, UdfChange, UdfChanges,
)


@pytest.mark.parametrize("old, new, kind", [
    (MISSING, 1, "added"), (1, MISSING, "removed"), (1, 2, "changed"), (None, None, "changed"),
    (MISSING, None, "added"), (False, MISSING, "removed"),
])
def test_change_kind(old, new, kind):
    assert Change("/x", old, new).kind == kind


def test_a_change_defaults_to_nothing_on_both_sides():
    change = Change("/x")
    assert change.old is MISSING and change.new is MISSING and change.kind == "added"


@pytest.mark.parametrize("section, empty", [
    (Section(), True),
    (Section(added=[1]), False),
    (Section(removed=[1]), False),
    (Section(changed=[1]), False),
    (ParameterChanges(), True),
    (ParameterChanges(order=(["a", "b"], ["b", "a"])), False),  # only the order changed
    (NodeChanges(), True),
    (UdfChanges(added=[Udf("n", "x")]), False),
])
def test_a_section_is_false_when_nothing_changed(section, empty):
    assert bool(section) is not empty


def test_sections_do_not_share_their_lists():
    first, second = NodeChanges(), NodeChanges()
    first.added.append(NodeEntry("n", "add"))
    assert second.added == [] and not second


@pytest.mark.parametrize("code, lines", [("", 0), ("x = 1", 1), ("x = 1\n", 1), ("a\nb\n", 2), ("a\n\nb", 3)])
def test_udf_lines(code, lines):
    assert Udf("fused/process/runudf1", code).lines == lines


def test_udf_change_counts_the_patch_lines():
    change = UdfChange("p", "a\nb\nc\n", "a\nB\nc\nd\n")
    assert (change.added_lines, change.removed_lines) == (2, 1)
    assert UdfChange("p", "a\n", "a").added_lines == 1


def test_a_diff_is_identical_only_when_every_section_is_empty():
    assert Diff().identical
    assert not Diff(metadata=[Change("/summary", "a", "b")]).identical
    assert not Diff(parameters=ParameterChanges(order=(["a"], ["a"]))).identical
    assert not Diff(nodes=NodeChanges(removed=[NodeEntry("n", "add")])).identical
    assert not Diff(udfs=UdfChanges(changed=[UdfChange("p", "a", "b")])).identical
    first = Diff()
    first.metadata.append(Change("/id", "a", "b"))
    assert Diff().identical
