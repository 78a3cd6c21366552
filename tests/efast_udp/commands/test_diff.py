"""``efast-udp diff``: its inputs (files, URLs, listings), exit codes 0 / 1 / 2 and output
forms (text, ``--stat``, ``--json``, ``--no-udf-code``), and the released files' diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from diff_support import UDF, small_udp, udf_node
from efast_udp.cli import main
from efast_udp.project import ROOT

RELEASES = ROOT / "udp" / "releases"


def write(tmp_path: Path, doc: object, name: str) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return str(path)


def run_diff(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_udf_change_is_shown_as_code_lines(tmp_path, capsys):
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF.replace("scale = 0.0001", "scale = 0.001")
    code, out, _ = run_diff(capsys, write(tmp_path, old, "old.json"), write(tmp_path, new, "new.json"))
    assert code == 1
    assert "~ fused/process/runudf1 (+1 -1 lines)\n--- OLD:fused/process/runudf1\n+++ NEW:fused/process/runudf1\n" in out
    assert "\n-    scale = 0.0001\n+    scale = 0.001\n" in out
    assert "\\n" not in out
    assert "## nodes" not in out  # the code is not also an argument change


def test_no_udf_code_lists_counts_only(tmp_path, capsys):
    old, new = small_udp(), small_udp()
    udf_node(new)["arguments"]["udf"] = UDF + "# one more line"
    code, out, _ = run_diff(capsys, "--no-udf-code", write(tmp_path, old, "old.json"), write(tmp_path, new, "new.json"))
    assert code == 1
    assert "~ fused/process/runudf1 (+1 -0 lines)" in out
    assert "one more line" not in out


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
