"""``check_parameters``: the UDP's parameters (unique, optional with a valid default, used) and
its examples (known names, every required one, valid values)."""

import pytest
from udp_docs import cube_udp, findings, located, number_udp

from efast_udp.validation.check_parameters import (
    check_default_marks_optional,
    check_default_valid,
    check_example_names,
    check_example_required,
    check_example_values,
    check_optional_has_default,
    check_parameter_used,
    check_unique_names,
)

LIST = {"name": "bands", "description": "Bands.", "schema": {"type": "array", "items": {"type": "string"}},
        "optional": True, "default": ["B04"]}


def test_every_repetition_of_a_name_points_back_to_its_first_declaration():
    doc = number_udp()
    doc["parameters"] += [dict(doc["parameters"][0]), {"description": "no name"}, dict(doc["parameters"][0])]
    found = findings(check_unique_names, doc)
    assert [(f.code, f.pointer) for f in found] == [("duplicate-parameter", "/parameters/2/name"),
                                                    ("duplicate-parameter", "/parameters/4/name")]
    assert found[1].message == "parameter 'x' is declared twice (also at /parameters/0)"


def test_an_optional_parameter_needs_a_default_even_null():
    doc = number_udp()
    del doc["parameters"][1]["default"]
    [finding] = findings(check_optional_has_default, doc)
    assert (finding.code, finding.pointer) == ("missing-default", "/parameters/1")
    assert finding.message == "optional parameter 'y' has no default"
    doc["parameters"][1]["default"] = None
    assert located(check_optional_has_default, doc) == []


@pytest.mark.parametrize("optional, shown", [(None, "(missing)"), (False, "false"), ("true", '"true"')])
def test_a_default_marks_the_parameter_optional_true(optional, shown):
    doc = number_udp()
    if optional is None:
        del doc["parameters"][1]["optional"]
    else:
        doc["parameters"][1]["optional"] = optional
    [finding] = findings(check_default_marks_optional, doc)
    assert (finding.code, finding.pointer, finding.found) == ("default-not-optional", "/parameters/1/optional", shown)


def test_an_invalid_default_is_found_at_the_offending_element():
    doc = number_udp()
    doc["parameters"].append(dict(LIST, default=["B04", 8]))
    [finding] = findings(check_default_valid, doc)
    assert (finding.code, finding.pointer, finding.found) == ("invalid-default", "/parameters/2/default/1", '["B04", 8]')
    assert finding.expected == "array<string>"
    assert finding.message == "the default of parameter 'bands' does not match its schema: 8 is not of type 'string'"


def test_a_default_below_the_minimum():
    doc = number_udp()
    doc["parameters"][1]["default"] = -1
    [finding] = findings(check_default_valid, doc)
    assert (finding.pointer, finding.expected) == ("/parameters/1/default", "number (>= 0)")


def test_a_default_without_a_schema_is_left_to_the_schema_check():
    doc = number_udp()
    del doc["parameters"][1]["schema"]
    doc["parameters"][1]["default"] = "anything"
    assert located(check_default_valid, doc) == []


def test_a_parameter_no_node_reads_is_unused():
    doc = number_udp()
    doc["parameters"].append(LIST)
    [finding] = findings(check_parameter_used, doc)
    assert (finding.code, finding.pointer, finding.found) == ("unused-parameter", "/parameters/2", '"bands"')


def test_a_parameter_read_only_inside_a_context_is_used():
    doc = cube_udp()
    assert [p["name"] for p in doc["parameters"]] == ["factor"]  # read in scaled's context only
    doc["process_graph"]["scaled"]["arguments"]["context"] = {}
    assert located(check_parameter_used, doc) == [("unused-parameter", "/parameters/0")]


def test_an_example_with_an_unknown_name_gets_a_hint():
    doc = number_udp()
    doc["parameters"].append(LIST)
    doc["examples"] = [{"arguments": {"x": 1}}, {"arguments": {"x": 1, "band": ["B04"], "z": 2}}]
    found = findings(check_example_names, doc)
    assert [(f.code, f.pointer) for f in found] == [("unknown-example-argument", "/examples/1/arguments/band"),
                                                    ("unknown-example-argument", "/examples/1/arguments/z")]
    assert found[0].expected == "one of x, y, bands"
    assert found[0].message == "example 1 sets 'band', which is not a parameter of the process; did you mean 'bands'?"
    assert found[1].message == "example 1 sets 'z', which is not a parameter of the process"


def test_an_example_must_set_what_has_no_default():
    doc = number_udp()
    doc["examples"] = [{"arguments": {"y": 2}}, {"title": "no arguments"}]
    [finding] = findings(check_example_required, doc)
    assert (finding.code, finding.pointer, finding.expected) == (
        "missing-example-argument", "/examples/0/arguments", "argument 'x'")


def test_an_example_value_is_checked_against_the_parameter_schema():
    doc = number_udp()
    doc["parameters"].append(LIST)
    doc["examples"] = [{"arguments": {"x": 2, "y": -3, "bands": ["B04", None], "unknown": "left to another check"}}]
    found = findings(check_example_values, doc)
    assert [(f.code, f.pointer) for f in found] == [("invalid-example-argument", "/examples/0/arguments/y"),
                                                    ("invalid-example-argument", "/examples/0/arguments/bands/1")]
    assert found[1].message == ("example 0 argument 'bands' does not match the parameter schema: "
                                "None is not of type 'string'")


@pytest.mark.parametrize("examples", [None, "x", [3, {"arguments": [1]}]])
def test_examples_that_are_not_objects_with_arguments_are_left_to_the_schema(examples):
    doc = number_udp()
    doc["examples"] = examples
    for check in (check_example_names, check_example_required, check_example_values):
        assert located(check, doc) == []
