"""``efast_udp.review.render``: a Diff as review text, as one line per section, and as JSON; values
shown compactly, long texts and UDF code as patches, names with their control characters escaped.

efast_udp.review.render: a diff as text (values as ``old → new``, long text as a unified
diff, UDFs as line counts or code) and as JSON."""

from __future__ import annotations

import copy
import json

import pytest

from efast_udp.pointers import MISSING
from efast_udp.review import diff_documents, format_stat, format_text, to_json
from efast_udp.review.model import (
    Change, Diff, NodeChange, NodeChanges, NodeEntry, ParameterChange, ParameterChanges, Udf, UdfChange, UdfChanges,
)
from efast_udp.review.render import change_lines, format_stat, format_text, show, to_json, VALUE_WIDTH

from diff_support import small_udp


def one_of_each() -> Diff:
    return Diff(
        metadata=[Change("/summary", "old", "new"), Change("/links/0/href", "a", MISSING)],
        parameters=ParameterChanges(
            added=[{"name": "p", "schema": {"type": "integer"}}, {"name": "q", "optional": True, "default": 2,
                                                                   "schema": {"type": "number"}}],
            removed=[{"name": "gone"}],
            changed=[ParameterChange("k", [Change("/default", 1, 2)])],
            order=(["k", "m"], ["m", "k"])),
        nodes=NodeChanges(added=[NodeEntry("n", "add")], removed=[NodeEntry("o", None)],
                          changed=[NodeChange("f/process/u", "run_udf", [Change("/arguments/x", MISSING, 1)])]),
        udfs=UdfChanges(added=[Udf("new", "a\nb\n")], removed=[Udf("old", "c\n")],
                        changed=[UdfChange("f/process/u", "x = 1\ny = 2\n", "x = 1\ny = 3\n")]),
    )


# --- show and change_lines ------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (MISSING, "(absent)"), (None, "null"), (True, "true"), (1.5, "1.5"), ("é", '"é"'),
    ({"b": 1, "a": [1, "x"]}, '{"a": [1, "x"], "b": 1}'),
])
def test_show_is_one_line_of_json_with_sorted_keys(value, text):
    assert show(value) == text


def test_show_cuts_long_values_and_says_how_long_they_are():
    exact = "x" * (VALUE_WIDTH - 2)  # 200 characters with its quotes
    assert show(exact) == json.dumps(exact)
    long = "y" * 300
    assert show(long) == f'"{"y" * (VALUE_WIDTH - 1)}… (302 chars, whole in --json)'
    assert VALUE_WIDTH == 200


def test_a_short_change_is_one_line():
    assert change_lines(Change("/a", 1, MISSING), "", 3) == ["    /a: 1 → (absent)"]
    assert change_lines(Change("/a", "x", "y"), "", 3, indent="") == ['/a: "x" → "y"']


def test_a_long_or_multi_line_text_is_a_patch_labelled_with_its_place():
    lines = change_lines(Change("/description", "one\ntwo\n", "one\n2\n"), "parameters/p", 0)
    assert lines == ["    /description: changed", "        --- OLD:parameters/p/description",
                     "        +++ NEW:parameters/p/description", "        @@ -2 +2 @@", "        -two", "        +2"]
    added = change_lines(Change("/d", MISSING, "z" * 101), "", 3, indent="")
    assert added == ["/d: added", "    --- OLD:/d", "    +++ NEW:/d", "    @@ -0,0 +1 @@", "    +" + "z" * 101,
                     "    \\ No newline at end of text"]


def test_a_long_text_against_another_value_diffs_its_json():
    lines = change_lines(Change("/v", {"k": 1}, "a\nb"), "", 3, indent="")
    assert lines[0] == "/v: changed" and '    -{"k": 1}' in lines and "    +a" in lines


# --- format_text ----------------------------------------------------------------------------------

def test_identical_text_with_and_without_labels():
    assert format_text(Diff()) == "no differences\n"
    assert format_text(Diff(), "a.json", "b.json") == "--- a.json\n+++ b.json\n\nno differences\n"
    assert format_text(Diff(), "a.json") == "no differences\n"  # a header names both or neither


def test_text_has_one_block_per_changed_section_in_order():
    text = format_text(one_of_each(), "old.json", "new.json", context=0)
    assert text == "\n".join([
        "--- old.json", "+++ new.json", "",
        "## metadata", '/summary: "old" → "new"', '/links/0/href: "a" → (absent)', "",
        "## parameters",
        '+ p (required): schema {"type": "integer"}', '+ q (optional, default 2): schema {"type": "number"}',
        "- gone", "~ k", "    /default: 1 → 2", "order: k, m → m, k", "",
        "## nodes", "+ n (add)", "- o", "~ f/process/u (run_udf)", "    /arguments/x: (absent) → 1", "",
        "## UDFs", "+ new (2 lines)", "- old (1 lines)", "~ f/process/u (+1 -1 lines)",
        "--- OLD:f/process/u", "+++ NEW:f/process/u", "@@ -2 +2 @@", "-y = 2", "+y = 3", "", ""])


def test_text_without_udf_code_keeps_the_counts():
    text = format_text(one_of_each(), udf_code=False)
    assert "~ f/process/u (+1 -1 lines)\n" in text and "y = 3" not in text


def test_sections_without_changes_are_left_out():
    text = format_text(Diff(nodes=NodeChanges(added=[NodeEntry("n", "add")])))
    assert text == "## nodes\n+ n (add)\n\n"


def test_names_and_code_reach_the_text_escaped():
    diff = Diff(nodes=NodeChanges(added=[NodeEntry("e\x1b[2J\n--- x", "p\x07")]),
                udfs=UdfChanges(changed=[UdfChange("u", "a\n", "a\x1b[8m\tb\n")]))
    text = format_text(diff)
    assert "+ e\\x1b[2J\\n--- x (p\\x07)\n" in text
    assert "+a\\x1b[8m\tb\n" in text  # a tab in code stays a tab
    assert "\x1b" not in text and "\x07" not in text


# --- format_stat ----------------------------------------------------------------------------------

def test_stat_of_identical_documents():
    assert format_stat(Diff()) == "no differences\n"


def test_stat_counts_each_section():
    assert format_stat(one_of_each()).splitlines() == [
        "metadata: 2 field(s) changed (summary, links)",
        "parameters: 2 added, 1 removed, 1 changed, order changed",
        "nodes: 1 added, 1 removed, 1 changed",
        "UDFs: 1 added, 1 removed, 1 changed (+1 -1 lines)",
    ]


def test_stat_names_a_metadata_field_once():
    diff = Diff(metadata=[Change("/links/0/href", 1, 2), Change("/links/1/href", 1, 2)])
    assert format_stat(diff).splitlines()[0] == "metadata: 1 field(s) changed (links)"


# --- to_json --------------------------------------------------------------------------------------

def test_json_keeps_values_whole_and_leaves_out_what_is_absent():
    long = "x" * 1000
    report = to_json(Diff(metadata=[Change("/description", MISSING, long), Change("/id", "a", MISSING)]))
    assert report["identical"] is False
    assert report["metadata"] == [{"path": "/description", "kind": "added", "new": long},
                                  {"path": "/id", "kind": "removed", "old": "a"}]
    json.dumps(report)


def test_json_of_every_section():
    report = to_json(one_of_each(), context=0)
    assert report["parameters"]["order"] == {"old": ["k", "m"], "new": ["m", "k"]}
    assert report["parameters"]["changed"] == [{"name": "k", "changes": [
        {"path": "/default", "kind": "changed", "old": 1, "new": 2}]}]
    assert report["nodes"] == {
        "added": [{"path": "n", "process_id": "add"}], "removed": [{"path": "o", "process_id": None}],
        "changed": [{"path": "f/process/u", "process_id": "run_udf",
                     "changes": [{"path": "/arguments/x", "kind": "added", "new": 1}]}]}
    assert report["udfs"] == {
        "added": [{"path": "new", "lines": 2, "code": "a\nb\n"}],
        "removed": [{"path": "old", "lines": 1}],  # removed code is never repeated
        "changed": [{"path": "f/process/u", "added_lines": 1, "removed_lines": 1, "diff": [
            "--- OLD:f/process/u", "+++ NEW:f/process/u", "@@ -2 +2 @@", "-y = 2", "+y = 3"]}]}


def test_json_without_udf_code():
    udfs = to_json(one_of_each(), udf_code=False)["udfs"]
    assert udfs["added"] == [{"path": "new", "lines": 2}]
    assert udfs["changed"] == [{"path": "f/process/u", "added_lines": 1, "removed_lines": 1}]


def test_json_keeps_names_as_they_are():
    report = to_json(Diff(nodes=NodeChanges(added=[NodeEntry("e\x1b", "p")])))
    assert report["nodes"]["added"] == [{"path": "e\x1b", "process_id": "p"}]
    assert to_json(Diff())["identical"] is True and to_json(Diff())["parameters"]["order"] is None


def test_udf_added_and_removed_are_listed_with_line_counts():
    old, new = small_udp(), small_udp()
    new["process_graph"]["fused2"] = copy.deepcopy(new["process_graph"]["fused"])
    del new["process_graph"]["fused"]
    diff = diff_documents(old, new)
    text = format_text(diff)
    assert "+ fused2/process/runudf1 (3 lines)" in text
    assert "- fused/process/runudf1 (3 lines)" in text
    assert "def apply_datacube" not in text


def test_metadata_fields_and_description_as_unified_diff():
    old, new = small_udp(), small_udp()
    new["description"] = "First line.\nSecond line, changed.\n"
    new["categories"] = ["cubes"]
    new["default_job_options"] = {"executor-memory": "2G"}
    diff = diff_documents(old, new)
    assert [c.path for c in diff.metadata] == ["/description", "/categories", "/default_job_options"]
    text = format_text(diff, context=0)
    assert "--- OLD:/description\n    +++ NEW:/description\n    @@ -2 +2 @@\n    -Second line.\n    +Second line, changed." in text
    assert '/categories: (absent) → ["cubes"]' in text
    assert format_stat(diff).splitlines()[0] == "metadata: 3 field(s) changed (description, categories, default_job_options)"


def test_json_of_identical_documents():
    report = to_json(diff_documents(small_udp(), small_udp()))
    assert report["identical"] is True and report["metadata"] == [] and report["udfs"]["changed"] == []
