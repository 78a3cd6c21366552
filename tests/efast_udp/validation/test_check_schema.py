"""``check_schema``: the document against the project's JSON Schemas, each error at its place
with a few words of what the schema wanted there.

efast_udp.validation.check_schema: a pattern that Python's re cannot compile is a schema
finding, not an internal error."""

from __future__ import annotations

import pytest

from efast_udp.validation.check_schema import check_json_schema

from cli_support import efast_udp
from udp_docs import findings, located, number_udp
from validation_support import with_parameter


REQUIRED = "properties id, summary, description, parameters, returns, process_graph"


def _one(doc):
    [finding] = findings(check_json_schema, doc)
    return finding


def test_each_missing_required_property_is_one_finding_at_the_root():
    doc = number_udp()
    del doc["summary"], doc["returns"]
    found = findings(check_json_schema, doc)
    assert [(f.code, f.pointer, f.expected) for f in found] == [("schema", "", REQUIRED), ("schema", "", REQUIRED)]
    assert sorted(f.message for f in found) == ["'returns' is a required property", "'summary' is a required property"]


def test_an_unknown_top_level_key_lists_what_is_allowed():
    doc = number_udp()
    doc["parameter"] = []
    finding = _one(doc)
    assert finding.pointer == ""
    assert finding.expected.startswith("only categories, default_job_options, ")
    assert finding.message == "Additional properties are not allowed ('parameter' was unexpected)"


def test_keywords_a_parameter_schema_must_not_carry_are_not_allowed_here():
    doc = number_udp()
    doc["parameters"][0]["schema"] = {"type": "number", "default": 1}
    finding = _one(doc)
    assert (finding.pointer, finding.found, finding.expected) == (
        "/parameters/0/schema/default", "1", "nothing here (not allowed)")
    assert finding.message == "'default' is not allowed here"


@pytest.mark.parametrize("change, where, expected, message", [
    (lambda d: d.update(id="a-b"), "/id", 'pattern "^\\\\w+$"', "'a-b' does not match '^\\\\w+$'"),
    (lambda d: d["parameters"][0].update(name=3), "/parameters/0/name", 'type "string"', "3 is not of type 'string'"),
    (lambda d: d["parameters"][0].update(description=""), "/parameters/0/description", "minLength 1",
     "'' should be non-empty"),
    (lambda d: d["parameters"][0].update(schema={"type": "string", "pattern": "("}), "/parameters/0/schema/pattern",
     'format "regex"', "'(' is not a 'regex'"),
    (lambda d: d["process_graph"]["sum"]["arguments"].update(x={"from_node": "a", "extra": 1}),
     "/process_graph/sum/arguments/x", "only from_node", "Additional properties are not allowed ('extra' was unexpected)"),
])
def test_the_most_specific_error_is_reported_where_it_is(change, where, expected, message):
    doc = number_udp()
    change(doc)
    finding = _one(doc)
    assert (finding.code, finding.pointer, finding.expected, finding.message) == ("schema", where, expected, message)


def test_findings_come_in_document_order():
    doc = number_udp()
    doc["parameters"][1]["name"] = 5
    doc["id"] = "a b"
    del doc["summary"]
    assert located(check_json_schema, doc) == [("schema", ""), ("schema", "/id"), ("schema", "/parameters/1/name")]


def test_a_long_message_is_cut_to_300_characters():
    doc = number_udp()
    doc["id"] = "-" * 400
    finding = _one(doc)
    assert len(finding.message) == 300
    assert finding.message.endswith("...")
    assert finding.found == '"' + "-" * 78 + "…"


def test_a_pattern_re_cannot_compile_is_a_schema_finding(tmp_path):
    """x{4294967295} made Python's re raise OverflowError, an internal error (exit 3) before."""
    path = with_parameter(tmp_path, {"type": "string", "pattern": "(?:x{4294967295})"}, "a")
    done = efast_udp("validate", str(path), timeout=60)
    assert done.returncode == 1, done.stderr
    assert "/schema/pattern: [schema] '(?:x{4294967295})' is not a 'regex'" in done.stdout
