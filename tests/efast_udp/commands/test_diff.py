"""``efast-udp diff`` (``efast_udp.commands.diff``): its own argument checks (``--context``, the
output forms, process definitions with named parameters), its exit codes, and a reader that stops
early. What the diff finds is tested with review/.

``efast-udp diff``: its inputs (files, URLs, listings), exit codes 0 / 1 / 2 and output
forms (text, ``--stat``, ``--json``, ``--no-udf-code``), and the released files' diffs."""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path

import pytest

from efast_udp.cli import main
from efast_udp.commands import diff
from efast_udp.errors import UsageError
from efast_udp.project import ROOT

from diff_support import small_udp, udf_node, UDF


def definition(**fields) -> dict:
    return {"id": "p", "process_graph": {"n": {"process_id": "add", "arguments": {"x": 1}, "result": True}}, **fields}


@pytest.fixture
def pair(tmp_path):
    """Two files: ``p`` and ``p`` with another summary."""
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(definition(summary="one")))
    new.write_text(json.dumps(definition(summary="two")))
    return str(old), str(new)


@pytest.mark.parametrize("text, lines", [("0", 0), ("3", 3), ("250", 250)])
def test_context_lines(text, lines):
    assert diff._context_lines(text) == lines


@pytest.mark.parametrize("text, message", [("-1", "must be 0 or more"), ("x", "not a number of lines: 'x'"),
                                           ("1.5", "not a number of lines: '1.5'")])
def test_context_lines_refused(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{message}$"):
        diff._context_lines(text)


def test_a_bad_context_is_a_usage_error(efast, pair):
    outcome = efast("diff", "--context", "-2", *pair)
    assert outcome.code == 2 and "argument --context: must be 0 or more" in outcome.err


def test_json_and_stat_exclude_each_other(efast, pair):
    outcome = efast("diff", "--json", "--stat", *pair)
    assert outcome.code == 2 and "argument --stat: not allowed with argument --json" in outcome.err


@pytest.mark.parametrize("mode, first_line", [
    ([], "--- OLD"), (["--stat"], "metadata: 1 field(s) changed (summary)"), (["--json"], "{"),
])
def test_different_documents_exit_1_in_every_form(efast, pair, mode, first_line):
    outcome = efast("diff", *mode, *pair)
    assert (outcome.code, outcome.err) == (1, "")
    assert outcome.out.splitlines()[0] == first_line.replace("OLD", pair[0])


def test_the_same_document_exits_0(efast, pair):
    outcome = efast("diff", "--stat", pair[0], pair[0])
    assert (outcome.code, outcome.out) == (0, "no differences\n")


def test_json_output_is_the_whole_structured_diff(efast, pair):
    report = json.loads(efast("diff", "--json", "--context", "0", *pair).out)
    assert report["metadata"] == [{"path": "/summary", "kind": "changed", "old": "one", "new": "two"}]
    assert report["identical"] is False


def test_process_definition_takes_a_definition_or_the_chosen_entry_of_a_listing():
    doc = definition()
    assert diff.process_definition(doc, "a.json") is doc
    listing = {"processes": [definition(id="a"), definition(id="b")]}
    assert diff.process_definition(listing, "l.json", "b")["id"] == "b"


@pytest.mark.parametrize("parameters", [
    {"a": 1}, "text", [{"name": "a"}, "b"], [{"name": 1}], [{"description": "no name"}], [{"name": "a"}, {"name": "a"}],
])
def test_parameters_without_unique_string_names_are_refused(parameters):
    with pytest.raises(UsageError, match=r"^x\.json is not a process definition \(parameters must be a list of "
                                         r"objects with unique string names\)$"):
        diff.process_definition(definition(parameters=parameters), "x.json")


@pytest.mark.parametrize("parameters", [{}, False, 0, ""])
def test_falsy_parameters_that_are_no_list_are_refused(parameters):
    """They used to pass as "no parameters" (``or []``) and compare as identical to []."""
    with pytest.raises(UsageError, match="parameters must be a list"):
        diff.process_definition(definition(parameters=parameters), "x.json")


def test_no_parameters_at_all_is_a_definition():
    assert diff.process_definition(definition(parameters=[]), "x.json")["parameters"] == []
    assert "parameters" not in diff.process_definition(definition(), "x.json")


class ClosedPipe(io.StringIO):
    """stdout of ``efast-udp diff | head`` after head has gone: writing fails, the descriptor is ``fd``."""

    def __init__(self, fd: int):
        super().__init__()
        self.fd = fd

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        return self.fd


def test_a_reader_that_stops_early_is_no_error(monkeypatch, tmp_path):
    fd = os.open(tmp_path / "stdout", os.O_WRONLY | os.O_CREAT)
    try:
        monkeypatch.setattr("sys.stdout", ClosedPipe(fd))
        diff._write("some text\n")  # no exception
        assert os.path.samestat(os.fstat(fd), os.stat(os.devnull))  # the final flush goes nowhere
    finally:
        os.close(fd)


def test_write_prints_the_text(capsys):
    diff._write("a\nb\n")
    assert capsys.readouterr().out == "a\nb\n"


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
