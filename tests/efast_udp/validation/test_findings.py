"""``findings``: the Finding record (JSON form, one terminal line) and ``show``, the short
rendering of a found value.

efast_udp.validation.findings: a finding serialises to JSON."""

from __future__ import annotations

import dataclasses
import json

import pytest

from efast_udp.pointers import MISSING
from efast_udp.validation import validate_udp
from efast_udp.validation.findings import show, Finding

from validation_support import real_udp


FINDING = Finding("unknown-node", "/process_graph/a~1b", '"x"', "one of a", "node 'a/b' refers to node 'x'")


def test_as_dict_has_the_five_fields_and_survives_json():
    assert json.loads(json.dumps(FINDING.as_dict())) == {
        "code": "unknown-node", "pointer": "/process_graph/a~1b", "found": '"x"', "expected": "one of a",
        "message": "node 'a/b' refers to node 'x'"}


def test_format_is_file_pointer_code_message_found_expected():
    assert FINDING.format("udp/efast.json") == (
        "udp/efast.json#/process_graph/a~1b: [unknown-node] node 'a/b' refers to node 'x' "
        '(found: "x"; expected: one of a)')
    assert FINDING.format().startswith("#/process_graph/a~1b: [unknown-node] ")


def test_format_escapes_line_breaks_and_terminal_escapes_of_a_node_id():
    line = Finding("c", "/p", "f", "e", "node 'a\nb\x1b[2J'").format()
    assert line == "#/p: [c] node 'a\\nb\\x1b[2J' (found: f; expected: e)"
    assert "\n" not in line and "\x1b" not in line


def test_a_finding_is_immutable_and_compares_by_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FINDING.code = "other"
    assert FINDING == Finding(**FINDING.as_dict())


@pytest.mark.parametrize("value, text", [
    (MISSING, "(missing)"),
    (None, "null"),
    ({"b": 1, "a": "é"}, '{"a": "é", "b": 1}'),  # keys sorted, characters as they are
    ([1, True], "[1, true]"),
    ("two  spaces\nand a break", '"two spaces\\nand a break"'),  # one line, runs of blanks as one
    ({1, 2}, "{1, 2}"),  # not JSON: repr
])
def test_show_renders_one_line_of_json(value, text):
    assert show(value) == text


def test_show_cuts_at_80_characters_with_an_ellipsis():
    assert show("x" * 78) == '"' + "x" * 78 + '"'  # exactly 80: whole
    cut = show("x" * 79)
    assert cut == '"' + "x" * 78 + "…"
    assert len(cut) == 80


def test_findings_serialise_to_json():
    doc = real_udp()
    doc["id"] = "x"
    [finding] = validate_udp(doc, "udp/efast.json")
    assert json.loads(json.dumps(finding.as_dict())) == {
        "code": "id-mismatch", "pointer": "/id", "found": 'file name "efast.json"', "expected": 'the file name "x.json"',
        "message": "id \"x\" does not match the file name 'udp/efast.json'",
    }
