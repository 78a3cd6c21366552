"""``efast-udp diff``: the semantic diff a reviewer reads before a release (metadata, parameters,
graph nodes through callbacks, UDF code as a patch) and its exit codes 0 / 1 / 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from efast_udp.cli import main
from efast_udp.review import diff_documents, format_stat, format_text, to_json

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "udp" / "releases"

UDF = "def apply_datacube(cube, context):\n    scale = 0.0001\n    return cube * scale\n"


def small_udp() -> dict:
    """A small process definition: two parameters, a load node and ``fused`` with a run_udf callback."""
    return {
        "id": "demo",
        "summary": "Demo",
        "description": "First line.\nSecond line.\n",
        "parameters": [
            {"name": "a", "description": "A number.", "schema": {"type": "integer", "minimum": 1},
             "default": 2, "optional": True},
            {"name": "b", "description": "A text.", "schema": {"type": "string"}},
        ],
        "process_graph": {
            "load": {"process_id": "load_collection",
                     "arguments": {"id": "S2", "bands": ["B04", "B08"], "spatial_extent": None}},
            "fused": {
                "process_id": "apply_dimension",
                "arguments": {
                    "data": {"from_node": "load"},
                    "dimension": "t",
                    "process": {"process_graph": {
                        "runudf1": {"process_id": "run_udf", "result": True,
                                    "arguments": {"data": {"from_parameter": "data"},
                                                  "runtime": "Python", "udf": UDF}},
                    }},
                },
                "result": True,
            },
        },
    }


def udf_node(doc: dict) -> dict:
    """The run_udf node in ``fused``'s callback."""
    return doc["process_graph"]["fused"]["arguments"]["process"]["process_graph"]["runudf1"]


def write(tmp_path: Path, doc: object, name: str) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def run_diff(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- parameters ----------------------------------------------------------------------------

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


# --- graph nodes ---------------------------------------------------------------------------

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


# --- UDF code ------------------------------------------------------------------------------

def test_udf_change_is_shown_as_code_lines(tmp_path, capsys):
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF.replace("scale = 0.0001", "scale = 0.001")
    code, out, _ = run_diff(capsys, write(tmp_path, old, "old.json"), write(tmp_path, new, "new.json"))
    assert code == 1
    assert "~ fused/process/runudf1 (+1 -1 lines)\n--- OLD:fused/process/runudf1\n+++ NEW:fused/process/runudf1\n" in out
    assert "\n-    scale = 0.0001\n+    scale = 0.001\n" in out
    assert "\\n" not in out
    assert "## nodes" not in out  # the code is not also an argument change


def test_udf_added_and_removed_are_listed_with_line_counts():
    old, new = small_udp(), small_udp()
    new["process_graph"]["fused2"] = copy.deepcopy(new["process_graph"]["fused"])
    del new["process_graph"]["fused"]
    diff = diff_documents(old, new)
    text = format_text(diff)
    assert "+ fused2/process/runudf1 (3 lines)" in text
    assert "- fused/process/runudf1 (3 lines)" in text
    assert "def apply_datacube" not in text


def test_no_udf_code_lists_counts_only(tmp_path, capsys):
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF + "# one more line"
    code, out, _ = run_diff(capsys, "--no-udf-code", write(tmp_path, old, "old.json"), write(tmp_path, new, "new.json"))
    assert code == 1
    assert "~ fused/process/runudf1 (+1 -0 lines)" in out
    assert "one more line" not in out


def test_final_newline_difference_is_visible():
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF.rstrip("\n")
    assert "\\ No newline at end of text" in format_text(diff_documents(old, new))


# --- metadata ------------------------------------------------------------------------------

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


# --- the command: exit codes, inputs, output forms ----------------------------------------

def test_identical_documents_exit_0(tmp_path, capsys):
    path = write(tmp_path, small_udp(), "a.json")
    code, out, err = run_diff(capsys, path, path)
    assert (code, err) == (0, "")
    assert out.endswith("no differences\n")


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    ("{not json", "is not valid JSON"),
    ([1, 2], "is not an openEO process definition"),
    ({"id": "x", "process_graph": []}, "is not an openEO process definition"),
    ({"id": "x", "process_graph": {}, "parameters": [{"name": "a"}, {"name": "a"}]}, "unique string names"),
    ({"processes": []}, "without process definitions"),
])
def test_unreadable_or_invalid_input_exits_2_with_one_line(tmp_path, capsys, content, message):
    bad = str(tmp_path / "missing.json") if content is None else write(tmp_path, content, "bad.json")
    code, out, err = run_diff(capsys, write(tmp_path, small_udp(), "good.json"), bad)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("efast-udp diff: error: ") and message in err


def test_process_listing_takes_its_one_process_or_the_chosen_one(tmp_path, capsys):
    single = write(tmp_path, small_udp(), "single.json")
    listing = write(tmp_path, {"processes": [small_udp()], "links": []}, "listing.json")
    assert run_diff(capsys, single, listing)[0] == 0
    other = dict(small_udp(), id="other")
    several = write(tmp_path, {"processes": [other, small_udp()], "links": []}, "several.json")
    code, _, err = run_diff(capsys, single, several)
    assert code == 2 and "--process ID" in err and "other, demo" in err
    assert run_diff(capsys, "--process", "demo", single, several)[0] == 0
    assert run_diff(capsys, "--process", "nope", single, several)[0] == 2


def test_json_output_structure(tmp_path, capsys):
    old, new = small_udp(), small_udp()
    new["summary"] = "Demo 2"
    new["parameters"][0]["default"] = 3
    new["process_graph"]["load"]["arguments"]["id"] = "S3"
    udf_node(new)["arguments"]["udf"] = UDF.replace("0.0001", "0.01")
    code, out, _ = run_diff(capsys, "--json", write(tmp_path, old, "o.json"), write(tmp_path, new, "n.json"))
    assert code == 1
    report = json.loads(out)
    assert report["identical"] is False
    assert report["metadata"] == [{"path": "/summary", "kind": "changed", "old": "Demo", "new": "Demo 2"}]
    assert report["parameters"]["changed"] == [
        {"name": "a", "changes": [{"path": "/default", "kind": "changed", "old": 2, "new": 3}]}]
    assert report["parameters"]["added"] == report["parameters"]["removed"] == []
    assert report["parameters"]["order"] is None
    assert report["nodes"]["changed"] == [{"path": "load", "process_id": "load_collection", "changes": [
        {"path": "/arguments/id", "kind": "changed", "old": "S2", "new": "S3"}]}]
    (udf,) = report["udfs"]["changed"]
    assert (udf["path"], udf["added_lines"], udf["removed_lines"]) == ("fused/process/runudf1", 1, 1)
    assert "+    scale = 0.01" in udf["diff"]


def test_json_of_identical_documents():
    report = to_json(diff_documents(small_udp(), small_udp()))
    assert report["identical"] is True and report["metadata"] == [] and report["udfs"]["changed"] == []


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


def test_stat_has_one_line_per_section(tmp_path, capsys):
    old, new = small_udp(), small_udp()
    new["process_graph"]["load"]["arguments"]["id"] = "S3"
    code, out, _ = run_diff(capsys, "--stat", write(tmp_path, old, "o.json"), write(tmp_path, new, "n.json"))
    assert code == 1
    assert out.splitlines() == [
        "metadata: 0 field(s) changed",
        "parameters: 0 added, 0 removed, 0 changed",
        "nodes: 0 added, 0 removed, 1 changed",
        "UDFs: 0 added, 0 removed, 0 changed",
    ]


# --- the released files --------------------------------------------------------------------

def test_release_0_2_2_to_0_2_3_shows_the_fusion_change_as_code(capsys):
    code, out, _ = run_diff(capsys, str(RELEASES / "0.2.2" / "efast.json"), str(RELEASES / "0.2.3" / "efast.json"))
    assert code == 1
    fusion = out[out.index("--- OLD:fused/process/runudf1"):]
    assert '-# EFAST UDF "fusion", efast-udp 0.2.2.\n+# EFAST UDF "fusion", efast-udp 0.2.3.\n' in fusion
    assert "\n-            slab = fused[t]\n" in fusion
    assert "\n+            slab = fused[t].reshape(n_bands, -1)\n" in fusion
    assert '/links/1/href: "https://efast-udp.github.io/efast-udp/0.2.2/efast.json" → ' in out
    assert "\\n" not in out  # the UDFs of these releases never spell a backslash-n themselves


def test_release_0_2_3_against_itself_exits_0(capsys):
    path = str(RELEASES / "0.2.3" / "efast.json")
    code, out, _ = run_diff(capsys, path, path)
    assert code == 0 and "no differences" in out
