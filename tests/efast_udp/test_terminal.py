"""``efast_udp.terminal``: text from documents made safe for a terminal, and JSON text that keeps
every character but shows none raw.

efast_udp.terminal (issue 20): nothing printed from a document reaches a terminal raw (the
diff, the findings, error lines and the trust list's messages escape control characters)."""

from __future__ import annotations

import copy
import json

import pytest

from efast_udp.cli import main
from efast_udp.errors import UsageError
from efast_udp.terminal import json_safe, label, terminal_safe, CONTROL

from cli_support import UDP


#: a character of every class CONTROL covers
HOSTILE = "a\x00b\x1b[2J\nc\r\td\x7fe\x9bf\u2028g\u2029h\u200ei\u200fj\u202ak\u202el\u2066m\u2069n"


@pytest.mark.parametrize("char, escaped", [
    ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\x00", "\\x00"), ("\x1b", "\\x1b"), ("\x7f", "\\x7f"),
    ("\x9f", "\\x9f"), ("\u2028", "\\u2028"), ("\u202e", "\\u202e"), ("\u2069", "\\u2069"),
])
def test_label_escapes_each_control_character(char, escaped):
    assert label(f"x{char}y") == f"x{escaped}y"


def test_label_keeps_printable_text_and_takes_any_object():
    assert label("évaluation → 10 m, B8A") == "évaluation → 10 m, B8A"
    assert label(42) == "42"
    assert label(None) == "None"
    assert label("\u00a0\u00ff\u202f") == "\u00a0\u00ff\u202f"  # printable, outside the escaped ranges


def test_label_leaves_no_control_character():
    assert CONTROL.search(label(HOSTILE)) is None
    assert label(HOSTILE).count("\\") == len(CONTROL.findall(HOSTILE)) == 15  # one escape per character


def test_terminal_safe_keeps_line_breaks_and_tabs_by_default():
    assert terminal_safe("a\n\tb\r\x1b[0m") == "a\n\tb\\r\\x1b[0m"


def test_terminal_safe_keeps_only_what_it_is_told():
    assert terminal_safe("a\n\tb", keep="\t") == "a\\n\tb"
    assert terminal_safe("a\n\tb", keep="") == "a\\n\\tb"
    assert CONTROL.search(terminal_safe(HOSTILE, keep="")) is None


def test_json_safe_escapes_inside_strings_and_keeps_the_value():
    value = {"name": HOSTILE, "list": ["\x7f", "\u202e"]}
    text = json.dumps(value, ensure_ascii=False, indent=1)
    safe = json_safe(text)
    assert json.loads(safe) == value
    assert "\\u007f" in safe and "\\u202e" in safe and "\\u009b" in safe
    assert [c for c in safe if CONTROL.match(c)] == ["\n"] * text.count("\n")


def test_json_safe_keeps_only_line_breaks_raw():
    """The encoder writes no raw C0 control but the line breaks of its indentation; any other is
    shown as a JSON escape too."""
    assert json_safe('"a\tb\rc\x00"\n') == '"a\\u0009b\\u000dc\\u0000"\n'


def test_json_safe_changes_nothing_without_controls():
    text = json.dumps({"a": "é → b", "n": [1, 2]}, ensure_ascii=False, indent=2)
    assert json_safe(text) == text


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
