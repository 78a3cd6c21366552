"""efast_udp.terminal (issue 20): nothing printed from a document reaches a terminal raw (the
diff, the findings, error lines and the trust list's messages escape control characters)."""

from __future__ import annotations

import copy
import json

import pytest

from cli_support import UDP
from efast_udp.cli import main
from efast_udp.errors import UsageError

HOSTILE_ID = "evil\x1b[2J\x1b]0;title\x07\n--- /etc/passwd\n+++ fake\r\u202egnp.exe\x9b31m"


def hostile_pair(tmp_path):
    old = json.loads(UDP.read_text())
    new = copy.deepcopy(old)
    new["process_graph"][HOSTILE_ID] = {"process_id": "add\x1b[31m", "arguments": {"x\x1b": 1, "y": 2}}
    new["parameters"][0]["name"] = "p\x1b[1m\nq"
    new["summary"] = "s\x1b[5m\x7f"
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return str(tmp_path / "old.json"), str(tmp_path / "new.json")


@pytest.mark.parametrize("mode", [[], ["--stat"], ["--json"], ["--no-udf-code"]])
def test_diff_escapes_control_characters(tmp_path, capsys, mode):
    old, new = hostile_pair(tmp_path)
    assert main(["diff", *mode, old, new]) == 1
    out = capsys.readouterr().out
    raw = [c for c in out if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]
    assert raw == [], mode
    lines = out.splitlines()
    assert sum(line.startswith("--- ") for line in lines) <= 1  # only the real header
    if mode == ["--json"]:
        doc = json.loads(out)
        assert any(n["path"].startswith("evil\x1b[2J\x1b]0;title\x07\n") for n in doc["nodes"]["added"])
    elif not mode:
        assert "+ evil\\x1b[2J\\x1b]0;title\\x07\\n--- ~1etc~1passwd\\n+++ fake\\r\\u202egnp.exe\\x9b31m (add\\x1b[31m)" in out


def test_diff_escapes_control_characters_in_udf_code(tmp_path, capsys):
    doc = json.loads(UDP.read_text())
    new = copy.deepcopy(doc)
    runudf = new["process_graph"]["fused"]["arguments"]["process"]["process_graph"]["runudf1"]
    runudf["arguments"]["udf"] += "# \x1b[8mhidden\x1b[0m\n"
    (tmp_path / "old.json").write_text(json.dumps(doc))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "+# \\x1b[8mhidden\\x1b[0m" in out


def raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]


@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_validate_escapes_control_characters(tmp_path, capsys, mode):
    doc = json.loads(UDP.read_text())
    doc["process_graph"][HOSTILE_ID] = {"process_id": "nope\x1b[2J", "arguments": {}}
    path = tmp_path / "ansi.json"
    path.write_text(json.dumps(doc))
    assert main(["validate", *mode, str(path)]) == 1
    out = capsys.readouterr().out
    assert raw_controls(out) == []
    if not mode:
        assert len(out.splitlines()) == 3  # three findings, one line each: no faked lines
        assert all(line.startswith(f"{path}#/process_graph/evil\\x1b[2J") for line in out.splitlines())
    else:
        assert json.loads(out)[str(path)][0]["pointer"].startswith("/process_graph/evil\x1b[2J\x1b]0;title\x07\n")


def test_error_lines_escape_control_characters(tmp_path, capsys):
    name = str(tmp_path / "x\x1b[31m\n\u202e.json")
    assert main(["validate", name]) == 2
    err = capsys.readouterr().err
    assert raw_controls(err) == [] and len(err.splitlines()) == 1 and "x\\x1b[31m \\u202e.json" in err


def test_run_names_a_foreign_udf_without_raw_escapes():
    from efast_udp import trust

    doc = json.loads(UDP.read_text())
    doc["examples"][0]["arguments"]["hook\x1b[8m"] = {"process_graph": {"e\x1b]0;t\x07": {
        "process_id": "run_udf", "arguments": {"udf": "x = 1\n", "runtime": "Python"}}}}
    with pytest.raises(UsageError) as caught:
        trust.vouch(doc)
    assert raw_controls(str(caught.value)) == [] and "hook\\x1b[8m" in str(caught.value)
    assert all(raw_controls(w) == [] for w in trust.vouch(doc, allow_untrusted=True))
