"""``efast_udp.terminal``: text from documents made safe for a terminal, and JSON text that keeps
every character but shows none raw."""

from __future__ import annotations

import json

import pytest

from efast_udp.terminal import CONTROL, json_safe, label, terminal_safe

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
